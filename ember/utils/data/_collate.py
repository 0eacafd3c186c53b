"""Collation: turning a list of samples into one batch (``default_collate``), or converting one sample.

``collate(batch, collate_fn_map=...)`` walks the structure of the first sample (mappings,
namedtuples, sequences) and hands each leaf column to the function registered for its
type in ``collate_fn_map``; ``default_collate`` uses ``default_collate_fn_map``:
tensors are stacked, NumPy arrays and numbers become tensors, strings and bytes are kept.
"""

import collections.abc
import copy
import re

import numpy as np

from ... import _dtype
from ..._creation import as_tensor, tensor
from ..._device import array_module
from ..._tensor import Tensor
from ...ops.shape import stack

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

# NumPy dtype codes of byte strings, unicode strings and Python objects: arrays of these stay arrays.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


def _is_numpy_value(data):
    """True for NumPy arrays and NumPy scalars other than strings."""
    kind = type(data)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_", "bytes_")


def _holds_text(array):
    return np_str_obj_array_pattern.search(array.dtype.str) is not None


def _rebuild_mapping(sample, values):
    """A mapping like ``sample`` (same type where it can be made) holding ``values``."""
    try:
        if isinstance(sample, collections.abc.MutableMapping):
            clone = copy.copy(sample)
            clone.update(values)
            return clone
        return type(sample)(values)
    except TypeError:
        return values


def _rebuild_sequence(sample, values):
    """A sequence like ``sample`` (same type where it can be made) holding ``values``; tuples become lists."""
    if isinstance(sample, tuple):
        return list(values)
    try:
        if isinstance(sample, collections.abc.MutableSequence):
            clone = copy.copy(sample)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(sample)(values)
    except TypeError:
        return list(values)


def default_convert(data):
    """Convert the NumPy arrays and scalars inside one sample into tensors, keeping the sample's structure.

    The DataLoader uses it in place of ``default_collate`` when batching is off (``batch_size=None``).

    >>> default_convert({"x": np.arange(2), "label": 3})
    {'x': tensor([0, 1]), 'label': 3}
    """
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and _holds_text(data):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(value) for value in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples) with the per-type functions in ``collate_fn_map``.

    Each function is called as ``fn(column, collate_fn_map=collate_fn_map)``; a type missing
    from the map falls back to the first key it is an instance of.

    >>> collate([(1, "a"), (2, "b")], collate_fn_map=default_collate_fn_map)
    [tensor([1, 2]), ('a', 'b')]
    """
    sample = batch[0]
    if collate_fn_map is not None:
        function = _lookup(type(sample), sample, collate_fn_map)
        if function is not None:
            return function(batch, collate_fn_map=collate_fn_map)
    if isinstance(sample, collections.abc.Mapping):
        return _rebuild_mapping(sample, {key: collate([s[key] for s in batch], collate_fn_map=collate_fn_map)
                                         for key in sample})
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(collate(column, collate_fn_map=collate_fn_map) for column in zip(*batch)))
    if isinstance(sample, collections.abc.Sequence):
        size = len(sample)
        if any(len(other) != size for other in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(column, collate_fn_map=collate_fn_map) for column in zip(*batch)]
        return _rebuild_sequence(sample, columns)
    raise TypeError(default_collate_err_msg_format.format(type(sample)))


def _lookup(kind, sample, collate_fn_map):
    """The collate function registered for ``kind``, else for the first registered type ``sample`` belongs to."""
    if kind in collate_fn_map:
        return collate_fn_map[kind]
    for registered, function in collate_fn_map.items():
        if isinstance(sample, registered):
            return function
    return None


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Tensors of one shape stacked along a new first dimension.

    The usual batch (same dtype and shape, no gradient tracking) is stacked in one array
    call; anything else goes through ``ember.stack`` with its promotion, autograd and errors.
    """
    if _plain_and_alike(batch):
        xp = array_module(batch[0]._data)
        return Tensor._make(xp.stack([sample._data for sample in batch]))
    return stack(batch, 0)


def _plain_and_alike(tensors):
    first = tensors[0]._data
    return all(not t.requires_grad and t._data.dtype == first.dtype and t._data.shape == first.shape
               for t in tensors)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """NumPy arrays as stacked tensors (string and object arrays are refused)."""
    if _holds_text(batch[0]):
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([as_tensor(array) for array in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars as a 1-d tensor of their dtype."""
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats as a float64 tensor."""
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints as an int64 tensor (bools as a bool tensor)."""
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes are kept as they are, in the batch's own list (or tuple)."""
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors and arrays gain a leading batch dimension.

    Numbers become tensors (ints int64, floats float64, bools bool); strings and bytes are
    kept as the batch holds them (a list, or a tuple for a column of sequence samples);
    mappings and namedtuples keep their type with each field collated; other sequences are
    transposed into lists of collated columns.

    >>> default_collate([(ember.zeros(2), 1), (ember.ones(2), 0)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([1, 0])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
