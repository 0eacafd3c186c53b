"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

They hold modules or parameters under string keys ("0", "1", ... for the list kinds), so
their state_dict keys and reprs are PyTorch's.
"""

import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import chain, islice

from ..._tensor import Tensor
from ..parameter import Parameter
from .module import Module, _addindent, _typename

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Container"]


def _without_digit_names(keys):
    return [key for key in keys if not key.isdigit()]


def _checked_index(idx, size):
    """``idx`` as a non-negative int, with PyTorch's IndexError when it is outside ``[-size, size)``."""
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range")
    return idx % size


def _check_pair(container, j, pair):
    """PyTorch's errors for an ``update`` sequence element that is not a (key, value) pair."""
    if not isinstance(pair, Iterable):
        raise TypeError(f"{container} update sequence element #{j} should be Iterable; is{type(pair).__name__}")
    if len(pair) != 2:
        raise ValueError(f"{container} update sequence element #{j} has length {len(pair)}; 2 is required")


class Container(Module):
    """Deprecated base class (use Module): adds each keyword argument as a child module."""

    def __init__(self, **kwargs):
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class Sequential(Module):
    """Modules applied one after another; built from modules or an OrderedDict of named modules.

    >>> net = ember.nn.Sequential(ember.nn.Identity(), ember.nn.Identity())
    >>> len(net), net(ember.ones(2))
    (2, tensor([1., 1.]))
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def _key_at(self, idx):
        return next(islice(self._modules.keys(), _checked_index(idx, len(self)), None))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key_at(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._key_at(idx), module)

    def __delitem__(self, idx):
        keys = list(self._modules.keys())[idx] if isinstance(idx, slice) else [self._key_at(idx)]
        for key in keys:
            delattr(self, key)
        self._renumber()

    def _renumber(self):
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(self._modules.values()))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __dir__(self):
        return _without_digit_names(super().__dir__())

    def _require_sequential(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")

    def __add__(self, other):
        self._require_sequential(other)
        combined = Sequential()
        for layer in chain(self, other):
            combined.append(layer)
        return combined

    def __iadd__(self, other):
        self._require_sequential(other)
        offset = len(self)
        for i, module in enumerate(other):
            self.add_module(str(i + offset), module)
        return self

    def _check_factor(self, other):
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")

    def __mul__(self, other):
        self._check_factor(other)
        combined = Sequential()
        for i, module in enumerate(list(self) * other):
            combined.add_module(str(i), module)
        return combined

    def __rmul__(self, other):
        return self.__mul__(other)

    def __imul__(self, other):
        self._check_factor(other)
        original = list(self)
        for i, module in enumerate(original * (other - 1), start=len(original)):
            self.add_module(str(i), module)
        return self

    def pop(self, key):
        """Remove and return the module at index ``key`` (an int or a slice).

        >>> ember.nn.Sequential(ember.nn.Identity()).pop(0)
        Identity()
        """
        value = self[key]
        del self[key]
        return value

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def append(self, module):
        """Add ``module`` at the end; returns self.

        >>> len(ember.nn.Sequential().append(ember.nn.Identity()))
        1
        """
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index`` (negative counts from the end); returns self.

        >>> ember.nn.Sequential(ember.nn.Identity()).insert(0, ember.nn.ReLU())[0]
        ReLU()
        """
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def extend(self, sequential):
        """Append every module of ``sequential`` (any iterable of modules); returns self.

        >>> len(ember.nn.Sequential().extend([ember.nn.Identity(), ember.nn.Identity()]))
        2
        """
        for layer in sequential:
            self.append(layer)
        return self


class ModuleList(Module):
    """A list of modules, registered as children "0", "1", ... (indexable, iterable, no forward).

    >>> layers = ember.nn.ModuleList([ember.nn.Identity() for _ in range(3)])
    >>> len(layers)
    3
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self += modules

    def _get_abs_string_index(self, idx):
        return str(_checked_index(idx, len(self)))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[self._get_abs_string_index(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._get_abs_string_index(idx), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, self._get_abs_string_index(idx))
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(self._modules.values()))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        combined = ModuleList()
        for i, module in enumerate(chain(self, other)):
            combined.add_module(str(i), module)
        return combined

    def __repr__(self):
        """Like Module's repr, but runs of identical children collapse to ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        runs = []           # [first index, last index, repr]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = []
        for first, last, text in runs:
            line = f"({first}): {text}" if first == last else f"({first}-{last}): {last - first + 1} x {text}"
            lines.append(_addindent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return _without_digit_names(super().__dir__())

    def insert(self, index, module):
        """Insert ``module`` before position ``index``.

        >>> layers = ember.nn.ModuleList([ember.nn.Identity()]); layers.insert(0, ember.nn.ReLU())
        >>> layers[0]
        ReLU()
        """
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def append(self, module):
        """Add ``module`` at the end; returns self.

        >>> len(ember.nn.ModuleList().append(ember.nn.Identity()))
        1
        """
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key):
        """Remove and return the module at index ``key``.

        >>> ember.nn.ModuleList([ember.nn.Identity()]).pop(0)
        Identity()
        """
        value = self[key]
        del self[key]
        return value

    def extend(self, modules):
        """Append the modules of an iterable; returns self.

        >>> len(ember.nn.ModuleList().extend([ember.nn.Identity()]))
        1
        """
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got " + type(modules).__name__)
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self


class ModuleDict(Module):
    """An ordered dict of modules, registered as children under their keys.

    >>> heads = ember.nn.ModuleDict({"a": ember.nn.Identity(), "b": ember.nn.ReLU()})
    >>> list(heads.keys())
    ['a', 'b']
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        """Remove every module.

        >>> d = ember.nn.ModuleDict({"a": ember.nn.Identity()}); d.clear(); len(d)
        0
        """
        self._modules.clear()

    def pop(self, key):
        """Remove and return the module under ``key``.

        >>> ember.nn.ModuleDict({"a": ember.nn.Identity()}).pop("a")
        Identity()
        """
        value = self[key]
        del self[key]
        return value

    def keys(self):
        """The keys, in insertion order.

        >>> list(ember.nn.ModuleDict({"a": ember.nn.Identity()}).keys())
        ['a']
        """
        return self._modules.keys()

    def items(self):
        """(key, module) pairs.

        >>> [k for k, _ in ember.nn.ModuleDict({"a": ember.nn.Identity()}).items()]
        ['a']
        """
        return self._modules.items()

    def values(self):
        """The modules.

        >>> list(ember.nn.ModuleDict({"a": ember.nn.Identity()}).values())
        [Identity()]
        """
        return self._modules.values()

    def update(self, modules):
        """Add modules from a mapping or an iterable of (key, module) pairs, in their order.

        >>> d = ember.nn.ModuleDict(); d.update([("a", ember.nn.Identity())]); list(d)
        ['a']
        """
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value pairs, but got "
                            + type(modules).__name__)
        if isinstance(modules, (OrderedDict, ModuleDict, Mapping)):
            for key, module in modules.items():
                self[key] = module
            return
        for j, pair in enumerate(modules):
            _check_pair("ModuleDict", j, pair)
            self[pair[0]] = pair[1]


def _parameter_line(key, value, type_text):
    """One line of ParameterList/ParameterDict's repr."""
    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    size = "x".join(str(s) for s in value.size())
    device = f" ({value.device})" if value.device.type == "cuda" else ""
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"  ({key}): {kind} containing: [{type_text(value)} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters (tensors put in are wrapped in Parameter), registered as "0", "1", ...

    >>> params = ember.nn.ParameterList([ember.zeros(2), ember.ones(3)])
    >>> [p.shape for p in params]
    [ember.Size([2]), ember.Size([3])]
    """

    def __init__(self, values=None):
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _get_abs_string_index(self, idx):
        return str(_checked_index(idx, len(self)))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            out = self.__class__()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._get_abs_string_index(idx))

    def __setitem__(self, idx, param):
        key = self._get_abs_string_index(idx)
        if isinstance(param, Tensor) and not isinstance(param, Parameter):
            param = Parameter(param)
        setattr(self, key, param)

    def __len__(self):
        return self._size

    def __iter__(self):
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, parameters):
        return self.extend(parameters)

    def __dir__(self):
        return _without_digit_names(super().__dir__())

    def append(self, value):
        """Add ``value`` (a tensor becomes a Parameter) at the end; returns self.

        >>> len(ember.nn.ParameterList().append(ember.zeros(1)))
        1
        """
        index = len(self)
        self._size += 1
        self[index] = value
        return self

    def extend(self, values):
        """Append every value of an iterable (not a single tensor); returns self.

        >>> len(ember.nn.ParameterList().extend([ember.zeros(1), ember.zeros(2)]))
        2
        """
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(_parameter_line(k, p, lambda t: str(t.dtype)) for k, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters (tensors put in are wrapped in Parameter) under string keys.

    >>> params = ember.nn.ParameterDict({"scale": ember.ones(2)})
    >>> type(params["scale"]).__name__
    'Parameter'
    """

    def __init__(self, parameters=None):
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key_to_attr(key):
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not a string (type is "
                            f"'{type(key).__name__}'). Open an issue on github if you need non-string keys.")
        return key

    def __getitem__(self, key):
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key, value):
        self._keys[key] = None
        attr = self._key_to_attr(key)
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, attr, value)

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(list(self._keys))

    def __contains__(self, key):
        return key in self._keys

    def copy(self):
        """A new ParameterDict holding the same parameters.

        >>> len(ember.nn.ParameterDict({"a": ember.ones(1)}).copy())
        1
        """
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key, default=None):
        """The value under ``key``, first setting it to ``default`` if absent.

        >>> ember.nn.ParameterDict().setdefault("a", ember.ones(1)).shape
        ember.Size([1])
        """
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        """Remove every entry.

        >>> d = ember.nn.ParameterDict({"a": ember.ones(1)}); d.clear(); len(d)
        0
        """
        for key in list(self._keys):
            del self[key]

    def pop(self, key):
        """Remove and return the value under ``key``.

        >>> ember.nn.ParameterDict({"a": ember.ones(1)}).pop("a").shape
        ember.Size([1])
        """
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        """Remove and return the last inserted (key, value) pair.

        >>> ember.nn.ParameterDict({"a": ember.ones(1)}).popitem()[0]
        'a'
        """
        key = next(reversed(self._keys))
        value = self[key]
        del self[key]
        return key, value

    def get(self, key, default=None):
        """The value under ``key``, or ``default``.

        >>> ember.nn.ParameterDict().get("missing") is None
        True
        """
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        """A new ParameterDict with each of ``keys`` set to ``default``.

        >>> list(ember.nn.ParameterDict().fromkeys(["a", "b"], ember.ones(1)))
        ['a', 'b']
        """
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        """The keys, in insertion order.

        >>> list(ember.nn.ParameterDict({"a": ember.ones(1)}).keys())
        ['a']
        """
        return self._keys.keys()

    def items(self):
        """(key, value) pairs.

        >>> [k for k, _ in ember.nn.ParameterDict({"a": ember.ones(1)}).items()]
        ['a']
        """
        return ((k, self[k]) for k in self._keys)

    def values(self):
        """The values.

        >>> len(list(ember.nn.ParameterDict({"a": ember.ones(1)}).values()))
        1
        """
        return (self[k] for k in self._keys)

    def update(self, parameters):
        """Add entries from an OrderedDict/ParameterDict (in order), a plain mapping (sorted by key, as PyTorch)
        or an iterable of (key, value) pairs.

        >>> d = ember.nn.ParameterDict(); d.update({"b": ember.ones(1), "a": ember.ones(1)}); list(d)
        ['a', 'b']
        """
        if not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, but got "
                            + type(parameters).__name__)
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = []
            for j, pair in enumerate(parameters):
                _check_pair("ParameterDict", j, pair)
                pairs.append(pair)
        for key, value in pairs:
            self[key] = value

    def extra_repr(self):
        return "\n".join(_parameter_line(k, p, _typename) for k, p in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other):
        combined = self.copy()
        combined.update(other)
        return combined

    def __ror__(self, other):
        combined = other.copy()
        combined.update(self)
        return combined

    def __ior__(self, other):
        self.update(other)
        return self
