"""``python -m ember`` / ``ember``: a short tour of tensors and autograd."""

import sys


def demo():
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
    ]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print("usage: ember            run a short demo of tensors and autograd")
        return 0
    print(demo())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
