"""Flatten parameters into one vector and back (for optimisers that work on a single vector)."""

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(param, device):
    """The device all parameters share so far; PyTorch's TypeError when ``param`` is elsewhere."""
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values, flattened and concatenated.

    >>> ember.nn.utils.parameters_to_vector([ember.ones(2, 2), ember.zeros(1)])
    tensor([1., 1., 1., 1., 0.])
    """
    import ember
    device = None
    pieces = []
    for param in parameters:
        device = _check_same_device(param, device)
        pieces.append(param.view(-1))
    return ember.cat(pieces)


def vector_to_parameters(vec, parameters):
    """Make the parameters' data consecutive slices of ``vec`` (the inverse of ``parameters_to_vector``).

    >>> p = ember.nn.Parameter(ember.zeros(2))
    >>> ember.nn.utils.vector_to_parameters(ember.tensor([1.0, 2.0]), [p]); p.data
    tensor([1., 2.])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__qualname__}")
    device = None
    start = 0
    for param in parameters:
        device = _check_same_device(param, device)
        count = param.numel()
        param.data = vec[start:start + count].view_as(param).data
        start += count
