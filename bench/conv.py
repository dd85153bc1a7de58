"""How much faster is im2col / col2im? One convolution layer on CIFAR-sized
input: N = 50 images of 3 x 32 x 32, 32 filters of 3 x 3, stride 1, pad 1,
float64 (random, seeded), forward and backward timed separately, side by side
in one run: the loops (``helpers.conv.conv_forward_naive`` /
``conv_backward_naive``), the fast NumPy version (im2col by
``sliding_window_view`` and one tensordot forward; backward, dw by one
tensordot and dx by col2im, a loop over the 9 kernel offsets; no compiled
extension) and PyTorch (``F.conv2d`` forward and its autograd backward,
float64, the same threads as its default).

The loops would take about half a minute for 50 images, so they are timed on
``--naive-images`` images (2 by default) and scaled linearly (each image costs
the same); the output marks the scaled figures. Targets on a 2-core CPU: fast
>= 100x the loops, forward and backward each; fast <= 5x PyTorch (forward +
backward). The machine may be busy: each figure is the best of ``--repeat``
runs, and the ratios come from that one run.

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

FAST_MIN_SPEEDUP = 100.0  # loops / fast should be at least this, forward and backward
TORCH_MAX_RATIO = 5.0     # fast / PyTorch (forward + backward) should be at most this


def best_time(fn, repeat, setup=None):
    """The shortest of ``repeat`` runs of ``fn(setup())`` (``setup`` not timed)
    and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        out = fn(arg) if setup else fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(n=50, channels=3, size=32, filters=32, kernel=3, naive_images=2, repeat=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, size, size))
    w = rng.standard_normal((filters, channels, kernel, kernel)) * 0.1
    b = rng.standard_normal(filters)
    cp = {"stride": 1, "pad": (kernel - 1) // 2}
    dout = rng.standard_normal((n, filters, size, size))
    xs, douts = x[:naive_images], dout[:naive_images]

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    dt = torch.tensor(dout)

    def torch_forward():
        return F.conv2d(xt, wt, bt, stride=1, padding=cp["pad"])

    def torch_graph():  # a fresh graph for each backward, built outside the timing
        for t in (xt, wt, bt):
            t.grad = None
        return torch_forward()

    def torch_backward(out):
        out.backward(dt)
        return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()

    print(f"conv forward and backward: x ({n}, {channels}, {size}, {size}), w ({filters}, {channels}, "
          f"{kernel}, {kernel}), stride 1, pad {cp['pad']}, float64")
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"{os.cpu_count()} cores; best of {repeat}")
    fast_cache = conv.conv_forward_fast(x, w, b, cp)[1]
    naive_cache = conv.conv_forward_naive(xs, w, b, cp)[1]
    times = {
        "fast": (best_time(lambda: conv.conv_forward_fast(x, w, b, cp), repeat),
                 best_time(lambda: conv.conv_backward_fast(dout, fast_cache), repeat)),
        "torch": (best_time(lambda: torch_forward().detach().numpy(), repeat),
                  best_time(torch_backward, repeat, setup=torch_graph)),
        "naive": (best_time(lambda: conv.conv_forward_naive(xs, w, b, cp), 1),
                  best_time(lambda: conv.conv_backward_naive(douts, naive_cache), 1)),
    }
    scale = n / naive_images
    seconds = {k: (f[0], bwd[0]) for k, (f, bwd) in times.items()}
    seconds["naive"] = (seconds["naive"][0] * scale, seconds["naive"][1] * scale)

    out_fast, grads_fast = times["fast"][0][1][0], times["fast"][1][1]
    out_torch, grads_torch = times["torch"][0][1], times["torch"][1][1]
    errors = [rel_error(out_fast, out_torch)] + [rel_error(a, t) for a, t in zip(grads_fast, grads_torch)]
    naive_out, naive_grads = times["naive"][0][1][0], times["naive"][1][1]
    naive_errors = [rel_error(naive_out, out_fast[:naive_images]), rel_error(naive_grads[0], grads_fast[0][:naive_images])]

    fast_f, fast_b = seconds["fast"]
    print()
    print(f"{'version':<30}{'forward s':>11}{'backward s':>12}{'total s':>10}  {'total vs fast':>13}")
    for key, label in [("naive", "loops (helpers.conv naive) *"), ("fast", "im2col/col2im (helpers.conv)"),
                       ("torch", "PyTorch F.conv2d + autograd")]:
        f_s, b_s = seconds[key]
        print(f"{label:<30}{f_s:>11.4f}{b_s:>12.4f}{f_s + b_s:>10.4f}  {(f_s + b_s) / (fast_f + fast_b):>12.2f}x")
    print(f"* timed on {naive_images} images ({times['naive'][0][0]:.3f} s forward, "
          f"{times['naive'][1][0]:.3f} s backward) and scaled to {n}")
    print("fast vs PyTorch: out, dx, dw, db relative errors " + ", ".join(f"{e:.1e}" for e in errors)
          + "; loops vs fast: out, dx " + ", ".join(f"{e:.1e}" for e in naive_errors))

    naive_f, naive_b = seconds["naive"]
    torch_f, torch_b = seconds["torch"]
    ratios = {"forward": naive_f / fast_f, "backward": naive_b / fast_b,
              "total": (naive_f + naive_b) / (fast_f + fast_b)}
    torch_ratios = {"forward": fast_f / torch_f, "backward": fast_b / torch_b,
                    "total": (fast_f + fast_b) / (torch_f + torch_b)}
    print()
    print(f"{'':<16}{'forward':>10}{'backward':>10}{'total':>10}")
    print(f"{'loops / fast':<16}" + "".join(f"{ratios[k]:>9.0f}x" for k in ("forward", "backward", "total"))
          + f"   (expected >= {FAST_MIN_SPEEDUP:g}x forward and backward: "
          + ("ok" if min(ratios["forward"], ratios["backward"]) >= FAST_MIN_SPEEDUP else "UNEXPECTED") + ")")
    print(f"{'fast / PyTorch':<16}" + "".join(f"{torch_ratios[k]:>9.2f}x" for k in ("forward", "backward", "total"))
          + f"   (expected <= {TORCH_MAX_RATIO:g}x in total: "
          + ("ok" if torch_ratios["total"] <= TORCH_MAX_RATIO else "UNEXPECTED") + ")")
    return {"naive": naive_f + naive_b, "fast": fast_f + fast_b, "torch": torch_f + torch_b,
            "speedup": ratios["total"], "torch_ratio": torch_ratios["total"],
            "forward_speedup": ratios["forward"], "backward_speedup": ratios["backward"],
            "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--naive-images", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args([] if argv is None else argv)
    return run(n=args.n, naive_images=args.naive_images, repeat=args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
