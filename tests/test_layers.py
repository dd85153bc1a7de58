"""helpers.layers: every backward pass against PyTorch autograd and against the
numerical gradient, the losses against torch.nn.functional, stability, and the
ValueErrors for inputs of the wrong shape."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import layers
from helpers.checks.oracles import torch_grads
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.checks import ReferenceUsed, without_reference

SMOOTH = 1e-7
FAST = settings(max_examples=15, deadline=None)


def away_from_zero(x, margin=0.1):
    """Push values out of (-margin, margin): no kink inside a centered difference."""
    return np.where(x >= 0, x + margin, x - margin)


def torch_backward(f, arrays, dout):
    """Gradients of sum(f(*tensors) * dout) with respect to each array, by autograd."""
    return torch_grads(f, *arrays, upstream=dout)[1]


def torch_affine(x, w, b):
    return F.linear(x.reshape(x.shape[0], -1), w.T, b)


shapes = st.tuples(st.integers(1, 4), st.lists(st.integers(1, 3), min_size=1, max_size=3))


# --------------------------------------------------------------------------
# Affine
# --------------------------------------------------------------------------

@FAST
@given(shape=shapes, m=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_affine_forward_and_backward_match_torch(shape, m, seed):
    n, rest = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *rest))
    d = int(np.prod(rest))
    w, b = rng.standard_normal((d, m)), rng.standard_normal(m)
    dout = rng.standard_normal((n, m))

    out, cache = layers.affine_forward(x, w, b)
    want = torch_affine(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy()
    assert out.shape == (n, m)
    assert rel_error(out, want) < 1e-12

    dx, dw, db = layers.affine_backward(dout, cache)
    tdx, tdw, tdb = torch_backward(torch_affine, [x, w, b], dout)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)
    assert rel_error(dx, tdx) < 1e-12
    assert rel_error(dw, tdw) < 1e-12
    assert rel_error(db, tdb) < 1e-12


def test_affine_backward_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 2, 4)), rng.standard_normal((8, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((3, 5))
    dx, dw, db = layers.affine_backward(dout, layers.affine_forward(x, w, b)[1])
    f = lambda x_, w_, b_: torch_affine(torch.tensor(x_), torch.tensor(w_), torch.tensor(b_)).numpy()
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: f(v, w, b), x.copy(), dout)) < SMOOTH
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: f(x, v, b), w.copy(), dout)) < SMOOTH
    assert rel_error(db, eval_numerical_gradient_array(lambda v: f(x, w, v), b.copy(), dout)) < SMOOTH


def test_affine_does_not_change_its_inputs():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = layers.affine_forward(x, w, b)
    layers.affine_backward(np.ones_like(out), cache)
    for a, c in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("x_shape, w_shape, b_shape, match", [
    ((2, 3), (4, 5), (5,), "first dimension must be D = 3"),
    ((2, 2, 3), (5, 5), (5,), "flattens to"),
    ((2, 3), (3, 5), (4,), "b must have shape"),
    ((2, 3), (3, 5), (1, 5), "b must have shape"),
    ((3,), (3, 5), (5,), "at least 2 dimensions"),
    ((2, 3), (3,), (5,), "w must be 2-D"),
])
def test_affine_forward_rejects_wrong_shapes(x_shape, w_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        layers.affine_forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape))


def test_affine_backward_rejects_wrong_dout():
    _, cache = layers.affine_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"dout has shape \(4, 2\)"):
        layers.affine_backward(np.zeros((4, 2)), cache)


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------

ACTIVATIONS = [
    ("relu", layers.relu_forward, layers.relu_backward, torch.relu),
    ("sigmoid", layers.sigmoid_forward, layers.sigmoid_backward, torch.sigmoid),
    ("tanh", layers.tanh_forward, layers.tanh_backward, torch.tanh),
]


@pytest.mark.parametrize("name, fwd, bwd, oracle", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_activation_matches_torch(name, fwd, bwd, oracle, shape, seed):
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng.standard_normal(shape) * 2)
    dout = rng.standard_normal(shape)
    out, cache = fwd(x)
    assert out.shape == x.shape
    assert rel_error(out, oracle(torch.tensor(x)).numpy()) < 1e-12
    (tdx,) = torch_backward(oracle, [x], dout)
    # 1e-10: for tanh near saturation, 1 - tanh(x)**2 loses a few digits to cancellation.
    assert rel_error(bwd(dout, cache), tdx) < 1e-10


@pytest.mark.parametrize("name, fwd, bwd, oracle", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_backward_matches_numerical_gradient(name, fwd, bwd, oracle):
    rng = np.random.default_rng(3)
    x = away_from_zero(rng.standard_normal((3, 4)))
    dout = rng.standard_normal((3, 4))
    dx = bwd(dout, fwd(x)[1])
    num = eval_numerical_gradient_array(lambda v: oracle(torch.tensor(v)).numpy(), x.copy(), dout)
    assert rel_error(dx, num) < SMOOTH


@pytest.mark.parametrize("name, fwd, bwd, oracle", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_backward_rejects_wrong_dout(name, fwd, bwd, oracle):
    _, cache = fwd(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout has shape"):
        bwd(np.ones((3, 2)), cache)


def test_relu_caches_its_input_and_leaves_it_alone():
    x = np.array([-1.0, 0.0, 2.0])
    out, cache = layers.relu_forward(x)
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(x, [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(cache, x)
    np.testing.assert_array_equal(layers.relu_backward(np.ones(3), cache), [0.0, 0.0, 1.0])


def test_sigmoid_is_stable_and_keeps_float32():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"):  # underflow to 0 is fine
        out, cache = layers.sigmoid_forward(x)
    np.testing.assert_allclose(out, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-12, atol=0)
    assert out[0] == 0.0 and out[-1] == 1.0
    assert cache is out
    out32, _ = layers.sigmoid_forward(x.astype(np.float32))
    assert out32.dtype == np.float32


def test_sigmoid_worked_example():
    """Seed 004: sigma(1.0) = 0.731 and the local gradient is 0.197."""
    out, cache = layers.sigmoid_forward(np.array([1.0]))
    assert round(float(out[0]), 3) == 0.731
    assert round(float(layers.sigmoid_backward(np.array([1.0]), cache)[0]), 3) == 0.197


def test_sigmoid_of_integers_is_float():
    out, _ = layers.sigmoid_forward(np.array([0, 1, -1]))
    assert out.dtype == np.float64 and out[0] == 0.5


# --------------------------------------------------------------------------
# Sandwich layer
# --------------------------------------------------------------------------

def test_affine_relu_matches_torch_and_numerical_gradient():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    pre = x.reshape(4, -1) @ w + b
    assert np.abs(pre).min() > 1e-3  # no ReLU kink within h of the inputs
    dout = rng.standard_normal((4, 5))
    out, cache = layers.affine_relu_forward(x, w, b)
    f = lambda x_, w_, b_: torch.relu(torch_affine(x_, w_, b_))
    assert rel_error(out, f(*map(torch.tensor, (x, w, b))).numpy()) < 1e-12
    dx, dw, db = layers.affine_relu_backward(dout, cache)
    for mine, theirs in zip((dx, dw, db), torch_backward(f, [x, w, b], dout)):
        assert rel_error(mine, theirs) < 1e-12
    g = lambda w_: f(*map(torch.tensor, (x, w_, b))).numpy()
    assert rel_error(dw, eval_numerical_gradient_array(g, w.copy(), dout)) < SMOOTH


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------

def torch_svm(x, y):
    """Oracle: torch's multi_margin_loss divides each sample's hinge sum by C."""
    xt = torch.tensor(x, requires_grad=True)
    loss = x.shape[1] * F.multi_margin_loss(xt, torch.tensor(y), p=1, margin=1.0)
    loss.backward()
    return loss.item(), xt.grad.numpy()


def torch_softmax(x, y):
    xt = torch.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, torch.tensor(y))
    loss.backward()
    return loss.item(), xt.grad.numpy()


def min_abs_margin(x, y):
    m = x - x[np.arange(len(y)), y][:, None] + 1.0
    m[np.arange(len(y)), y] = np.inf
    return np.abs(m).min()


@FAST
@given(n=st.integers(1, 6), c=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_softmax_loss_matches_cross_entropy(n, c, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, c)) * 3, rng.integers(0, c, n)
    loss, dx = layers.softmax_loss(x, y)
    tl, tdx = torch_softmax(x, y)
    assert isinstance(loss, float)
    assert abs(loss - tl) <= 1e-12 * max(1.0, abs(tl))
    assert rel_error(dx, tdx) < 1e-12


@FAST
@given(n=st.integers(1, 6), c=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_svm_loss_matches_multi_margin_loss(n, c, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, c)) * 3, rng.integers(0, c, n)
    if min_abs_margin(x, y) < 1e-6:  # at a kink torch may choose another subgradient
        return
    loss, dx = layers.svm_loss(x, y)
    tl, tdx = torch_svm(x, y)
    assert abs(loss - tl) <= 1e-12 * max(1.0, abs(tl))
    assert rel_error(dx, tdx) < 1e-12


@pytest.mark.parametrize("loss_fn", [layers.softmax_loss, layers.svm_loss], ids=["softmax", "svm"])
def test_loss_gradient_matches_numerical_gradient(loss_fn):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((5, 4)) * 2, rng.integers(0, 4, 5)
    assert min_abs_margin(x, y) > 1e-3  # away from the hinge
    _, dx = loss_fn(x, y)
    num = eval_numerical_gradient(lambda v: loss_fn(v, y)[0], x.copy())
    assert rel_error(dx, num) < SMOOTH


def test_softmax_loss_is_stable_for_large_scores():
    x = np.array([[1.0, -2.0, 0.0], [3.0, 1.0, 2.0], [5.0, 2.0, 800.0]])
    y = np.array([0, 2, 2])
    for shift in (1000.0, -1000.0):
        with np.errstate(over="raise", invalid="raise"):
            loss, dx = layers.softmax_loss(x + shift, y)
        tl, tdx = torch_softmax(x + shift, y)
        assert abs(loss - tl) < 1e-9
        assert rel_error(dx, tdx) < 1e-9


def torch_bce(x, y):
    loss, (dx,) = torch_grads(
        lambda s: F.binary_cross_entropy_with_logits(s, torch.tensor(y, dtype=torch.float64)), x)
    return float(loss), dx


@FAST
@given(n=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_sigmoid_bce_loss_matches_torch_and_numerical_gradient(n, seed):
    rng = np.random.default_rng(seed)
    x, y = 3 * rng.standard_normal(n), rng.integers(0, 2, n)
    loss, dx = layers.sigmoid_bce_loss(x, y)
    tl, tdx = torch_bce(x, y)
    assert abs(loss - tl) < 1e-12 * max(1.0, abs(tl))
    assert rel_error(dx, tdx) < 1e-12
    num = eval_numerical_gradient(lambda v: layers.sigmoid_bce_loss(v, y)[0], x.copy())
    # Entries near 0 (a confident, right logit) carry the finite differences'
    # rounding, about 1e-11: an absolute floor, not a relative error, for those.
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-9)


def test_sigmoid_bce_loss_is_exact_for_large_logits():
    """The textbook log(sigmoid) gives inf here; the true losses are 40 and 1000."""
    x, y = np.array([40.0, -40.0, 1000.0, -1000.0, 50.0]), np.array([0, 1, 0, 1, 1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        loss, dx = layers.sigmoid_bce_loss(x, y)
    tl, tdx = torch_bce(x, y)
    assert loss == pytest.approx((40 + 40 + 1000 + 1000 + 0) / 5, rel=1e-12)
    assert abs(loss - tl) < 1e-12 * tl and rel_error(dx, tdx) < 1e-12
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-x))
        textbook = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert not np.isfinite(textbook)  # inf, or nan where 0 * log(0) appears


def test_sigmoid_bce_loss_keeps_the_shape_of_column_logits():
    x, y = np.array([[0.5], [-1.0], [2.0]]), np.array([1, 0, 1])
    loss, dx = layers.sigmoid_bce_loss(x, y)
    assert dx.shape == (3, 1)
    tl, tdx = torch_bce(x[:, 0], y)
    assert abs(loss - tl) < 1e-12 and rel_error(dx[:, 0], tdx) < 1e-12


@pytest.mark.parametrize("x, y, match", [
    (np.zeros((2, 3)), np.array([0, 1]), r"shape \(N,\) or \(N, 1\)"),
    (np.zeros(3), np.array([0, 1]), r"labels y must have shape \(N,\)"),
    (np.zeros(2), np.array([0, 2]), "must be 0 or 1"),
])
def test_sigmoid_bce_loss_rejects_bad_inputs(x, y, match):
    with pytest.raises(ValueError, match=match):
        layers.sigmoid_bce_loss(x, y)


def test_losses_at_the_start_of_training():
    """Equal scores: softmax loss ln C; SVM loss C - 1 (every margin is delta = 1)."""
    x, y = np.zeros((4, 10)), np.array([0, 3, 9, 5])
    assert abs(layers.softmax_loss(x, y)[0] - np.log(10)) < 1e-12
    assert abs(layers.svm_loss(x, y)[0] - 9.0) < 1e-12


def test_svm_loss_worked_example():
    """Notebook 02's example with delta 1: scores [13, -7, 11], y = 0 -> max(0, 11-13+1) = 0."""
    loss, dx = layers.svm_loss(np.array([[13.0, -7.0, 11.0]]), np.array([0]))
    assert loss == 0.0
    np.testing.assert_array_equal(dx, np.zeros((1, 3)))
    loss, dx = layers.svm_loss(np.array([[3.0, 2.5, -7.0]]), np.array([0]))
    assert loss == pytest.approx(0.5)
    np.testing.assert_allclose(dx, [[-1.0, 1.0, 0.0]])


@pytest.mark.parametrize("loss_fn", [layers.softmax_loss, layers.svm_loss], ids=["softmax", "svm"])
@pytest.mark.parametrize("x, y, match", [
    (np.zeros(3), np.array([0]), "must be 2-D"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), r"labels y must have shape \(N,\)"),
    (np.zeros((2, 3)), np.array([[0], [1]]), r"labels y must have shape \(N,\)"),
    (np.zeros((2, 3)), np.array([0, 3]), r"must lie in \[0, 2\]"),
    (np.zeros((2, 3)), np.array([-1, 0]), r"must lie in \[0, 2\]"),
    (np.zeros((2, 3)), np.array([0.5, 1.0]), "must be integers"),
    (np.zeros((0, 3)), np.zeros(0, dtype=int), "at least one row"),
])
def test_losses_reject_bad_inputs(loss_fn, x, y, match):
    with pytest.raises(ValueError, match=match):
        loss_fn(x, y)


def test_losses_accept_integral_float_labels_and_lists():
    x = np.random.default_rng(6).standard_normal((3, 4))
    tl, tdx = torch_softmax(x, np.array([1, 0, 3]))
    for y in (np.array([1.0, 0.0, 3.0]), [1, 0, 3]):
        loss, dx = layers.softmax_loss(x, y)
        assert abs(loss - tl) < 1e-12 and rel_error(dx, tdx) < 1e-12


# --------------------------------------------------------------------------
# The reference guard
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", layers.__all__)
def test_every_layer_is_a_guarded_reference(name):
    fn = getattr(layers, name)
    with without_reference(fn), pytest.raises(ReferenceUsed):
        fn(np.ones((2, 3)), np.ones((3, 2)), np.ones(2))


def test_sandwich_layer_is_blocked_through_its_parts():
    """A student's affine_relu_forward that calls the reference affine_forward is caught."""
    with without_reference(layers.affine_forward), pytest.raises(ReferenceUsed):
        layers.affine_relu_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(2))
    out, _ = layers.affine_relu_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(2))
    np.testing.assert_array_equal(out, np.full((2, 2), 4.0))


# --------------------------------------------------------------------------
# The gate-level circuit of notebook 03's demo (helpers.widgets.backprop)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("point", [(3.0, -4.0, 2.0, -1.0), (1.5, 2.0, -3.0, 4.5), (-2.0, 0.5, 0.7, -0.2)])
def test_circuit_demo_values_match_autograd(point):
    from helpers.widgets.backprop import circuit

    value, grad = circuit(*point)
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    f = 2 * (ts[0] * ts[1] + torch.maximum(ts[2], ts[3]))
    f.backward()
    assert value["f"] == pytest.approx(f.item())
    assert [grad[k] for k in "xyzw"] == pytest.approx([t.grad.item() for t in ts])


def test_circuit_worked_example_and_headless_demo():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from helpers.widgets.backprop import circuit, circuit_demo, draw_circuit

    value, grad = circuit(3, -4, 2, -1)
    assert value["f"] == -20.0
    assert [grad[k] for k in "xyzw"] == [-8.0, 6.0, 2.0, 0.0]
    ax = draw_circuit(3, -4, 2, -1)
    texts = {t.get_text() for t in ax.texts}
    assert {"-8", "6", "2", "0", "-20"} <= texts
    box = circuit_demo()
    assert box is not None and len(box.children) == 3
    plt.close("all")
