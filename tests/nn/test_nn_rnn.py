"""The recurrent layers against torch: RNN (tanh/relu), LSTM (with projections) and GRU over every form of input
(padded, batch-first, unbatched, packed), with and without initial states; values, gradients of the input, the
states and every parameter; parameter names, shapes, initialisation, reprs, state_dicts both ways; the cells;
finite differences (first and second order) and torch's errors."""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
from helpers import assert_close, check_grad, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.ops.recurrent import recurrent_layer, replay, schedule

pytestmark = [requires_torch, pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")]

CLASSES = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


def _make(lib, mode, *args, **kwargs):
    if mode == "RNN_RELU":
        kwargs["nonlinearity"] = "relu"
    return getattr(lib.nn, CLASSES[mode])(*args, **kwargs)


def _pair(mode, *args, dtype="float64", **kwargs):
    """A torch module and an ember module of the same configuration holding the same (torch's) weights."""
    t_module = _make(torch, mode, *args, dtype=getattr(torch, dtype), **kwargs)
    e_module = _make(ember, mode, *args, dtype=getattr(ember, dtype), **kwargs)
    e_module.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in
                              t_module.state_dict().items()})
    return t_module, e_module


def _tensors(result):
    """The tensors in a nested result (tuples, PackedSequences), in order; None entries are skipped."""
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _tensors(item)]
    return [] if result is None else [result]


def _lib_tensor(lib, array):
    return torch.from_numpy(array.copy()) if lib is torch else ember.from_numpy(array.copy())


def compare_modules(t_module, e_module, call, *arrays, rtol=1e-10, atol=1e-12):
    """``call(lib, module, *tensors)`` with both libraries: outputs, then gradients of inputs and parameters."""
    results = {}
    for lib, module in ((torch, t_module), (ember, e_module)):
        inputs = [_lib_tensor(lib, a) for a in arrays]
        for t in inputs:
            if t.dtype.is_floating_point:
                t.requires_grad_(True)
        results[lib] = (inputs, _tensors(call(lib, module, *inputs)), module)
    t_inputs, t_outputs, _ = results[torch]
    e_inputs, e_outputs, _ = results[ember]
    assert len(t_outputs) == len(e_outputs)
    for i, (e, t) in enumerate(zip(e_outputs, t_outputs)):
        assert_close(e, t, rtol, atol, what=f"output {i}")
    differentiable = [i for i, t in enumerate(t_outputs) if t.requires_grad]
    assert [i for i, e in enumerate(e_outputs) if e.requires_grad] == differentiable
    if not differentiable:
        return
    seeds = [randn(*t_outputs[i].shape).astype(t_outputs[i].detach().numpy().dtype) for i in differentiable]
    names = [name for name, p in t_module.named_parameters() if p.requires_grad]
    leaves = {torch: [t for t in t_inputs if t.requires_grad] + [dict(t_module.named_parameters())[n] for n in names],
              ember: [t for t in e_inputs if t.requires_grad] + [dict(e_module.named_parameters())[n] for n in names]}
    grads = {}
    for lib, outputs in ((torch, t_outputs), (ember, e_outputs)):
        grads[lib] = lib.autograd.grad([outputs[i] for i in differentiable], leaves[lib],
                                       [_lib_tensor(lib, s) for s in seeds], allow_unused=True)
    labels = [f"input {i}" for i in range(len(leaves[torch]) - len(names))] + names
    for label, e, t in zip(labels, grads[ember], grads[torch]):
        if t is None:
            assert e is None or not np.any(e.numpy()), f"gradient of {label}: torch has none"
            continue
        assert e is not None, f"gradient of {label}: ember has none"
        assert_close(e, t, rtol, atol, what=f"gradient of {label}")


def _states(mode, layers, directions, batch, hidden, proj):
    """NumPy initial states: h0 (and c0 for an LSTM); ``batch`` None for unbatched input."""
    lead = (layers * directions,) + (() if batch is None else (batch,))
    h0 = randn(*lead, proj or hidden)
    return [h0, randn(*lead, hidden)] if mode == "LSTM" else [h0]


def functional_call(module, weights, args):
    """``module(*args)`` with its parameters replaced by ``weights`` (name -> tensor) for the call."""
    saved = dict(module._parameters)
    module._parameters.update(weights)
    try:
        return module(*args)
    finally:
        module._parameters.update(saved)


def _call_with_states(mode):
    def call(lib, module, x, *states):
        if not states:
            return module(x)
        return module(x, tuple(states) if mode == "LSTM" else states[0])
    return call


# ----------------------------------------------------------------------------- parity over configurations

@st.composite
def configurations(draw):
    mode = draw(st.sampled_from(list(CLASSES)))
    hidden = draw(st.integers(2, 4))
    return dict(mode=mode, input_size=draw(st.integers(1, 3)), hidden=hidden, layers=draw(st.integers(1, 3)),
                bidirectional=draw(st.booleans()), batch_first=draw(st.booleans()), bias=draw(st.booleans()),
                proj=draw(st.integers(0, hidden - 1)) if mode == "LSTM" else 0, steps=draw(st.integers(1, 4)),
                batch=draw(st.one_of(st.none(), st.integers(1, 3))), with_states=draw(st.booleans()))


@settings(max_examples=25, deadline=None)
@given(configurations())
def test_padded_and_unbatched_input_against_torch(config):
    mode, hidden, proj = config["mode"], config["hidden"], config["proj"]
    directions = 2 if config["bidirectional"] else 1
    kwargs = dict(num_layers=config["layers"], bias=config["bias"], batch_first=config["batch_first"],
                  bidirectional=config["bidirectional"])
    if proj:
        kwargs["proj_size"] = proj
    t_module, e_module = _pair(mode, config["input_size"], hidden, **kwargs)
    batch, steps = config["batch"], config["steps"]
    shape = (steps, config["input_size"]) if batch is None else \
        ((batch, steps) if config["batch_first"] else (steps, batch)) + (config["input_size"],)
    states = _states(mode, config["layers"], directions, batch, hidden, proj) if config["with_states"] else []
    compare_modules(t_module, e_module, _call_with_states(mode), randn(*shape), *states)


@settings(max_examples=25, deadline=None)
@given(configurations(), st.lists(st.integers(1, 4), min_size=1, max_size=4), st.booleans())
def test_packed_input_against_torch(config, lengths, enforce_sorted):
    mode, hidden, proj = config["mode"], config["hidden"], config["proj"]
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    directions = 2 if config["bidirectional"] else 1
    kwargs = dict(num_layers=config["layers"], bias=config["bias"], bidirectional=config["bidirectional"])
    if proj:
        kwargs["proj_size"] = proj
    t_module, e_module = _pair(mode, config["input_size"], hidden, **kwargs)
    states = _states(mode, config["layers"], directions, len(lengths), hidden, proj) if config["with_states"] else []

    def call(lib, module, x, *states):
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        output, hidden_state = _call_with_states(mode)(lib, module, packed, *states)
        assert isinstance(output, lib.nn.utils.rnn.PackedSequence)
        padded, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(output, padding_value=-1.0)
        return output, padded, out_lengths, hidden_state
    compare_modules(t_module, e_module, call, randn(max(lengths), len(lengths), config["input_size"]), *states)


@pytest.mark.parametrize("mode", list(CLASSES))
def test_float32_noncontiguous_and_empty_batch(mode):
    t_module, e_module = _pair(mode, 3, 5, num_layers=2, bidirectional=True, dtype="float32")
    # float32 weight gradients are sums of terms of size ~4 whose results can be ~0.02: atol at float32's scale
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(4, 2, 3).astype(np.float32),
                    rtol=1e-5, atol=1e-5)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x.transpose(0, 1)),     # a non-contiguous input
                    randn(2, 4, 3).astype(np.float32), rtol=1e-5, atol=1e-5)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(4, 0, 3).astype(np.float32))


def test_lstm_projection_with_states_and_batch_first():
    t_module, e_module = _pair("LSTM", 3, 5, num_layers=2, bidirectional=True, proj_size=2, batch_first=True)
    compare_modules(t_module, e_module, _call_with_states("LSTM"), randn(3, 4, 3), randn(4, 3, 2), randn(4, 3, 5))


@pytest.mark.parametrize("mode", ["RNN_TANH", "RNN_RELU", "GRU"])
def test_long_sequences_and_large_values(mode):
    # saturated gates and relu's dead units: exp overflows quietly, values still match
    t_module, e_module = _pair(mode, 2, 3, num_layers=2)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(30, 2, 2) * 50)
    t_module, e_module = _pair("LSTM", 2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(30, 2, 2) * 1000)


def test_partial_gradients_frozen_weights_and_detached_states():
    t_module, e_module = _pair("GRU", 2, 3, bidirectional=True)
    for module in (t_module, e_module):
        module.weight_hh_l0.requires_grad_(False)
        module.bias_ih_l0_reverse.requires_grad_(False)
    compare_modules(t_module, e_module, _call_with_states("GRU"), randn(3, 2, 2), randn(2, 2, 3))
    for module in (t_module, e_module):
        module.requires_grad_(False)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(3, 2, 2))
    with ember.no_grad():
        output, h_n = e_module(ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True))
    assert not output.requires_grad and not h_n.requires_grad


def test_only_states_require_grad():
    t_module, e_module = _pair("LSTM", 2, 3, num_layers=2)
    for module in (t_module, e_module):
        module.requires_grad_(False)

    def call(lib, module, h0, c0):
        x = _lib_tensor(lib, np.linspace(-1, 1, 12).reshape(3, 2, 2))
        return module(x, (h0, c0))
    compare_modules(t_module, e_module, call, randn(2, 2, 3), randn(2, 2, 3))


def test_gradients_of_partial_outputs():
    # only h_n used: the output's gradient is zeros; only c_n used: h's gradient is zeros
    t_module, e_module = _pair("LSTM", 2, 3, num_layers=2, bidirectional=True)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x)[1][0], randn(4, 2, 2))
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x)[1][1], randn(4, 2, 2))
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x)[0][-1], randn(4, 2, 2))


def test_dropout_between_layers():
    # p = 1 zeroes every layer's output but the last: deterministic, so torch's results apply
    t_module, e_module = _pair("LSTM", 3, 4, num_layers=3, dropout=1.0)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(3, 2, 3))
    t_module.eval()
    e_module.eval()
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(3, 2, 3))
    e_module = ember.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    first, second = e_module(x)[0], e_module(x)[0]
    assert not ember.equal(first, second)                  # a fresh mask each call in training
    e_module.eval()
    assert ember.equal(e_module(x)[0], e_module(x)[0])
    switched_off = ember.nn.GRU(3, 4, num_layers=2, dropout=0.5).train()
    switched_off.dropout = 0.0                              # read at each call
    assert ember.equal(switched_off(x)[0], switched_off(x)[0])


def test_double_backward_matches_torch():
    def gradient_norm(lib, module, x, h0, c0):
        output, (h_n, c_n) = module(x, (h0, c0))
        loss = (output ** 2).sum() + (h_n.sum(-1) * c_n.sum(-1)).sum()
        grads = lib.autograd.grad(loss, [x, module.weight_hh_l0], create_graph=True)
        return sum((g ** 2).sum() for g in grads)
    t_module, e_module = _pair("LSTM", 2, 3, bidirectional=True, proj_size=2)
    compare_modules(t_module, e_module, gradient_norm, randn(3, 2, 2), randn(2, 2, 2), randn(2, 2, 3), rtol=1e-9)


# ----------------------------------------------------------------------------- finite differences

@pytest.mark.parametrize("mode,options", [
    ("LSTM", {"bidirectional": True, "proj_size": 2}), ("LSTM", {"num_layers": 2, "bias": False}),
    ("GRU", {"bidirectional": True}), ("RNN_TANH", {"num_layers": 2}), ("RNN_RELU", {"bidirectional": True}),
])
def test_finite_differences(mode, options):
    module = _make(ember, mode, 2, 3, dtype=ember.float64, **options)
    directions = 2 if options.get("bidirectional") else 1
    states = _states(mode, options.get("num_layers", 1), directions, 2, 3, options.get("proj_size", 0))
    names = [name for name, _ in module.named_parameters()]

    def run(x, *tensors):
        states, weights = tensors[:len(tensors) - len(names)], tensors[len(tensors) - len(names):]
        output = functional_call(module, dict(zip(names, weights)), (x,) + (
            (tuple(states) if mode == "LSTM" else states[0],) if states else ()))
        return _tensors(output)
    params = [p.detach().numpy().copy() for p in module.parameters()]
    check_grad(run, randn(3, 2, 2), *states, *params, second_order=mode != "RNN_RELU")


def test_finite_differences_packed():
    module = ember.nn.GRU(2, 3, num_layers=2, bidirectional=True, dtype=ember.float64)
    pack = ember.nn.utils.rnn.pack_padded_sequence

    def run(x, h0):
        output, h_n = module(pack(x, [3, 1, 2], enforce_sorted=False), h0)
        return output.data, h_n
    check_grad(run, randn(3, 3, 2), randn(4, 3, 3))


# ----------------------------------------------------------------------------- the fused kernel itself

@pytest.mark.parametrize("mode", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("reverse", [False, True])
def test_kernel_against_its_tensor_op_replay(mode, reverse):
    batch_sizes = (3, 3, 2, 1)
    hidden, proj = 4, (2 if mode == "LSTM" else 0)
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1) * hidden
    arrays = [randn(sum(batch_sizes), gates), randn(3, proj or hidden), randn(3, hidden) if mode == "LSTM" else None,
              randn(gates, proj or hidden), randn(gates), randn(proj, hidden) if proj else None]
    tensors = [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]
    fused = recurrent_layer(*tensors, mode, batch_sizes, reverse=reverse)
    replayed = replay(*tensors, mode, schedule(batch_sizes, reverse))
    assert fused[0].grad_fn.name() == "RnnLayerBackward0"
    seeds = [ember.tensor(randn(*f.shape)) for f in fused]
    present = [t for t in tensors if t is not None]
    fused_grads = ember.autograd.grad(fused, present, seeds)
    replayed_grads = ember.autograd.grad(replayed, present, seeds)
    for a, b in zip(list(fused) + list(fused_grads), list(replayed) + list(replayed_grads)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Unrecognized RNN mode"):
        recurrent_layer(*tensors, "LSTM2", batch_sizes)


def test_kernel_saved_tensors_are_freed_and_version_checked():
    module = ember.nn.LSTM(2, 3)
    output, _ = module(ember.randn(3, 1, 2))
    output.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        output.sum().backward()
    output, _ = module(ember.randn(3, 1, 2))
    with ember.no_grad():
        module.weight_hh_l0.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        output.sum().backward()


# ----------------------------------------------------------------------------- parameters and module API

@pytest.mark.parametrize("mode,options", [
    ("RNN_TANH", {}), ("RNN_RELU", {"num_layers": 2, "bias": False}), ("GRU", {"bidirectional": True}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 3}), ("LSTM", {"bias": False, "proj_size": 1}),
    ("LSTM", {"batch_first": True, "dropout": 0.25, "num_layers": 2}),
])
def test_parameters_names_shapes_and_reprs(mode, options):
    t_module = _make(torch, mode, 4, 6, **options)
    e_module = _make(ember, mode, 4, 6, **options)
    assert [(n, tuple(p.shape)) for n, p in e_module.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t_module.named_parameters()]
    assert e_module._flat_weights_names == t_module._flat_weights_names
    assert e_module._all_weights == t_module._all_weights
    assert [[tuple(p.shape) for p in group] for group in e_module.all_weights] == \
        [[tuple(p.shape) for p in group] for group in t_module.all_weights]
    assert all(a is b for a, b in zip(e_module._flat_weights, e_module.parameters()))
    assert repr(e_module) == repr(t_module)
    assert e_module.flatten_parameters() is None
    for name in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                 "bidirectional", "proj_size"):
        assert getattr(e_module, name) == getattr(t_module, name), name


@pytest.mark.parametrize("mode", list(CLASSES))
def test_initialisation_is_uniform_within_one_over_sqrt_hidden(mode):
    ember.manual_seed(0)
    module = _make(ember, mode, 30, 25, num_layers=2)
    bound = 1 / math.sqrt(25)
    values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.95 * bound and values.max() > 0.95 * bound
    assert abs(values.mean()) < 0.01 and abs(values.std() - bound / math.sqrt(3)) < 0.01
    assert all(p.dtype == ember.float32 and p.requires_grad for p in module.parameters())


def test_state_dicts_move_both_ways():
    t_module = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    e_module = ember.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    e_module.load_state_dict({k: ember.from_numpy(v.numpy()) for k, v in t_module.state_dict().items()})
    x = randn(4, 2, 3).astype(np.float32)
    assert_close(e_module(ember.from_numpy(x))[0], t_module(torch.from_numpy(x))[0], rtol=1e-5, atol=1e-6)
    e_module = ember.nn.GRU(3, 5, bias=False)
    t_module = torch.nn.GRU(3, 5, bias=False)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    t_module.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e_module.state_dict().items()},
                             strict=True)
    assert_close(e_module(ember.from_numpy(x))[1], t_module(torch.from_numpy(x))[1], rtol=1e-5, atol=1e-6)


def test_flat_weights_follow_assignment_conversion_copies_and_pickles():
    module = ember.nn.GRU(2, 3, num_layers=2)
    replacement = ember.nn.Parameter(ember.zeros(9, 3))
    module.weight_hh_l1 = replacement
    assert module._flat_weights[module._flat_weights_names.index("weight_hh_l1")] is replacement
    module.double()
    assert all(w.dtype == ember.float64 for w in module._flat_weights)
    assert all(a is b for a, b in zip(module._flat_weights, module.parameters()))
    x = ember.randn(4, 2, 2, dtype=ember.float64)
    expected = module(x)[0]
    for clone in (copy.deepcopy(module), pickle.loads(pickle.dumps(module))):
        assert ember.equal(clone(x)[0], expected)
        assert all(a is b for a, b in zip(clone._flat_weights, clone.parameters()))
    module._flat_weights = list(module._flat_weights)
    module._parameters["weight_ih_l0"] = ember.nn.Parameter(ember.zeros(9, 2, dtype=ember.float64))
    assert module._weights_have_changed()
    module(x)                                               # re-reads the weights
    assert not module._weights_have_changed()


def test_swapped_weights_are_used():
    module = ember.nn.RNN(2, 3)
    weights = {name: ember.zeros_like(p) for name, p in module.named_parameters()}
    output, h_n = functional_call(module, weights, (ember.randn(4, 1, 2),))
    assert not output.any() and not h_n.any()
    assert module(ember.ones(4, 1, 2))[0].any()


def test_grad_fns_and_output_layout():
    x = ember.randn(3, 2, 4, requires_grad=True)
    output, (h_n, c_n) = ember.nn.LSTM(4, 5, num_layers=2)(x)
    assert h_n.grad_fn is not None and c_n.grad_fn is not None
    output, h_n = ember.nn.GRU(4, 5, batch_first=True)(x)
    assert output.shape == (3, 2, 5) and h_n.shape == (1, 3, 5)
    assert output.transpose(0, 1).is_contiguous()


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("build", [
    lambda m: m.nn.RNN(4, 6, nonlinearity="sigmoid"),
    lambda m: m.nn.GRU(4, 6, proj_size=2),
    lambda m: m.nn.RNN(4, 6, proj_size=2),
    lambda m: m.nn.LSTM(4, 6, proj_size=6),
    lambda m: m.nn.LSTM(4, 6, proj_size=-1),
    lambda m: m.nn.LSTM(4, 6, dropout=1.5),
    lambda m: m.nn.LSTM(4, 6, dropout=True),
    lambda m: m.nn.LSTM(4, 6, dropout="0.5"),
    lambda m: m.nn.LSTM(4, 6, bias=1),
    lambda m: m.nn.LSTM(4, 6, batch_first=None),
    lambda m: m.nn.LSTM(4.0, 6),
    lambda m: m.nn.GRU(4, 6.0),
    lambda m: m.nn.LSTM(0, 6),
    lambda m: m.nn.LSTM(4, 0),
    lambda m: m.nn.LSTM(4, 6, num_layers=0),
    lambda m: m.nn.RNNBase("FOO", 4, 6),
    lambda m: m.nn.LSTM(4, 6, unknown=1),
])
def test_constructor_errors(build):
    error = same_error(build)
    with pytest.raises(type(error)) as info:
        build(torch)
    assert str(error) == str(info.value)


def test_dropout_warning_with_one_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got "
                                         "dropout=0.5 and num_layers=1"):
        ember.nn.LSTM(4, 6, dropout=0.5)


def _state(shape, dtype=np.float64):
    return np.zeros(shape, dtype=dtype)


@pytest.mark.parametrize("mode,x_shape,hx", [
    ("LSTM", (5, 3, 5), None), ("RNN_TANH", (5, 3, 5), None), ("GRU", (5, 3, 4, 4), None), ("LSTM", (5,), None),
    ("RNN_TANH", (5,), None), ("GRU", (5,), None), ("RNN_TANH", (0, 3, 4), None),
    ("LSTM", (5, 3, 4), ((2, 3, 6), (2, 3, 5))), ("LSTM", (5, 3, 4), ((2, 2, 6), (2, 3, 6))),
    ("LSTM", (5, 3, 4), ((2, 6), (2, 3, 6))), ("LSTM", (5, 4), ((2, 1, 6), (2, 1, 6))),
    ("LSTM", (5, 4), ((2, 7), (2, 6))), ("RNN_TANH", (5, 3, 4), (2, 3, 7)), ("GRU", (5, 3, 4), (3, 6)),
    ("GRU", (5, 4), (1, 1, 6)), ("RNN_TANH", (5, 4), (2, 5)),
])
def test_forward_errors(mode, x_shape, hx):
    def call(m, x):
        module = _make(m, mode, 4, 6, num_layers=2, dtype=m.float64)
        if hx is None:
            return module(x)
        state = tuple(m.from_numpy(_state(s)) for s in hx) if mode == "LSTM" else m.from_numpy(_state(hx))
        return module(x, state)
    error = same_error(call, randn(*x_shape))
    with pytest.raises(type(error)) as info:
        call(torch, torch.from_numpy(randn(*x_shape)))
    assert str(error) == str(info.value)


def test_dtype_errors():
    def call(m, x, *state):
        return m.nn.RNN(4, 6)(x, *state)
    error = same_error(call, randn(5, 3, 4))
    assert str(error) == ("RNN input dtype (ember.float64) does not match weight dtype (ember.float32). Convert input: "
                          "input.to(ember.float32), or convert model: model.to(ember.float64)")
    same_error(lambda m: m.nn.GRU(4, 6)(m.ones(5, 3, 4, dtype=m.int64)))
    same_error(call, randn(5, 3, 4).astype(np.float32), _state((1, 3, 6)))


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("x_shape,h_shape", [
    ((2, 5), None), ((2, 3), (3, 4)), ((2, 3), (2, 5)), ((2, 3, 3), None), ((2, 3), (2, 4, 1)),
    ((3,), (1, 4)), ((1, 3), (4,)),
])
def test_cell_errors(cell, x_shape, h_shape):
    def call(m, x):
        module = getattr(m.nn, cell)(3, 4, dtype=m.float64)
        if h_shape is None:
            return module(x)
        h = m.from_numpy(_state(h_shape))
        return module(x, (h, m.zeros(h.shape, dtype=m.float64)) if cell == "LSTMCell" else h)
    error = same_error(call, randn(*x_shape))
    with pytest.raises(type(error)) as info:
        call(torch, torch.from_numpy(randn(*x_shape)))
    assert str(error) == str(info.value)


def test_cell_unknown_nonlinearity_and_dtype_mismatch():
    def call(m):
        cell = m.nn.RNNCell(3, 4)
        cell.nonlinearity = "foo"
        return cell(m.ones(2, 3))
    assert str(same_error(call)) == "Unknown nonlinearity: foo"
    same_error(lambda m: m.nn.LSTMCell(3, 4)(m.ones(2, 3, dtype=m.float64)))
    error = same_error(lambda m: m.nn.LSTMCell(3, 4)(m.ones(2, 3), (m.zeros(2, 4),)))
    assert str(error) == "lstm_cell expects two hidden states"


# ----------------------------------------------------------------------------- cells

@pytest.mark.parametrize("cell,options", [
    ("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}), ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False}),
])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cells_against_torch(cell, options, batched, with_state):
    t_module = getattr(torch.nn, cell)(3, 4, dtype=torch.float64, **options)
    e_module = getattr(ember.nn, cell)(3, 4, dtype=ember.float64, **options)
    e_module.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in
                              t_module.state_dict().items()})
    lead = (2,) if batched else ()
    arrays = [randn(*lead, 3)]
    if with_state:
        arrays += [randn(*lead, 4)] * (2 if cell == "LSTMCell" else 1)

    def call(m, module, x, *state):
        if not state:
            return module(x)
        return module(x, tuple(state) if cell == "LSTMCell" else state[0])
    compare_modules(t_module, e_module, call, *arrays)
    if batched:                 # the cells are compositions, as torch's: the same last ops
        e_out = _tensors(call(ember, e_module, *[ember.from_numpy(a).requires_grad_() for a in arrays]))
        t_out = _tensors(call(torch, t_module, *[torch.from_numpy(a).requires_grad_() for a in arrays]))
        assert [o.grad_fn.name() for o in e_out] == [type(o.grad_fn).__name__ for o in t_out]
    assert repr(e_module) == repr(t_module)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_float32_empty_batch_and_finite_differences(cell):
    t_module = getattr(torch.nn, cell)(3, 4)
    e_module = getattr(ember.nn, cell)(3, 4)
    e_module.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in
                              t_module.state_dict().items()})
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(2, 3).astype(np.float32), rtol=1e-5,
                    atol=1e-6)
    compare_modules(t_module, e_module, lambda m, mod, x: mod(x), randn(0, 3).astype(np.float32))
    e_module.double()
    names = [n for n, _ in e_module.named_parameters()]

    def run(x, h, *weights):
        state = (h, h * 2) if cell == "LSTMCell" else h
        return _tensors(functional_call(e_module, dict(zip(names, weights)), (x, state)))
    check_grad(run, randn(2, 3), randn(2, 4), *[p.detach().numpy().copy() for p in e_module.parameters()])


def test_cell_parameters_and_init():
    for cell, chunks in (("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)):
        e_module = getattr(ember.nn, cell)(30, 25)
        t_module = getattr(torch.nn, cell)(30, 25)
        assert [(n, tuple(p.shape)) for n, p in e_module.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t_module.named_parameters()]
        assert e_module.weight_ih.shape == (chunks * 25, 30)
        values = np.concatenate([p.detach().numpy().ravel() for p in e_module.parameters()])
        assert np.abs(values).max() <= 0.2 and np.abs(values).max() > 0.19
    no_bias = ember.nn.GRUCell(3, 4, bias=False)
    assert no_bias.bias_ih is None and no_bias.bias_hh is None and len(list(no_bias.parameters())) == 2
