"""The differentiable operations, one module per family.

Each module lists its public functions in ``__all__`` (they become ``ember.<name>``)
and the Tensor methods it defines in ``TENSOR_METHODS`` (name -> function taking the
tensor first); importing this package attaches those methods to Tensor.
"""

from .._tensor import Tensor
from . import (activation, combinatorics, conversion, elementwise, indexing, linalg, queries, reduction, shape,
               statistics)

FAMILIES = (conversion, elementwise, reduction, shape, indexing, linalg, statistics, combinatorics, queries,
            activation)


def attach_tensor_methods(*modules):
    """Make each module's ``TENSOR_METHODS`` methods of Tensor."""
    for module in modules:
        for name, method in module.TENSOR_METHODS.items():
            setattr(Tensor, name, method)


__all__ = []
for _family in FAMILIES:
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
attach_tensor_methods(*FAMILIES)
del _family
