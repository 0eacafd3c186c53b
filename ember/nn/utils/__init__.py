"""torch.nn.utils: gradient clipping, parameter/vector conversion and module hook handles."""

from . import clip_grad, convert_parameters, hooks, rnn
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "clip_grad", "convert_parameters", "hooks", "rnn"]
__all__ += ["parametrize", "parametrizations", "spectral_norm", "remove_spectral_norm", "weight_norm",
            "remove_weight_norm"]


def _import_parametrizations():
    """Load parametrize, parametrizations and the old norm hooks: ember.nn calls this once its layers exist
    (they define Modules, and Module itself imports this package, so they cannot load with it)."""
    global parametrize, parametrizations, spectral_norm, remove_spectral_norm, weight_norm, remove_weight_norm
    from . import parametrizations, parametrize
    from .spectral_norm import remove_spectral_norm, spectral_norm
    from .weight_norm import remove_weight_norm, weight_norm
