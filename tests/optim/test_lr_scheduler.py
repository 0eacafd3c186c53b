"""Learning-rate schedulers against torch.optim.lr_scheduler: lr (and momentum) sequences, state dicts, warnings."""

import math
import warnings

import numpy as np
import pytest
from helpers import requires_torch, same_error, torch

import ember

pytestmark = requires_torch


def _optimizer(lib, name="SGD", **kw):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    kw.setdefault("lr", 0.1)
    return getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.5}], **kw)


class Scale:
    """A callable object (not a function): its __dict__ is saved in LambdaLR's state dict."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, epoch):
        return self.factor ** epoch


SCHEDULERS = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), Scale(0.9)])),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9)),
    ("StepLR", dict(step_size=7, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[5, 5, 20, 33], gamma=0.5)),
    ("ConstantLR", dict(factor=0.25, total_iters=10)),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=30)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("PolynomialLR", dict(total_iters=40, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=12, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=7)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=4, step_size_down=6, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.97)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, base_momentum=[0.7, 0.8], max_momentum=0.95)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=60)),
    ("OneCycleLR", dict(max_lr=[1.0, 2.0], epochs=6, steps_per_epoch=10, anneal_strategy="linear",
                        three_phase=True)),
]
IDS = [f"{name}{i}" for i, (name, _) in enumerate(SCHEDULERS)]


def _sequence(lib, name, kw, optimizer="SGD", steps=50, **opt_kw):
    opt = _optimizer(lib, optimizer, **opt_kw)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    values = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append(sched.get_last_lr() + [_momentum(g) for g in opt.param_groups])
    return values, opt, sched


def _momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum", 0.0)


def _assert_sequences_equal(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=IDS)
def test_lr_sequence_matches_torch(name, kw):
    theirs, *_ = _sequence(torch, name, kw, momentum=0.9)
    ours, *_ = _sequence(ember, name, kw, momentum=0.9)
    _assert_sequences_equal(ours, theirs)


@pytest.mark.parametrize("name,kw", [s for s in SCHEDULERS if s[0] in ("CyclicLR", "OneCycleLR")],
                         ids=[i for i, s in zip(IDS, SCHEDULERS) if s[0] in ("CyclicLR", "OneCycleLR")])
def test_momentum_cycling_uses_betas_with_adam(name, kw):
    theirs, topt, _ = _sequence(torch, name, kw, optimizer="Adam")
    ours, eopt, _ = _sequence(ember, name, kw, optimizer="Adam")
    _assert_sequences_equal(ours, theirs)
    assert eopt.param_groups[0]["betas"][1] == 0.999
    assert {k for k in eopt.param_groups[0]} == {k for k in topt.param_groups[0]}


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=IDS)
def test_state_dict_round_trip(name, kw):
    """Save after 20 steps, load into a fresh scheduler, and both continue identically (and like torch)."""
    _, opt, sched = _sequence(ember, name, kw, steps=20, momentum=0.9)
    saved = sched.state_dict()
    assert "optimizer" not in saved
    theirs = _sequence(torch, name, kw, steps=20, momentum=0.9)[2].state_dict()
    assert set(saved) == set(theirs)
    opt2 = _optimizer(ember, momentum=0.9)
    sched2 = getattr(ember.optim.lr_scheduler, name)(opt2, **kw)     # as PyTorch: scheduler first, then load
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(saved)
    for _ in range(15):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched.get_last_lr() == sched2.get_last_lr()


def test_lambda_state_dict_skips_functions_and_keeps_objects():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, Scale(0.9)])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [None, {"factor": 0.9}]
    saved["lr_lambdas"][1]["factor"] = 0.5
    sched.load_state_dict(saved)
    assert sched.lr_lambdas[1].factor == 0.5 and "lr_lambdas" in saved


def test_closed_form_with_epoch_argument_matches_torch():
    for name, kw in [("StepLR", dict(step_size=3, gamma=0.5)), ("MultiStepLR", dict(milestones=[2, 6])),
                     ("ConstantLR", dict(factor=0.5, total_iters=4)), ("LinearLR", dict(total_iters=8)),
                     ("ExponentialLR", dict(gamma=0.9)), ("PolynomialLR", dict(total_iters=9)),
                     ("CosineAnnealingLR", dict(T_max=10)), ("LambdaLR", dict(lr_lambda=lambda e: 0.9 ** e))]:
        results = []
        for lib in (torch, ember):
            opt = _optimizer(lib)
            sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
            values = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for epoch in (3, 7, 1, 12, 5):
                    opt.step()
                    sched.step(epoch)
                    values.append(sched.get_last_lr())
            results.append(values)
        _assert_sequences_equal(results[1], results[0])


def test_warm_restarts_fractional_epochs_match_torch():
    results = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(6):
                for i in range(5):
                    opt.step()
                    sched.step(epoch + i / 5)
                    values.append(sched.get_last_lr() + [sched.T_cur, sched.T_i, sched.last_epoch])
        results.append(values)
    _assert_sequences_equal(results[1], results[0])


def _sequential(lib):
    opt = _optimizer(lib)
    s = lib.optim.lr_scheduler
    warm = s.LinearLR(opt, start_factor=0.1, total_iters=5)
    decay = s.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)
    step = s.StepLR(opt, step_size=4, gamma=0.5)
    return opt, s.SequentialLR(opt, [warm, decay, step], milestones=[5, 25])


def _chained(lib):
    opt = _optimizer(lib)
    s = lib.optim.lr_scheduler
    return opt, s.ChainedScheduler([s.ConstantLR(opt, factor=0.5, total_iters=4), s.ExponentialLR(opt, gamma=0.9)])


@pytest.mark.parametrize("make", [_sequential, _chained], ids=["SequentialLR", "ChainedScheduler"])
def test_composed_schedulers_match_torch(make):
    results, saved = [], None
    for lib in (torch, ember):
        opt, sched = make(lib)
        values = [sched.get_last_lr()]
        for step in range(40):
            opt.step()
            sched.step()
            values.append(sched.get_last_lr())
            if lib is ember and step == 19:
                saved = sched.state_dict()
        results.append(values)
    _assert_sequences_equal(results[1], results[0])
    assert isinstance(saved["_schedulers"], list) and "optimizer" not in saved["_schedulers"][0]
    opt, sched = make(ember)
    sched.load_state_dict(saved)
    assert [s.last_epoch for s in sched._schedulers] == [s["last_epoch"] for s in saved["_schedulers"]]
    assert getattr(sched, "last_epoch", 20) == 20


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", threshold_mode="abs", threshold=0.1),
                                dict(patience=2, cooldown=3, factor=0.5, min_lr=[0.01, 0.2]),
                                dict(mode="max", patience=1, eps=0.02), dict(threshold_mode="abs", patience=0)])
def test_reduce_on_plateau_matches_torch(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.94, 0.96, 0.8, 0.81, 0.82, 0.83, 0.79, 0.79, 0.79, 0.9] * 3
    results = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        values = []
        for m in metrics:
            opt.step()
            sched.step(m)
            values.append(sched.get_last_lr() + [sched.num_bad_epochs, sched.cooldown_counter, sched.best])
        results.append(values)
    _assert_sequences_equal(results[1], results[0])
    saved = sched.state_dict()
    fresh = ember.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(ember))
    fresh.load_state_dict(saved)
    assert fresh.mode == sched.mode and fresh.best == sched.best and fresh.mode_worse == sched.mode_worse


def test_initial_lr_and_base_lrs():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.5] == sched.base_lrs
    assert sched.last_epoch == 0 and sched._step_count == 1


def test_resuming_without_initial_lr_raises_like_torch():
    same_error(lambda m: m.optim.lr_scheduler.StepLR(_optimizer(m), step_size=2, last_epoch=3))


def test_step_before_optimizer_step_warns():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()


def test_optimizer_step_overridden_warns():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        sched.step()


def test_no_warning_in_the_right_order_and_get_lr_outside_step_warns():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sched.step(3)


def test_tensor_lr_is_filled_in_place():
    a = ember.zeros(2, requires_grad=True)
    lr = ember.tensor(0.1)
    opt = ember.optim.SGD([a], lr=lr)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and math.isclose(lr.item(), 0.05, rel_tol=1e-6)


@pytest.mark.parametrize("make", [
    lambda m, o: m.optim.lr_scheduler.StepLR("not an optimizer", 2),
    lambda m, o: m.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
    lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(o, [1.0, 2.0]),
    lambda m, o: m.optim.lr_scheduler.ConstantLR(o, factor=1.5),
    lambda m, o: m.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda m, o: m.optim.lr_scheduler.LinearLR(o, end_factor=2),
    lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="x"),
    lambda m, o: m.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="bad"),
    lambda m, o: m.optim.lr_scheduler.CyclicLR(o, [0.1], 1.0),
    lambda m, o: m.optim.lr_scheduler.CyclicLR(m.optim.Adagrad(o.param_groups[0]["params"]), 0.1, 1.0),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=0),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5),
    lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, mode="up"),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda m, o: m.optim.lr_scheduler.SequentialLR(o, [], milestones=[]),
    lambda m, o: m.optim.lr_scheduler.SequentialLR(o, [m.optim.lr_scheduler.StepLR(o, 2)], milestones=[3]),
    lambda m, o: m.optim.lr_scheduler.ChainedScheduler([m.optim.lr_scheduler.ReduceLROnPlateau(o)]),
    lambda m, o: m.optim.lr_scheduler.ChainedScheduler([]),
])
def test_bad_arguments_raise_like_torch(make):
    err = same_error(lambda m: make(m, _optimizer(m, momentum=0.9)))
    with pytest.raises(Exception) as theirs:
        make(torch, _optimizer(torch, momentum=0.9))
    assert str(err) == str(theirs.value)


def test_one_cycle_stepping_past_the_end_raises():
    opt = _optimizer(ember, momentum=0.9)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=3)
    for _ in range(2):
        opt.step()
        sched.step()
    opt.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
