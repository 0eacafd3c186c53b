"""ember.nn.utils.parametrize against PyTorch's: registration, stacking, removal, caching, state_dicts."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_close, randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch


# ----------------------------------------------------------------------------- parametrizations for both libraries

def symmetric(m, with_inverse=True):
    """A parametrization to symmetric matrices (upper triangle mirrored), as in PyTorch's documentation."""
    class Symmetric(m.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

    if with_inverse:
        Symmetric.right_inverse = lambda self, A: A.triu()
    return Symmetric()


def scale(m, factor):
    """Multiply by ``factor``; its right inverse divides."""
    class Scale(m.nn.Module):
        def forward(self, X):
            return X * factor

        def right_inverse(self, X):
            return X / factor
    return Scale()


def rank_one(m):
    """A parametrization by two vectors: ``x y^T``; its right inverse keeps a column and a row of the matrix."""
    class RankOne(m.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0, :].clone()
    return RankOne()


def halves(m):
    """A parametrization of any tensor by two tensors that add up to it."""
    class Halves(m.nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X / 2, X / 2
    return Halves()


class Counter:
    """Counts the calls of a parametrization (for the cache tests)."""

    def __init__(self, m):
        self.calls = 0
        counter = self

        class Double(m.nn.Module):
            def forward(self, X):
                counter.calls += 1
                return X * 2
        self.module = Double()


# ----------------------------------------------------------------------------- helpers

def to_ember(state):
    """A torch state_dict as ember tensors (keeping its metadata)."""
    out = OrderedDict((k, ember.from_numpy(v.detach().numpy().copy())) for k, v in state.items())
    out._metadata = getattr(state, "_metadata", None)
    return out


def to_torch(state):
    out = OrderedDict((k, torch.from_numpy(np.array(v.detach().numpy()))) for k, v in state.items())
    out._metadata = getattr(state, "_metadata", None)
    return out


def linear_pair(in_features=4, out_features=4, bias=True):
    """A torch Linear and an ember Linear with the same weights."""
    t = torch.nn.Linear(in_features, out_features, bias=bias)
    e = ember.nn.Linear(in_features, out_features, bias=bias)
    e.load_state_dict(to_ember(t.state_dict()))
    return e, t


def both(fn):
    """``fn(m, module)`` on an equal Linear pair; returns (ember result, torch result) and the pair."""
    e, t = linear_pair()
    return fn(ember, e), fn(torch, t), e, t


def compare_forward_backward(e, t, x):
    """Same output for ``x``; same gradients of every parameter (the originals) after ``sum().backward()``."""
    ye, yt = e(ember.from_numpy(x)), t(torch.from_numpy(x))
    assert_close(ye, yt, rtol=1e-5, atol=1e-6)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    e_params, t_params = dict(e.named_parameters()), dict(t.named_parameters())
    assert list(e_params) == list(t_params)
    for name in t_params:
        assert_close(e_params[name].grad, t_params[name].grad, rtol=1e-5, atol=1e-5, what=name)


# ----------------------------------------------------------------------------- registration

def test_register_makes_parametrized_class_property_and_keys():
    e, t = linear_pair()
    original = e.weight
    for m, module in ((ember, e), (torch, t)):
        assert m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m)) is module
    assert type(e).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert isinstance(e, ember.nn.Linear) and type(e).__bases__ == (ember.nn.Linear,)
    assert e.parametrizations.weight.original is original          # the optimizer's Parameter stays the trained one
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(e) == repr(t)
    assert "weight" not in e._parameters and isinstance(type(e).__dict__["weight"], property)
    assert_close(e.weight, t.weight)
    assert_close(e.weight, e.weight.mT)
    assert e.weight.grad_fn is not None and e.weight.requires_grad
    compare_forward_backward(e, t, randn(3, 4).astype(np.float32))


def test_parametrized_classes_are_per_module():
    a, b = ember.nn.Linear(2, 2), ember.nn.Linear(2, 2)
    ember.nn.utils.parametrize.register_parametrization(a, "weight", symmetric(ember))
    assert type(b) is ember.nn.Linear and "weight" in b._parameters
    assert type(a) is not type(ember.nn.utils.parametrize.register_parametrization(
        ember.nn.Linear(2, 2), "weight", symmetric(ember)))


def test_right_inverse_initialises_original_and_assignment():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m))
    assert_close(e.parametrizations.weight.original, t.parametrizations.weight.original)
    assert_close(e.parametrizations.weight.original, np.triu(e.parametrizations.weight.original.detach().numpy()))
    a = randn(4, 4).astype(np.float32)
    a = a + a.T
    e.weight = ember.from_numpy(a.copy())
    t.weight = torch.from_numpy(a.copy())
    assert_close(e.weight, a, rtol=1e-6)
    assert_close(e.parametrizations.weight.original, t.parametrizations.weight.original)
    assert e.parametrizations.weight.original.requires_grad


def test_without_right_inverse_original_is_the_tensor_and_assignment_raises():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m, with_inverse=False))
    assert_close(e.parametrizations.weight.original, t.parametrizations.weight.original)
    same_error(lambda m: setattr(e if m is ember else t, "weight", m.zeros(4, 4)),
               match="does not implement right_inverse")


def test_stacked_parametrizations_apply_in_order_and_invert_in_reverse():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        register = m.nn.utils.parametrize.register_parametrization
        register(module, "weight", symmetric(m))
        register(module, "weight", scale(m, 3.0))
    assert len(e.parametrizations.weight) == 2
    assert [type(p).__name__ for p in e.parametrizations.weight] == ["Symmetric", "Scale"]
    assert_close(e.weight, t.weight)
    assert list(e.state_dict()) == list(t.state_dict())
    compare_forward_backward(e, t, randn(2, 4).astype(np.float32))
    a = randn(4, 4).astype(np.float32)
    a = a + a.T
    e.weight, t.weight = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert_close(e.weight, t.weight, rtol=1e-6)
    assert_close(e.parametrizations.weight.original, np.triu(a) / 3.0, rtol=1e-6)


def test_parametrization_on_several_originals():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", rank_one(m))
    assert list(e.state_dict()) == list(t.state_dict()) == \
        ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    plist = e.parametrizations.weight
    assert not plist.is_tensor and plist.ntensors == 2 and not hasattr(plist, "original")
    assert isinstance(plist.original0, ember.nn.Parameter) and plist.original0.requires_grad
    assert_close(e.weight, t.weight)
    assert int(np.linalg.matrix_rank(e.weight.detach().numpy())) == 1
    compare_forward_backward(e, t, randn(5, 4).astype(np.float32))
    z = randn(4, 4).astype(np.float32)
    e.weight, t.weight = ember.from_numpy(z.copy()), torch.from_numpy(z.copy())
    assert_close(e.parametrizations.weight.original1, t.parametrizations.weight.original1)


def test_buffer_parametrization_keeps_a_buffer():
    pairs = []
    for m in (ember, torch):
        bn = m.nn.BatchNorm1d(3)
        m.nn.utils.parametrize.register_parametrization(bn, "running_var", scale(m, 2.0))
        pairs.append(bn)
    e, t = pairs
    assert list(e.state_dict()) == list(t.state_dict())
    assert "parametrizations.running_var.original" in e.state_dict()
    assert not e.parametrizations.running_var.original.requires_grad
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert_close(e.running_var, t.running_var)


def test_parametrization_follows_the_module_training_mode():
    module = ember.nn.Linear(2, 2).eval()
    p = scale(ember, 2.0)
    ember.nn.utils.parametrize.register_parametrization(module, "weight", p)
    assert p.training is False
    module.train()
    assert p.training is True


def test_unsafe_allows_changing_shape_and_dtype():
    def shrink(m):
        class Shrink(m.nn.Module):
            def forward(self, X):
                return X[:2].double()
        return Shrink()

    def register(m, unsafe):
        module = m.nn.Linear(3, 4)
        m.nn.utils.parametrize.register_parametrization(module, "weight", shrink(m), unsafe=unsafe)
        return module
    same_error(lambda m: register(m, False), match="may not change the dtype")
    e, t = register(ember, True), register(torch, True)
    assert e.weight.shape == t.weight.shape == (2, 3) and e.weight.dtype == ember.float64
    assert e.parametrizations.weight.unsafe is True


# ----------------------------------------------------------------------------- errors

def test_errors_match_torch():
    register = "nn.utils.parametrize.register_parametrization"

    def call(m, name):
        fn = m
        for part in name.split("."):
            fn = getattr(fn, part)
        return fn

    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "nope", symmetric(m)), match="does not have a parameter")
    same_error(lambda m: m.nn.utils.parametrize.remove_parametrizations(m.nn.Linear(2, 2), "weight"),
               match="does not have a parametrization on weight")

    def returns(value, shape_preserving=True):
        def make(m):
            class Bad(m.nn.Module):
                def forward(self, X):
                    return value(m, X)
            return Bad()
        return make

    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "weight", returns(lambda m, X: 3.0)(m)),
               match="must return a tensor")
    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "weight", returns(lambda m, X: X.t()[:1])(m)),
               match="may not change the shape")

    def bad_inverse(result):
        def make(m):
            class BadInverse(m.nn.Module):
                def forward(self, X):
                    return X

                def right_inverse(self, X):
                    return result(m, X)
            return BadInverse()
        return make

    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "weight", bad_inverse(lambda m, X: 1)(m)),
               match="must return a Tensor or a Sequence")
    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "weight", bad_inverse(lambda m, X: X.double())(m)),
               match="may not change the dtype")
    same_error(lambda m: call(m, register)(m.nn.Linear(2, 2), "weight", bad_inverse(lambda m, X: (X, 2))(m)),
               match="Got element 1")
    same_error(lambda m: m.nn.utils.parametrize.ParametrizationList([], m.ones(2)), match="one or more")


def test_errors_when_stacking_onto_a_parametrized_tensor():
    def registered(m):
        module = m.nn.Linear(3, 3)
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m))
        return module

    def stacking(make):
        return lambda m: m.nn.utils.parametrize.register_parametrization(registered(m), "weight", make(m))

    def forward_is(fn, inverse=None):
        def make(m):
            class P(m.nn.Module):
                def forward(self, X):
                    return fn(X)
            if inverse is not None:
                P.right_inverse = lambda self, X: inverse(X)
            return P()
        return make

    same_error(stacking(forward_is(lambda X: X.double())), match="may not change the dtype")
    same_error(stacking(forward_is(lambda X: X[:2])), match="may not change the shape")
    same_error(stacking(forward_is(lambda X: "no")), match="must return a tensor")
    same_error(stacking(forward_is(lambda X: X, lambda X: (X, X))), match="must return a tensor")
    same_error(stacking(forward_is(lambda X: X, lambda X: X.double())), match="same dtype")
    same_error(stacking(forward_is(lambda X: X, lambda X: X[:1])), match="same shape")
    module = registered(ember)       # unsafe skips the checks
    ember.nn.utils.parametrize.register_parametrization(module, "weight", forward_is(lambda X: X[:2])(ember),
                                                         unsafe=True)
    assert module.weight.shape == (2, 3)


def test_assignment_errors_with_several_originals():
    def make(m):
        module = m.nn.Linear(3, 3)
        m.nn.utils.parametrize.register_parametrization(module, "weight", rank_one(m))
        module.parametrizations.weight[0].right_inverse = lambda Z: (Z[:, 0],)
        return module
    same_error(lambda m: setattr(make(m), "weight", m.ones(3, 3)), match="of length 2")


# ----------------------------------------------------------------------------- removal and queries

@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m, with_inverse=False))
    original = e.parametrizations.weight.original
    parametrized = e.weight.detach().numpy().copy()
    for m, module in ((ember, e), (torch, t)):
        assert m.nn.utils.parametrize.remove_parametrizations(module, "weight", leave_parametrized) is module
    assert type(e) is ember.nn.Linear and not hasattr(e, "parametrizations")
    assert e.weight is original and isinstance(e.weight, ember.nn.Parameter) and e.weight.requires_grad
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert_close(e.weight, t.weight)
    if leave_parametrized:
        assert_close(e.weight, parametrized)
    assert not ember.nn.utils.parametrize.is_parametrized(e)


def test_remove_one_of_two_parametrized_tensors_keeps_the_class():
    module = ember.nn.Linear(3, 3)
    register = ember.nn.utils.parametrize.register_parametrization
    register(module, "weight", symmetric(ember))
    register(module, "bias", scale(ember, 2.0))
    cls = type(module)
    ember.nn.utils.parametrize.remove_parametrizations(module, "bias")
    assert type(module) is cls and ember.nn.utils.parametrize.is_parametrized(module, "weight")
    assert list(module.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert "bias" not in cls.__dict__


def test_remove_several_originals():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", rank_one(m))
    same_error(lambda m: m.nn.utils.parametrize.remove_parametrizations(e if m is ember else t, "weight", False),
               match="sequence of tensors")
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.remove_parametrizations(module, "weight")
    assert isinstance(e.weight, ember.nn.Parameter) and e.weight.is_leaf and e.weight.requires_grad
    assert_close(e.weight, t.weight)
    assert list(e.state_dict()) == list(t.state_dict())


def test_is_parametrized_and_type_before_parametrizations():
    P = ember.nn.utils.parametrize
    module = ember.nn.Linear(2, 2)
    assert not P.is_parametrized(module) and P.type_before_parametrizations(module) is ember.nn.Linear
    P.register_parametrization(module, "weight", symmetric(ember))
    assert P.is_parametrized(module) and P.is_parametrized(module, "weight")
    assert not P.is_parametrized(module, "bias")
    assert P.type_before_parametrizations(module) is ember.nn.Linear
    conv = ember.nn.Conv2d(1, 2, 3)
    P.register_parametrization(conv, "bias", scale(ember, 2.0))
    assert type(conv).__name__ == "ParametrizedConv2d"
    assert P.type_before_parametrizations(conv) is ember.nn.Conv2d


# ----------------------------------------------------------------------------- caching

def test_cached_computes_once_per_context():
    counter = Counter(ember)
    module = ember.nn.Linear(2, 2)
    ember.nn.utils.parametrize.register_parametrization(module, "weight", counter.module)
    counter.calls = 0
    assert module.weight is not module.weight and counter.calls == 2
    with ember.nn.utils.parametrize.cached():
        first = module.weight
        with ember.nn.utils.parametrize.cached():
            assert module.weight is first
        assert module.weight is first             # the inner context leaves the cache to the outer one
    assert counter.calls == 3
    assert module.weight is not first and counter.calls == 4


def test_cached_values_backpropagate_once_per_use():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m))
    x = randn(2, 4).astype(np.float32)
    with ember.nn.utils.parametrize.cached():
        ye = e(e(ember.from_numpy(x)))
    with torch.nn.utils.parametrize.cached():
        yt = t(t(torch.from_numpy(x)))
    ye.sum().backward()
    yt.sum().backward()
    assert_close(e.parametrizations.weight.original.grad, t.parametrizations.weight.original.grad, rtol=1e-5)


# ----------------------------------------------------------------------------- state_dicts, copies, training

def test_state_dict_round_trips_both_ways():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m))
        m.nn.utils.parametrize.register_parametrization(module, "bias", scale(m, 2.0))
    fresh_t = torch.nn.Linear(4, 4)
    torch.nn.utils.parametrize.register_parametrization(fresh_t, "weight", symmetric(torch))
    torch.nn.utils.parametrize.register_parametrization(fresh_t, "bias", scale(torch, 2.0))
    with torch.no_grad():
        for p in t.parameters():
            p.add_(0.5)
    assert str(e.load_state_dict(to_ember(t.state_dict()))) == "<All keys matched successfully>"
    assert_close(e.weight, t.weight)
    assert_close(e.bias, t.bias)
    fresh_t.load_state_dict(to_torch(e.state_dict()))
    assert_close(e.weight, fresh_t.weight)
    x = randn(3, 4).astype(np.float32)
    assert_close(e(ember.from_numpy(x)), fresh_t(torch.from_numpy(x)), rtol=1e-5)


def test_unparametrized_checkpoint_keys_are_reported():
    module = ember.nn.Linear(2, 2)
    ember.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(ember))
    with pytest.raises(RuntimeError, match="parametrizations.weight.original"):
        module.load_state_dict(ember.nn.Linear(2, 2).state_dict())


def test_deepcopy_works_and_pickling_raises_as_torch():
    e, t = linear_pair()
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", scale(m, 2.0))
    clone = copy.deepcopy(e)
    assert type(clone) is type(e) and clone.parametrizations.weight.original is not e.parametrizations.weight.original
    assert_close(clone.weight, e.weight)
    with ember.no_grad():
        clone.parametrizations.weight.original.add_(1.0)
    assert not np.allclose(clone.weight.detach().numpy(), e.weight.detach().numpy())
    same_error(lambda m: pickle.dumps(e if m is ember else t), match="only supported through state_dict")


def test_module_conversion_reaches_the_original():
    module = ember.nn.Linear(2, 2)
    ember.nn.utils.parametrize.register_parametrization(module, "weight", scale(ember, 2.0))
    module.double()
    assert module.parametrizations.weight.original.dtype == ember.float64 and module.weight.dtype == ember.float64


def test_training_steps_match_torch():
    e, t = linear_pair(5, 5)
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.register_parametrization(module, "weight", symmetric(m))
        m.nn.utils.parametrize.register_parametrization(module, "weight", scale(m, 0.5))
    e_opt = ember.optim.SGD(e.parameters(), lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9)
    for _ in range(4):
        x = randn(6, 5).astype(np.float32)
        for m, module, opt in ((ember, e, e_opt), (torch, t, t_opt)):
            opt.zero_grad()
            module(m.from_numpy(x)).tanh().pow(2).mean().backward()
            opt.step()
        assert_close(e.weight, t.weight, rtol=1e-5, atol=1e-6)
    assert_close(e.weight, e.weight.mT)


def test_transfer_parametrizations_and_params():
    P = ember.nn.utils.parametrize
    source = ember.nn.Linear(3, 3)
    P.register_parametrization(source, "weight", symmetric(ember))
    P.register_parametrization(source, "bias", halves(ember))
    target = P.transfer_parametrizations_and_params(source, ember.nn.Linear(3, 3))
    assert target.parametrizations.weight.original is source.parametrizations.weight.original
    assert target.parametrizations.bias.original1 is source.parametrizations.bias.original1
    assert_close(target.weight, source.weight.detach().numpy())
    assert P.transfer_parametrizations_and_params(ember.nn.Linear(2, 2), target) is target

    class Empty(ember.nn.Module):
        pass
    only_weight = P.transfer_parametrizations_and_params(source, Empty(), "weight")
    assert type(only_weight).__name__ == "ParametrizedEmpty" and not P.is_parametrized(only_weight, "bias")
    assert_close(only_weight.weight, source.weight.detach().numpy())
