"""In-place writes inside the graph: an RNN unrolled into a preallocated buffer, edits through views, backprop."""

import numpy as np


def run(torch):
    rng = np.random.default_rng(10)
    steps, hidden = 6, 4
    inputs = torch.from_numpy(rng.standard_normal((steps, hidden)))
    W = torch.from_numpy(rng.standard_normal((hidden, hidden)) * 0.5).requires_grad_()
    U = torch.from_numpy(rng.standard_normal((hidden, hidden)) * 0.5).requires_grad_()

    # Fill a preallocated hidden-state matrix row by row with __setitem__, then backprop through it.
    states = torch.zeros(steps + 1, hidden, dtype=torch.float64)
    h = states[0].clone()
    for t in range(steps):
        h = torch.tanh(h @ W + inputs[t] @ U)
        states[t + 1] = h
    loss = states[1:].pow(2).sum()
    loss.backward()
    grads_rnn = (W.grad.clone(), U.grad.clone())

    # Edits through views of a non-leaf: scale a column, add to the diagonal, zero a block, clamp a row.
    A = torch.from_numpy(rng.standard_normal((5, 5))).requires_grad_()
    B = A * 1.0
    B[:, 1].mul_(3.0)
    B.diagonal().add_(torch.arange(5, dtype=torch.float64))
    B[3:, 3:] = 0
    B.narrow(0, 0, 1).clamp_(min=-0.5, max=0.5)
    B.t()[2] += 2 * A[0]          # column 2 gets twice the first row of A
    edits = B._version
    symmetric = B + B.T
    (symmetric.exp() * torch.linspace(0, 1, 25, dtype=torch.float64).view(5, 5)).sum().backward()

    # A leaf-free buffer filled through index_put_ and masked_scatter_, still differentiable w.r.t. the sources.
    source = torch.from_numpy(rng.standard_normal(6)).requires_grad_()
    canvas = torch.zeros(3, 4, dtype=torch.float64)
    canvas.index_put_((torch.tensor([0, 1, 2]), torch.tensor([3, 0, 1])), source[:3])
    canvas.masked_scatter_(canvas == 0, torch.cat([source[3:], source[3:]]).repeat(2))
    weight = torch.arange(12, dtype=torch.float64).view(3, 4)
    (canvas * weight).sum().backward()
    return {"states": states, "loss": loss, "grad_W": grads_rnn[0], "grad_U": grads_rnn[1], "B": B,
            "grad_A": A.grad, "edits_counted": edits, "canvas": canvas, "grad_source": source.grad,
            "states_grad_fn_is_none": states.grad_fn is None, "canvas_requires_grad": canvas.requires_grad}
