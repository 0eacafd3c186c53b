"""``repr(tensor)`` in PyTorch's format: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

import math

import numpy as np

from . import _dtype

PRINT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print, as ``torch.set_printoptions``."""
    if profile == "default":
        PRINT_OPTIONS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTIONS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTIONS.update(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                       ("linewidth", linewidth)):
        if value is not None:
            PRINT_OPTIONS[key] = value
    PRINT_OPTIONS["sci_mode"] = sci_mode


class _Formatter:
    """Chooses one format for all elements (integer-valued, fixed or scientific), as PyTorch does."""

    def __init__(self, values, is_float):
        self.is_float = is_float
        self.mode = "int"
        precision = PRINT_OPTIONS["precision"]
        if is_float:
            finite = values[np.isfinite(values)].astype(np.float64)
            nonzero = np.abs(finite[finite != 0])
            if nonzero.size == 0:
                self.mode = "intfloat"
            else:
                lo, hi = nonzero.min(), nonzero.max()
                integral = bool(np.all(finite == np.ceil(finite)))
                sci = hi / lo > 1000.0 or hi > 1e8 or (not integral and lo < 1e-4)
                if PRINT_OPTIONS["sci_mode"] is not None:
                    sci = PRINT_OPTIONS["sci_mode"]
                if sci:
                    self.mode, self.spec = "sci", f".{precision}e"
                elif integral:
                    self.mode = "intfloat"
                else:
                    self.mode, self.spec = "fixed", f".{precision}f"
        self.width = max((len(self._plain(v)) for v in values.ravel()), default=1)

    def _plain(self, value):
        if not self.is_float:
            return str(value.item() if hasattr(value, "item") else value)
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if self.mode == "intfloat":
            return f"{v:.0f}."
        return format(v, self.spec)

    def format(self, value):
        return self._plain(value).rjust(self.width)


def _summarized(array, edge):
    """The values that will be printed when the tensor is summarised (edges of each dim)."""
    if array.ndim == 0:
        return array.reshape(1)
    parts = []
    if array.shape[0] > 2 * edge:
        rows = list(array[:edge]) + list(array[-edge:])
    else:
        rows = list(array)
    for row in rows:
        parts.append(_summarized(np.asarray(row), edge).ravel())
    return np.concatenate(parts) if parts else array.ravel()


def _format_array(array, formatter, indent, summarize):
    edge = PRINT_OPTIONS["edgeitems"]
    if array.ndim == 0:
        return formatter.format(array)
    if array.ndim == 1:
        items = [formatter.format(v) for v in array]
        if summarize and array.shape[0] > 2 * edge:
            items = items[:edge] + ["..."] + items[-edge:]
        per_line = max(1, (PRINT_OPTIONS["linewidth"] - indent) // (formatter.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = [_format_array(array[i], formatter, indent + 1, summarize) for i in range(array.shape[0])]
    if summarize and array.shape[0] > 2 * edge:
        rows = rows[:edge] + ["..."] + rows[-edge:]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(rows) + "]"


def tensor_repr(tensor, prefix="tensor("):
    array = tensor._data
    if not isinstance(array, np.ndarray):
        array = array.get()
    d = tensor.dtype
    if d.name in ("bfloat16", "float16"):
        array = array.astype(np.float32)
    indent = len(prefix)
    suffixes = []
    if array.size == 0:
        body = "[]"
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
    else:
        summarize = array.size > PRINT_OPTIONS["threshold"]
        shown = _summarized(array, PRINT_OPTIONS["edgeitems"]) if summarize else array
        formatter = _Formatter(np.asarray(shown), d.is_floating_point)
        body = _format_array(array, formatter, indent, summarize)
    if tensor.device.type != "cpu":
        suffixes.append(f"device='{tensor.device}'")
    if d not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool) or (
            array.size == 0 and d is not _dtype.get_default_dtype()):
        suffixes.append(f"dtype={d!r}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + ", ".join([body] + suffixes) + ")"
