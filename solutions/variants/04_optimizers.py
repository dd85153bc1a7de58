"""Typical mistakes and alternative answers for notebook 04 (optimizers).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

SGD_T = "test_SGD"
MOM = "test_Momentum"
MOM_ZERO = "test_Momentum_zero_is_sgd"
NEST = "test_Nesterov"
ADA = "test_AdaGrad"
ADA_ZERO = "test_AdaGrad_zero_gradient"
RMS = "test_RMSProp"
ADAM = "test_Adam"
ADAM_FIRST = "test_Adam_first_step"
BOWL = "test_run_on_bowl"
MB = "test_minibatches"
MB_EDGE = "test_minibatches_edge_cases"
STEP = "test_step_decay"
COMPARE = "test_compare_optimizers"
RS_SAMPLING = "test_random_search_sampling"
RS_BEST = "test_random_search_best"
C2F = "test_coarse_to_fine"
SETTINGS = "test_search_settings"
RATIO = "test_update_ratio"
RATIO_SHAPES = "test_update_ratio_shapes"
DIAG = "test_diagnosis"

_MOM_STEP = """        v = self.state_for(key, p).setdefault("v", np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v"""
_ADAM_LR_T = "lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)"
_MB_BODY = """    order = rng.permutation(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]"""
_RS_DRAW = """\
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))"""
_RS_BEST = 'best = max(trials, key=lambda trial: trial["val_acc"])'
_C2F_LEADERS = 'leaders = sorted(coarse, key=lambda trial: trial["val_acc"], reverse=True)[:top]'
_C2F_RANGES = """\
    fine_lr_range = (min(t["lr"] for t in leaders), max(t["lr"] for t in leaders))
    fine_reg_range = (min(t["reg"] for t in leaders), max(t["reg"] for t in leaders))"""
_SETTINGS = 'search_settings = {"lr_range": (1e-3, 1.0), "reg_range": (1e-6, 1e-1), "n_coarse": 12, "n_fine": 8, "top": 3}'
_RATIO_LINE = "ratios[key] = float(np.linalg.norm(params_after[key] - before) / np.linalg.norm(before))"
_DIAG = 'diagnosis = {"A": "lr_too_high", "B": "overfitting", "C": "lr_too_low", "D": "dead_network"}'
_COMPARE_LOOP = """    for name, net in nets.items():  # look the optimizer up by name: never zip two orders
        solvers[name] = Solver(net, data, optimizer=optimizers[name], batch_size=batch_size,"""

VARIANTS = [
    # ---- SGD -------------------------------------------------------------
    Mistake("sgd_rebinds_p", "SGD", "p -= self.lr * g", "p = p - self.lr * g", loses=SGD_T,
            why="write p = p - lr * g, which leaves the weights' own arrays unchanged"),
    Mistake("sgd_climbs", "SGD", "p -= self.lr * g", "p += self.lr * g", loses=SGD_T,
            why="add the gradient instead of subtracting it, so the step goes uphill"),
    Alternative("sgd_slice_assignment", "SGD", old="p -= self.lr * g", new="p[...] = p - self.lr * g"),
    Alternative("sgd_np_subtract_out", "SGD", old="p -= self.lr * g", new="np.subtract(p, self.lr * g, out=p)"),

    # ---- Momentum --------------------------------------------------------
    Mistake("momentum_gradient_sign", "Momentum", "v -= self.lr * g", "v += self.lr * g",
            loses=(MOM, MOM_ZERO),
            why="add lr * g to the velocity instead of subtracting it"),
    Mistake("momentum_state_reset_every_call", "Momentum",
            'v = self.state_for(key, p).setdefault("v", np.zeros_like(p))', "v = np.zeros_like(p)",
            loses=MOM,
            why="start from a zero velocity at every step instead of keeping it in the state"),
    Mistake("momentum_one_velocity_for_all_params", "Momentum",
            'self.state_for(key, p).setdefault("v"', 'self.state_for("velocity", p).setdefault("v"',
            loses=(MOM, MOM_ZERO),
            why="share one velocity between all parameters instead of keeping one per key"),
    Mistake("momentum_rebinds_p", "Momentum", "p += v", "p = p + v", loses=(MOM, MOM_ZERO),
            why="write p = p + v, which leaves the weights' own arrays unchanged"),
    Alternative("momentum_state_out_of_place", "Momentum", old=_MOM_STEP, new="""\
        s = self.state_for(key, p)
        s["v"] = self.momentum * s.get("v", 0.0) - self.lr * g
        p += s["v"]"""),
    Alternative("momentum_own_dict", "Momentum", old=_MOM_STEP, new="""\
        if not hasattr(self, "velocity"):
            self.velocity = {}
        if key not in self.velocity:
            self.velocity[key] = np.zeros_like(p)
        self.velocity[key] = self.momentum * self.velocity[key] - self.lr * g
        p += self.velocity[key]"""),

    # ---- Nesterov --------------------------------------------------------
    Mistake("nesterov_is_plain_momentum", "Nesterov",
            "p += -self.momentum * v_prev + (1 + self.momentum) * v", "p += v", loses=NEST,
            why="take plain momentum's step p += v instead of Nesterov's look-ahead update"),
    Mistake("nesterov_v_prev_alias", "Nesterov", "v_prev = v.copy()", "v_prev = v", loses=NEST,
            why="write v_prev = v without .copy(), so v_prev changes along with v"),
    Alternative("nesterov_before_velocity", "Nesterov", old="""\
        v_prev = v.copy()
        v *= self.momentum
        v -= self.lr * g
        p += -self.momentum * v_prev + (1 + self.momentum) * v""", new="""\
        p += self.momentum * self.momentum * v - (1 + self.momentum) * self.lr * g
        v *= self.momentum
        v -= self.lr * g"""),

    # ---- AdaGrad ---------------------------------------------------------
    Mistake("adagrad_without_eps", "AdaGrad", "(np.sqrt(h) + self.eps)", "np.sqrt(h)",
            loses=(ADA, ADA_ZERO),
            why="leave out eps, so a weight whose gradients are all 0 gets 0/0 = nan"),
    Mistake("adagrad_eps_inside_sqrt", "AdaGrad", "(np.sqrt(h) + self.eps)", "np.sqrt(h + self.eps)",
            loses=(ADA, ADA_ZERO),
            why="put eps inside the square root instead of adding it to sqrt(h)"),
    Mistake("adagrad_no_accumulation", "AdaGrad", "h += g * g", "h[...] = g * g", loses=(ADA, ADA_ZERO),
            why="keep only the last squared gradient in h instead of their running sum"),
    Alternative("adagrad_power_form", "AdaGrad", old="p -= self.lr * g / (np.sqrt(h) + self.eps)",
                new="p -= self.lr * g * (h ** 0.5 + self.eps) ** -1"),

    # ---- RMSProp ---------------------------------------------------------
    Mistake("rmsprop_decay_swapped", "RMSProp", """\
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g""", """\
        h *= 1 - self.decay_rate
        h += self.decay_rate * g * g""", loses=RMS,
            why="swap decay_rate and 1 - decay_rate in the running average of squared gradients"),
    Mistake("rmsprop_state_reset_every_call", "RMSProp",
            'h = self.state_for(key, p).setdefault("h", np.zeros_like(p))', "h = np.zeros_like(p)",
            loses=RMS,
            why="start the running average h from zero at every step instead of keeping it"),
    Mistake("rmsprop_eps_inside_sqrt", "RMSProp", "(np.sqrt(h) + self.eps)", "np.sqrt(h + self.eps)",
            loses=RMS,
            why="put eps inside the square root instead of adding it to sqrt(h)"),
    Alternative("rmsprop_one_line", "RMSProp", old="""\
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g""", new="""\
        h[...] = self.decay_rate * h + (1 - self.decay_rate) * g ** 2"""),

    # ---- Adam ------------------------------------------------------------
    Mistake("adam_without_bias_correction", "Adam", _ADAM_LR_T, "lr_t = self.lr",
            loses=(ADAM, ADAM_FIRST),
            why="leave out the bias correction, so the first steps are several times lr"),
    Mistake("adam_t_off_by_one", "Adam", _ADAM_LR_T,
            "lr_t = self.lr * np.sqrt(1 - self.beta2 ** (self.t + 1)) / (1 - self.beta1 ** (self.t + 1))",
            loses=(ADAM, ADAM_FIRST),
            why="use t + 1 in the bias correction, one step ahead of the update count"),
    Mistake("adam_state_reset_every_call", "Adam", """\
        m = s.setdefault("m", np.zeros_like(p))
        v = s.setdefault("v", np.zeros_like(p))""", """\
        m = np.zeros_like(p)
        v = np.zeros_like(p)""", loses=ADAM,
            why="start m and v from zero at every step instead of keeping them"),
    Mistake("adam_uses_the_reference", "Adam", source='''\
from helpers import optim as _o


class Adam(_o.Adam):
    """Borrowing the course's Adam: refused by the tests."""
''', loses=(ADAM, ADAM_FIRST),
            why="subclass the course's Adam instead of writing the update yourself"),
    Alternative("adam_m_hat_v_hat", "Adam", old="""\
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        p -= lr_t * m / (np.sqrt(v) + self.eps)""", new="""\
        m_hat = m / (1 - self.beta1 ** self.t)
        v_hat = v / (1 - self.beta2 ** self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)"""),
    Alternative("adam_step_count_per_key", "Adam", source='''\
class Adam(Optimizer):
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def step(self, key, p, g):
        s = self.state_for(key, p)
        if not s:
            s.update(m=np.zeros_like(p), v=np.zeros_like(p), t=0)
        s["t"] += 1
        s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
        s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
        lr_t = self.lr * (1 - self.beta2 ** s["t"]) ** 0.5 / (1 - self.beta1 ** s["t"])
        p -= lr_t * s["m"] / (s["v"] ** 0.5 + self.eps)
'''),

    # ---- the bowl --------------------------------------------------------
    Mistake("bowl_gradient_of_x_wrong", "run_on_bowl", "np.array([x / 10, 2 * y])",
            "np.array([x / 20, 2 * y])", loses=BOWL,
            why="use x / 20 as the gradient of x**2 / 20, not x / 10"),
    Mistake("bowl_path_without_copy", "run_on_bowl", 'path.append(params["xy"].copy())',
            'path.append(params["xy"])', loses=BOWL,
            why="append the position array itself, not a copy, so every row ends up the same"),
    Alternative("bowl_new_dict_every_step", "run_on_bowl", source='''\
def run_on_bowl(optimizer, start=(-7.0, 2.0), num_steps=30):
    xy = np.array(start, dtype=float)
    path = np.zeros((num_steps + 1, 2))
    path[0] = xy
    for t in range(1, num_steps + 1):
        optimizer.update({"xy": xy}, {"xy": np.array([0.1 * xy[0], 2.0 * xy[1]])})
        path[t] = xy
    return path
'''),

    # ---- minibatches -----------------------------------------------------
    Mistake("minibatches_always_drop_last", "minibatches",
            "stop = len(X) - len(X) % batch_size if drop_last else len(X)",
            "stop = len(X) - len(X) % batch_size", loses=(MB, MB_EDGE),
            why="always leave out the last partial batch, also without drop_last"),
    Mistake("minibatches_ignore_drop_last", "minibatches",
            "stop = len(X) - len(X) % batch_size if drop_last else len(X)", "stop = len(X)", loses=(MB, MB_EDGE),
            why="ignore drop_last and always yield the last partial batch"),
    Mistake("minibatches_not_shuffled", "minibatches", "order = rng.permutation(len(X))",
            "order = np.arange(len(X))", loses=(MB, MB_EDGE),
            why="yield the batches in the original order, without shuffling"),
    Mistake("minibatches_global_rng", "minibatches", "order = rng.permutation(len(X))",
            "order = np.random.permutation(len(X))", loses=MB,
            why="shuffle with np.random instead of the rng you are given"),
    Mistake("minibatches_shuffle_x_and_y_apart", "minibatches", "yield X[idx], y[idx]",
            "yield X[idx], y[np.sort(idx)]", loses=(MB, MB_EDGE),
            why="index X and y in different orders, separating examples from their labels"),
    Mistake("minibatches_drop_last_drops_a_full_batch", "minibatches", old=_MB_BODY, new="""\
    order = rng.permutation(len(X))
    batches = [order[s:s + batch_size] for s in range(0, len(X), batch_size)]
    if drop_last:
        batches = batches[:-1]
    for idx in batches:
        yield X[idx], y[idx]""", loses=MB_EDGE,
            why="drop the last batch with drop_last even when it is full"),
    Alternative("minibatches_while_loop", "minibatches", old=_MB_BODY, new="""\
    order = rng.permutation(len(X))
    start = 0
    while start < len(X):
        idx = order[start:start + batch_size]
        if drop_last and len(idx) < batch_size:
            break
        yield X[idx], y[idx]
        start += batch_size"""),

    # ---- step_decay ------------------------------------------------------
    Mistake("step_decay_float_division", "step_decay", "epoch // step_size", "epoch / step_size",
            loses=STEP,
            why="use epoch / step_size instead of the whole number epoch // step_size"),
    Mistake("step_decay_off_by_one", "step_decay", "epoch // step_size", "(epoch + 1) // step_size",
            loses=STEP,
            why="count epochs from 1, so the learning rate drops one epoch too early"),
    Alternative("step_decay_floor", "step_decay", old="return lr * gamma ** (epoch // step_size)",
                new="return lr * gamma ** int(np.floor(epoch / step_size))"),

    # ---- find the bug ----------------------------------------------------
    Mistake("compare_keeps_the_zip", "compare_optimizers", _COMPARE_LOOP, """\
    for (name, net), opt in zip(nets.items(), optimizers.values()):
        solvers[name] = Solver(net, data, optimizer=opt, batch_size=batch_size,""", loses=COMPARE,
            why="zip the networks and the optimizers, two dicts in different orders"),
    Mistake("compare_one_net_for_all", "compare_optimizers",
            "nets = {name: TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=seed) for name in names}",
            "shared = TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=seed)\n"
            "    nets = {name: shared for name in names}", loses=COMPARE,
            why="train one shared network with every optimizer"),
    Alternative("compare_zip_in_the_same_order", "compare_optimizers", old=_COMPARE_LOOP, new="""\
    for (name, net), opt in zip(nets.items(), [optimizers[n] for n in names]):
        solvers[name] = Solver(net, data, optimizer=opt, batch_size=batch_size,"""),
    Alternative("compare_nets_in_the_optimizers_order", "compare_optimizers", source='''\
def compare_optimizers(optimizers, data, num_epochs=10, batch_size=128, seed=0):
    solvers = {}
    for name, opt in optimizers.items():
        net = TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=seed)
        solvers[name] = Solver(net, data, optimizer=opt, batch_size=batch_size, num_epochs=num_epochs,
                               seed=seed, verbose=False, progress=False).train()
    return dict(sorted(solvers.items()))
'''),

    # ---- random search -----------------------------------------------------
    Mistake("random_search_linear_scale", "random_search", _RS_DRAW, """\
        lr = rng.uniform(lr_range[0], lr_range[1])
        reg = rng.uniform(reg_range[0], reg_range[1])""", loses=RS_SAMPLING,
            why="draw lr and reg uniformly on a linear scale instead of a log scale"),
    Mistake("random_search_log_grid", "random_search", source='''\
def random_search(train_and_score, n_trials, lr_range, reg_range, rng):
    lrs = np.logspace(np.log10(lr_range[0]), np.log10(lr_range[1]), n_trials)
    regs = rng.permutation(np.logspace(np.log10(reg_range[0]), np.log10(reg_range[1]), n_trials))
    trials = []
    for lr, reg in zip(lrs, regs):
        scores = train_and_score(lr, reg)
        trials.append({"lr": lr, "reg": reg, "train_acc": scores["train_acc"], "val_acc": scores["val_acc"]})
    return trials, max(trials, key=lambda trial: trial["val_acc"])
''', loses=RS_SAMPLING,
            why="try evenly spaced values on a log grid instead of random draws"),
    Mistake("random_search_one_draw_for_both", "random_search", _RS_DRAW, """\
        u = rng.uniform()
        lr = lr_range[0] * (lr_range[1] / lr_range[0]) ** u
        reg = reg_range[0] * (reg_range[1] / reg_range[0]) ** u""", loses=RS_SAMPLING,
            why="use one random number for both lr and reg, tying them together"),
    Mistake("random_search_global_rng", "random_search", _RS_DRAW, """\
        lr = 10 ** np.random.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** np.random.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))""", loses=RS_SAMPLING,
            why="draw with np.random instead of the rng you are given"),
    Mistake("random_search_best_by_training_accuracy", "random_search", _RS_BEST,
            'best = max(trials, key=lambda trial: trial["train_acc"])', loses=RS_BEST,
            why="pick the best trial by training accuracy instead of validation accuracy"),
    Mistake("random_search_best_is_the_last", "random_search", _RS_BEST, "best = trials[-1]", loses=RS_BEST,
            why="return the last trial as the best instead of the one with the highest val_acc"),
    Mistake("random_search_scores_swapped", "random_search",
            '"train_acc": scores["train_acc"], "val_acc": scores["val_acc"]',
            '"train_acc": scores["val_acc"], "val_acc": scores["train_acc"]', loses=RS_BEST,
            why="store train_acc and val_acc under each other's keys"),
    Mistake("random_search_with_torch", "random_search", _RS_DRAW, """\
        import torch
        lo, hi = torch.tensor(np.log10([lr_range, reg_range])).unbind(1)
        lr, reg = (10 ** (lo + (hi - lo) * torch.tensor(rng.uniform(size=2)))).tolist()""",
            loses=(RS_SAMPLING, RS_BEST),
            why="call PyTorch inside a NumPy exercise"),
    Alternative("random_search_draws_first", "random_search", source='''\
def random_search(train_and_score, n_trials, lr_range, reg_range, rng):
    lrs = np.exp(rng.uniform(np.log(lr_range[0]), np.log(lr_range[1]), size=n_trials))
    regs = np.exp(rng.uniform(np.log(reg_range[0]), np.log(reg_range[1]), size=n_trials))
    trials = [{"lr": float(lr), "reg": float(reg), **train_and_score(lr, reg)} for lr, reg in zip(lrs, regs)]
    best = trials[int(np.argmax([t["val_acc"] for t in trials]))]
    return trials, best
'''),

    # ---- coarse to fine ------------------------------------------------------
    Mistake("coarse_to_fine_lowest_first", "coarse_to_fine", _C2F_LEADERS,
            'leaders = sorted(coarse, key=lambda trial: trial["val_acc"])[:top]', loses=C2F,
            why="take the coarse trials with the lowest validation accuracy as the top ones"),
    Mistake("coarse_to_fine_top_by_training_accuracy", "coarse_to_fine", _C2F_LEADERS,
            'leaders = sorted(coarse, key=lambda trial: trial["train_acc"], reverse=True)[:top]', loses=C2F,
            why="choose the top coarse trials by training accuracy instead of validation accuracy"),
    Mistake("coarse_to_fine_around_the_best", "coarse_to_fine", _C2F_RANGES, """\
    fine_lr_range = (leaders[0]["lr"] / 3, leaders[0]["lr"] * 3)
    fine_reg_range = (leaders[0]["reg"] / 3, leaders[0]["reg"] * 3)""", loses=C2F,
            why="center the fine ranges on the best trial instead of spanning the top trials"),
    Mistake("coarse_to_fine_new_rng", "coarse_to_fine",
            "fine, _ = search(train_and_score, n_fine, fine_lr_range, fine_reg_range, rng)",
            "fine, _ = search(train_and_score, n_fine, fine_lr_range, fine_reg_range, np.random.default_rng(0))",
            loses=C2F,
            why="give the fine round a new rng, which repeats the coarse round's draws"),
    Mistake("coarse_to_fine_best_of_the_fine_round", "coarse_to_fine",
            'best = max(coarse + fine, key=lambda trial: trial["val_acc"])',
            'best = max(fine, key=lambda trial: trial["val_acc"])', loses=C2F,
            why="take the best of the fine round only instead of both rounds"),
    Mistake("coarse_to_fine_with_torch", "coarse_to_fine", _C2F_LEADERS, """import torch
    order = torch.topk(torch.tensor([t["val_acc"] for t in coarse]), top).indices.tolist()
    leaders = [coarse[i] for i in order]""", loses=C2F,
            why="call PyTorch inside a NumPy exercise"),
    Alternative("coarse_to_fine_argsort_and_keywords", "coarse_to_fine", source='''\
def coarse_to_fine(train_and_score, lr_range, reg_range, rng, search, n_coarse=12, n_fine=8, top=3):
    coarse, _ = search(train_and_score=train_and_score, n_trials=n_coarse, lr_range=lr_range,
                       reg_range=reg_range, rng=rng)
    order = np.argsort([-t["val_acc"] for t in coarse], kind="stable")[:top]
    lrs = np.log10([coarse[i]["lr"] for i in order])
    regs = np.log10([coarse[i]["reg"] for i in order])
    fine_lr_range = (10 ** lrs.min(), 10 ** lrs.max())
    fine_reg_range = (10 ** regs.min(), 10 ** regs.max())
    fine, best_fine = search(train_and_score=train_and_score, n_trials=n_fine, lr_range=fine_lr_range,
                             reg_range=fine_reg_range, rng=rng)
    best = coarse[order[0]] if coarse[order[0]]["val_acc"] >= best_fine["val_acc"] else best_fine
    return dict(coarse=coarse, fine=fine, fine_lr_range=fine_lr_range, fine_reg_range=fine_reg_range,
                best=best)
'''),

    # ---- the settings of the search ----------------------------------------
    Mistake("search_settings_small_learning_rates", "search_settings", _SETTINGS,
            'search_settings = {"lr_range": (1e-5, 1e-3), "reg_range": (1e-6, 1e-1), "n_coarse": 12, "n_fine": 8, "top": 3}',
            loses=SETTINGS,
            why="search learning rates far below those that train this net in 84 steps"),
    Mistake("search_settings_over_budget", "search_settings", _SETTINGS,
            'search_settings = {"lr_range": (1e-3, 1.0), "reg_range": (1e-6, 1e-1), "n_coarse": 20, "n_fine": 10, "top": 3}',
            loses=SETTINGS,
            why="plan more trainings than the budget of 20"),
    Mistake("search_settings_range_upside_down", "search_settings", _SETTINGS,
            'search_settings = {"lr_range": (1.0, 1e-3), "reg_range": (1e-6, 1e-1), "n_coarse": 12, "n_fine": 8, "top": 3}',
            loses=SETTINGS,
            why="write a range as (high, low) instead of (low, high)"),
    Alternative("search_settings_narrower", "search_settings", old=_SETTINGS,
                new='search_settings = dict(lr_range=[0.03, 0.6], reg_range=[1e-6, 1e-3], n_coarse=10, n_fine=10, top=4)'),

    # ---- the update-to-weight ratio -----------------------------------------
    Mistake("update_ratio_of_mean_sizes", "update_ratio", _RATIO_LINE,
            "ratios[key] = float(np.mean(np.abs(params_after[key] - before)) / np.mean(np.abs(before)))",
            loses=(RATIO, RATIO_SHAPES),
            why="divide mean absolute values instead of Frobenius norms"),
    Mistake("update_ratio_upside_down", "update_ratio", _RATIO_LINE,
            "ratios[key] = float(np.linalg.norm(before) / np.linalg.norm(params_after[key] - before))",
            loses=(RATIO, RATIO_SHAPES),
            why="divide the weights' norm by the update's instead of the other way round"),
    Mistake("update_ratio_biases_too", "update_ratio", 'if key.startswith("W"):', "if True:",
            loses=(RATIO, RATIO_SHAPES),
            why="compute a ratio for the biases too, not only for the weight matrices"),
    Mistake("update_ratio_matrix_2_norm", "update_ratio", _RATIO_LINE,
            "ratios[key] = float(np.linalg.norm(params_after[key] - before, 2) / np.linalg.norm(before, 2))",
            loses=RATIO_SHAPES,
            why="use the matrix 2-norm instead of the Frobenius norm of the whole array"),
    Mistake("update_ratio_with_torch", "update_ratio", _RATIO_LINE, """import torch
            ratios[key] = float(torch.linalg.vector_norm(torch.from_numpy(params_after[key] - before))
                                / torch.linalg.vector_norm(torch.from_numpy(before)))""",
            loses=(RATIO, RATIO_SHAPES),
            why="call PyTorch inside a NumPy exercise"),
    Alternative("update_ratio_rms_after_and_ndim", "update_ratio", source='''\
def update_ratio(params_before, params_after):
    out = {}
    for key in params_before:
        w_old, w_new = np.asarray(params_before[key], float), np.asarray(params_after[key], float)
        if w_old.ndim >= 2:
            out[key] = np.sqrt(np.mean((w_new - w_old) ** 2)) / np.sqrt(np.mean(w_new ** 2))
    return out
'''),

    # ---- reading curves ------------------------------------------------------
    Mistake("diagnosis_high_lr_and_dead_swapped", "diagnosis", _DIAG,
            'diagnosis = {"A": "dead_network", "B": "overfitting", "C": "lr_too_low", "D": "lr_too_high"}',
            loses=DIAG,
            why="take the noisy plateau of a too high learning rate for a dead network"),
    Mistake("diagnosis_low_lr_and_overfitting_swapped", "diagnosis", _DIAG,
            'diagnosis = {"A": "lr_too_high", "B": "lr_too_low", "C": "overfitting", "D": "dead_network"}',
            loses=DIAG,
            why="take overfitting's gap between training and validation for a too low learning rate"),
    Mistake("diagnosis_in_own_words", "diagnosis", _DIAG,
            'diagnosis = {"A": "learning rate too high", "B": "overfitting", "C": "lr_too_low", "D": "dead"}',
            loses=DIAG,
            why="write the labels in your own words instead of the exact names given"),
    Alternative("diagnosis_built_with_dict", "diagnosis", old=_DIAG,
                new='diagnosis = dict(D="dead_network", C="lr_too_low", B="overfitting", A="lr_too_high")'),
]

DEMO_MISTAKE = "adam_without_bias_correction"
