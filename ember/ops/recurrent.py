"""The time loop of a recurrent layer (RNN, LSTM, GRU) as one differentiable op per layer and direction.

A recurrent layer's input projections ``x_t @ W_ih^T + b_ih`` do not depend on the hidden
state, so the caller computes them for every time step at once, as one matrix product
(``linear`` over all rows). What is left is the loop: per step one product of the hidden
state with ``W_hh`` and the gate arithmetic. ``RecurrentLayer`` runs it in NumPy, keeping the
gates; its backward runs the loop in reverse and forms the weights' gradients at the end,
each as one product over all steps, instead of a dozen recorded elementwise ops per step.

Sequences are laid out flat, as in a ``PackedSequence``: the rows of step ``t`` follow those
of step ``t - 1``, ``batch_sizes[t]`` of them, longest sequences first. A padded batch of
``B`` sequences of length ``T`` is the case ``batch_sizes == (B,) * T``. A step reads and
writes the leading ``batch_sizes[t]`` rows of the hidden state; the rows of sequences that
have ended keep their final state, which is the layer's ``h_n`` for them.

Gate order and formulas are PyTorch's: LSTM ``i, f, g, o``; GRU ``r, z, n`` with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

A backward that builds a graph (``create_graph=True``, for double backward) replays the
layer with the cell functions below, in Tensor ops, and differentiates that.
"""

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from .shape import cat

__all__ = []

MODES = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ----------------------------------------------------------------------------- the cells, in Tensor ops
# One step of each cell written with differentiable Tensor ops: nn.RNNCell/LSTMCell/GRUCell use
# them (as PyTorch's cells are compositions too), and so does the double-backward replay.
# ``gates_x`` is the input projection ``x @ W_ih^T + b_ih`` of the step.

def rnn_cell_step(gates_x, h, w_hh, b_hh, nonlinearity):
    """The Elman cell: ``act(gates_x + h @ W_hh^T + b_hh)`` with act tanh or relu."""
    pre = gates_x + _hidden_product(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell_step(gates_x, h, c, w_hh, b_hh, w_hr=None):
    """The LSTM cell: gates ``i, f, g, o``; returns ``(h', c')``, ``h'`` projected by ``W_hr`` when given."""
    i, f, g, o = (gates_x + _hidden_product(h, w_hh, b_hh)).chunk(4, 1)
    c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_next = o.sigmoid() * c_next.tanh()
    if w_hr is not None:
        h_next = h_next.matmul(w_hr.mT)
    return h_next, c_next


def gru_cell_step(gates_x, h, w_hh, b_hh):
    """The GRU cell: ``r, z`` gates and the candidate ``n = tanh(x_n + r * (W_hn h + b_hn))``."""
    x_r, x_z, x_n = gates_x.chunk(3, 1)
    h_r, h_z, h_n = _hidden_product(h, w_hh, b_hh).chunk(3, 1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (h - n)


def _hidden_product(h, w_hh, b_hh):
    product = h.matmul(w_hh.mT)
    return product if b_hh is None else product + b_hh


# ----------------------------------------------------------------------------- the fused layer
def schedule(batch_sizes, reverse):
    """The (first row, row count) of each step in the order the layer visits them.

    >>> schedule((2, 2, 1), reverse=True)
    [(4, 1), (2, 2), (0, 2)]
    """
    starts = np.concatenate(([0], np.cumsum(batch_sizes)[:-1])).astype(int).tolist()
    steps = list(zip(starts, [int(b) for b in batch_sizes]))
    return steps[::-1] if reverse else steps


def _sigmoid_(x):
    """Logistic sigmoid in place, as ``1 / (1 + exp(-x))`` (callers silence exp's overflow)."""
    xp = array_module(x)
    xp.negative(x, out=x)
    xp.exp(x, out=x)
    x += 1
    xp.reciprocal(x, out=x)


class RecurrentLayer(Primitive):
    """One direction of one layer: ``(output, h_n[, c_n])`` from the input projections and the first state.

    Arguments: ``gates_x`` (rows, gates * hidden), ``h0`` (batch, hidden or proj), ``c0``
    (batch, hidden; LSTM only), ``w_hh``, ``b_hh`` and ``w_hr`` (LSTM projection), the last
    three optional. Attributes: ``mode``, ``batch_sizes`` and ``reverse``.
    """

    grad_fn_name = "RnnLayerBackward0"

    @staticmethod
    def forward(ctx, gates_x, h0, c0, w_hh, b_hh, w_hr, *, mode, batch_sizes, reverse):
        steps = schedule(batch_sizes, reverse)
        ctx.mode, ctx.steps = mode, steps
        with np.errstate(over="ignore"):
            outputs, kept = _FORWARD[mode](gates_x, h0, c0, w_hh, b_hh, w_hr, steps, mode)
        ctx.save_for_backward(gates_x, h0, c0, w_hh, b_hh, w_hr, *kept)
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        saved = ctx.saved_tensors
        inputs, kept = saved[:6], saved[6:]
        if grad_mode.is_grad_enabled():
            return _replayed_backward(ctx, inputs, grads)
        arrays = [None if t is None else t._data for t in kept]
        weights = [None if t is None else t._data for t in inputs[3:]]
        grad_arrays = [g._data for g in grads]
        result = _BACKWARD[ctx.mode](grad_arrays, arrays, weights, ctx.steps, ctx.mode, ctx.needs_input_grad)
        return tuple(Tensor._make(g) if g is not None and need else None
                     for g, need in zip(result, ctx.needs_input_grad))


def recurrent_layer(gates_x, h0, c0, w_hh, b_hh, w_hr, mode, batch_sizes, reverse=False):
    """Run one direction of a recurrent layer over flat (packed-layout) input projections.

    Returns ``(output, h_n)`` or, for an LSTM, ``(output, h_n, c_n)``.

    >>> out, h = recurrent_layer(ember.zeros(6, 4), ember.zeros(2, 4), None, ember.zeros(4, 4), None, None,
    ...                          "RNN_TANH", (2, 2, 2))
    >>> out.shape, h.shape
    (ember.Size([6, 4]), ember.Size([2, 4]))
    """
    if mode not in MODES:
        raise ValueError(f"Unrecognized RNN mode: {mode}")
    return RecurrentLayer.apply(gates_x, h0, c0, w_hh, b_hh, w_hr, mode=mode,
                                batch_sizes=tuple(int(b) for b in batch_sizes), reverse=bool(reverse))


# ----------------------------------------------------------------------------- forward loops
def _rnn_forward(gates_x, h0, c0, w_hh, b_hh, w_hr, steps, mode):
    """Elman RNN. The activations are the output rows; each step's input state is kept for ``W_hh``'s gradient."""
    xp = array_module(gates_x)
    acts = gates_x + b_hh if b_hh is not None else gates_x.copy()
    h = h0.copy()
    h_prev = xp.empty((acts.shape[0], h.shape[1]), dtype=acts.dtype)
    w_t = w_hh.T
    for start, size in steps:
        rows = acts[start:start + size]
        state = h[:size]
        h_prev[start:start + size] = state
        rows += state @ w_t
        if mode == "RNN_TANH":
            xp.tanh(rows, out=rows)
        else:
            xp.maximum(rows, 0, out=rows)
        h[:size] = rows
    return (acts, h), (acts, h_prev)


def _lstm_forward(gates_x, h0, c0, w_hh, b_hh, w_hr, steps, mode):
    """LSTM: keeps the gate activations, the previous cell states, tanh of the new ones and (with a projection)
    the unprojected outputs."""
    xp = array_module(gates_x)
    hidden = c0.shape[1]
    acts = gates_x + b_hh if b_hh is not None else gates_x.copy()
    rows_total = acts.shape[0]
    h, c = h0.copy(), c0.copy()
    out = xp.empty((rows_total, h.shape[1]), dtype=acts.dtype)
    h_prev = xp.empty_like(out)
    c_prev = xp.empty((rows_total, hidden), dtype=acts.dtype)
    tanh_c = xp.empty_like(c_prev)
    unprojected = xp.empty_like(c_prev) if w_hr is not None else None
    w_t = w_hh.T
    for start, size in steps:
        stop = start + size
        gates = acts[start:stop]
        state = h[:size]
        h_prev[start:stop] = state
        gates += state @ w_t
        _sigmoid_(gates[:, :2 * hidden])
        xp.tanh(gates[:, 2 * hidden:3 * hidden], out=gates[:, 2 * hidden:3 * hidden])
        _sigmoid_(gates[:, 3 * hidden:])
        i, f, g, o = (gates[:, k * hidden:(k + 1) * hidden] for k in range(4))
        cell = c[:size]
        c_prev[start:stop] = cell
        cell *= f
        cell += i * g
        squashed = xp.tanh(cell, out=tanh_c[start:stop])
        if w_hr is None:
            xp.multiply(o, squashed, out=out[start:stop])
        else:
            xp.multiply(o, squashed, out=unprojected[start:stop])
            xp.matmul(unprojected[start:stop], w_hr.T, out=out[start:stop])
        h[:size] = out[start:stop]
    return (out, h, c), (acts, h_prev, c_prev, tanh_c, unprojected)


def _gru_forward(gates_x, h0, c0, w_hh, b_hh, w_hr, steps, mode):
    """GRU: keeps the gate activations ``r, z, n``, the hidden product of the ``n`` gate and the input states."""
    xp = array_module(gates_x)
    hidden = h0.shape[1]
    acts = gates_x.copy()
    rows_total = acts.shape[0]
    h = h0.copy()
    out = xp.empty((rows_total, hidden), dtype=acts.dtype)
    h_prev = xp.empty_like(out)
    hidden_n = xp.empty_like(out)
    w_t = w_hh.T
    for start, size in steps:
        stop = start + size
        gates = acts[start:stop]
        state = h[:size]
        h_prev[start:stop] = state
        product = state @ w_t
        if b_hh is not None:
            product += b_hh
        rz = gates[:, :2 * hidden]
        rz += product[:, :2 * hidden]
        _sigmoid_(rz)
        r, z, n = (gates[:, k * hidden:(k + 1) * hidden] for k in range(3))
        hidden_n[start:stop] = product[:, 2 * hidden:]
        n += r * product[:, 2 * hidden:]
        xp.tanh(n, out=n)
        new = out[start:stop]
        xp.subtract(state, n, out=new)
        new *= z
        new += n
        h[:size] = new
    return (out, h), (acts, h_prev, hidden_n)


_FORWARD = {"RNN_TANH": _rnn_forward, "RNN_RELU": _rnn_forward, "LSTM": _lstm_forward, "GRU": _gru_forward}


# ----------------------------------------------------------------------------- backward loops
# Each returns the gradients of (gates_x, h0, c0, w_hh, b_hh, w_hr). ``dh``/``dc`` hold the gradient
# of the whole state: rows not active in a step keep theirs (the h_n gradient of ended sequences).

def _weight_gradients(d_gates, h_prev, needs):
    """``W_hh``'s gradient (one product over all steps) and ``b_hh``'s (a sum), when wanted."""
    d_w_hh = d_gates.T @ h_prev if needs[3] else None
    d_b_hh = d_gates.sum(0) if needs[4] else None
    return d_w_hh, d_b_hh


def _rnn_backward(grads, kept, weights, steps, mode, needs):
    d_out, d_hn = grads
    acts, h_prev = kept
    w_hh = weights[0]
    xp = array_module(acts)
    dh = d_hn.copy()
    d_gates = xp.empty_like(acts)
    for start, size in reversed(steps):
        stop = start + size
        dh_rows = dh[:size]
        dh_rows += d_out[start:stop]
        a = acts[start:stop]
        d_pre = d_gates[start:stop]
        if mode == "RNN_TANH":
            xp.multiply(dh_rows, 1 - a * a, out=d_pre)
        else:
            xp.multiply(dh_rows, a > 0, out=d_pre)
        dh[:size] = d_pre @ w_hh
    return (d_gates, dh, None) + _weight_gradients(d_gates, h_prev, needs) + (None,)


def _lstm_backward(grads, kept, weights, steps, mode, needs):
    d_out, d_hn, d_cn = grads
    acts, h_prev, c_prev, tanh_c, unprojected = kept
    w_hh, _, w_hr = weights
    xp = array_module(acts)
    hidden = c_prev.shape[1]
    dh, dc = d_hn.copy(), d_cn.copy()
    d_gates = xp.empty_like(acts)
    d_h_rows = xp.empty_like(h_prev) if w_hr is not None else None
    for start, size in reversed(steps):
        stop = start + size
        dh_rows = dh[:size]
        dh_rows += d_out[start:stop]
        if w_hr is None:
            d_m = dh_rows
        else:
            d_h_rows[start:stop] = dh_rows
            d_m = dh_rows @ w_hr
        i, f, g, o = (acts[start:stop, k * hidden:(k + 1) * hidden] for k in range(4))
        squashed = tanh_c[start:stop]
        dc_rows = dc[:size]
        dc_rows += d_m * o * (1 - squashed * squashed)
        d_i, d_f, d_g, d_o = (d_gates[start:stop, k * hidden:(k + 1) * hidden] for k in range(4))
        xp.multiply(dc_rows, g * i * (1 - i), out=d_i)
        xp.multiply(dc_rows, c_prev[start:stop] * f * (1 - f), out=d_f)
        xp.multiply(dc_rows, i * (1 - g * g), out=d_g)
        xp.multiply(d_m, squashed * o * (1 - o), out=d_o)
        dc_rows *= f
        dh[:size] = d_gates[start:stop] @ w_hh
    d_w_hr = d_h_rows.T @ unprojected if w_hr is not None and needs[5] else None
    return (d_gates, dh, dc) + _weight_gradients(d_gates, h_prev, needs) + (d_w_hr,)


def _gru_backward(grads, kept, weights, steps, mode, needs):
    d_out, d_hn = grads
    acts, h_prev, hidden_n = kept
    w_hh = weights[0]
    xp = array_module(acts)
    hidden = h_prev.shape[1]
    dh = d_hn.copy()
    d_gates_x = xp.empty_like(acts)
    d_gates_h = xp.empty_like(acts)
    for start, size in reversed(steps):
        stop = start + size
        dh_rows = dh[:size]
        dh_rows += d_out[start:stop]
        r, z, n = (acts[start:stop, k * hidden:(k + 1) * hidden] for k in range(3))
        state = h_prev[start:stop]
        d_r, d_z, d_n = (d_gates_x[start:stop, k * hidden:(k + 1) * hidden] for k in range(3))
        xp.multiply(dh_rows, (1 - z) * (1 - n * n), out=d_n)
        xp.multiply(dh_rows, (state - n) * z * (1 - z), out=d_z)
        xp.multiply(d_n, hidden_n[start:stop] * r * (1 - r), out=d_r)
        d_h = d_gates_h[start:stop]
        d_h[:, :2 * hidden] = d_gates_x[start:stop, :2 * hidden]
        xp.multiply(d_n, r, out=d_h[:, 2 * hidden:])
        dh_rows *= z
        dh_rows += d_h @ w_hh
    return (d_gates_x, dh, None) + _weight_gradients(d_gates_h, h_prev, needs) + (None,)


_BACKWARD = {"RNN_TANH": _rnn_backward, "RNN_RELU": _rnn_backward, "LSTM": _lstm_backward, "GRU": _gru_backward}


# ----------------------------------------------------------------------------- double backward
def replay(gates_x, h0, c0, w_hh, b_hh, w_hr, mode, steps):
    """The layer's outputs computed step by step with the cell functions (differentiable Tensor ops)."""
    h, c = h0, c0
    pieces = {}
    for start, size in steps:
        gates = gates_x[start:start + size]
        if mode == "LSTM":
            h_new, c_new = lstm_cell_step(gates, h[:size], c[:size], w_hh, b_hh, w_hr)
            c = cat([c_new, c[size:]])
        elif mode == "GRU":
            h_new = gru_cell_step(gates, h[:size], w_hh, b_hh)
        else:
            h_new = rnn_cell_step(gates, h[:size], w_hh, b_hh, "tanh" if mode == "RNN_TANH" else "relu")
        h = cat([h_new, h[size:]])
        pieces[start] = h_new
    out = cat([pieces[start] for start in sorted(pieces)])
    return (out, h, c) if mode == "LSTM" else (out, h)


def _replayed_backward(ctx, inputs, grads):
    """Gradients that are themselves differentiable: replay the layer in Tensor ops and differentiate that."""
    from ..autograd import grad as autograd_grad
    needs = ctx.needs_input_grad
    # aliases keep each argument distinct even when the caller passed one tensor twice
    aliases = [None if t is None else t.view_as(t) for t in inputs]
    outputs = replay(*aliases, ctx.mode, ctx.steps)
    wanted = [i for i, need in enumerate(needs) if need]
    found = autograd_grad(outputs, [aliases[i] for i in wanted], grads, create_graph=True, allow_unused=True)
    result = [None] * len(inputs)
    for i, g in zip(wanted, found):
        result[i] = g
    return tuple(result)
