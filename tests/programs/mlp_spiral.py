"""A two-layer MLP with hand-made parameters, trained with momentum SGD on a spiral dataset."""

import math

import numpy as np


def spiral(rng, points_per_class=60, classes=3):
    xs, ys = [], []
    for c in range(classes):
        radius = np.linspace(0.05, 1.0, points_per_class)
        angle = np.linspace(c * 4.0, (c + 1) * 4.0, points_per_class) + 0.2 * rng.standard_normal(points_per_class)
        xs.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        ys.append(np.full(points_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def run(torch):
    rng = np.random.default_rng(2)
    points, labels = spiral(rng)
    X, y = torch.from_numpy(points), torch.from_numpy(labels).long()

    hidden = 64
    W1 = torch.tensor(rng.standard_normal((2, hidden)) / math.sqrt(2), dtype=torch.float32).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    W2 = torch.tensor(rng.standard_normal((hidden, 3)) / math.sqrt(hidden), dtype=torch.float32).requires_grad_()
    b2 = torch.zeros(3, requires_grad=True)
    params = [W1, b1, W2, b2]
    velocity = [torch.zeros_like(p) for p in params]

    losses = []
    for _step in range(50):
        h = (X @ W1 + b1).clamp(min=0)
        logits = h @ W2 + b2
        log_probs = logits - logits.logsumexp(1, keepdim=True)
        loss = -log_probs[torch.arange(len(y)), y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(0.9).add_(p.grad)
                p.add_(v, alpha=-0.2)
        losses.append(loss.item())

    with torch.no_grad():
        hidden_act = torch.relu(X @ W1 + b1)
        predictions = (hidden_act @ W2 + b2).argmax(-1)
        dead_units = (hidden_act.sum(0) == 0).sum()
    return {"losses": losses, "accuracy": (predictions == y).float().mean(), "predictions": predictions,
            "dead_units": dead_units.item(), "W1": W1, "W2": W2, "b1": b1, "b2": b2, "grad_W1": W1.grad}
