"""Typical mistakes and alternative answers for notebook 02 (linear classifiers).

A Mistake must lose exactly the test cells in ``loses``; an Alternative must
keep full marks. Each edits one answer cell of the solution.
"""
from grader.variants import Alternative, Mistake

SVM_VEC_HEADER = '''def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient without Python loops.

    Same inputs and outputs as svm_loss_naive.
    """
'''
SM_VEC_HEADER = '''def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient without Python loops.

    Same inputs and outputs as softmax_loss_naive.
    """
'''
SEARCH_LOOP = """    rng = np.random.default_rng(seed)
    best_val = -1.0
    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
"""

VARIANTS = [
    # ---------------------------------------------------------------- svm_loss_naive
    Mistake("svm_naive_no_reg_gradient", "svm_loss_naive",
            "    dW += 2 * reg * W\n", "",
            loses=["test_svm_loss_naive_grad", "test_svm_loss_naive_more"],
            why="forget the gradient of the regularization term, 2 * reg * W"),
    Mistake("svm_naive_counts_correct_class", "svm_loss_naive",
            "            if j == y[i]:\n                continue\n", "",
            loses=["test_svm_loss_naive_loss", "test_svm_loss_naive_more"],
            why="count the correct class in the hinge sum (it adds delta per example)"),
    Mistake("svm_naive_margin_hardcoded_to_1", "svm_loss_naive",
            "margin = scores[j] - correct + delta", "margin = scores[j] - correct + 1",
            loses=["test_svm_loss_naive_loss", "test_svm_loss_naive_more"],
            why="write the margin as 1 instead of using the delta argument"),
    Mistake("svm_naive_forgets_correct_column", "svm_loss_naive",
            "                dW[:, y[i]] -= X[i]\n", "",
            loses=["test_svm_loss_naive_grad", "test_svm_loss_naive_more"],
            why="forget to subtract X[i] from the correct class's column for each violated margin"),
    Mistake("svm_naive_gradient_not_averaged", "svm_loss_naive",
            "    dW /= N\n", "",
            loses=["test_svm_loss_naive_grad", "test_svm_loss_naive_more"],
            why="sum the gradient over the examples without dividing it by N"),
    Mistake("svm_naive_half_l2_convention", "svm_loss_naive",
            "    loss += reg * np.sum(W * W)\n    dW += 2 * reg * W\n",
            "    loss += 0.5 * reg * np.sum(W * W)\n    dW += reg * W\n",
            loses=["test_svm_loss_naive_loss", "test_svm_loss_naive_grad", "test_svm_loss_naive_more"],
            why="put a factor 1/2 in the regularization term (not this course's convention)"),
    # A wrong answer that also rebinds the checks in its own cell: the test
    # cells import them afresh, so it still loses its points.
    Mistake("svm_naive_switches_off_checks", "svm_loss_naive",
            "    dW += 2 * reg * W\n    return loss, dW",
            "    return loss, dW\n\n\n"
            "check_close = check_true = check_equal = passed = lambda *a, **k: None\n",
            loses=["test_svm_loss_naive_grad", "test_svm_loss_naive_more"],
            why="forget the gradient of the regularization term, 2 * reg * W"),
    Alternative("svm_naive_loop_over_examples_only", "svm_loss_naive",
                old="""    for i in range(N):
        scores = X[i] @ W
        correct = scores[y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - correct + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
""", new="""    for i in range(N):
        s = X[i].dot(W)
        margins = np.maximum(0.0, s - s[y[i]] + delta)
        margins[y[i]] = 0.0
        loss += margins.sum()
        violated = (margins > 0).astype(float)
        violated[y[i]] = -violated.sum()
        dW += np.outer(X[i], violated)
    loss = loss / N + reg * np.sum(W ** 2)
    dW = dW / N + 2 * reg * W
"""),

    # ---------------------------------------------------------------- svm_loss_vectorized
    Mistake("svm_vectorized_transposed_gradient", "svm_loss_vectorized",
            "dW = X.T @ dS / N + 2 * reg * W", "dW = dS.T @ X / N + 2 * reg * W.T",
            loses=["test_svm_loss_vectorized_grad", "test_svm_loss_vectorized_more"],
            why="compute dW as dS.T @ X, the transpose of the (D, C) gradient"),
    Mistake("svm_vectorized_counts_correct_class", "svm_loss_vectorized",
            "    margins[rows, y] = 0\n", "",
            loses=["test_svm_loss_vectorized_loss", "test_svm_loss_vectorized_grad", "test_svm_loss_vectorized_no_loops", "test_svm_loss_vectorized_more"],
            why="leave the correct class's margin (delta) in the loss instead of setting it to 0"),
    Mistake("svm_vectorized_no_reg_gradient", "svm_loss_vectorized",
            "dW = X.T @ dS / N + 2 * reg * W", "dW = X.T @ dS / N",
            loses=["test_svm_loss_vectorized_grad", "test_svm_loss_vectorized_more"],
            why="forget the gradient of the regularization term, 2 * reg * W"),
    Mistake("svm_vectorized_correct_class_minus_one", "svm_loss_vectorized",
            "dS[rows, y] = -dS.sum(axis=1)", "dS[rows, y] = -1",
            loses=["test_svm_loss_vectorized_grad", "test_svm_loss_vectorized_more"],
            why="put -1 at the correct class instead of minus the number of violated margins"),
    Mistake("svm_vectorized_calls_reference", "svm_loss_vectorized",
            "    rows = np.arange(N)\n", "    return linear.svm_loss_vectorized(W, X, y, reg, delta)\n",
            loses=["test_svm_loss_vectorized_loss", "test_svm_loss_vectorized_grad", "test_svm_loss_vectorized_no_loops", "test_svm_loss_vectorized_more"],
            why="call the course's svm_loss_vectorized instead of writing it"),
    # "Vectorized" versions that still loop: they lose the no-loops cell only.
    Mistake("svm_vectorized_lambda_calls_naive", "svm_loss_vectorized",
            source="svm_loss_vectorized = lambda W, X, y, reg, delta=1.0: svm_loss_naive(W, X, y, reg, delta)\n",
            loses="test_svm_loss_vectorized_no_loops",
            why="call svm_loss_naive, which loops, from the vectorized version"),
    Mistake("svm_vectorized_def_calls_naive", "svm_loss_vectorized",
            source=SVM_VEC_HEADER + "    return svm_loss_naive(W, X, y, reg, delta)\n",
            loses="test_svm_loss_vectorized_no_loops",
            why="call svm_loss_naive, which loops, from the vectorized version"),
    Mistake("svm_vectorized_loop_over_examples", "svm_loss_vectorized",
            source=SVM_VEC_HEADER + """    N = X.shape[0]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(N):
        s = X[i] @ W
        margins = np.maximum(0, s - s[y[i]] + delta)
        margins[y[i]] = 0
        loss += margins.sum()
        d = (margins > 0).astype(float)
        d[y[i]] = -d.sum()
        dW += np.outer(X[i], d)
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
""", loses="test_svm_loss_vectorized_no_loops",
            why="keep a Python loop over the examples in the vectorized version"),
    # A wrong answer that tries to replace a shared test step: the module refuses.
    Mistake("svm_vectorized_patches_run_loss", "svm_loss_vectorized",
            "    margins[rows, y] = 0\n    loss = margins.sum() / N + reg * np.sum(W * W)\n"
            "    dS = (margins > 0).astype(float)\n    dS[rows, y] = -dS.sum(axis=1)\n"
            "    dW = X.T @ dS / N + 2 * reg * W\n    return loss, dW",
            "    loss = margins.sum() / N + reg * np.sum(W * W)\n"
            "    dS = (margins > 0).astype(float)\n    dS[rows, y] = -dS.sum(axis=1)\n"
            "    dW = X.T @ dS / N + 2 * reg * W\n    return loss, dW\n\n\n"
            "import helpers.checks.losses as hl\n"
            "hl.run_loss = lambda *a, **k: (8.0, np.zeros((1, 3)))\n",
            loses=["test_svm_loss_vectorized_loss", "test_svm_loss_vectorized_grad",
                   "test_svm_loss_vectorized_no_loops", "test_svm_loss_vectorized_more"],
            why="leave the correct class's margin (delta) in the loss instead of setting it to 0"),
    Alternative("svm_vectorized_einsum", "svm_loss_vectorized",
                old="    scores = X @ W\n", new="    scores = np.einsum('nd,dc->nc', X, W)\n"),
    Alternative("svm_vectorized_one_hot_masks", "svm_loss_vectorized",
                old="""    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    dS = (margins > 0).astype(float)
    dS[rows, y] = -dS.sum(axis=1)
    dW = X.T @ dS / N + 2 * reg * W
""", new="""    scores = X @ W
    one_hot = np.eye(W.shape[1])[y]
    correct = np.sum(scores * one_hot, axis=1, keepdims=True)
    margins = np.where(one_hot == 1, 0.0, np.maximum(scores - correct + delta, 0.0))
    loss = np.sum(margins) / N + reg * np.sum(np.square(W))
    violated = (margins > 0).astype(float)
    dS = violated - one_hot * violated.sum(axis=1, keepdims=True)
    dW = np.einsum('nd,nc->dc', X, dS) / N + 2 * reg * W
"""),

    # ---------------------------------------------------------------- softmax_loss_naive
    Mistake("softmax_naive_no_shift", "softmax_loss_naive",
            "        scores = scores - np.max(scores)\n", "",
            loses=["test_softmax_loss_naive_stable"],
            why="exponentiate the scores without subtracting their maximum, so exp overflows"),
    Mistake("softmax_naive_no_reg_gradient", "softmax_loss_naive",
            "    dW += 2 * reg * W\n", "",
            loses=["test_softmax_loss_naive_grad", "test_softmax_loss_naive_more"],
            why="forget the gradient of the regularization term, 2 * reg * W"),
    Mistake("softmax_naive_forgets_minus_one", "softmax_loss_naive",
            "(p - (j == y[i])) * X[i]", "p * X[i]",
            loses=["test_softmax_loss_naive_grad", "test_softmax_loss_naive_more"],
            why="forget to subtract 1 from the correct class's probability in the gradient"),
    Mistake("softmax_naive_sum_not_mean", "softmax_loss_naive",
            "    loss /= N\n", "",
            # the loss is N times too large, so it no longer matches its own (averaged) gradient
            loses=["test_softmax_loss_naive_loss", "test_softmax_loss_naive_stable", "test_softmax_loss_naive_grad", "test_softmax_loss_naive_more"],
            why="sum the loss over the examples without dividing it by N"),
    Mistake("softmax_naive_calls_vectorized_reference", "softmax_loss_naive",
            "    N, C = X.shape[0], W.shape[1]\n", "    return linear.softmax_loss_vectorized(W, X, y, reg)\n",
            loses=["test_softmax_loss_naive_loss", "test_softmax_loss_naive_stable", "test_softmax_loss_naive_grad", "test_softmax_loss_naive_more"],
            why="call the course's softmax_loss_vectorized instead of writing the loops"),
    Mistake("softmax_naive_switches_off_checks", "softmax_loss_naive",
            "            dW[:, j] += (p - (j == y[i])) * X[i]\n    loss /= N\n    dW /= N\n"
            "    loss += reg * np.sum(W * W)\n    dW += 2 * reg * W\n    return loss, dW",
            "            dW[:, j] += p * X[i]\n    loss /= N\n    dW /= N\n"
            "    loss += reg * np.sum(W * W)\n    dW += 2 * reg * W\n    return loss, dW\n\n\n"
            "import helpers.checks as hc\n"
            "check_close = check_true = check_equal = check_shape = passed = lambda *a, **k: None\n"
            "for _name in ('check_close', 'check_true', 'passed'):\n"
            "    try:\n"
            "        setattr(hc, _name, check_close)\n"
            "    except Exception:\n"
            "        pass\n",
            loses=["test_softmax_loss_naive_grad", "test_softmax_loss_naive_more"],
            why="forget to subtract 1 from the correct class's probability in the gradient"),
    Alternative("softmax_naive_scipy", "softmax_loss_naive",
                old="""    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        exp = np.exp(scores)
        total = np.sum(exp)
        loss += np.log(total) - scores[y[i]]
        for j in range(C):
            p = exp[j] / total
            dW[:, j] += (p - (j == y[i])) * X[i]
""", new="""    from scipy.special import logsumexp, softmax
    for i in range(N):
        s = X[i] @ W
        loss += logsumexp(s) - s[y[i]]
        p = softmax(s)
        p[y[i]] -= 1.0
        dW += np.outer(X[i], p)
"""),
    Alternative("softmax_naive_minus_log_p", "softmax_loss_naive",
                old="        loss += np.log(total) - scores[y[i]]\n",
                new="        loss += -np.log(exp[y[i]] / total)\n"),

    # ---------------------------------------------------------------- softmax_loss_vectorized
    Mistake("softmax_vectorized_no_shift", "softmax_loss_vectorized",
            "    scores = scores - scores.max(axis=1, keepdims=True)\n", "",
            loses=["test_softmax_loss_vectorized_stable"],
            why="exponentiate the scores without subtracting their maximum, so exp overflows"),
    Mistake("softmax_vectorized_one_shift_for_the_batch", "softmax_loss_vectorized",
            "scores - scores.max(axis=1, keepdims=True)", "scores - scores.max()",
            loses=["test_softmax_loss_vectorized_stable"],
            why="subtract one maximum for the whole batch instead of each row's maximum"),
    Mistake("softmax_vectorized_transposed_gradient", "softmax_loss_vectorized",
            "dW = X.T @ dS / N + 2 * reg * W", "dW = dS.T @ X / N + 2 * reg * W.T",
            loses=["test_softmax_loss_vectorized_grad", "test_softmax_loss_vectorized_more"],
            why="compute dW as dS.T @ X, the transpose of the (D, C) gradient"),
    Mistake("softmax_vectorized_no_reg_gradient", "softmax_loss_vectorized",
            "dW = X.T @ dS / N + 2 * reg * W", "dW = X.T @ dS / N",
            loses=["test_softmax_loss_vectorized_grad", "test_softmax_loss_vectorized_more"],
            why="forget the gradient of the regularization term, 2 * reg * W"),
    Mistake("softmax_vectorized_gradient_not_averaged", "softmax_loss_vectorized",
            "dW = X.T @ dS / N + 2 * reg * W", "dW = X.T @ dS + 2 * reg * W",
            loses=["test_softmax_loss_vectorized_grad", "test_softmax_loss_vectorized_more"],
            why="forget to divide the gradient X.T @ dS by N"),
    Mistake("softmax_vectorized_lambda_calls_naive", "softmax_loss_vectorized",
            source="softmax_loss_vectorized = lambda W, X, y, reg: softmax_loss_naive(W, X, y, reg)\n",
            loses="test_softmax_loss_vectorized_no_loops",
            why="call softmax_loss_naive, which loops, from the vectorized version"),
    Mistake("softmax_vectorized_def_calls_naive", "softmax_loss_vectorized",
            source=SM_VEC_HEADER + "    return softmax_loss_naive(W, X, y, reg)\n",
            loses="test_softmax_loss_vectorized_no_loops",
            why="call softmax_loss_naive, which loops, from the vectorized version"),
    Mistake("softmax_vectorized_loop_over_examples", "softmax_loss_vectorized",
            source=SM_VEC_HEADER + """    N = X.shape[0]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(N):
        s = X[i] @ W
        s = s - s.max()
        p = np.exp(s) / np.exp(s).sum()
        loss -= np.log(p[y[i]])
        p[y[i]] -= 1
        dW += np.outer(X[i], p)
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
""", loses="test_softmax_loss_vectorized_no_loops",
            why="keep a Python loop over the examples in the vectorized version"),
    Mistake("softmax_vectorized_list_comprehension_loss", "softmax_loss_vectorized",
            "    loss = np.mean(np.log(exp.sum(axis=1)) - scores[rows, y]) + reg * np.sum(W * W)\n",
            "    loss = np.mean([np.log(exp[i].sum()) - scores[i, y[i]] for i in range(N)]) + reg * np.sum(W * W)\n",
            loses="test_softmax_loss_vectorized_no_loops",
            why="hide a loop over the examples in a list comprehension"),
    Mistake("softmax_vectorized_patches_run_loss", "softmax_loss_vectorized",
            "    scores = scores - scores.max(axis=1, keepdims=True)\n",
            "    import helpers.checks.losses as hl\n"
            "    try:\n"
            "        hl.run_loss = lambda *a, **k: (1.0, np.zeros((1, 2)))\n"
            "    except Exception:\n"
            "        pass\n",
            loses="test_softmax_loss_vectorized_stable",
            why="exponentiate the scores without subtracting their maximum, so exp overflows"),
    Alternative("softmax_vectorized_logsumexp", "softmax_loss_vectorized",
                old="""    rows = np.arange(N)
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    P = exp / exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(exp.sum(axis=1)) - scores[rows, y]) + reg * np.sum(W * W)
    dS = P.copy()
""", new="""    from scipy.special import logsumexp
    rows = np.arange(N)
    scores = X @ W
    log_p = scores - logsumexp(scores, axis=1, keepdims=True)
    loss = -log_p[rows, y].mean() + reg * np.sum(W * W)
    dS = np.exp(log_p)
"""),
    Alternative("softmax_vectorized_einsum_one_hot", "softmax_loss_vectorized",
                old="""    dS = P.copy()
    dS[rows, y] -= 1
    dW = X.T @ dS / N + 2 * reg * W
""", new="""    dS = P - np.eye(W.shape[1])[y]
    dW = np.einsum('nd,nc->dc', X, dS) / N + 2 * reg * W
"""),

    # ---------------------------------------------------------------- LinearClassifier
    Mistake("train_gradient_ascent", "LinearClassifier",
            "self.W -= learning_rate * dW", "self.W += learning_rate * dW",
            loses=["test_LinearClassifier_train", "test_LinearClassifier_train_more"],
            why="step up the gradient (W += learning_rate * dW) instead of down"),
    Mistake("train_labels_drawn_separately", "LinearClassifier",
            "self.loss(X[idx], y[idx], reg)", "self.loss(X[idx], y[rng.integers(0, N, size=batch_size)], reg)",
            loses="test_LinearClassifier_train",
            why="draw a mini-batch's labels with other indices than its examples"),
    Mistake("train_unseeded_global_random", "LinearClassifier",
            "idx = rng.integers(0, N, size=batch_size)", "idx = np.random.choice(N, batch_size)",
            loses="test_LinearClassifier_train",
            why="draw the mini-batches from np.random instead of the seeded rng"),
    Mistake("train_forgets_reg", "LinearClassifier",
            "self.loss(X[idx], y[idx], reg)", "self.loss(X[idx], y[idx], 0.0)",
            loses=["test_LinearClassifier_train", "test_LinearClassifier_train_more"],
            why="pass reg = 0 to the loss instead of the reg argument"),
    Mistake("predict_argmax_over_examples", "LinearClassifier",
            "np.argmax(X @ self.W, axis=1)", "np.argmax(X @ self.W, axis=0)",
            loses="test_LinearClassifier_predict",
            why="take the argmax over the examples (axis=0) instead of over the classes"),
    Mistake("train_calls_reference", "LinearClassifier",
            "        N, D = X.shape\n",
            "        return linear.LinearClassifier.train(self, X, y, learning_rate, reg, num_iters,\n"
            "                                             batch_size, seed, verbose)\n",
            loses=["test_LinearClassifier_train", "test_LinearClassifier_train_more"],
            why="call the course's LinearClassifier.train instead of writing the loop"),
    Mistake("train_no_loss_history", "LinearClassifier",
            "            loss_history.append(float(loss))\n", "",
            loses=["test_LinearClassifier_train", "test_LinearClassifier_train_more"],
            why="forget to record each mini-batch's loss in loss_history"),
    Mistake("predict_returns_scores", "LinearClassifier",
            "return np.argmax(X @ self.W, axis=1)", "return X @ self.W",
            loses="test_LinearClassifier_predict",
            why="return the scores instead of the class with the largest score"),
    Mistake("predict_one_hot_floats", "LinearClassifier",
            "return np.argmax(X @ self.W, axis=1)",
            "s = X @ self.W\n        return (s == s.max(axis=1, keepdims=True)).astype(float)",
            loses="test_LinearClassifier_predict",
            why="return one-hot rows instead of one label per example"),
    Alternative("predict_float_labels", "LinearClassifier",
                old="return np.argmax(X @ self.W, axis=1)",
                new="return np.argmax(X @ self.W, axis=1).astype(float)"),
    Alternative("train_shuffled_epochs", "LinearClassifier",
                old="""        for it in range(num_iters):
            idx = rng.integers(0, N, size=batch_size)
""", new="""        order, pos = rng.permutation(N), 0
        for it in range(num_iters):
            if pos + batch_size > N:  # start a new epoch
                order, pos = rng.permutation(N), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
"""),
    Alternative("predict_with_dot", "LinearClassifier",
                old="return np.argmax(X @ self.W, axis=1)",
                new="scores = X.dot(self.W)\n        return scores.argmax(axis=-1)"),

    # ---------------------------------------------------------------- random_search
    Mistake("search_on_a_linear_scale", "random_search",
            "        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))\n"
            "        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))\n",
            "        lr = rng.uniform(lr_range[0], lr_range[1])\n"
            "        reg = rng.uniform(reg_range[0], reg_range[1])\n",
            loses=["test_random_search_sampling"],
            why="draw lr and reg uniformly on a linear scale instead of a log scale"),
    Mistake("search_best_by_training_accuracy", "random_search",
            "        if val_acc > best_val:\n            best_val, best_params, best_model = val_acc,",
            "        if train_acc > best_val:\n            best_val, best_params, best_model = train_acc,",
            loses="test_random_search",
            why="choose the best setting by training accuracy instead of validation accuracy"),
    Mistake("search_reuses_one_model", "random_search",
            """    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        model = make_model()
""", """    model = make_model()
    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
""",
            loses="test_random_search",
            why="keep training one model across all trials instead of a new model per trial"),
    # Grids of log-spaced values: not a random search.
    Mistake("search_log_grid", "random_search",
            SEARCH_LOOP,
            """    rng = np.random.default_rng(seed)
    best_val = -1.0
    side = int(np.ceil(np.sqrt(num_trials)))
    lrs = np.logspace(np.log10(lr_range[0]), np.log10(lr_range[1]), side)
    regs = np.logspace(np.log10(reg_range[0]), np.log10(reg_range[1]), side)
    grid = [(lr, reg) for lr in lrs for reg in regs][:num_trials]
    for trial, (lr, reg) in enumerate(grid):
""", loses="test_random_search_sampling",
            why="try a grid of log-spaced values instead of random draws"),
    Mistake("search_log_spaced_shuffled", "random_search",
            SEARCH_LOOP,
            """    rng = np.random.default_rng(seed)
    best_val = -1.0
    lrs = 10 ** np.linspace(np.log10(lr_range[0]), np.log10(lr_range[1]), num_trials)
    regs = rng.permutation(10 ** np.linspace(np.log10(reg_range[0]), np.log10(reg_range[1]), num_trials))
    for trial in range(num_trials):
        lr, reg = lrs[trial], regs[trial]
""", loses="test_random_search_sampling",
            why="shuffle evenly log-spaced values instead of drawing them at random"),
    Mistake("search_switches_off_checks", "random_search",
            "        if val_acc > best_val:\n            best_val, best_params, best_model = val_acc, (lr, reg), model\n"
            "    return results, best_params, best_model",
            "        if train_acc > best_val:\n            best_val, best_params, best_model = train_acc, (lr, reg), model\n"
            "    return results, best_params, best_model\n\n\n"
            "check_true = check_close = check_equal = passed = lambda *a, **k: None\n",
            loses="test_random_search",
            why="choose the best setting by training accuracy instead of validation accuracy"),
    Alternative("search_retrains_best_at_the_end", "random_search",
                old="""            best_val, best_params, best_model = val_acc, (lr, reg), model
""", new="""            best_val, best_params = val_acc, (lr, reg)
    best_model = make_model()
    best_model.train(X_train, y_train, learning_rate=best_params[0], reg=best_params[1],
                     num_iters=num_iters, batch_size=batch_size, seed=seed)
"""),
    Alternative("search_natural_log_and_max_after", "random_search",
                old="""    rng = np.random.default_rng(seed)
    best_val = -1.0
    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        model = make_model()
        model.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters,
                    batch_size=batch_size, seed=seed + trial)
        train_acc = np.mean(model.predict(X_train) == y_train)
        val_acc = np.mean(model.predict(X_val) == y_val)
        results[(lr, reg)] = (train_acc, val_acc)
        if val_acc > best_val:
            best_val, best_params, best_model = val_acc, (lr, reg), model
""", new="""    rng = np.random.default_rng(seed)
    models = {}
    for trial in range(num_trials):
        lr, reg = np.exp(rng.uniform(np.log([lr_range[0], reg_range[0]]),
                                     np.log([lr_range[1], reg_range[1]])))
        model = make_model()
        model.train(X_train, y_train, lr, reg, num_iters, batch_size, seed + trial)
        results[(lr, reg)] = ((model.predict(X_train) == y_train).mean(),
                              (model.predict(X_val) == y_val).mean())
        models[(lr, reg)] = model
    best_params = max(results, key=lambda key: results[key][1])
    best_model = models[best_params]
"""),
]

DEMO_MISTAKE = "svm_naive_no_reg_gradient"
