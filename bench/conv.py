"""How much faster is im2col? Forward + backward of one convolution layer on
CIFAR-sized input: N = 50 images of 3 x 32 x 32, 32 filters of 3 x 3, stride 1,
pad 1, float64 (random, seeded): the loops (``helpers.conv.conv_forward_naive``
/ ``conv_backward_naive``), the fast NumPy version (im2col by
``sliding_window_view``, col2im by a loop over the 9 kernel offsets, no compiled
extension) and PyTorch (``F.conv2d`` + autograd, float64, the same threads as
its default).

The loops would take about half a minute for 50 images, so they are timed on
``--naive-images`` images (2 by default) and scaled linearly (each image costs
the same); the output marks the scaled figure. Targets on a 2-core CPU: fast
>= 100x the loops, and fast <= 5x PyTorch. The machine may be busy: each
figure is the best of ``--repeat`` runs, and the ratios come from that one run.

    python -m bench conv
    python -m bench.conv --repeat 10
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from helpers import conv
from helpers.gradcheck import rel_error

FAST_MIN_SPEEDUP = 100.0  # loops / fast should be at least this
TORCH_MAX_RATIO = 5.0     # fast / PyTorch should be at most this


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(n=50, channels=3, size=32, filters=32, kernel=3, naive_images=2, repeat=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, size, size))
    w = rng.standard_normal((filters, channels, kernel, kernel)) * 0.1
    b = rng.standard_normal(filters)
    cp = {"stride": 1, "pad": (kernel - 1) // 2}
    dout = rng.standard_normal((n, filters, size, size))

    def fast():
        out, cache = conv.conv_forward_fast(x, w, b, cp)
        return (out, *conv.conv_backward_fast(dout, cache))

    def naive():
        out, cache = conv.conv_forward_naive(x[:naive_images], w, b, cp)
        return (out, *conv.conv_backward_naive(dout[:naive_images], cache))

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    dt = torch.tensor(dout)

    def pytorch():
        for t in (xt, wt, bt):
            t.grad = None
        out = F.conv2d(xt, wt, bt, stride=1, padding=cp["pad"])
        out.backward(dt)
        return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()

    print(f"conv forward + backward: x ({n}, {channels}, {size}, {size}), w ({filters}, {channels}, "
          f"{kernel}, {kernel}), stride 1, pad {cp['pad']}, float64")
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"{os.cpu_count()} cores; best of {repeat}")
    t_fast, out_fast = best_time(fast, repeat)
    t_torch, out_torch = best_time(pytorch, repeat)
    t_naive, out_naive = best_time(naive, 1)
    t_naive_full = t_naive * n / naive_images

    errors = [rel_error(a, t) for a, t in zip(out_fast, out_torch)]
    naive_error = rel_error(out_naive[0], out_fast[0][:naive_images])
    print()
    print(f"{'version':<34}{'seconds':>10}  {'vs fast':>8}")
    print(f"{'loops (helpers.conv naive)':<34}{t_naive_full:>10.3f}  {t_naive_full / t_fast:>7.0f}x"
          f"   * timed on {naive_images} images ({t_naive:.3f} s), scaled to {n}")
    print(f"{'im2col (helpers.conv fast)':<34}{t_fast:>10.4f}  {1:>7.0f}x")
    print(f"{'PyTorch F.conv2d + autograd':<34}{t_torch:>10.4f}  {t_torch / t_fast:>7.2f}x")
    print(f"fast vs PyTorch: out, dx, dw, db relative errors "
          + ", ".join(f"{e:.1e}" for e in errors) + f"; loops vs fast (out): {naive_error:.1e}")
    speedup, ratio = t_naive_full / t_fast, t_fast / t_torch
    print()
    print(f"loops / fast   = {speedup:8.0f}x  (expected >= {FAST_MIN_SPEEDUP:g}x: "
          f"{'ok' if speedup >= FAST_MIN_SPEEDUP else 'UNEXPECTED'})")
    print(f"fast / PyTorch = {ratio:8.2f}x  (expected <= {TORCH_MAX_RATIO:g}x: "
          f"{'ok' if ratio <= TORCH_MAX_RATIO else 'UNEXPECTED'})")
    return {"naive": t_naive_full, "fast": t_fast, "torch": t_torch, "speedup": speedup, "torch_ratio": ratio}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--naive-images", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args([] if argv is None else argv)
    return run(n=args.n, naive_images=args.naive_images, repeat=args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
