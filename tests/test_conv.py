"""helpers.conv: naive and fast convolution and max pooling against
torch.nn.functional.conv2d / max_pool2d / unfold (forward and autograd
backward, within 1e-8 in float64) over strides 1-2, paddings 0-2 and odd
sizes; ties in max pooling (the first maximum, as PyTorch); the ValueErrors for
impossible configurations; ConvNet gradients against the numerical gradient;
the re-exports in helpers.layers and helpers.nets."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import conv, layers, nets
from helpers.checks import ReferenceUsed, without_reference
from helpers.checks.oracles import torch_grads
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error

TOL = 1e-8


def max_rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def conv_cases():
    """(N, C, H, W, F, HH, WW, stride, pad) with strides 1-2, paddings 0-2,
    odd and even sizes and rectangular kernels, keeping only valid ones."""
    cases = []
    shapes = [(2, 3, 7, 5, 4, 3, 3), (1, 2, 6, 9, 3, 3, 1), (2, 1, 5, 5, 2, 2, 2), (3, 2, 1, 11, 3, 1, 3)]
    for (N, C, H, W, F_, HH, WW), stride, pad in itertools.product(shapes, (1, 2), (0, 1, 2)):
        if (H + 2 * pad - HH) % stride or (W + 2 * pad - WW) % stride:
            continue
        if HH > H + 2 * pad or WW > W + 2 * pad:
            continue
        cases.append((N, C, H, W, F_, HH, WW, stride, pad))
    return cases


CONV_CASES = conv_cases()
IMPLEMENTATIONS = [(conv.conv_forward_naive, conv.conv_backward_naive),
                   (conv.conv_forward_fast, conv.conv_backward_fast)]


def test_enough_conv_cases():
    strides = {c[7] for c in CONV_CASES}
    pads = {c[8] for c in CONV_CASES}
    assert strides == {1, 2} and pads == {0, 1, 2} and len(CONV_CASES) >= 12


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "N{}C{}H{}W{}F{}k{}x{}s{}p{}".format(*c))
@pytest.mark.parametrize("impl", IMPLEMENTATIONS, ids=["naive", "fast"])
def test_conv_matches_torch(case, impl):
    N, C, H, W, F_, HH, WW, stride, pad = case
    forward, backward = impl
    rng = np.random.default_rng(sum(case))
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F_, C, HH, WW)), rng.standard_normal(F_)
    ref = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride, padding=pad).numpy()
    dout = rng.standard_normal(ref.shape)
    _, grads = torch_grads(lambda a, c, d: F.conv2d(a, c, d, stride=stride, padding=pad), x, w, b,
                           upstream=dout)
    out, cache = forward(x, w, b, {"stride": stride, "pad": pad})
    assert max_rel(out, ref) < TOL
    for mine, theirs in zip(backward(dout, cache), grads):
        assert max_rel(mine, theirs) < TOL


@pytest.mark.parametrize("case", CONV_CASES[:6], ids=str)
def test_im2col_is_unfold_and_col2im_its_adjoint(case):
    N, C, H, W, F_, HH, WW, stride, pad = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, C, H, W))
    cols = conv.im2col(x, HH, WW, stride, pad)
    ref = F.unfold(torch.tensor(x), (HH, WW), stride=stride, padding=pad).numpy()
    assert max_rel(cols, ref) < TOL
    g = rng.standard_normal(cols.shape)
    # <im2col(x), g> == <x, col2im(g)>
    assert abs(np.sum(cols * g) - np.sum(x * conv.col2im(g, x.shape, HH, WW, stride, pad))) < 1e-9
    folded = F.fold(torch.tensor(g), (H, W), (HH, WW), stride=stride, padding=pad).numpy()
    assert max_rel(conv.col2im(g, x.shape, HH, WW, stride, pad), folded) < TOL


POOL_CASES = [(2, 3, 8, 6, 2, 2, 2), (2, 2, 7, 7, 3, 3, 2), (1, 2, 5, 9, 2, 3, 1), (3, 1, 1, 40, 1, 2, 2),
              (1, 1, 9, 9, 3, 3, 3)]


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
@pytest.mark.parametrize("impl", [(conv.max_pool_forward_naive, conv.max_pool_backward_naive),
                                  (conv.max_pool_forward_fast, conv.max_pool_backward_fast)],
                         ids=["naive", "fast"])
def test_max_pool_matches_torch(case, impl):
    N, C, H, W, ph, pw, stride = case
    forward, backward = impl
    rng = np.random.default_rng(sum(case))
    x = rng.standard_normal((N, C, H, W))
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    ref = F.max_pool2d(torch.tensor(x), (ph, pw), stride=stride).numpy()
    dout = rng.standard_normal(ref.shape)
    _, (tdx,) = torch_grads(lambda t: F.max_pool2d(t, (ph, pw), stride=stride), x, upstream=dout)
    out, cache = forward(x, param)
    assert max_rel(out, ref) < TOL
    assert max_rel(backward(dout, cache), tdx) < TOL


def test_fast_pool_backward_takes_the_naive_cache():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 6, 6))
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = conv.max_pool_forward_naive(x, param)
    dout = rng.standard_normal(out.shape)
    assert max_rel(conv.max_pool_backward_fast(dout, cache), conv.max_pool_backward_naive(dout, cache)) == 0


def test_conv_numerical_gradient():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    cp = {"stride": 2, "pad": 1}
    out, cache = conv.conv_forward_naive(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv.conv_backward_naive(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: conv.conv_forward_naive(v, w, b, cp)[0],
                                                       x.copy(), dout)) < 1e-7
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: conv.conv_forward_naive(x, v, b, cp)[0],
                                                       w.copy(), dout)) < 1e-7
    assert rel_error(db, eval_numerical_gradient_array(lambda v: conv.conv_forward_naive(x, w, v, cp)[0],
                                                       b.copy(), dout)) < 1e-7


@pytest.mark.parametrize("fn", [conv.conv_forward_naive, conv.conv_forward_fast])
@pytest.mark.parametrize("shapes, param, words", [
    (((1, 3, 8, 8), (2, 3, 3, 3)), {"stride": 2, "pad": 0}, "not divisible by the stride"),
    (((1, 3, 4, 4), (2, 3, 7, 7)), {"stride": 1, "pad": 1}, "larger than the padded input"),
    (((1, 3, 5, 5), (2, 2, 3, 3)), {"stride": 1, "pad": 1}, "channels"),
    (((1, 3, 5, 5), (2, 3, 3, 3)), {"stride": 0, "pad": 1}, "positive integer"),
    (((1, 3, 5, 5), (2, 3, 3, 3)), {"stride": 1, "pad": -1}, "integer >= 0"),
    (((1, 3, 5, 5), (2, 3, 3, 3)), {"stride": 1}, "'pad'"),
    (((3, 5, 5), (2, 3, 3, 3)), {"stride": 1, "pad": 1}, "(N, C, H, W)"),
])
def test_conv_impossible_configurations(fn, shapes, param, words):
    x, w = np.zeros(shapes[0]), np.zeros(shapes[1])
    with pytest.raises(ValueError, match=None) as info:
        fn(x, w, np.zeros(w.shape[0]), param)
    assert words in str(info.value)


def test_conv_bias_shape_and_dout_shape_errors():
    x, w = np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3))
    with pytest.raises(ValueError, match="one bias per filter"):
        conv.conv_forward_naive(x, w, np.zeros(3), {"stride": 1, "pad": 1})
    _, cache = conv.conv_forward_fast(x, w, np.zeros(2), {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="dout has shape"):
        conv.conv_backward_fast(np.zeros((1, 2, 3, 3)), cache)


@pytest.mark.parametrize("fn", [conv.max_pool_forward_naive, conv.max_pool_forward_fast])
def test_pool_impossible_configurations(fn):
    with pytest.raises(ValueError, match="not divisible by the stride"):
        fn(np.zeros((1, 1, 5, 5)), {"pool_height": 2, "pool_width": 2, "stride": 2})
    with pytest.raises(ValueError, match="larger than the padded input"):
        fn(np.zeros((1, 1, 2, 2)), {"pool_height": 3, "pool_width": 3, "stride": 1})
    with pytest.raises(ValueError, match="pool_width"):
        fn(np.zeros((1, 1, 4, 4)), {"pool_height": 2, "stride": 2})


def test_conv_output_size_and_param_count():
    assert conv.conv_output_size(227, 11, 4, 0) == 55  # AlexNet conv1
    assert conv.conv_output_size(32, 3, 1, 1) == 32
    assert conv.conv_param_count(3, 96, 11, 11) == 34_944
    assert conv.conv_param_count(3, 96, 11, 11, out_shape=(55, 55)) == 105_705_600
    C = 16
    three = 3 * (conv.conv_param_count(C, C, 3, 3) - C)
    assert three == 27 * C * C and conv.conv_param_count(C, C, 7, 7) - C == 49 * C * C
    with pytest.raises(ValueError, match="pad = 2"):
        conv.conv_output_size(8, 3, 3, 0)  # 5 % 3; with pad 2: 9 % 3 == 0


def test_fast_is_loop_free_over_images():
    """The fast versions loop over kernel offsets only: the Python line count
    does not grow with the batch."""
    from helpers.checks import python_line_count

    rng = np.random.default_rng(5)
    w, b = rng.standard_normal((4, 3, 3, 3)), np.zeros(4)
    counts = []
    for n in (2, 40):
        x = rng.standard_normal((n, 3, 12, 12))
        out, cache = conv.conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
        _, lines = python_line_count(conv.conv_backward_fast, out, cache)
        counts.append(lines)
    assert counts[0] == counts[1]


def test_references_are_blocked():
    x, w, b = np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)), np.zeros(1)
    with without_reference(conv.conv_forward_naive), pytest.raises(ReferenceUsed):
        layers.conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    assert layers.conv_forward_fast is conv.conv_forward_fast
    assert nets.ConvNet is conv.ConvNet


# ---------------------------------------------------------------- ConvNet

@pytest.mark.parametrize("kw", [
    dict(input_dim=(1, 1, 8), num_filters=(3, 2), filter_size=3, pool_size=2),
    dict(input_dim=(2, 4, 4), num_filters=(3,), filter_size=3, pool_size=2, reg=0.1),
])
def test_convnet_gradients_numerical(kw):
    net = nets.ConvNet(num_classes=3, seed=1, **kw)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, *kw["input_dim"]))
    y = rng.integers(0, 3, size=4)
    loss, grads = net.loss(X, y)
    assert set(grads) == set(net.params)
    for name, p in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], p, h=1e-6)
        assert rel_error(grads[name], num) < 1e-6, name


def test_convnet_on_signals_and_flat_inputs():
    net = nets.ConvNet((1, 1, 40), num_filters=(4, 4), filter_size=5, pool_size=2, seed=0)
    assert net.params["W1"].shape == (4, 1, 1, 5)
    assert net.params["W3"].shape == (4 * 10, 10)
    X = np.random.default_rng(0).standard_normal((3, 40))
    scores = net.loss(X)
    assert scores.shape == (3, 10)
    assert np.allclose(scores, net.loss(X.reshape(3, 1, 1, 40)))
    assert [f.shape for f in net.feature_maps] == [(3, 4, 1, 20), (3, 4, 1, 10)]


def test_convnet_matches_torch():
    net = nets.ConvNet((2, 8, 8), num_filters=(3, 4), filter_size=3, pool_size=2, num_classes=5, seed=3)
    p = net.params
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((6, 2, 8, 8)), rng.integers(0, 5, 6)

    def torch_loss(x, W1, b1, W2, b2, W3, b3):
        h = F.max_pool2d(F.relu(F.conv2d(x, W1, b1, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, W2, b2, padding=1)), 2)
        return F.cross_entropy(h.reshape(len(h), -1) @ W3 + b3, torch.tensor(y))

    keys = ["W1", "b1", "W2", "b2", "W3", "b3"]
    value, grads = torch_grads(torch_loss, X, *[p[k] for k in keys])
    loss, mine = net.loss(X, y)
    assert abs(loss - float(value)) < 1e-10
    for k, g in zip(keys, grads[1:]):
        assert max_rel(mine[k], g) < TOL


def test_convnet_errors():
    with pytest.raises(ValueError, match="odd"):
        nets.ConvNet((1, 8, 8), filter_size=4)
    with pytest.raises(ValueError, match="cannot divide"):
        nets.ConvNet((1, 1, 40), num_filters=(2, 2, 2, 2), pool_size=2)
    with pytest.raises(ValueError, match="input_dim"):
        nets.ConvNet((1, 40))


def test_convnet_trains_with_solver():
    from helpers.optim import Adam
    from helpers.solver import Solver

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 1, 1, 12))
    y = (X.sum(axis=(1, 2, 3)) > 0).astype(int)
    net = nets.ConvNet((1, 1, 12), num_filters=(4,), filter_size=3, num_classes=2, seed=0)
    solver = Solver(net, dict(X_train=X, y_train=y, X_val=X, y_val=y), optimizer=Adam(lr=1e-2),
                    batch_size=20, num_epochs=15, verbose=False, progress=False)
    solver.train()
    assert solver.best_val_acc >= 0.9


# ---------------------------------------------------------------- issue 15 additions

def test_conv_output_size_is_an_int_and_allows_kernels_wider_than_the_unpadded_input():
    for args, want in [((227, 11, 4, 0), 55), ((1, 3, 1, 1), 1), ((2, 5, 1, 2), 2), ((3, 7, 2, 2), 1)]:
        got = conv.conv_output_size(*args)
        assert type(got) is int and got == want, (args, got)
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv.conv_output_size(1, 5, 1, 1)
    with pytest.raises(ValueError, match="PyTorch"):  # the message says it is this course's rule
        conv.conv_output_size(32, 3, 2, 0)


TIE_CASES = [  # (x, ph, pw, stride): ReLU-like zeros, rounded values, and 2x3 windows where
    # row-major and column-major order pick different maxima
    (np.maximum(np.round(np.random.default_rng(7).standard_normal((2, 3, 6, 8))), 0), 2, 2, 2),
    (np.zeros((1, 2, 4, 4)), 2, 2, 2),
    (np.array([[[[0., 1, 5, 2, 2, 2], [5, 0, 1, 1, 2, 0]]]]), 2, 3, 3),
    (np.maximum(np.round(np.random.default_rng(8).standard_normal((2, 2, 7, 7))), 0), 3, 3, 2),
]


@pytest.mark.parametrize("case", range(len(TIE_CASES)))
@pytest.mark.parametrize("impl", [(conv.max_pool_forward_naive, conv.max_pool_backward_naive),
                                  (conv.max_pool_forward_fast, conv.max_pool_backward_fast)],
                         ids=["naive", "fast"])
def test_max_pool_ties_go_to_the_first_maximum_like_torch(case, impl):
    """With tied maxima the whole gradient goes to the first one in row-major
    order, as PyTorch's CPU max_pool2d does (overlapping windows add up)."""
    x, ph, pw, stride = TIE_CASES[case]
    forward, backward = impl
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, cache = forward(x, param)
    dout = np.random.default_rng(case).standard_normal(out.shape)
    _, (tdx,) = torch_grads(lambda t: F.max_pool2d(t, (ph, pw), stride=stride), x, upstream=dout)
    assert max_rel(out, F.max_pool2d(torch.tensor(x), (ph, pw), stride=stride).numpy()) == 0
    assert max_rel(backward(dout, cache), tdx) < TOL


def test_col2im_scales_with_kernel_offsets_only():
    from helpers.checks import python_line_count

    counts = []
    for n, c, h in [(2, 2, 6), (6, 6, 12)]:
        cols = np.ones((n, c * 9, h * h))
        _, lines = python_line_count(conv.col2im, cols, (n, c, h, h), 3, 3, 1, 1)
        counts.append(lines)
    assert counts[0] == counts[1]


def test_fast_references_are_blocked():
    x = np.zeros((1, 1, 4, 4))
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    with without_reference(conv.col2im), pytest.raises(ReferenceUsed):
        conv.col2im(np.zeros((1, 9, 16)), x.shape, 3, 3, 1, 1)
    with without_reference(conv.max_pool_forward_fast), pytest.raises(ReferenceUsed):
        conv.max_pool_forward_fast(x, param)
    _, cache = conv.max_pool_forward_naive(x, param)
    with without_reference(conv.max_pool_backward_fast), pytest.raises(ReferenceUsed):
        conv.max_pool_backward_fast(np.zeros((1, 1, 2, 2)), cache)
    with without_reference(conv.conv_backward_fast), pytest.raises(ReferenceUsed):
        conv.conv_backward_fast(np.zeros((1, 1, 4, 4)), (x, np.zeros((1, 1, 3, 3)), np.zeros(1),
                                                         {"stride": 1, "pad": 1}))
