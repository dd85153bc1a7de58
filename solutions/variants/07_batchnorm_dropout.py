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
CLIP = "test_clip_grad_norm"
CLIP_SMALL = "test_clip_grad_norm_small"
REG = "test_regularize"

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
_CLIP = "grads[k] *= max_norm / (total + 1e-6)"

VARIANTS = [
    # ---- batch norm forward -------------------------------------------------
    Mistake("bn_unbiased_variance_in_normalization", "batchnorm_forward",
            _XHAT, "x_hat = (x - mean) / np.sqrt(x.var(axis=0, ddof=1) + eps)", loses=(FWD, EDGE)),
    Mistake("bn_forgets_gamma_beta", "batchnorm_forward",
            "out = gamma * x_hat + beta", "out = x_hat", loses=(FWD, EDGE)),
    Mistake("bn_eps_outside_sqrt", "batchnorm_forward",
            _XHAT, "x_hat = (x - mean) / (np.sqrt(var) + eps)", loses=(FWD, EDGE)),
    Mistake("bn_batch_statistics_in_test_mode", "batchnorm_forward",
            _TEST, "out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta", loses=TEST),
    Mistake("bn_momentum_on_the_wrong_side", "batchnorm_forward", _RMEAN + "\n        " + _RVAR,
            "running_mean = (1 - momentum) * running_mean + momentum * mean\n        "
            "running_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)", loses=RUN),
    # CS231n keeps the biased variance; PyTorch (and this notebook) the unbiased one.
    Mistake("bn_running_var_biased", "batchnorm_forward", _RVAR,
            "running_var = momentum * running_var + (1 - momentum) * var", loses=RUN),
    Mistake("bn_running_var_of_std", "batchnorm_forward", _RVAR,
            "running_var = momentum * running_var + (1 - momentum) * x.std(axis=0, ddof=1)", loses=RUN),
    Mistake("bn_cache_holds_std_not_var", "batchnorm_forward",
            "cache = (x, x_hat, mean, var, gamma, eps)",
            "cache = (x, x_hat, mean, np.sqrt(var + eps), gamma, eps)", loses=FWD),
    Mistake("bn_normalizes_over_features", "batchnorm_forward",
            "mean = x.mean(axis=0)\n        var = x.var(axis=0)\n",
            "mean = x.mean(axis=1, keepdims=True)\n        var = x.var(axis=1, keepdims=True)\n",
            loses=(FWD, RUN, EDGE)),
    Mistake("bn_calls_reference", "batchnorm_forward", source='''\
def batchnorm_forward(x, gamma, beta, bn_param):
    return layers.batchnorm_forward(x, gamma, beta, bn_param)
''', loses=(FWD, RUN, TEST, EDGE)),
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

    # ---- batch norm backward ----------------------------------------------------
    Mistake("bn_backward_missing_mean_term", "batchnorm_backward", _DX, "dx = dxc", loses=(BWD, BWD_SHAPES)),
    Mistake("bn_backward_std_constant", "batchnorm_backward", _DXC, "dxc = dx_hat / std", loses=(BWD, BWD_SHAPES)),
    Mistake("bn_backward_dgamma_without_x_hat", "batchnorm_backward",
            "dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.sum(dout, axis=0)", loses=(BWD, BWD_SHAPES)),
    Mistake("bn_backward_dbeta_mean", "batchnorm_backward",
            "dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)", loses=(BWD, BWD_SHAPES)),
    Mistake("bn_backward_forgets_gamma", "batchnorm_backward",
            "dx_hat = dout * gamma", "dx_hat = dout", loses=(BWD, BWD_SHAPES)),
    Mistake("bn_backward_var_term_sign", "batchnorm_backward",
            "* -0.5 / std ** 3", "* 0.5 / std ** 3", loses=(BWD, BWD_SHAPES)),
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
            "dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta)", loses=ALT),
    Mistake("bn_alt_missing_mean_term", "batchnorm_backward_alt", _ALT,
            "dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - x_hat * dgamma)", loses=ALT),
    Mistake("bn_alt_forgets_N", "batchnorm_backward_alt", _ALT,
            "dx = gamma / np.sqrt(var + eps) * (N * dout - dbeta - x_hat * dgamma)", loses=ALT),
    Alternative("bn_alt_via_centered_x", "batchnorm_backward_alt", old=_ALT, new="""\
std = np.sqrt(var + eps)
    xc = x - mean
    dx = gamma / (N * std) * (N * dout - dbeta - xc / std * np.sum(dout * xc, axis=0) / std)"""),
    Alternative("bn_alt_with_means", "batchnorm_backward_alt", old=_ALT,
                new="dx = gamma / np.sqrt(var + eps) * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))"),

    # ---- dropout forward ------------------------------------------------------------
    Mistake("dropout_scaled_by_p", "dropout_forward", _MASK, "mask = (rng.random(x.shape) >= p) * p",
            loses=(DF, DF_EDGE)),
    Mistake("dropout_scaled_by_keep_probability", "dropout_forward", _MASK,
            "mask = (rng.random(x.shape) >= p) * (1 - p)", loses=(DF, DF_EDGE)),
    Mistake("dropout_p_as_keep_probability", "dropout_forward", _MASK,
            "mask = (rng.random(x.shape) < p) / p if p > 0 else np.ones(x.shape)", loses=(DF, DF_EDGE)),
    Mistake("dropout_not_inverted", "dropout_forward", _MASK, "mask = (rng.random(x.shape) >= p) * 1.0",
            loses=(DF, DF_EDGE)),
    Mistake("dropout_mask_in_test_mode", "dropout_forward", _TEST_OUT, """\
    else:
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = (rng.random(x.shape) >= p) / (1 - p)
        out = x * mask
""", loses=DF_TEST),
    Mistake("dropout_test_mode_scales_by_keep", "dropout_forward", _TEST_OUT, """\
    else:
        out = x * (1 - p)
""", loses=DF_TEST),
    Mistake("dropout_ignores_the_seed", "dropout_forward",
            'rng = np.random.default_rng(dropout_param.get("seed"))', "rng = np.random.default_rng()", loses=DF),
    Mistake("dropout_in_place", "dropout_forward", "out = x * mask", "x *= mask\n        out = x", loses=DF),
    Alternative("dropout_boolean_mask_then_scale", "dropout_forward", old=_MASK,
                new="keep = rng.random(x.shape) < 1 - p\n        mask = keep.astype(float) / (1 - p)"),
    Alternative("dropout_binomial_mask", "dropout_forward", old=_MASK,
                new="mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p)"),
    Alternative("dropout_np_random_seed", "dropout_forward",
                old='rng = np.random.default_rng(dropout_param.get("seed"))\n        ' + _MASK,
                new='if "seed" in dropout_param:\n            np.random.seed(dropout_param["seed"])\n'
                    "        mask = (np.random.rand(*x.shape) >= p) / (1 - p)"),
    Alternative("dropout_where", "dropout_forward", old=_MASK + "\n        out = x * mask",
                new="mask = np.where(rng.random(x.shape) >= p, 1 / (1 - p), 0.0)\n        out = x * mask"),
    Alternative("dropout_test_mode_copy", "dropout_forward", old=_TEST_OUT,
                new=_TEST_OUT.replace("out = x\n", "out = x.copy()\n")),

    # ---- dropout backward ------------------------------------------------------------
    Mistake("dropout_backward_without_mask", "dropout_backward", _DB, "dx = dout", loses=DB),
    Mistake("dropout_backward_scales_twice", "dropout_backward", _DB, 'dx = dout * mask / (1 - dropout_param["p"])',
            loses=DB),
    Mistake("dropout_backward_mask_in_test_mode", "dropout_backward", """    else:
        dx = dout""", """    else:
        dx = dout * mask""", loses=DB),
    Alternative("dropout_backward_from_p", "dropout_backward", old=_DB,
                new='dx = np.where(mask != 0, dout / (1 - dropout_param["p"]), 0.0)'),
    Alternative("dropout_backward_mask_none_check", "dropout_backward", source='''\
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout if mask is None else dout * mask
'''),

    # ---- gradient clipping -------------------------------------------------------------
    Mistake("clip_each_array_on_its_own", "clip_grad_norm", source='''\
def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    for k in grads:
        n = np.sqrt(np.sum(grads[k] ** 2))
        if n > max_norm:
            grads[k] *= max_norm / (n + 1e-6)
    return float(total)
''', loses=CLIP),
    Mistake("clip_returns_norm_after", "clip_grad_norm", "return float(total)",
            "return float(min(total, max_norm))", loses=CLIP),
    Mistake("clip_not_in_place", "clip_grad_norm", _CLIP, "grads[k] = grads[k] * (max_norm / (total + 1e-6))",
            loses=CLIP),
    Mistake("clip_always_rescales", "clip_grad_norm", "    if total > max_norm:\n        for k in grads:\n"
            "            " + _CLIP, "    for k in grads:\n        " + _CLIP, loses=CLIP_SMALL),
    Mistake("clip_sum_of_norms", "clip_grad_norm", "total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
            "total = sum(np.sqrt(np.sum(g ** 2)) for g in grads.values())", loses=(CLIP, CLIP_SMALL)),
    Alternative("clip_concatenate", "clip_grad_norm",
                old="total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
                new="total = np.sqrt(np.sum(np.concatenate([g.ravel() for g in grads.values()]) ** 2))"),
    Alternative("clip_without_the_epsilon", "clip_grad_norm", old=_CLIP, new="grads[k] *= max_norm / total"),
    Alternative("clip_with_np_multiply", "clip_grad_norm", old=_CLIP,
                new="np.multiply(grads[k], max_norm / (total + 1e-6), out=grads[k])"),

    # ---- regularize -------------------------------------------------------------------------
    Mistake("regularize_nothing", "regularize", '{"dropout": 0.5, "reg": 0.0}', '{"dropout": 0.0, "reg": 0.0}',
            loses=REG),
    Mistake("regularize_far_too_much", "regularize", '{"dropout": 0.5, "reg": 0.0}', '{"dropout": 0.0, "reg": 0.1}',
            loses=REG),
    Mistake("regularize_keep_probability", "regularize", '{"dropout": 0.5, "reg": 0.0}',
            '{"dropout": 0.9, "reg": 0.0}', loses=REG),
    Alternative("regularize_weight_decay", "regularize", old='{"dropout": 0.5, "reg": 0.0}',
                new='{"dropout": 0.0, "reg": 0.03}'),
    Alternative("regularize_both", "regularize", old='{"dropout": 0.5, "reg": 0.0}',
                new='{"dropout": 0.5, "reg": 0.001}'),
]

DEMO_MISTAKE = "dropout_scaled_by_p"
