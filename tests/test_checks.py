"""An answer cell cannot switch the notebook's checks off.

Each test plays a small notebook in one namespace, as a kernel would: the
locked setup cell, then an answer cell that tampers with the checks, then a
test-cell-like snippet that imports its checks afresh and grades a WRONG
answer. The wrong answer must still fail, and whatever the answer cell
replaced must be put back with the phrase the grader searches for.
"""
import time

import numpy as np
import pytest
import torch

import helpers.checks
from helpers.checks import CheckFailed, ChecksLocked, ReferenceUsed, integrity, without_reference

PHRASE = "which code in this notebook had replaced"

SETUP = """
import numpy as np
import torch
import torch.nn.functional as F
from helpers import knn, nets
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.oracles import torch_softmax_loss
"""

# A test cell: imports afresh, then grades a wrong answer (1.5 instead of 1.0).
TEST_CELL = """
from helpers.checks import check_close, passed
check_close("answer", np.array([1.5, 2.0]), np.array([1.0, 2.0]))
passed("answer")
"""


def run_cells(*cells):
    """Run code cells one after the other in a fresh notebook namespace."""
    namespace = {"__name__": "__main__"}
    for cell in (SETUP,) + cells:
        exec(compile(cell, "<notebook cell>", "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def clean_state(capsys):
    """Every test starts and ends with nothing replaced."""
    integrity.verify()
    capsys.readouterr()
    yield
    integrity.verify()


def put_back(capsys, label):
    out = capsys.readouterr().out
    assert f"The tests put back {label}, {PHRASE}" in out, out


def test_rebinding_the_check_names_in_the_notebook_changes_nothing():
    with pytest.raises(CheckFailed, match="relative error"):
        run_cells("check_close = check_true = passed = lambda *a, **k: None", TEST_CELL)


@pytest.mark.parametrize("patch, label", [
    ("np.allclose = lambda *a, **k: True", "numpy.allclose"),
    ("np.testing.assert_allclose = lambda *a, **k: None", "numpy.testing.assert_allclose"),
    ("np.abs = lambda x: 0 * x", "numpy.abs"),
    ("np.max = lambda *a, **k: 0.0", "numpy.max"),
    ("np.maximum = lambda a, b: a + np.inf", "numpy.maximum"),
    ("import builtins; builtins.abs = lambda x: 0", "builtins.abs"),
])
def test_a_patched_numpy_or_builtin_is_put_back_and_the_wrong_answer_fails(capsys, patch, label):
    original = eval(label.replace("numpy", "np"), {"np": np, "builtins": __import__("builtins")})
    with pytest.raises(CheckFailed, match="relative error"):
        run_cells(patch, TEST_CELL)
    put_back(capsys, label)
    assert eval(label.replace("numpy", "np"), {"np": np, "builtins": __import__("builtins")}) is original


def test_the_checks_modules_refuse_assignment():
    for module in (helpers.checks, helpers.checks.assertions, helpers.checks.guard,
                   helpers.checks.integrity, helpers.checks.oracles):
        with pytest.raises(ChecksLocked, match="can't be changed from an answer cell"):
            setattr(module, "check_close", lambda *a, **k: None)
        with pytest.raises(ChecksLocked):
            delattr(module, "__name__")
    with pytest.raises(ChecksLocked):
        run_cells("import helpers.checks as hc\nhc.check_close = lambda *a, **k: None")
    with pytest.raises(ChecksLocked):
        helpers.checks.__class__ = type(np)


def test_a_check_put_into_the_module_dict_is_put_back_before_a_test_cell_imports_it(capsys):
    with pytest.raises(CheckFailed, match="relative error"):
        run_cells("import helpers.checks as hc\nvars(hc)['check_close'] = lambda *a, **k: None\n"
                  "vars(hc.assertions)['_close'] = lambda *a, **k: None", TEST_CELL)
    put_back(capsys, "helpers.checks.check_close")


@pytest.mark.parametrize("patch, label", [
    ("torch.matmul = lambda a, b: 0 * torch.ones(1)", "torch.matmul"),
    ("F.cross_entropy = lambda *a, **k: torch.zeros((), dtype=torch.float64)",
     "torch.nn.functional.cross_entropy"),
    ("torch.Tensor.__matmul__ = lambda a, b: 0 * a.sum()", "torch.Tensor.__matmul__"),
    ("torch.Tensor.backward = lambda *a, **k: None", "torch.Tensor.backward"),
])
def test_a_patched_torch_function_does_not_change_an_oracle(capsys, patch, label):
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    want_loss, want_dW = helpers.checks.oracles.torch_softmax_loss(W, X, y, 0.1)
    wrong = want_loss + 0.5
    with pytest.raises(CheckFailed):
        run_cells(patch, f"""
from helpers.checks import check_close
from helpers.checks.oracles import torch_softmax_loss
check_close("loss", {wrong!r}, torch_softmax_loss(W, X, y, 0.1)[0])
""".replace("W, X, y", "np.array(%r), np.array(%r), np.array(%r)" % (W.tolist(), X.tolist(), y.tolist())))
    put_back(capsys, label)
    loss, dW = helpers.checks.oracles.torch_softmax_loss(W, X, y, 0.1)
    assert loss == want_loss and np.array_equal(dW, want_dW)


ANSWER_USING_THE_REFERENCE = """
import helpers.checks.guard as guard
def compute_distances_no_loops(A, B):
    vars(guard)['_is_blocked'] = lambda key: False   # tamper with the guard state
    return knn.compute_distances_no_loops(A, B)
"""
TEST_DISTANCES = """
from helpers.checks import without_reference
from helpers import knn as _knn
with without_reference(_knn.compute_distances_no_loops):
    compute_distances_no_loops(np.ones((2, 3)), np.zeros((4, 3)))
"""


def test_tampering_with_the_guard_state_does_not_unblock_the_reference(capsys):
    with pytest.raises(ReferenceUsed, match="write it yourself"):
        run_cells(ANSWER_USING_THE_REFERENCE, TEST_DISTANCES)
    integrity.verify()
    put_back(capsys, "helpers.checks.guard._is_blocked")
    with pytest.raises(AttributeError):
        run_cells("import helpers.checks.guard as guard\nguard._blocked.clear()")
    with pytest.raises(ChecksLocked):
        run_cells("import helpers.checks.guard as guard\nguard._is_blocked = lambda key: False")


def test_a_reference_has_no_unguarded_original_to_call():
    from helpers import knn
    assert not hasattr(knn.compute_distances_no_loops, "__wrapped__")
    with pytest.raises(ReferenceUsed):
        run_cells("def compute_distances_no_loops(A, B):\n"
                  "    f = getattr(knn.compute_distances_no_loops, '__wrapped__', knn.compute_distances_no_loops)\n"
                  "    return f(A, B)", TEST_DISTANCES)


def test_a_private_helper_of_a_reference_module_is_refused():
    with pytest.raises(ReferenceUsed):
        run_cells("def compute_distances_no_loops(A, B):\n    return knn._l2(A, B)", TEST_DISTANCES)
    # The module's own references still use it, and it works outside the block.
    from helpers import knn
    with helpers.checks.without_reference(knn.cross_validate_k):
        knn.predict_labels(np.ones((2, 3)), np.array([0, 1, 1]), k=2)
    assert knn._l2(np.ones((1, 2)), np.zeros((1, 2))).shape == (1, 1)


def test_a_student_class_cannot_borrow_a_method_of_a_reference_class():
    answer = """
class TwoLayerNet:
    def __init__(self):
        ref = nets.TwoLayerNet(4, 5, 3)
        self.params, self.reg = ref.params, ref.reg

    def loss(self, X, y=None):
        return nets.TwoLayerNet.loss(self, X, y)
"""
    test = """
from helpers.checks import without_reference
from helpers import nets as _nets
net = TwoLayerNet()
with without_reference(_nets.TwoLayerNet):
    net.loss(np.ones((2, 4)), np.array([0, 1]))
"""
    with pytest.raises(ReferenceUsed):
        run_cells(answer, test)


def test_library_blockers_are_not_put_back_while_active(capsys):
    from helpers.checks import library_distances_blocked
    with library_distances_blocked():
        integrity.verify()
        with pytest.raises(CheckFailed, match="not allowed"):
            np.linalg.norm(np.ones(3))
    assert PHRASE not in capsys.readouterr().out
    assert np.linalg.norm(np.ones(4)) == 2.0


def test_verify_is_fast():
    integrity.verify()
    n = 50
    start = time.perf_counter()
    for _ in range(n):
        integrity.verify()
    per_call = (time.perf_counter() - start) / n
    assert per_call < 0.05, f"verify() took {1000 * per_call:.1f} ms"


def test_nothing_is_put_back_in_an_untouched_session(capsys):
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).step()
    assert integrity.verify() == []


def test_numpy_exercises_refuse_pytorch_and_put_it_back():
    import torch
    import torch.nn.functional as F
    x = torch.ones(1, 1, 3, 3, requires_grad=True)
    layer = torch.nn.Linear(2, 2)
    answers = [lambda: F.conv2d(x, x), lambda: torch.conv2d(x, x), lambda: torch.from_numpy(np.ones(2)),
               lambda: layer(torch.ones(2)), lambda: (x * 2).sum().backward(),
               lambda: torch.autograd.grad((x * 2).sum(), x), lambda: torch.nn.utils.clip_grad_norm_([x], 1.0),
               lambda: F.max_pool2d(x, 2), lambda: F.batch_norm(x, None, None, training=True),
               lambda: sum(p.numel() for p in torch.nn.Conv2d(3, 8, 3).parameters())]
    for answer in answers:
        with without_reference():
            with pytest.raises(CheckFailed, match="NumPy exercise"):
                answer()
    with without_reference(allow_torch=True):  # a PyTorch section's exercise
        for answer in answers:
            answer()
    for answer in answers:  # and everything is back
        answer()


def test_importing_torch_is_refused_in_a_numpy_exercise_when_not_yet_imported():
    import subprocess
    import sys
    code = ("from helpers.checks import without_reference, CheckFailed\n"
            "try:\n    with without_reference():\n        import torch\nexcept CheckFailed as e:\n    print('refused')\n"
            "import sys; assert 'torch' not in sys.modules\nimport torch\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["refused", "ok"]


def test_pytorch_blocking_is_not_put_back_while_active(capsys):
    integrity.snapshot()
    with without_reference():
        integrity.verify()
        with pytest.raises(CheckFailed, match="NumPy exercise"):
            torch.ones(2, requires_grad=True).sum().backward()
        with pytest.raises(CheckFailed, match="NumPy exercise"):
            torch.nn.Linear(2, 2)(torch.ones(2))
    assert PHRASE not in capsys.readouterr().out
