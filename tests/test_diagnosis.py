"""Fingerprints of wrong outputs (helpers.checks.diagnosis): the same output
computed another way matches, a different one does not, and a failed check
names the typical mistake its output matches."""
import numpy as np
import pytest

from helpers.checks import check_close, check_equal, check_true, diagnosis
from helpers.checks.assertions import CheckFailed


def test_an_output_computed_another_way_has_the_same_fingerprint():
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((50, 40)), rng.standard_normal((40, 10))
    by_matmul = X @ W
    by_einsum = np.einsum("nd,dc->nc", X, W)
    by_loops = np.array([[sum(X[n, d] * W[d, c] for d in range(40)) for c in range(10)] for n in range(50)])
    assert not np.array_equal(by_matmul, by_loops)  # they differ in the last bits...
    prints = {diagnosis.fingerprint("scores", v) for v in (by_matmul, by_einsum, by_loops)}
    assert len(prints) == 1  # ... and round alike


@pytest.mark.parametrize("change", [
    lambda a: a * (1 + 1e-4), lambda a: a.T, lambda a: a[:-1], lambda a: -a, lambda a: a.ravel(),
    lambda a: np.where(a > 0, np.nan, a), lambda a: a * 10, lambda a: a / 10,
])
def test_a_different_output_has_another_fingerprint(change):
    a = np.random.default_rng(1).standard_normal((4, 4))
    assert diagnosis.fingerprint("x", change(a)) != diagnosis.fingerprint("x", a)


def test_the_check_s_name_is_part_of_the_fingerprint():
    assert diagnosis.fingerprint("loss", 1.5) != diagnosis.fingerprint("grad", 1.5)


TABLE = {"mistakes": [{"why": "forget to average over the batch", "where": "`svm_loss_naive`"}],
         "keys": {diagnosis.fingerprint("loss", 15.0): [0]}}


def test_a_failed_check_names_the_mistake_its_output_matches():
    with diagnosis.using(TABLE), pytest.raises(CheckFailed) as failed:
        check_close("loss", 15.0, 1.5)
    assert str(failed.value).endswith("Diagnosis: this is what you get if you forget to average over the "
                                      "batch (in `svm_loss_naive`).")
    assert failed.value.fingerprint == diagnosis.fingerprint("loss", 15.0)
    assert failed.value.expected_fingerprint == diagnosis.fingerprint("loss", 1.5)


def test_an_unknown_wrong_output_keeps_the_plain_hint():
    with diagnosis.using(TABLE), pytest.raises(CheckFailed) as failed:
        check_close("loss", 14.0, 1.5, hint="divide by N")
    assert "Diagnosis" not in str(failed.value) and str(failed.value).endswith("Hint: divide by N")


def test_labels_and_messages_have_fingerprints_too():
    with pytest.raises(CheckFailed) as equal:
        check_equal("labels", [1, 2], [1, 3])
    with pytest.raises(CheckFailed) as true:
        check_true(False, "ran 5000 lines of Python")
    assert equal.value.fingerprint == diagnosis.fingerprint("labels", np.array([1, 2]))
    assert true.value.fingerprint == diagnosis.fingerprint("", "ran 5000 lines of Python")


def test_the_grader_names_only_mistakes_of_the_test_it_replays():
    """Two exercises can share a check's name and a wrong output; a replay of
    one test cell names only the mistakes that fail that cell."""
    table = {"mistakes": [dict(TABLE["mistakes"][0], tests=["test_svm_loss_naive"])], "keys": TABLE["keys"]}
    for test, named in (("test_svm_loss_naive", True), ("test_softmax_loss", False)):
        with diagnosis.using(table), diagnosis.testing(test), pytest.raises(CheckFailed) as failed:
            check_close("loss", 15.0, 1.5)
        assert ("Diagnosis" in str(failed.value)) == named
