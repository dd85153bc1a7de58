"""Typical mistakes and alternative answers for notebook 03 (backpropagation).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

CIRCUIT = "test_circuit_forward_backward"
CIRCUIT_MORE = "test_circuit_forward_backward_other_points"
NEURON = "test_sigmoid_neuron"
NEURON_MORE = "test_sigmoid_neuron_random"
STAGED = "test_staged_backward"
STAGED_MORE = "test_staged_backward_other_points"
AFFINE_FWD = "test_affine_forward"
AFFINE_FWD_SHAPES = "test_affine_forward_shapes"
AFFINE_BWD = "test_affine_backward"
AFFINE_BWD_MORE = "test_affine_backward_more"
AFFINE_BWD_LOOPS = "test_affine_backward_no_loops"
RELU_FWD = "test_relu_forward"
RELU_BWD = "test_relu_backward"
SIGMOID_FWD = "test_sigmoid_forward"
SIGMOID_LARGE = "test_sigmoid_forward_large"
SIGMOID_BWD = "test_sigmoid_backward"
TANH_BWD = "test_tanh_backward"
SOFTMAX = "test_softmax_loss"
SOFTMAX_SHAPES = "test_softmax_loss_shapes"
SOFTMAX_STABLE = "test_softmax_loss_stable"
BCE = "test_sigmoid_bce_loss"
BCE_STABLE = "test_sigmoid_bce_loss_stable"
NET_INIT = "test_TwoLayerNet_init"
NET_SCORES = "test_TwoLayerNet_scores"
NET_LOSS = "test_TwoLayerNet_loss"
NET_LOSS_NUM = "test_TwoLayerNet_loss_numerical"
NET_REG = "test_TwoLayerNet_reg"
COUNT = "test_count_parameters"
COUNT_TUPLE = "test_count_parameters_tuple"
OVERFIT = "test_overfit_small_subset"
TUNE = "test_train_best_net"
# The training exercises train the student's own TwoLayerNet: a loss that
# does not run (or runs the blocked reference) fails them too.
TRAINING = (OVERFIT, TUNE)

_SIGMOID = "out = 1.0 / (1.0 + np.exp(-x))"
_BCE_LOSS = """softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # log(1 + e^x)
    loss = np.mean(softplus - y * x)"""
_LOSS_START = """        p = self.params
        a1, fc1_cache = layers.affine_forward(X, p["W1"], p["b1"])
"""
_REG_GRADIENT = """        grads["W2"] += 2 * self.reg * p["W2"]
        grads["W1"] += 2 * self.reg * p["W1"]
"""

VARIANTS = [
    # ---- the circuit ----------------------------------------------------
    Mistake("max_gate_feeds_both_inputs", "circuit_forward_backward",
            "dz = db if z > w else 0.0  # the max gate routes to the larger input\n"
            "    dw = db if w > z else 0.0",
            "dz = db\n    dw = db", loses=(CIRCUIT, CIRCUIT_MORE),
            why="let the max gate pass its gradient to both inputs, not only the larger one"),
    # Passes the worked example (z > w) and loses only the hidden points with w > z.
    Mistake("max_gate_always_routes_to_z", "circuit_forward_backward",
            "dz = db if z > w else 0.0  # the max gate routes to the larger input\n"
            "    dw = db if w > z else 0.0",
            "dz = db\n    dw = 0.0", loses=CIRCUIT_MORE,
            why="always send the max gate's gradient to z, even when w is the larger input"),
    Alternative("circuit_with_if", "circuit_forward_backward", source='''\
def circuit_forward_backward(x, y, z, w):
    f = 2 * (x * y + (z if z > w else w))
    dx, dy = 2 * y, 2 * x
    dz, dw = (2.0, 0.0) if z > w else (0.0, 2.0)
    return f, (dx, dy, dz, dw)
'''),

    # ---- the sigmoid neuron ----------------------------------------------
    Mistake("neuron_uses_f_as_local_gradient", "sigmoid_neuron",
            "ds = (1 - f) * f", "ds = f", loses=(NEURON, NEURON_MORE),
            why="use the sigmoid's output f as its local gradient, not (1 - f) * f"),
    Mistake("neuron_forgets_bias_gradient", "sigmoid_neuron",
            "dw = np.array([x[0] * ds, x[1] * ds, ds])", "dw = np.array([x[0] * ds, x[1] * ds, 0.0])",
            loses=(NEURON, NEURON_MORE),
            why="forget the gradient of the bias w2, which is the local gradient times 1"),

    # ---- staged computation ----------------------------------------------
    Mistake("accumulate_with_equals", "staged_backward",
            "dx += dnum", "dx = dnum", loses=(STAGED, STAGED_MORE),
            why="overwrite a gradient with = where its variable is used again, instead of adding"),
    Alternative("staged_sum_in_one_line", "staged_backward",
                old="""    dx = ds                                 # (4) first use of x and y
    dy = ds
    dx += (1 - sig_x) * sig_x * dsig_x      # (3) second use of x
    dx += dnum                              # (2) third use of x
    dsig_y = dnum
    dy += (1 - sig_y) * sig_y * dsig_y      # (1) second use of y""",
                new="""    dx = ds + (1 - sig_x) * sig_x * dsig_x + dnum
    dy = ds + (1 - sig_y) * sig_y * dnum"""),

    # ---- affine layer ----------------------------------------------------
    Mistake("affine_forward_without_reshape", "affine_forward",
            "out = x.reshape(x.shape[0], -1) @ w + b", "out = x @ w + b",
            loses=(AFFINE_FWD, AFFINE_FWD_SHAPES),
            why="multiply x by w without flattening each sample into one row first"),
    # Right for the visible 3-D input only.
    Mistake("affine_forward_reshape_for_3d_only", "affine_forward",
            "out = x.reshape(x.shape[0], -1) @ w + b",
            "out = x.reshape(x.shape[0], x.shape[1] * x.shape[2]) @ w + b", loses=AFFINE_FWD_SHAPES,
            why="flatten x as if it always had three dimensions"),
    # Ways around the reference guard.
    Mistake("affine_forward_unwraps_reference", "affine_forward",
            "out = x.reshape(x.shape[0], -1) @ w + b",
            "out = layers.affine_forward.__wrapped__(x, w, b)[0]", loses=(AFFINE_FWD, AFFINE_FWD_SHAPES),
            why="dig the course's affine_forward out of its wrapper instead of writing it"),
    Mistake("affine_forward_private_helper_calls_reference", "affine_forward", source='''\
def _affine(x, w, b):
    from helpers import layers
    return layers.affine_forward(x, w, b)[0]


def affine_forward(x, w, b):
    out = _affine(x, w, b)
    cache = (x, w, b)
    return out, cache
''', loses=(AFFINE_FWD, AFFINE_FWD_SHAPES),
            why="call the course's affine_forward from a helper function of your own"),
    Mistake("transposed_weight_gradient", "affine_backward",
            "dw = x.reshape(N, -1).T @ dout", "dw = dout.T @ x.reshape(N, -1)",
            loses=(AFFINE_BWD, AFFINE_BWD_MORE, AFFINE_BWD_LOOPS),
            why="compute dw as dout.T @ x, the transpose of the weight gradient"),
    Mistake("bias_gradient_not_summed", "affine_backward",
            "db = dout.sum(axis=0)", "db = dout.mean(axis=0)", loses=(AFFINE_BWD, AFFINE_BWD_MORE, AFFINE_BWD_LOOPS),
            why="average dout over the batch for db instead of summing it"),
    # Switching the checks off in the answer cell changes nothing: the tests import them afresh.
    Mistake("bias_gradient_wrong_and_checks_switched_off", "affine_backward",
            old="    return dx, dw, db",
            new="    return dx, dw, db * 2\n\n\ncheck_close = check_true = check_shape = "
                "lambda *a, **k: None",
            loses=(AFFINE_BWD, AFFINE_BWD_MORE, AFFINE_BWD_LOOPS),
            why="switch off the checks from an answer cell"),
    Mistake("bias_gradient_wrong_and_checks_module_patched", "affine_backward",
            old="    return dx, dw, db",
            new="    return dx, dw, db * 2\n\n\nimport helpers.checks\n"
                "helpers.checks.check_close = lambda *a, **k: None",
            loses=(AFFINE_BWD, AFFINE_BWD_MORE, AFFINE_BWD_LOOPS),
            why="patch the checks module from an answer cell"),
    # NumPy means NumPy: autograd does the work, and the tests refuse it.
    Mistake("affine_backward_by_autograd", "affine_backward", source='''\
def affine_backward(dout, cache):
    x, w, b = (torch.tensor(a, requires_grad=True) for a in cache)
    out = x.reshape(x.shape[0], -1) @ w + b
    out.backward(torch.tensor(dout))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
''', loses=(AFFINE_BWD, AFFINE_BWD_MORE, AFFINE_BWD_LOOPS),
            why="call PyTorch's autograd inside a NumPy exercise"),
    Mistake("affine_backward_loops_over_examples", "affine_backward", source='''\
def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    x2 = x.reshape(N, -1)
    dx = np.zeros(x2.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(b.shape)
    for i in range(N):
        dx[i] = dout[i] @ w.T
        dw += np.outer(x2[i], dout[i])
        db += dout[i]
    return dx.reshape(x.shape), dw, db
''', loses=AFFINE_BWD_LOOPS,
            why="loop over the examples in Python instead of one matrix product per gradient"),
    Alternative("affine_backward_einsum", "affine_backward", source='''\
def affine_backward(dout, cache):
    x, w, b = cache
    x2 = x.reshape(x.shape[0], -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", x2, dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db
'''),

    # ---- ReLU ------------------------------------------------------------
    Mistake("relu_forward_in_place", "relu_forward",
            "out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x", loses=RELU_FWD,
            why="change x in place in the forward pass, which also changes the cache"),
    Mistake("relu_mask_on_dout", "relu_backward",
            "dx = dout * (x > 0)", "dx = dout * (dout > 0)", loses=RELU_BWD,
            why="pass the gradient where dout is positive instead of where the input x is"),
    Alternative("relu_backward_where", "relu_backward",
                old="dx = dout * (x > 0)", new="dx = np.where(x > 0, dout, 0.0)"),

    # ---- sigmoid ---------------------------------------------------------
    Mistake("sigmoid_ratio_of_exps", "sigmoid_forward",
            _SIGMOID, "out = np.exp(x) / (1.0 + np.exp(x))", loses=SIGMOID_LARGE,
            why="write the sigmoid as exp(x) / (1 + exp(x)), which is nan for large x"),
    Mistake("sigmoid_sign_error", "sigmoid_forward",
            _SIGMOID, "out = 1.0 / (1.0 + np.exp(x))", loses=(SIGMOID_FWD, SIGMOID_LARGE),
            why="drop the minus sign in the sigmoid's exp(-x)"),
    Alternative("sigmoid_stable_where", "sigmoid_forward", old=_SIGMOID, new="""\
z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))"""),
    Alternative("sigmoid_where_both_branches", "sigmoid_forward", old=_SIGMOID,
                new="out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))"),
    Alternative("sigmoid_textbook_with_errstate", "sigmoid_forward", old=_SIGMOID, new="""\
with np.errstate(over="ignore"):
        out = 1.0 / (1.0 + np.exp(-x))"""),
    Alternative("sigmoid_boolean_masks", "sigmoid_forward", old=_SIGMOID, new="""\
out = np.empty(np.shape(x))
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)"""),
    Alternative("sigmoid_via_tanh", "sigmoid_forward", old=_SIGMOID,
                new="out = 0.5 * (1.0 + np.tanh(0.5 * x))"),
    Mistake("sigmoid_backward_applies_sigmoid_again", "sigmoid_backward",
            "dx = dout * out * (1 - out)",
            "s = 1 / (1 + np.exp(-out))\n    dx = dout * s * (1 - s)", loses=SIGMOID_BWD,
            why="apply the sigmoid again to the cache, which already holds sigma(x)"),

    # ---- tanh ------------------------------------------------------------
    Mistake("tanh_backward_applies_tanh_again", "tanh_backward",
            "dx = dout * (1 - out ** 2)", "dx = dout * (1 - np.tanh(out) ** 2)", loses=TANH_BWD,
            why="apply tanh again to the cache, which already holds tanh(x)"),

    # ---- softmax loss ----------------------------------------------------
    Mistake("softmax_no_shift", "softmax_loss",
            "shifted = x - x.max(axis=1, keepdims=True)", "shifted = x", loses=SOFTMAX_STABLE,
            why="skip subtracting each row's maximum, so exp overflows for large scores"),
    Mistake("softmax_gradient_not_averaged", "softmax_loss",
            "dx /= N", "dx = dx", loses=(SOFTMAX, SOFTMAX_SHAPES, SOFTMAX_STABLE),
            why="forget to divide the softmax gradient by the batch size N"),
    Alternative("softmax_log_sum_exp", "softmax_loss", source='''\
def softmax_loss(x, y):
    n = len(y)
    m = x.max(axis=1, keepdims=True)
    log_probs = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].sum() / n
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1
    return loss, dx / n
'''),
    # A scratch line in the answer cell rebinds L (the old alias of the layers
    # module) and even `layers`: the tests import what they use.
    Alternative("softmax_cell_rebinds_L", "softmax_loss", old="    return loss, dx",
                new="    return loss, dx\n\n\nL, dx = softmax_loss(np.zeros((2, 3)), np.array([0, 1]))\n"
                    "L = 0\nlayers = None"),

    # ---- binary cross-entropy --------------------------------------------
    Mistake("bce_textbook_log_of_sigmoid", "sigmoid_bce_loss", _BCE_LOSS,
            "p = 1 / (1 + np.exp(-x))\n    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))",
            loses=BCE_STABLE,
            why="take the log of sigmoid(x), which is -inf once sigmoid(x) rounds to 1"),
    Mistake("bce_clipped_probabilities", "sigmoid_bce_loss", _BCE_LOSS,
            "p = np.clip(1 / (1 + np.exp(-x)), 1e-15, 1 - 1e-15)\n"
            "    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))",
            loses=BCE_STABLE,
            why="clip the probabilities before the log, which caps each sample's loss near 34.5"),
    Mistake("bce_softplus_overflows", "sigmoid_bce_loss", _BCE_LOSS,
            "loss = np.mean(np.log1p(np.exp(x)) - y * x)", loses=BCE_STABLE,
            why="compute softplus as log1p(exp(x)), which overflows for large logits"),
    Mistake("bce_gradient_not_averaged", "sigmoid_bce_loss",
            "dx = (sig - y) / N", "dx = sig - y", loses=(BCE, BCE_STABLE),
            why="forget to divide the cross-entropy gradient by the batch size N"),
    Alternative("bce_logaddexp", "sigmoid_bce_loss", source='''\
def sigmoid_bce_loss(x, y):
    loss = np.mean(np.logaddexp(0, x) - y * x)
    dx = (np.exp(-np.logaddexp(0, -x)) - y) / len(x)
    return loss, dx
'''),
    Alternative("bce_per_label_softplus", "sigmoid_bce_loss", source='''\
def softplus(t):
    return np.maximum(t, 0) + np.log(1 + np.exp(-np.abs(t)))


def sigmoid_bce_loss(x, y):
    per_sample = np.where(y == 1, softplus(-x), softplus(x))
    with np.errstate(over="ignore"):
        sig = 1 / (1 + np.exp(-x))
    return per_sample.mean(), (sig - y) / x.size
'''),

    # ---- TwoLayerNet -----------------------------------------------------
    Mistake("forgot_reg_gradient", "TwoLayerNet", _REG_GRADIENT, "", loses=NET_REG,
            why="forget the gradient 2 * reg * W of the regularization term"),
    Mistake("reg_gradient_without_factor_2", "TwoLayerNet",
            _REG_GRADIENT,
            _REG_GRADIENT.replace("2 * self.reg", "self.reg"), loses=NET_REG,
            why="drop the factor 2 in the regularization gradient 2 * reg * W"),
    Mistake("init_without_weight_scale", "TwoLayerNet",
            '"W1": weight_scale * rng.standard_normal((input_dim, hidden_dim))',
            '"W1": rng.standard_normal((input_dim, hidden_dim))',
            # The training exercise trains this net: first-layer weights 10x too large
            # leave it at 0.598 validation accuracy with the solution's settings.
            loses=(NET_INIT, TUNE),
            why="draw the initial weights without multiplying them by weight_scale"),
    Alternative("two_layer_net_with_own_layers", "TwoLayerNet", old="layers.", new=""),
    # Ways around the reference guard: each one must fail every test that runs the net.
    Mistake("loss_borrows_reference_method", "TwoLayerNet", _LOSS_START,
            "        from helpers import nets\n        return nets.TwoLayerNet.loss(self, X, y)\n"
            + _LOSS_START,
            loses=(NET_SCORES, NET_LOSS, NET_LOSS_NUM, NET_REG) + TRAINING,
            why="call the course's TwoLayerNet.loss from your own class"),
    Mistake("subclass_of_reference", "TwoLayerNet", source='''\
from helpers import nets


class TwoLayerNet(nets.TwoLayerNet):
    pass
''', loses=(NET_INIT, NET_SCORES, NET_LOSS, NET_LOSS_NUM, NET_REG) + TRAINING,
            why="subclass the course's TwoLayerNet instead of writing your own"),

    # ---- parameter counting ----------------------------------------------
    Mistake("count_parameters_without_biases", "count_parameters",
            "n_in * n_out + n_out", "n_in * n_out", loses=(COUNT, COUNT_TUPLE),
            why="count the weights but forget the biases"),
    Mistake("count_parameters_copies_a_list", "count_parameters", source='''\
def count_parameters(layer_sizes):
    sizes = layer_sizes.copy()
    total = 0
    while len(sizes) > 1:
        n_in = sizes.pop(0)
        total += n_in * sizes[0] + sizes[0]
    return total
''', loses=COUNT_TUPLE,
            why="call .copy() and .pop() on the sizes, which a tuple does not have"),
    Alternative("count_parameters_list_of_any_sequence", "count_parameters", source='''\
def count_parameters(layer_sizes):
    sizes = list(layer_sizes)
    total = 0
    while len(sizes) > 1:
        n_in = sizes.pop(0)
        total += n_in * sizes[0] + sizes[0]
    return total
'''),
    Alternative("count_parameters_loop", "count_parameters", source='''\
def count_parameters(layer_sizes):
    total = 0
    for i in range(len(layer_sizes) - 1):
        total += (layer_sizes[i] + 1) * layer_sizes[i + 1]
    return total
'''),

    # ---- training ----------------------------------------------------------
    Mistake("overfit_learning_rate_far_too_small", "overfit_small_subset",
            'optim_config={"lr": 0.5}', 'optim_config={"lr": 1e-3}', loses=OVERFIT,
            why="train with a learning rate far too small to fit the 50 examples"),
    Mistake("tune_learning_rate_far_too_small", "train_best_net",
            'optim_config={"lr": 2.0}', 'optim_config={"lr": 1e-4}', loses=TUNE,
            why="train with a learning rate far too small for the epochs you give it"),
    Mistake("tune_trains_the_reference_net", "train_best_net",
            "net = TwoLayerNet(40, 256, 10,", "net = nets.TwoLayerNet(40, 256, 10,", loses=TUNE,
            why="train the course's TwoLayerNet instead of your own"),
    Alternative("tune_returns_the_net", "train_best_net",
                old="    solver.train()\n", new="    solver.train()\n    return net\n"),
    Alternative("tune_with_optimizer_object", "train_best_net",
                old='solver = Solver(net, data, optim_config={"lr": 2.0}, lr_decay=0.95,',
                new='from helpers.optim import SGD\n    solver = Solver(net, data, SGD(lr=2.0), lr_decay=0.95,'),
]

DEMO_MISTAKE = "accumulate_with_equals"
