"""The verdict's two halves: a test cell recorded in a (pretend) kernel and
replayed in the grader. What crosses is plain data; nothing a kernel sends
can make a failing test pass; a malformed or short record fails the test."""
import json
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

from helpers.checks import trace, wire

TEST = '''
import numpy as np
from helpers.checks import check_close, check_equal, passed
_rng = np.random.default_rng(3)
_A = _rng.standard_normal((4, 3))
check_close("double(A)", double(_A), 2 * _A)
_p = {"w": np.ones(3)}
Stepper(0.5).update(_p, {"w": np.ones(3)})
check_close("w after one step", _p["w"], np.full(3, 0.5))
check_equal("labels", label(_A), np.argmax(_A, axis=1))
passed("all good")
'''


class Stepper:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


def recorded(namespace, source=TEST):
    """The record a kernel with ``namespace`` leaves for ``source`` (errors included)."""
    out = []
    try:
        trace.run_test("t", trace.packed(source), namespace, sink=lambda gid, ev: out.append(ev))
    except Exception:
        pass
    return json.loads(json.dumps(out[0]))  # as it crosses: JSON text


def honest():
    return {"double": lambda a: 2 * a, "Stepper": Stepper, "label": lambda a: np.argmax(a, axis=1)}


def test_a_right_answer_passes_and_prints_its_tick():
    passed, output, error = trace.replay_test("t", TEST, recorded(honest()))
    assert passed and error is None and "all good" in output


def test_a_wrong_answer_fails_with_the_checks_message():
    ns = honest() | {"double": lambda a: 3 * a}
    passed, _, error = trace.replay_test("t", TEST, recorded(ns))
    assert not passed and "double(A)" in str(error)


def test_changes_made_in_place_come_back_and_rebinding_does_not_pass_for_in_place():
    class Rebinds(Stepper):
        def update(self, params, grads):
            for k in params:
                params[k] = params[k] - self.lr * grads[k]

    src = ('import numpy as np\n_p = {"w": np.ones(3)}\n_w = _p["w"]\nS(0.5).update(_p, {"w": np.ones(3)})\n'
           'assert _p["w"] is _w, "not in place"\nassert np.allclose(_p["w"], 0.5)\n')
    assert trace.replay_test("t", src, recorded({"S": Stepper}, src))[0]
    passed, _, error = trace.replay_test("t", src, recorded({"S": Rebinds}, src))
    assert not passed and "not in place" in str(error)


class Liar:
    """Claims to equal anything and to be any array it is compared with."""

    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.full((4, 3), np.nan)


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


@pytest.mark.parametrize("answer", [
    lambda a: Liar(),
    lambda a: np.zeros_like(a).view(LyingArray),
    lambda a: None,
    lambda a: "2 * A",
])
def test_objects_that_lie_earn_nothing(answer):
    ns = honest() | {"double": answer}
    assert not trace.replay_test("t", TEST, recorded(ns))[0]


def test_subclasses_cross_as_their_plain_data():
    Pair = namedtuple("Pair", "a b")
    value = [Pair(np.float32(1.5), 2), OrderedDict(x=np.arange(3)), {1, 2}, True, None, 2 ** 70,
             float("nan"), np.array(["a", "bc"]), np.int64(3)]
    data = json.loads(json.dumps(wire.encode(value, lambda obj: pytest.fail(f"{obj!r} is data"))))
    back = wire.decode(data, None, wire.Budget(1 << 20))
    assert type(back[0]) is tuple and type(back[1]) is dict and back[5] == 2 ** 70
    assert back[0][0] == np.float32(1.5) and back[0][0].dtype == np.float32 and back[8].dtype == np.int64
    assert np.isnan(back[6]) and back[7].tolist() == ["a", "bc"]


@pytest.mark.parametrize("events", [
    None, [], "x", [{"op": "names"}], [{"op": "names", "h": -1, "detail": "double"}],
    [{"op": "names", "h": -1, "detail": ["double"]},
     {"op": "global", "h": -1, "detail": "double", "result": {"nd": ["|O", [1], "AA=="]}}],
    [{"op": "names", "h": -1, "detail": ["double"]},
     {"op": "global", "h": -1, "detail": "double", "result": {"h": 0}},
     {"op": "call", "h": 0, "detail": None, "result": {"nd": ["<f8", [4, 3], "AAAA"]}}],
])
def test_malformed_records_fail_the_test_and_never_raise(events):
    passed, _, error = trace.replay_test("t", TEST, events)
    assert not passed and error is not None


def test_a_record_that_stops_short_or_runs_long_fails():
    events = recorded(honest())
    assert not trace.replay_test("t", TEST, events[:-1])[0]
    assert not trace.replay_test("t", TEST, events + [events[-1]])[0]


def test_a_record_for_other_inputs_fails():
    events = recorded(honest())
    call = next(e for e in events if e["op"] == "call")
    call["args"] = "0" * 16
    passed, _, error = trace.replay_test("t", TEST, events)
    assert not passed and "inputs" in str(error)


def test_the_grader_keeps_a_bounded_amount_of_array_data():
    src = "import numpy as np\nassert big().shape == (1000, 1000)\n"
    events = recorded({"big": lambda: np.zeros((1000, 1000))}, src)
    assert trace.replay_test("t", src, events)[0]
    passed, _, error = trace.replay_test("t", src, events, wire.Budget(1 << 20))
    assert not passed and isinstance(error, wire.WireError)


def test_an_error_of_the_students_code_comes_back_as_that_error():
    def blank(a):
        raise NotImplementedError()

    passed, _, error = trace.replay_test("t", TEST, recorded(honest() | {"double": blank}))
    assert not passed and isinstance(error, NotImplementedError) and error.student_error == "NotImplementedError"


def test_a_missing_answer_is_a_name_error():
    ns = honest()
    del ns["label"]
    passed, _, error = trace.replay_test("t", TEST, recorded(ns))
    assert not passed and isinstance(error, NameError)


def test_probes_run_in_the_kernel_and_are_read_back_in_the_grader():
    calls = []

    @trace.probe
    def count_calls(fn, x):
        calls.append(1)
        fn(x)
        return len(calls)

    src = "assert count(f, 2) == 1\n"
    events = recorded({"count": count_calls, "f": lambda x: x}, src)
    assert calls == [1]
    assert trace.replay_test("t", src, events)[0] and calls == [1]  # not run again in the grader


def test_a_test_cell_names_exactly_the_notebooks_names():
    src = "import numpy as np\nfrom x import y\n_a = f(1)\ndef _g():\n    return h(_a) + len([])\nfor _i in k: pass\n"
    assert trace.notebook_names(src) == ["f", "h", "k"]
