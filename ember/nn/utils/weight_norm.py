"""``torch.nn.utils.weight_norm``: the old, hook-based weight normalisation (deprecated in PyTorch).

``weight_norm(module)`` replaces the parameter ``weight`` by a magnitude ``weight_g`` and a
direction ``weight_v`` (state_dict keys as PyTorch's) and recomputes ``weight = g * v / ||v||``
in a forward pre-hook. New code uses ``ember.nn.utils.parametrizations.weight_norm``.
"""

import warnings

from ...ops._util import wrap_dim
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v, pow=2, dim=0):
    """``torch.norm_except_dim``: the ``pow``-norm over every dimension but ``dim`` (kept as size 1); all at -1."""
    if dim == -1:
        return v.norm(pow)
    dim = wrap_dim(dim, v.dim())
    others = [d for d in range(v.dim()) if d != dim]
    if not others:
        return v.abs()      # the norm of one element
    return v.norm(pow, dim=others, keepdim=True)


def _weight_norm(v, g, dim=0):
    """``torch._weight_norm``: ``v`` rescaled to norm ``g`` along every slice of ``dim`` (the whole at -1)."""
    return v * (g / _norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook ``weight_norm`` installs: it sets ``module.<name>`` from ``<name>_g`` and ``<name>_v``.

    >>> m = ember.nn.Linear(3, 2)
    >>> import warnings; warnings.simplefilter("ignore", FutureWarning)
    >>> hook = WeightNorm.apply(m, "weight", 0)
    >>> hook.name, sorted(m.state_dict())
    ('weight', ['bias', 'weight_g', 'weight_v'])
    """

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        """``g * v / ||v||`` from the module's ``<name>_g`` and ``<name>_v``."""
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        """Split ``module.<name>`` into ``<name>_g`` and ``<name>_v`` and register the hook (returned)."""
        warnings.warn("`ember.nn.utils.weight_norm` is deprecated in favor of "
                      "`ember.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        """Put back ``module.<name>`` as one Parameter holding the current normalised weight."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Reparametrise ``module.<name>`` as ``g * v / ||v||`` (norms over all dims but ``dim``; all of them for None).

    Deprecated in PyTorch (a FutureWarning) in favour of ``parametrizations.weight_norm``.

    >>> import warnings; warnings.simplefilter("ignore", FutureWarning)
    >>> m = weight_norm(ember.nn.Linear(3, 2))
    >>> m.weight_g.shape, m.weight_v.shape
    (ember.Size([2, 1]), ember.Size([2, 3]))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo ``weight_norm``: ``module.<name>`` is a plain Parameter again (with the normalised value).

    >>> import warnings; warnings.simplefilter("ignore", FutureWarning)
    >>> m = remove_weight_norm(weight_norm(ember.nn.Linear(3, 2)))
    >>> sorted(m.state_dict())
    ['bias', 'weight']
    """
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
