"""The differentiable operations, one module per family.

Each module lists its public functions in ``__all__`` (they become ``ember.<name>``)
and the Tensor methods it defines in ``TENSOR_METHODS`` (name -> function taking the
tensor first); importing this package attaches those methods to Tensor.
"""

from .._tensor import Tensor
from . import (
    activation,
    combinatorics,
    complex,
    conv,
    conversion,
    ctc,
    distance,
    dropout,
    elementwise,
    embedding,
    indexing,
    linalg,
    linear,
    loss,
    normalization,
    padding,
    pooling,
    queries,
    reduction,
    sampling,
    shape,
    shuffle,
    spectral,
    statistics,
    windows,
)
from ._util import check_tensor

FAMILIES = (conversion, elementwise, reduction, shape, indexing, linalg, statistics, combinatorics, queries,
            activation, windows, complex, conv, pooling, normalization, loss, ctc, dropout, embedding, distance, linear,
            padding, shuffle, sampling, spectral)


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


# PyTorch also exposes these in-place Tensor methods as torch.* functions (``torch.exp_(x)``).
TORCH_INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_",
    "trunc_", "xlogy_", "zero_", "gcd_", "lcm_", "ldexp_",
)


def expose_inplace_functions(namespace):
    """Add ``TORCH_INPLACE_FUNCTIONS`` (the Tensor methods, called with the tensor first) to ``namespace``."""
    for name in TORCH_INPLACE_FUNCTIONS:
        namespace[name] = tensor_function(name, getattr(Tensor, name))


def tensor_function(name, method):
    """``torch.<name>(input, ...)`` for a Tensor method: PyTorch's TypeError when ``input`` is not a Tensor."""
    def function(input, *args, **kwargs):
        check_tensor(input, "input", name)
        return method(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function
