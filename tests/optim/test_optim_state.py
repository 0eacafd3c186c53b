"""The Optimizer base class against torch.optim: param groups, zero_grad, state dicts (both ways), hooks."""

import copy
import importlib
import pickle

import numpy as np
import pytest
from helpers import randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch

SHAPES = [(4, 3), (3,), ()]
OPTIMIZERS = [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
              ("RMSprop", dict(centered=True, momentum=0.5)), ("Adagrad", dict(lr_decay=0.01)),
              ("Adadelta", dict()), ("Adamax", dict()), ("NAdam", dict()), ("RAdam", dict()), ("Rprop", dict()),
              ("ASGD", dict(t0=2))]


def _convert(value, lib):
    """A (nested) state dict with every tensor moved to ``lib`` (torch or ember), tensor by tensor."""
    if isinstance(value, dict):
        return {k: _convert(v, lib) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(v, lib) for v in value)
    if isinstance(value, torch.Tensor):
        return ember.from_numpy(value.detach().numpy().copy())
    if isinstance(value, ember.Tensor):
        return torch.from_numpy(value.detach().numpy().copy())
    return value


def _params(lib, arrays):
    return [lib.tensor(a.copy(), requires_grad=True) for a in arrays]


def _steps(opt, params, grads):
    for g_list in grads:
        for p, g in zip(params, g_list):
            p.grad = (torch.tensor if isinstance(p, torch.Tensor) else ember.tensor)(g.copy())
        opt.step()


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
@pytest.mark.parametrize("direction", ["torch_to_ember", "ember_to_torch"])
def test_state_dict_moves_between_libraries_and_training_continues(name, kw, direction):
    init = [randn(*s, dtype=np.float32) for s in SHAPES]
    grads = [[randn(*s, dtype=np.float32) for s in SHAPES] for _ in range(20)]
    source_lib, target_lib = (torch, ember) if direction == "torch_to_ember" else (ember, torch)
    source_params = _params(source_lib, init)
    source = getattr(source_lib.optim, name)(source_params, **kw)
    _steps(source, source_params, grads[:10])
    saved = source.state_dict()
    target_params = _params(target_lib, [p.detach().numpy() for p in source_params])
    target = getattr(target_lib.optim, name)(target_params, **kw)
    target.load_state_dict(_convert(saved, target_lib))
    _steps(source, source_params, grads[10:])
    _steps(target, target_params, grads[10:])
    for s, t in zip(source_params, target_params):
        np.testing.assert_allclose(t.detach().numpy(), s.detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_state_dict_layout_matches_torch(name, kw):
    init = [randn(*s, dtype=np.float32) for s in SHAPES]
    grads = [[randn(*s, dtype=np.float32) for s in SHAPES] for _ in range(3)]
    dicts = []
    for lib in (torch, ember):
        params = _params(lib, init)
        opt = getattr(lib.optim, name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], **kw)
        _steps(opt, params, grads)
        dicts.append(opt.state_dict())
    torch_sd, ember_sd = dicts
    assert ember_sd["param_groups"] == torch_sd["param_groups"]
    assert list(ember_sd["state"]) == list(torch_sd["state"])
    for index, torch_state in torch_sd["state"].items():
        for key, value in torch_state.items():
            mine = ember_sd["state"][index][key]
            assert type(mine).__name__ == "Tensor" and mine.dtype.name == str(value.dtype)[6:]
            np.testing.assert_allclose(mine.numpy(), value.numpy(), rtol=1e-5, atol=1e-6)


def test_state_dict_is_keyed_by_index_and_shares_state():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(3, requires_grad=True)
    opt = ember.optim.SGD([a, b], lr=0.1, momentum=0.9)
    b.grad = ember.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [1] and sd["param_groups"][0]["params"] == [0, 1]
    assert sd["state"][1]["momentum_buffer"] is opt.state[b]["momentum_buffer"]


def test_load_state_dict_casts_state_to_the_param_dtype_but_not_step():
    p = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.Adam([p])
    saved = {"state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.ones(2), "exp_avg_sq": ember.ones(2)}},
             "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(saved)
    assert opt.state[p]["exp_avg"].dtype == ember.float64 and opt.state[p]["step"].dtype == ember.float32


def test_old_state_dicts_with_a_float_step_load():
    p = ember.zeros(2, requires_grad=True)
    opt = ember.optim.Adam([p])
    saved = {"state": {0: {"step": 3, "exp_avg": ember.ones(2), "exp_avg_sq": ember.ones(2)}},
             "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(saved)
    assert isinstance(opt.state[p]["step"], ember.Tensor) and float(opt.state[p]["step"]) == 3.0


def test_load_state_dict_size_errors_match_torch():
    def two_groups(m, x):
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        saved = m.optim.SGD([a, b]).state_dict()
        m.optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)

    def sizes(m, x):
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        saved = m.optim.SGD([a, b]).state_dict()
        m.optim.SGD([a]).load_state_dict(saved)

    for fn in (two_groups, sizes):
        same_error(fn, randn(2))


def test_param_groups_and_defaults_match_torch():
    groups = []
    for lib in (torch, ember):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        opt = lib.optim.SGD([{"params": a}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
        groups.append([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups])
        assert len(opt.param_groups[0]["params"]) == 1
    assert groups[0] == groups[1]


def test_repr_matches_torch():
    reprs = []
    for lib in (torch, ember):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        reprs.append(repr(lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)))
    assert reprs[0] == reprs[1]


def test_named_parameters_become_param_names():
    results = []
    for lib in (torch, ember):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        opt = lib.optim.SGD([("layer.weight", a), ("layer.bias", b)], lr=0.1)
        results.append((opt.param_groups[0]["param_names"], opt.state_dict()["param_groups"][0]["param_names"]))
        assert opt.param_groups[0]["params"][0] is a
    assert results[0] == results[1] == (["layer.weight", "layer.bias"],) * 2


@pytest.mark.parametrize("case", ["empty", "tensor", "set", "non_tensor", "non_leaf", "two_groups", "names_missing",
                                  "mixed_names", "required"])
def test_bad_params_raise_like_torch(case):
    def make(m, x):
        a = x.clone().requires_grad_()
        if case == "empty":
            m.optim.SGD([])
        elif case == "tensor":
            m.optim.SGD(a)
        elif case == "set":
            m.optim.SGD([{"params": {a}}])
        elif case == "non_tensor":
            m.optim.SGD([a, 1.0])
        elif case == "non_leaf":
            m.optim.SGD([a * 2])
        elif case == "two_groups":
            m.optim.SGD([{"params": [a]}, {"params": [a]}])
        elif case == "names_missing":
            m.optim.SGD([("w", a), x.clone().requires_grad_()])
        elif case == "mixed_names":
            opt = m.optim.SGD([("w", a)])
            opt.add_param_group({"params": [x.clone().requires_grad_()]})
        elif case == "required":
            class Opt(m.optim.Optimizer):
                pass
            Opt([a], {"lr": importlib.import_module(m.__name__ + ".optim.optimizer").required})
    err = same_error(make, randn(3))
    with pytest.raises(Exception) as torch_err:
        make(torch, torch.tensor(randn(3)))
    assert str(err).replace("ember.", "torch.") == str(torch_err.value)


def test_duplicate_parameters_warn():
    a = ember.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([a, a])


def test_retained_non_leaf_is_accepted():
    a = ember.zeros(2, requires_grad=True)
    b = a * 2
    b.retain_grad()
    assert ember.optim.SGD([b]).param_groups[0]["params"][0] is b


def test_add_param_group_fills_defaults():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
    opt = ember.optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "eps": 1e-3})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["eps"] == 1e-3
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    results = []
    for lib in (torch, ember):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        (a * 3).sum().backward()
        lib.optim.SGD([a, b]).zero_grad(set_to_none=set_to_none)
        results.append((None if a.grad is None else a.grad.tolist(), b.grad))
    assert results[0] == results[1]


def test_zero_grad_default_sets_none_and_detaches():
    a = ember.ones(2, requires_grad=True)
    (a * a).sum().backward(create_graph=True)
    assert a.grad.grad_fn is not None
    ember.optim.SGD([a]).zero_grad(set_to_none=False)
    assert a.grad.grad_fn is None and not a.grad.requires_grad and a.grad.tolist() == [0.0, 0.0]


def test_step_hooks_run_in_order_and_can_be_removed():
    a = ember.ones(2, requires_grad=True)
    a.grad = ember.ones(2)
    opt = ember.optim.SGD([a], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt, args, kwargs)))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    glob = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append("global"))
    opt.step()
    assert calls == ["global", ("pre", True, (), {}), ("post", True)]
    for handle in (pre, post, glob):
        handle.remove()
    opt.step()
    assert len(calls) == 3


def test_step_pre_hook_can_replace_arguments():
    a = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([a], lr=0.1)
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 42}))
    assert opt.step() == 42
    opt.register_step_pre_hook(lambda o, args, kwargs: "bad")
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_state_dict_and_load_hooks():
    a = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([a], lr=0.1)
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd_pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: calls.append("load_post"))
    opt.register_load_state_dict_post_hook(lambda o: calls.append("first"), prepend=True)
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert calls == ["sd_pre", "load_pre", "first", "load_post"]


def test_deepcopy_and_pickle_keep_groups_and_state():
    a = ember.ones(2, requires_grad=True)
    a.grad = ember.ones(2)
    opt = ember.optim.Adam([a], lr=0.1)
    opt.step()
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert clone.param_groups[0]["lr"] == 0.1
        (p,) = clone.param_groups[0]["params"]
        assert float(clone.state[p]["step"]) == 1.0
        p.grad = ember.ones(2)
        clone.step()
        assert float(clone.state[p]["step"]) == 2.0


def test_base_step_is_not_implemented():
    class Plain(ember.optim.Optimizer):
        pass

    opt = Plain([ember.zeros(1, requires_grad=True)], {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_parameter_subclass_works():
    w = ember.nn.Parameter(ember.ones(3))
    w.grad = ember.ones(3)
    ember.optim.SGD([w], lr=0.5).step()
    assert w.tolist() == [0.5, 0.5, 0.5]
