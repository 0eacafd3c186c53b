"""The model registry and pretrained-weight descriptions, as in torchvision.models._api.

Each builder (``resnet18``, ``mobilenet_v2``, ...) is registered under its name and takes
``weights=None, progress=True, **kwargs``. ``weights`` may be a member of the builder's ``WeightsEnum`` (or its
name, e.g. ``"DEFAULT"`` or ``"ResNet18_Weights.IMAGENET1K_V1"``), a local checkpoint file, an ``http(s)://`` or
``file://`` URL (fetched through ``ember.hub`` with its hash check), or a state_dict mapping.
"""

import fnmatch
import functools
import importlib
import os
import sys
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from inspect import signature
from typing import Callable

from ._meta import _IMAGENET_CATEGORIES

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models"]

_URL_SCHEMES = ("http://", "https://", "file://")
_CHECKPOINT_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt", ".tar", ".safetensors")
_DOWNLOADS = "https://download.pytorch.org/models/"       # where torchvision's checkpoints live


@dataclass
class Weights:
    """Where a set of pretrained weights lives, how to preprocess images for it, and what it was trained on.

    ``transforms`` builds the preprocessing module when called (a constructor, not a module, so nothing is built
    until needed); ``meta`` holds ``categories``, ``num_params``, ``min_size``, ``recipe`` and metrics.

    >>> w = Weights(url="https://example.com/m-0123abcd.pth", transforms=None, meta={"num_params": 10})
    >>> w.meta["num_params"]
    10
    """

    url: str
    transforms: Callable
    meta: dict

    def __eq__(self, other):
        # Enum lookups (deepcopy, pickling) compare values; functools.partial has no equality of its own.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        mine, theirs = self.transforms, other.transforms
        if isinstance(mine, functools.partial) and isinstance(theirs, functools.partial):
            return (mine.func, mine.args, mine.keywords) == (theirs.func, theirs.args, theirs.keywords)
        return mine == theirs


class WeightsEnum(Enum):
    """Base of every model's weights enum (``ResNet18_Weights`` ...): each member's value is a :class:`Weights`.

    >>> from ember.vision.models import ResNet18_Weights
    >>> ResNet18_Weights.verify("DEFAULT")
    ResNet18_Weights.IMAGENET1K_V1
    """

    @classmethod
    def verify(cls, obj):
        """``obj`` as a member of this enum: a member is returned as is, a name (``"DEFAULT"``) is looked up."""
        if obj is None:
            return None
        if type(obj) is str:
            return cls[obj.replace(cls.__name__ + ".", "")]
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                            f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """Download (or read from the hub cache) and load this member's checkpoint."""
        return _load_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


# ----------------------------------------------------------------------------- preprocessing presets

def _image_classification_preset(**options):
    """Build ``ember.vision.transforms._presets.ImageClassification`` (imported only now, when first needed)."""
    from ember.vision import transforms
    from ember.vision.transforms import _presets

    interpolation = options.get("interpolation")
    if isinstance(interpolation, str):
        options["interpolation"] = transforms.InterpolationMode(interpolation)
    return _presets.ImageClassification(**options)


def _classification_transforms(crop_size, resize_size=256, interpolation="bilinear", **options):
    """A zero-argument constructor of the ImageNet evaluation preset (resize, center crop, normalise)."""
    return functools.partial(_image_classification_preset, crop_size=crop_size, resize_size=resize_size,
                             interpolation=interpolation, **options)


def _imagenet_weights(file, *, num_params, acc1, acc5, ops, file_size, recipe, docs, min_size=(1, 1),
                      crop_size=224, resize_size=256, interpolation="bilinear", **transform_options):
    """One of torchvision's ImageNet-1K classification checkpoints: its download URL, eval preset and meta.

    ``acc1``/``acc5`` are the top-1/top-5 accuracies, ``ops`` the GFLOPS, ``file_size`` the checkpoint's MB;
    ``transform_options`` (``mean``, ``std``) go to the preset.

    >>> w = _imagenet_weights("m-0123abcd.pth", num_params=10, acc1=70.0, acc5=90.0, ops=1.0, file_size=1.0,
    ...                       recipe="", docs="")
    >>> w.url, w.meta["_metrics"]["ImageNet-1K"]["acc@1"], len(w.meta["categories"])
    ('https://download.pytorch.org/models/m-0123abcd.pth', 70.0, 1000)
    """
    meta = {"categories": _IMAGENET_CATEGORIES, "min_size": min_size, "num_params": num_params, "recipe": recipe,
            "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, "_ops": ops, "_file_size": file_size,
            "_docs": docs}
    transforms = _classification_transforms(crop_size=crop_size, resize_size=resize_size,
                                            interpolation=interpolation, **transform_options)
    return Weights(url=_DOWNLOADS + file, transforms=transforms, meta=meta)


# ----------------------------------------------------------------------------- resolving weights=

def _is_url(text):
    return text.startswith(_URL_SCHEMES)


def _resolve_weights(weights, enum_cls):
    """What a builder's ``weights=`` names: None, a member of ``enum_cls``, or a checkpoint source.

    A checkpoint source is returned as ``("url", text)``, ``("path", path)`` or ``("state_dict", mapping)``.
    A string is a URL, else a member name (``"DEFAULT"``, ``"ResNet18_Weights.IMAGENET1K_V1"``), else a file; an
    unknown name raises KeyError as in torchvision, a missing file that looks like a path FileNotFoundError.
    """
    if weights is None or isinstance(weights, enum_cls):
        return weights
    if isinstance(weights, WeightsEnum):
        raise TypeError(f"Invalid Weight class provided; expected {enum_cls.__name__} but received "
                        f"{weights.__class__.__name__}.")
    if isinstance(weights, Mapping):
        return ("state_dict", weights)
    if isinstance(weights, os.PathLike):
        return ("path", _existing_file(os.fspath(weights)))
    if not isinstance(weights, str):
        raise TypeError(f"weights must be a {enum_cls.__name__} member, its name, a checkpoint path or URL, or a "
                        f"state_dict, but got {type(weights).__name__}")
    if _is_url(weights):
        return ("url", weights)
    if weights.replace(enum_cls.__name__ + ".", "") in enum_cls.__members__:
        return enum_cls.verify(weights)
    if os.path.isfile(weights):
        return ("path", weights)
    if os.sep in weights or "/" in weights or weights.endswith(_CHECKPOINT_SUFFIXES):
        return ("path", _existing_file(weights))
    return enum_cls.verify(weights)


def _existing_file(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights: no checkpoint file at '{path}'")
    return path


def _num_classes_from(weights, kwargs):
    """With enum weights, fix ``num_classes`` to the number of the weights' categories (as torchvision does)."""
    from ._utils import _ovewrite_named_param

    if isinstance(weights, WeightsEnum) and weights.meta.get("categories") is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))


def _load_url(url, progress=True, check_hash=True, **kwargs):
    """A state_dict from ``url`` via ``ember.hub.load_state_dict_from_url`` (cache directory, hash check)."""
    from ember import hub

    kwargs.setdefault("map_location", "cpu")
    kwargs.setdefault("weights_only", True)
    return hub.load_state_dict_from_url(url, progress=progress, check_hash=check_hash, **kwargs)


def _load_path(path):
    """A state_dict from a local ``.pth``/``.pt`` (PyTorch's formats) or ``.safetensors`` file."""
    import ember

    if str(path).endswith(".safetensors"):
        from ember import safetensors

        return safetensors.load_file(path)
    return ember.load(path, map_location="cpu", weights_only=True)


def _unwrap_checkpoint(state):
    """The model weights inside a training checkpoint such as ``{"model": state_dict, "optimizer": ...}``."""
    import ember

    if any(isinstance(value, ember.Tensor) for value in state.values()):
        return state
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(state.get(key), Mapping):
            return state[key]
    return state


def _fetch_state_dict(weights, progress):
    """The state_dict that a resolved ``weights`` (enum member or checkpoint source) stands for."""
    if isinstance(weights, WeightsEnum):
        return weights.get_state_dict(progress=progress, check_hash=True)
    kind, source = weights
    if kind == "url":
        state = _load_url(source, progress=progress, check_hash=True)
    elif kind == "path":
        state = _load_path(source)
    else:
        state = source
    return dict(_unwrap_checkpoint(state))


def _load_weights(model, weights, progress, fix_keys=None):
    """Load resolved ``weights`` into ``model`` with ``strict=True``, after the model's legacy key fix-ups."""
    state = _fetch_state_dict(weights, progress)
    if fix_keys is not None:
        state = fix_keys(state)
    model.load_state_dict(state, strict=True)
    return model


# ----------------------------------------------------------------------------- registry

BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator registering a model builder under ``name`` (default: the function's name)."""

    def wrapper(fn):
        key = fn.__name__ if name is None else name
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models, optionally from one ``module`` and filtered by shell patterns.

    >>> from ember.vision import models
    >>> models.list_models(include="resnet1*")
    ['resnet101', 'resnet152', 'resnet18']
    """
    names = {key for key, fn in BUILTIN_MODELS.items()
             if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        patterns = [include] if isinstance(include, str) else list(include)
        names = {key for pattern in patterns for key in fnmatch.filter(names, pattern)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else list(exclude)
        names -= {key for pattern in patterns for key in fnmatch.filter(names, pattern)}
    return sorted(names)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive).

    >>> from ember.vision import models
    >>> models.get_model_builder("ResNet18").__name__
    'resnet18'
    """
    try:
        return BUILTIN_MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """Build the model registered under ``name``, passing ``config`` to its builder.

    >>> from ember.vision import models
    >>> models.get_model("squeezenet1_1", num_classes=10).classifier[1].out_channels
    10
    """
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum of a model builder (given as the function or its registered name).

    >>> from ember.vision import models
    >>> models.get_model_weights("mobilenet_v2").DEFAULT
    MobileNet_V2_Weights.IMAGENET1K_V2
    """
    fn = get_model_builder(name) if isinstance(name, str) else name
    return _get_enum_from_fn(fn)


def _get_enum_from_fn(fn):
    """The WeightsEnum subclass named in the annotation of ``fn``'s ``weights`` parameter."""
    parameters = signature(fn).parameters
    if "weights" not in parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    annotation = parameters["weights"].annotation
    candidates = [annotation] + list(typing.get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, WeightsEnum):
            return candidate
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. Make sure the typing "
                     "info is correct.")


def get_weight(name):
    """The weights enum member with the full name ``name``, e.g. ``"ResNet50_Weights.IMAGENET1K_V1"``.

    >>> from ember.vision import models
    >>> models.get_weight("ResNet50_Weights.IMAGENET1K_V2").meta["num_params"]
    25557032
    """
    try:
        enum_name, member_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for module in _model_packages():
        candidate = module.__dict__.get(enum_name)
        if isinstance(candidate, type) and issubclass(candidate, WeightsEnum):
            return candidate[member_name]
    raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")


def _model_packages():
    """ember.vision.models and its already imported subpackages (segmentation, ...), where enums are exported."""
    base_name = __name__.rsplit(".", 1)[0]
    base = importlib.import_module(base_name)
    packages = [base]
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(base_name + ".") and getattr(module, "__file__", "").endswith("__init__.py"):
            packages.append(module)
    return packages


def _typing_hint(enum_cls):
    """The annotation builders give ``weights``: the enum, a name/path/URL string, a path, or None."""
    return typing.Optional[typing.Union[enum_cls, str, os.PathLike, Mapping]]
