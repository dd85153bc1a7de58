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
ZCS, ZCS_EDGE = "test_zero_center_and_scale", "test_zero_center_and_scale_edge"
PCA, PCA_MORE = "test_pca", "test_pca_more"
WHITEN, WHITEN_EPS = "test_whiten", "test_whiten_eps"
TUNE, TUNE_REAL = "test_tune_learning_rate", "test_tune_learning_rate_real"

_XN = "W = np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal(shape)"
_XU = "bound = np.sqrt(6.0 / (shape[0] + shape[1]))"
_HN = "W = np.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)"
_ZCS_STATS = """    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)"""
_PCA_ORDER = "order = np.argsort(values)[::-1][:k]"
_WHITE = "white = Xc @ vectors / np.sqrt(np.maximum(values, 0.0) + eps)"
_TUNE_BEST = "best_lr = learning_rates[int(np.argmax(val_accs))]"

VARIANTS = [
    # ---- Xavier normal (Glorot's fan average) -------------------------------
    Mistake("xavier_std_sqrt_n", "xavier_normal", _XN, "W = np.sqrt(fan_in + fan_out) * rng.standard_normal(shape)",
            loses=(XN, XN_MORE),
            why="multiply by sqrt(fan_in + fan_out) where Xavier divides: the fans belong in the denominator"),
    Mistake("xavier_variance_as_std", "xavier_normal", _XN,
            "W = (2.0 / (fan_in + fan_out)) * rng.standard_normal(shape)", loses=(XN, XN_MORE),
            why="use Xavier's variance 2 / (fan_in + fan_out) as the std, forgetting the square root"),
    # LeCun's fan-in rule, which some books call Xavier: right only for square matrices.
    Mistake("xavier_lecun_fan_in", "xavier_normal", _XN, "W = np.sqrt(1.0 / fan_in) * rng.standard_normal(shape)",
            loses=(XN, XN_MORE),
            why="use LeCun's 1 / fan_in, which some books call Xavier, instead of Glorot's fan average"),
    Mistake("xavier_fan_out_only", "xavier_normal", _XN, "W = np.sqrt(1.0 / fan_out) * rng.standard_normal(shape)",
            loses=(XN, XN_MORE),
            why="count only fan_out in Xavier's variance instead of the average of both fans"),
    Mistake("xavier_sum_without_2", "xavier_normal", _XN,
            "W = np.sqrt(1.0 / (fan_in + fan_out)) * rng.standard_normal(shape)", loses=(XN, XN_MORE),
            why="divide by fan_in + fan_out without the factor 2 of the fan average"),
    # Right spread, but from the global generator: only the hidden rng check fails.
    Mistake("xavier_global_random_state", "xavier_normal", _XN,
            "W = np.sqrt(2.0 / (fan_in + fan_out)) * np.random.randn(*shape)", loses=XN_MORE,
            why="draw from NumPy's global random generator instead of the rng you are given"),
    Mistake("xavier_normal_draws_uniform", "xavier_normal", _XN,
            "W = rng.uniform(-np.sqrt(6.0 / (fan_in + fan_out)), np.sqrt(6.0 / (fan_in + fan_out)), shape)",
            loses=XN, why="draw from a uniform distribution where xavier_normal asks for a normal one"),
    Mistake("xavier_normal_calls_reference", "xavier_normal", _XN,
            "from helpers import init\n    W = init.xavier_normal(shape, rng)", loses=(XN, XN_MORE),
            why="call the course's reference initializer instead of writing your own"),
    # PyTorch fills the matrix: refused (and it would not draw from rng).
    Mistake("xavier_normal_torch_init", "xavier_normal", _XN,
            "t = torch.empty((fan_out, fan_in), dtype=torch.float64)\n"
            "    W = torch.nn.init.xavier_normal_(t).numpy().T", loses=(XN, XN_MORE),
            why="fill the weights with torch.nn.init inside a NumPy exercise"),
    Alternative("xavier_rng_normal", "xavier_normal", old=_XN,
                new="W = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)"),
    Alternative("xavier_divide_by_sqrt_of_mean_fan", "xavier_normal", old=_XN,
                new="W = rng.standard_normal(size=shape) / np.sqrt((fan_in + fan_out) / 2)"),

    # ---- Xavier uniform -----------------------------------------------------
    Mistake("xavier_uniform_bound_of_the_std", "xavier_uniform", _XU,
            "bound = np.sqrt(2.0 / (shape[0] + shape[1]))", loses=(XU, XU_MORE),
            why="use the std sqrt(2 / (fan_in + fan_out)) as the uniform bound, forgetting the sqrt(3)"),
    Mistake("xavier_uniform_lecun_fan_in", "xavier_uniform", _XU, "bound = np.sqrt(3.0 / shape[0])",
            loses=(XU, XU_MORE),
            why="use LeCun's fan-in bound sqrt(3 / fan_in) instead of Glorot's fan average"),
    Mistake("xavier_uniform_from_zero", "xavier_uniform", "rng.uniform(-bound, bound, shape)",
            "rng.uniform(0, 2 * bound, shape)", loses=(XU, XU_MORE),
            why="draw from U(0, 2a) instead of U(-a, a): weights not centred on 0"),
    Alternative("xavier_uniform_rescaled_random", "xavier_uniform",
                old="W = rng.uniform(-bound, bound, shape)",
                new="W = bound * (2 * rng.random(shape) - 1)"),
    Alternative("xavier_uniform_sum_of_shape", "xavier_uniform", old=_XU,
                new="bound = (6.0 / sum(shape)) ** 0.5"),

    # ---- He normal ----------------------------------------------------------
    Mistake("he_without_factor_2", "he_normal", _HN, "W = np.sqrt(1.0 / shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE), why="leave out He's factor 2, which makes up for the half that ReLU zeroes"),
    # The training test then falls back to the reference he_normal: it keeps its points.
    Mistake("he_variance_as_std", "he_normal", _HN, "W = (2.0 / shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE), why="use He's variance 2 / fan_in as the std, forgetting the square root"),
    Mistake("he_fan_out", "he_normal", _HN, "W = np.sqrt(2.0 / shape[1]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE), why="count fan_out (shape[1]) instead of fan_in (shape[0]) in He's variance"),
    Mistake("he_std_sqrt_2n", "he_normal", _HN, "W = np.sqrt(2.0 * shape[0]) * rng.standard_normal(shape)",
            loses=(HN, HN_MORE),
            why="multiply by sqrt(2 * fan_in) where He divides: the std is sqrt(2 / fan_in)"),
    Mistake("he_global_random_state", "he_normal", _HN,
            "W = np.sqrt(2.0 / shape[0]) * np.random.standard_normal(shape)", loses=HN_MORE,
            why="draw from NumPy's global random generator instead of the rng you are given"),
    Alternative("he_rng_normal", "he_normal", old=_HN,
                new="W = rng.normal(0, np.sqrt(2 / shape[0]), shape)"),
    Alternative("he_sqrt2_times_xavier", "he_normal", old=_HN,
                new="fan_in, _ = shape\n    W = np.sqrt(2) * rng.standard_normal((fan_in, shape[1])) / np.sqrt(fan_in)"),

    # ---- He uniform ---------------------------------------------------------
    Mistake("he_uniform_bound_sqrt_2_over_n", "he_uniform", "np.sqrt(6.0 / shape[0])",
            "np.sqrt(2.0 / shape[0])", loses=(HU, HU_MORE),
            why="use the std sqrt(2 / fan_in) as the uniform bound, forgetting the sqrt(3)"),
    Mistake("he_uniform_without_factor_2", "he_uniform", "np.sqrt(6.0 / shape[0])",
            "np.sqrt(3.0 / shape[0])", loses=(HU, HU_MORE),
            why="leave out He's factor 2 in the uniform bound: sqrt(3 / fan_in)"),
    Mistake("he_uniform_normal_draws", "he_uniform", "W = rng.uniform(-bound, bound, shape)",
            "W = np.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)", loses=(HU, HU_MORE),
            why="draw from a normal distribution where he_uniform asks for a uniform one"),
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
''', loses=(STATS, STATS_MORE), why="measure each layer's std before the activation instead of after it"),
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
''', loses=(STATS, STATS_MORE), why="skip the activation in the last layer"),
    Mistake("stats_with_torch", "forward_stats", source='''\
def forward_stats(X, weights, activation):
    outputs, stds = [], []
    h = torch.tensor(X)
    for W in weights:
        h = torch.tensor(activation((h @ torch.tensor(W)).numpy()))
        outputs.append(h.numpy())
        stds.append(float(h.std()))
    return outputs, np.array(stds)
''', loses=(STATS, STATS_MORE), why="compute the forward pass with PyTorch inside a NumPy exercise"),
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
            loses=(GRADS, GRADS_MORE),
            why="take the norms of the weights instead of the norms of their gradients"),
    Mistake("norms_skip_output_layer", "layer_gradient_norms",
            "range(1, net.num_layers + 1)", "range(1, net.num_layers)", loses=(GRADS, GRADS_MORE),
            why="leave out the output layer's weight matrix WL"),
    Mistake("norms_output_layer_first", "layer_gradient_norms",
            "range(1, net.num_layers + 1)", "range(net.num_layers, 0, -1)", loses=(GRADS, GRADS_MORE),
            why="list the norms from the output layer back to the first"),
    Alternative("norms_sqrt_sum_squares", "layer_gradient_norms", source='''\
def layer_gradient_norms(net, X, y):
    grads = net.loss(X, y)[1]
    keys = sorted((k for k in grads if k.startswith("W")), key=lambda k: int(k[1:]))
    return [float(np.sqrt(np.sum(grads[k] ** 2))) for k in keys]
'''),

    # ---- zero_center_and_scale ------------------------------------------------
    Mistake("zcs_statistics_from_all_sets", "zero_center_and_scale", _ZCS_STATS, """\
    everything = np.concatenate([X_train, *others])
    mean = everything.mean(axis=0)
    std = everything.std(axis=0)""", loses=(ZCS, ZCS_EDGE),
            why="compute the mean and std over all the sets instead of the training set alone"),
    Mistake("zcs_std_of_the_whole_array", "zero_center_and_scale", "std = X_train.std(axis=0)",
            "std = X_train.std()", loses=(ZCS, ZCS_EDGE),
            why="divide by one std of the whole array instead of one std per feature"),
    Mistake("zcs_per_example", "zero_center_and_scale", _ZCS_STATS, """\
    mean = X_train.mean(axis=1, keepdims=True)
    std = X_train.std(axis=1, keepdims=True)""", loses=(ZCS, ZCS_EDGE),
            why="centre and scale each example (row) instead of each feature (column)"),
    Mistake("zcs_divides_by_the_variance", "zero_center_and_scale", "std = X_train.std(axis=0)",
            "std = X_train.var(axis=0)", loses=(ZCS, ZCS_EDGE),
            why="divide by the variance instead of the standard deviation"),
    # Changes the caller's training set (and cannot subtract floats from integer pixels in place).
    Mistake("zcs_in_place", "zero_center_and_scale", "out = tuple((X - mean) / std for X in (X_train, *others))", """\
X_train -= mean
    X_train /= std
    out = (X_train,) + tuple((X - mean) / std for X in others)""", loses=(ZCS, ZCS_EDGE),
            why="subtract and divide in place, changing the caller's training set"),
    # Constant features divide 0 by 0: only the hidden edge cases have them.
    Mistake("zcs_no_guard_for_constant_features", "zero_center_and_scale",
            "std = np.where(std < 1e-8, 1.0, std)", "pass", loses=ZCS_EDGE,
            why="divide a constant feature by its std of 0 instead of only centring it"),
    Mistake("zcs_standard_scaler", "zero_center_and_scale", source='''\
def zero_center_and_scale(X_train, *others):
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)
    return tuple(scaler.transform(X) for X in (X_train, *others))
''', loses=(ZCS, ZCS_EDGE),
            why="call scikit-learn's StandardScaler instead of writing the scaling with NumPy"),
    Mistake("zcs_with_torch", "zero_center_and_scale", source='''\
def zero_center_and_scale(X_train, *others):
    t = torch.tensor(X_train, dtype=torch.float64)
    mean, std = t.mean(dim=0), t.std(dim=0, unbiased=False)
    std = torch.where(std < 1e-8, torch.ones_like(std), std)
    return tuple(((torch.tensor(X, dtype=torch.float64) - mean) / std).numpy() for X in (X_train, *others))
''', loses=(ZCS, ZCS_EDGE), why="compute the statistics with PyTorch inside a NumPy exercise"),
    Alternative("zcs_keepdims_list_and_divide_where", "zero_center_and_scale", source='''\
def zero_center_and_scale(X_train, *others):
    X_train = np.asarray(X_train, dtype=float)
    mean = np.mean(X_train, axis=0, keepdims=True)
    std = np.sqrt(np.mean((X_train - mean) ** 2, axis=0, keepdims=True))
    out = []
    for X in [X_train, *others]:
        centred = np.asarray(X, dtype=float) - mean
        out.append(np.divide(centred, std, out=centred.copy(), where=std > 0))
    return out
'''),

    # ---- pca -------------------------------------------------------------------
    Mistake("pca_without_centering", "pca", "Xc = X - X.mean(axis=0)", "Xc = X", loses=(PCA, PCA_MORE),
            why="skip centring the data before the covariance and the projection"),
    Mistake("pca_smallest_variances", "pca", _PCA_ORDER, "order = np.argsort(values)[:k]", loses=(PCA, PCA_MORE),
            why="keep the directions of smallest variance: eigh returns its eigenvalues in increasing order"),
    Mistake("pca_components_as_columns", "pca", "components = vectors[:, order].T", "components = vectors[:, order]",
            loses=(PCA, PCA_MORE),
            why="return the components as columns, as eigh gives them, instead of one per row"),
    Mistake("pca_standard_deviations_as_variances", "pca", "variances = values[order]",
            "variances = np.sqrt(values[order])", loses=(PCA, PCA_MORE),
            why="return the square roots of the eigenvalues instead of the variances"),
    Mistake("pca_sklearn", "pca", source='''\
def pca(X, k):
    from sklearn.decomposition import PCA
    model = PCA(n_components=k).fit(X)
    return model.transform(X), model.components_, model.explained_variance_
''', loses=(PCA, PCA_MORE), why="call scikit-learn's PCA instead of writing it with NumPy"),
    Mistake("pca_with_torch", "pca", "values, vectors = np.linalg.eigh(C)",
            "values, vectors = (t.numpy() for t in torch.linalg.eigh(torch.tensor(C)))", loses=(PCA, PCA_MORE),
            why="compute the eigenvectors with PyTorch inside a NumPy exercise"),
    Alternative("pca_svd", "pca", source='''\
def pca(X, k):
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    components = Vt[:k]
    return Xc @ components.T, components, S[:k] ** 2 / (len(X) - 1)
'''),
    # Dividing by N instead of N - 1 changes the variances by a factor (N - 1) / N: accepted.
    Alternative("pca_np_cov_divided_by_n", "pca", source='''\
def pca(X, k):
    mean = np.mean(X, axis=0)
    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False, bias=True))
    values, vectors = values[::-1], vectors[:, ::-1]
    components = vectors[:, :k].T
    return (X - mean) @ components.T, components, values[:k]
'''),

    # ---- whiten ----------------------------------------------------------------
    # Fine on well-conditioned data; the digits' directions without variance give nan.
    Mistake("whiten_without_eps", "whiten", _WHITE, "white = Xc @ vectors / np.sqrt(values)", loses=WHITEN_EPS,
            why="divide by sqrt(variance) without eps, which blows up on directions of zero variance"),
    Mistake("whiten_eps_outside_the_sqrt", "whiten", _WHITE,
            "white = Xc @ vectors / (np.sqrt(np.maximum(values, 0.0)) + eps)", loses=WHITEN_EPS,
            why="add eps after the square root instead of inside it"),
    Mistake("whiten_divides_by_the_eigenvalues", "whiten", _WHITE,
            "white = Xc @ vectors / (np.maximum(values, 0.0) + eps)", loses=(WHITEN, WHITEN_EPS),
            why="divide by the eigenvalues instead of their square roots"),
    Mistake("whiten_without_centering", "whiten", "Xc = X - X.mean(axis=0)", "Xc = X", loses=(WHITEN, WHITEN_EPS),
            why="skip centring the data before rotating it"),
    Mistake("whiten_smallest_first", "whiten", "order = np.argsort(values)[::-1]", "order = np.argsort(values)",
            loses=(WHITEN, WHITEN_EPS), why="order the directions from the smallest variance to the largest"),
    Mistake("whiten_with_torch", "whiten", "values, vectors = np.linalg.eigh(np.cov(Xc, rowvar=False))",
            "values, vectors = (t.numpy() for t in torch.linalg.eigh(torch.tensor(np.cov(Xc, rowvar=False))))",
            loses=(WHITEN, WHITEN_EPS), why="compute the eigenvectors with PyTorch inside a NumPy exercise"),
    Alternative("whiten_svd", "whiten", source='''\
def whiten(X, eps=1e-5):
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt.T / np.sqrt(S ** 2 / (len(X) - 1) + eps)
'''),
    # Reuses the (correct) pca of Exercise 8, with every direction.
    Alternative("whiten_from_pca", "whiten", source='''\
def whiten(X, eps=1e-5):
    Z, _, variances = pca(X, X.shape[1])
    return Z / np.sqrt(np.clip(variances, 0.0, None) + eps)
'''),

    # ---- tune_learning_rate ----------------------------------------------------
    # On the real runs the last epoch points to the same learning rate: the scripted test alone sees it.
    Mistake("tune_last_epoch", "tune_learning_rate", "val_accs.append(solver.best_val_acc)",
            "val_accs.append(solver.val_acc_history[-1])", loses=TUNE,
            why="score each run by its last epoch instead of its best validation accuracy"),
    Mistake("tune_training_accuracy", "tune_learning_rate", "val_accs.append(solver.best_val_acc)",
            "val_accs.append(max(solver.train_acc_history))", loses=TUNE,
            why="choose the learning rate by training accuracy instead of validation accuracy"),
    Mistake("tune_returns_the_index", "tune_learning_rate", _TUNE_BEST, "best_lr = int(np.argmax(val_accs))",
            loses=(TUNE, TUNE_REAL),
            why="return the index of the best learning rate instead of the rate itself"),
    Mistake("tune_lowest", "tune_learning_rate", _TUNE_BEST, "best_lr = learning_rates[int(np.argmin(val_accs))]",
            loses=(TUNE, TUNE_REAL),
            why="choose the learning rate with the lowest validation accuracy (argmin for argmax)"),
    Mistake("tune_last_of_equal_ones", "tune_learning_rate", _TUNE_BEST,
            "best_lr = learning_rates[len(val_accs) - 1 - int(np.argmax(val_accs[::-1]))]", loses=TUNE,
            why="break a tie in favour of the later learning rate instead of the first"),
    Mistake("tune_with_torch", "tune_learning_rate", _TUNE_BEST,
            "best_lr = learning_rates[int(torch.argmax(torch.tensor(val_accs)))]", loses=(TUNE, TUNE_REAL),
            why="pick the best with torch.argmax inside a NumPy exercise"),
    Alternative("tune_max_with_key", "tune_learning_rate", source='''\
def tune_learning_rate(train, learning_rates):
    val_accs = [train(lr).best_val_acc for lr in learning_rates]
    best_lr, _ = max(zip(learning_rates, val_accs), key=lambda pair: pair[1])
    return best_lr, val_accs
'''),
    Alternative("tune_strict_loop", "tune_learning_rate", source='''\
def tune_learning_rate(train, learning_rates):
    best_lr, best_acc, val_accs = None, -1.0, []
    for lr in learning_rates:
        acc = float(train(lr).best_val_acc)
        val_accs.append(acc)
        if acc > best_acc:
            best_lr, best_acc = lr, acc
    return best_lr, np.array(val_accs)
'''),
]

DEMO_MISTAKE = "he_without_factor_2"
