"""The optimizers' update rules against torch.optim: the same parameters and gradient sequence, 100 steps."""

import numpy as np
import pytest
from helpers import randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch

SHAPES = [(7, 5), (13,), (), (3, 0)]

CASES = {
    "SGD": [dict(lr=0.01), dict(lr=0.01, momentum=0.9), dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1),
            dict(lr=0.01, momentum=0.9, dampening=0.3, maximize=True), dict(lr=0.02, weight_decay=0.05, foreach=False)],
    "Adam": [dict(), dict(lr=0.01, amsgrad=True, weight_decay=0.1), dict(lr=0.01, maximize=True, betas=(0.3, 0.9)),
             dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.01, amsgrad=True, maximize=True)],
    "AdamW": [dict(), dict(lr=0.01, amsgrad=True, weight_decay=0.3), dict(lr=0.01, maximize=True)],
    "RMSprop": [dict(), dict(centered=True, momentum=0.9, weight_decay=0.1), dict(centered=True, maximize=True),
                dict(alpha=0.9, momentum=0.5)],
    "Adagrad": [dict(), dict(lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1), dict(maximize=True)],
    "Adadelta": [dict(), dict(rho=0.5, weight_decay=0.1, maximize=True), dict(lr=0.5, eps=1e-4)],
    "Adamax": [dict(), dict(weight_decay=0.1, maximize=True), dict(betas=(0.3, 0.5))],
    "NAdam": [dict(), dict(weight_decay=0.1), dict(weight_decay=0.1, decoupled_weight_decay=True),
              dict(momentum_decay=0.01, maximize=True)],
    "RAdam": [dict(), dict(weight_decay=0.1), dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)],
    "Rprop": [dict(), dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)), dict(maximize=True)],
    "ASGD": [dict(), dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=20, weight_decay=0.1), dict(t0=0, maximize=True)],
}
PARAMS = [(name, kw) for name, options in CASES.items() for kw in options]


def _run_both(name, kw, dtype, steps=100, skip_every=0):
    """Step torch's and ember's optimizer on the same gradients; return both parameter lists."""
    init = [randn(*s, dtype=dtype) for s in SHAPES]
    torch_params = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    ember_params = [ember.tensor(a.copy(), requires_grad=True) for a in init]
    torch_opt = getattr(torch.optim, name)(torch_params, **kw)
    ember_opt = getattr(ember.optim, name)(ember_params, **kw)
    for step in range(steps):
        for i, (t, e, s) in enumerate(zip(torch_params, ember_params, SHAPES)):
            if skip_every and (step + i) % skip_every == 0:
                t.grad, e.grad = None, None          # a parameter without a gradient is left alone
                continue
            g = randn(*s, dtype=dtype)
            t.grad, e.grad = torch.tensor(g.copy()), ember.tensor(g.copy())
        torch_opt.step()
        ember_opt.step()
    return torch_params, ember_params, torch_opt, ember_opt


def _assert_params_match(torch_params, ember_params, rtol, atol):
    for t, e in zip(torch_params, ember_params):
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name,kw", PARAMS, ids=[f"{n}-{sorted(k.items())}" for n, k in PARAMS])
def test_float32_matches_torch_over_100_steps(name, kw):
    torch_params, ember_params, *_ = _run_both(name, kw, np.float32)
    _assert_params_match(torch_params, ember_params, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw", PARAMS, ids=[f"{n}-{sorted(k.items())}" for n, k in PARAMS])
def test_float64_matches_torch_over_100_steps(name, kw):
    torch_params, ember_params, *_ = _run_both(name, kw, np.float64, skip_every=3)
    _assert_params_match(torch_params, ember_params, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", list(CASES))
def test_state_matches_torch(name):
    """After some steps the per-parameter state holds the same keys, dtypes and values as torch's."""
    kw = CASES[name][1]
    _, _, torch_opt, ember_opt = _run_both(name, kw, np.float32, steps=5)
    torch_state, ember_state = torch_opt.state_dict()["state"], ember_opt.state_dict()["state"]
    assert sorted(torch_state) == sorted(ember_state)
    for index in torch_state:
        assert list(torch_state[index]) == list(ember_state[index])
        for key, value in torch_state[index].items():
            mine = ember_state[index][key]
            assert isinstance(mine, ember.Tensor)
            assert mine.dtype.name == str(value.dtype).replace("torch.", "") and mine.shape == tuple(value.shape)
            np.testing.assert_allclose(mine.numpy(), value.numpy(), rtol=1e-5, atol=1e-6)


def test_tensor_lr_and_lr_changes_between_steps():
    p_t = torch.tensor(randn(4), requires_grad=True)
    p_e = ember.tensor(p_t.detach().numpy().copy(), requires_grad=True)
    opt_t = torch.optim.Adam([p_t], lr=torch.tensor(0.01))
    opt_e = ember.optim.Adam([p_e], lr=ember.tensor(0.01))
    for step in range(5):
        g = randn(4)
        p_t.grad, p_e.grad = torch.tensor(g), ember.tensor(g)
        for opt in (opt_t, opt_e):
            opt.param_groups[0]["lr"] = 0.01 * (step + 1) if step > 2 else opt.param_groups[0]["lr"]
            opt.step()
    np.testing.assert_allclose(p_e.detach().numpy(), p_t.detach().numpy(), rtol=1e-12)


def test_step_bumps_the_version_and_keeps_the_array():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    array, version = p._data, p._version
    p.grad = ember.tensor([1.0, 1.0])
    ember.optim.Adam([p]).step()
    assert p._data is array and p._version == version + 1


def test_step_returns_the_closure_loss_with_grad_enabled():
    p = ember.tensor([3.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0 and abs(p.item() - 2.4) < 1e-6


@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=-1.0)), ("SGD", dict(momentum=-0.1)), ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1e-3)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-0.1)), ("Adam", dict(betas=(0, 0.99))),
    ("AdamW", dict(betas=(0.9, 1.5))), ("RMSprop", dict(alpha=-0.5)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(eps=-1)), ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
    ("Adagrad", dict(eps=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(lr=-1)),
    ("Adamax", dict(betas=(0.9, 1.0))), ("NAdam", dict(momentum_decay=-1)), ("RAdam", dict(betas=(-0.1, 0.9))),
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
])
def test_invalid_hyperparameters_raise_like_torch(name, kw):
    err = same_error(lambda m, x: getattr(m.optim, name)([x.requires_grad_()], **kw), randn(3))
    assert str(err) == _torch_message(lambda: getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], **kw))


def _torch_message(fn):
    with pytest.raises(Exception) as info:
        fn()
    return str(info.value)


@pytest.mark.parametrize("name,flag", [("SGD", "fused"), ("SGD", "differentiable"), ("Adam", "fused"),
                                       ("Adam", "capturable"), ("AdamW", "differentiable"),
                                       ("RMSprop", "capturable"), ("Adagrad", "fused"), ("NAdam", "differentiable")])
def test_unsupported_flags_say_so(name, flag):
    p = ember.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{flag}=True is not supported by ember"):
        getattr(ember.optim, name)([p], **{flag: True})


@pytest.mark.parametrize("name", list(CASES))
def test_flags_set_to_false_or_foreach_work(name):
    p = ember.zeros(2, requires_grad=True)
    opt = getattr(ember.optim, name)([p], foreach=True, maximize=False)
    p.grad = ember.ones(2)
    opt.step()
    assert opt.defaults["foreach"] is True and not np.all(p.numpy(force=True) == 0)


def test_adamw_default_weight_decay_and_signature():
    p = ember.zeros(2, requires_grad=True)
    assert ember.optim.AdamW([p]).defaults["weight_decay"] == 1e-2
    assert ember.optim.AdamW([p]).defaults["decoupled_weight_decay"] is True
    assert ember.optim.Adam([p]).defaults["decoupled_weight_decay"] is False
    assert ember.optim.Adadelta([p]).defaults["lr"] == 1.0


def test_adagrad_creates_state_in_the_constructor():
    p = ember.zeros(2, requires_grad=True)
    opt = ember.optim.Adagrad([p], initial_accumulator_value=0.5)
    assert float(opt.state[p]["step"]) == 0.0 and opt.state[p]["step"].dtype == ember.float32
    np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), [0.5, 0.5])


def test_step_dtype_follows_the_default_dtype(default_float64):
    p = ember.zeros(2, requires_grad=True)
    p.grad = ember.ones(2)
    opt = ember.optim.Adam([p])
    opt.step()
    t = torch.zeros(2, requires_grad=True)
    t.grad = torch.ones(2)
    topt = torch.optim.Adam([t])
    topt.step()
    assert opt.state[p]["step"].dtype.name == str(topt.state[t]["step"].dtype).replace("torch.", "")
