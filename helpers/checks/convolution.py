"""The steps notebook 08's tests of the convolution and pooling layers share (sections 1-4).

A test cell reads: the inputs (a ``*_cases`` generator of this module, or
:func:`normals`), the call to the student's layer inside :func:`answering`
(the course's layers and PyTorch refused), one ``check_*`` of this module
against PyTorch (``F.conv2d``, ``F.max_pool2d``, ``F.unfold``, ``F.fold``
and their autograd), and the tick. Each :class:`Case` holds fresh copies of
its inputs, the expected values and the messages of its checks. The module
refuses attribute assignment like the rest of :mod:`helpers.checks`.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from .. import conv
from ..gradcheck import eval_numerical_gradient_array
from . import integrity
from .assertions import check_close, check_equal, check_shape, check_true, passed
from .guard import without_reference
from .oracles import torch_grads

__all__ = ["answering", "Case", "normal", "normals", "check_sizes", "check_counts", "conv_cases", "check_out",
           "check_large_conv", "HINT_LOOPS", "check_im2col", "conv_grad_cases", "check_conv_grads",
           "col2im_cases", "check_col2im", "line_cases", "check_backward_lines", "pool_cases", "pool_grad_cases",
           "check_pool_grad", "pool_line_cases", "check_pool_lines", "passed"]

integrity.snapshot()  # torch is imported now: record it

_default_rng, _asarray, _zeros = np.random.default_rng, np.asarray, np.zeros
_tensor = torch.tensor


class Case(SimpleNamespace):
    """One input of a test and what it must give: plain attributes."""


# Which of the course's layers each exercise's test refuses (besides PyTorch).
_BLOCKED = {
    "conv_output_size": ("conv_output_size",),
    "conv_param_count": ("conv_param_count",),
    "conv_forward_naive": ("conv_forward_naive", "conv_forward_fast"),
    "conv_backward_naive": ("conv_backward_naive", "conv_backward_fast"),
    "max_pool_forward_naive": ("max_pool_forward_naive", "max_pool_forward_fast"),
    "max_pool_backward_naive": ("max_pool_backward_naive", "max_pool_backward_fast"),
    "im2col": ("im2col", "conv_forward_fast"),
    "conv_forward_fast": ("conv_forward_fast", "conv_forward_naive", "im2col"),
    "col2im": ("col2im", "conv_backward_fast", "conv_backward_naive"),
    "conv_backward_fast": ("conv_backward_fast", "conv_backward_naive", "col2im"),
    "max_pool_forward_fast": ("max_pool_forward_fast", "max_pool_forward_naive"),
    "max_pool_backward_fast": ("max_pool_backward_fast", "max_pool_backward_naive"),
    "max_pool_fast": ("max_pool_forward_fast", "max_pool_backward_fast", "max_pool_forward_naive",
                      "max_pool_backward_naive"),
}


def answering(exercise):
    """The block in which a test runs the student's ``exercise``: the course's
    versions of it (naive and fast) and PyTorch refuse to run."""
    integrity.verify()
    return without_reference(*(getattr(conv, name) for name in _BLOCKED[exercise]))


def normal(seed, shape):
    """Standard normal numbers of ``shape`` drawn from ``seed``."""
    return _default_rng(seed).standard_normal(shape)


def normals(seed, *shapes):
    """One array of standard normal numbers per shape, drawn in turn from ``seed``."""
    rng = _default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def _conv2d(x, w, b, stride=1, pad=0):
    return F.conv2d(_tensor(x), _tensor(w), _tensor(b), stride=stride, padding=pad).numpy()


def _pool2d(x, ph, pw, stride):
    return F.max_pool2d(_tensor(x), (ph, pw), stride).numpy()


# ---------------------------------------------------------------- sizes and counts

def check_sizes(sizes, want, wide, want_wide):
    """Every size an int, and the two lists right."""
    for v in list(sizes) + list(wide):
        check_true(isinstance(v, (int, np.integer)) and not isinstance(v, bool),
                   f"conv_output_size returned {v!r} of type {type(v).__name__}; it must return an int.",
                   hint="use integer division `//` (after checking divisibility), not `/`.")
    check_equal("[AlexNet conv1, 32/3/1/1, 31/3/2/0, 40/5/1/2, 7/3/2/2]", sizes, want,
                hint="(H + 2 * pad - HH) // stride + 1: padding counts twice (both sides).")
    check_equal("[kernel 3 on input 1 with pad 1, kernel 5 on input 2 with pad 2]", wide, want_wide,
                hint="a kernel larger than the input is allowed when it fits the *padded* input, H + 2 * pad: "
                     "compare HH with that.")


def check_counts(shared, want_shared, unshared, want_unshared):
    """AlexNet conv1's parameter counts, with and without sharing."""
    check_equal("conv_param_count(3, 96, 11, 11)", shared, want_shared,
                hint="96 filters of 3 * 11 * 11 weights, plus one bias per filter.")
    check_equal("conv_param_count(3, 96, 11, 11, out_shape=(55, 55))", unshared, want_unshared,
                hint="without sharing, each of the 55 * 55 positions has its own 34,944 numbers.")


# ---------------------------------------------------------------- forward passes (conv and pool)

_HINT_FLIP = "do not flip the filter (F.conv2d does not); add b[f] once per output."
_HINT_START = "output (i, j) starts at input row i * stride, column j * stride."
_HINT_FAST = "w.reshape(F, -1) @ cols gives (N, F, H_out * W_out); add b[:, None], reshape."
HINT_LOOPS = "loop over the kernel offsets (di, dj) only, never over images, filters or positions."


def _conv_case(x, w, b, s, p, what, hint, shape_hint=None):
    return Case(x=x.copy(), w=w.copy(), b=b.copy(), conv_param={"stride": s, "pad": p},
                want=_conv2d(x, w, b, s, p), what=what, hint=hint, shape_hint=shape_hint, tol=1e-8)


def conv_cases(seed):
    """The cases of a convolution forward test: ``x``, ``w``, ``b`` and
    ``conv_param``, and ``F.conv2d``'s output. 801: 2 images of 3 x 5 x 5, 4
    filters of 3 x 3, stride 1 pad 1 then stride 2 pad 0; 811 (hidden): odd
    and rectangular sizes; 806: the fast version, stride 1 pad 1 and stride 2 pad 2."""
    rng = _default_rng(seed)
    if seed == 801:
        x, w, b = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
        yield _conv_case(x, w, b, 1, 1, "out (stride 1, pad 1)", _HINT_FLIP,
                         "H_out = (H + 2 * pad - HH) // stride + 1 = 5 here; out is (N, F, H_out, W_out).")
        yield _conv_case(x, w, b, 2, 0, "out (stride 2, pad 0)", _HINT_START)
    elif seed == 811:
        for (N, C, H, W, Fn, HH, WW, s, p) in [(2, 2, 7, 5, 3, 3, 3, 2, 2), (1, 3, 4, 9, 2, 2, 3, 1, 0),
                                               (3, 1, 1, 11, 2, 1, 3, 2, 1)]:
            x = rng.standard_normal((N, C, H, W))
            w, b = rng.standard_normal((Fn, C, HH, WW)), rng.standard_normal(Fn)
            yield _conv_case(x, w, b, s, p, f"out for x {x.shape}, w {w.shape}, stride {s}, pad {p}", None)
    elif seed == 806:
        for s, p in [(1, 1), (2, 2)]:
            x, w, b = rng.standard_normal((3, 2, 7, 5)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
            yield _conv_case(x, w, b, s, p, f"conv_forward_fast (stride {s}, pad {p})", _HINT_FAST)


def _pool_case(x, ph, pw, s, what, hint):
    return Case(x=x.copy(), param={"pool_height": ph, "pool_width": pw, "stride": s},
                want=_pool2d(x, ph, pw, s), what=what, hint=hint, shape_hint=None, tol=1e-8)


_HINT_POOL = "out[n, c, i, j] is the max of x[n, c, i*S:i*S+PH, j*S:j*S+PW], each channel on its own."
_HINT_POOL_FAST = ("x.reshape(N, C, H_out, PH, W_out, PW): the window of output (i, j) is [:, :, i, :, j, :], so "
                   "take the max over axes 3 and 5.")


def pool_cases(seed):
    """The cases of a max-pooling forward test: ``x``, ``param`` and
    ``F.max_pool2d``'s output. 803 and 818: 2 images of 3 x 6 x 8, 2x2
    windows with stride 2; 813 and 819 (hidden): other windows."""
    rng = _default_rng(seed)
    if seed in (803, 818):
        x = rng.standard_normal((2, 3, 6, 8))
        yield _pool_case(x, 2, 2, 2, "out (2x2 windows, stride 2)", _HINT_POOL if seed == 803 else _HINT_POOL_FAST)
        return
    shapes = ([((2, 2, 7, 7), 3, 3, 2), ((3, 2, 1, 12), 1, 2, 2), ((1, 2, 5, 6), 2, 3, 1)] if seed == 813 else
              [((1, 2, 9, 6), 3, 3, 3), ((3, 2, 1, 12), 1, 2, 2), ((2, 2, 2, 9), 2, 3, 3)])
    hint = ("use pool_height, pool_width and stride from pool_param, not 2." if seed == 813 else
            "use pool_height for the rows and pool_width for the columns, not 2.")
    for shape, ph, pw, s in shapes:
        yield _pool_case(rng.standard_normal(shape), ph, pw, s, f"out for x {shape}, {ph}x{pw} windows, stride {s}",
                         hint)


def check_out(result, case):
    """``result``, the output of a forward layer, against ``case.want``."""
    if case.shape_hint:
        check_shape(case.what, result, case.want.shape, hint=case.shape_hint)
    check_close(case.what, result, case.want, tol=case.tol, hint=case.hint)


def check_large_conv(result, x, w, b):
    """The output of ``conv_forward_fast(x, w, b, stride 1, pad 1)`` (a pair) against the course's."""
    check_close("conv_forward_fast(...)[0] for 100 images", result[0],
                conv.conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})[0],
                hint="the answer must be right as well as free of loops.")


def check_im2col(cols, x):
    """``im2col(x, 3, 3, 2, 1)`` against ``F.unfold``."""
    check_close("im2col(x, 3, 3, stride=2, pad=1)", cols,
                F.unfold(_tensor(x), (3, 3), stride=2, padding=1).numpy(), tol=1e-8,
                hint="rows ordered (c, di, dj), columns (i, j): build (N, C, HH, WW, H_out, W_out), then reshape.")


# ---------------------------------------------------------------- backward passes (conv)

_HINTS_NAIVE = {"dx shape": "crop the padding: dx = dxp[:, :, pad:pad + H, pad:pad + W].",
                "dx": "each dout[n, f, i, j] * w[f] is added to its window of the padded input.",
                "dw": "dw[f] adds dout[n, f, i, j] times the window of the *padded* input, over n, i, j.",
                "db shape": "one number per filter: sum dout over axes (0, 2, 3).",
                "db": "the bias is added at every position: sum dout over the images and all positions."}
_HINTS_FAST = ("dx = col2im(W.T @ dout_n for every n): check the crop and that col2im adds.",
               "dW = sum over n of dout_n @ cols_n.T, shape (F, C*HH*WW), then reshape to w.shape.",
               "db sums dout over the images and every position: axes (0, 2, 3).")
_NAMES = ("dx", "dw", "db")


def _conv_grads(x, w, b, s, p, dout):
    return torch_grads(lambda a, c, d: F.conv2d(a, c, d, stride=s, padding=p), x, w, b, upstream=dout)[1]


def _grad_case(x, w, b, s, p, dout, checks, want=None):
    """``checks``: (kind "shape" or "close", index into (dx, dw, db), name, hint, tol) in order."""
    return Case(dout=dout.copy(), cache=(x.copy(), w.copy(), b.copy(), {"stride": s, "pad": p}),
                want=_conv_grads(x, w, b, s, p, dout) if want is None else want, checks=checks)


def _out_shape(xs, ws, s, p):
    return (xs[0], ws[0], (xs[2] + 2 * p - ws[2]) // s + 1, (xs[3] + 2 * p - ws[3]) // s + 1)


def conv_grad_cases(seed, hidden=False):
    """The cases of a convolution backward test: ``dout`` and the cache
    ``(x, w, b, conv_param)``, and PyTorch's (or the numerical) ``(dx, dw, db)``.
    802: 2 images of 3 x 5 x 5, 4 filters, stride 1 pad 1; 812 (hidden):
    stride 2; 822 (hidden): against the numerical gradient; 816: the fast
    version, stride 1 pad 1 and stride 2 pad 2, and with ``hidden`` two more
    (a rectangular kernel, 1 x 3 kernels on signals)."""
    rng = _default_rng(seed)
    if seed == 802:
        x, w, b = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
        dout = rng.standard_normal((2, 4, 5, 5))
        yield _grad_case(x, w, b, 1, 1, dout, [
            ("shape", 0, "dx", _HINTS_NAIVE["dx shape"], None),
            ("close", 0, "dx (stride 1, pad 1)", _HINTS_NAIVE["dx"], 1e-8),
            ("close", 1, "dw (stride 1, pad 1)", _HINTS_NAIVE["dw"], 1e-8),
            ("shape", 2, "db", _HINTS_NAIVE["db shape"], None),
            ("close", 2, "db", _HINTS_NAIVE["db"], 1e-8)])
    elif seed == 812:
        for (N, C, H, W, Fn, HH, WW, s, p) in [(2, 2, 7, 5, 3, 3, 3, 2, 0), (1, 3, 7, 7, 2, 3, 3, 2, 2)]:
            x = rng.standard_normal((N, C, H, W))
            w, b = rng.standard_normal((Fn, C, HH, WW)), rng.standard_normal(Fn)
            dout = rng.standard_normal(_out_shape(x.shape, w.shape, s, p))
            hint = "the window of output (i, j) starts at i * stride, j * stride, in backward too."
            yield _grad_case(x, w, b, s, p, dout, [("close", i, f"{n} for stride {s}, pad {p}", hint, 1e-8)
                                                   for i, n in enumerate(_NAMES)])
    elif seed == 822:
        x, w, b = rng.standard_normal((2, 2, 4, 6)), rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
        dout = rng.standard_normal((2, 3, 3, 4))
        f = lambda x_, w_, b_: _conv2d(x_, w_, b_)  # noqa: E731
        want = (eval_numerical_gradient_array(lambda v: f(v, w, b), x.copy(), dout),
                eval_numerical_gradient_array(lambda v: f(x, v, b), w.copy(), dout),
                eval_numerical_gradient_array(lambda v: f(x, w, v), b.copy(), dout))
        yield _grad_case(x, w, b, 1, 0, dout, [("close", i, f"{n} (numerical gradient)", None, None)
                                               for i, n in enumerate(_NAMES)], want)
    elif seed == 816:
        for s, p in [(1, 1), (2, 2)]:
            x, w, b = rng.standard_normal((3, 2, 7, 5)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
            dout = rng.standard_normal((3, 4, (7 + 2 * p - 3) // s + 1, (5 + 2 * p - 3) // s + 1))
            case = _grad_case(x, w, b, s, p, dout, [
                (kind, i, f"{n} (stride {s}, pad {p})", _HINTS_FAST[i], 1e-8 if kind == "close" else None)
                for i, n in enumerate(_NAMES) for kind in ("shape", "close")])
            if not hidden:
                yield case
        if hidden:
            for xs, ws, s, p in [((2, 3, 4, 6), (2, 3, 2, 3), 1, 0), ((3, 2, 1, 11), (3, 2, 1, 3), 2, 1)]:
                x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
                dout = rng.standard_normal(_out_shape(xs, ws, s, p))
                hint = "use HH and WW (not HH twice) for rectangular kernels."
                yield _grad_case(x, w, b, s, p, dout, [
                    ("close", i, f"{n} for x {xs}, w {ws}, stride {s}, pad {p}", hint, 1e-8)
                    for i, n in enumerate(_NAMES)])


def check_conv_grads(result, case):
    """``result``, the student's ``(dx, dw, db)``, checked in the order of ``case.checks``."""
    try:
        parts = tuple(result)
    except TypeError:
        parts = ()
    check_true(len(parts) == 3, "the backward pass should return the three gradients (dx, dw, db).")
    for kind, i, name, hint, tol in case.checks:
        if kind == "shape":
            check_shape(name, parts[i], case.want[i].shape, hint=hint)
        elif tol is None:
            check_close(name, parts[i], case.want[i], hint=hint)
        else:
            check_close(name, parts[i], case.want[i], tol=tol, hint=hint)


def col2im_cases(seed=815):
    """Columns for a (2, 3, 5, 7) input, 3x3, stride 1 pad 1, then for a
    (2, 2, 7, 5) input, stride 2 pad 1; ``F.fold``'s sum of them."""
    rng = _default_rng(seed)
    for shape, k, s, p in [((2, 3, 5, 7), 3, 1, 1), ((2, 2, 7, 5), 3, 2, 1)]:
        L = ((shape[2] + 2 * p - k) // s + 1) * ((shape[3] + 2 * p - k) // s + 1)
        cols = rng.standard_normal((shape[0], shape[1] * k * k, L))
        yield Case(cols=cols.copy(), x_shape=shape, stride=s, pad=p,
                   want=F.fold(_tensor(cols), shape[2:], (k, k), stride=s, padding=p).numpy(),
                   what=f"col2im(cols, {shape}, {k}, {k}, stride={s}, pad={p})")


def check_col2im(x, case):
    check_shape(case.what, x, case.x_shape, hint="crop the padding: return xp[:, :, pad:pad + H, pad:pad + W].")
    check_close(case.what, x, case.want, tol=1e-8,
                hint="add (+=), do not assign: an element in several windows gets the sum of all its copies; the "
                     "slice of offset (di, dj) steps by the stride.")


def line_cases(seed=817):
    """Two inputs for counting the lines ``conv_backward_fast`` runs: 2
    images of 2 x 6 x 6 and 2 filters, then 6 of 6 x 12 x 12 and 6 filters
    (3x3, stride 1, pad 1 both times); PyTorch's gradients of the larger."""
    rng = _default_rng(seed)
    cases = []
    for N, C, Fn, H in [(2, 2, 2, 6), (6, 6, 6, 12)]:
        x, w, b = rng.standard_normal((N, C, H, H)), rng.standard_normal((Fn, C, 3, 3)), _zeros(Fn)
        dout = rng.standard_normal((N, Fn, H, H))
        cases.append(Case(dout=dout.copy(), cache=(x.copy(), w.copy(), b.copy(), {"stride": 1, "pad": 1}),
                          x=x, w=w, b=b, dout_=dout, sizes=(N, C, Fn, H)))
    cases[-1].want = _conv_grads(cases[-1].x, cases[-1].w, cases[-1].b, 1, 1, cases[-1].dout_)
    return cases


def check_backward_lines(runs, cases):
    """``runs``: ``(grads, lines run)`` of each case of :func:`line_cases`.
    The larger case's gradients against PyTorch, and a line count that does
    not grow with the input. Returns the two counts."""
    mine, lines = runs[-1][0], [count for _, count in runs]
    for name, a, t in zip(_NAMES, mine, cases[-1].want):
        check_close(f"{name} for 6 images of 6 x 12 x 12 and 6 filters", a, t, tol=1e-8,
                    hint="the answer must be right as well as free of loops.")
    check_true(lines[1] <= lines[0] + 2,
               f"conv_backward_fast ran {lines[0]} lines of Python for 2 images of 2 x 6 x 6 with 2 filters, but "
               f"{lines[1]} for 6 images of 6 x 12 x 12 with 6 filters (same 3x3 kernel): the count grows with "
               "the input, so your code loops over images, channels, filters or positions.",
               hint="loop over the HH * WW kernel offsets only (in col2im), and compute dw and dcols with matrix "
                    "products over whole arrays.")
    return lines


# ---------------------------------------------------------------- backward passes (pooling)

def _pool_grad_case(x, ph, pw, s, dout, what, hint):
    _, (dx,) = torch_grads(lambda t: F.max_pool2d(t, (ph, pw), s), x, upstream=dout)
    return Case(dout=dout.copy(), cache=(x.copy(), {"pool_height": ph, "pool_width": pw, "stride": s}),
                want=dx, what=what, hint=hint)


_POOL_SHAPES = {814: [((2, 2, 7, 7), 3, 3, 2), ((3, 2, 1, 12), 1, 2, 2), ((1, 2, 5, 6), 2, 3, 1)],
                820: [((1, 2, 9, 6), 3, 3, 3), ((3, 2, 1, 12), 1, 2, 2), ((2, 2, 2, 9), 2, 3, 3)]}


def pool_grad_cases(seed, hidden=False):
    """The cases of a max-pooling backward test: ``dout``, the cache ``(x,
    pool_param)`` and PyTorch's dx. 804 and 820: 2 images of 3 x 6 x 8, 2x2
    windows with stride 2 (820 with ``hidden``: three other windows, after
    those); 814 (hidden): overlapping and rectangular windows; 821: ties, 2x2
    windows after a ReLU and 2x3 windows where row-major and column-major
    order pick different maxima."""
    rng = _default_rng(seed)
    if seed in (804, 820):
        x = rng.standard_normal((2, 3, 6, 8))
        dout = rng.standard_normal((2, 3, 3, 4))
        hint = ("only the maximum of each window gets the upstream gradient; the other 3 get 0." if seed == 804
                else "undo the layout in reverse: reshape to (N, C, H_out, W_out, PH, PW), transpose the same axes "
                     "back, then reshape to x.shape.")
        if not hidden:
            yield _pool_grad_case(x, 2, 2, 2, dout, "dx (2x2 windows, stride 2)", hint)
            return
    if seed in (814, 820):
        hint = ("an element that is the max of two overlapping windows gets both gradients: use +=." if seed == 814
                else "use pool_height for the rows and pool_width for the columns.")
        for shape, ph, pw, s in _POOL_SHAPES[seed]:
            x = rng.standard_normal(shape)
            if seed == 814:
                out = (shape[0], shape[1], (shape[2] - ph) // s + 1, (shape[3] - pw) // s + 1)
            else:
                out = (shape[0], shape[1], shape[2] // ph, shape[3] // pw)
            yield _pool_grad_case(x, ph, pw, s, rng.standard_normal(out),
                                  f"dx for x {shape}, {ph}x{pw} windows, stride {s}", hint)
    elif seed == 821:
        tied = np.maximum(np.round(rng.standard_normal((2, 3, 6, 8))), 0)
        wide = np.array([[[[0., 1, 5, 2, 2, 2], [5, 0, 1, 1, 2, 0]]]]).repeat(2, axis=1)
        for x, ph, pw in [(tied, 2, 2), (wide, 2, 3)]:
            dout = rng.standard_normal((x.shape[0], x.shape[1], x.shape[2] // ph, x.shape[3] // pw))
            yield _pool_grad_case(x, ph, pw, pw, dout, f"dx with tied maxima ({ph}x{pw} windows)",
                                  "with ties, the whole gradient goes to the FIRST maximum in row-major order "
                                  "(argmax of the window flattened row by row), not to every tied element nor "
                                  "shared among them.")


def check_pool_grad(dx, case):
    check_close(case.what, dx, case.want, tol=1e-8, hint=case.hint)


def pool_line_cases(seed=822):
    """Two inputs for counting the lines fast pooling runs: 2 images of 2 x 4
    x 4, then 6 of 6 x 12 x 12, 2x2 windows with stride 2: ``x`` and
    ``param`` for the forward pass, ``dout`` and ``cache`` for the backward."""
    rng = _default_rng(seed)
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    cases = []
    for shape in [(2, 2, 4, 4), (6, 6, 12, 12)]:
        x = rng.standard_normal(shape)
        dout = rng.standard_normal((shape[0], shape[1], shape[2] // 2, shape[3] // 2))
        cases.append(Case(x=x.copy(), param=dict(param), dout=dout.copy(), cache=(x.copy(), dict(param)),
                          x_=x, dout_=dout))
    return cases


def check_pool_lines(forward, backward, cases):
    """``forward``/``backward``: ``(result, lines run)`` of each case of
    :func:`pool_line_cases`. The larger case's out and dx against PyTorch,
    and a line count that does not grow with the input. Returns the counts."""
    lines = [f[1] + b[1] for f, b in zip(forward, backward)]
    last = cases[-1]
    out, _ = forward[-1][0]
    _, (tdx,) = torch_grads(lambda t: F.max_pool2d(t, 2, 2), last.x_, upstream=last.dout_)
    check_close("out for 6 images of 6 x 12 x 12", out, _pool2d(last.x_, 2, 2, 2), tol=1e-8,
                hint="the answer must be right as well as free of loops.")
    check_close("dx for 6 images of 6 x 12 x 12", backward[-1][0], tdx, tol=1e-8,
                hint="the answer must be right as well as free of loops.")
    check_true(lines[1] <= lines[0] + 2,
               f"max_pool_forward_fast and max_pool_backward_fast ran {lines[0]} lines of Python for 2 images of "
               f"2 x 4 x 4 but {lines[1]} for 6 images of 6 x 12 x 12 (same 2x2 windows): the count grows with the "
               "input, so your code loops over images, channels or positions.",
               hint="reshape x so that each window is an axis (or two) and reduce over it; at most loop over the "
                    "PH * PW offsets inside a window.")
    return lines


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
