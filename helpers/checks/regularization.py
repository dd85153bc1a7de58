"""The test steps of notebook 07's regularization exercises (sections 5 and 6).

- :func:`torch_l2`: the weight-decay oracle, ``reg * sum(W**2)`` over the
  weight matrices and its gradient by PyTorch autograd;
  :func:`check_l2_result` compares a student's ``(penalty, grads)`` with it.
- :func:`scripted_early_stopping`: runs a student's ``early_stopping`` on a
  scripted validation curve (each "epoch" writes its number into the
  parameters) and reports, as data, what it did: epochs trained, the
  parameters it left, what it returned.
- :func:`fake_sweep`: runs a student's ``sweep`` with a scripted trainer
  whose accuracies are known and reports the calls it made and what it
  returned.
- :func:`check_grid`, :func:`course_sweep` and :func:`retrain`: the real run.
  ``course_sweep`` (a probe: it runs in the notebook's kernel, the grader
  reads its result back) trains the course's sweep over the student's grid
  to find the chosen setting; ``retrain`` trains the chosen setting and the
  baseline again, in the kernel and in the grader alike, so the gain that is
  graded is computed where no student code runs.

Locked like the other check modules, so an answer cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np
import torch

from .. import regularization
from . import integrity
from .assertions import check_close, check_true
from .guard import without_reference
from .trace import probe

__all__ = ["SEEDS", "MAX_SETTINGS", "torch_l2", "check_l2_result", "scripted_early_stopping", "fake_sweep",
           "check_grid", "course_sweep", "retrain", "label"]

integrity.snapshot()  # torch is imported now: record it

#: The seeds of the real run (the sweep's and the retraining's).
SEEDS = (0, 1, 2, 3)
#: A grid has between MIN_SETTINGS and MAX_SETTINGS settings (each costs len(SEEDS) runs).
MIN_SETTINGS, MAX_SETTINGS = 4, 6

_asarray, _array, _float64, _zeros, _all = np.asarray, np.array, np.float64, np.zeros, np.all
_integer, _floating, _ndarray = np.integer, np.floating, np.ndarray
_tensor = torch.tensor
_ES_REFS = (regularization.early_stopping, regularization.EarlyStopping)


# ---------------------------------------------------------------- weight decay

def torch_l2(params, reg):
    """``(penalty, grads)`` of ``reg * sum over the weight matrices of sum(W**2)``
    by autograd: the weight matrices are the keys starting with "W"."""
    weights = {k: _tensor(_asarray(v, dtype=_float64), requires_grad=True)
               for k, v in params.items() if str(k).startswith("W")}
    penalty = sum((reg * (t ** 2).sum() for t in weights.values()), _tensor(0.0, dtype=torch.float64))
    if weights:
        penalty.backward()
    return float(penalty.item()), {k: t.grad.numpy().copy() for k, t in weights.items()}


def check_l2_result(result, params, reg, what=""):
    """A student's ``l2_penalty(params, reg)`` result against :func:`torch_l2`."""
    check_true(isinstance(result, (tuple, list)) and len(result) == 2,
               f"l2_penalty{what} should return two things, (penalty, grads); got "
               f"{type(result).__name__}.", hint="end with `return penalty, grads`.")
    penalty, grads = result
    want_penalty, want_grads = torch_l2(params, reg)
    check_true(isinstance(penalty, (int, float, _integer, _floating)) or
               (isinstance(penalty, _ndarray) and penalty.shape == ()),
               f"The penalty{what} should be one number, got {type(penalty).__name__}.",
               hint="reg * the sum of W**2 over every entry of every weight matrix: a single float.")
    check_close(f"the penalty{what}", float(penalty), want_penalty, tol=1e-10,
                hint="reg * sum(W**2) for every key starting with 'W' (no factor 1/2, biases, gamma "
                     "and beta left out).")
    check_true(isinstance(grads, dict), f"grads{what} should be a dict, got {type(grads).__name__}.")
    extra = [k for k in grads if k not in params]
    check_true(not extra, f"grads{what} has keys {extra} that are not in params.")
    for k in params:
        if k in want_grads:
            check_true(k in grads, f"grads{what} has no entry for the weight matrix '{k}'.",
                       hint="every key starting with 'W' is a weight matrix and gets 2 * reg * W.")
            check_close(f"grads['{k}']{what}", grads[k], want_grads[k], tol=1e-10,
                        hint="the derivative of reg * sum(W**2) is 2 * reg * W.")
        elif k in grads:
            g = _asarray(grads[k], dtype=_float64)
            check_true(g.shape == _asarray(params[k]).shape and _all(g == 0),
                       f"grads['{k}']{what} is not zero: '{k}' is not a weight matrix and is not decayed.",
                       hint="only the keys starting with 'W' are decayed; biases, gamma and beta get no "
                            "penalty (leave them out of grads, or give zeros).")


# ---------------------------------------------------------------- early stopping

@probe
def scripted_early_stopping(fn, curve, patience, max_epochs):
    """Run ``fn(params, train_epoch, validate, patience=..., max_epochs=...)``
    where epoch t writes t into ``params["W"]`` and -t / 2 into ``params["b"]``
    and ``validate()`` returns ``curve[t - 1]`` (its last value past its end).
    Returns what happened, as data: ``trained`` (train_epoch calls),
    ``validated`` (validate calls), ``validated_before_training`` (a validate
    call with no new epoch since the last one), ``W`` and ``b`` (the values
    left in params), ``keys``, ``same_arrays`` (the dict still holds the
    arrays it was given) and ``result`` (what fn returned, ``(best_epoch,
    history)`` as int and list of floats, or a description if it is not
    that)."""
    params = {"W": _zeros((2, 3)), "b": _zeros(3)}
    arrays = dict(params)
    state = {"trained": 0, "validated": 0, "validated_before_training": False, "last_validated": 0}

    def train_epoch():
        state["trained"] += 1
        if state["trained"] > 1000:
            raise RuntimeError("train_epoch was called more than 1000 times: the loop never stops "
                               "(max_epochs and patience should stop it).")
        t = float(state["trained"])
        params["W"][...] = t
        params["b"][...] = -t / 2

    def validate():
        state["validated"] += 1
        t = state["trained"]
        if t == state["last_validated"]:
            state["validated_before_training"] = True
        state["last_validated"] = t
        return float(curve[min(max(t, 1), len(curve)) - 1])

    with without_reference(*_ES_REFS):
        result = fn(params, train_epoch, validate, patience=patience, max_epochs=max_epochs)
    out = {k: state[k] for k in ("trained", "validated", "validated_before_training")}
    out["keys"] = sorted(map(str, params))
    out["same_arrays"] = all(params.get(k) is a for k, a in arrays.items())
    out["W"] = _array(params["W"], dtype=_float64) if isinstance(params.get("W"), _ndarray) else None
    out["b"] = _array(params["b"], dtype=_float64) if isinstance(params.get("b"), _ndarray) else None
    out["result"] = _plain_early_stopping(result)
    return out


def _plain_early_stopping(result):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return {"error": f"a {type(result).__name__}" + (f" of length {len(result)}"
                                                         if isinstance(result, (tuple, list)) else "")}
    best, history = result
    if isinstance(best, bool) or not isinstance(best, (int, _integer)):
        return {"error": f"best_epoch is a {type(best).__name__}, not an int"}
    try:
        history = [float(a) for a in history]
    except (TypeError, ValueError):
        return {"error": f"history is a {type(history).__name__}, not a list of accuracies"}
    return {"best_epoch": int(best), "history": history}


# ---------------------------------------------------------------- the sweep

@probe
def fake_sweep(fn, table, seeds):
    """Run ``fn(train, settings, seeds)`` with ``len(table)`` settings
    ``{"reg": 10.0 ** -i, "dropout": 0.0}`` and a scripted ``train`` whose
    accuracy for setting i and ``seeds[j]`` is ``table[i][j]``. Returns, as
    data: ``calls`` (the (setting index, seed) of every train call; index -1
    for a setting that is not one of those given) and ``result`` (``best`` and
    ``val_acc`` as returned, or a description if they are not an int and an
    array of numbers)."""
    settings = [{"reg": 10.0 ** -i, "dropout": 0.0} for i in range(len(table))]
    seeds = list(seeds)
    calls = []

    def train(setting, seed):
        i = next((n for n, s in enumerate(settings) if s is setting), None)
        if i is None:
            i = next((n for n, s in enumerate(settings) if s == setting), -1)
        calls.append([int(i), int(seed) if isinstance(seed, (int, _integer)) else -1])
        if len(calls) > 10 * len(settings) * len(seeds):
            raise RuntimeError("train was called far more often than once per setting and seed.")
        if i < 0 or seed not in seeds:
            return 0.0
        return float(table[i][seeds.index(seed)])

    with without_reference(regularization.sweep):
        result = fn(train, settings, tuple(seeds))
    return {"calls": calls, "result": _plain_sweep(result)}


def _plain_sweep(result):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return {"error": f"a {type(result).__name__}" + (f" of length {len(result)}"
                                                         if isinstance(result, (tuple, list)) else "")}
    best, val_acc = result
    if isinstance(best, bool) or not isinstance(best, (int, _integer)):
        return {"error": f"best is a {type(best).__name__} ({best!r:.60}), not the index of a setting (an int)"}
    try:
        val_acc = _asarray(val_acc, dtype=_float64)
    except (TypeError, ValueError):
        return {"error": f"val_acc is a {type(val_acc).__name__}, not an array of accuracies"}
    return {"best": int(best), "val_acc": val_acc}


# ---------------------------------------------------------------- the real run

def check_grid(grid):
    """The student's grid as a list of ``(reg, dropout)`` float pairs, after
    checking its form: MIN_SETTINGS to MAX_SETTINGS different settings, each a
    dict with the keys "reg" and "dropout" in range, no regularization among them."""
    check_true(isinstance(grid, (list, tuple)),
               f"regularization_grid() should return a list of settings, got {type(grid).__name__}.")
    check_true(MIN_SETTINGS <= len(grid) <= MAX_SETTINGS,
               f"Your grid has {len(grid)} settings; give between {MIN_SETTINGS} and {MAX_SETTINGS} (each "
               f"setting costs {len(SEEDS)} training runs).",
               hint="no regularization plus a few weight decays spread over orders of magnitude "
                    "and/or dropout rates.")
    pairs = []
    for i, setting in enumerate(grid):
        check_true(isinstance(setting, dict) and sorted(map(str, setting)) == ["dropout", "reg"],
                   f"Setting {i} of your grid is {setting!r:.80}; each setting is a dict with exactly the keys "
                   '"reg" and "dropout".', hint='for example {"reg": 0.001, "dropout": 0.0}.')
        values = []
        for key in ("reg", "dropout"):
            v = setting[key]
            check_true(not isinstance(v, bool) and isinstance(v, (int, float, _integer, _floating))
                       and np.isfinite(v), f'Setting {i}: "{key}" should be a number, got {v!r:.40}.')
            values.append(float(v))
        reg, p = values
        check_true(0 <= reg <= 1, f"Setting {i}: reg = {reg:g} is outside [0, 1].")
        check_true(0 <= p <= 0.9, f"Setting {i}: dropout = {p:g} is outside [0, 0.9]; it is the probability "
                   "of DROPPING a unit.")
        pairs.append((reg, p))
    check_true(len(set(pairs)) == len(pairs), "Your grid lists the same setting twice.")
    check_true((0.0, 0.0) in pairs,
               'Your grid must include no regularization, {"reg": 0.0, "dropout": 0.0}: the baseline '
               "that the gain is measured against.")
    return pairs


def label(pair):
    """"reg 0.01", "dropout 0.2", "reg 0.01 and dropout 0.2" or "no regularization"."""
    reg, p = pair
    parts = ([f"reg {reg:g}"] if reg else []) + ([f"dropout {p:g}"] if p else [])
    return " and ".join(parts) or "no regularization"


def _setting(pair):
    return {"reg": float(pair[0]), "dropout": float(pair[1])}


@probe
def course_sweep(pairs, seeds=SEEDS):
    """The course's :func:`helpers.regularization.sweep` over the settings
    ``pairs`` ((reg, dropout) each) with ``seeds``, on the over-fitting
    set-up: the (len(pairs), len(seeds)) validation accuracies, a list of lists."""
    integrity.verify()
    _, val_acc = regularization.sweep(regularization.train_and_validate, [_setting(p) for p in pairs], seeds)
    return [[float(a) for a in row] for row in val_acc]


def retrain(pair, seeds=SEEDS):
    """The validation accuracies of the setting ``pair`` (reg, dropout), one per seed."""
    return _array([regularization.train_and_validate(_setting(pair), int(s)) for s in seeds], dtype=_float64)


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
