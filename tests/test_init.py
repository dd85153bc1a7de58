"""helpers.init: the spread of each initializer, side by side with torch.nn.init."""
import numpy as np
import pytest
import torch

from helpers import init

FAN_IN, FAN_OUT = 800, 400


def _torch_std(fill, shape):
    t = torch.empty(shape, dtype=torch.float64)
    torch.manual_seed(0)
    fill(t)
    return float(t.std())


@pytest.mark.parametrize("name, torch_fill", [
    ("he_normal", lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu")),
    ("he_uniform", lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_in", nonlinearity="relu")),
    # Xavier is Glorot and Bengio's fan average, as PyTorch's; LeCun is Kaiming with gain 1.
    ("xavier_normal", torch.nn.init.xavier_normal_),
    ("xavier_uniform", torch.nn.init.xavier_uniform_),
    ("lecun_normal", lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="linear")),
    ("lecun_uniform", lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_in", nonlinearity="linear")),
])
@pytest.mark.parametrize("shape", [(FAN_IN, FAN_IN), (FAN_IN, FAN_OUT), (FAN_OUT, FAN_IN)])
def test_the_spread_equals_torch_nn_init(name, torch_fill, shape):
    W = init.get(name)(shape, np.random.default_rng(0))
    # torch keeps weights as (out, in)
    assert W.std() == pytest.approx(_torch_std(torch_fill, shape[::-1]), rel=0.02)


@pytest.mark.parametrize("name, variance", [
    ("xavier_normal", 2 / (FAN_IN + FAN_OUT)), ("xavier_uniform", 2 / (FAN_IN + FAN_OUT)),
    ("lecun_normal", 1 / FAN_IN), ("lecun_uniform", 1 / FAN_IN),
    ("he_normal", 2 / FAN_IN), ("he_uniform", 2 / FAN_IN)])
def test_the_variance_of_each_rule(name, variance):
    W = init.get(name)((FAN_IN, FAN_OUT), 1)
    assert W.shape == (FAN_IN, FAN_OUT)
    assert W.var() == pytest.approx(variance, rel=0.02)  # std sqrt(n) would be off by n
    if name.endswith("uniform"):
        bound = np.sqrt(3 * variance)
        assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound


def test_numbers_zeros_constants_and_functions():
    rng = np.random.default_rng(0)
    assert init.get(0.01)((300, 300), rng).std() == pytest.approx(0.01, rel=0.02)
    assert not init.get("zeros")((3, 2)).any()
    assert np.all(init.constant(-8)((2, 5)) == -8)
    mine = lambda shape, rng: np.ones(shape)  # noqa: E731
    assert init.get(mine) is mine
    assert np.array_equal(init.get("he_normal")((5, 4), 7), init.he_normal((5, 4), 7))  # seeded


def test_bad_specs_say_what_is_accepted():
    with pytest.raises(ValueError, match="unknown initializer 'kaiming'.*he_normal"):
        init.get("kaiming")
    with pytest.raises(ValueError, match="a name, a number or a function"):
        init.get(None)
    with pytest.raises(ValueError, match="positive sizes"):
        init.he_normal((0, 3))


def test_activation_stats_and_gradient_norms():
    relu = np.maximum(np.random.default_rng(0).standard_normal((1000, 50)), 0)
    sig = np.full((10, 5), 1 - 1e-5)
    (r, s) = init.activation_stats([relu, sig])
    assert r["zero"] == pytest.approx(0.5, abs=0.02) and r["mean"] == pytest.approx(0.399, abs=0.02)
    assert s["saturated"] == 1.0 and s["zero"] == 0.0
    assert init.gradient_norms({"W1": np.ones((2, 2)), "W2": np.zeros(3)}, ["W1", "W2"]) == [2.0, 0.0]


def test_tune_learning_rate_chooses_the_first_best_validation_accuracy():
    class Run:
        def __init__(self, best):
            self.best_val_acc = best

    table = {0.01: 0.4, 0.1: 0.6, 1.0: 0.6}
    calls = []

    def train(lr):
        calls.append(lr)
        return Run(table[lr])

    assert init.tune_learning_rate(train, (0.01, 0.1, 1.0)) == (0.1, [0.4, 0.6, 0.6])
    assert calls == [0.01, 0.1, 1.0]
