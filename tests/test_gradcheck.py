"""Numerical gradients against torch.autograd, the checks that speak to students, and the guard."""
import numpy as np
import pytest
import torch

from helpers import checks
from helpers import gradcheck as gc
from helpers.checks import ReferenceUsed, reference, without_reference


def test_numerical_gradient_matches_autograd():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    f = lambda a: np.sum(np.tanh(a) ** 2 * np.exp(0.3 * a))
    t = torch.tensor(x, requires_grad=True)
    torch.sum(torch.tanh(t) ** 2 * torch.exp(0.3 * t)).backward()
    assert gc.rel_error(gc.eval_numerical_gradient(f, x.copy()), t.grad.numpy()) < 1e-8


def test_numerical_gradient_of_array_function_matches_autograd():
    rng = np.random.default_rng(1)
    x, w, df = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    num = gc.eval_numerical_gradient_array(lambda a: np.sin(a @ w), x.copy(), df)
    t = torch.tensor(x, requires_grad=True)
    torch.sin(t @ torch.tensor(w)).backward(torch.tensor(df))
    assert gc.rel_error(num, t.grad.numpy()) < 1e-8


def test_probing_restores_the_input():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    gc.eval_numerical_gradient(lambda a: np.sum(a ** 3), x)
    np.testing.assert_array_equal(x, before)


def test_sparse_check_flags_a_wrong_gradient():
    x = np.random.default_rng(2).normal(size=(5, 5))
    f = lambda a: np.sum(a ** 2)
    assert max(gc.grad_check_sparse(f, x, 2 * x, num_checks=8)) < 1e-8
    assert min(gc.grad_check_sparse(f, x, 3 * x, num_checks=8)) > 1e-2


def test_rel_error_definition():
    assert gc.rel_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert gc.rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert gc.rel_error(0.0, 1e-12) < 1e-3  # the 1e-8 floor keeps tiny values quiet


def test_check_close_message_names_output_index_error_and_hint():
    with pytest.raises(checks.CheckFailed) as info:
        checks.check_close("dW", [[1.0, 2.0], [3.0, 4.5]], [[1.0, 2.0], [3.0, 4.0]], hint="look at row 1")
    msg = str(info.value)
    assert "`dW`" in msg and "(1, 1)" in msg and "5.88e-02" in msg and "1e-07" in msg
    assert "Hint: look at row 1" in msg


@pytest.mark.parametrize("value, words", [
    (None, "forget to `return`"),
    (np.zeros(3), "shape (3,), expected (2,)"),
    (np.array([np.nan, 1.0]), "contains nan"),
])
def test_check_close_explains_common_wrong_outputs(value, words):
    with pytest.raises(checks.CheckFailed, match=None) as info:
        checks.check_close("out", value, [1.0, 1.0])
    assert words in str(info.value)


def test_check_equal_counts_differences():
    with pytest.raises(checks.CheckFailed) as info:
        checks.check_equal("labels", [1, 2, 3, 9], [1, 2, 4, 5])
    assert "2 of 4 entries differ, the first at index (2,): yours 3, expected 4" in str(info.value)
    checks.check_equal("labels", np.array([1, 2]), [1, 2])


def test_check_gradient_accepts_right_and_rejects_wrong():
    x = np.array([0.3, -1.2])
    checks.check_gradient("grad", lambda a: np.sum(np.sin(a)), x, np.cos(x))
    with pytest.raises(checks.CheckFailed):
        checks.check_gradient("grad", lambda a: np.sum(np.sin(a)), x, -np.cos(x))


def test_checks_return_none_so_nbgrader_does_not_read_a_score():
    assert checks.check_close("x", 1.0, 1.0) is None
    assert checks.check_shape("x", np.zeros(2), (2,)) is None
    assert checks.check_equal("x", 1, 1) is None


@reference
def _ref_square(x):
    return x * x


@reference
class _RefModel:
    def __init__(self, n):
        self.n = n


def test_guard_blocks_the_reference_under_any_alias():
    alias = _ref_square
    assert alias(3) == 9
    with without_reference(_ref_square, _RefModel):
        with pytest.raises(ReferenceUsed, match="write it yourself"):
            alias(3)
        with pytest.raises(ReferenceUsed):
            _RefModel(2)
    assert alias(4) == 16 and _RefModel(2).n == 2


def test_guard_nesting_keeps_outer_block():
    with without_reference(_ref_square):
        with without_reference(_ref_square):
            pass
        with pytest.raises(ReferenceUsed):
            _ref_square(2)
