"""Typical mistakes and alternative answers for notebook 03 (backpropagation).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

CIRCUIT = "test_circuit_forward_backward"
NEURON = "test_sigmoid_neuron"
STAGED = "test_staged_backward"
AFFINE_FWD = "test_affine_forward"
AFFINE_BWD = "test_affine_backward"
RELU_FWD = "test_relu_forward"
RELU_BWD = "test_relu_backward"
SIGMOID_STABLE = "test_sigmoid_forward_stable"
SIGMOID_BWD = "test_sigmoid_backward"
TANH_BWD = "test_tanh_backward"
SOFTMAX = "test_softmax_loss"
SOFTMAX_STABLE = "test_softmax_loss_stable"
NET_INIT = "test_TwoLayerNet_init"
NET_REG = "test_TwoLayerNet_reg"
COUNT = "test_count_parameters"

_SIGMOID_STABLE = """z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))"""
_REG_GRADIENT = """        grads["W2"] += 2 * self.reg * p["W2"]
        grads["W1"] += 2 * self.reg * p["W1"]
"""

VARIANTS = [
    # ---- the circuit ----------------------------------------------------
    Mistake("max_gate_feeds_both_inputs", "circuit_forward_backward",
            "dz = db if z > w else 0.0  # the max gate routes to the larger input\n"
            "    dw = db if w > z else 0.0",
            "dz = db\n    dw = db", loses=CIRCUIT),
    Alternative("circuit_with_if", "circuit_forward_backward", source='''\
def circuit_forward_backward(x, y, z, w):
    f = 2 * (x * y + (z if z > w else w))
    dx, dy = 2 * y, 2 * x
    dz, dw = (2.0, 0.0) if z > w else (0.0, 2.0)
    return f, (dx, dy, dz, dw)
'''),

    # ---- the sigmoid neuron ----------------------------------------------
    Mistake("neuron_uses_f_as_local_gradient", "sigmoid_neuron",
            "ds = (1 - f) * f", "ds = f", loses=NEURON),

    # ---- staged computation ----------------------------------------------
    Mistake("accumulate_with_equals", "staged_backward",
            "dx += dnum", "dx = dnum", loses=STAGED),
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
            "out = x.reshape(x.shape[0], -1) @ w + b", "out = x @ w + b", loses=AFFINE_FWD),
    Mistake("transposed_weight_gradient", "affine_backward",
            "dw = x.reshape(N, -1).T @ dout", "dw = dout.T @ x.reshape(N, -1)", loses=AFFINE_BWD),
    Mistake("bias_gradient_not_summed", "affine_backward",
            "db = dout.sum(axis=0)", "db = dout.mean(axis=0)", loses=AFFINE_BWD),
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
            "out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x", loses=RELU_FWD),
    Mistake("relu_mask_on_dout", "relu_backward",
            "dx = dout * (x > 0)", "dx = dout * (dout > 0)", loses=RELU_BWD),
    Alternative("relu_backward_where", "relu_backward",
                old="dx = dout * (x > 0)", new="dx = np.where(x > 0, dout, 0.0)"),

    # ---- sigmoid ---------------------------------------------------------
    Mistake("sigmoid_textbook_formula", "sigmoid_forward",
            _SIGMOID_STABLE, "out = 1.0 / (1.0 + np.exp(-x))", loses=SIGMOID_STABLE),
    Mistake("sigmoid_where_both_branches", "sigmoid_forward",
            _SIGMOID_STABLE,
            "out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))",
            loses=SIGMOID_STABLE),
    Alternative("sigmoid_boolean_masks", "sigmoid_forward", old=_SIGMOID_STABLE, new="""\
out = np.empty(np.shape(x))
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)"""),
    Alternative("sigmoid_via_tanh", "sigmoid_forward", old=_SIGMOID_STABLE,
                new="out = 0.5 * (1.0 + np.tanh(0.5 * x))"),
    Mistake("sigmoid_backward_applies_sigmoid_again", "sigmoid_backward",
            "dx = dout * out * (1 - out)",
            "s = 1 / (1 + np.exp(-out))\n    dx = dout * s * (1 - s)", loses=SIGMOID_BWD),

    # ---- tanh ------------------------------------------------------------
    Mistake("tanh_backward_applies_tanh_again", "tanh_backward",
            "dx = dout * (1 - out ** 2)", "dx = dout * (1 - np.tanh(out) ** 2)", loses=TANH_BWD),

    # ---- softmax loss ----------------------------------------------------
    Mistake("softmax_no_shift", "softmax_loss",
            "shifted = x - x.max(axis=1, keepdims=True)", "shifted = x", loses=SOFTMAX_STABLE),
    Mistake("softmax_gradient_not_averaged", "softmax_loss",
            "dx /= N", "dx = dx", loses=(SOFTMAX, SOFTMAX_STABLE)),
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

    # ---- TwoLayerNet -----------------------------------------------------
    Mistake("forgot_reg_gradient", "TwoLayerNet", _REG_GRADIENT, "", loses=NET_REG),
    Mistake("reg_gradient_without_factor_2", "TwoLayerNet",
            _REG_GRADIENT,
            _REG_GRADIENT.replace("2 * self.reg", "self.reg"), loses=NET_REG),
    Mistake("init_without_weight_scale", "TwoLayerNet",
            '"W1": weight_scale * rng.standard_normal((input_dim, hidden_dim))',
            '"W1": rng.standard_normal((input_dim, hidden_dim))', loses=NET_INIT),
    Alternative("two_layer_net_with_own_layers", "TwoLayerNet", old="L.", new=""),

    # ---- parameter counting ----------------------------------------------
    Mistake("count_parameters_without_biases", "count_parameters",
            "n_in * n_out + n_out", "n_in * n_out", loses=COUNT),
    Alternative("count_parameters_loop", "count_parameters", source='''\
def count_parameters(layer_sizes):
    total = 0
    for i in range(len(layer_sizes) - 1):
        total += (layer_sizes[i] + 1) * layer_sizes[i + 1]
    return total
'''),
]

DEMO_MISTAKE = "accumulate_with_equals"
