"""ember: a deep learning framework with PyTorch's API, on NumPy.

``import ember as torch`` and PyTorch code runs: tensors, autograd, and (as the
project grows) nn, optim and utils.data. Only NumPy is imported here.
"""

__version__ = "0.1.0"

import math as _math

pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
newaxis = None

from . import _dtype
from ._dtype import (bool, uint8, int8, int16, int32, int64, float16, float32, float64,  # noqa: A004
                     half, float, double, short, int, long, dtype, get_default_dtype, set_default_dtype,
                     promote_types, result_type, can_cast, finfo, iinfo, is_floating_point)
from ._dtype import complex64, complex128, cfloat, cdouble, is_complex
from ._device import device
from ._tensor import Tensor, Size, is_tensor
from ._tensor_str import set_printoptions
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled)
from . import autograd
from .ops import *  # noqa: F401,F403  (the torch.* functions, one module per family)
from ._creation import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from ._settings import *  # noqa: F401,F403  (threads, determinism, default device, ...)
from . import _creation, random, linalg, return_types, cuda, special
from . import fft
from .ops import attach_tensor_methods as _attach
from .ops._util import broadcast_shapes

_attach(_creation, random, linalg, special)
globals().update(linalg.TORCH_FUNCTIONS)   # torch.det, torch.svd, ...: the older linalg names
globals().update(special.TORCH_FUNCTIONS)   # torch.i0, torch.igamma, torch.mvlgamma, ...

from .ops import expose_inplace_functions as _expose_inplace_functions
from .ops import tensor_function as _tensor_function

_expose_inplace_functions(globals())          # torch.exp_(x), torch.zero_(x), ...
detach = _tensor_function("detach", Tensor.detach)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled
from .autograd.anomaly_mode import _set_anomaly_enabled as set_anomaly_enabled


# Subpackages and functions loaded on first use, so ``import ember`` stays light.
_LAZY_SUBMODULES = ("nn", "optim", "utils", "serialization", "vision", "text", "audio", "hub")
_LAZY_FUNCTIONS = {"save": "serialization", "load": "serialization"}


def __getattr__(name):
    if name == "bfloat16":      # needs the optional ml_dtypes package, so it is made on first use
        return _dtype._load_bfloat16()
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_FUNCTIONS:
        import importlib
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module 'ember' has no attribute {name!r}")
