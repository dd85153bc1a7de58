"""The test steps of notebook 04's random search and coarse-to-fine exercises.

The student's ``random_search`` runs with a scripted ``train_and_score``
(:func:`fake_scores`: known accuracies for every (lr, reg), no training), and
``coarse_to_fine`` with a scripted ``search`` that returns fixed trials
(:data:`SCENARIOS`) and records how it was called. Both run with the course's
references blocked, and report what happened as data; the test cells decide.

Locked like :mod:`helpers.checks.losses`.
"""
from __future__ import annotations

import contextlib
import math
import sys

import numpy as np
import torch

from .. import babysit as _babysit
from .. import search as _search
from ..data import load_mnist1d, train_val_split
from . import integrity
from .assertions import check_close, check_true
from .guard import without_reference
from .losses import log_spread
from .trace import probe

__all__ = ["answering", "fake_scores", "run_random_search", "check_sampling", "check_best", "SCENARIOS",
           "spy_coarse_to_fine", "check_coarse_to_fine", "settings_of", "course_search", "check_search_target", "ratio_example",
           "check_ratios", "conv_net_params", "torch_ratios", "LABELS", "check_diagnosis_form"]

integrity.snapshot()  # torch is imported now: record it

_default_rng, _log10 = np.random.default_rng, math.log10
_asarray, _array, _unique, _allclose, _corrcoef = np.asarray, np.array, np.unique, np.allclose, np.corrcoef
_np_log10, _array_equal, _zeros, _full, _std = np.log10, np.array_equal, np.zeros, np.full, np.std
_vector_norm = torch.linalg.vector_norm


@contextlib.contextmanager
def answering(exercise):
    """The block a student's answer to ``exercise`` runs in: the course's own
    version refused (``"update_ratio"``: :func:`helpers.babysit.update_ratio`),
    and PyTorch too. The searches run inside :func:`run_random_search` and
    :func:`spy_coarse_to_fine`, which refuse the course's searches themselves."""
    with without_reference({"update_ratio": _babysit.update_ratio}[exercise]):
        yield
_REFS = (_search.random_search, _search.coarse_to_fine)
_KEYS = ("lr", "reg", "train_acc", "val_acc")


def fake_scores(lr, reg):
    """Known accuracies instead of a training: validation accuracy peaks at
    lr = 1e-2, reg = 1e-4; training accuracy grows with lr and falls with reg
    (so the best by training accuracy is another trial)."""
    u, v = _log10(float(lr)), _log10(float(reg))
    return {"train_acc": 0.75 + 0.05 * u - 0.02 * v,
            "val_acc": 0.6 - 0.04 * (u + 2.0) ** 2 - 0.01 * (v + 4.0) ** 2}


def _trial(t, what):
    """A trial dict as [lr, reg, train_acc, val_acc] floats; raises ValueError."""
    if not isinstance(t, dict):
        raise ValueError(f"{what} is a {type(t).__name__}, not a dict")
    missing = [k for k in _KEYS if k not in t]
    if missing:
        raise ValueError(f"{what} has no key(s) {missing} (it has {sorted(map(str, t))})")
    try:
        row = [float(t[k]) for k in _KEYS]
    except (TypeError, ValueError):
        raise ValueError(f"{what} holds a value that is not a number") from None
    return row


def _trials(ts, what):
    if not isinstance(ts, (list, tuple)):
        raise ValueError(f"{what} is a {type(ts).__name__}, not a list of trial dicts")
    return [_trial(t, f"{what}[{i}]") for i, t in enumerate(ts)]


def _read_search(out):
    """(trials, best) returned by a random search, as data."""
    try:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise ValueError("random_search should return two things, (trials, best); it returned "
                             f"a {type(out).__name__}" + (f" of length {len(out)}" if hasattr(out, "__len__") else ""))
        return {"trials": _trials(out[0], "trials"), "best": _trial(out[1], "best"), "problem": None}
    except ValueError as e:
        return {"trials": None, "best": None, "problem": str(e)}


@probe
def run_random_search(random_search, n_trials, lr_range, reg_range, seed):
    """Call the student's ``random_search`` with :func:`fake_scores` as
    train_and_score and ``rng = np.random.default_rng(seed)``, references
    blocked. Returns {"calls": [[lr, reg] of every train_and_score call],
    "trials": [[lr, reg, train_acc, val_acc], ...], "best": [...], "problem":
    what is wrong with the form of the result, or None}."""
    calls = []

    def train_and_score(lr, reg):
        calls.append([float(lr), float(reg)])
        return fake_scores(lr, reg)

    with without_reference(*_REFS):
        out = random_search(train_and_score, n_trials, tuple(lr_range), tuple(reg_range), _default_rng(seed))
    return {"calls": calls, **_read_search(out)}


_FORM_HINT = 'return trials, best: a list of dicts {"lr", "reg", "train_acc", "val_acc"}, and one of them.'


def check_sampling(run, again, other, n=400, lr_range=(1e-5, 1.0), reg_range=(1e-7, 1e-1)):
    """Three runs of :func:`run_random_search`: ``run`` (``n`` trials in the
    given ranges, seed 0), ``again`` (the same) and ``other`` (30 trials, lr in
    (1e-3, 1e-1), reg in (1e-4, 1e-2), seed 1). The draws must be in their
    ranges, log-uniform, not a grid, independent, from the rng given; each
    trial must be trained once with its own lr and reg."""
    check_true(run["problem"] is None, f"{run['problem']}.", hint=_FORM_HINT)
    trials = _array(run["trials"], dtype=float).reshape(-1, 4)
    calls = _array(run["calls"], dtype=float).reshape(-1, 2)
    check_true(len(trials) == n, f"{n} trials were asked for, the list holds {len(trials)}.")
    check_true(len(calls) == n and _allclose(calls, trials[:, :2], rtol=1e-12, atol=0),
               f"train_and_score was called {len(calls)} times for {n} trials, or not with the lr and reg "
               "that the trials record.", hint="one call train_and_score(lr, reg) per trial, with its own lr and reg.")
    for name, col, (low, high) in [("learning rates", 0, lr_range), ("weight decays", 1, reg_range)]:
        values = trials[:, col]
        check_true(values.min() >= low * (1 - 1e-9) and values.max() <= high * (1 + 1e-9),  # rounding aside
                   f"Some {name} lie outside their range ({low:g}, {high:g}).")
        below, ks, gap = log_spread(values, low, high)
        check_true(0.4 < below < 0.6 and ks < 0.1,
                   f"The {name} are not log-uniform: {below:.0%} of them lie below the middle of the range on a "
                   f"log scale (about half expected), Kolmogorov-Smirnov distance {ks:.3f} (random draws stay "
                   "below 0.1).", hint="draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
        check_true(len(_unique(values)) >= n - 10 and gap > 2 / n,
                   f"The {name} look like a grid (evenly spaced, or the same few values again): a random search "
                   "draws new values in every trial.", hint="use rng.uniform for the exponents, not np.logspace.")
    corr = float(_corrcoef(_np_log10(trials[:, 0]), _np_log10(trials[:, 1]))[0, 1])
    check_true(abs(corr) < 0.2,
               f"The learning rates and the weight decays are tied together (correlation {corr:.2f} of their "
               "logarithms): a high lr always comes with a high reg.",
               hint="draw the exponent of each from its own random number.")
    check_true(again["trials"] == run["trials"], "Two searches with rng = np.random.default_rng(0) gave different trials.",
               hint="draw with the rng you are given (rng.uniform), not with np.random.")
    o = _array(other["trials"] or [], dtype=float).reshape(-1, 4)
    check_true(len(o) == 30 and o[:, 0].min() >= 1e-3 * (1 - 1e-9) and o[:, 0].max() <= 1e-1 * (1 + 1e-9)
               and o[:, 1].min() >= 1e-4 * (1 - 1e-9) and o[:, 1].max() <= 1e-2 * (1 + 1e-9),
               "With n_trials=30, lr_range=(1e-3, 1e-1) and reg_range=(1e-4, 1e-2): not 30 trials, or values "
               "outside the ranges.", hint="use the arguments n_trials, lr_range and reg_range.")


def check_best(run):
    """A run of :func:`run_random_search` with :func:`fake_scores`: each
    trial records the scores of its own (lr, reg), and best is the trial with
    the highest val_acc. Returns best as [lr, reg, train_acc, val_acc]."""
    check_true(run["problem"] is None, f"{run['problem']}.", hint=_FORM_HINT)
    trials = _array(run["trials"], dtype=float).reshape(-1, 4)
    known = _array([[fake_scores(lr, reg)["train_acc"], fake_scores(lr, reg)["val_acc"]]
                    for lr, reg in trials[:, :2]]).reshape(-1, 2)
    check_close("the train_acc and val_acc that the trials record", trials[:, 2:], known, tol=1e-12,
                hint="store what train_and_score(lr, reg) returned for that trial, each under its own key.")
    best = _array(run["best"], dtype=float)
    check_true(any(_array_equal(best, t) for t in trials),
               "best is not one of the trials: return the trial dict itself.")
    check_true(best[3] == trials[:, 3].max(),
               f"best has a validation accuracy of {best[3]:.3f}, but a trial reached {trials[:, 3].max():.3f}.",
               hint="choose the trial with the highest val_acc (not train_acc, not the last one).")
    return best


#: Scripted searches for coarse_to_fine: the trials its two rounds get back,
#: as (lr, reg, train_acc, val_acc).
SCENARIOS = {
    "top3": dict(
        lr_range=(1e-4, 1.0), reg_range=(1e-6, 1e-1), n_coarse=6, n_fine=4, top=3,
        coarse=[(3e-4, 1e-2, 0.40, 0.31), (0.05, 1e-5, 0.70, 0.52), (0.5, 2e-6, 0.95, 0.20),
                (0.2, 3e-3, 0.80, 0.50), (2e-3, 5e-2, 0.45, 0.12), (0.08, 2e-4, 0.75, 0.49)],
        fine=[(0.1, 1e-4, 0.78, 0.51), (0.07, 5e-5, 0.74, 0.50), (0.15, 1e-3, 0.82, 0.48),
              (0.06, 2e-5, 0.72, 0.47)]),
    "top2": dict(
        lr_range=(1e-3, 10.0), reg_range=(1e-5, 1.0), n_coarse=5, n_fine=3, top=2,
        coarse=[(2.0, 1e-4, 0.99, 0.35), (0.01, 0.3, 0.40, 0.44), (0.03, 2e-3, 0.60, 0.41),
                (5e-3, 2e-5, 0.55, 0.30), (0.3, 0.05, 0.85, 0.38)],
        fine=[(0.02, 0.02, 0.58, 0.47), (0.012, 0.1, 0.45, 0.43), (0.025, 5e-3, 0.62, 0.40)]),
}


def _pair(x, what):
    try:
        lo, hi = (float(v) for v in x)
    except (TypeError, ValueError):
        raise ValueError(f"{what} should be a pair (low, high) of numbers") from None
    return [lo, hi]


@probe
def spy_coarse_to_fine(coarse_to_fine, scenario):
    """Call the student's ``coarse_to_fine`` on :data:`SCENARIOS` ``[scenario]``
    with a scripted ``search``, references blocked. Returns {"calls": one dict
    per search call (n_trials, lr_range, reg_range, whether it got the same
    train_and_score and the same rng), "direct": how often coarse_to_fine
    called train_and_score itself, "result": its result as data, "problem"}."""
    sc = SCENARIOS[scenario]
    given_rng, calls, direct = _default_rng(0), [], []

    def given_train_and_score(lr, reg):
        direct.append(1)
        return fake_scores(lr, reg)

    rounds = (sc["coarse"], sc["fine"])

    def search(train_and_score, n_trials, lr_range, reg_range, rng):
        call = {"same_train_and_score": train_and_score is given_train_and_score, "same_rng": rng is given_rng,
                "n_trials": None, "lr_range": None, "reg_range": None}
        try:
            call["n_trials"] = int(n_trials)
            call["lr_range"] = _pair(lr_range, "lr_range")
            call["reg_range"] = _pair(reg_range, "reg_range")
        except (TypeError, ValueError):
            pass
        calls.append(call)
        trials = [dict(zip(_KEYS, row)) for row in rounds[min(len(calls), 2) - 1]]
        return trials, dict(max(trials, key=lambda t: t["val_acc"]))

    with without_reference(*_REFS):
        out = coarse_to_fine(given_train_and_score, lr_range=sc["lr_range"], reg_range=sc["reg_range"], rng=given_rng,
                             search=search, n_coarse=sc["n_coarse"], n_fine=sc["n_fine"], top=sc["top"])
    result, problem = None, None
    try:
        if not isinstance(out, dict):
            raise ValueError(f"coarse_to_fine should return a dict, it returned a {type(out).__name__}")
        missing = [k for k in ("coarse", "fine", "fine_lr_range", "fine_reg_range", "best") if k not in out]
        if missing:
            raise ValueError(f"the dict coarse_to_fine returned has no key(s) {missing}")
        result = {"coarse": _trials(out["coarse"], "result['coarse']"),
                  "fine": _trials(out["fine"], "result['fine']"),
                  "fine_lr_range": _pair(out["fine_lr_range"], "result['fine_lr_range']"),
                  "fine_reg_range": _pair(out["fine_reg_range"], "result['fine_reg_range']"),
                  "best": _trial(out["best"], "result['best']")}
    except ValueError as e:
        problem = str(e)
    return {"calls": calls, "direct": len(direct), "result": result, "problem": problem}


#: What coarse_to_fine must make of each scenario: the fine lr range, the
#: fine reg range, and the best trial (lr, reg, train_acc, val_acc).
EXPECTED = {"top3": ((0.05, 0.2), (1e-5, 3e-3), (0.05, 1e-5, 0.70, 0.52)),
            "top2": ((0.01, 0.03), (2e-3, 0.3), (0.02, 0.02, 0.58, 0.47))}


def check_coarse_to_fine(spy, case):
    """What :func:`spy_coarse_to_fine` saw in scenario ``case``: two calls of
    search (coarse, then fine in the ranges of the best ``top`` coarse trials)
    with the same train_and_score and rng, none of train_and_score itself,
    and the result dict of the docstring."""
    sc, (lr_fine, reg_fine, best) = SCENARIOS[case], EXPECTED[case]
    check_true(spy["problem"] is None, f"{spy['problem']}.",
               hint="return the dict of the docstring, with its five keys.")
    calls = spy["calls"]
    check_true(len(calls) == 2, f"coarse_to_fine called search {len(calls)} times: once for each round, "
                                "coarse then fine.")
    check_true(spy["direct"] == 0, "coarse_to_fine called train_and_score itself: every training should go "
                                   "through search (each one costs a training).")
    check_true(all(c["same_train_and_score"] for c in calls), "Hand train_and_score on to search.")
    check_true(all(c["same_rng"] for c in calls), "Hand the rng you are given to both rounds.",
               hint="a new np.random.default_rng(...) would give the fine round the coarse round's numbers again.")
    check_true([c["n_trials"] for c in calls] == [sc["n_coarse"], sc["n_fine"]],
               f"search was asked for {[c['n_trials'] for c in calls]} trials; n_coarse = {sc['n_coarse']}, "
               f"n_fine = {sc['n_fine']}.")
    check_close(f"the coarse ranges [lr_range, reg_range] ({case})", _array([calls[0]["lr_range"], calls[0]["reg_range"]]),
                _array([sc["lr_range"], sc["reg_range"]]), tol=1e-12)
    check_close(f"the ranges of the fine round [lr_range, reg_range] (top={sc['top']})",
                _array([calls[1]["lr_range"], calls[1]["reg_range"]]), _array([lr_fine, reg_fine]),
                tol=1e-9, hint="take the `top` coarse trials with the HIGHEST val_acc, then the smallest and "
                               "the largest lr among them (and the same for reg, separately).")
    r = spy["result"]
    check_close("result['fine_lr_range'] and result['fine_reg_range']",
                _array([r["fine_lr_range"], r["fine_reg_range"]]), _array([lr_fine, reg_fine]), tol=1e-9)
    check_true(r["coarse"] == [list(t) for t in sc["coarse"]] and r["fine"] == [list(t) for t in sc["fine"]],
               "result['coarse'] and result['fine'] should be the trials that each round of search returned.")
    check_close(f"result['best'] as (lr, reg, train_acc, val_acc) ({case})", _array(r["best"]),
                _array(best), tol=1e-12, hint="the best val_acc over BOTH rounds.")


# ---------------------------------------------------------------- the settings of the search
def settings_of(settings):
    """The student's ``search_settings`` checked and read: ``(ranges, counts)``
    with ranges {"lr_range": (low, high), "reg_range": ...} and counts
    {"n_coarse", "n_fine", "top"} (ints) within the budget of 20 trainings."""
    keys = ("lr_range", "reg_range", "n_coarse", "n_fine", "top")
    check_true(isinstance(settings, dict) and all(k in settings for k in keys),
               "search_settings should be a dict with the keys lr_range, reg_range, n_coarse, n_fine and top.")
    ranges = {}
    for k in ("lr_range", "reg_range"):
        try:
            pair = _asarray(settings[k], dtype=float).ravel()
        except (TypeError, ValueError):
            pair = _zeros(0)
        check_true(len(pair) == 2 and 0 < pair[0] < pair[1],
                   f"search_settings[{k!r}] = {settings[k]!r}: it should be a pair (low, high) with 0 < low < high.")
        ranges[k] = (float(pair[0]), float(pair[1]))
    n = {k: settings[k] for k in ("n_coarse", "n_fine", "top")}
    check_true(all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in n.values()),
               f"n_coarse, n_fine and top should be whole numbers >= 1, got {n}.")
    check_true(n["top"] <= n["n_coarse"], f"top = {n['top']} is more than the {n['n_coarse']} coarse trials.")
    check_true(n["n_coarse"] + n["n_fine"] <= 20,
               f"{n['n_coarse']} + {n['n_fine']} = {n['n_coarse'] + n['n_fine']} trainings: the budget is 20.")
    return ranges, {k: int(v) for k, v in n.items()}


def course_search(ranges, counts, seed=0):
    """The course's ``coarse_to_fine`` with the course's ``random_search`` and
    the notebook's ``train_and_score`` (a ``DeepNetTrainer`` on the notebook's
    split), ``rng = np.random.default_rng(seed)``; returns its result."""
    integrity.verify()
    m = load_mnist1d()
    Xtr, ytr, Xva, yva = train_val_split(m["X_train"], m["y_train"], n_val=500, seed=0)
    trainer = _search.DeepNetTrainer(dict(X_train=Xtr, y_train=ytr, X_val=Xva, y_val=yva))
    return _search.coarse_to_fine(trainer, ranges["lr_range"], ranges["reg_range"], rng=_default_rng(seed),
                                  search=_search.random_search, **counts)


def check_search_target(best, target):
    """The best trial of the search with the student's settings reaches ``target``."""
    check_true(best["val_acc"] >= target,
               f"The search with your settings reached a best validation accuracy of {best['val_acc']:.3f} "
               f"(lr {best['lr']:.3g}, reg {best['reg']:.3g}); the target is {target}.",
               hint="look at the picture of your search below: if the best trials sit at the edge of a range, "
                    "move the range; if most trials train badly, narrow the coarse ranges around the region "
                    "where the good ones are.")


# ---------------------------------------------------------------- the update-to-weight ratio
def ratio_example():
    """The worked example: W1 = [[3, 0], [0, 4]] (norm 5) moves by
    [[0, .003], [.004, 0]] (norm .005), W2 (2 x 8, all 0.5, norm 2) has one
    entry moved by 0.004; the biases move too. Returns (before, after)."""
    before = {"W1": _array([[3.0, 0.0], [0.0, 4.0]]), "b1": _zeros(2), "W2": _full((2, 8), 0.5), "b2": _zeros(8)}
    after = {k: v.copy() for k, v in before.items()}
    after["W1"] += _array([[0.0, 0.003], [0.004, 0.0]])
    after["W2"][1, 5] -= 0.004
    after["b1"] += 0.01
    after["b2"] += 0.02
    return before, after


def conv_net_params(seed=11):
    """Random parameters of a small conv net before and after an update: a
    4-D filter bank W1 (float32), batch-norm gamma1 and beta1, W2 (36, 10),
    biases; each entry moves by a random fraction (1e-4 to 1e-2) of the
    typical size of its array. Returns (before, after)."""
    rng = _default_rng(seed)
    before = {"W1": rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "b1": rng.standard_normal(4),
              "gamma1": 1 + 0.1 * rng.standard_normal(4), "beta1": 0.1 * rng.standard_normal(4),
              "W2": 0.05 * rng.standard_normal((36, 10)), "b2": _zeros(10)}
    after = {k: v + (_std(v) * rng.standard_normal(v.shape) * 10.0 ** rng.uniform(-4, -2, v.shape)
                     ).astype(v.dtype) for k, v in before.items()}
    return before, after


def torch_ratios(before, after, keys=("W1", "W2")):
    """||after - before|| / ||before|| by ``torch.linalg.vector_norm`` in float64."""
    integrity.verify()
    return {k: float(_vector_norm(torch.tensor(after[k] - before[k], dtype=torch.float64))
                     / _vector_norm(torch.tensor(before[k], dtype=torch.float64)))
            for k in keys}


_RATIO_HINTS = {
    "worked example": {
        "keys": 'one entry for every key that starts with "W"; leave the biases out.',
        "W1": ("||after - before|| / ||before|| with the Frobenius norm, np.linalg.norm(A): "
               "the update on top, the weights below."),
        "W2": ("norms, not means of absolute values: one moved entry out of 16 gives a ratio of norms of "
               "0.004 / 2, a ratio of mean absolute values of 0.00025 / 0.5."),
    },
    "any shape": {
        "keys": None,
        "W1": "the Frobenius norm of the whole array, whatever its shape: np.linalg.norm(A) (no axis).",
        "W2": "the Frobenius norm of the whole array, whatever its shape: np.linalg.norm(A) (no axis).",
    },
}


def check_ratios(ratios, expected, given, case="worked example", kept=None):
    """``update_ratio``'s result on the arrays ``given`` (before, after):
    exactly the keys of ``expected`` (the weight matrices: no biases, gamma or
    beta), each value within 1e-3 of ``expected``; with ``kept`` (copies of
    the arguments made before the call), the arguments unchanged."""
    hints, keys = _RATIO_HINTS[case], sorted(expected)
    got = sorted(ratios) if isinstance(ratios, dict) else type(ratios).__name__
    if case == "worked example":
        message = f"update_ratio should return a dict with the keys {keys}, got {got}."
    else:
        message = f"update_ratio should return the keys {keys} here (not gamma, beta or biases), got {got}."
    check_true(isinstance(ratios, dict) and sorted(ratios) == keys, message, hint=hints["keys"])
    for k in keys:
        name = (f"update_ratio(...)[{k!r}]" if case == "worked example"
                else f"update_ratio(...)[{k!r}] (shape {_asarray(given[0][k]).shape})")
        check_close(name, ratios[k], expected[k], tol=1e-3, hint=hints[k])
    if kept is not None:
        check_true(all(_array_equal(kept[0][k], given[0][k]) and _array_equal(kept[1][k], given[1][k])
                       for k in kept[0]), "update_ratio changed the arrays it was given.")


# ---------------------------------------------------------------- reading curves
LABELS = _babysit.PROBLEMS


def check_diagnosis_form(diagnosis):
    """``diagnosis``: a dict from "A", "B", "C", "D" to the labels of
    :data:`LABELS`, each used once (whether each is right is checked when graded)."""
    check_true(isinstance(diagnosis, dict) and sorted(diagnosis) == ["A", "B", "C", "D"],
               "diagnosis should be a dict with the keys 'A', 'B', 'C' and 'D'.")
    unknown = sorted(str(v) for v in diagnosis.values() if v not in LABELS)
    check_true(not unknown, f"Unknown label(s) {unknown}: use {list(LABELS)}, written exactly so.")
    check_true(sorted(diagnosis.values()) == sorted(LABELS),
               f"Each label should appear once: your labels are {sorted(diagnosis.values())}.")


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
