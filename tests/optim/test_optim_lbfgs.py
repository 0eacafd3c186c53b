"""LBFGS against torch.optim.LBFGS: iterates, evaluation counts and state, with and without strong Wolfe."""

import numpy as np
import pytest
from helpers import randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def quadratic(x, a, b):
    return ((a @ x - b) ** 2).sum()


def _trajectory(lib, x0, objective, steps=5, **kw):
    x = lib.tensor(x0.copy(), requires_grad=True)
    opt = lib.optim.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        loss = objective(lib, x)
        loss.backward()
        return loss

    path, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        path.append(x.detach().numpy().copy())
    state = opt.state[x]
    return np.array(path), losses, state["func_evals"], state["n_iter"], opt


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("kw", [dict(), dict(history_size=3, max_iter=7), dict(lr=0.5, max_eval=9)])
def test_rosenbrock_iterates_match_torch_float64(line_search_fn, kw):
    x0 = np.array([-1.5, 2.0, 0.5, -0.3, 1.2])
    objective = lambda m, x: rosenbrock(x)
    theirs = _trajectory(torch, x0, objective, line_search_fn=line_search_fn, **kw)
    ours = _trajectory(ember, x0, objective, line_search_fn=line_search_fn, **kw)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9)
    assert ours[2:4] == theirs[2:4]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_float32_least_squares_matches_torch(line_search_fn):
    a, b = randn(8, 4, dtype=np.float32), randn(8, dtype=np.float32)
    objective = lambda m, x: quadratic(x, m.tensor(a), m.tensor(b))
    theirs = _trajectory(torch, np.zeros(4, np.float32), objective, steps=2, line_search_fn=line_search_fn)
    ours = _trajectory(ember, np.zeros(4, np.float32), objective, steps=2, line_search_fn=line_search_fn)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-3, atol=1e-3)     # float32 stopping tests differ
    solution = np.linalg.lstsq(a.astype(np.float64), b.astype(np.float64), rcond=None)[0]
    np.testing.assert_allclose(ours[0][-1], solution, rtol=1e-3, atol=1e-4)


def test_several_parameters_and_a_missing_gradient():
    a0, b0 = randn(3, 2), randn(2)
    results = []
    for lib in (torch, ember):
        a, b, unused = (lib.tensor(v.copy(), requires_grad=True) for v in (a0, b0, np.zeros(2)))
        opt = lib.optim.LBFGS([a, unused, b], line_search_fn="strong_wolfe")

        def closure(opt=opt, a=a, b=b):
            opt.zero_grad()
            loss = ((a.sum(1) - 1) ** 2).sum() + ((b * b - 2) ** 2).sum()
            loss.backward()
            return loss

        for _ in range(3):
            opt.step(closure)
        results.append([a.detach().numpy().copy(), b.detach().numpy().copy(), unused.detach().numpy().copy()])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-10)


def test_state_dict_holds_torch_keys_and_loads_into_torch():
    x0 = np.array([-1.2, 1.0, 0.3])
    ours = _trajectory(ember, x0, lambda m, x: rosenbrock(x), steps=2, history_size=4)
    theirs = _trajectory(torch, x0, lambda m, x: rosenbrock(x), steps=2, history_size=4)
    sd, tsd = ours[4].state_dict(), theirs[4].state_dict()
    assert sorted(sd["state"][0]) == sorted(tsd["state"][0])
    assert sd["param_groups"] == tsd["param_groups"]
    for key in ("d", "prev_flat_grad", "H_diag"):
        assert isinstance(sd["state"][0][key], ember.Tensor)
        np.testing.assert_allclose(sd["state"][0][key].numpy(), tsd["state"][0][key].numpy(), rtol=1e-6)
    assert len(sd["state"][0]["old_dirs"]) == len(tsd["state"][0]["old_dirs"])
    # Continue in a fresh ember optimizer from the state dict: the same next step as the original.
    x = ember.tensor(ours[0][-1].copy(), requires_grad=True)
    opt = ember.optim.LBFGS([x], history_size=4)
    opt.load_state_dict(sd)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    opt.step(closure)
    ours_next = _trajectory(ember, x0, lambda m, x: rosenbrock(x), steps=3, history_size=4)[0][-1]
    np.testing.assert_array_equal(x.detach().numpy(), ours_next)
    # Rosenbrock's curvature amplifies rounding differences step by step (1e-12, 1e-8, 1e-6 here).
    theirs_next = _trajectory(torch, x0, lambda m, x: rosenbrock(x), steps=3, history_size=4)[0][-1]
    np.testing.assert_allclose(x.detach().numpy(), theirs_next, rtol=1e-4, atol=1e-8)


def test_stops_at_once_when_the_gradient_is_zero():
    x = ember.ones(3, requires_grad=True)
    opt = ember.optim.LBFGS([x])

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert opt.state[x]["func_evals"] == 1 and opt.state[x]["n_iter"] == 0


def test_errors_match_torch():
    same_error(lambda m, x: m.optim.LBFGS([x.requires_grad_()], lr=-1.0), randn(2))
    same_error(lambda m, x, y: m.optim.LBFGS([{"params": [x.requires_grad_()]}, {"params": [y.requires_grad_()]}]),
               randn(2), randn(2))

    def bad_search(m, x):
        x.requires_grad_()
        opt = m.optim.LBFGS([x], line_search_fn="armijo")

        def closure():
            opt.zero_grad()
            loss = (x * x).sum()
            loss.backward()
            return loss

        opt.step(closure)

    same_error(bad_search, randn(2))


def test_defaults_match_torch():
    x = ember.zeros(2, requires_grad=True)
    assert ember.optim.LBFGS([x], max_iter=8).defaults == torch.optim.LBFGS([torch.zeros(2, requires_grad=True)],
                                                                           max_iter=8).defaults
