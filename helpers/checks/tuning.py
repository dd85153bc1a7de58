"""The test steps of notebook 04's random search and coarse-to-fine exercises.

The student's ``random_search`` runs with a scripted ``train_and_score``
(:func:`fake_scores`: known accuracies for every (lr, reg), no training), and
``coarse_to_fine`` with a scripted ``search`` that returns fixed trials
(:data:`SCENARIOS`) and records how it was called. Both run with the course's
references blocked, and report what happened as data; the test cells decide.

Locked like :mod:`helpers.checks.losses`.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from .. import search as _search
from . import integrity
from .guard import without_reference
from .trace import probe

__all__ = ["fake_scores", "run_random_search", "SCENARIOS", "spy_coarse_to_fine"]

_default_rng, _log10 = np.random.default_rng, math.log10
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


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
