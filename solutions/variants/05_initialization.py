"""Typical mistakes and alternative answers for notebook 05 (weight initialization).

Each Mistake must lose exactly the test cells it names; each Alternative must
keep full marks.
"""
from grader.variants import Alternative, Mistake

XN, XN_MORE = "test_xavier_normal", "test_xavier_normal_more"
XU, XU_MORE = "test_xavier_uniform", "test_xavier_uniform_more"
HN, HN_MORE = "test_he_normal", "test_he_normal_more"
HU, HU_MORE = "test_he_uniform", "test_he_uniform_more"
STATS, STATS_MORE = "test_forward_stats", "test_forward_stats_more"
GRADS, GRADS_MORE = "test_layer_gradient_norms", "test_layer_gradient_norms_more"
TRAIN = "test_train_deep_net"

_XN = "W = np.sqrt(1.0 / fan_in) * rng.standard_normal(shape)"
_HN = "W = np.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)"

VARIANTS = [
    # ---- Xavier normal ------------------------------------------------------
    Mistake("xavier_std_sqrt_n", "xavier_normal", _XN, "W = np.sqrt(fan_in) * rng.standard_normal(shape)",
            loses=(XN, XN_MORE)),
    Mistake("xavier_std_one_over_n", "xavier_normal", _XN, "W = (1.0 / fan_in) * rng.standard_normal(shape)",
            loses=(XN, XN_MORE)),
    Mistake("xavier_fan_out", "xavier_normal", "fan_in = shape[0]", "fan_in = shape[1]",
            loses=(XN, XN_MORE)),
    # Right spread, but from the global generator: only the hidden rng check fails.
    Mistake("xavier_global_random_state", "xavier_normal", _XN,
            "W = np.sqrt(1.0 / fan_in) * np.random.randn(*shape)", loses=XN_MORE),
    Mistake("xavier_normal_draws_uniform", "xavier_normal", _XN,
            "W = rng.uniform(-np.sqrt(3.0 / fan_in), np.sqrt(3.0 / fan_in), shape)", loses=XN),
    Mistake("xavier_normal_calls_reference", "xavier_normal", _XN,
            "from helpers import init\n    W = init.xavier_normal(shape, rng)", loses=(XN, XN_MORE)),
    Alternative("xavier_rng_normal", "xavier_normal", old=_XN,
                new="W = rng.normal(0.0, np.sqrt(1.0 / fan_in), size=shape)"),
    Alternative("xavier_divide_by_sqrt", "xavier_normal", old=_XN,
                new="W = rng.standard_normal(size=shape) / np.sqrt(fan_in)"),

    # ---- Xavier uniform -----------------------------------------------------
    Mistake("xavier_uniform_bound_sqrt_1_over_n", "xavier_uniform", "np.sqrt(3.0 / shape[0])",
            "np.sqrt(1.0 / shape[0])", loses=(XU, XU_MORE)),
    Mistake("xavier_uniform_fan_out", "xavier_uniform", "np.sqrt(3.0 / shape[0])",
            "np.sqrt(3.0 / shape[1])", loses=(XU, XU_MORE)),
    Mistake("xavier_uniform_from_zero", "xavier_uniform", "rng.uniform(-bound, bound, shape)",
            "rng.uniform(0, 2 * bound, shape)", loses=(XU, XU_MORE)),
    Alternative("xavier_uniform_rescaled_random", "xavier_uniform",
                old="W = rng.uniform(-bound, bound, shape)",
                new="W = bound * (2 * rng.random(shape) - 1)"),

    # ---- He normal ----------------------------------------------------------
    Mistake("he_without_factor_2", "he_normal", _HN, "W = np.sqrt(1.0 / shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE)),
    # The training test then falls back to the reference he_normal: it keeps its points.
    Mistake("he_variance_as_std", "he_normal", _HN, "W = (2.0 / shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE)),
    Mistake("he_fan_out", "he_normal", _HN, "W = np.sqrt(2.0 / shape[1]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE)),
    Mistake("he_std_sqrt_2n", "he_normal", _HN, "W = np.sqrt(2.0 * shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE)),
    Mistake("he_global_random_state", "he_normal", _HN,
            "W = np.sqrt(2.0 / shape[0]) * np.random.standard_normal(shape)", loses=HN_MORE),
    Alternative("he_rng_normal", "he_normal", old=_HN,
                new="W = rng.normal(0, np.sqrt(2 / shape[0]), shape)"),
    Alternative("he_sqrt2_times_xavier", "he_normal", old=_HN,
                new="fan_in, _ = shape\n    W = np.sqrt(2) * rng.standard_normal((fan_in, shape[1])) / np.sqrt(fan_in)"),

    # ---- He uniform ---------------------------------------------------------
    Mistake("he_uniform_bound_sqrt_2_over_n", "he_uniform", "np.sqrt(6.0 / shape[0])",
            "np.sqrt(2.0 / shape[0])", loses=(HU, HU_MORE)),
    Mistake("he_uniform_without_factor_2", "he_uniform", "np.sqrt(6.0 / shape[0])",
            "np.sqrt(3.0 / shape[0])", loses=(HU, HU_MORE)),
    Mistake("he_uniform_normal_draws", "he_uniform", "W = rng.uniform(-bound, bound, shape)",
            "W = np.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)", loses=(HU, HU_MORE)),
    Alternative("he_uniform_low_high_keywords", "he_uniform",
                old="W = rng.uniform(-bound, bound, shape)",
                new="W = rng.uniform(low=-bound, high=bound, size=tuple(shape))"),

    # ---- forward_stats ------------------------------------------------------
    Mistake("stats_before_activation", "forward_stats", source='''\
def forward_stats(X, weights, activation):
    outputs, stds = [], []
    h = X
    for W in weights:
        a = h @ W
        stds.append(np.std(a))
        h = activation(a)
        outputs.append(h)
    return outputs, np.array(stds)
''', loses=(STATS, STATS_MORE)),
    Mistake("stats_activation_skipped_in_last_layer", "forward_stats", source='''\
def forward_stats(X, weights, activation):
    outputs, stds = [], []
    h = X
    for i, W in enumerate(weights):
        h = h @ W
        if i < len(weights) - 1:
            h = activation(h)
        outputs.append(h)
        stds.append(h.std())
    return outputs, np.array(stds)
''', loses=(STATS, STATS_MORE)),
    # ddof=1 differs by a factor sqrt(n / (n - 1)): within the tolerance.
    Alternative("stats_ddof_1_and_list", "forward_stats", source='''\
def forward_stats(X, weights, activation):
    h, outputs = X, []
    for W in weights:
        h = activation(np.dot(h, W))
        outputs.append(h)
    return outputs, [o.std(ddof=1) for o in outputs]
'''),

    # ---- layer_gradient_norms -----------------------------------------------
    Mistake("norms_of_weights_not_gradients", "layer_gradient_norms",
            'np.linalg.norm(grads[f"W{l}"])', 'np.linalg.norm(net.params[f"W{l}"])',
            loses=(GRADS, GRADS_MORE)),
    Mistake("norms_skip_output_layer", "layer_gradient_norms",
            "range(1, net.num_layers + 1)", "range(1, net.num_layers)", loses=(GRADS, GRADS_MORE)),
    Mistake("norms_output_layer_first", "layer_gradient_norms",
            "range(1, net.num_layers + 1)", "range(net.num_layers, 0, -1)", loses=(GRADS, GRADS_MORE)),
    Alternative("norms_sqrt_sum_squares", "layer_gradient_norms", source='''\
def layer_gradient_norms(net, X, y):
    grads = net.loss(X, y)[1]
    keys = sorted((k for k in grads if k.startswith("W")), key=lambda k: int(k[1:]))
    return [float(np.sqrt(np.sum(grads[k] ** 2))) for k in keys]
'''),

    # ---- train_deep_net -----------------------------------------------------
    Mistake("train_with_adam", "train_deep_net",
            'optimizer="momentum", optim_config={"lr": 0.1}, lr_decay=0.9',
            'optimizer="adam", optim_config={"lr": 1e-3}', loses=TRAIN),
    Mistake("train_too_few_epochs", "train_deep_net", "num_epochs=15", "num_epochs=1", loses=TRAIN),
    Mistake("train_ignores_weight_init", "train_deep_net", "weight_init=weight_init", 'weight_init="he_normal"',
            loses=TRAIN),
    Alternative("train_20_epochs_plain_momentum", "train_deep_net",
                old='optimizer="momentum", optim_config={"lr": 0.1}, lr_decay=0.9,\n'
                    '                    batch_size=100, num_epochs=15',
                new='optimizer=optim.Momentum(lr=0.1, momentum=0.9), lr_decay=0.9,\n'
                    '                    batch_size=100, num_epochs=20'),
]

DEMO_MISTAKE = "he_without_factor_2"
