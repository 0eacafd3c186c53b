"""Helpers the model builders share: channel rounding, feature extraction, torchvision's legacy arguments."""

import functools
import inspect
import warnings
from collections import OrderedDict

from ember import nn

from ._api import WeightsEnum, _load_weights, _num_classes_from, _resolve_weights

__all__ = ["IntermediateLayerGetter"]


class IntermediateLayerGetter(nn.ModuleDict):
    """Runs a model's direct children in order and returns the outputs of those named in ``return_layers``.

    ``return_layers`` maps child names to output names; children after the last requested one are dropped.
    Children must be registered in the order the model's forward uses them, each used once.

    >>> from ember.vision.models import resnet18
    >>> getter = IntermediateLayerGetter(resnet18(), {"layer1": "feat1", "layer3": "feat2"})
    >>> [(k, tuple(v.shape)) for k, v in getter(ember.zeros(1, 3, 64, 64)).items()]
    [('feat1', (1, 64, 16, 16)), ('feat2', (1, 256, 4, 4))]
    """

    _version = 2

    def __init__(self, model, return_layers):
        child_names = [name for name, _ in model.named_children()]
        if not set(return_layers).issubset(child_names):
            raise ValueError("return_layers are not present in model")
        wanted = {str(key) for key in return_layers}
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            wanted.discard(name)
            if not wanted:
                break
        super().__init__(layers)
        self.return_layers = return_layers

    def forward(self, x):
        out = OrderedDict()
        names = {str(key): value for key, value in self.return_layers.items()}
        for name, module in self.items():
            x = module(x)
            if name in names:
                out[names[name]] = x
        return out


def _make_divisible(v, divisor, min_value=None):
    """``v`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), never more than 10% lower.

    The channel rounding of the MobileNet/EfficientNet papers' TensorFlow code.

    >>> _make_divisible(32 * 0.75, 8), _make_divisible(10, 8)
    (24, 16)
    """
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def _ovewrite_named_param(kwargs, param, new_value):
    """Set ``kwargs[param]`` to ``new_value``, refusing a conflicting value the caller already gave."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _ovewrite_value_param(param, actual, expected):
    """``expected``, refusing an ``actual`` value (not None) that differs from it."""
    if actual is not None and actual != expected:
        raise ValueError(f"The parameter '{param}' expected value {expected} but got {actual} instead.")
    return expected


# ----------------------------------------------------------------------------- builders

def _prepare_weights(weights, enum_cls, kwargs):
    """Resolve a builder's ``weights=`` and, for enum weights, fix ``num_classes`` in ``kwargs``."""
    resolved = _resolve_weights(weights, enum_cls)
    _num_classes_from(resolved, kwargs)
    return resolved


def _finish_model(model, resolved, progress, fix_keys=None):
    """Load the resolved weights (if any) into the freshly built ``model`` and return it."""
    if resolved is not None:
        _load_weights(model, resolved, progress, fix_keys)
    return model


# ----------------------------------------------------------------------------- torchvision's legacy interface

def handle_legacy_interface(**weights):
    """Decorator accepting torchvision's pre-0.13 calls: ``pretrained=True`` and positional ``weights/progress``.

    ``weights`` maps the builder's weights parameter to ``(legacy_name, default)``, where ``default`` is the enum
    member ``pretrained=True`` stands for (or a function of the keyword arguments returning it). Both forms warn.
    """

    def decorate(builder):
        keyword_only = [name for name, parameter in inspect.signature(builder).parameters.items()
                        if parameter.kind == parameter.KEYWORD_ONLY]

        @functools.wraps(builder)
        def wrapper(*args, **kwargs):
            if args:
                positional = dict(zip(keyword_only, args))
                warnings.warn(f"Using {', '.join(positional)} as positional parameter(s) is deprecated since 0.13 "
                              f"and may be removed in the future. Please use keyword parameter(s) instead.",
                              stacklevel=2)
                kwargs.update(positional)
            for weights_param, (legacy_param, default) in weights.items():
                _translate_pretrained(builder, kwargs, weights_param, legacy_param, default)
            return builder(**kwargs)

        return wrapper

    return decorate


def _translate_pretrained(builder, kwargs, weights_param, legacy_param, default):
    """Replace ``pretrained=<bool>`` (or a bool passed as ``weights``) by the enum member it stands for."""
    given = kwargs.get(weights_param)
    positional_bool = isinstance(given, bool)
    if legacy_param not in kwargs and not positional_bool:
        return
    pretrained = kwargs.pop(legacy_param) if legacy_param in kwargs else kwargs.pop(weights_param)
    if pretrained:
        member = default({legacy_param: pretrained, **kwargs}) if callable(default) else default
        if not isinstance(member, WeightsEnum):
            raise ValueError(f"No weights available for model {builder.__name__}")
    else:
        member = None
    if not positional_bool:
        warnings.warn(f"The parameter '{legacy_param}' is deprecated since 0.13 and may be removed in the future, "
                      f"please use '{weights_param}' instead.", stacklevel=3)
    message = (f"Arguments other than a weight enum or `None` for '{weights_param}' are deprecated since 0.13 and "
               f"may be removed in the future. The current behavior is equivalent to passing "
               f"`{weights_param}={member}`.")
    if pretrained:
        message += (f" You can also use `{weights_param}={type(member).__name__}.DEFAULT` to get the most "
                    f"up-to-date weights.")
    warnings.warn(message, stacklevel=3)
    kwargs[weights_param] = member
