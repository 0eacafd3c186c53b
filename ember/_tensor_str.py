"""``repr(tensor)`` in PyTorch's exact format: ``tensor([1.0000, 2.5000], requires_grad=True)``.

One format is chosen for all the elements a tensor shows: integer-valued floats print as
``1.``, others with ``precision`` decimals, and scientific notation is used when the
magnitudes span more than 1000x, exceed 1e8 or fall below 1e-4. Columns are right
aligned to the widest element, rows wrap at ``linewidth``, and tensors with more than
``threshold`` elements show only ``edgeitems`` at each end of each dimension. Complex
tensors format their real and imaginary parts with one format each: ``1.5000+2.0000j``.
"""

import contextlib
import math

import numpy as np

from . import _dtype

__all__ = ["set_printoptions"]

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
PRINT_OPTIONS = dict(_DEFAULTS)
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print, as ``torch.set_printoptions``; ``sci_mode`` is reset to automatic unless given.

    >>> ember.set_printoptions(precision=2); ember.tensor([1.12345])
    tensor([1.12])
    >>> ember.set_printoptions(profile="default")
    """
    if profile is not None:
        PRINT_OPTIONS.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    PRINT_OPTIONS.update({key: value for key, value in given.items() if value is not None})
    PRINT_OPTIONS["sci_mode"] = sci_mode


def get_printoptions():
    """The current print options, as keyword arguments for ``set_printoptions``."""
    return dict(PRINT_OPTIONS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change print options for the duration of a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ----------------------------------------------------------------------------- choosing a format

class _Formatter:
    """One element format for a whole tensor, chosen from the values it will show."""

    def __init__(self, values, is_float):
        self.is_float = is_float
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.ravel()
        if not is_float:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        magnitude = np.abs(shown.astype(np.float64))
        smallest, largest = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        sci = PRINT_OPTIONS["sci_mode"]
        self.sci_mode = sci if sci is not None else bool(largest / smallest > 1000.0 or largest > 1.0e8
                                                         or smallest < 1.0e-4)
        extra = 1 if self.int_mode and not self.sci_mode else 0      # the '.' after integer values
        self.width = max(len(self._plain(v)) + extra for v in shown.tolist())

    def _plain(self, value):
        """``value`` (a finite Python float) in the chosen format, without padding or a trailing dot."""
        precision = PRINT_OPTIONS["precision"]
        if self.sci_mode:
            return f"{value:.{precision}e}"
        if self.int_mode:
            return f"{value:.0f}"
        return f"{value:.{precision}f}"

    def format(self, value):
        """One element, right-aligned to the common width."""
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRINT_OPTIONS['precision']}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{PRINT_OPTIONS['precision']}f}"
        return text.rjust(self.width)


class _ComplexFormatter:
    """Complex elements: the real parts right-aligned in their own format, then the imaginary parts' with a sign."""

    def __init__(self, values):
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)
        self.width = self.real.width + self.imag.width + 1     # the 'j'

    def format(self, value):
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag


def _summarized(array):
    """The elements a summarised print shows: ``edgeitems`` from each end of every dimension."""
    edge = PRINT_OPTIONS["edgeitems"]
    if array.ndim == 0:
        return array
    if array.ndim == 1:
        if array.shape[0] > 2 * edge:
            return np.concatenate([array[:edge], array[-edge:]])
        return array
    if not edge:
        return np.empty((0,) * array.ndim, dtype=array.dtype)
    rows = range(array.shape[0])
    if array.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(array.shape[0] - edge, array.shape[0]))
    return np.stack([_summarized(array[i]) for i in rows])


# ----------------------------------------------------------------------------- laying out

def _vector_str(array, indent, summarize, formatter):
    edge = PRINT_OPTIONS["edgeitems"]
    per_line = max(1, math.floor((PRINT_OPTIONS["linewidth"] - indent) / (formatter.width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        items = ([formatter.format(v) for v in array[:edge].tolist()] + [" ..."] +
                 [formatter.format(v) for v in array[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    edge = PRINT_OPTIONS["edgeitems"]
    count = array.shape[0]
    if summarize and count > 2 * edge:
        slices = ([_array_str(array[i], indent + 1, summarize, formatter) for i in range(edge)] + ["..."] +
                  [_array_str(array[i], indent + 1, summarize, formatter) for i in range(count - edge, count)])
    else:
        slices = [_array_str(array[i], indent + 1, summarize, formatter) for i in range(count)]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body(array, is_float, indent):
    summarize = array.size > PRINT_OPTIONS["threshold"]
    shown = _summarized(array) if summarize else array
    formatter = _ComplexFormatter(shown) if array.dtype.kind == "c" else _Formatter(shown, is_float)
    return _array_str(array, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items, starting a new line when one would pass ``linewidth``."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTIONS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def _host_array(tensor):
    """The tensor's values as a NumPy array that Python can format (small floats widened exactly)."""
    array = tensor._data
    if not isinstance(array, np.ndarray):
        array = array.get()
    if tensor.dtype.name in ("bfloat16", "float16"):
        array = array.astype(np.float32)
    return array


def tensor_repr(tensor):
    """``repr`` of a tensor: its values, then the suffixes PyTorch adds (size, dtype, grad)."""
    from ._tensor import Tensor
    plain = type(tensor) is Tensor or type(tensor).__name__ == "Parameter"
    prefix = "tensor(" if plain else f"{type(tensor).__name__}("
    indent = len(prefix)
    d = tensor.dtype
    default = _dtype.get_default_dtype()
    suffixes = []
    if tensor.device.type != "cpu":
        suffixes.append(f"device='{tensor.device}'")
    array = _host_array(tensor)
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if d is not default:
            suffixes.append(f"dtype={d}")
        body = "[]"
    else:
        if not PRINT_OPTIONS["edgeitems"]:
            suffixes.append(f"size={tuple(array.shape)}")
        if d not in (default, _dtype.get_default_complex_dtype(), _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={d}")
        body = _body(array, d.is_floating_point, indent)
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
