"""Custom autograd Functions (a swish with a hand-written backward, a straight-through quantizer) in training."""

import numpy as np


def make_functions(torch):
    class Swish(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, beta):
            sig = torch.sigmoid(beta * x)
            ctx.save_for_backward(x, sig)
            ctx.beta = beta
            return x * sig

        @staticmethod
        def backward(ctx, grad_output):
            x, sig = ctx.saved_tensors
            grad = sig + ctx.beta * x * sig * (1 - sig)
            return grad_output * grad, None

    class RoundSTE(torch.autograd.Function):
        """Round to a grid of ``step`` in forward; pass the gradient straight through inside the range."""

        @staticmethod
        def forward(ctx, w, step):
            ctx.save_for_backward(w)
            return torch.round(w / step) * step

        @staticmethod
        def backward(ctx, grad_output):
            (w,) = ctx.saved_tensors
            return grad_output * (w.abs() <= 1).to(grad_output.dtype), None

    return Swish.apply, RoundSTE.apply


def run(torch):
    swish, quantize = make_functions(torch)
    rng = np.random.default_rng(3)
    X = torch.from_numpy(rng.uniform(-2, 2, size=(128, 4)))
    y = torch.sin(X).sum(1, keepdim=True)

    W1 = torch.from_numpy(rng.standard_normal((4, 16)) * 0.5).requires_grad_(True)
    W2 = torch.from_numpy(rng.standard_normal((16, 1)) * 0.25).requires_grad_(True)
    losses = []
    for _step in range(40):
        h = swish(X @ quantize(W1, 0.05), 1.5)
        loss = torch.mean((h @ W2 - y) ** 2)
        grads = torch.autograd.grad(loss, [W1, W2])
        with torch.no_grad():
            for p, g in zip([W1, W2], grads):
                p -= 0.05 * g
        losses.append(loss.item())

    probe = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
    out = swish(probe, 1.5)
    out.sum().backward()
    ok = torch.autograd.gradcheck(lambda t: swish(t, 0.7), (probe.detach().clone().requires_grad_(),))
    return {"losses": losses, "W1": W1, "W2": W2, "quantized": quantize(W1, 0.05),
            "swish": out, "swish_grad": probe.grad, "gradcheck": ok, "grad_fn_name": type(out.grad_fn).__name__}
