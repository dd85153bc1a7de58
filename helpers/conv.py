"""Convolution and max pooling in NumPy, naive (loops) and fast (im2col), NCHW.

Signatures follow CS231n:

- ``conv_forward_naive(x, w, b, conv_param)`` with ``x`` (N, C, H, W), ``w``
  (F, C, HH, WW), ``b`` (F,) and ``conv_param = {"stride": S, "pad": P}``
  (zero padding of P on every side). The output is (N, F, H', W') with
  ``H' = (H + 2P - HH) / S + 1`` and ``W' = (W + 2P - WW) / S + 1``. The layer
  computes a **cross-correlation** (the kernel is not flipped), as
  ``torch.nn.functional.conv2d`` does.
- ``max_pool_forward_naive(x, pool_param)`` with ``pool_param =
  {"pool_height": PH, "pool_width": PW, "stride": S}``, no padding.

Each forward returns ``(out, cache)``; each backward takes ``(dout, cache)``.
Caches: conv ``(x, w, b, conv_param)``; pool ``(x, pool_param)``; the fast
versions keep extra arrays (documented on each function) but accept the same
``dout``.

Impossible configurations (``(H + 2P - HH)`` not divisible by ``S``, so that
the windows do not fit the padded input exactly; a kernel larger than the
padded input; channels of ``x`` and ``w`` that differ) raise
:class:`ValueError` saying what is wrong and what to change. That is this
course's convention: PyTorch floors ``H'`` instead and silently drops the last
rows and columns, which hides bugs.

The fast versions use no compiled extension: ``sliding_window_view`` builds
every window as a view, one ``tensordot`` does the products, and the backward
pass adds the window gradients back (col2im) with a loop over the kernel
offsets only (HH * WW iterations, 9 for 3x3), never over images or positions.
On 50 CIFAR-sized images with 32 filters of 3x3 they are hundreds of times
faster than the loops (``python -m bench conv``).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .checks.guard import reference
from .regularization import with_weight_decay

__all__ = [
    "conv_output_size", "conv_param_count",
    "conv_forward_naive", "conv_backward_naive",
    "max_pool_forward_naive", "max_pool_backward_naive",
    "im2col", "col2im",
    "conv_forward_fast", "conv_backward_fast",
    "max_pool_forward_fast", "max_pool_backward_fast",
    "conv_relu_pool_forward", "conv_relu_pool_backward", "ConvNet",
]


# --------------------------------------------------------------------------
# Checks of the configuration
# --------------------------------------------------------------------------

def _int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = "a positive integer" if minimum == 1 else "an integer >= 0"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def _param(params, key, what):
    if not isinstance(params, dict) or key not in params:
        raise ValueError(f"{what} must be a dict with the key {key!r}, got {params!r}")
    return params[key]


@reference
def conv_output_size(H, HH, stride=1, pad=0):
    """``(H + 2 * pad - HH) // stride + 1``: the output length along one axis of
    an input of length ``H`` under a kernel of length ``HH``, as an int. The
    kernel may be larger than ``H`` if it fits the padded input. Raises
    ValueError (this course's convention; PyTorch floors instead) when the
    kernel is larger than the padded input or the windows do not fit it
    exactly (``H + 2 * pad - HH`` not divisible by ``stride``)."""
    H, HH = _int("the input size", H, 1), _int("the kernel size", HH, 1)
    stride, pad = _int("stride", stride, 1), _int("pad", pad, 0)
    span = H + 2 * pad
    if HH > span:
        raise ValueError(f"the kernel ({HH}) is larger than the padded input ({H} + 2 * {pad} = "
                         f"{span}): use a smaller kernel or more padding")
    if (span - HH) % stride:
        pads = [p for p in range(pad + 1, pad + stride + 1) if (H + 2 * p - HH) % stride == 0]
        crop = span - (span - HH) % stride - 2 * pad
        fixes = ([f"pad = {pads[0]}"] if pads else []) + [
            f"a stride that divides {span - HH} (stride = 1 always does)",
            f"an input cropped to {crop}" if crop >= 1 else "a larger input"]
        raise ValueError(
            f"(H + 2 * pad - HH) = ({H} + 2 * {pad} - {HH}) = {span - HH} is not divisible by the "
            f"stride {stride}: the windows do not fit the padded input exactly and the last "
            f"{(span - HH) % stride} row(s) would be left out (this course raises here where PyTorch "
            "would floor). Use " + ", or ".join(fixes))
    return (span - HH) // stride + 1


@reference
def conv_param_count(C, F, HH, WW, out_shape=None):
    """Learned numbers of a conv layer with F filters of C x HH x WW and one
    bias per filter: ``F * (C * HH * WW + 1)``. With ``out_shape = (H', W')``,
    the count **without** parameter sharing (a locally connected layer: every
    output position has its own filters and biases): ``H' * W'`` times that."""
    count = _int("F", F, 1) * (_int("C", C, 1) * _int("HH", HH, 1) * _int("WW", WW, 1) + 1)
    if out_shape is not None:
        count *= _int("H'", out_shape[0], 1) * _int("W'", out_shape[1], 1)
    return count


def _conv_setup(x, w, b, conv_param):
    """Check the shapes; returns (stride, pad, H', W')."""
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    if x.ndim != 4:
        raise ValueError(f"x must be a batch of images (N, C, H, W), got shape {x.shape}; "
                         "a single image needs x[None], a 1-D signal (N, L) becomes (N, 1, 1, L)")
    if w.ndim != 4:
        raise ValueError(f"w must hold filters (F, C, HH, WW), got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels (x.shape[1]) but the filters have "
                         f"{w.shape[1]} (w.shape[1]); they must match: each filter spans every "
                         "input channel")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have one bias per filter, shape ({w.shape[0]},), got {b.shape}")
    stride = _int("conv_param['stride']", _param(conv_param, "stride", "conv_param"), 1)
    pad = _int("conv_param['pad']", _param(conv_param, "pad", "conv_param"), 0)
    try:
        Ho = conv_output_size(x.shape[2], w.shape[2], stride, pad)
        Wo = conv_output_size(x.shape[3], w.shape[3], stride, pad)
    except ValueError as exc:
        raise ValueError(f"conv of x {x.shape} with w {w.shape}, stride {stride}, pad {pad}: "
                         f"{exc}") from None
    return stride, pad, Ho, Wo


def _pool_setup(x, pool_param):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be a batch of feature maps (N, C, H, W), got shape {x.shape}")
    ph = _int("pool_param['pool_height']", _param(pool_param, "pool_height", "pool_param"), 1)
    pw = _int("pool_param['pool_width']", _param(pool_param, "pool_width", "pool_param"), 1)
    stride = _int("pool_param['stride']", _param(pool_param, "stride", "pool_param"), 1)
    try:
        Ho = conv_output_size(x.shape[2], ph, stride, 0)
        Wo = conv_output_size(x.shape[3], pw, stride, 0)
    except ValueError as exc:
        raise ValueError(f"max pooling of x {x.shape} with {ph}x{pw} windows, stride {stride}: "
                         f"{exc}") from None
    return ph, pw, stride, Ho, Wo


def _dout(dout, shape):
    dout = np.asarray(dout)
    if dout.shape != tuple(shape):
        raise ValueError(f"dout has shape {dout.shape} but must have the shape of the forward "
                         f"output, {tuple(shape)}")
    return dout


# --------------------------------------------------------------------------
# Naive: loops, the definition
# --------------------------------------------------------------------------

@reference
def conv_forward_naive(x, w, b, conv_param):
    """out[n, f, i, j] = sum over c, di, dj of xp[n, c, i*S + di, j*S + dj] * w[f, c, di, dj]
    + b[f], where xp is x zero-padded by P on each side. Returns ``(out, cache)``,
    cache = ``(x, w, b, conv_param)``."""
    stride, pad, Ho, Wo = _conv_setup(x, w, b, conv_param)
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    N, F, HH, WW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo), dtype=np.result_type(x, w, b))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


@reference
def conv_backward_naive(dout, cache):
    """Gradients ``(dx, dw, db)`` of the convolution: each output position
    sends ``dout[n, f, i, j] * w[f]`` back to its window of the padded input
    (then the padding is cropped) and ``dout[n, f, i, j] * window`` to dw;
    db sums dout over the images and every position."""
    x, w, b, conv_param = cache
    stride, pad, Ho, Wo = _conv_setup(x, w, b, conv_param)
    N, F, HH, WW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    dout = _dout(dout, (N, F, Ho, Wo))
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros(xp.shape, dtype=np.result_type(x, dout)), np.zeros_like(w, dtype=np.result_type(w, dout))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, db


@reference
def max_pool_forward_naive(x, pool_param):
    """out[n, c, i, j] = the largest value of x[n, c] in the window starting at
    (i*S, j*S) of size PH x PW. Returns ``(out, cache)``, cache = ``(x, pool_param)``."""
    ph, pw, stride, Ho, Wo = _pool_setup(x, pool_param)
    x = np.asarray(x)
    N, C = x.shape[:2]
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw].max()
    return out, (x, pool_param)


@reference
def max_pool_backward_naive(dout, cache):
    """Each dout[n, c, i, j] goes to the one element of its window that was the
    maximum (the first one in row-major order if there is a tie, as in
    PyTorch); the other elements get 0. Overlapping windows add up."""
    x, pool_param = cache
    ph, pw, stride, Ho, Wo = _pool_setup(x, pool_param)
    N, C = x.shape[:2]
    dout = _dout(dout, (N, C, Ho, Wo))
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    di, dj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + di, j * stride + dj] += dout[n, c, i, j]
    return dx


# --------------------------------------------------------------------------
# Fast: im2col with sliding windows, col2im by a loop over kernel offsets
# --------------------------------------------------------------------------

def _windows(x, HH, WW, stride, pad):
    """View (N, C, H', W', HH, WW) of every window of the padded x (no copy of
    the windows; np.pad copies x once when pad > 0)."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return sliding_window_view(x, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]


@reference
def im2col(x, HH, WW, stride=1, pad=0):
    """Every HH x WW window of the padded ``x`` (N, C, H, W) as a column:
    returns (N, C * HH * WW, H' * W'), rows ordered (c, di, dj) and columns
    (i, j) row-major, exactly as ``torch.nn.functional.unfold``. The
    convolution is then one matrix product: ``w.reshape(F, -1) @ cols``."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    stride, pad = _int("stride", stride, 1), _int("pad", pad, 0)
    Ho = conv_output_size(x.shape[2], HH, stride, pad)
    Wo = conv_output_size(x.shape[3], WW, stride, pad)
    win = _windows(x, HH, WW, stride, pad)  # (N, C, Ho, Wo, HH, WW)
    N, C = x.shape[:2]
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * HH * WW, Ho * Wo)


@reference
def col2im(cols, x_shape, HH, WW, stride=1, pad=0):
    """The adjoint of :func:`im2col`: adds every column back onto its window
    (overlapping windows add up) and crops the padding. ``cols`` is
    (N, C * HH * WW, H' * W'); returns an array of ``x_shape``. Loops over
    the HH * WW kernel offsets only."""
    N, C, H, W = x_shape
    Ho, Wo = conv_output_size(H, HH, stride, pad), conv_output_size(W, WW, stride, pad)
    cols = np.asarray(cols).reshape(N, C, HH, WW, Ho, Wo)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    for di in range(HH):
        for dj in range(WW):
            dxp[:, :, di:di + stride * Ho:stride, dj:dj + stride * Wo:stride] += cols[:, :, di, dj]
    return dxp[:, :, pad:pad + H, pad:pad + W]


@reference
def conv_forward_fast(x, w, b, conv_param):
    """The convolution of :func:`conv_forward_naive`, as one tensordot over a
    sliding-window view of the padded input. Cache ``(x, w, b, conv_param)``
    (the windows are rebuilt in backward: a view costs nothing)."""
    stride, pad, Ho, Wo = _conv_setup(x, w, b, conv_param)
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    win = _windows(x, w.shape[2], w.shape[3], stride, pad)  # (N, C, Ho, Wo, HH, WW)
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, F)
    out += b
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2)), (x, w, b, conv_param)


@reference
def conv_backward_fast(dout, cache):
    """Gradients ``(dx, dw, db)`` of :func:`conv_forward_fast` (or the naive
    forward: same cache). dw is one tensordot of dout with the windows; dx
    spreads ``w^T dout`` back over the windows (col2im, a loop over the
    kernel offsets)."""
    x, w, b, conv_param = cache
    stride, pad, Ho, Wo = _conv_setup(x, w, b, conv_param)
    N, F, C, HH, WW = x.shape[0], *w.shape
    dout = _dout(dout, (N, F, Ho, Wo))
    win = _windows(x, HH, WW, stride, pad)
    dw = np.tensordot(dout, win, axes=([0, 2, 3], [0, 2, 3]))  # (F, C, HH, WW)
    db = dout.sum(axis=(0, 2, 3))
    dcols = np.tensordot(w, dout, axes=([0], [1]))  # (C, HH, WW, N, Ho, Wo)
    H, W = x.shape[2], x.shape[3]
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    for di in range(HH):
        for dj in range(WW):
            dxp[:, :, di:di + stride * Ho:stride, dj:dj + stride * Wo:stride] += \
                dcols[:, di, dj].transpose(1, 0, 2, 3)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db


@reference
def max_pool_forward_fast(x, pool_param):
    """Max pooling over a sliding-window view. Cache ``(x, pool_param, argmax)``
    with the flat index of each window's maximum (first one on ties)."""
    ph, pw, stride, Ho, Wo = _pool_setup(x, pool_param)
    x = np.asarray(x)
    win = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::stride, ::stride]
    flat = win.reshape(*win.shape[:4], ph * pw)  # copies the windows once
    arg = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return out, (x, pool_param, arg)


@reference
def max_pool_backward_fast(dout, cache):
    """Routes each dout to its window's maximum with a loop over the pool
    offsets only; overlapping windows add up. Accepts the fast cache
    ``(x, pool_param, argmax)`` or the naive one ``(x, pool_param)``."""
    if len(cache) == 2:
        _, cache = max_pool_forward_fast(*cache)
    x, pool_param, arg = cache
    ph, pw, stride, Ho, Wo = _pool_setup(x, pool_param)
    N, C = x.shape[:2]
    dout = _dout(dout, (N, C, Ho, Wo))
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    for k in range(ph * pw):
        di, dj = divmod(k, pw)
        dx[:, :, di:di + stride * Ho:stride, dj:dj + stride * Wo:stride] += np.where(arg == k, dout, 0)
    return dx


# --------------------------------------------------------------------------
# The block of a ConvNet
# --------------------------------------------------------------------------

@reference
def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """conv (fast) - ReLU - max pool (fast). Returns ``(out, cache)``."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    r = np.maximum(a, 0)
    out, pool_cache = max_pool_forward_fast(r, pool_param)
    return out, (conv_cache, a, pool_cache)


@reference
def conv_relu_pool_backward(dout, cache):
    """Gradients ``(dx, dw, db)`` of :func:`conv_relu_pool_forward`."""
    conv_cache, a, pool_cache = cache
    dr = max_pool_backward_fast(dout, pool_cache)
    return conv_backward_fast(dr * (a > 0), conv_cache)


# --------------------------------------------------------------------------
# A ConvNet (re-exported by helpers.nets)
# --------------------------------------------------------------------------

def _positive(name, value):
    return _int(name, value, 1)


def _pair(name, value):
    """An int k or a pair (kh, kw) as a pair of positive ints."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
    return tuple(_positive(name, v) for v in pair)


@reference
class ConvNet:
    """{conv - relu - max pool} x B - {affine - relu} x A - affine - softmax,
    for images (C, H, W).

    Every conv has stride 1 and "same" zero padding ``(k - 1) // 2`` (odd
    kernels keep the size); every pool has windows of ``pool_size`` and the
    same stride, so each block divides the height and width by it. The layers
    are the fast ones of this module (im2col), in float64.

    **1-D signals** (MNIST-1D: 40 numbers per example) are images with one
    channel and one row: ``input_dim=(1, 1, 40)``. When the input height is 1,
    an int ``filter_size=k`` means 1 x k kernels and ``pool_size=p`` means
    1 x p windows. ``loss`` accepts X as (N, C, H, W) or flat (N, C*H*W), so
    the (N, 40) arrays of ``helpers.data.load_mnist1d`` go in as they are.

    Parameters
    ----------
    input_dim : (C, H, W)
    num_filters : list of int
        The number of filters of each block, from the input side.
    filter_size : int or (kh, kw)
        Odd sizes (for "same" padding).
    pool_size : int or (ph, pw)
        Each block's height and width must be divisible by it.
    hidden_dims : list of int
        The sizes of the A hidden affine - ReLU layers between the last block
        and the output layer (none by default).
    num_classes : int
    weight_init : str, number or function
        As in ``FullyConnectedNet`` (``helpers.init.get``); the fan-in of a
        conv filter is C * kh * kw.
    reg : float
        L2 strength: ``reg * sum(W**2)`` for every weight (not the biases).
    seed : int

    Attributes
    ----------
    params : dict
        ``W1`` (F1, C, kh, kw), ``b1`` (F1,), ... for the B conv layers, then
        ``W{B+1}`` (D, h1), ``b{B+1}`` (h1,), ... for the hidden layers (D: the
        last block's output, flattened in C order) and ``W{B+A+1}``,
        ``b{B+A+1}`` for the output layer. One block and one hidden layer is
        conv - relu - pool - affine - relu - affine - softmax, with the
        parameters W1, b1 (conv), W2, b2 (hidden), W3, b3 (scores).
    feature_maps : list
        After ``loss(X)``, each block's output (N, F_i, H_i, W_i).
    """

    def __init__(self, input_dim=(1, 1, 40), num_filters=(32, 32), filter_size=5, pool_size=2,
                 num_classes=10, weight_init="he_normal", reg=0.0, seed=0, hidden_dims=()):
        from . import init as _init

        if len(tuple(input_dim)) != 3:
            raise ValueError(f"input_dim must be (C, H, W), got {input_dim!r}; "
                             "a signal of length L is (1, 1, L)")
        C, H, W = (_positive("input_dim", d) for d in input_dim)
        kh, kw = _pair("filter_size", filter_size)
        ph, pw = _pair("pool_size", pool_size)
        if H == 1:
            kh, ph = 1, 1
        if ph != pw and H != 1:
            raise ValueError(f"pool_size must be square for images, got {(ph, pw)}")
        if kh % 2 == 0 or kw % 2 == 0:
            raise ValueError(f"filter_size must be odd for 'same' padding, got {(kh, kw)}")
        if not reg >= 0:
            raise ValueError(f"reg must be >= 0, got {reg!r}")
        self.input_dim, self.reg = (C, H, W), float(reg)
        self.filter_size, self.pool_size = (kh, kw), (ph, pw)
        self.num_blocks = len(num_filters)
        init, rng = _init.get(weight_init), np.random.default_rng(seed)
        self.params = {}
        for i, F in enumerate(num_filters, start=1):
            F = _positive("each entry of num_filters", F)
            if H % ph or W % pw:
                raise ValueError(f"block {i}: its input is {H} x {W}, which {ph} x {pw} pooling "
                                 "cannot divide; change pool_size or the number of blocks")
            w = np.asarray(init((C * kh * kw, F), rng), dtype=np.float64)
            self.params[f"W{i}"] = np.ascontiguousarray(w.T.reshape(F, C, kh, kw))
            self.params[f"b{i}"] = np.zeros(F)
            C, H, W = F, H // ph, W // pw
        hidden_dims = tuple(hidden_dims)
        self.num_hidden = len(hidden_dims)
        sizes = [C * H * W] + [_positive("each entry of hidden_dims", h) for h in hidden_dims]
        sizes.append(_positive("num_classes", num_classes))
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=self.num_blocks + 1):
            self.params[f"W{i}"] = np.asarray(init((d_in, d_out), rng), dtype=np.float64)
            self.params[f"b{i}"] = np.zeros(d_out)
        self.feature_maps = []

    def loss(self, X, y=None):
        """Scores (N, C) when ``y`` is None, else ``(loss, grads)``."""
        from . import layers

        X = np.asarray(X, dtype=np.float64)
        X = X.reshape(len(X), *self.input_dim)
        (kh, kw), (ph, pw) = self.filter_size, self.pool_size
        ah, aw = (kh - 1) // 2, (kw - 1) // 2
        pads = ((0, 0), (0, 0), (ah, ah), (aw, aw))
        conv_param = {"stride": 1, "pad": 0}  # padded explicitly: 1 x k kernels pad the width only
        pool_param = {"pool_height": ph, "pool_width": pw, "stride": pw}
        p, h, caches, self.feature_maps = self.params, X, [], []
        for i in range(1, self.num_blocks + 1):
            h, cache = conv_relu_pool_forward(np.pad(h, pads), p[f"W{i}"], p[f"b{i}"],
                                              conv_param, pool_param)
            caches.append(cache)
            self.feature_maps.append(h)
        B, L = self.num_blocks, self.num_blocks + self.num_hidden + 1
        for i in range(B + 1, L):
            h, cache = layers.affine_relu_forward(h, p[f"W{i}"], p[f"b{i}"])
            caches.append(cache)
        scores, affine_cache = layers.affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        if y is None:
            return scores
        loss, dscores = layers.softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = layers.affine_backward(dscores, affine_cache)
        for i in range(L - 1, B, -1):
            dh, grads[f"W{i}"], grads[f"b{i}"] = layers.affine_relu_backward(dh, caches[i - 1])
        for i in range(self.num_blocks, 0, -1):
            dh, grads[f"W{i}"], grads[f"b{i}"] = conv_relu_pool_backward(dh, caches[i - 1])
            dh = dh[:, :, ah:dh.shape[2] - ah, aw:dh.shape[3] - aw]
        return with_weight_decay(loss, grads, p, self.reg)

    def __repr__(self):
        filters = [self.params[f"W{i}"].shape[0] for i in range(1, self.num_blocks + 1)]
        hidden = [self.params[f"b{i}"].shape[0] for i in range(self.num_blocks + 1,
                                                                  self.num_blocks + self.num_hidden + 1)]
        return (f"ConvNet(input_dim={self.input_dim}, num_filters={filters}, "
                f"filter_size={self.filter_size}, pool_size={self.pool_size}"
                + (f", hidden_dims={hidden})" if hidden else ")"))
