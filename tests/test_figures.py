"""The figure check (grader.figures): it finds what a student would find
wrong in a figure, and every notebook's figures pass it, solved and blank."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from grader import figures  # noqa: E402
from grader.paths import notebook_names  # noqa: E402
from budget import MAKE_TEST_NOTEBOOKS  # noqa: E402


def good_figure():
    fig, ax = plt.subplots(figsize=(5, 3.5))
    epochs = np.arange(1, 21)
    ax.plot(epochs, 1 / epochs, label="training loss")
    ax.set(xlabel="epoch", ylabel="loss", title="The loss falls fast, then slowly")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    return fig, ax


def test_a_well_made_figure_passes():
    fig, _ = good_figure()
    assert figures.problems(fig) == []


@pytest.mark.parametrize("spoil, expected", [
    (lambda fig, ax: ax.set_xlabel(""), "no x-axis label"),
    (lambda fig, ax: ax.set_title(""), "no title"),
    (lambda fig, ax: ax.xaxis.set_major_locator(plt.MultipleLocator(2.5)), "ticks at fractions"),
    (lambda fig, ax: ax.legend(loc="lower left", prop={"size": 5}), "too small to read"),
    (lambda fig, ax: ax.set_ylim(0.9, 1.0), "outside the axes' y range"),
    (lambda fig, ax: fig.add_subplot(2, 2, 4), "empty axes"),
    (lambda fig, ax: ax.imshow(np.random.default_rng(0).random((4, 4))), "no colour bar"),
    (lambda fig, ax: ax.bar([1, 2], [1.0, np.nan]), "NaN height"),
    (lambda fig, ax: ax.set_xticks(np.linspace(1, 20, 40)), "run into each other"),
])
def test_each_flaw_is_found(spoil, expected):
    fig, ax = good_figure()
    spoil(fig, ax)
    assert any(expected in p for p in figures.problems(fig)), figures.problems(fig)


def test_a_legend_over_the_curve_is_found_and_one_in_a_corner_is_not():
    fig, ax = plt.subplots(figsize=(5, 3.5))
    x = np.linspace(0, 1, 200)
    ax.plot(x, x, label="y = x")
    ax.set(xlabel="x", ylabel="y", title="A diagonal")
    ax.legend(loc="center")
    assert any("legend hides" in p for p in figures.problems(fig))
    ax.legend(loc="upper left")
    assert figures.problems(fig) == []


def test_a_picture_in_grey_needs_no_colour_bar_but_a_heat_map_does():
    fig, (pic, heat) = plt.subplots(1, 2)
    pic.imshow(np.eye(8), cmap="gray")
    pic.axis("off")
    pic.set_title("a digit")
    im = heat.imshow(np.eye(8), cmap="viridis")
    heat.axis("off")
    heat.set_title("weights")
    assert [p for p in figures.problems(fig) if "colour" in p] == [
        "panel 2 (weights): a colour image (or coloured points) with no colour bar or stated colour key"]
    fig.colorbar(im, ax=heat)
    assert figures.problems(fig) == []


@pytest.mark.nbgrader
@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in MAKE_TEST_NOTEBOOKS else pytest.mark.browser_all)
                                  for n in notebook_names()])
def test_every_figure_of_the_course_passes(name):
    """The solution's figures pass the check, and the blank release draws no
    figure in a cell that an unanswered exercise stops."""
    assert figures.check(name) == []
