"""ember.utils.checkpoint against torch.utils.checkpoint: gradients, RNG replay, sequential models, errors."""

import contextlib
import gc
import inspect
import warnings
import weakref

import numpy as np
import pytest
from helpers import parity, randn, requires_torch, same_error, torch

import ember
import ember.utils.checkpoint as ember_checkpoint

if torch is not None:
    import torch.utils.checkpoint  # noqa: F401  (makes m.utils.checkpoint reachable for both libraries)

BOTH = pytest.mark.parametrize("reentrant", [True, False], ids=["reentrant", "non_reentrant"])


def _block(m, x, w):
    """A small computation with several saved intermediates (sin, mul, exp, matmul)."""
    return ((x.sin() * x).exp() @ w).tanh()


def _grads_with_backward(m, make_output, arrays):
    """Run ``make_output(m, *tensors)`` (tensors require grad), backpropagate a fixed cotangent, return grads."""
    tensors = [m.tensor(a, requires_grad=True) for a in arrays]
    out = make_output(m, *tensors)
    out.backward(m.tensor(np.linspace(-1.0, 1.0, out.numel()).reshape(tuple(out.shape))))
    return out, [t.grad for t in tensors]


def _assert_same(ember_tensors, torch_tensors):
    for e, t in zip(ember_tensors, torch_tensors):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- gradients

@requires_torch
@BOTH
def test_gradients_match_torch(reentrant):
    x, w = randn(3, 4), randn(4, 2)

    def run(m, x, w):
        return m.utils.checkpoint.checkpoint(_block, m, x, w, use_reentrant=reentrant)

    e_out, e_grads = _grads_with_backward(ember, run, [x, w])
    t_out, t_grads = _grads_with_backward(torch, run, [x, w])
    _assert_same([e_out, *e_grads], [t_out, *t_grads])


@BOTH
def test_gradients_equal_the_plain_computation(reentrant):
    x, w = randn(3, 4), randn(4, 2)

    def checkpointed(m, x, w):
        return ember_checkpoint.checkpoint(_block, m, x, w, use_reentrant=reentrant)

    out, grads = _grads_with_backward(ember, checkpointed, [x, w])
    plain_out, plain_grads = _grads_with_backward(ember, _block, [x, w])
    _assert_same([out, *grads], [plain_out, *plain_grads])


@requires_torch
def test_non_reentrant_parity_with_autograd_grad():
    parity(lambda m, x, w: m.utils.checkpoint.checkpoint(_block, m, x, w, use_reentrant=False),
           randn(2, 3), randn(3, 5))


@requires_torch
@BOTH
def test_tuple_outputs_and_non_tensor_arguments(reentrant):
    def fn(m, x, scale, y):
        return (x * scale).sin(), 7, x * y

    def run(m, x, y):
        first, seven, second = m.utils.checkpoint.checkpoint(fn, m, x, 2.5, y, use_reentrant=reentrant)
        assert seven == 7
        return first.sum() + (second ** 2).sum()

    x, y = randn(4), randn(4)
    e_out, e_grads = _grads_with_backward(ember, run, [x, y])
    t_out, t_grads = _grads_with_backward(torch, run, [x, y])
    _assert_same([e_out, *e_grads], [t_out, *t_grads])


@BOTH
def test_an_output_without_gradient_gets_none(reentrant):
    x = ember.tensor(randn(3), requires_grad=True)
    out, _ = ember_checkpoint.checkpoint(lambda t: (t.exp(), t.detach()), x, use_reentrant=reentrant)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()))


@requires_torch
@BOTH
def test_grad_fn_names_match_torch(reentrant):
    def names(m):
        x = m.ones(3, requires_grad=True)
        identity = m.utils.checkpoint.checkpoint(lambda t: t, x, use_reentrant=reentrant)
        return (m.utils.checkpoint.checkpoint(lambda t: t.exp() * 2, x, use_reentrant=reentrant).grad_fn.name(),
                identity is x, identity.grad_fn is None)

    assert names(ember) == names(torch)


def test_non_reentrant_keyword_arguments_reach_the_function():
    x = ember.tensor(randn(3), requires_grad=True)
    out = ember_checkpoint.checkpoint(lambda t, power=1: t ** power, x, use_reentrant=False, power=3)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2)


def test_non_reentrant_autograd_grad_of_parameters_and_double_backward():
    layer = ember.nn.Linear(3, 2).double()
    x = ember.tensor(randn(4, 3), requires_grad=True)

    def fn(t):
        return layer(t).sin()

    out = ember_checkpoint.checkpoint(fn, x, use_reentrant=False)
    grads = ember.autograd.grad(out.sum(), [x, layer.weight], create_graph=True)
    plain = ember.autograd.grad(fn(x).sum(), [x, layer.weight], create_graph=True)
    _assert_same(grads, plain)
    second = ember.autograd.grad(grads[0].sum(), x)
    plain_second = ember.autograd.grad(plain[0].sum(), x)
    _assert_same(second, plain_second)


def test_nested_non_reentrant_checkpoints():
    x = ember.tensor(randn(5), requires_grad=True)

    def inner(t):
        return (t * t).exp()

    def outer(t):
        return ember_checkpoint.checkpoint(inner, t.sin(), use_reentrant=False).cos()

    grad, = ember.autograd.grad(ember_checkpoint.checkpoint(outer, x, use_reentrant=False).sum(), x)
    plain, = ember.autograd.grad(inner(x.sin()).cos().sum(), x)
    _assert_same([grad], [plain])


@BOTH
def test_retain_graph_allows_a_second_backward(reentrant):
    x = ember.tensor(randn(4), requires_grad=True)
    out = ember_checkpoint.checkpoint(lambda t: t.exp().sin(), x, use_reentrant=reentrant).sum()
    out.backward(retain_graph=True)
    first = x.grad.clone()
    out.backward()
    _assert_same([x.grad], [2 * first])


@BOTH
def test_intermediate_activations_are_not_kept(reentrant):
    kept = []

    def fn(t):
        middle = t.exp()
        kept.append(weakref.ref(middle))
        return middle.sin()

    x = ember.tensor(randn(6), requires_grad=True)
    out = ember_checkpoint.checkpoint(fn, x, use_reentrant=reentrant)
    gc.collect()
    assert kept[0]() is None
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(np.exp(x.detach().numpy())) * np.exp(x.detach().numpy()))
    plain = fn(x)                       # without checkpointing the same intermediate stays alive
    gc.collect()
    assert kept[-1]() is not None and plain.requires_grad


@BOTH
def test_no_grad_gives_outputs_without_graph(reentrant):
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        out = ember_checkpoint.checkpoint(lambda t: t * 2, x, use_reentrant=reentrant)
    assert not out.requires_grad


# ----------------------------------------------------------------------------- random number generator

def _dropout_net():
    ember.manual_seed(3)
    return ember.nn.Sequential(ember.nn.Linear(6, 16), ember.nn.Dropout(0.5), ember.nn.ReLU(),
                               ember.nn.Linear(16, 3)).double()


def _dropout_grads(net, x, run):
    net.zero_grad()
    x.grad = None
    ember.manual_seed(11)
    run(x).sum().backward()
    return [p.grad.clone() for p in net.parameters()] + [x.grad.clone()]


@BOTH
def test_dropout_masks_are_replayed(reentrant):
    net = _dropout_net()
    x = ember.tensor(randn(8, 6), requires_grad=True)
    plain = _dropout_grads(net, x, net)
    checkpointed = _dropout_grads(net, x, lambda t: ember_checkpoint.checkpoint(net, t, use_reentrant=reentrant))
    _assert_same(checkpointed, plain)


@BOTH
def test_without_preserve_rng_state_the_mask_is_redrawn(reentrant):
    net = _dropout_net()
    x = ember.tensor(randn(8, 6), requires_grad=True)
    plain = _dropout_grads(net, x, net)
    redrawn = _dropout_grads(net, x, lambda t: ember_checkpoint.checkpoint(
        net, t, use_reentrant=reentrant, preserve_rng_state=False))
    assert not np.allclose(redrawn[0].numpy(), plain[0].numpy())


@BOTH
def test_backward_leaves_the_generator_state_alone(reentrant):
    x = ember.ones(4, requires_grad=True)
    out = ember_checkpoint.checkpoint(lambda t: ember.nn.functional.dropout(t, 0.5), x, use_reentrant=reentrant)
    state = ember.get_rng_state()
    out.sum().backward()
    assert bool((ember.get_rng_state() == state).all())


# ----------------------------------------------------------------------------- checkpoint_sequential

def _copy_weights(ember_net, torch_net):
    for e, t in zip(ember_net.parameters(), torch_net.parameters()):
        e.data = ember.tensor(t.detach().numpy().copy())


@requires_torch
@pytest.mark.parametrize("segments", [1, 2, 3, 5])
@BOTH
def test_checkpoint_sequential_matches_torch(segments, reentrant):
    def make(m):
        return m.nn.Sequential(m.nn.Linear(4, 6), m.nn.Tanh(), m.nn.Linear(6, 6), m.nn.ReLU(),
                               m.nn.Linear(6, 2)).double()

    torch.manual_seed(0)
    torch_net, ember_net = make(torch), make(ember)
    _copy_weights(ember_net, torch_net)
    x = randn(3, 4)

    def run_with(net):
        return lambda m, t: m.utils.checkpoint.checkpoint_sequential(net, segments, t, use_reentrant=reentrant)

    e_out, e_grads = _grads_with_backward(ember, run_with(ember_net), [x])
    t_out, t_grads = _grads_with_backward(torch, run_with(torch_net), [x])
    _assert_same([e_out, *e_grads, *(p.grad for p in ember_net.parameters())],
                 [t_out, *t_grads, *(p.grad for p in torch_net.parameters())])


def test_checkpoint_sequential_takes_a_list_of_functions():
    x = ember.tensor(randn(5), requires_grad=True)
    out = ember_checkpoint.checkpoint_sequential([ember.sin, ember.exp, ember.cos], 2, x, use_reentrant=False)
    out.sum().backward()
    plain, = ember.autograd.grad(x.sin().exp().cos().sum(), x)
    _assert_same([x.grad], [plain])


@requires_torch
@pytest.mark.parametrize("segments", [0, 4])
def test_checkpoint_sequential_segment_errors(segments):
    def run(m, x):
        layers = [m.nn.Identity(), m.nn.Identity(), m.nn.Identity()]
        return m.utils.checkpoint.checkpoint_sequential(layers, segments, x, use_reentrant=False)

    same_error(run, randn(2))


@requires_torch
def test_checkpoint_sequential_unknown_keyword():
    same_error(lambda m, x: m.utils.checkpoint.checkpoint_sequential(m.nn.Sequential(m.nn.Identity()), 1, x,
                                                                     use_reentrant=True, foo=1),
               randn(2), match="Unexpected keyword arguments: foo")


# ----------------------------------------------------------------------------- warnings and errors

def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


@requires_torch
@pytest.mark.parametrize("sequential", [False, True])
def test_missing_use_reentrant_warns_and_uses_the_reentrant_variant(sequential):
    def run(m):
        x = m.ones(2, requires_grad=True)
        if sequential:
            return m.utils.checkpoint.checkpoint_sequential([m.exp, m.sin], 2, x)
        return m.utils.checkpoint.checkpoint(m.exp, x)

    (e_out, e_warnings), (t_out, t_warnings) = _warnings_of(lambda: run(ember)), _warnings_of(lambda: run(torch))
    assert e_warnings == t_warnings and len(e_warnings) == 1
    expected = "CheckpointFunctionBackward" if not sequential else "SinBackward0"
    assert e_out.grad_fn.name() == t_out.grad_fn.name() == expected


@requires_torch
def test_reentrant_without_inputs_requiring_grad_warns():
    def run(m):
        layer = m.nn.Linear(2, 2)
        return m.utils.checkpoint.checkpoint(layer, m.ones(1, 2), use_reentrant=True).requires_grad

    assert _warnings_of(lambda: run(ember)) == _warnings_of(lambda: run(torch))
    assert _warnings_of(lambda: run(ember))[0] is False


@requires_torch
@pytest.mark.parametrize("call", [
    lambda m, x: m.utils.checkpoint.checkpoint(lambda t, k=1: t, x, use_reentrant=True, k=2, j=3),
    lambda m, x: m.utils.checkpoint.checkpoint(m.exp, x, use_reentrant=True, debug=True),
    lambda m, x: m.utils.checkpoint.checkpoint(m.exp, x, use_reentrant=True,
                                               context_fn=m.utils.checkpoint.noop_context_fn.__call__),
    lambda m, x: m.utils.checkpoint.checkpoint(m.exp, x, use_reentrant=False, determinism_check="strict"),
    lambda m, x: m.utils.checkpoint.checkpoint(m.exp, x, use_reentrant=False, debug=True,
                                               context_fn=lambda: (contextlib.nullcontext(),) * 2),
    lambda m, x: m.utils.checkpoint.detach_variable([x]),
], ids=["reentrant_kwargs", "reentrant_debug", "reentrant_context_fn", "determinism_check", "debug_context_fn",
        "detach_variable_list"])
def test_argument_errors(call):
    error = same_error(call, randn(2))
    with pytest.raises(type(error)) as torch_info:
        call(torch, torch.ones(2))
    assert str(error) == str(torch_info.value)


@requires_torch
@pytest.mark.parametrize("backward", [
    lambda m, x, out: m.autograd.grad(out.sum(), x),
    lambda m, x, out: out.sum().backward(inputs=[x]),
], ids=["autograd_grad", "backward_inputs"])
def test_reentrant_refuses_restricted_backward(backward):
    def run(m, x):
        x.requires_grad_(True)
        backward(m, x, m.utils.checkpoint.checkpoint(m.sin, x, use_reentrant=True))

    error = same_error(run, randn(3), match="incompatible with .grad()")
    assert isinstance(error, RuntimeError)


@requires_torch
def test_reentrant_backward_when_no_output_needs_grad():
    def run(m, x):
        x.requires_grad_(True)
        out = m.utils.checkpoint.checkpoint(lambda t: t.detach() * 3, x, use_reentrant=True)
        out.sum().backward()

    same_error(run, randn(3), match="none of output has requires_grad=True")


@requires_torch
@BOTH
def test_input_changed_in_place_before_backward(reentrant):
    def run(m, x):
        x.requires_grad_(True)
        h = x * 1
        out = m.utils.checkpoint.checkpoint(m.sin, h, use_reentrant=reentrant)
        h.add_(1)
        out.sum().backward()

    same_error(run, randn(3), match="modified by an inplace operation")


def test_non_deterministic_recomputation_is_detected():
    calls = []

    def fn(t):
        calls.append(1)
        return (t[: 4 - len(calls)] * 2).exp().sum()

    x = ember.ones(4, requires_grad=True)
    out = ember_checkpoint.checkpoint(fn, x, use_reentrant=False)
    with pytest.raises(ember_checkpoint.CheckpointError, match="different metadata"):
        out.backward()
    assert issubclass(ember_checkpoint.CheckpointError, RuntimeError)


def test_a_different_graph_on_recomputation_is_detected():
    calls = []

    def fn(t):
        calls.append(1)
        return t.exp() if len(calls) == 1 else t.exp().exp()

    out = ember_checkpoint.checkpoint(fn, ember.ones(2, requires_grad=True), use_reentrant=False,
                                      determinism_check="none")
    with pytest.raises(ember_checkpoint.CheckpointError, match="different number of tensors"):
        out.sum().backward()


def test_context_fn_runs_forward_and_recomputation_in_its_contexts():
    entered = []

    @contextlib.contextmanager
    def mark(name):
        entered.append(name)
        yield

    x = ember.ones(2, requires_grad=True)
    out = ember_checkpoint.checkpoint(ember.exp, x, use_reentrant=False,
                                      context_fn=lambda: (mark("forward"), mark("recompute")))
    assert entered == ["forward"]
    out.sum().backward()
    assert entered == ["forward", "recompute"]


def test_context_fn_suppressing_an_error_is_refused():
    def fn(t):
        raise ValueError("boom")

    with pytest.raises(RuntimeError, match="suppressed an exception"):
        ember_checkpoint.checkpoint(fn, ember.ones(2, requires_grad=True), use_reentrant=False,
                                    context_fn=lambda: (contextlib.suppress(ValueError), contextlib.nullcontext()))


# ----------------------------------------------------------------------------- module surface

@requires_torch
@pytest.mark.parametrize("name", ["checkpoint", "checkpoint_sequential", "detach_variable",
                                  "check_backward_validity", "set_checkpoint_early_stop",
                                  "set_checkpoint_debug_enabled"])
def test_signatures_match_torch(name):
    ours = inspect.signature(getattr(ember_checkpoint, name))
    theirs = inspect.signature(getattr(torch.utils.checkpoint, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for ours_p, theirs_p in zip(ours.parameters.values(), theirs.parameters.values()):
        assert ours_p.kind == theirs_p.kind
        if not callable(theirs_p.default):
            assert ours_p.default == theirs_p.default


def test_reachable_as_in_torch():
    assert ember.utils.checkpoint.checkpoint is ember_checkpoint.checkpoint
    assert ember_checkpoint.noop_context_fn()[0] is not None
    with ember_checkpoint.set_checkpoint_debug_enabled(True):
        with pytest.raises(ValueError, match="incompatible with non-default context_fn"):
            ember_checkpoint.checkpoint(ember.exp, ember.ones(1), use_reentrant=False,
                                        context_fn=lambda: (contextlib.nullcontext(),) * 2)


def test_detach_variable_keeps_requires_grad():
    x = ember.ones(2, requires_grad=True)
    detached, number, plain = ember_checkpoint.detach_variable((x * 2, 5, ember.ones(1)))
    assert detached.requires_grad and detached.grad_fn is None and number == 5 and not plain.requires_grad


def test_docstring_examples():
    import doctest

    result = doctest.testmod(ember_checkpoint, globs={"ember": ember, **vars(ember_checkpoint)})
    assert result.attempted > 0 and result.failed == 0
