"""``torch.nn.utils.parametrizations``: spectral and weight normalisation as parametrizations.

Both register a small module with ``parametrize.register_parametrization``, so the weight is
recomputed from ``module.parametrizations.weight.original`` (spectral norm, with its power
iteration vectors as buffers ``parametrizations.weight.0._u``/``_v``) or from ``original0``
(the magnitude g) and ``original1`` (the direction v) for weight norm: PyTorch's state_dict keys.
"""

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops._util import wrap_dim
from ..functional import normalize
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _default_dim, _weight_matrix
from .weight_norm import _norm_except_dim, _weight_norm

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """The weight-norm parametrization: ``weight = g * v / ||v||`` from ``(g, v)``; its inverse splits a weight."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrise ``module.<name>`` as ``g * v / ||v||``: magnitude ``original0`` and direction ``original1``.

    Norms are taken over every dimension but ``dim`` (over all of them when ``dim`` is None).
    Checkpoints of the old ``nn.utils.weight_norm`` (``weight_g``/``weight_v``) load too.

    >>> m = weight_norm(ember.nn.Linear(3, 2))
    >>> [name for name, _ in m.named_parameters()]
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_keys(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(load_old_keys)
    return module


class _SpectralNorm(Module):
    """The spectral-norm parametrization: the weight divided by ``u^T W v``, u and v from the power method."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = wrap_dim(dim, ndim)
        self.eps = eps
        if ndim > 1:        # a vector's spectral norm is its length: nothing to estimate
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            self.register_buffer("_u", normalize(weight_mat.new_empty(h).normal_(0, 1), dim=0, eps=eps))
            self.register_buffer("_v", normalize(weight_mat.new_empty(w).normal_(0, 1), dim=0, eps=eps))
            self._power_method(weight_mat, 15)      # start from good estimates

    def _reshape_weight_to_matrix(self, weight):
        return _weight_matrix(weight, self.dim)

    def _power_method(self, weight_mat, n_power_iterations):
        """Refine the buffers ``_u`` and ``_v`` in place (so module copies that share them see the update)."""
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = normalize(weight_mat.mv(self._v), dim=0, eps=self.eps, out=self._u)
                self._v = normalize(weight_mat.mH.mv(self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()     # later in-place updates must not touch what backward saved
        sigma = u.vdot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm, estimated by power iteration (one step per training call).

    ``dim`` (default 0, or 1 for transposed convolutions) is the output dimension. The vectors
    u and v are buffers, refined only in training mode; in eval mode they stay fixed.

    >>> m = spectral_norm(ember.nn.Linear(20, 40))
    >>> sorted(m.state_dict())
    ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    parametrization = _SpectralNorm(weight, n_power_iterations, _default_dim(module, dim), eps)
    parametrize.register_parametrization(module, name, parametrization)
    return module
