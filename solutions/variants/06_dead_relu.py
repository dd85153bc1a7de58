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
FIX = "test_fix_dead_units"

_FWD = "out = np.where(x > 0, x, alpha * x)"
_BWD = "dx = dout * np.where(x > 0, 1.0, alpha)"
_DEAD = "return float(np.mean(np.all(h <= 0, axis=0)))"
_UPDATE = "net.params[k] -= lr * grads[k]"
_MEASURE = """        net.loss(X)
        history.append([layers.dead_fraction(h) for h in net.activations])"""

VARIANTS = [
    # ---- Leaky ReLU forward ------------------------------------------------
    Mistake("leaky_forward_relu_plus_alpha", "leaky_relu_forward",
            _FWD, "out = np.maximum(0, x) + alpha", loses=(FWD, FWD_ALPHA)),
    Mistake("leaky_forward_plain_relu", "leaky_relu_forward",
            _FWD, "out = np.maximum(0, x)", loses=(FWD, FWD_ALPHA)),
    Mistake("leaky_forward_in_place", "leaky_relu_forward",
            _FWD, "x[x < 0] *= alpha\n    out = x", loses=FWD),
    # Right for the default slope only: the visible test passes, the hidden one does not.
    Mistake("leaky_forward_ignores_alpha", "leaky_relu_forward",
            _FWD, "out = np.where(x > 0, x, 0.01 * x)", loses=FWD_ALPHA),
    Mistake("leaky_forward_calls_reference", "leaky_relu_forward",
            _FWD, "out = layers.leaky_relu_forward(x, alpha)[0]", loses=(FWD, FWD_ALPHA)),
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
            _BWD, "dx = dout * np.where(x > 0, 1.0, alpha * x)", loses=(BWD, BWD_ALPHA)),
    Mistake("leaky_backward_forgets_negative_slope", "leaky_relu_backward",
            _BWD, "dx = dout * (x > 0)", loses=(BWD, BWD_ALPHA)),
    Mistake("leaky_backward_mask_on_dout", "leaky_relu_backward",
            _BWD, "dx = dout * np.where(dout > 0, 1.0, alpha)", loses=(BWD, BWD_ALPHA)),
    Mistake("leaky_backward_returns_forward", "leaky_relu_backward",
            _BWD, "dx = np.where(x > 0, x, alpha * x)", loses=(BWD, BWD_ALPHA)),
    Mistake("leaky_backward_fixed_slope", "leaky_relu_backward",
            _BWD, "dx = dout * np.where(x > 0, 1.0, 0.01)", loses=BWD_ALPHA),
    Alternative("leaky_backward_boolean_mask", "leaky_relu_backward", old=_BWD, new="""\
dx = dout.copy()
    dx[x <= 0] *= alpha"""),
    Alternative("leaky_backward_where_dout", "leaky_relu_backward",
                old=_BWD, new="dx = np.where(x > 0, dout, alpha * dout)"),
    Alternative("leaky_backward_arithmetic_mask", "leaky_relu_backward",
                old=_BWD, new="dx = dout * ((x > 0) + alpha * (x <= 0))"),

    # ---- dead fraction -------------------------------------------------------
    Mistake("dead_fraction_of_zero_entries", "dead_fraction",
            _DEAD, "return float(np.mean(h <= 0))", loses=(DEAD, DEAD_EDGE)),
    Mistake("dead_fraction_of_samples_with_a_dead_unit", "dead_fraction",
            _DEAD, "return float(np.mean(np.any(h <= 0, axis=1)))", loses=(DEAD, DEAD_EDGE)),
    Mistake("dead_fraction_wrong_axis", "dead_fraction",
            _DEAD, "return float(np.mean(np.all(h <= 0, axis=1)))", loses=(DEAD, DEAD_EDGE)),
    Mistake("dead_fraction_count_not_fraction", "dead_fraction",
            _DEAD, "return float(np.sum(np.all(h <= 0, axis=0)))", loses=(DEAD, DEAD_EDGE)),
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
            _UPDATE, "net.params[k] += lr * grads[k]", loses=(TRAIN, TRAIN_LAYERS)),
    Mistake("dead_fraction_of_last_minibatch", "train_tracking_dead",
            _MEASURE, """        net.loss(X_batch)
        history.append([layers.dead_fraction(h) for h in net.activations])""",
            loses=(TRAIN, TRAIN_LAYERS)),
    Mistake("history_of_first_layer_only", "train_tracking_dead",
            _MEASURE, """        net.loss(X)
        history.append([layers.dead_fraction(net.activations[0])])""", loses=TRAIN_LAYERS),
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

    # ---- the fix ---------------------------------------------------------------
    Mistake("fix_keeps_the_large_learning_rate", "fix_dead_units",
            '"lr": 0.3', '"lr": 1.0', loses=FIX),
    Mistake("fix_leaky_relu_alone_at_large_lr", "fix_dead_units",
            '"lr": 0.3, "activation": "relu"', '"lr": 1.0, "activation": "leaky_relu"', loses=FIX),
    Mistake("fix_tiny_init", "fix_dead_units",
            '"weight_init": "he_normal"', '"weight_init": 0.01', loses=FIX),
    Alternative("fix_elu", "fix_dead_units",
                old='"activation": "relu"', new='"activation": "elu"'),
    Alternative("fix_positive_bias", "fix_dead_units",
                old='"bias_init": 0.0', new='"bias_init": 0.1'),
    Alternative("fix_leaky_relu_moderate_lr", "fix_dead_units",
                old='"lr": 0.3, "activation": "relu"', new='"lr": 0.5, "activation": "leaky_relu"'),
]

DEMO_MISTAKE = "dead_fraction_of_zero_entries"
