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

The test cells call the student's function inside :func:`answering` (or
through the scripted probes above) on the inputs of this module
(:func:`bn_net_params`, :func:`clip_inputs`, :func:`paired_cases`) and compare
with one ``check_*`` of this module. Locked like the other check modules, so
an answer cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np
import torch

from .. import regularization
from . import integrity
from .assertions import check_close, check_equal, check_true, passed
from .batchnorm import torch_clip
from .guard import without_reference
from .trace import probe

__all__ = ["SEEDS", "MAX_SETTINGS", "torch_l2", "check_l2_result", "scripted_early_stopping", "fake_sweep",
           "check_grid", "course_sweep", "retrain", "label", "answering", "bn_net_params", "check_unchanged",
           "l2_edge_cases", "check_early_stopping", "clip_inputs", "check_clipped", "paired_cases",
           "check_paired_gain", "check_sweep", "check_grid_gain", "passed"]

integrity.snapshot()  # torch is imported now: record it

#: The seeds of the real run (the sweep's and the retraining's).
SEEDS = (0, 1, 2, 3)
#: A grid has between MIN_SETTINGS and MAX_SETTINGS settings (each costs len(SEEDS) runs).
MIN_SETTINGS, MAX_SETTINGS = 4, 6

_asarray, _array, _float64, _zeros, _all = np.asarray, np.array, np.float64, np.zeros, np.all
_default_rng = np.random.default_rng
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


# ---------------------------------------------------------------- what the test cells share

# Which of the course's references each exercise's test refuses (besides PyTorch).
_BLOCKED = {
    "l2_penalty": (regularization.l2_penalty, regularization.with_weight_decay),
    "clip_grad_norm": (regularization.clip_grad_norm,),
    "paired_gain": (regularization.paired_gain,),
}


def answering(exercise):
    """The block in which a test runs the student's ``exercise``: the
    course's version of it and PyTorch refuse to run."""
    integrity.verify()
    return without_reference(*_BLOCKED[exercise])


def bn_net_params(seed=761):
    """``(params, a copy)``: the parameters of a net with batch norm (W1, b1,
    gamma1, beta1, W2, b2, gamma2, beta2, W3, b3), moved at random."""
    from ..nets import FullyConnectedNet

    rng = _default_rng(seed)
    net = FullyConnectedNet([6, 5], 4, 3, normalization="batchnorm", seed=seed)
    params = {k: v + 0.5 * rng.standard_normal(v.shape) for k, v in net.params.items()}
    return params, {k: v.copy() for k, v in params.items()}


def check_unchanged(params, before):
    """l2_penalty left every array of ``params`` as it was."""
    for k in before:
        check_close(f"params['{k}'] after l2_penalty", params[k], before[k], tol=0,
                    hint="l2_penalty must not change params: it computes the penalty and the gradients, the "
                         "optimizer makes the step.")


def l2_edge_cases(seed=762):
    """The hidden cases: ``(params, a copy, reg, what)`` for a convolutional
    net's dict (a 4-D W1) with reg 0.2, and a linear model's with reg 0."""
    rng = _default_rng(seed)
    conv = {"W1": rng.standard_normal((3, 1, 1, 5)), "b1": rng.standard_normal(3),
            "W2": rng.standard_normal((12, 10)), "b2": rng.standard_normal(10)}
    yield conv, {k: v.copy() for k, v in conv.items()}, 0.2, " (a 4-D convolution weight W1)"
    linear = {"W": rng.standard_normal((4, 3)), "b": np.ones(3)}
    yield linear, {k: v.copy() for k, v in linear.items()}, 0.0, " with reg = 0"


def check_early_stopping(run, curve, best_epoch, trained):
    """What the scripted run of :func:`scripted_early_stopping` on ``curve``
    must show: ``best_epoch``, ``trained`` epochs, one validation per epoch,
    the history, and params back at the best epoch."""
    result = run["result"]
    check_true("error" not in result,
               f"early_stopping should return (best_epoch, history), an int and a list; got {result.get('error')}.")
    check_equal("best_epoch", result["best_epoch"], best_epoch,
                hint="epochs count from 1, and only a strictly higher accuracy is a new best (epoch 6 ties "
                     "epoch 4).")
    check_equal("the number of epochs trained (patience 3)", run["trained"], trained,
                hint="stop when `patience` epochs in a row have passed since the best epoch: after epoch "
                     "best_epoch + patience.")
    check_true(run["validated"] == run["trained"] and not run["validated_before_training"],
               f"validate() was called {run['validated']} times for {run['trained']} epochs; call it once after "
               "each epoch of training.")
    check_close("history", result["history"], curve[:trained], tol=0,
                hint="history holds the validation accuracy of every epoch that ran, in order.")
    check_true(run["keys"] == ["W", "b"], f"params ends with the keys {run['keys']}, it had ['W', 'b'].")
    check_close("params['W'] at the end", run["W"], np.full((2, 3), float(best_epoch)), tol=0,
                hint=f"put the best epoch's values back into params. If you get {trained} (the last epoch), the "
                     "saved 'best' parameters were the same arrays as params, not copies: copy each array "
                     "(v.copy()) when you save them.")
    check_close("params['b'] at the end", run["b"], np.full(3, -best_epoch / 2), tol=0,
                hint="every array of params goes back to its value at the best epoch.")


def clip_inputs(seed=751):
    """The gradients of a clipping test: with seed 751, W1 (6, 5), b1 (5,) and
    W2 (5, 3) of global norm above 2; with seed 752, W (4, 4) and b (4,) of
    norm far below 5."""
    rng = _default_rng(seed)
    if seed == 752:
        return {"W": 0.01 * rng.standard_normal((4, 4)), "b": 0.01 * rng.standard_normal(4)}
    return {"W1": rng.standard_normal((6, 5)), "b1": rng.standard_normal(5), "W2": 3 * rng.standard_normal((5, 3))}


def check_clipped(norm, grads, arrays, max_norm=2.0, seed=751):
    """A call ``clip_grad_norm(grads, max_norm)`` on :func:`clip_inputs`:
    the norm before clipping and the clipped arrays, as PyTorch's
    ``clip_grad_norm_``, changed in place (``arrays`` are the arrays given)."""
    want_norm, want = torch_clip(clip_inputs(seed), max_norm)
    check_close("the returned norm", norm, want_norm,
                hint="the norm of ALL the gradients together, before clipping: the square root of the sum of "
                     "the squares of every entry of every array.")
    check_true(sorted(grads) == sorted(want), f"grads ends with the keys {sorted(grads)}, it had {sorted(want)}.")
    for k in want:
        check_true(grads[k] is arrays[k], f"grads['{k}'] should be the same array, changed in place.",
                   hint="use grads[k] *= scale (or np.multiply(..., out=...)), not grads[k] = ...")
        check_close(f"grads['{k}'] after clipping", grads[k], want[k], tol=1e-6,
                    hint="multiply every gradient by the same factor max_norm / (total + 1e-6); clipping each "
                         "array to max_norm on its own changes the direction of the update.")


def paired_cases():
    """``(acc, acc_base)`` pairs: 4 seeds where the setting gains (arrays),
    then 3 seeds where it loses (lists)."""
    return [(_array([0.41, 0.37, 0.44, 0.40]), _array([0.35, 0.36, 0.37, 0.33])),
            ([0.30, 0.28, 0.33], [0.31, 0.33, 0.34])]


def check_paired_gain(result, acc, base):
    """``result`` of ``paired_gain(acc, base)`` against PyTorch's mean and
    standard deviation (ddof 1) of the differences."""
    check_true(isinstance(result, (tuple, list)) and len(result) == 2,
               f"paired_gain should return (gain, se), got {type(result).__name__}.")
    d = _tensor(acc, dtype=torch.float64) - _tensor(base, dtype=torch.float64)
    check_close(f"the gain of {acc} over {base}", result[0], d.mean().item(), tol=1e-9,
                hint="the mean of the differences acc - acc_base (in this order).")
    check_close(f"the standard error for {acc} and {base}", result[1], (d.std() / len(d) ** 0.5).item(), tol=1e-9,
                hint="the sample standard deviation of the differences (ddof=1), divided by the square root of "
                     "the number of seeds. Pair first: the differences, not the two accuracies' own spreads.")


def check_sweep(run, table, seeds, best):
    """What :func:`fake_sweep` saw: every setting trained once with every
    seed, ``val_acc`` equal to ``table``, ``best`` the best mean."""
    result = run["result"]
    check_true("error" not in result, f"sweep should return (best, val_acc); got {result.get('error')}.")
    calls = sorted(tuple(c) for c in run["calls"])
    every = sorted((i, s) for i in range(len(table)) for s in seeds)
    check_true(calls == every,
               f"train was called {len(calls)} times with (setting number, seed) {calls[:6]}...; call it once for "
               f"every setting and every seed ({len(every)} calls), with the seeds given.",
               hint="for each setting in settings, for each seed in seeds: train(setting, seed).")
    check_close("val_acc", result["val_acc"], table, tol=0,
                hint="val_acc[i, j] = train(settings[i], seeds[j]): one row per setting, one column per seed.")
    check_equal("best", result["best"], best,
                hint="the highest MEAN over the seeds: setting 1 has the best single run and setting 3 the best "
                     "last run, but setting 2 is the best on average.")


def check_grid_gain(grid, val_acc):
    """The setting of ``grid`` with the best mean of ``val_acc`` (the course's
    sweep) must not be no regularization, and, trained again here with the
    same seeds, must beat it by 3 standard errors of the paired differences.
    Returns its label, the gain and the standard error."""
    val_acc = _asarray(val_acc)
    best, base = int(np.argmax(val_acc.mean(axis=1))), grid.index((0.0, 0.0))
    name = label(grid[best])
    check_true(best != base,
               f"No setting of your grid beats no regularization on mean validation accuracy "
               f"({val_acc[base].mean():.3f}).",
               hint="a weight decay or a dropout rate too weak changes nothing, too strong stops the net from "
                    "learning: spread your settings over orders of magnitude (and dropout is the probability of "
                    "DROPPING a unit).")
    diff = retrain(grid[best], SEEDS) - retrain(grid[base], SEEDS)  # trained again, where no student code runs
    gain, se = float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
    check_true(gain > 0 and gain >= 3 * se,
               f"The sweep chose {name}: its gain over no regularization is {gain:+.3f} ± {se:.3f} (one standard "
               f"error), {gain / se if se > 0 else 0:.1f} standard errors; at least 3 are needed.",
               hint="that gain is within the noise of four seeds: try stronger settings, or other scales.")
    return name, gain, se


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
