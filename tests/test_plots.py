"""The shared plots draw what they claim, for each layout of their input."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from helpers import plots


@pytest.mark.parametrize("shape", [(64, 10), (65, 10), (10, 64), (10, 65)])
def test_templates_accept_weights_with_or_without_bias_row(shape):
    W = np.random.default_rng(0).normal(size=shape)
    fig = plots.show_templates(W, (8, 8))
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 10 and images[0].shape == (8, 8)
    assert min(i.min() for i in images) == pytest.approx(0) and max(i.max() for i in images) == pytest.approx(1)


def test_templates_reject_weights_of_another_image_size():
    with pytest.raises(ValueError, match="do not hold images"):
        plots.show_templates(np.zeros((40, 10)), (8, 8))


def test_decision_regions_colour_the_plane_by_the_prediction():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    ax = plots.plot_decision_regions(lambda P: (P[:, 0] > 0).astype(int), X, [0, 1], resolution=50)
    assert len(ax.collections) >= 2  # filled regions and the scatter


def test_smooth_keeps_short_curves_and_averages_long_ones():
    assert list(plots.smooth([1, 2], window=5)) == [1, 2]
    np.testing.assert_allclose(plots.smooth(np.arange(10.0), window=5), np.arange(2.0, 8.0))
