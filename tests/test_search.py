"""helpers.search, helpers.babysit and the test steps of notebook 04's search exercises."""
import math

import numpy as np
import pytest
import torch

from helpers import babysit, optim, search
from helpers.checks.tuning import SCENARIOS, fake_scores
from helpers.data import load_mnist1d, train_val_split


@pytest.fixture(scope="module")
def data():
    m = load_mnist1d()
    X_tr, y_tr, X_va, y_va = train_val_split(m["X_train"], m["y_train"], n_val=500, seed=0)
    return dict(X_train=X_tr, y_train=y_tr, X_val=X_va, y_val=y_va)


def test_random_search_draws_log_uniformly_and_picks_the_best_on_validation():
    calls = []

    def scorer(lr, reg):
        calls.append((lr, reg))
        return fake_scores(lr, reg)

    trials, best = search.random_search(scorer, 2000, (1e-5, 1.0), (1e-7, 1e-1), np.random.default_rng(0))
    assert [(t["lr"], t["reg"]) for t in trials] == calls
    for key, (low, high) in (("lr", (1e-5, 1.0)), ("reg", (1e-7, 1e-1))):
        u = np.sort((np.log10([t[key] for t in trials]) - np.log10(low)) / (np.log10(high) - np.log10(low)))
        assert 0 <= u[0] and u[-1] <= 1
        assert np.max(np.abs(u - (np.arange(1, 2001) - 0.5) / 2000)) < 0.05  # Kolmogorov-Smirnov
    assert best["val_acc"] == max(t["val_acc"] for t in trials)
    assert best is not max(trials, key=lambda t: t["train_acc"])  # the stand-in tells them apart
    again, _ = search.random_search(fake_scores, 5, (1e-5, 1.0), (1e-7, 1e-1), np.random.default_rng(0))
    assert again == trials[:5]


def test_fake_scores_peak_where_the_docstring_says():
    grid = [(10.0 ** a, 10.0 ** b) for a in np.arange(-5, 0.01, 0.5) for b in np.arange(-7, -0.99, 0.5)]
    assert max(grid, key=lambda p: fake_scores(*p)["val_acc"]) == pytest.approx((1e-2, 1e-4))
    assert max(grid, key=lambda p: fake_scores(*p)["train_acc"]) == pytest.approx((1.0, 1e-7))


def _scripted(scenario):
    rounds, calls = (SCENARIOS[scenario]["coarse"], SCENARIOS[scenario]["fine"]), []

    def scripted_search(train_and_score, n_trials, lr_range, reg_range, rng):
        calls.append((n_trials, tuple(lr_range), tuple(reg_range)))
        trials = [dict(zip(("lr", "reg", "train_acc", "val_acc"), row)) for row in rounds[len(calls) - 1]]
        return trials, max(trials, key=lambda t: t["val_acc"])

    return scripted_search, calls


@pytest.mark.parametrize("scenario, lr_fine, reg_fine, best", [
    ("top3", (0.05, 0.2), (1e-5, 3e-3), (0.05, 1e-5, 0.70, 0.52)),
    ("top2", (0.01, 0.03), (2e-3, 0.3), (0.02, 0.02, 0.58, 0.47)),
])
def test_coarse_to_fine_on_the_scenarios_gives_the_numbers_the_test_cell_expects(scenario, lr_fine, reg_fine, best):
    sc = SCENARIOS[scenario]
    scripted_search, calls = _scripted(scenario)
    out = search.coarse_to_fine(fake_scores, sc["lr_range"], sc["reg_range"], np.random.default_rng(0),
                                scripted_search, n_coarse=sc["n_coarse"], n_fine=sc["n_fine"], top=sc["top"])
    assert calls == [(sc["n_coarse"], sc["lr_range"], sc["reg_range"]), (sc["n_fine"], lr_fine, reg_fine)]
    assert out["fine_lr_range"] == lr_fine and out["fine_reg_range"] == reg_fine
    assert tuple(out["best"][k] for k in ("lr", "reg", "train_acc", "val_acc")) == best


def test_the_deep_net_trainer_is_deterministic_remembers_and_scores_a_blow_up_at_chance(data):
    first = search.DeepNetTrainer(data)
    good = first(0.1, 1e-4)
    assert set(good) == {"train_acc", "val_acc"} and good["val_acc"] > 0.45
    second = search.DeepNetTrainer({k: np.array(v, copy=True) for k, v in data.items()})
    remembered = len(search._CACHE)
    assert second(0.1, 1e-4) == good  # remembered: same data, same settings, no new training
    assert len(search._CACHE) == remembered
    assert first.calls == 1 and second.calls == 1
    net, losses = first.train(0.1, 1e-4)
    assert len(losses) == 6 * (3500 // 250) and first.accuracy(net, first.X_val, first.y_val) == good["val_acc"]
    assert first(1.0, 1e-4)["val_acc"] < 0.15  # the loss blows up: chance


def test_the_courses_settings_reach_the_graded_target_with_seed_0(data):
    trainer = search.DeepNetTrainer(data)
    out = search.coarse_to_fine(trainer, (1e-3, 1.0), (1e-6, 1e-1), np.random.default_rng(0), search.random_search,
                                n_coarse=12, n_fine=8, top=3)
    assert out["best"]["val_acc"] >= 0.49 and trainer.calls == 20


def test_update_ratio_uses_frobenius_norms_of_the_weight_matrices_only():
    rng = np.random.default_rng(0)
    before = {"W1": rng.standard_normal((3, 2, 2, 2)), "b1": np.zeros(3), "W2": rng.standard_normal((5, 4)),
              "gamma1": np.ones(3)}
    after = {k: v + 1e-3 * rng.standard_normal(v.shape) for k, v in before.items()}
    got = babysit.update_ratio(before, after)
    assert sorted(got) == ["W1", "W2"]
    for k in got:
        want = torch.linalg.vector_norm(torch.tensor(after[k] - before[k])) / torch.linalg.vector_norm(
            torch.tensor(before[k]))
        assert got[k] == pytest.approx(float(want), rel=1e-12)


def test_watched_records_one_ratio_per_update_and_changes_nothing_else():
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    plain = {k: v.copy() for k, v in params.items()}
    watched, reference = babysit.Watched(optim.Momentum(lr=0.1)), optim.Momentum(lr=0.1)
    for _ in range(3):
        watched.update(params, {"W": np.full((2, 2), 0.5), "b": np.ones(2)})
        reference.update(plain, {"W": np.full((2, 2), 0.5), "b": np.ones(2)})
    assert all(np.array_equal(params[k], plain[k]) for k in params)
    assert [sorted(h) for h in watched.history] == [["W"]] * 3
    assert watched.history[0]["W"] == pytest.approx(0.05)  # step 0.1 * 0.5 on weights of 1
    watched.lr = 0.5
    assert watched.optimizer.lr == 0.5


def test_a_dead_network_ends_at_the_steady_weight_decay_ratio(data):
    """The model answer of q_update_ratio: at lr 1.0 every unit dies, and the
    ratio tends to lr / (1 - momentum) * 2 * reg = 2e-3 for every layer."""
    run = babysit.watch_ratios(search.DeepNetTrainer(data), 1.0, reg=1e-4)
    assert run["val_acc"] < 0.15
    for k, r in run["ratios"].items():
        assert 1.5e-3 < r[-1] < 2.05e-3, k
        assert r[:10].max() > 5e-2, k  # the first steps rewrite the layer


def test_the_four_runs_show_the_problems_the_answer_key_gives_them(data):
    runs = babysit.diagnosis_runs(data)
    assert sorted(runs) == ["A", "B", "C", "D"]
    high, overfit, low, dead = runs["A"], runs["B"], runs["C"], runs["D"]
    # A, too high a learning rate: noisy, no progress after the first epochs, accuracy jumping about
    assert np.std(np.diff(high["val_acc"])) > 0.04 and high["val_acc"].max() < 0.4
    assert np.mean(high["loss"][-50:]) > 1.5 and np.std(high["loss"][-50:]) > 0.1
    # B, overfitting: training accuracy 1, validation far below
    assert overfit["train_acc"][-1] == 1.0 and overfit["val_acc"][-1] < 0.4 and overfit["loss"][-1] < 0.01
    # C, too low a learning rate: a smooth slow descent, still going, both accuracies low and together
    smooth = babysit.smooth(low["loss"], 50)
    assert np.all(np.diff(smooth[::50]) < 0) and low["loss"][-1] > 1.5
    assert low["val_acc"][-1] < 0.4 and abs(low["train_acc"][-1] - low["val_acc"][-1]) < 0.1
    assert np.all(np.diff(low["val_acc"][::3]) > 0)
    # D, dead: the loss sits at ln 10 without noise, accuracies at chance
    assert np.max(np.abs(dead["loss"] - math.log(10))) < 0.03 and np.std(dead["loss"]) < 0.01
    assert np.all(np.abs(dead["val_acc"] - 0.1) < 0.03)
