"""The differentiable operations, one module per family.

Each module lists its public functions in ``__all__`` (they become ``ember.<name>``)
and the Tensor methods it defines in ``TENSOR_METHODS`` (name -> function taking the
tensor first); importing this package attaches those methods to Tensor.
"""

from .._tensor import Tensor
from . import conversion, elementwise, indexing, linalg, reduction, shape

FAMILIES = (conversion, elementwise, reduction, shape, indexing, linalg)

__all__ = []
for _family in FAMILIES:
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
    for _name, _method in _family.TENSOR_METHODS.items():
        setattr(Tensor, _name, _method)
del _family, _name, _method
