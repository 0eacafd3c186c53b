"""Helpers the model builders share: channel rounding, feature extraction, torchvision's legacy arguments."""

import functools
import inspect
import warnings
from collections import OrderedDict
from collections.abc import Sequence

import ember
from ember import nn

from ._api import WeightsEnum, _load_weights, _num_classes_from, _resolve_weights, _typing_hint, register_model

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


def _check_inverted_residual_setting(setting, config_type, type_name):
    """torchvision's checks of MobileNetV3's and EfficientNet's ``inverted_residual_setting``: a non-empty
    sequence of ``config_type`` rows (``type_name`` is what the TypeError calls them)."""
    if not setting:
        raise ValueError("The inverted_residual_setting should not be empty")
    if not (isinstance(setting, Sequence) and all(isinstance(row, config_type) for row in setting)):
        raise TypeError(f"The inverted_residual_setting should be List[{type_name}]")


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

def _build_model(make_model, weights, weights_enum, progress, kwargs, fix_keys=None, when_loading=None):
    """What every builder does with ``weights=``: resolve it, build ``make_model(**kwargs)``, load it.

    ``weights`` may be a member of ``weights_enum`` (or its name), a checkpoint path or URL, or a state_dict.
    Enum weights fix ``num_classes`` to their number of categories (refusing another value), as in torchvision.
    ``when_loading`` holds constructor arguments forced when weights will be loaded (VGG then skips its random
    init); ``fix_keys`` renames a checkpoint's legacy keys before the ``strict=True`` load.

    >>> from ember.vision.models import ResNet, ResNet18_Weights, resnet
    >>> make = functools.partial(ResNet, resnet.BasicBlock, [1, 1, 1, 1])
    >>> _build_model(make, None, ResNet18_Weights, True, {"num_classes": 3}).fc.out_features
    3
    """
    resolved = _resolve_weights(weights, weights_enum)
    _num_classes_from(resolved, kwargs)
    if resolved is not None and when_loading:
        kwargs.update(when_loading)
    model = make_model(**kwargs)
    if resolved is not None:
        _load_weights(model, resolved, progress, fix_keys)
    return model


def _weights_enum(name, module, checkpoints, default="IMAGENET1K_V1"):
    """A WeightsEnum subclass ``name`` of ``module``: a member per entry of ``checkpoints`` (member name ->
    Weights), and DEFAULT standing for the member named ``default``.

    >>> from ember.vision.models import ResNet18_Weights
    >>> Demo = _weights_enum("Demo_Weights", __name__, {"V1": ResNet18_Weights.IMAGENET1K_V1.value}, default="V1")
    >>> Demo.DEFAULT, Demo.verify("V1")
    (Demo_Weights.V1, Demo_Weights.V1)
    """
    members = list(checkpoints.items())
    members.append(("DEFAULT", checkpoints[default]))
    return WeightsEnum(name, members, module=module, qualname=name)


def _model_builder(name, weights_enum, make_model, returns, doc, module, **loading):
    """The public builder ``name(*, weights=None, progress=True, **kwargs)`` of ``make_model(**kwargs)``.

    It is a plain function of ``module`` with its own name, docstring and annotations (``get_model_weights``
    reads ``weights_enum`` from them), registered for ``get_model``; legacy ``pretrained=True`` stands for
    ``weights_enum.IMAGENET1K_V1``. ``loading`` goes to :func:`_build_model` (``fix_keys``, ``when_loading``).
    """

    def builder(*, weights=None, progress=True, **kwargs):
        return _build_model(make_model, weights, weights_enum, progress, kwargs, **loading)

    builder.__name__ = name
    builder.__qualname__ = name
    builder.__module__ = module
    builder.__doc__ = doc
    builder.__annotations__ = {"weights": _typing_hint(weights_enum), "progress": bool, "return": returns}
    legacy = handle_legacy_interface(weights=("pretrained", weights_enum.IMAGENET1K_V1))
    return register_model()(legacy(builder))


def _define_variant(namespace, name, enum_name, title, checkpoints, make_model, returns, default="IMAGENET1K_V1",
                    **loading):
    """Define one model of a family in its module: the weights enum ``enum_name`` and the builder ``name``.

    ``namespace`` is the module's ``globals()``: both are bound there and added to its ``__all__``.
    ``checkpoints`` maps member names to Weights; ``title`` starts the builder's docstring.
    """
    module = namespace["__name__"]
    weights_enum = _weights_enum(enum_name, module, checkpoints, default)
    weights_enum.__doc__ = f"The pretrained weights of :func:`{name}`."
    doc = (f"{title}; ``weights`` takes {enum_name} (or its name), a checkpoint path or URL.\n\n"
           f">>> {enum_name}.DEFAULT.meta[\"num_params\"]\n{weights_enum.DEFAULT.meta['num_params']}\n")
    namespace[enum_name] = weights_enum
    namespace[name] = _model_builder(name, weights_enum, make_model, returns, doc, module, **loading)
    namespace["__all__"] += [enum_name, name]


class _PooledClassifier(nn.Module):
    """The forward MobileNetV3 and EfficientNet share: ``features``, ``avgpool``, flatten, ``classifier``."""

    def _forward_impl(self, x):
        x = ember.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)

    def forward(self, x):
        return self._forward_impl(x)


def _normal_linear_init(linear):
    """The MobileNets' classifier init: weights drawn from N(0, 0.01^2)."""
    nn.init.normal_(linear.weight, 0, 0.01)


def _init_mobile_weights(model, init_linear):
    """The initialisation MobileNetV2/V3 and EfficientNet share: He-normal (fan-out) convolutions, unit norms,
    zero biases; ``init_linear(module)`` fills each Linear's weight, where the families differ."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            init_linear(m)
            nn.init.zeros_(m.bias)


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
