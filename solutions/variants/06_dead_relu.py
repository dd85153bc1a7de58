"""Typical mistakes and alternative answers for notebook 06 (dead ReLUs).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

FWD = "test_leaky_relu_forward"
FWD_ALPHA = "test_leaky_relu_forward_alpha"
BWD = "test_leaky_relu_backward"
BWD_ALPHA = "test_leaky_relu_backward_alpha"
DEAD = "test_dead_fraction"
DEAD_EDGE = "test_dead_fraction_edge"
TRAIN = "test_train_tracking_dead"
TRAIN_LAYERS = "test_train_tracking_dead_layers"
PFWD = "test_prelu_forward"
PBWD, PBWD_SHARED = "test_prelu_backward", "test_prelu_backward_shared"
CHOOSE, CHOOSE_EDGE, CHOOSE_REAL = "test_choose_setting", "test_choose_setting_edge", "test_choose_setting_real"

_FWD = "out = np.where(x > 0, x, alpha * x)"
_BWD = "dx = dout * np.where(x > 0, 1.0, alpha)"
_DEAD = "return float(np.mean(np.all(h <= 0, axis=0)))"
_UPDATE = "net.params[k] -= lr * grads[k]"
_MEASURE = """        net.loss(X)
        history.append([layers.dead_fraction(h) for h in net.activations])"""
_PFWD = "out = np.where(x > 0, x, alpha * x)"
_DALPHA = "dalpha = np.sum(dout * np.where(x > 0, 0.0, x), axis=0)"
_ALLOWED = 'if max(result["dead"]) <= max_dead and result["val_acc"] > best_acc:'

VARIANTS = [
    # ---- Leaky ReLU forward ------------------------------------------------
    Mistake("leaky_forward_relu_plus_alpha", "leaky_relu_forward",
            _FWD, "out = np.maximum(0, x) + alpha", loses=(FWD, FWD_ALPHA),
            why="add alpha to ReLU's output instead of multiplying the negative inputs by alpha"),
    Mistake("leaky_forward_plain_relu", "leaky_relu_forward",
            _FWD, "out = np.maximum(0, x)", loses=(FWD, FWD_ALPHA),
            why="forget the negative slope: plain ReLU sets the negative inputs to 0"),
    Mistake("leaky_forward_in_place", "leaky_relu_forward",
            _FWD, "x[x < 0] *= alpha\n    out = x", loses=FWD,
            why="scale the negative entries of x in place, changing the caller's array"),
    # Right for the default slope only: the visible test passes, the hidden one does not.
    Mistake("leaky_forward_ignores_alpha", "leaky_relu_forward",
            _FWD, "out = np.where(x > 0, x, 0.01 * x)", loses=FWD_ALPHA,
            why="hard-code the slope 0.01 instead of using the argument alpha"),
    Mistake("leaky_forward_calls_reference", "leaky_relu_forward",
            _FWD, "out = layers.leaky_relu_forward(x, alpha)[0]", loses=(FWD, FWD_ALPHA),
            why="call the course's reference Leaky ReLU instead of writing your own"),
    Alternative("leaky_forward_maximum", "leaky_relu_forward",
                old=_FWD, new="out = np.maximum(x, alpha * x)"),
    Alternative("leaky_forward_boolean_mask", "leaky_relu_forward", old=_FWD, new="""\
out = x.copy()
    out[x <= 0] *= alpha"""),
    Alternative("leaky_forward_where_le", "leaky_relu_forward",
                old=_FWD, new="out = np.where(x <= 0, alpha * x, x)"),
    Alternative("leaky_forward_relu_plus_negative_part", "leaky_relu_forward",
                old=_FWD, new="out = np.maximum(x, 0) + alpha * np.minimum(x, 0)"),

    # ---- Leaky ReLU backward -----------------------------------------------
    Mistake("leaky_backward_alpha_times_x", "leaky_relu_backward",
            _BWD, "dx = dout * np.where(x > 0, 1.0, alpha * x)", loses=(BWD, BWD_ALPHA),
            why="use alpha * x as the local slope where x <= 0, not the constant alpha"),
    Mistake("leaky_backward_forgets_negative_slope", "leaky_relu_backward",
            _BWD, "dx = dout * (x > 0)", loses=(BWD, BWD_ALPHA),
            why="pass no gradient where x <= 0, as ReLU does, forgetting the slope alpha"),
    Mistake("leaky_backward_mask_on_dout", "leaky_relu_backward",
            _BWD, "dx = dout * np.where(dout > 0, 1.0, alpha)", loses=(BWD, BWD_ALPHA),
            why="choose the local slope by the sign of dout instead of the sign of x"),
    Mistake("leaky_backward_returns_forward", "leaky_relu_backward",
            _BWD, "dx = np.where(x > 0, x, alpha * x)", loses=(BWD, BWD_ALPHA),
            why="return the forward output instead of dout times the local slope"),
    Mistake("leaky_backward_fixed_slope", "leaky_relu_backward",
            _BWD, "dx = dout * np.where(x > 0, 1.0, 0.01)", loses=BWD_ALPHA,
            why="hard-code the slope 0.01 instead of the alpha stored in the cache"),
    Alternative("leaky_backward_boolean_mask", "leaky_relu_backward", old=_BWD, new="""\
dx = dout.copy()
    dx[x <= 0] *= alpha"""),
    Alternative("leaky_backward_where_dout", "leaky_relu_backward",
                old=_BWD, new="dx = np.where(x > 0, dout, alpha * dout)"),
    Alternative("leaky_backward_arithmetic_mask", "leaky_relu_backward",
                old=_BWD, new="dx = dout * ((x > 0) + alpha * (x <= 0))"),

    # ---- PReLU forward --------------------------------------------------------
    Mistake("prelu_forward_slope_per_sample", "prelu_forward", _PFWD,
            "out = np.where(x > 0, x, alpha[:, None] * x)", loses=PFWD,
            why="apply one slope per sample (row) instead of one per unit (column)"),
    Mistake("prelu_forward_plus_alpha", "prelu_forward", _PFWD, "out = np.maximum(x, 0) + alpha", loses=PFWD,
            why="add the slope to ReLU's output instead of multiplying the negative inputs by it"),
    Mistake("prelu_forward_in_place", "prelu_forward", _PFWD, "x[x <= 0] *= np.broadcast_to(alpha, x.shape)[x <= 0]\n"
            "    out = x", loses=PFWD,
            why="scale the negative entries of x in place, changing the caller's array"),
    Mistake("prelu_forward_torch", "prelu_forward", _PFWD,
            "out = F.prelu(torch.tensor(x), torch.tensor(alpha)).numpy()", loses=PFWD,
            why="call PyTorch's F.prelu inside a NumPy exercise"),
    Alternative("prelu_forward_max_min", "prelu_forward", old=_PFWD,
                new="out = np.maximum(x, 0) + alpha * np.minimum(x, 0)"),

    # ---- PReLU backward -------------------------------------------------------
    Mistake("prelu_dalpha_per_sample", "prelu_backward", _DALPHA,
            "dalpha = dout * np.where(x > 0, 0.0, x)", loses=(PBWD, PBWD_SHARED),
            why="keep one slope gradient per sample instead of summing over the batch"),
    Mistake("prelu_dalpha_sum_of_dout", "prelu_backward", _DALPHA,
            "dalpha = np.sum(dout * (x <= 0), axis=0)", loses=(PBWD, PBWD_SHARED),
            why="sum dout where x <= 0 but forget to multiply it by x"),
    Mistake("prelu_dalpha_every_entry", "prelu_backward", _DALPHA,
            "dalpha = np.sum(dout * x, axis=0)", loses=(PBWD, PBWD_SHARED),
            why="sum dout * x over every entry, also where x > 0 and the slope never acted"),
    Mistake("prelu_dalpha_summed_over_units", "prelu_backward", _DALPHA,
            "dalpha = np.sum(dout * np.where(x > 0, 0.0, x), axis=1)", loses=(PBWD, PBWD_SHARED),
            why="sum the slope gradient over the units (axis 1) instead of over the batch (axis 0)"),
    Mistake("prelu_dx_forgets_the_slope", "prelu_backward", "dx = dout * np.where(x > 0, 1.0, alpha)",
            "dx = dout * (x > 0)", loses=(PBWD, PBWD_SHARED),
            why="pass no gradient to x where x <= 0, forgetting the slope alpha"),
    # One slope per unit is right; a shared slope needs one number: only the hidden test has it.
    Mistake("prelu_shared_slope_per_unit", "prelu_backward", """    if alpha.shape == (1,):
        dalpha = np.array([dalpha.sum()])
""", "", loses=PBWD_SHARED, why="return one gradient per unit for a slope shared by the whole layer"),
    Mistake("prelu_backward_autograd", "prelu_backward", source='''\
def prelu_backward(dout, cache):
    x, alpha = cache
    xt = torch.tensor(x, requires_grad=True)
    at = torch.tensor(alpha, requires_grad=True)
    F.prelu(xt, at).backward(torch.tensor(dout))
    return xt.grad.numpy(), at.grad.numpy()
''', loses=(PBWD, PBWD_SHARED), why="compute the gradients with PyTorch's autograd inside a NumPy exercise"),
    Alternative("prelu_backward_sum_to_shape", "prelu_backward", source='''\
def prelu_backward(dout, cache):
    x, alpha = cache
    negative = x <= 0
    dx = np.where(negative, alpha * dout, dout)
    per_entry = np.where(negative, x * dout, 0.0)
    if alpha.size == 1:
        return dx, per_entry.sum(keepdims=True).reshape(alpha.shape)
    return dx, per_entry.sum(axis=0)
'''),

    # ---- dead fraction -------------------------------------------------------
    Mistake("dead_fraction_of_zero_entries", "dead_fraction",
            _DEAD, "return float(np.mean(h <= 0))", loses=(DEAD, DEAD_EDGE),
            why="count the zero entries instead of the units that are zero on every sample"),
    Mistake("dead_fraction_of_samples_with_a_dead_unit", "dead_fraction",
            _DEAD, "return float(np.mean(np.any(h <= 0, axis=1)))", loses=(DEAD, DEAD_EDGE),
            why="count the samples with some zero output instead of the units that never fire"),
    Mistake("dead_fraction_wrong_axis", "dead_fraction",
            _DEAD, "return float(np.mean(np.all(h <= 0, axis=1)))", loses=(DEAD, DEAD_EDGE),
            why="look along the units (axis 1) instead of along the samples (axis 0)"),
    Mistake("dead_fraction_count_not_fraction", "dead_fraction",
            _DEAD, "return float(np.sum(np.all(h <= 0, axis=0)))", loses=(DEAD, DEAD_EDGE),
            why="return the number of dead units instead of their fraction"),
    # "Exactly 0" is the same as "<= 0" for ReLU outputs (never negative),
    # which is what the tests use: documented in the notebook, full marks.
    Alternative("dead_means_exactly_zero", "dead_fraction",
                old=_DEAD, new="return float(np.mean(np.all(h == 0, axis=0)))"),
    Alternative("dead_fraction_column_max", "dead_fraction",
                old=_DEAD, new="return float((h.max(axis=0) <= 0).mean())"),
    Alternative("dead_fraction_no_positive_entry", "dead_fraction",
                old=_DEAD, new="return float(np.mean(~np.any(h > 0, axis=0)))"),
    Alternative("dead_fraction_loop_over_units", "dead_fraction", source='''\
def dead_fraction(h):
    dead = 0
    for j in range(h.shape[1]):
        if np.all(h[:, j] <= 0):
            dead += 1
    return dead / h.shape[1]
'''),

    # ---- training that tracks dead units ------------------------------------
    Mistake("sgd_step_uphill", "train_tracking_dead",
            _UPDATE, "net.params[k] += lr * grads[k]", loses=(TRAIN, TRAIN_LAYERS),
            why="add lr * grads instead of subtracting it: a step uphill"),
    Mistake("dead_fraction_of_last_minibatch", "train_tracking_dead",
            _MEASURE, """        net.loss(X_batch)
        history.append([layers.dead_fraction(h) for h in net.activations])""",
            loses=(TRAIN, TRAIN_LAYERS),
            why="measure the dead fraction on the last minibatch instead of the whole training set"),
    Mistake("history_of_first_layer_only", "train_tracking_dead",
            _MEASURE, """        net.loss(X)
        history.append([layers.dead_fraction(net.activations[0])])""", loses=TRAIN_LAYERS,
            why="record the dead fraction of the first hidden layer only"),
    # Every entry is the same list, which ends up holding the last epoch's numbers.
    Mistake("history_entries_alias_one_list", "train_tracking_dead", _MEASURE, """        net.loss(X)
        fractions = history[0] if history else []
        fractions[:] = [layers.dead_fraction(h) for h in net.activations]
        history.append(fractions)""", loses=TRAIN,
            why="append the same list every epoch, so that every entry shows the last epoch"),
    Mistake("weights_updated_biases_not", "train_tracking_dead", "for k in net.params:",
            "for k in [k for k in net.params if k.startswith('W')]:", loses=(TRAIN, TRAIN_LAYERS),
            why="update the weights but not the biases"),
    Mistake("sgd_with_momentum", "train_tracking_dead", source='''\
from helpers import layers
from helpers.optim import minibatches


def train_tracking_dead(net, X, y, lr, num_epochs=3, batch_size=50, seed=0):
    rng = np.random.default_rng(seed)
    history = []
    velocity = {k: np.zeros_like(v) for k, v in net.params.items()}
    for _ in range(num_epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng=rng):
            _, grads = net.loss(X_batch, y_batch)
            for k in net.params:
                velocity[k] = 0.9 * velocity[k] - lr * grads[k]
                net.params[k] += velocity[k]
        net.loss(X)
        history.append([layers.dead_fraction(h) for h in net.activations])
    return history
''', loses=(TRAIN, TRAIN_LAYERS), why="train with momentum where plain SGD is asked"),
    Mistake("measured_before_the_epoch", "train_tracking_dead", """    for _ in range(num_epochs):
        for X_batch""", """    for _ in range(num_epochs):
        net.loss(X)
        history.append([layers.dead_fraction(h) for h in net.activations])
        for X_batch""", loses=(TRAIN, TRAIN_LAYERS),
            why="measure the dead fraction before each epoch's updates instead of after them"),
    Mistake("drops_the_last_batch", "train_tracking_dead", "minibatches(X, y, batch_size, rng=rng)",
            "minibatches(X, y, batch_size, rng=rng, drop_last=True)", loses=(TRAIN, TRAIN_LAYERS),
            why="drop the last, smaller minibatch of each epoch"),
    Alternative("train_with_sgd_optimizer", "train_tracking_dead", old="""            for k in net.params:
                net.params[k] -= lr * grads[k]""",
                new="""            SGD(lr=lr).update(net.params, grads)"""),
    Alternative("train_with_own_dead_fraction", "train_tracking_dead",
                old="layers.dead_fraction(h)", new="float(np.mean(np.all(h == 0, axis=0)))"),
    Alternative("train_with_index_batches", "train_tracking_dead", old="""        for X_batch, y_batch in minibatches(X, y, batch_size, rng=rng):
            _, grads = net.loss(X_batch, y_batch)""",
                new="""        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            _, grads = net.loss(X[idx], y[idx])"""),

    # ---- choosing a setting ------------------------------------------------------
    # On the real remedies the best accuracy is also allowed: only the scripted tests see these.
    Mistake("choose_ignores_dead_units", "choose_setting", _ALLOWED,
            'if result["val_acc"] > best_acc:', loses=(CHOOSE, CHOOSE_EDGE),
            why="choose by validation accuracy alone, ignoring the dead-unit limit"),
    Mistake("choose_first_layer_only", "choose_setting", _ALLOWED,
            'if result["dead"][0] <= max_dead and result["val_acc"] > best_acc:', loses=CHOOSE,
            why="apply the dead-unit limit to the first hidden layer only"),
    Mistake("choose_mean_over_layers", "choose_setting", _ALLOWED,
            'if np.mean(result["dead"]) <= max_dead and result["val_acc"] > best_acc:', loses=CHOOSE,
            why="apply the dead-unit limit to the mean over the layers instead of to every layer"),
    Mistake("choose_strictly_below_the_limit", "choose_setting", _ALLOWED,
            'if max(result["dead"]) < max_dead and result["val_acc"] > best_acc:', loses=CHOOSE,
            why="require strictly less than max_dead where exactly max_dead is allowed"),
    Mistake("choose_last_of_equal_ones", "choose_setting", _ALLOWED,
            'if max(result["dead"]) <= max_dead and result["val_acc"] >= best_acc:', loses=CHOOSE,
            why="break a tie in favour of the later setting instead of the first"),
    Mistake("choose_by_training_accuracy", "choose_setting", source='''\
def choose_setting(train, settings, max_dead=0.10):
    best, best_acc = None, -1.0
    for i, setting in enumerate(settings):
        result = train(setting)
        score = result.get("train_acc", result["val_acc"])
        if max(result["dead"]) <= max_dead and score > best_acc:
            best, best_acc = i, score
    return best
''', loses=CHOOSE, why="choose by training accuracy instead of validation accuracy"),
    Mistake("choose_starts_from_accuracy_0", "choose_setting", "best, best_acc = None, -1.0",
            "best, best_acc = None, 0.0", loses=CHOOSE_EDGE,
            why="start from a best accuracy of 0, so a setting with accuracy 0 is never chosen"),
    Mistake("choose_fixed_limit", "choose_setting", _ALLOWED,
            'if max(result["dead"]) <= 0.10 and result["val_acc"] > best_acc:', loses=CHOOSE_EDGE,
            why="hard-code the 10% limit instead of using the argument max_dead"),
    Mistake("choose_returns_the_setting", "choose_setting", "    return best", """    if best is not None:
        best = settings[best]
    return best""", loses=(CHOOSE, CHOOSE_EDGE, CHOOSE_REAL),
            why="return the chosen setting itself instead of its index"),
    Mistake("choose_with_torch", "choose_setting", source='''\
def choose_setting(train, settings, max_dead=0.10):
    results = [train(s) for s in settings]
    acc = torch.tensor([r["val_acc"] if max(r["dead"]) <= max_dead else -1.0 for r in results])
    return int(torch.argmax(acc)) if float(acc.max()) >= 0 else None
''', loses=(CHOOSE, CHOOSE_EDGE, CHOOSE_REAL), why="pick the best with torch.argmax inside a NumPy exercise"),
    Alternative("choose_filter_then_max", "choose_setting", source='''\
def choose_setting(train, settings, max_dead=0.10):
    results = [train(setting) for setting in settings]
    allowed = [i for i, r in enumerate(results) if all(d <= max_dead for d in r["dead"])]
    if not allowed:
        return None
    return max(allowed, key=lambda i: results[i]["val_acc"])
'''),
    Alternative("choose_masked_argmax", "choose_setting", source='''\
def choose_setting(train, settings, max_dead=0.10):
    results = [train(setting) for setting in settings]
    scores = np.array([r["val_acc"] if np.max(r["dead"]) <= max_dead else -np.inf for r in results])
    return int(np.argmax(scores)) if np.isfinite(scores).any() else None
'''),
]

DEMO_MISTAKE = "dead_fraction_of_zero_entries"
