"""nn.Module and nn.Parameter/Buffer against torch: registration, traversal, state_dict, hooks, conversion, pickling."""

import copy
import math
import pickle
import types
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_close, randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch


def define(m):
    """The same small module family written for ember or for torch (``m``)."""

    class Affine(m.nn.Module):
        """A Linear lookalike (ember.nn.Linear belongs to another file)."""

        def __init__(self, in_features, out_features, bias=True):
            super().__init__()
            self.in_features, self.out_features = in_features, out_features
            self.weight = m.nn.Parameter(m.empty(out_features, in_features))
            if bias:
                self.bias = m.nn.Parameter(m.empty(out_features))
            else:
                self.register_parameter("bias", None)
            self.reset_parameters()

        def reset_parameters(self):
            m.nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                bound = 1 / math.sqrt(self.in_features)
                m.nn.init.uniform_(self.bias, -bound, bound)

        def forward(self, x):
            out = x @ self.weight.t()
            return out + self.bias if self.bias is not None else out

        def extra_repr(self):
            return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    class Norm(m.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.scale = m.nn.Parameter(m.ones(n))
            self.register_buffer("running", m.zeros(n))
            self.register_buffer("scratch", m.zeros(n), persistent=False)
            self.count = m.nn.Buffer(m.tensor(0))
            self.register_buffer("missing", None)

        def forward(self, x):
            return x * self.scale

    class Act(m.nn.Module):
        def forward(self, x):
            return x.clamp(min=0)

    class Block(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Affine(4, 4)
            self.act = Act()

        def forward(self, x):
            return self.act(self.inner(x))

        def extra_repr(self):
            return "first line\nsecond line"

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = Affine(3, 4)
            self.norm = Norm(4)
            self.block = Block()
            self.fc2 = Affine(4, 2, bias=False)
            self.shared = self.fc1
            self.empty = None

        def forward(self, x):
            return self.fc2(self.block(self.norm(self.fc1(x))))

    return types.SimpleNamespace(Affine=Affine, Norm=Norm, Act=Act, Block=Block, Net=Net)


E, T = define(ember), define(torch)
for _name, _cls in vars(E).items():        # module-level names, so pickle can find ember's classes
    _cls.__qualname__ = "Ember" + _name
    globals()["Ember" + _name] = _cls


def pair(name="Net", *args):
    """An ember module and a torch module of the same class with the same weights."""
    e_mod, t_mod = getattr(E, name)(*args), getattr(T, name)(*args)
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    e_mod.load_state_dict(state)
    return e_mod, t_mod


def names(pairs):
    return [name for name, _ in pairs]


def to_torch_repr(text):
    return text.replace("torch.", "ember.")


# ----------------------------------------------------------------------------- Parameter and Buffer

def test_parameter_basics():
    data = ember.tensor([1.0, 2.0])
    p = ember.nn.Parameter(data)
    assert isinstance(p, ember.nn.Parameter) and isinstance(p, ember.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    data.add_(1.0)                  # shares memory and the version counter
    assert p.tolist() == [2.0, 3.0] and p._version == data._version == 1
    assert not ember.nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    empty = ember.nn.Parameter()
    assert empty.shape == (0,) and empty.dtype is ember.float32 and empty.requires_grad
    nonleaf = ember.ones(2, requires_grad=True) * 2
    q = ember.nn.Parameter(nonleaf)
    assert q.is_leaf and q.requires_grad
    assert type(p * 2) is ember.Tensor and type(p.detach()) is ember.Tensor and type(p.data) is ember.Tensor


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameter_repr(dtype, requires_grad):
    def make(m):
        return m.nn.Parameter(m.arange(3).to(getattr(m, dtype)), requires_grad=requires_grad)
    if dtype == "int64" and requires_grad:
        same_error(make)
        return
    assert repr(make(ember)) == to_torch_repr(repr(make(torch)))
    assert repr(make(ember)).startswith("Parameter containing:\n")


def test_parameter_errors():
    same_error(lambda m: m.nn.Parameter(np.ones(2)))
    same_error(lambda m: m.nn.Parameter([1.0]))
    same_error(lambda m: m.nn.Parameter(m.ones(2, dtype=m.int64)))


def test_parameter_deepcopy_and_pickle():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    p.grad = ember.ones(2)
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is ember.nn.Parameter and q.requires_grad and q.tolist() == [1.0, 2.0]
        assert q.grad is None                  # as torch: the copy starts without a gradient
        q.data.add_(1)
        assert p.tolist() == [1.0, 2.0]
    frozen = pickle.loads(pickle.dumps(ember.nn.Parameter(ember.ones(1), requires_grad=False)))
    assert type(frozen) is ember.nn.Parameter and not frozen.requires_grad
    memo_twice = copy.deepcopy([p, p])
    assert memo_twice[0] is memo_twice[1]


def test_buffer():
    b = ember.nn.Buffer(ember.ones(2))
    assert isinstance(b, ember.nn.Buffer) and b.persistent and not b.requires_grad
    assert not isinstance(ember.ones(1), ember.nn.Buffer)
    assert not isinstance(ember.nn.Parameter(ember.ones(1)), ember.nn.Buffer)
    assert not isinstance(b, ember.nn.Parameter)
    assert not ember.nn.Buffer(ember.ones(1), persistent=False).persistent
    assert ember.nn.Buffer().shape == (0,)
    grad_buffer = ember.nn.Buffer(ember.ones(1, requires_grad=True))
    assert grad_buffer.requires_grad and grad_buffer.is_leaf


# ----------------------------------------------------------------------------- traversal and state_dict keys

def test_traversal_names_match_torch():
    e, t = pair()
    for method, kwargs in [("named_parameters", {}), ("named_parameters", {"prefix": "model"}),
                           ("named_parameters", {"recurse": False}), ("named_parameters", {"remove_duplicate": False}),
                           ("named_buffers", {}), ("named_buffers", {"prefix": "x", "remove_duplicate": False}),
                           ("named_buffers", {"recurse": False}), ("named_children", {}), ("named_modules", {}),
                           ("named_modules", {"prefix": "root"}), ("named_modules", {"remove_duplicate": False})]:
        assert names(getattr(e, method)(**kwargs)) == names(getattr(t, method)(**kwargs)), (method, kwargs)
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.parameters(recurse=False))) == 0
    assert len(list(e.buffers())) == len(list(t.buffers()))
    assert [type(c).__name__ for c in e.children()] == [type(c).__name__ for c in t.children()]
    assert [type(c).__name__ for c in e.modules()] == [type(c).__name__ for c in t.modules()]
    memo = {e.block}
    assert names(e.named_modules(memo=memo)) == names(t.named_modules(memo={t.block}))


def test_state_dict_keys_metadata_and_values():
    e, t = pair()
    e_sd, t_sd = e.state_dict(), t.state_dict()
    assert type(e_sd) is OrderedDict
    assert list(e_sd) == list(t_sd)
    assert e_sd._metadata == t_sd._metadata
    for key in t_sd:
        assert_close(e_sd[key], t_sd[key], what=key)
        assert not e_sd[key].requires_grad and type(e_sd[key]) is ember.Tensor
    assert e_sd["fc1.weight"]._data is e.fc1.weight._data       # detached, same memory
    kept = e.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is e.fc1.weight
    prefixed = e.state_dict(prefix="model.")
    assert list(prefixed) == list(t.state_dict(prefix="model."))
    assert prefixed._metadata == t.state_dict(prefix="model.")._metadata
    with pytest.warns(FutureWarning):
        positional = e.state_dict(OrderedDict(), "p.")
    assert list(positional) == ["p." + k for k in t_sd]


def test_repr_matches_torch():
    e, t = pair()
    assert repr(e) == repr(t)
    assert repr(E.Act()) == repr(T.Act()) == "Act()"
    assert repr(E.Affine(2, 3)) == repr(T.Affine(2, 3))


def test_dir():
    e = E.Net()
    listing = dir(e)
    for name in ("fc1", "norm", "forward", "training", "state_dict"):
        assert name in listing
    assert "scale" in dir(e.norm) and "running" in dir(e.norm)
    assert listing == sorted(listing)


# ----------------------------------------------------------------------------- load_state_dict

def test_load_state_dict_round_trip_and_forward():
    e, t = pair()
    x = randn(5, 3).astype(np.float32)
    assert_close(e(ember.from_numpy(x)), t(torch.from_numpy(x)))
    # and back: ember's state into a fresh torch model
    e2 = E.Net()
    t2 = T.Net()
    t2.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e2.state_dict().items()})
    assert_close(e2(ember.from_numpy(x)), t2(torch.from_numpy(x)))


def test_load_copies_in_place_without_autograd():
    e = E.Net()
    weight = e.fc1.weight
    before = weight._version
    result = e.load_state_dict({k: v.clone() * 0 + 1 for k, v in e.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert e.fc1.weight is weight and weight.is_leaf and weight.grad_fn is None and weight.requires_grad
    assert weight._version > before
    assert float(weight.sum()) == weight.numel()
    # integer checkpoints are cast into float parameters, as copy_ does
    e.load_state_dict({k: ember.ones(v.shape, dtype=ember.int64) for k, v in e.state_dict().items()})
    assert e.fc1.weight.dtype is ember.float32


def test_load_assign():
    for m, mods in ((ember, E), (torch, T)):
        net = mods.Net()
        net.fc1.bias.requires_grad_(False)
        state = {k: v.clone() + 1 for k, v in net.state_dict().items()}
        net.load_state_dict(state, assign=True)
        assert isinstance(net.fc1.weight, m.nn.Parameter)
        assert net.fc1.weight.requires_grad and not net.fc1.bias.requires_grad
        assert net.norm.running is state["norm.running"]
        assert isinstance(net.norm.scale, m.nn.Parameter)


def test_load_scalar_from_one_element_vector():
    for m in (ember, torch):
        mod = m.nn.Module()
        mod.s = m.nn.Parameter(m.tensor(1.0))
        mod.load_state_dict({"s": m.tensor([5.0])})
        assert mod.s.item() == 5.0 and mod.s.dim() == 0


def _error(lib_module, *args, **kwargs):
    with pytest.raises(Exception) as info:
        lib_module.load_state_dict(*args, **kwargs)
    return info.type, str(info.value).replace("torch.Size", "ember.Size")


def test_load_errors_match_torch_messages():
    e, t = pair()
    e_sd, t_sd = e.state_dict(), t.state_dict()
    cases = [
        lambda sd, m: {k: v for k, v in sd.items() if not k.startswith("fc2")},                      # missing
        lambda sd, m: {**sd, "fc1.extra": m.ones(1), "block.other.weight": m.ones(1), "zz": m.ones(1)},  # unexpected
        lambda sd, m: {**sd, "fc1.weight": m.ones(5, 3), "norm.running": m.ones(2)},                    # shapes
        lambda sd, m: {**{k: v for k, v in sd.items() if k != "fc1.bias"}, "fc1.weight": m.ones(1),
                       "new": m.ones(1)},                                                               # all at once
        lambda sd, m: {**sd, "fc1.weight": [1.0, 2.0]},                                                 # not a tensor
        lambda sd, m: {**sd, "norm.scratch": m.ones(4)},                                        # non-persistent
    ]
    for i, case in enumerate(cases):
        assert _error(e, case(e_sd, ember)) == _error(t, case(t_sd, torch)), i
    for i, case in enumerate(cases[:2]):
        e_keys = e.load_state_dict(case(e_sd, ember), strict=False)
        t_keys = t.load_state_dict(case(t_sd, torch), strict=False)
        assert tuple(e_keys) == tuple(t_keys) and repr(e_keys) == repr(t_keys), i
    same_error(lambda m: m.nn.Module().load_state_dict([("a", 1)]))
    assert "Error(s) in loading state_dict for Net:\n\tsize mismatch for fc1.weight: copying a param with shape " \
        "ember.Size([5, 3]) from checkpoint, the shape in current model is ember.Size([4, 3])." in \
        _error(e, cases[2](e_sd, ember))[1]


def test_load_missing_buffer_none_and_empty_module():
    for mods in (E, T):
        net = mods.Net()
        keys = net.load_state_dict({}, strict=False)
        assert "norm.missing" not in keys.missing_keys and "norm.scratch" not in keys.missing_keys
    e, t = E.Net(), T.Net()
    assert tuple(e.load_state_dict({}, strict=False)) == tuple(t.load_state_dict({}, strict=False))


def define_versioned(m):
    class Versioned(m.nn.Module):
        """Version 2 renamed 'w' to 'weight'; old checkpoints are upgraded in _load_from_state_dict."""

        _version = 2

        def __init__(self):
            super().__init__()
            self.weight = m.nn.Parameter(m.zeros(2))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
            version = local_metadata.get("version", None)
            if (version is None or version < 2) and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing, unexpected, errors)

    class Outer(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Versioned()

    return Outer


def test_version_upgrade_through_metadata():
    for m in (ember, torch):
        outer = define_versioned(m)()
        sd = outer.state_dict()
        assert sd._metadata["inner"] == {"version": 2}
        old = OrderedDict([("inner.w", m.tensor([3.0, 4.0]))])
        old._metadata = OrderedDict([("", {"version": 1}), ("inner", {"version": 1})])
        outer.load_state_dict(old)
        assert outer.inner.weight.tolist() == [3.0, 4.0]
        plain = {"inner.w": m.tensor([5.0, 6.0])}       # no metadata: treated as old too
        outer.load_state_dict(plain)
        assert outer.inner.weight.tolist() == [5.0, 6.0]


def test_state_dict_and_load_hooks():
    def run(m, mods):
        log = []
        net = mods.Net()
        net.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))

        def post(mod, sd, prefix, meta):
            log.append(("post", prefix, sorted(meta)))
            sd[prefix + "added"] = m.ones(1)
        net.norm.register_state_dict_post_hook(post)
        sd = net.state_dict(prefix="p.")
        log.append(sorted(sd))

        def load_pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("load_pre", type(mod).__name__, prefix, strict))
            sd.pop(prefix + "added", None)
        net.norm.register_load_state_dict_pre_hook(load_pre)

        def load_post(mod, keys):
            log.append(("load_post", type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.unexpected_keys.clear()
        handle = net.register_load_state_dict_post_hook(load_post)
        plain = {k[2:]: v for k, v in sd.items()}
        plain["junk"] = m.ones(1)
        log.append(repr(net.load_state_dict(plain)))
        handle.remove()
        with pytest.raises(RuntimeError):
            net.load_state_dict(plain)
        return log
    assert run(ember, E) == run(torch, T)


def test_state_dict_post_hook_must_return_none():
    for m in (ember, torch):
        mod = m.nn.Module()
        mod.register_state_dict_post_hook(lambda *a: {})
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            mod.state_dict()
        other = m.nn.Module()
        other._register_state_dict_hook(lambda mod, sd, prefix, meta: OrderedDict(x=1))
        assert other.state_dict() == OrderedDict(x=1)


def test_extra_state():
    def define_extra(m):
        class WithExtra(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.value = 3

            def get_extra_state(self):
                return {"value": self.value}

            def set_extra_state(self, state):
                self.value = state["value"]
        return WithExtra
    for m in (ember, torch):
        cls = define_extra(m)
        outer = m.nn.Module()
        outer.child = cls()
        sd = outer.state_dict()
        assert list(sd) == ["child._extra_state"] and sd["child._extra_state"] == {"value": 3}
        fresh = m.nn.Module()
        fresh.child = cls()
        fresh.child.value = 0
        fresh.load_state_dict(sd)
        assert fresh.child.value == 3
        assert list(fresh.load_state_dict({}, strict=False).missing_keys) == ["child._extra_state"]
        plain = m.nn.Module()
        assert list(plain.load_state_dict({"_extra_state": 1}, strict=False).unexpected_keys) == ["_extra_state"]


# ----------------------------------------------------------------------------- attribute rules

def test_setattr_registration_rules():
    for m in (ember, torch):
        mod = m.nn.Module()
        mod.w = m.nn.Parameter(m.ones(2))
        assert "w" in mod._parameters and "w" not in mod.__dict__
        mod.w = None
        assert mod.w is None and "w" in mod._parameters
        assert list(mod.state_dict()) == []
        mod.register_buffer("b", m.zeros(1))
        mod.b = m.ones(3)                       # plain tensor onto a buffer name updates the buffer
        assert mod._buffers["b"].shape == (3,)
        mod.b = None
        assert mod.b is None and "b" in mod._buffers
        mod.plain = m.ones(1)                   # plain tensor elsewhere is an ordinary attribute
        assert "plain" in mod.__dict__ and list(mod.buffers()) == []
        mod.nb = m.nn.Buffer(m.ones(1), persistent=False)
        assert "nb" in mod._buffers and "nb" in mod._non_persistent_buffers_set
        mod.nb = m.ones(2)                      # keeps being non-persistent
        assert "nb" in mod._non_persistent_buffers_set
        mod.child = m.nn.Module()
        mod.child = None
        assert mod.child is None and "child" in mod._modules
        mod.x = m.nn.Parameter(m.ones(1))
        with pytest.raises(TypeError):
            mod.x = m.nn.Module()               # a parameter's name only takes Parameters or None
        mod.y = m.nn.Module()
        mod.y = m.nn.Parameter(m.ones(1))       # but a Parameter replaces a module
        assert "y" in mod._parameters and "y" not in mod._modules
        mod.register_buffer("z", m.ones(1))
        mod.z = m.nn.Module()                   # and a module replaces a buffer
        assert "z" in mod._modules and "z" not in mod._buffers
        del mod.x, mod.b, mod.child, mod.plain
        assert "x" not in mod._parameters and "b" not in mod._buffers and "child" not in mod._modules
        with pytest.raises(AttributeError):
            del mod.nothing


def test_setattr_errors_match_torch():
    def with_param(m):
        mod = m.nn.Module()
        mod.w = m.nn.Parameter(m.ones(1))
        mod.c = m.nn.Module()
        mod.register_buffer("b", m.ones(1))
        return mod
    same_error(lambda m: setattr(with_param(m), "w", m.ones(1)))
    same_error(lambda m: setattr(with_param(m), "w", 3))
    same_error(lambda m: setattr(with_param(m), "c", 3))
    same_error(lambda m: setattr(with_param(m), "b", 3))
    same_error(lambda m: with_param(m).nope)
    err = same_error(lambda m: with_param(m).nope)
    assert str(err) == "'Module' object has no attribute 'nope'"

    class Early(ember.nn.Module):
        def __init__(self, what):
            self.x = what
            super().__init__()

    class TorchEarly(torch.nn.Module):
        def __init__(self, what):
            self.x = what
            super().__init__()
    for e_val, t_val in ((ember.nn.Parameter(ember.ones(1)), torch.nn.Parameter(torch.ones(1))),
                         (ember.nn.Module(), torch.nn.Module()),
                         (ember.nn.Buffer(ember.ones(1)), torch.nn.Buffer(torch.ones(1)))):
        with pytest.raises(AttributeError) as t_info:
            TorchEarly(t_val)
        with pytest.raises(AttributeError) as e_info:
            Early(e_val)
        assert str(e_info.value) == str(t_info.value)


@pytest.mark.parametrize("call", [
    lambda m, mod: mod.register_buffer(1, m.ones(1)),
    lambda m, mod: mod.register_buffer("a.b", m.ones(1)),
    lambda m, mod: mod.register_buffer("", m.ones(1)),
    lambda m, mod: mod.register_buffer("training", m.ones(1)),
    lambda m, mod: mod.register_buffer("x", [1.0]),
    lambda m, mod: mod.register_parameter(1, None),
    lambda m, mod: mod.register_parameter("a.b", None),
    lambda m, mod: mod.register_parameter("", None),
    lambda m, mod: mod.register_parameter("forward", None),
    lambda m, mod: mod.register_parameter("p", m.ones(1)),
    lambda m, mod: mod.register_parameter("p", m.nn.Parameter(m.ones(1)) * 2),
    lambda m, mod: mod.add_module("a", 3),
    lambda m, mod: mod.add_module(1, m.nn.Module()),
    lambda m, mod: mod.add_module("a.b", m.nn.Module()),
    lambda m, mod: mod.add_module("", m.nn.Module()),
    lambda m, mod: mod.add_module("train", m.nn.Module()),
    lambda m, mod: mod.register_module("a.b", None),
])
def test_registration_errors(call):
    err = same_error(lambda m: call(m, m.nn.Module()))
    with pytest.raises(Exception) as t_info:
        call(torch, torch.nn.Module())
    assert str(err).replace("ember", "torch") == str(t_info.value)


def test_register_parameter_non_leaf_is_value_error():
    def run(m):
        p = m.nn.Parameter(m.ones(2))
        mod = m.nn.Module()
        mod.register_parameter("p", p * 1)
    same_error(lambda m: m.nn.Module().register_parameter("p", m.nn.Parameter(m.ones(1)).clone()))
    with pytest.raises(TypeError):          # the product is a plain tensor: a TypeError in both
        run(ember)


def test_module_init_arguments():
    same_error(lambda m: m.nn.Module(3))
    same_error(lambda m: m.nn.Module(x=3))
    same_error(lambda m: m.nn.Module()(m.ones(1)))
    err = same_error(lambda m: m.nn.Module()(m.ones(1)))
    assert str(err) == 'Module [Module] is missing the required "forward" function'


# ----------------------------------------------------------------------------- submodule lookup

def test_get_and_set_submodule_parameter_buffer():
    e, t = pair()
    assert e.get_submodule("block.inner") is e.block.inner
    assert e.get_submodule("") is e
    assert e.get_parameter("block.inner.weight") is e.block.inner.weight
    assert e.get_parameter("fc1.bias") is e.fc1.bias
    assert e.get_buffer("norm.running") is e.norm.running
    assert e.get_buffer("norm.scratch") is e.norm.scratch
    for call in (lambda n, k: n.get_submodule("block.nope"), lambda n, k: n.get_submodule("fc1.weight"),
                 lambda n, k: n.get_parameter("norm.running"), lambda n, k: n.get_parameter("block.nope"),
                 lambda n, k: n.get_parameter("nope.weight"), lambda n, k: n.get_buffer("fc1.weight"),
                 lambda n, k: n.get_buffer("norm.nope"), lambda n, k: n.set_submodule("", k.Act()),
                 lambda n, k: n.set_submodule("fc1.weight", k.Act()),
                 lambda n, k: n.set_submodule("block.new", k.Act(), strict=True),
                 lambda n, k: n.set_submodule("block.inner", 3), lambda n, k: n.set_submodule("x.y", k.Act())):
        with pytest.raises(Exception) as t_info:
            call(t, T)
        with pytest.raises(t_info.type) as e_info:
            call(e, E)
        assert str(e_info.value) == str(t_info.value)
    e.set_submodule("block.inner", E.Act())
    assert type(e.block.inner).__name__ == "Act"
    e.set_submodule("block.extra", E.Act())
    assert "extra" in e.block._modules
    e.set_submodule("block.extra", E.Affine(1, 1), strict=True)
    assert type(e.block.extra).__name__ == "Affine"


# ----------------------------------------------------------------------------- modes, gradients, conversion

def test_train_eval():
    e = E.Net()
    assert e.training and all(mod.training for mod in e.modules())
    assert e.eval() is e
    assert not any(mod.training for mod in e.modules())
    assert e.train() is e and all(mod.training for mod in e.modules())
    e.block.train(False)
    assert e.training and not e.block.inner.training
    err = same_error(lambda m: m.nn.Module().train(1))
    assert str(err) == "training mode is expected to be boolean"
    same_error(lambda m: m.nn.Module().train("False"))


def test_requires_grad_and_zero_grad():
    e, t = pair()
    x = randn(4, 3).astype(np.float32)
    e(ember.from_numpy(x)).sum().backward()
    t(torch.from_numpy(x)).sum().backward()
    for (name, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert_close(ep.grad, tp.grad, what=name)
    e.zero_grad(set_to_none=False)
    assert all(p.grad is not None and float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.fc1.weight.grad = ember.ones(4, 3, requires_grad=True) * 2          # a grad with history gets detached
    e.zero_grad(set_to_none=False)
    assert e.fc1.weight.grad.grad_fn is None and not e.fc1.weight.grad.requires_grad
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    assert e.requires_grad_(False) is e
    assert not any(p.requires_grad for p in e.parameters())
    e.requires_grad_()
    assert all(p.requires_grad for p in e.parameters())


def test_to_float64_keeps_parameter_identity_and_converts_grads():
    e = E.Net()
    e(ember.ones(2, 3)).sum().backward()
    weight, grad = e.fc1.weight, e.fc1.weight.grad
    assert e.to(ember.float64) is e
    assert e.fc1.weight is weight and type(weight) is ember.nn.Parameter and weight.requires_grad
    assert weight.dtype is ember.float64 and weight.grad is grad and grad.dtype is ember.float64
    assert e.norm.running.dtype is ember.float64
    assert e.norm.count.dtype is ember.int64                # integer buffers are left alone
    assert e(ember.ones(2, 3, dtype=ember.float64)).dtype is ember.float64
    for method, dtype in (("float", ember.float32), ("half", ember.float16), ("bfloat16", ember.bfloat16),
                          ("double", ember.float64)):
        assert getattr(e, method)() is e
        assert e.fc1.weight is weight and weight.dtype is dtype and e.norm.running.dtype is dtype
        assert e.norm.count.dtype is ember.int64
    e.to(ember.ones(1))                                     # to(tensor) takes its dtype
    assert weight.dtype is ember.float32
    e.to("cpu")
    e.to(device="cpu", dtype=ember.float64)
    assert weight.dtype is ember.float64
    assert e.cpu() is e and e.share_memory() is e
    e.type(ember.float32)
    assert weight.dtype is ember.float32 and e.norm.count.dtype is ember.float32   # type() converts everything


def test_to_rejects_non_float_dtypes_and_cuda():
    err = same_error(lambda m: define(m).Net().to(m.int32))
    assert "nn.Module.to only accepts floating point or complex dtypes" in str(err)
    with pytest.raises(RuntimeError):
        E.Net().cuda()
    with pytest.raises(RuntimeError):
        E.Net().to("cuda")
    assert repr(ember.nn.Module().cuda()) == "Module()"       # nothing to move


def test_to_empty():
    e = E.Net()
    weight = e.fc1.weight
    assert e.to_empty(device="cpu") is e
    assert e.fc1.weight is weight and weight.shape == (4, 3)


def test_apply_order():
    def run(mods):
        seen = []
        net = mods.Net()
        assert net.apply(lambda mod: seen.append(type(mod).__name__)) is net
        return seen
    assert run(E) == run(T)


# ----------------------------------------------------------------------------- forward hooks

def _hook_log(m, mods):
    log = []
    net = mods.Net()
    act = net.block.act

    def pre(mod, args):
        log.append(("pre", type(mod).__name__, len(args)))

    def pre_double(mod, args):
        log.append(("pre_double",))
        return args[0] * 2                  # a single value is wrapped into a tuple

    def pre_kwargs(mod, args, kwargs):
        log.append(("pre_kwargs", sorted(kwargs)))
        return args, kwargs

    def post(mod, args, out):
        log.append(("post", type(mod).__name__, out.shape[-1]))

    def post_kwargs(mod, args, kwargs, out):
        log.append(("post_kwargs", sorted(kwargs)))
        return out + 1

    handles = [act.register_forward_pre_hook(pre), act.register_forward_pre_hook(pre_double, prepend=True),
               act.register_forward_pre_hook(pre_kwargs, with_kwargs=True),
               act.register_forward_hook(post), act.register_forward_hook(post_kwargs, with_kwargs=True),
               act.register_forward_hook(lambda mod, args, out: log.append(("first",)), prepend=True),
               net.register_forward_hook(post)]
    x = m.ones(2, 3)
    out = net(x)
    log.append(out.shape[-1])
    x2 = m.ones(2, 4)
    log.append((act(x2) - (x2 * 2).clamp(min=0)).tolist())
    for handle in handles:
        handle.remove()
    handles[0].remove()                       # removing twice is harmless
    log.append((act(x2) - x2).tolist())
    with act.register_forward_hook(lambda mod, args, out: log.append(("ctx",))):
        act(x2)
    act(x2)
    return log


def test_forward_hooks_order_and_arguments():
    assert _hook_log(ember, E) == _hook_log(torch, T)


def test_forward_pre_hook_bad_return():
    for m, mods in ((ember, E), (torch, T)):
        act = mods.Act()
        act.register_forward_pre_hook(lambda mod, args, kwargs: 3, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            act(m.ones(1))


def test_always_call_hooks_run_when_forward_raises():
    def run(m, mods):
        log = []

        class Broken(m.nn.Module):
            def forward(self, x):
                raise ValueError("broken forward")
        mod = Broken()
        mod.register_forward_hook(lambda mo, args, out: log.append(("always", out)), always_call=True)
        mod.register_forward_hook(lambda mo, args, out: log.append(("normal",)))

        def failing(mo, args, out):
            raise KeyError("hook failed")
        mod.register_forward_hook(failing, always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="broken forward"):
                mod(m.ones(1))
        log.append([str(w.message) for w in caught])
        return log
    assert run(ember, E) == run(torch, T)


def test_global_forward_hooks():
    def run(m, mods):
        log = []
        module_mod = m.nn.modules.module
        handles = [module_mod.register_module_forward_pre_hook(lambda mod, args: log.append(("gpre",
                                                                                             type(mod).__name__))),
                   module_mod.register_module_forward_hook(lambda mod, args, out: log.append(("gpost",
                                                                                             type(mod).__name__))),
                   module_mod.register_module_forward_hook(lambda mod, args, kwargs, out: log.append(("gkw",)),
                                                           with_kwargs=True)]
        act = mods.Act()
        act.register_forward_pre_hook(lambda mod, args: log.append(("pre",)))
        act.register_forward_hook(lambda mod, args, out: log.append(("post",)))
        try:
            act(m.ones(1))
        finally:
            for handle in handles:
                handle.remove()
        act(m.ones(1))
        return log
    assert run(ember, E) == run(torch, T)


def test_registration_hooks():
    def run(m):
        log = []
        module_mod = m.nn.modules.module
        handles = [module_mod.register_module_buffer_registration_hook(
                       lambda mod, name, buf: log.append(("buffer", name))),
                   module_mod.register_module_module_registration_hook(
                       lambda mod, name, sub: log.append(("module", name))),
                   module_mod.register_module_parameter_registration_hook(
                       lambda mod, name, p: log.append(("param", name)))]
        try:
            mod = m.nn.Module()
            mod.register_buffer("b", m.ones(1))
            mod.sub = m.nn.Module()
            mod.p = m.nn.Parameter(m.ones(1))
            mod.add_module("other", None)
        finally:
            for handle in handles:
                handle.remove()
        mod.q = m.nn.Parameter(m.ones(1))
        return log
    assert run(ember) == run(torch)


# ----------------------------------------------------------------------------- backward hooks

def _values(grads):
    return [None if g is None else np.round(g.detach().double().numpy() if hasattr(g, "numpy") and
                                            not isinstance(g, ember.Tensor) else np.asarray(g._data, np.float64),
                                            5).tolist()
            for g in grads]


def _backward_log(m, mods):
    class Two(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = m.nn.Parameter(m.tensor([1.0, 2.0, 3.0]))

        def forward(self, x, scale, y):
            return x * self.w * scale, (y * self.w).sum()
    log = []
    mod = Two()
    mod.register_full_backward_pre_hook(lambda mo, go: log.append(("pre", _values(go))))
    mod.register_full_backward_hook(lambda mo, gi, go: log.append(("full", _values(gi), _values(go))))
    x = m.tensor([1.0, 1.0, 2.0], requires_grad=True)
    y = m.tensor([3.0, 1.0, 2.0])
    a, b = mod(x, 2.0, y)
    (a * m.tensor([1.0, 2.0, 3.0])).sum().backward()
    log.append(("xgrad", x.grad.tolist(), mod.w.grad.tolist()))
    x.grad = None
    a, b = mod(x, 2.0, y)
    (b * 2).backward()                                    # only the second output has a gradient
    log.append(("xgrad", x.grad.tolist()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a, b = mod(y, 2.0, y)                             # no input requires grad
        a.sum().backward()
    log.append(any("no inputs require gradients" in str(w.message) for w in caught))
    replacing = Two()
    replacing.register_full_backward_hook(lambda mo, gi, go: (gi[0] * 10, None, None))
    x = m.tensor([1.0, 1.0, 2.0], requires_grad=True)
    a, _ = replacing(x, 1.0, y)
    a.sum().backward()
    log.append(("replaced", x.grad.tolist()))
    pre_replacing = Two()
    pre_replacing.register_full_backward_pre_hook(lambda mo, go: (go[0] * 0 + 1, go[1]))
    x = m.tensor([1.0, 1.0, 2.0], requires_grad=True)
    a, _ = pre_replacing(x, 1.0, y)
    (a * 5).sum().backward()
    log.append(("pre_replaced", x.grad.tolist(), pre_replacing.w.grad.tolist()))
    with m.no_grad():                                     # no graph: hooks are not attached
        replacing(x, 1.0, y)
    return log


def test_full_backward_hooks_match_torch():
    assert _backward_log(ember, E) == _backward_log(torch, T)


def test_full_backward_hook_on_linear_like_module():
    def run(m, mods):
        log = []
        net = mods.Net()
        net.load_state_dict({k: m.from_numpy(np.linspace(-1, 1, v.numel()).reshape(tuple(v.shape)).astype(np.float32))
                             for k, v in net.state_dict().items()})
        for name, mod in net.named_modules():
            mod.register_full_backward_hook(lambda mo, gi, go, name=name: log.append((name, _values(gi),
                                                                                       _values(go))))
        x = m.from_numpy(np.linspace(-2, 2, 15).reshape(5, 3).astype(np.float32)).requires_grad_()
        (net(x) ** 2).sum().backward()
        log.append(x.grad.tolist())
        return log
    e_log, t_log = run(ember, E), run(torch, T)
    assert [entry[0] for entry in e_log[:-1]] == [entry[0] for entry in t_log[:-1]]
    assert len(e_log) == len(t_log)
    for e_entry, t_entry in zip(e_log, t_log):
        if isinstance(e_entry, tuple):
            for e_grads, t_grads in zip(e_entry[1:], t_entry[1:]):
                for eg, tg in zip(e_grads, t_grads):
                    assert (eg is None) == (tg is None)
                    if eg is not None:
                        np.testing.assert_allclose(eg, tg, rtol=1e-4, atol=1e-4)
        else:
            np.testing.assert_allclose(e_entry, t_entry, rtol=1e-4, atol=1e-5)


def test_backward_hook_errors():
    for m, mods in ((ember, E), (torch, T)):
        act = mods.Act()
        act.register_full_backward_hook(lambda mo, gi, go: (gi[0], gi[0]))
        x = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but "
                                               "expected 1"):
            act(x).sum().backward()
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            act.register_backward_hook(lambda *a: None)
        old = mods.Act()
        old.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            old.register_full_backward_hook(lambda *a: None)
        pre = mods.Act()
        pre.register_full_backward_pre_hook(lambda mo, go: (go[0], go[0]))
        with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number of grad_output"):
            pre(x).sum().backward()


def test_old_style_backward_hook_fires():
    for m, mods in ((ember, E), (torch, T)):
        log = []
        act = mods.Act()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            act.register_backward_hook(lambda mo, gi, go, log=log: log.append(len(go)))
            act(m.ones(2, requires_grad=True)).sum().backward()
        assert log == [1]


def test_global_full_backward_hooks():
    def run(m, mods):
        log = []
        module_mod = m.nn.modules.module
        handles = [module_mod.register_module_full_backward_hook(lambda mo, gi, go: log.append(
                       ("global", type(mo).__name__, _values(gi)))),
                   module_mod.register_module_full_backward_pre_hook(lambda mo, go: log.append(
                       ("global_pre", type(mo).__name__, _values(go))))]
        try:
            act = mods.Act()
            act.register_full_backward_hook(lambda mo, gi, go: log.append(("local",)))
            act(m.tensor([-1.0, 2.0], requires_grad=True)).sum().backward()
        finally:
            for handle in handles:
                handle.remove()
        return log
    try:
        assert run(ember, E) == run(torch, T)
    finally:
        torch.nn.modules.module._global_is_full_backward_hook = None
        ember.nn.modules.module._global_is_full_backward_hook = None


def test_call_without_hooks_is_just_forward():
    e = E.Act()
    assert not (e._forward_hooks or e._forward_pre_hooks or e._backward_hooks or e._backward_pre_hooks)
    x = ember.tensor([-1.0, 1.0])
    assert e(x).tolist() == e.forward(x).tolist() == [0.0, 1.0]
    e.forward = lambda x: x * 3                     # an instance attribute forward is honoured
    assert e(x).tolist() == [-3.0, 3.0]


# ----------------------------------------------------------------------------- copying

def test_deepcopy_and_pickle_modules():
    e, t = pair()
    x = ember.from_numpy(randn(3, 3).astype(np.float32))
    expected = e(x)
    for clone in (copy.deepcopy(e), pickle.loads(pickle.dumps(e))):
        assert type(clone) is type(e) and repr(clone) == repr(e)
        assert clone.shared is clone.fc1                              # shared submodules stay shared
        assert type(clone.fc1.weight) is ember.nn.Parameter and clone.fc1.weight.requires_grad
        assert clone.fc1.weight is not e.fc1.weight
        assert_close(clone(x), expected)
        assert list(clone.state_dict()) == list(e.state_dict())
        assert "scratch" in clone.norm._non_persistent_buffers_set
    e.eval()
    assert not pickle.loads(pickle.dumps(e)).block.training


def test_setstate_fills_missing_hook_dicts():
    e = E.Act()
    state = e.__getstate__()
    for key in ("_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_state_dict_pre_hooks",
                "_backward_pre_hooks", "_is_full_backward_hook"):
        state.pop(key)
    fresh = object.__new__(type(e))
    fresh.__setstate__(state)
    assert fresh(ember.tensor([-1.0])).tolist() == [0.0]
    fresh.register_forward_hook(lambda *a: None, always_call=True, with_kwargs=False)


def test_incompatible_keys_repr():
    from torch.nn.modules.module import _IncompatibleKeys as TorchKeys

    from ember.nn.modules.module import _IncompatibleKeys
    for missing, unexpected in (([], []), (["a"], []), (["a"], ["b", "c"])):
        assert repr(_IncompatibleKeys(missing, unexpected)) == repr(TorchKeys(missing, unexpected))
        assert str(_IncompatibleKeys(missing, unexpected)) == str(TorchKeys(missing, unexpected))


def test_real_layers_tree_keys_and_repr():
    def build(m):
        return m.nn.Sequential(OrderedDict([
            ("embed", m.nn.Linear(3, 8)), ("act", m.nn.ReLU()),
            ("heads", m.nn.ModuleDict({"a": m.nn.Linear(8, 2), "b": m.nn.ModuleList([m.nn.Linear(8, 8),
                                                                                       m.nn.ReLU()])})),
            ("out", m.nn.Linear(8, 1, bias=False))]))
    e, t = build(ember), build(torch)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = randn(4, 3).astype(np.float32)

    def run(net, x):
        hidden = net.act(net.embed(x))
        for layer in net.heads.b:
            hidden = layer(hidden)
        return net.out(hidden), net.heads["a"](hidden)
    e_out, t_out = run(e, ember.from_numpy(x)), run(t, torch.from_numpy(x))
    for e_value, t_value in zip(e_out, t_out):
        assert_close(e_value, t_value, rtol=1e-5, atol=1e-6)
    assert_close(e[:2](ember.from_numpy(x)), t[:2](torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
