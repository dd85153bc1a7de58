"""Typical mistakes and alternative answers for notebook 07 (batch norm, dropout, regularization).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

FWD = "test_batchnorm_forward"
RUN = "test_batchnorm_forward_running"
TEST = "test_batchnorm_forward_test_mode"
EDGE = "test_batchnorm_forward_edge"
BWD = "test_batchnorm_backward"
BWD_SHAPES = "test_batchnorm_backward_shapes"
ALT = "test_batchnorm_backward_alt"
DF = "test_dropout_forward"
DF_TEST = "test_dropout_forward_test_mode"
DF_EDGE = "test_dropout_forward_edge"
DB = "test_dropout_backward"
LNF = "test_layernorm_forward"
LNF_EDGE = "test_layernorm_forward_edge"
LNB = "test_layernorm_backward"
LNB_MORE = "test_layernorm_backward_more"
FCNET = ("test_FCNet_plain", "test_FCNet_batchnorm", "test_FCNet_layernorm", "test_FCNet_dropout",
         "test_FCNet_test_mode", "test_FCNet_overfit")
F_PLAIN, F_BN, F_LN, F_DROP, F_TEST, F_OVERFIT = FCNET
SETTINGS = "test_fcnet_settings"
CLIP = "test_clip_grad_norm"
CLIP_SMALL = "test_clip_grad_norm_small"
L2, L2_EDGE = "test_l2_penalty", "test_l2_penalty_edge"  # sections 5-7 (weight decay ... the sweep)
ES, ES_EDGE = "test_early_stopping", "test_early_stopping_edge"
PG = "test_paired_gain"
SWEEP, SWEEP_EDGE = "test_sweep", "test_sweep_edge"
GRID = "test_regularization_grid"

_XHAT = "x_hat = (x - mean) / np.sqrt(var + eps)"
_RMEAN = "running_mean = momentum * running_mean + (1 - momentum) * mean"
_RVAR = "running_var = momentum * running_var + (1 - momentum) * x.var(axis=0, ddof=1)"
_TEST = "out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta"
_DX = "dx = dxc - dxc.sum(axis=0) / N"
_DXC = "dxc = dx_hat / std + dvar * 2.0 * xc / N"
_ALT = "dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta - x_hat * dgamma)"
_MASK = "mask = (rng.random(x.shape) >= p) / (1 - p)"
_TEST_OUT = """    else:
        out = x
"""
_DB = "dx = dout * mask"
_LN_STATS = "mean = x.mean(axis=1, keepdims=True)\n    var = x.var(axis=1, keepdims=True)\n"
_LN_DX = """dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True)) / (D * np.sqrt(var + eps))"""
_FC_REG = """            loss += self.reg * np.sum(p[f"W{i}"] ** 2)
            grads[f"W{i}"] += 2 * self.reg * p[f"W{i}"]"""
_FC_NORM_FWD = """            if self.normalization == "batchnorm":
                self.norm_params[i - 1]["mode"] = mode
                h, norm_cache = ops.batchnorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
            elif self.normalization == "layernorm":
                h, norm_cache = ops.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
            h, relu_cache = ops.relu_forward(h)
"""
_FC_NORM_BWD = """            dh = ops.relu_backward(dh, relu_cache)
            if self.normalization == "batchnorm":
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = ops.batchnorm_backward(dh, norm_cache)
            elif self.normalization == "layernorm":
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = ops.layernorm_backward(dh, norm_cache)
"""
_SETTINGS = '{"normalization": "batchnorm", "dropout": 0.1}'
_CLIP = "grads[k] *= max_norm / (total + 1e-6)"
_L2_PENALTY = "penalty += reg * np.sum(W ** 2)"
_L2_GRAD = "grads[k] = 2 * reg * W"
_ES_COPY = "best_params = {k: v.copy() for k, v in params.items()}"
_ES_RESTORE = "    for k, v in best_params.items():\n        params[k][...] = v\n"
_ES_LOOP = "for epoch in range(1, max_epochs + 1):"
_PG = "return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))"
_BEST = "best = int(np.argmax(val_acc.mean(axis=1)))"
_GRID_END = '{"reg": 0.0, "dropout": 0.5}]'


def _grid(*regs, dropouts=()):
    """A regularization_grid answer: weight decays (0 is the baseline), then dropout rates."""
    settings = [{"reg": float(r), "dropout": 0.0} for r in regs] + [{"reg": 0.0, "dropout": float(p)} for p in dropouts]
    return f"def regularization_grid():\n    return {settings!r}\n"

VARIANTS = [
    # ---- batch norm forward -------------------------------------------------
    Mistake("bn_unbiased_variance_in_normalization", "batchnorm_forward",
            _XHAT, "x_hat = (x - mean) / np.sqrt(x.var(axis=0, ddof=1) + eps)", loses=(FWD, EDGE),
            why="normalize with the unbiased variance (N - 1) instead of the batch's biased one"),
    Mistake("bn_forgets_gamma_beta", "batchnorm_forward",
            "out = gamma * x_hat + beta", "out = x_hat", loses=(FWD, EDGE),
            why="return the normalized x_hat without scaling it by gamma and shifting it by beta"),
    Mistake("bn_eps_outside_sqrt", "batchnorm_forward",
            _XHAT, "x_hat = (x - mean) / (np.sqrt(var) + eps)", loses=(FWD, EDGE),
            why="add eps after the square root instead of inside it: sqrt(var + eps)"),
    Mistake("bn_eps_always_1e-5", "batchnorm_forward", _XHAT, "x_hat = (x - mean) / np.sqrt(var + 1e-5)",
            loses=EDGE, why="use the constant 1e-5 instead of the eps that bn_param gives"),
    Mistake("bn_batch_statistics_in_test_mode", "batchnorm_forward",
            _TEST, "out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta", loses=TEST,
            why="normalize in test mode with the batch's own statistics instead of the running averages"),
    Mistake("bn_momentum_on_the_wrong_side", "batchnorm_forward", _RMEAN + "\n        " + _RVAR,
            "running_mean = (1 - momentum) * running_mean + momentum * mean\n        "
            "running_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)", loses=RUN,
            why="swap the weights: the new batch statistics get momentum, the running value 1 - momentum"),
    Mistake("bn_momentum_always_0.9", "batchnorm_forward", _RMEAN + "\n        " + _RVAR,
            "running_mean = 0.9 * running_mean + 0.1 * mean\n        "
            "running_var = 0.9 * running_var + 0.1 * x.var(axis=0, ddof=1)", loses=RUN,
            why="write momentum 0.9 into the running averages instead of reading it from bn_param"),
    # CS231n keeps the biased variance; PyTorch (and this notebook) the unbiased one.
    Mistake("bn_running_var_biased", "batchnorm_forward", _RVAR,
            "running_var = momentum * running_var + (1 - momentum) * var", loses=RUN,
            why="update the running variance with the biased batch variance instead of the unbiased one"),
    Mistake("bn_running_var_of_std", "batchnorm_forward", _RVAR,
            "running_var = momentum * running_var + (1 - momentum) * x.std(axis=0, ddof=1)", loses=RUN,
            why="update the running variance with the batch's standard deviation instead of its variance"),
    Mistake("bn_normalizes_over_features", "batchnorm_forward",
            "mean = x.mean(axis=0)\n        var = x.var(axis=0)\n",
            "mean = x.mean(axis=1, keepdims=True)\n        var = x.var(axis=1, keepdims=True)\n",
            loses=(FWD, RUN, EDGE),
            why="average each sample over its features (axis 1) instead of each feature over the batch"),
    Mistake("bn_calls_reference", "batchnorm_forward", source='''\
def batchnorm_forward(x, gamma, beta, bn_param):
    return layers.batchnorm_forward(x, gamma, beta, bn_param)
''', loses=(FWD, RUN, TEST, EDGE), why="call the course's batchnorm_forward instead of writing batch norm"),
    Mistake("bn_calls_torch", "batchnorm_forward", source='''\
def batchnorm_forward(x, gamma, beta, bn_param):
    D = x.shape[1]
    running_mean = torch.tensor(bn_param.get("running_mean", np.zeros(D)), dtype=torch.float64)
    running_var = torch.tensor(bn_param.get("running_var", np.ones(D)), dtype=torch.float64)
    train = bn_param["mode"] == "train"
    out = F.batch_norm(torch.tensor(x), running_mean, running_var, torch.tensor(gamma), torch.tensor(beta),
                       training=train, momentum=1 - bn_param.get("momentum", 0.9), eps=bn_param.get("eps", 1e-5))
    bn_param["running_mean"], bn_param["running_var"] = running_mean.numpy(), running_var.numpy()
    return out.numpy(), None
''', loses=(FWD, RUN, TEST, EDGE), why="call PyTorch's batch norm inside a NumPy exercise"),
    Alternative("bn_variance_as_mean_of_squares", "batchnorm_forward",
                old="var = x.var(axis=0)", new="var = np.mean((x - mean) ** 2, axis=0)"),
    Alternative("bn_running_var_by_n_over_n_minus_1", "batchnorm_forward", old=_RVAR,
                new="running_var = momentum * running_var + (1 - momentum) * var * N / (N - 1)"),
    Alternative("bn_with_std", "batchnorm_forward", old=_XHAT,
                new="std = np.sqrt(var + eps)\n        x_hat = (x - mean) / std"),
    Alternative("bn_running_in_place", "batchnorm_forward", old=_RMEAN + "\n        " + _RVAR,
                new="running_mean = running_mean * momentum + mean * (1 - momentum)\n        "
                    "running_var = running_var - (1 - momentum) * (running_var - x.var(axis=0, ddof=1))"),
    Alternative("bn_test_mode_via_x_hat", "batchnorm_forward", old=_TEST,
                new="x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n        out = gamma * x_hat + beta"),
    # The cache is the student's own business: other intermediates keep full marks.
    Alternative("bn_cache_holds_std_not_var", "batchnorm_forward",
                old="cache = (x, x_hat, mean, var, gamma, eps)",
                new="cache = (x, x_hat, mean, np.sqrt(var + eps), gamma, eps)"),
    Alternative("bn_cache_of_three", "batchnorm_forward",
                old="cache = (x, x_hat, mean, var, gamma, eps)", new="cache = (x_hat, gamma, np.sqrt(var + eps))"),

    # ---- batch norm backward ----------------------------------------------------
    Mistake("bn_backward_missing_mean_term", "batchnorm_backward", _DX, "dx = dxc", loses=(BWD, BWD_SHAPES),
            why="forget the path through the batch mean in dx"),
    Mistake("bn_backward_std_constant", "batchnorm_backward", _DXC, "dxc = dx_hat / std", loses=(BWD, BWD_SHAPES),
            why="treat the standard deviation as a constant, dropping the variance path from dx"),
    Mistake("bn_backward_dgamma_without_x_hat", "batchnorm_backward",
            "dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.sum(dout, axis=0)", loses=(BWD, BWD_SHAPES),
            why="sum dout alone for dgamma, forgetting that gamma multiplies x_hat"),
    Mistake("bn_backward_dbeta_mean", "batchnorm_backward",
            "dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)", loses=(BWD, BWD_SHAPES),
            why="average dout over the batch for dbeta instead of summing it"),
    Mistake("bn_backward_forgets_gamma", "batchnorm_backward",
            "dx_hat = dout * gamma", "dx_hat = dout", loses=(BWD, BWD_SHAPES),
            why="forget to multiply dout by gamma before going back through x_hat"),
    Mistake("bn_backward_var_term_sign", "batchnorm_backward",
            "* -0.5 / std ** 3", "* 0.5 / std ** 3", loses=(BWD, BWD_SHAPES),
            why="lose the minus sign of the derivative of 1 / sqrt(var + eps)"),
    Mistake("bn_backward_calls_reference", "batchnorm_backward", source='''\
def batchnorm_backward(dout, cache):
    return layers.batchnorm_backward(dout, cache)
''', loses=(BWD, BWD_SHAPES), why="call the course's batchnorm_backward instead of writing the backward pass"),
    Mistake("bn_backward_by_autograd", "batchnorm_backward", source='''\
def batchnorm_backward(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(gamma, requires_grad=True)
    bt = torch.zeros(len(gamma), dtype=torch.float64, requires_grad=True)
    F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps).backward(torch.tensor(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()
''', loses=(BWD, BWD_SHAPES), why="let PyTorch's autograd compute the gradients inside a NumPy exercise"),
    Alternative("bn_backward_via_x_hat_formula", "batchnorm_backward", source='''\
def batchnorm_backward(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, dgamma, dbeta
'''),
    Alternative("bn_backward_through_inverse_std", "batchnorm_backward", source='''\
def batchnorm_backward(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    N = x.shape[0]
    xmu = x - mean
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xmu * ivar, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar ** 2 * divar
    dvar = 0.5 / sqrtvar * dsqrtvar
    dsq = np.ones_like(x) / N * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=0)
    dx2 = np.ones_like(x) / N * dmu
    dx = dx1 + dx2
    return dx, dgamma, dbeta
'''),

    # ---- short formula ------------------------------------------------------------
    Mistake("bn_alt_missing_variance_term", "batchnorm_backward_alt", _ALT,
            "dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta)", loses=ALT,
            why="drop the variance-path term x_hat * dgamma from the short formula"),
    Mistake("bn_alt_missing_mean_term", "batchnorm_backward_alt", _ALT,
            "dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - x_hat * dgamma)", loses=ALT,
            why="drop the mean-path term dbeta from the short formula"),
    Mistake("bn_alt_forgets_N", "batchnorm_backward_alt", _ALT,
            "dx = gamma / np.sqrt(var + eps) * (N * dout - dbeta - x_hat * dgamma)", loses=ALT,
            why="forget the 1 / N in front of the short formula's bracket"),
    Mistake("bn_alt_by_autograd", "batchnorm_backward_alt", _ALT, """\
xt = torch.tensor(x, requires_grad=True)
    F.batch_norm(xt, None, None, torch.tensor(gamma), None, training=True, eps=eps).backward(torch.tensor(dout))
    dx = xt.grad.numpy()""", loses=ALT, why="let PyTorch's autograd compute dx inside a NumPy exercise"),
    Alternative("bn_alt_via_centered_x", "batchnorm_backward_alt", old=_ALT, new="""\
std = np.sqrt(var + eps)
    xc = x - mean
    dx = gamma / (N * std) * (N * dout - dbeta - xc / std * np.sum(dout * xc, axis=0) / std)"""),
    Alternative("bn_alt_with_means", "batchnorm_backward_alt", old=_ALT,
                new="dx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))"),

    # ---- dropout forward ------------------------------------------------------------
    Mistake("dropout_scaled_by_p", "dropout_forward", _MASK, "mask = (rng.random(x.shape) >= p) * p",
            loses=(DF, DF_EDGE), why="scale the kept units by p instead of dividing them by 1 - p"),
    Mistake("dropout_scaled_by_keep_probability", "dropout_forward", _MASK,
            "mask = (rng.random(x.shape) >= p) * (1 - p)", loses=(DF, DF_EDGE),
            why="multiply the kept units by 1 - p instead of dividing them by it"),
    Mistake("dropout_p_as_keep_probability", "dropout_forward", _MASK,
            "mask = (rng.random(x.shape) < p) / p if p > 0 else np.ones(x.shape)", loses=(DF, DF_EDGE),
            why="read p as the probability of keeping a unit instead of dropping it"),
    Mistake("dropout_not_inverted", "dropout_forward", _MASK, "mask = (rng.random(x.shape) >= p) * 1.0",
            loses=(DF, DF_EDGE), why="drop units without scaling the survivors by 1 / (1 - p)"),
    Mistake("dropout_mask_in_test_mode", "dropout_forward", _TEST_OUT, """\
    else:
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = (rng.random(x.shape) >= p) / (1 - p)
        out = x * mask
""", loses=DF_TEST, why="keep dropping units in test mode instead of returning x unchanged"),
    Mistake("dropout_test_mode_scales_by_keep", "dropout_forward", _TEST_OUT, """\
    else:
        out = x * (1 - p)
""", loses=DF_TEST, why="multiply by 1 - p in test mode although inverted dropout scaled at train time"),
    Mistake("dropout_ignores_the_seed", "dropout_forward",
            'rng = np.random.default_rng(dropout_param.get("seed"))', "rng = np.random.default_rng()", loses=DF,
            why="ignore dropout_param's seed, so the same seed gives another mask"),
    Mistake("dropout_seed_zero_is_no_seed", "dropout_forward",
            'rng = np.random.default_rng(dropout_param.get("seed"))',
            'rng = np.random.default_rng(dropout_param["seed"] if dropout_param.get("seed") else None)',
            loses=DF, why="test the seed with `if seed:`, so seed 0 counts as no seed"),
    Mistake("dropout_same_mask_for_every_sample", "dropout_forward", _MASK,
            "mask = (rng.random(x.shape[1:]) >= p) / (1 - p)", loses=DF,
            why="draw one row of the mask and share it across every sample of the batch"),
    Mistake("dropout_caches_the_keep_mask", "dropout_forward", _MASK + "\n        out = x * mask",
            "keep = rng.random(x.shape) >= p\n        out = x * keep / (1 - p)\n        mask = keep", loses=DF,
            why="cache the 0/1 keep mask instead of the scaled mask x was multiplied by"),
    Mistake("dropout_in_place", "dropout_forward", "out = x * mask", "x *= mask\n        out = x", loses=DF,
            why="multiply x by the mask in place, changing the caller's array"),
    Mistake("dropout_calls_torch", "dropout_forward", source='''\
def dropout_forward(x, dropout_param):
    p, train = dropout_param["p"], dropout_param["mode"] == "train"
    if dropout_param.get("seed") is not None:
        torch.manual_seed(dropout_param["seed"])
    out = F.dropout(torch.from_numpy(x), p=p, training=train).numpy()
    mask = np.where(x != 0, out / np.where(x != 0, x, 1.0), 1 / (1 - p)) if train else None
    return out, (dropout_param, mask)
''', loses=(DF, DF_TEST, DF_EDGE), why="call PyTorch's dropout inside a NumPy exercise"),
    Alternative("dropout_boolean_mask_then_scale", "dropout_forward", old=_MASK,
                new="keep = rng.random(x.shape) < 1 - p\n        mask = keep.astype(float) / (1 - p)"),
    Alternative("dropout_binomial_mask", "dropout_forward", old=_MASK,
                new="mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p)"),
    Alternative("dropout_np_random_seed", "dropout_forward",
                old='rng = np.random.default_rng(dropout_param.get("seed"))\n        ' + _MASK,
                new='if dropout_param.get("seed") is not None:\n            np.random.seed(dropout_param["seed"])\n'
                    "        mask = (np.random.rand(*x.shape) >= p) / (1 - p)"),
    Alternative("dropout_where", "dropout_forward", old=_MASK + "\n        out = x * mask",
                new="mask = np.where(rng.random(x.shape) >= p, 1 / (1 - p), 0.0)\n        out = x * mask"),
    Alternative("dropout_test_mode_copy", "dropout_forward", old=_TEST_OUT,
                new=_TEST_OUT.replace("out = x\n", "out = x.copy()\n")),

    # ---- dropout backward ------------------------------------------------------------
    Mistake("dropout_backward_without_mask", "dropout_backward", _DB, "dx = dout", loses=DB,
            why="pass dout through unchanged in train mode, ignoring the mask"),
    Mistake("dropout_backward_scales_twice", "dropout_backward", _DB, 'dx = dout * mask / (1 - dropout_param["p"])',
            loses=DB, why="divide by 1 - p again, although the mask already holds that scale"),
    Mistake("dropout_backward_mask_in_test_mode", "dropout_backward", """    else:
        dx = dout""", """    else:
        dx = dout * mask""", loses=DB, why="apply a mask in test mode, where there is none"),
    Mistake("dropout_backward_calls_torch", "dropout_backward", _DB,
            "dx = (torch.from_numpy(dout) * torch.from_numpy(mask)).numpy()", loses=DB,
            why="multiply PyTorch tensors inside a NumPy exercise"),
    Alternative("dropout_backward_from_p", "dropout_backward", old=_DB,
                new='dx = np.where(mask != 0, dout / (1 - dropout_param["p"]), 0.0)'),
    Alternative("dropout_backward_mask_none_check", "dropout_backward", source='''\
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout if mask is None else dout * mask
'''),

    # ---- layer norm forward -------------------------------------------------------------
    Mistake("ln_normalizes_over_the_batch", "layernorm_forward", _LN_STATS,
            "mean = x.mean(axis=0)\n    var = x.var(axis=0)\n", loses=(LNF, LNF_EDGE),
            why="take the statistics over the batch (axis 0) as batch norm does, not per sample"),
    Mistake("ln_unbiased_variance", "layernorm_forward", "var = x.var(axis=1, keepdims=True)",
            "var = x.var(axis=1, ddof=1, keepdims=True)", loses=(LNF, LNF_EDGE),
            why="normalize each sample with the unbiased variance (ddof=1) instead of the biased one"),
    Mistake("ln_without_keepdims", "layernorm_forward", _LN_STATS,
            "mean = x.mean(axis=1)\n    var = x.var(axis=1)\n", loses=(LNF, LNF_EDGE),
            why="drop keepdims, so each sample's mean and variance broadcast along the wrong axis"),
    Mistake("ln_forgets_gamma_beta", "layernorm_forward", "out = gamma * x_hat + beta", "out = x_hat",
            loses=(LNF, LNF_EDGE), why="return x_hat without scaling it by gamma and shifting it by beta"),
    Mistake("ln_eps_always_1e-5", "layernorm_forward", "x_hat = (x - mean) / np.sqrt(var + eps)",
            "x_hat = (x - mean) / np.sqrt(var + 1e-5)", loses=LNF_EDGE,
            why="use the constant 1e-5 instead of the eps that ln_param gives"),
    Mistake("ln_via_reference_batchnorm", "layernorm_forward", source='''\
def layernorm_forward(x, gamma, beta, ln_param):
    x_hat, cache = layers.batchnorm_forward(x.T, np.ones(len(x)), np.zeros(len(x)),
                                            {"mode": "train", "eps": ln_param.get("eps", 1e-5)})
    return gamma * x_hat.T + beta, cache
''', loses=(LNF, LNF_EDGE), why="call the course's batchnorm_forward on the transpose instead of writing layer norm"),
    Mistake("ln_calls_torch", "layernorm_forward", source='''\
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    out = F.layer_norm(torch.tensor(x), (x.shape[1],), torch.tensor(gamma), torch.tensor(beta), eps=eps)
    return out.numpy(), None
''', loses=(LNF, LNF_EDGE), why="call PyTorch's layer_norm inside a NumPy exercise"),
    Alternative("ln_via_the_transpose", "layernorm_forward", old=_LN_STATS + "    x_hat = (x - mean) / np.sqrt(var + eps)\n",
                new="xt = x.T\n    mean, var = xt.mean(axis=0), xt.var(axis=0)\n"
                    "    x_hat = ((xt - mean) / np.sqrt(var + eps)).T\n"),
    Alternative("ln_variance_as_mean_of_squares", "layernorm_forward", old="var = x.var(axis=1, keepdims=True)",
                new="var = np.mean((x - mean) ** 2, axis=1, keepdims=True)"),
    Alternative("ln_cache_of_three", "layernorm_forward", old="cache = (x, x_hat, mean, var, gamma, eps)",
                new="cache = (x_hat, gamma, np.sqrt(var + eps))"),

    # ---- layer norm backward --------------------------------------------------------------
    Mistake("ln_backward_batch_norm_formula", "layernorm_backward", _LN_DX,
            "N = x.shape[0]\n    dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta - x_hat * dgamma)",
            loses=(LNB, LNB_MORE),
            why="reuse batch norm's formula with sums over the batch instead of over each sample's features"),
    Mistake("ln_backward_dgamma_over_features", "layernorm_backward",
            "dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.sum(dout * x_hat, axis=1)", loses=(LNB, LNB_MORE),
            why="sum dout * x_hat over the features for dgamma instead of over the batch"),
    Mistake("ln_backward_forgets_gamma", "layernorm_backward", "dx_hat = dout * gamma", "dx_hat = dout",
            loses=(LNB, LNB_MORE), why="forget to multiply dout by gamma before the normalization's backward pass"),
    Mistake("ln_backward_missing_variance_term", "layernorm_backward", _LN_DX,
            "dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)) / (D * np.sqrt(var + eps))",
            loses=(LNB, LNB_MORE), why="drop the variance-path term from layer norm's dx"),
    Mistake("ln_backward_via_reference_batchnorm", "layernorm_backward", _LN_DX, """\
N = x.shape[0]
    dxt, _, _ = layers.batchnorm_backward_alt(dx_hat.T, (x.T, x_hat.T, mean.ravel(), var.ravel(), np.ones(N), eps))
    dx = dxt.T""", loses=(LNB, LNB_MORE),
            why="call the course's batch-norm backward on the transpose instead of writing it"),
    Mistake("ln_backward_by_autograd", "layernorm_backward", _LN_DX, """\
xt = torch.tensor(x, requires_grad=True)
    F.layer_norm(xt, (D,), torch.tensor(gamma), None, eps=eps).backward(torch.tensor(dout))
    dx = xt.grad.numpy()""", loses=(LNB, LNB_MORE), why="let PyTorch's autograd compute dx inside a NumPy exercise"),
    Alternative("ln_backward_with_your_batchnorm_formula", "layernorm_backward", old=_LN_DX, new="""\
N = x.shape[0]
    dxt, _, _ = batchnorm_backward_alt(dx_hat.T, (x.T, x_hat.T, mean.ravel(), var.ravel(), np.ones(N), eps))
    dx = dxt.T"""),
    Alternative("ln_backward_with_means", "layernorm_backward", old=_LN_DX,
                new="dx = (dx_hat - dx_hat.mean(axis=1, keepdims=True)\n"
                "          - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True)) / np.sqrt(var + eps)"),
    Alternative("ln_backward_step_by_step", "layernorm_backward", old=_LN_DX, new="""\
xc = x - mean
    std = np.sqrt(var + eps)
    dvar = np.sum(dx_hat * xc, axis=1, keepdims=True) * -0.5 / std ** 3
    dxc = dx_hat / std + dvar * 2.0 * xc / D
    dx = dxc - dxc.sum(axis=1, keepdims=True) / D"""),

    # ---- the student's fully connected net ------------------------------------------------
    Mistake("fcnet_half_the_weight_decay", "FCNet", _FC_REG,
            _FC_REG.replace("loss += self.reg", "loss += 0.5 * self.reg").replace("2 * self.reg", "self.reg"),
            loses=(F_PLAIN, F_BN),
            why="use the penalty 0.5 * reg * sum(W**2) instead of the course's reg * sum(W**2)"),
    Mistake("fcnet_decays_the_biases", "FCNet", _FC_REG, _FC_REG + """
            loss += self.reg * np.sum(p[f"b{i}"] ** 2)
            grads[f"b{i}"] += 2 * self.reg * p[f"b{i}"]""", loses=(F_PLAIN, F_BN),
            why="apply the weight decay to the biases as well as the weights"),
    Mistake("fcnet_relu_before_the_norm", "FCNet",
            (_FC_NORM_FWD, _FC_NORM_BWD),
            (_FC_NORM_FWD.replace("            h, relu_cache = ops.relu_forward(h)\n", "").replace(
                "            if self.normalization", "            h, relu_cache = ops.relu_forward(h)\n"
                "            if self.normalization", 1),
             _FC_NORM_BWD.replace("            dh = ops.relu_backward(dh, relu_cache)\n", "")
             + "            dh = ops.relu_backward(dh, relu_cache)\n"),
            loses=(F_BN, F_LN, F_DROP, F_TEST), why="put the ReLU before the normalization instead of after it"),
    Mistake("fcnet_batchnorm_always_in_train_mode", "FCNet", '                self.norm_params[i - 1]["mode"] = mode\n',
            "", loses=F_TEST, why="never switch batch norm to test mode, so predictions use batch statistics"),
    Mistake("fcnet_dropout_in_test_mode", "FCNet", "self.dropout_param(i, mode)", 'self.dropout_param(i, "train")',
            loses=F_TEST, why="keep dropout active when predicting without labels"),
    Mistake("fcnet_forgets_dropout_backward", "FCNet", "                dh = ops.dropout_backward(dh, drop_cache)\n",
            "                pass\n", loses=F_DROP,
            why="skip dropout's backward pass, so dropped units still get gradients"),
    Mistake("fcnet_no_gamma_beta_gradients", "FCNet",
            'dh, grads[f"gamma{i}"], grads[f"beta{i}"] = ops.batchnorm_backward(dh, norm_cache)',
            "dh, _, _ = ops.batchnorm_backward(dh, norm_cache)", loses=(F_BN, F_DROP, F_OVERFIT),
            why="throw batch norm's dgamma and dbeta away instead of storing them in grads"),
    Mistake("fcnet_layer_norm_as_batch_norm", "FCNet",
            'h, norm_cache = ops.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])',
            'h, norm_cache = ops.batchnorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])',
            loses=(F_LN, F_TEST), why="call batch norm where the net was asked for layer norm"),
    Mistake("fcnet_probabilities_in_test_mode", "FCNet", "        if y is None:\n            return scores\n",
            "        if y is None:\n            e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
            "            return e / e.sum(axis=1, keepdims=True)\n", loses=F_TEST,
            why="return softmax probabilities instead of the raw scores when y is None"),
    Mistake("fcnet_calls_reference", "FCNet", "        h, caches = X, []\n", """\
        net = FullyConnectedNet([p[f"W{i}"].shape[1] for i in range(1, L)], p["W1"].shape[0],
                                p[f"W{L}"].shape[1], normalization=self.normalization, dropout=self.dropout,
                                reg=self.reg)
        net.params = p
        return net.loss(X, y)
        h, caches = X, []
""", loses=FCNET, why="hand the work to the course's FullyConnectedNet instead of using your layers"),
    Mistake("fcnet_by_autograd", "FCNet", "        h, caches = X, []\n", """\
        ts = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
        h = torch.tensor(X)
        for i in range(1, L):
            h = h @ ts[f"W{i}"] + ts[f"b{i}"]
            if self.normalization == "batchnorm":
                h = F.batch_norm(h, None, None, ts[f"gamma{i}"], ts[f"beta{i}"], training=True)
            elif self.normalization == "layernorm":
                h = F.layer_norm(h, (h.shape[1],), ts[f"gamma{i}"], ts[f"beta{i}"])
            h = F.dropout(torch.relu(h), self.dropout, training=y is not None)
        scores = h @ ts[f"W{L}"] + ts[f"b{L}"]
        if y is None:
            return scores.detach().numpy()
        loss = F.cross_entropy(scores, torch.tensor(y))
        loss = loss + self.reg * sum((ts[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
        loss.backward()
        return loss.item(), {k: t.grad.numpy() for k, t in ts.items()}
        h, caches = X, []
""", loses=FCNET, why="build the net in PyTorch and let autograd give the gradients"),
    Alternative("fcnet_weight_decay_in_the_loop", "FCNet", old=_FC_REG, new="""\
            pass
        for i in range(1, L + 1):
            loss = loss + self.reg * (p[f"W{i}"] ** 2).sum()
        for k in grads:
            if k.startswith("W"):
                grads[k] = grads[k] + 2 * self.reg * p[k]"""),
    Alternative("fcnet_dropout_even_at_p_0", "FCNet", old="            if self.dropout > 0:\n",
                new="            if True:\n"),
    Alternative("fcnet_layernorm_with_its_own_param", "FCNet",
                old='h, norm_cache = ops.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])',
                new='h, norm_cache = ops.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], {"eps": 1e-5})'),

    # ---- the MNIST-1D settings --------------------------------------------------------------
    Mistake("fcnet_settings_by_training_accuracy", "fcnet_settings", _SETTINGS,
            '{"normalization": None, "dropout": 0.0}', loses=SETTINGS,
            why="choose the setting with the best training accuracy instead of validation accuracy"),
    Alternative("fcnet_settings_layer_norm", "fcnet_settings", old=_SETTINGS,
                new='{"normalization": "layernorm", "dropout": 0.1}'),

    # ==== sections 5-7: weight decay, early stopping, clipping, choosing on validation ====
    # ---- l2_penalty ---------------------------------------------------------------------------
    Mistake("l2_decays_biases_gamma_beta", "l2_penalty", 'if k.startswith("W"):', "if True:", loses=(L2, L2_EDGE),
            why="decay every parameter, biases, gamma and beta included, not just the weights"),
    Mistake("l2_gradient_without_the_2", "l2_penalty", _L2_GRAD, "grads[k] = reg * W", loses=(L2, L2_EDGE),
            why="forget the factor 2 in the gradient of reg * sum(W**2)"),
    Mistake("l2_half_penalty", "l2_penalty", _L2_PENALTY, "penalty += 0.5 * reg * np.sum(W ** 2)",
            loses=(L2, L2_EDGE), why="use the penalty 0.5 * reg * sum(W**2) with the gradient 2 * reg * W"),
    Mistake("l2_l1_instead", "l2_penalty", _L2_PENALTY + "\n            " + _L2_GRAD,
            "penalty += reg * np.sum(np.abs(W))\n            grads[k] = reg * np.sign(W)", loses=(L2, L2_EDGE),
            why="write the L1 penalty, reg * sum(|W|), instead of the squared L2 one"),
    # the decayed update belongs to the optimizer: here it changes params
    Mistake("l2_makes_the_step_in_place", "l2_penalty", _L2_GRAD, _L2_GRAD + "\n            W -= grads[k]",
            loses=L2, why="take the decay step on params yourself instead of leaving it to the optimizer"),
    # "2-D arrays are weights" misses a convolution's 4-D W1
    Mistake("l2_weights_by_ndim", "l2_penalty", 'if k.startswith("W"):', "if W.ndim == 2:", loses=L2_EDGE,
            why="pick the weights as the 2-D arrays, missing a convolution's 4-D weights"),
    Mistake("l2_calls_reference", "l2_penalty", source="""\
def l2_penalty(params, reg):
    return regularization.l2_penalty(params, reg)
""", loses=(L2, L2_EDGE), why="call the course's l2_penalty instead of writing the penalty"),
    Mistake("l2_by_autograd", "l2_penalty", source="""\
def l2_penalty(params, reg):
    weights = {k: torch.tensor(v, requires_grad=True) for k, v in params.items() if k.startswith("W")}
    penalty = sum(reg * (t ** 2).sum() for t in weights.values())
    penalty.backward()
    return float(penalty), {k: t.grad.numpy() for k, t in weights.items()}
""", loses=(L2, L2_EDGE), why="let PyTorch's autograd compute the penalty's gradient inside a NumPy exercise"),
    Alternative("l2_zeros_for_the_rest", "l2_penalty", old=_L2_GRAD,
                new=_L2_GRAD + "\n        else:\n            grads[k] = np.zeros_like(W)"),
    Alternative("l2_norm_squared", "l2_penalty", old=_L2_PENALTY, new="penalty += reg * np.linalg.norm(W) ** 2"),
    Alternative("l2_vdot_comprehension", "l2_penalty", source="""\
def l2_penalty(params, reg):
    weights = [k for k in params if k[0] == "W"]
    penalty = reg * sum(float(np.vdot(params[k], params[k])) for k in weights)
    return penalty, {k: 2.0 * reg * params[k] for k in weights}
"""),

    # ---- early_stopping -------------------------------------------------------------------------
    Mistake("es_keeps_references", "early_stopping", _ES_COPY, "best_params = params", loses=(ES, ES_EDGE),
            why="save the best parameters as the live arrays instead of copies of them"),
    Mistake("es_shallow_dict_copy", "early_stopping", _ES_COPY, "best_params = dict(params)", loses=(ES, ES_EDGE),
            why="copy the dict but not its arrays, so the saved best keeps changing"),
    Mistake("es_tie_is_a_new_best", "early_stopping", "if acc > best_acc:", "if acc >= best_acc:",
            loses=(ES, ES_EDGE), why="count a tie with the best accuracy as a new best"),
    Mistake("es_patience_off_by_one", "early_stopping", "elif epoch - best_epoch >= patience:",
            "elif epoch - best_epoch > patience:", loses=(ES, ES_EDGE),
            why="wait patience + 1 epochs without a new best before stopping"),
    Mistake("es_never_restores", "early_stopping", _ES_RESTORE, "", loses=(ES, ES_EDGE),
            why="stop at the right epoch but leave the last parameters instead of the best"),
    Mistake("es_epochs_from_zero", "early_stopping", _ES_LOOP, "for epoch in range(max_epochs):",
            loses=(ES, ES_EDGE), why="count the epochs from 0 instead of 1"),
    # a first epoch with accuracy 0 never becomes the best, and nothing is saved
    Mistake("es_best_starts_at_zero", "early_stopping", "history = -np.inf, 0, None, []",
            "history = 0.0, 0, None, []", loses=ES_EDGE,
            why="start the best accuracy at 0, so a first epoch scoring 0 is never saved"),
    Mistake("es_ignores_max_epochs", "early_stopping", _ES_LOOP, "for epoch in range(1, 10 ** 6):", loses=ES_EDGE,
            why="keep training past max_epochs while the accuracy still improves"),
    Mistake("es_uses_the_reference", "early_stopping", source="""\
def early_stopping(params, train_epoch, validate, patience=5, max_epochs=100):
    stopper = regularization.EarlyStopping(patience)
    history = []
    for epoch in range(max_epochs):
        train_epoch()
        history.append(validate())
        if stopper.step(history[-1], params):
            break
    stopper.restore(params)
    return stopper.best_step, history
""", loses=(ES, ES_EDGE), why="use the course's EarlyStopping class instead of writing the loop"),
    Alternative("es_deepcopy", "early_stopping", old=_ES_COPY,
                new="import copy\n            best_params = copy.deepcopy(params)"),
    Alternative("es_restore_by_rebinding", "early_stopping", old="params[k][...] = v", new="params[k] = v"),
    Alternative("es_np_copyto", "early_stopping", old="params[k][...] = v", new="np.copyto(params[k], v)"),
    Alternative("es_while_loop", "early_stopping", source="""\
def early_stopping(params, train_epoch, validate, patience=5, max_epochs=100):
    history, best, bad, saved = [], None, 0, None
    while len(history) < max_epochs and bad < patience:
        train_epoch()
        history.append(float(validate()))
        if best is None or history[-1] > history[best - 1]:
            best, bad = len(history), 0
            saved = {k: np.array(v) for k, v in params.items()}
        else:
            bad += 1
    for k in saved:
        params[k][...] = saved[k]
    return best, history
"""),

    # ---- gradient clipping ------------------------------------------------------------------
    Mistake("clip_each_array_on_its_own", "clip_grad_norm", source='''\
def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    for k in grads:
        n = np.sqrt(np.sum(grads[k] ** 2))
        if n > max_norm:
            grads[k] *= max_norm / (n + 1e-6)
    return float(total)
''', loses=CLIP, why="clip each gradient array by its own norm instead of the global norm"),
    Mistake("clip_returns_norm_after", "clip_grad_norm", "return float(total)",
            "return float(min(total, max_norm))", loses=CLIP,
            why="return the norm after clipping instead of before it"),
    Mistake("clip_not_in_place", "clip_grad_norm", _CLIP, "grads[k] = grads[k] * (max_norm / (total + 1e-6))",
            loses=CLIP, why="rebind grads[k] to a new array instead of scaling it in place"),
    Mistake("clip_always_rescales", "clip_grad_norm", "    if total > max_norm:\n        for k in grads:\n"
            "            " + _CLIP, "    for k in grads:\n        " + _CLIP, loses=CLIP_SMALL,
            why="rescale the gradients even when their norm is already below max_norm"),
    Mistake("clip_sum_of_norms", "clip_grad_norm", "total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
            "total = sum(np.sqrt(np.sum(g ** 2)) for g in grads.values())", loses=(CLIP, CLIP_SMALL),
            why="add up the arrays' norms instead of taking the root of all the squares together"),
    Alternative("clip_concatenate", "clip_grad_norm",
                old="total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
                new="total = np.sqrt(np.sum(np.concatenate([g.ravel() for g in grads.values()]) ** 2))"),
    Alternative("clip_without_the_epsilon", "clip_grad_norm", old=_CLIP, new="grads[k] *= max_norm / total"),
    Alternative("clip_with_np_multiply", "clip_grad_norm", old=_CLIP,
                new="np.multiply(grads[k], max_norm / (total + 1e-6), out=grads[k])"),

    Mistake("clip_with_torch", "clip_grad_norm", source="""\
def clip_grad_norm(grads, max_norm):
    tensors = []
    for g in grads.values():
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.from_numpy(g)
        tensors.append(t)
    return float(torch.nn.utils.clip_grad_norm_(tensors, max_norm))
""", loses=(CLIP, CLIP_SMALL), why="call torch's clip_grad_norm_ inside a NumPy exercise"),
    Alternative("clip_linalg_norm", "clip_grad_norm",
                old="total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
                new="total = np.sqrt(sum(np.linalg.norm(g) ** 2 for g in grads.values()))"),

    # ---- paired_gain ------------------------------------------------------------------------------
    Mistake("paired_se_with_ddof_0", "paired_gain", _PG, "return float(d.mean()), float(d.std() / np.sqrt(len(d)))",
            loses=PG, why="divide by K instead of K - 1 in the standard deviation of the differences"),
    Mistake("paired_se_divided_by_k", "paired_gain", _PG,
            "return float(d.mean()), float(d.std(ddof=1) / len(d))", loses=PG,
            why="divide the standard deviation by K instead of sqrt(K)"),
    Mistake("paired_std_not_se", "paired_gain", _PG, "return float(d.mean()), float(d.std(ddof=1))", loses=PG,
            why="report the standard deviation of the differences instead of its standard error"),
    Mistake("paired_reversed", "paired_gain", "d = np.asarray(acc, dtype=float) - np.asarray(acc_base, dtype=float)",
            "d = np.asarray(acc_base, dtype=float) - np.asarray(acc, dtype=float)", loses=PG,
            why="subtract the setting from the baseline instead of the baseline from the setting"),
    # the two settings' own spreads, as if the runs were not paired
    Mistake("paired_unpaired_se", "paired_gain", _PG, """\
a, b = np.asarray(acc, dtype=float), np.asarray(acc_base, dtype=float)
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float(d.mean()), float(se)""", loses=PG,
            why="combine the two settings' own spreads instead of pairing the runs by seed"),
    Mistake("paired_by_torch", "paired_gain", source="""\
def paired_gain(acc, acc_base):
    d = torch.tensor(acc, dtype=torch.float64) - torch.tensor(acc_base, dtype=torch.float64)
    return float(d.mean()), float(d.std() / len(d) ** 0.5)
""", loses=PG, why="compute the gain with PyTorch inside a NumPy exercise"),
    Alternative("paired_var_then_sqrt", "paired_gain", old=_PG,
                new="return float(np.mean(d)), float(np.sqrt(np.var(d, ddof=1) / len(d)))"),
    Alternative("paired_plain_python", "paired_gain", source="""\
def paired_gain(acc, acc_base):
    d = [a - b for a, b in zip(acc, acc_base)]
    k = len(d)
    mean = sum(d) / k
    return mean, (sum((x - mean) ** 2 for x in d) / (k - 1) / k) ** 0.5
"""),

    # ---- sweep --------------------------------------------------------------------------------------
    Mistake("sweep_best_single_run", "sweep", _BEST, "best = int(np.argmax(val_acc.max(axis=1)))", loses=SWEEP,
            why="choose the setting with the best single run instead of the best mean"),
    Mistake("sweep_first_seed_only", "sweep", _BEST, "best = int(np.argmax(val_acc[:, 0]))",
            loses=(SWEEP, SWEEP_EDGE),
            why="choose by the first seed's accuracy alone instead of the mean over the seeds"),
    Mistake("sweep_lowest_mean", "sweep", _BEST, "best = int(np.argmin(val_acc.mean(axis=1)))",
            loses=(SWEEP, SWEEP_EDGE), why="pick the lowest mean accuracy (argmin) instead of the highest"),
    Mistake("sweep_last_of_equal_means", "sweep", _BEST,
            "means = val_acc.mean(axis=1)\n    best = int(len(means) - 1 - np.argmax(means[::-1]))", loses=SWEEP_EDGE,
            why="pick the last of equal means instead of the first"),
    Mistake("sweep_transposed", "sweep", _BEST, _BEST + "\n    val_acc = val_acc.T", loses=(SWEEP, SWEEP_EDGE),
            why="return val_acc with one row per seed instead of one per setting"),
    Mistake("sweep_returns_the_setting", "sweep", _BEST, "best = settings[int(np.argmax(val_acc.mean(axis=1)))]",
            loses=(SWEEP, SWEEP_EDGE), why="return the best setting itself instead of its index"),
    Mistake("sweep_seed_positions", "sweep", "val_acc[i, j] = train(setting, seed)",
            "val_acc[i, j] = train(setting, j)", loses=(SWEEP, SWEEP_EDGE),
            why="pass the seed's position j to train instead of the seed itself"),
    Mistake("sweep_calls_reference", "sweep", source="""\
def sweep(train, settings, seeds):
    return regularization.sweep(train, settings, seeds)
""", loses=(SWEEP, SWEEP_EDGE), why="call the course's sweep instead of writing the loop"),
    Alternative("sweep_comprehension", "sweep", source="""\
def sweep(train, settings, seeds):
    val_acc = np.array([[train(s, seed) for seed in seeds] for s in settings], dtype=float)
    return int(np.mean(val_acc, axis=1).argmax()), val_acc
"""),
    Alternative("sweep_strict_loop", "sweep", old=_BEST, new="""\
best, best_mean = None, None
    for i in range(len(settings)):
        if best is None or val_acc[i].mean() > best_mean:
            best, best_mean = i, val_acc[i].mean()"""),

    # ---- regularization_grid (the real run trains 4 seeds per setting: few variants that train) ------
    Mistake("grid_without_baseline", "regularization_grid", '{"reg": 0.0, "dropout": 0.0}, ', "", loses=GRID,
            why="leave no regularization out of the grid, so nothing measures the gain"),
    Mistake("grid_too_many_settings", "regularization_grid", _GRID_END,
            '{"reg": 0.0, "dropout": 0.5}, {"reg": 3e-3, "dropout": 0.0}, {"reg": 3e-2, "dropout": 0.0}]', loses=GRID,
            why="list more settings than the budget of six allows"),
    Mistake("grid_too_weak", "regularization_grid", source=_grid(0, 1e-5, 1e-4, 1e-3), loses=GRID,
            why="try only weight decays too small to change anything"),
    # dropout given as the probability of KEEPING a unit
    Mistake("grid_dropout_as_keep_probability", "regularization_grid",
            source=_grid(0, dropouts=(0.5, 0.7, 0.9)), loses=GRID,
            why="give dropout as a keep probability, so 0.7 and 0.9 drop most units"),
    Alternative("grid_dropout_only", "regularization_grid", source=_grid(0, dropouts=(0.1, 0.2, 0.3))),
]

DEMO_MISTAKE = "dropout_scaled_by_p"
