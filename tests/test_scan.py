"""The static scan of answer cells: what an answer only computes is never
flagged; patching what the tests rely on, hooks into the kernel or the
running tests, and objects built to fool a comparison each give one finding."""
import jupytext
import pytest

from grader.notebook import answer_text, grade_id, is_answer
from grader.paths import SOLUTIONS
from grader.scan import scan, scan_cell

from conftest import FIXTURES

COMPUTES = [
    "a[i] += 1",
    "x[np.arange(n), y] -= 1",
    "dx[mask] = 0",
    "self.W -= lr * dW",
    "params[k] -= lr * g",
    "dscores[np.arange(N), y] -= 1\ndscores /= N",
    "out[:, np.argmax(s, axis=1)] = np.sqrt(v) + np.pi",
    "grads['W1'] = X.T @ dh + reg * np.sum(W1)",
    "x, y[np.isnan(y)] = 1, 0",
    "cache = (x, np.maximum(0, x))",
    "for i in range(3):\n    acc[np.argmin(d[i])] += 1",
    "x[passed] = check_close",
    "class Layer:\n    def forward(self, x):\n        self.cache = x\n        return x\n"
    "    def __repr__(self):\n        return 'Layer'",
    "import numpy as np\nimport torch\nfrom torch import nn",
    "np.zeros(3).flags.writeable = False",
]


@pytest.mark.parametrize("source", COMPUTES)
def test_an_answer_that_only_computes_is_not_flagged(source):
    assert scan_cell(source) == []


def test_the_reference_answers_are_not_flagged():
    for path in [*sorted(SOLUTIONS.glob("*.py")), FIXTURES / "00_tiny.py"]:
        nb = jupytext.read(path, fmt="py:percent")
        for cell in nb.cells:
            if cell.cell_type == "code" and is_answer(cell):
                assert scan_cell(answer_text(cell.source)) == [], (path.name, grade_id(cell))


HOOKS = {  # source: what the one finding names
    "ip = get_ipython()": "get_ipython",
    "import IPython": "IPython",
    "shell = IPython.get_ipython()": "IPython",
    "sys.settrace(tracer)": "sys.settrace",
    "threading.setprofile(tracer)": "threading.setprofile",
    "ip.set_custom_exc((Exception,), handler)": "set_custom_exc",
    "ip.input_transformers_cleanup.append(rewrite)": "input_transformers_cleanup",
    "ip.input_transformers_post.append(rewrite)": "input_transformers_post",
    "ip.ast_transformers.append(Rewriter())": "ast_transformers",
    "ip.events.register('pre_run_cell', hook)": "events.register",
    "ip.display_pub.publish = quiet": "display_pub",
    "sys.modules['helpers.checks'] = fake": "sys.modules",
    "fake = getattr(sys, 'modules')": "sys.modules",
    "for o in gc.get_objects():\n    pass": "gc.get_objects",
    "refs = gc.get_referrers(check)": "gc.get_referrers",
    "frame = inspect.currentframe()": "inspect.currentframe",
    "frame = sys._getframe(1)": "sys._getframe",
    "caller = frame.f_back": "f_back",
    "frame.f_globals['expected'] = 0": "f_globals",
    "seen = frame.f_locals": "f_locals",
    "class A:\n    def __array__(self, dtype=None):\n        return want": "__array__",
    "class A:\n    def __array_ufunc__(self, *a, **k):\n        return True": "__array_ufunc__",
    "class A:\n    def __array_function__(self, *a, **k):\n        return True": "__array_function__",
    "class A:\n    def __eq__(self, other):\n        return True": "__eq__",
    "class A:\n    __eq__ = lambda self, other: True": "__eq__",
}


@pytest.mark.parametrize("source", HOOKS)
def test_each_hook_gives_one_finding(source):
    found = scan_cell(source)
    assert len(found) == 1 and HOOKS[source] in found[0], found


def test_findings_say_what_the_hook_can_do_and_where():
    found = scan_cell("x = 1\nclass Fake:\n    def __array__(self):\n        return expected\n")
    assert found == ["defines __array__ (an object that can pretend to be any array; line 3)"]
    assert scan_cell("import sys\nsys.modules['numpy'] = fake\n") == [
        "imports sys (line 1)", "uses sys.modules (can swap the modules the tests import; line 2)"]


def test_a_hook_used_twice_is_one_finding():
    assert len(scan_cell("a = frame.f_back\nb = a.f_back\nc = b.f_back\n")) == 1


PATCHES = {  # source: what the finding names
    "np.isnan = lambda x: False": "changes np.isnan",
    "np.linalg.norm = my_norm": "changes np.linalg.norm",
    "numpy.testing.assert_allclose = lambda *a, **k: None": "changes numpy.testing.assert_allclose",
    "del np.isnan": "changes np.isnan",
    "np.isnan, y = f, 1": "changes np.isnan",
    "checks.TOLERANCE['rel'] = 1.0": "changes checks.TOLERANCE['rel']",
    "setattr(np, 'isnan', f)": "calls setattr on np",
    "check_close = lambda *a, **k: None": "rebinds the test function check_close",
    "for passed in range(3):\n    pass": "rebinds the test function passed",
    "def check_close(*a):\n    pass": "defines its own check_close",
    "open('/etc/passwd').read()": "calls open()",
    "import os": "imports os",
    "f = add.__globals__": "uses __globals__",
    "from helpers.knn import _reference": "imports the private reference helper helpers.knn._reference",
    "from helpers.checks import check_close": "imports the test machinery helpers.checks",
}


@pytest.mark.parametrize("source", PATCHES)
def test_patching_and_the_old_flags_are_still_found(source):
    assert any(PATCHES[source] in f for f in scan_cell(source)), scan_cell(source)


def test_scan_names_the_answer_cell():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("np.isnan = f", metadata={"nbgrader": {"grade_id": "add", "solution": True}}),
        nbformat.v4.new_code_cell("np.isnan = f", metadata={"nbgrader": {"grade_id": "test_add", "grade": True}}),
        nbformat.v4.new_code_cell("ip = get_ipython()"),
    ])
    assert scan(nb) == ["answer cell add changes np.isnan (line 1)"]


def test_code_that_does_not_parse_is_not_flagged():
    assert scan_cell("def add(a, b):\n    return a +\n") == []


@pytest.mark.parametrize("source", ["-" * 100_000 + "1", "np" + ".b" * 5000 + " = 1", "x = " + "1+" * 100_000 + "1"])
def test_code_nested_too_deep_to_scan_is_flagged_not_a_crash(source):
    assert scan_cell(source) == ["is nested too deeply to scan (no answer needs that)"]


TORCH_TESTS = {  # a NumPy exercise's test (torch refused) and a PyTorch exercise's test
    "test_conv": "with without_reference(_conv.conv_forward):\n    out = conv_forward(x, w)\n",
    "test_torch_net": "with without_reference(_ref.Net, allow_torch=True):\n    net = TorchNet()\n",
    "test_net": "with without_reference(_ref.Net):\n    loss = Net().loss(x, y)\n",
}


def _answer(source, gid):
    import nbformat
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": gid, "locked": False,
                                 "schema_version": 3}
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    return nb


@pytest.mark.parametrize("source", [
    "def conv_forward(x, w):\n    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()",
    "def conv_forward(x, w):\n    import torch\n    return x",
    "from torch.nn.functional import conv2d\ndef conv_forward(x, w):\n    return conv2d(x, w)",
    "def conv_forward(x, w):\n    return nn.Conv2d(3, 3, 3)(x)",
])
def test_pytorch_in_a_numpy_exercise_is_flagged(source):
    found = scan(_answer(source, "conv_forward"), TORCH_TESTS)
    assert len(found) == 1 and "PyTorch" in found[0] and "NumPy exercise" in found[0], found


def test_pytorch_in_a_numpy_exercise_class_is_flagged():
    source = "class Net:\n    def loss(self, x, y):\n        return F.cross_entropy(x, y)"
    found = scan(_answer(source, "Net"), TORCH_TESTS)
    assert len(found) == 1 and "PyTorch" in found[0] and "NumPy exercise" in found[0], found


@pytest.mark.parametrize("source, gid", [
    # F as the number of filters, as conv code names it
    ("def conv_forward(x, w):\n    F, C, HH, WW = w.shape\n    return F.real * x", "conv_forward"),
    # a PyTorch exercise may use PyTorch
    ("class TorchNet(nn.Module):\n    def forward(self, x):\n        return F.relu(x)", "TorchNet"),
])
def test_pytorch_where_it_belongs_is_not_flagged(source, gid):
    assert scan(_answer(source, gid), TORCH_TESTS) == []


def test_a_helper_that_runs_the_answer_guarded_makes_a_numpy_exercise():
    """A test cell may run the answer through a helpers.checks function that
    calls without_reference: the scan reads the helpers' source to know."""
    from grader.scan import guarding_helpers, numpy_exercises

    assert {("", "without_reference"), ("losses", "run_loss")} <= guarding_helpers()
    through_helper = "from helpers.checks.losses import SVM_REFS, run_loss\nrun_loss(my_loss, SVM_REFS, 1)\n"
    plain = "from helpers.checks import check_close\ncheck_close('x', my_other(1), 2)\n"
    torch_ok = "from helpers.checks import without_reference\nwith without_reference(allow_torch=True):\n    net(1)\n"
    assert numpy_exercises({"a": through_helper, "b": plain, "c": torch_ok}) == {"my_loss"}
