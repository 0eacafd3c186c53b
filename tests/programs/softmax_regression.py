"""Multinomial logistic regression with a hand-written cross-entropy (logsumexp and gather)."""

import numpy as np


def cross_entropy(logits, target):
    log_probs = logits - logits.logsumexp(dim=1, keepdim=True)
    return -log_probs.gather(1, target.unsqueeze(1)).mean()


def run(torch):
    rng = np.random.default_rng(1)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    labels = rng.integers(0, 3, size=300)
    points = centers[labels] + 0.8 * rng.standard_normal((300, 2))
    X = torch.tensor(points, dtype=torch.float32)
    y = torch.from_numpy(labels)

    W = torch.zeros(2, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    losses, accuracies = [], []
    for _step in range(60):
        logits = X.mm(W) + b
        loss = cross_entropy(logits, y) + 1e-3 * W.pow(2).sum()
        W.grad, b.grad = None, None
        loss.backward()
        with torch.no_grad():
            W.sub_(0.5 * W.grad)
            b.sub_(0.5 * b.grad)
        losses.append(loss.item())
        accuracies.append((logits.argmax(dim=1) == y).float().mean().item())

    with torch.no_grad():
        probs = torch.exp(X @ W + b - torch.logsumexp(X @ W + b, dim=1, keepdim=True))
        confusion = torch.zeros(3, 3, dtype=torch.long)
        confusion.index_put_((y, probs.argmax(1)), torch.ones(len(y), dtype=torch.long), accumulate=True)
    return {"losses": losses, "accuracies": accuracies, "W": W, "b": b, "probs": probs,
            "prob_sums": probs.sum(1), "confusion": confusion, "final_grad": W.grad}
