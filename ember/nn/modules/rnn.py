"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, packed input) and their cells.

Parameters, their names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0`` ...),
shapes, gate order and the U(-1/sqrt(hidden), 1/sqrt(hidden)) initialisation are PyTorch's,
so state_dicts move both ways. Each layer and direction runs as two ops: one matrix product
for the input projections of all time steps (``linear`` over every row at once) and the time
loop (``ember.ops.recurrent.RecurrentLayer``), which only multiplies by ``W_hh`` per step.
Inputs of every form go through one flat layout, the packed one (rows of step t after those
of step t - 1), so padded, batch-first, unbatched and packed inputs share one code path.

The cells are compositions of Tensor ops, as in PyTorch.
"""

import math
import numbers
import warnings

from ..._creation import empty, zeros
from ...ops.recurrent import gru_cell_step, lstm_cell_step, recurrent_layer, rnn_cell_step
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the per-layer parameters, the argument checks and the layer loop.

    ``mode`` is ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``.

    >>> ember.nn.RNNBase("GRU", 3, 4).weight_hh_l0.shape
    ember.Size([12, 4])
    """

    _input_dims_message = "{name}: Expected input to be 2D or 3D, got {dims}D instead"

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        _check_configuration(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                shapes = {"weight_ih": (gate_size, layer_input_size), "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes.update({"bias_ih": (gate_size,), "bias_hh": (gate_size,)})
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    # ------------------------------------------------------------------ parameters
    def _init_flat_weights(self):
        self._flat_weights = [getattr(self, name) if hasattr(self, name) else None
                              for name in self._flat_weights_names]
        self.flatten_parameters()

    def __setattr__(self, attr, value):
        names = self.__dict__.get("_flat_weights_names")
        if names is not None and attr in names:       # keep _flat_weights current after ``self.weight_ih_l0 = ...``
            self._flat_weights[names.index(attr)] = value
        super().__setattr__(attr, value)

    def flatten_parameters(self):
        """Pack the weights into one buffer for cuDNN; a no-op here, as in PyTorch on the CPU."""

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse)
        self._init_flat_weights()
        return result

    def _weights_have_changed(self):
        """Whether a weight attribute now holds another tensor than ``_flat_weights`` (e.g. ``functional_call``)."""
        return any((getattr(self, name) if hasattr(self, name) else None) is not weight
                   for name, weight in zip(self._flat_weights_names, self._flat_weights))

    def _update_flat_weights(self):
        if self._weights_have_changed():
            self._init_flat_weights()

    def reset_parameters(self):
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        """The parameters grouped per layer and direction, in ``_all_weights``' order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def __setstate__(self, state):
        super().__setstate__(state)
        if "proj_size" not in state:        # modules pickled before projections existed
            self.proj_size = 0

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ------------------------------------------------------------------ checks
    def check_input(self, input, batch_sizes):
        """PyTorch's checks of the input: the weights' dtype, 3-D (2-D when packed), ``input_size`` features."""
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.size(-1)}")

    def _real_hidden_size(self):
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    def _mini_batch(self, input, batch_sizes):
        if batch_sizes is not None:
            return int(batch_sizes[0])
        return input.size(0) if self.batch_first else input.size(1)

    def get_expected_hidden_size(self, input, batch_sizes):
        """(layers * directions, batch, hidden or proj size): the shape ``h0`` must have."""
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, self._mini_batch(input, batch_sizes), self._real_hidden_size())

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        """PyTorch's RuntimeError when a state's shape is not the expected one."""
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        """Check the input and the initial state together."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        """Reorder the state's batch dimension (to and from a packed batch's length order)."""
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    # ------------------------------------------------------------------ forward
    def forward(self, input, hx=None):
        """Run the layers over ``input`` (padded, unbatched or packed) from the states ``hx`` (zeros when None)."""
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        return self._forward_padded(input, hx)

    def _forward_packed(self, input, hx):
        data, batch_sizes, sorted_indices, unsorted_indices = input
        sizes = [int(b) for b in batch_sizes.tolist()]
        if hx is None:
            hx = self._zero_states(data, sizes[0] if sizes else 0)
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, sizes)
        output, hidden = self._run(data, sizes, hx)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), \
            self.permute_hidden(hidden, unsorted_indices)

    def _forward_padded(self, input, hx):
        if input.dim() not in (2, 3):
            raise ValueError(self._input_dims_message.format(name=type(self).__name__, dims=input.dim()))
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        hx = self._batched_states(hx, batched)
        if hx is None:
            hx = self._zero_states(input, input.size(batch_dim))
        self.check_forward_args(input, hx, None)
        steps, batch = input.size(1 - batch_dim), input.size(batch_dim)
        if steps == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        time_major = input.transpose(0, 1) if self.batch_first else input
        data = time_major.reshape(steps * batch, self.input_size)
        output, hidden = self._run(data, [batch] * steps, hx)
        output = output.reshape(steps, batch, output.size(-1))
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(batch_dim)
            hidden = self._unbatched_states(hidden)
        return output, hidden

    def _zero_states(self, like, batch):
        num_directions = 2 if self.bidirectional else 1
        return zeros(self.num_layers * num_directions, batch, self._real_hidden_size(), dtype=like.dtype,
                     device=like.device)

    def _batched_states(self, hx, batched):
        """``hx`` checked against the input's batching; an unbatched input's 2-D state gains a batch dimension."""
        if hx is None:
            return None
        if batched and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        if not batched and hx.dim() != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
        return hx if batched else hx.unsqueeze(1)

    def _unbatched_states(self, hidden):
        return hidden.squeeze(1)

    def _states(self, hx):
        """``(h0, c0)`` from the forward's ``hx`` (``c0`` is None except for an LSTM)."""
        return hx, None

    def _hidden_result(self, h_n, c_n):
        return h_n

    def _layer_weights(self, index):
        """The parameters of one layer and direction by kind: ``weight_ih``, ``weight_hh``, ``bias_ih`` ..."""
        return {name[:name.index("_l")]: getattr(self, name) for name in self._all_weights[index]}

    def _check_states(self, data, states):
        for state in states:
            if state is not None and state.dtype != data.dtype:
                raise RuntimeError(f"Expected the hidden state to have the input's dtype {data.dtype}, but got "
                                   f"{state.dtype}")

    def _run(self, data, batch_sizes, hx):
        """All layers over flat ``data`` (rows, features): the flat output and the final states."""
        h0, c0 = self._states(hx)
        self._check_states(data, (h0, c0))
        num_directions = 2 if self.bidirectional else 1
        layer_input = data
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                weights = self._layer_weights(index)
                gates_x = F.linear(layer_input, weights["weight_ih"], weights.get("bias_ih"))
                result = recurrent_layer(gates_x, h0[index], None if c0 is None else c0[index],
                                         weights["weight_hh"], weights.get("bias_hh"), weights.get("weight_hr"),
                                         self.mode, batch_sizes, reverse=direction == 1)
                outputs.append(result[0])
                finals_h.append(result[1])
                if c0 is not None:
                    finals_c.append(result[2])
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        c_n = stack(finals_c) if c0 is not None else None
        return layer_input, self._hidden_result(stack(finals_h), c_n)


def _check_configuration(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    """PyTorch's checks of RNNBase's arguments, in its order (and its warning about dropout with one layer)."""
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                         "being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                      f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                      stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _GATES:
        raise ValueError("Unrecognized RNN mode: " + mode)


class RNN(RNNBase):
    """A multi-layer Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None)``; returns ``(output, h_n)``.

    >>> rnn = ember.nn.RNN(10, 20, 2)
    >>> output, h_n = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
    >>> output.shape, h_n.shape
    (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
    """

    _input_dims_message = "RNN: Expected input to be 2D or 3D, got {dims}D tensor instead"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """A multi-layer LSTM (gates i, f, g, o); with ``proj_size > 0`` each output is projected by ``weight_hr``.

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None)``; returns ``(output, (h_n, c_n))``.

    >>> lstm = ember.nn.LSTM(10, 20, 2)
    >>> output, (h_n, c_n) = lstm(ember.randn(5, 3, 10))
    >>> output.shape, h_n.shape, c_n.shape
    (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        """(layers * directions, batch, hidden_size): the shape ``c0`` must have."""
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, self._mini_batch(input, batch_sizes), self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def _zero_states(self, like, batch):
        num_directions = 2 if self.bidirectional else 1
        cells = zeros(self.num_layers * num_directions, batch, self.hidden_size, dtype=like.dtype,
                      device=like.device)
        return super()._zero_states(like, batch), cells

    def _batched_states(self, hx, batched):
        if hx is None:
            return None
        h, c = hx[0], hx[1]
        if batched and (h.dim() != 3 or c.dim() != 3):
            raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got ({h.dim()}-D, "
                               f"{c.dim()}-D) tensors")
        if not batched and (h.dim() != 2 or c.dim() != 2):
            raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got ({h.dim()}-D, "
                               f"{c.dim()}-D) tensors")
        return (h, c) if batched else (h.unsqueeze(1), c.unsqueeze(1))

    def _unbatched_states(self, hidden):
        return hidden[0].squeeze(1), hidden[1].squeeze(1)

    def _states(self, hx):
        return hx[0], hx[1]

    def _hidden_result(self, h_n, c_n):
        return h_n, c_n


class GRU(RNNBase):
    """A multi-layer GRU: gates r, z and the candidate ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)``; returns ``(output, h_n)``.

    >>> gru = ember.nn.GRU(10, 20, 2, batch_first=True)
    >>> output, h_n = gru(ember.randn(3, 5, 10))
    >>> output.shape, h_n.shape
    (ember.Size([3, 5, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (chunks * hidden, input), ``weight_hh`` (chunks * hidden, hidden), biases.

    >>> ember.nn.RNNCellBase(3, 4, bias=True, num_chunks=2).weight_ih.shape
    ember.Size([8, 3])
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_dims(self, input, states, state_names):
        """PyTorch's ValueErrors for inputs and states that are not 1-D or 2-D."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for state, state_name in zip(states, state_names):
            if state is not None and state.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {state_name} to be 1D or 2D, got {state.dim()}D instead")

    def _check_sizes(self, input, states):
        """PyTorch's checks of the cell's input and states (batched by now) against its sizes."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for index, state in enumerate(states):
            if input.size(0) != state.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{index} batch size "
                                   f"{state.size(0)}")
            if state.dim() < 2 or state.size(1) != self.hidden_size:
                got = state.size(1) if state.dim() >= 2 else "none"
                raise RuntimeError(f"hidden{index} has inconsistent hidden_size: got {got}, expected "
                                   f"{self.hidden_size}")

    def _input_gates(self, input):
        return F.linear(input, self.weight_ih, self.bias_ih)

    def _zeros(self, input):
        return zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``, act tanh or relu.

    >>> cell = ember.nn.RNNCell(10, 20)
    >>> cell(ember.randn(3, 10), ember.randn(3, 20)).shape
    ember.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        self._check_dims(input, (hx,), ("hidden",))
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if batched else hx.unsqueeze(0))
        self._check_sizes(input, (hx,))
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        result = rnn_cell_step(self._input_gates(input), hx, self.weight_hh, self.bias_hh, self.nonlinearity)
        return result if batched else result.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: gates i, f, g, o from ``x`` and ``h``; returns ``(h', c')``.

    >>> cell = ember.nn.LSTMCell(10, 20)
    >>> h, c = cell(ember.randn(3, 10))
    >>> h.shape, c.shape
    (ember.Size([3, 20]), ember.Size([3, 20]))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        self._check_dims(input, tuple(hx) if hx is not None else (), ("hx[0]", "hx[1]"))
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            state = self._zeros(input)
            hx = (state, state)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        self._check_sizes(input, hx)
        h, c = lstm_cell_step(self._input_gates(input), hx[0], hx[1], self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: gates r, z and the candidate ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

    >>> cell = ember.nn.GRUCell(10, 20)
    >>> cell(ember.randn(3, 10)).shape
    ember.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        self._check_dims(input, (hx,), ("hidden",))
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if batched else hx.unsqueeze(0))
        self._check_sizes(input, (hx,))
        result = gru_cell_step(self._input_gates(input), hx, self.weight_hh, self.bias_hh)
        return result if batched else result.squeeze(0)

