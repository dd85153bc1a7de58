"""In a real kernel, a blank exercise prints one "Not answered yet" line, the
cell still fails, and Run All goes on past it (the raises-exception tag)."""
import nbclient
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.paths import ROOT


def _cell(source):
    return new_code_cell(source, metadata={"tags": ["raises-exception"]})


@pytest.fixture(scope="module")
def ran():
    nb = new_notebook(cells=[
        _cell("import helpers.checks"),
        _cell("def svm_loss(W):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        _cell("svm_loss(1)"),  # a test calling a blank exercise
        _cell("# YOUR CODE HERE\nraise NotImplementedError()"),  # a blank top-level answer
        _cell("import numbers\nnumbers.Number.__abs__(1)"),  # NotImplementedError inside a library
        _cell("best_net.params"),  # a value an unanswered exercise would have made
        _cell("def f():\n    return undefined_inside\nf()"),  # a typo inside a function
        _cell("print('the last cell ran')"),
    ])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb.cells


def _error(cell):
    (out,) = [o for o in cell.outputs if o.output_type == "error"]
    return out


def test_a_blank_exercise_is_one_line_naming_it(ran):
    err = _error(ran[2])
    assert err.ename == "NotImplementedError"  # still an error: nbgrader fails the test
    assert len(err.traceback) == 1 and "Not answered yet: write `svm_loss`" in err.traceback[0]


def test_a_blank_top_level_answer_says_so(ran):
    err = _error(ran[3])
    assert len(err.traceback) == 1 and "Not answered yet: this cell is an exercise" in err.traceback[0]


def test_other_not_implemented_errors_keep_their_traceback(ran):
    err = _error(ran[4])
    assert len(err.traceback) > 1 and "Not answered yet" not in "".join(err.traceback)


def test_a_name_an_exercise_makes_is_one_line_a_typo_in_a_function_a_traceback(ran):
    err = _error(ran[5])
    assert err.ename == "NameError" and len(err.traceback) == 1
    assert "`best_net` is not defined yet" in err.traceback[0]
    err = _error(ran[6])
    assert len(err.traceback) > 1 and "undefined_inside" in "".join(err.traceback)


def test_run_all_reaches_the_last_cell(ran):
    assert ran[-1].outputs[0].text == "the last cell ran\n"


def test_the_note_shows_as_a_readable_box_before_the_error(ran):
    """JupyterLab draws errors orange-on-pink and breaks them mid-word: the
    student sees the note as HTML (dark on pale, a left border, words kept
    whole); the error after it stays, for nbgrader and plain front ends."""
    outputs = ran[2].outputs
    assert [o.output_type for o in outputs] == ["display_data", "error"]
    box = outputs[0].data
    assert box["text/plain"] == outputs[1].traceback[0]
    assert 'class="dlc-not-answered"' in box["text/html"] and "word-break: normal" in box["text/html"]
    assert "<strong>Not answered yet:</strong> write <code>svm_loss</code>" in box["text/html"]
