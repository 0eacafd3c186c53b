"""What plain ``ember`` prints: a short tour of tensors and autograd."""


def demo():
    """A few lines showing a tensor computation, its gradients and PyTorch's type promotion."""
    import ember

    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = ember.tensor([0.5, -1.0], requires_grad=True)
    y = (x * w).sum(1).exp()
    loss = (y - 1).pow(2).sum()
    loss.backward()
    lines = [
        f"ember {ember.__version__}: PyTorch's API on NumPy",
        f"x = {x}",
        f"w = {w}",
        f"loss = ((exp((x * w).sum(1)) - 1) ** 2).sum() = {loss}",
        f"d loss / d x = {x.grad}",
        f"d loss / d w = {w.grad}",
        f"promotion: int tensor * 2.5 -> {(ember.tensor([1, 2]) * 2.5).dtype}",
        "train a CNN on handwritten digits: ember train",
    ]
    return "\n".join(lines)
