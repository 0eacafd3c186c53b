"""Linear regression trained by hand-written gradient descent."""

import numpy as np


def run(torch):
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.standard_normal((200, 3)).astype(np.float32))
    true_w = torch.tensor([[2.0], [-3.4], [0.5]])
    y = X @ true_w + 4.2 + 0.01 * torch.from_numpy(rng.standard_normal((200, 1)).astype(np.float32))

    w = torch.zeros(3, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.1
    losses = []
    for _epoch in range(40):
        for start in range(0, len(X), 50):
            xb, yb = X[start:start + 50], y[start:start + 50]
            loss = ((xb @ w + b - yb) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        with torch.no_grad():
            losses.append(((X @ w + b - y) ** 2).mean().item())

    with torch.no_grad():
        residual = (X @ w + b - y).squeeze(1)
        r2 = 1 - residual.pow(2).sum() / (y - y.mean()).pow(2).sum()
    return {"losses": losses, "w": w.detach(), "b": b.detach(), "r2": r2,
            "w_error": torch.dist(w.detach(), true_w).item(), "requires_grad": w.requires_grad,
            "grad_after_zero": w.grad}
