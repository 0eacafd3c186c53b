"""The safetensors file format, with the API of ``safetensors.torch`` (without importing the package).

A safetensors file is an 8-byte little-endian header length, a JSON header (padded with spaces to a multiple of
8 bytes) mapping each tensor name to ``{"dtype", "shape", "data_offsets"}`` plus an optional ``__metadata__``
dict of strings, then the tensors' raw little-endian bytes, packed with no gaps. Unlike pickle checkpoints it
holds nothing executable, so loading untrusted files is safe; the header is validated before any data is read.

>>> import ember.safetensors as st
>>> st.load(st.save({"w": ember.ones(2)}))
{'w': tensor([1., 1.])}
"""

import json
import os
import struct
import sys

import numpy as np

from . import _dtype
from ._tensor import Tensor

__all__ = ["save", "save_file", "load", "load_file", "safe_open", "SafetensorError"]

_MAX_HEADER_SIZE = 100_000_000      # the package's limit, so a corrupt length can't make us read gigabytes
_METADATA_KEY = "__metadata__"

# dtype codes, in the order the package lays tensors out (largest first, then by name)
_CODES = {"int64": "I64", "float64": "F64", "float32": "F32", "int32": "I32", "bfloat16": "BF16",
          "float16": "F16", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}
_DTYPES = {code: name for name, code in _CODES.items()}
_LAYOUT_RANK = {name: rank for rank, name in enumerate(_CODES)}


class SafetensorError(RuntimeError):
    """A safetensors file (or header) that is malformed: raised instead of reading anything from it."""


def _header_error(detail):
    return SafetensorError(f"Error while deserializing header: {detail}")


# ============================================================================ writing

def _check_tensors(tensors):
    if not isinstance(tensors, dict):
        raise TypeError(f"argument 'tensors': expected a dict of str to Tensor, got {type(tensors).__name__}")
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"argument 'tensor_dict': '{type(name).__name__}' object is not an instance of 'str'")
        if not isinstance(tensor, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected ember.Tensor but received {type(tensor)}")
        if name == _METADATA_KEY:
            raise ValueError(f"Key `{name}` is reserved for the file's metadata")


def _check_metadata(metadata):
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(f"argument 'metadata': '{type(metadata).__name__}' object is not an instance of 'dict'")
    for key, value in metadata.items():
        for item in (key, value):
            if not isinstance(item, str):
                raise TypeError(f"argument 'metadata': '{type(item).__name__}' object is not an instance of 'str'")


def _byte_span(array):
    """``(low, high)`` byte addresses ``array`` touches (it may be strided)."""
    low = high = array.__array_interface__["data"][0]
    for n, step in zip(array.shape, array.strides):
        if step < 0:
            low += (n - 1) * step
        else:
            high += (n - 1) * step
    return low, high + array.itemsize


def _check_no_shared_memory(tensors):
    """Raise when two tensors overlap in memory, as ``safetensors.torch`` does (loading would un-share them)."""
    spans = sorted((_byte_span(t._data) + (name,)) for name, t in tensors.items() if t.numel())
    shared, group, group_end = [], [], None
    for low, high, name in spans:
        if group and low < group_end:
            group.append(name)
            group_end = max(group_end, high)
            continue
        if len(group) > 1:
            shared.append(set(group))
        group, group_end = [name], high
    if len(group) > 1:
        shared.append(set(group))
    if shared:
        raise RuntimeError(
            "Some tensors share memory, this will lead to duplicate memory on disk and potential differences when "
            f"loading them again: {shared}. Save one full tensor and slice it after loading, or .clone() the others.")


def _layout(tensors):
    """The tensors' names in file order and each one's header entry."""
    order = sorted(tensors, key=lambda name: (_LAYOUT_RANK[tensors[name].dtype.name], name))
    entries, offset = {}, 0
    for name in order:
        tensor = tensors[name]
        end = offset + tensor.numel() * tensor.element_size()
        entries[name] = {"dtype": _CODES[tensor.dtype.name], "shape": list(tensor.shape), "data_offsets": [offset, end]}
        offset = end
    return order, entries


def _header_bytes(entries, metadata):
    header = {}
    if metadata is not None:
        header[_METADATA_KEY] = metadata
    header.update(entries)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    padding = -(8 + len(text)) % 8
    text += b" " * padding
    return struct.pack("<Q", len(text)) + text


def _little_endian_bytes(array):
    """The tensor's bytes in C order and little-endian, copying only when needed."""
    array = np.ascontiguousarray(array)
    if sys.byteorder == "big" and array.itemsize > 1:
        array = array.byteswap()
    return memoryview(array.reshape(-1).view(np.uint8))


def _write(stream, tensors, metadata):
    _check_tensors(tensors)
    _check_metadata(metadata)
    _check_no_shared_memory(tensors)
    order, entries = _layout(tensors)
    stream.write(_header_bytes(entries, metadata))
    for name in order:
        stream.write(_little_endian_bytes(tensors[name]._data))


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors (non-contiguous tensors are written contiguous).

    >>> len(ember.safetensors.save({"w": ember.zeros(2)})) > 8
    True
    """
    import io
    buffer = io.BytesIO()
    _write(buffer, tensors, metadata)
    return buffer.getvalue()


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename`` in the safetensors format (atomically: temp file, then rename).

    >>> ember.safetensors.save_file({"w": ember.zeros(2)}, "/tmp/ember_doc.safetensors")
    """
    from .serialization import _atomic_write  # PyTorch's error for a missing parent directory
    _check_tensors(tensors)
    _check_metadata(metadata)
    _check_no_shared_memory(tensors)
    _atomic_write(filename, lambda stream: _write(stream, tensors, metadata))


# ============================================================================ reading

def _parse_header(prefix, total_size):
    """Validate the header in ``prefix`` (the file's first bytes) against a file of ``total_size`` bytes.

    Returns ``(data_start, entries, metadata)`` where entries maps names to ``(dtype, shape, begin, end)``.
    """
    if total_size < 8:
        raise _header_error(f"HeaderTooSmall: the file has {total_size} bytes, fewer than the 8-byte length")
    (length,) = struct.unpack("<Q", prefix[:8])
    if length > _MAX_HEADER_SIZE:
        raise _header_error(f"HeaderTooLarge: the header claims {length} bytes (the limit is {_MAX_HEADER_SIZE})")
    if 8 + length > total_size:
        raise _header_error(f"InvalidHeaderLength: the header claims {length} bytes but the file has "
                            f"{total_size - 8} after the length")
    text = prefix[8:8 + length]
    if not text.startswith(b"{"):
        raise _header_error("InvalidHeaderStart: the header does not start with '{'")
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _header_error(f"InvalidHeaderDeserialization: {exc}") from None
    if not isinstance(header, dict):
        raise _header_error("InvalidHeaderDeserialization: the header is not a JSON object")
    metadata = header.pop(_METADATA_KEY, None)
    if metadata is not None and not (isinstance(metadata, dict) and
                                     all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise _header_error("InvalidHeaderDeserialization: __metadata__ must map strings to strings")
    entries = {name: _parse_entry(name, info) for name, info in header.items()}
    _check_offsets(entries, total_size - 8 - length)
    return 8 + length, entries, metadata


def _parse_entry(name, info):
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise _header_error(f"InvalidHeaderDeserialization: entry {name!r} must have exactly dtype, shape and "
                            "data_offsets")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in _DTYPES:
        raise SafetensorError(f"tensor {name!r} has dtype {code!r}, which ember does not support (supported: "
                              f"{', '.join(_DTYPES)})")
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise _header_error(f"InvalidHeaderDeserialization: tensor {name!r} has a malformed shape {shape!r:.80}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(n) is int and n >= 0 for n in offsets)):
        raise _header_error(f"InvalidHeaderDeserialization: tensor {name!r} has malformed data_offsets "
                            f"{offsets!r:.80}")
    return _DTYPES[code], tuple(shape), offsets[0], offsets[1]


def _check_offsets(entries, data_size):
    """Tensors must tile the data buffer exactly: in bounds, no gaps, no overlaps, sizes matching dtype*shape."""
    position = 0
    for name, (dtype_name, shape, begin, end) in sorted(entries.items(), key=lambda item: item[1][2:]):
        if begin != position or end < begin:
            raise _header_error(f"InvalidOffset: tensor {name!r} has data_offsets [{begin}, {end}] but the previous "
                                f"tensor ends at {position} (gaps and overlaps are not allowed)")
        itemsize = 2 if dtype_name == "bfloat16" else np.dtype(dtype_name).itemsize
        numel = 1
        for n in shape:
            numel *= n
        if end - begin != numel * itemsize:
            raise _header_error(f"TensorInvalidInfo: tensor {name!r} of shape {list(shape)} and dtype "
                                f"{_CODES[dtype_name]} needs {numel * itemsize} bytes, its offsets span {end - begin}")
        position = end
    if position != data_size:
        raise _header_error(f"MetadataIncompleteBuffer: the tensors cover {position} bytes of data but the file "
                            f"holds {data_size}")


def _check_device(device):
    text = str(device)
    if text.startswith("cuda") or (isinstance(device, int) and not isinstance(device, bool)):
        raise RuntimeError("Torch not compiled with CUDA enabled: ember has no CUDA backend in this build "
                           f"(asked for device {device!r})")
    if text != "cpu":
        raise ValueError(f"device must be 'cpu', got {device!r}")


def _tensor_from(buffer, dtype_name, shape):
    """A tensor owning a copy of ``buffer``'s bytes, read as little-endian ``dtype_name``."""
    np_dtype = _dtype._dtype_by_name(dtype_name).np_dtype
    array = np.frombuffer(buffer, dtype=np_dtype).copy() if len(buffer) else np.empty(0, np_dtype)
    if sys.byteorder == "big" and array.itemsize > 1:
        array = array.byteswap()
    return Tensor._make(array.reshape(shape))


class safe_open:      # lower case, as the package names it
    """Open a safetensors file to read tensors one at a time: ``keys()``, ``get_tensor``, ``get_slice``, ``metadata``.

    >>> ember.safetensors.save_file({"w": ember.ones(2)}, "/tmp/ember_doc.safetensors")
    >>> with ember.safetensors.safe_open("/tmp/ember_doc.safetensors", framework="pt") as f:
    ...     f.get_tensor("w")
    tensor([1., 1.])
    """

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "pytorch", "torch", "ember", "np", "numpy"):
            raise ValueError(f"framework {framework!r} is not supported; use 'pt'")
        _check_device(device)
        self._filename = os.fspath(filename)
        self._file = open(self._filename, "rb")
        try:
            total = os.fstat(self._file.fileno()).st_size
            prefix = self._file.read(8)
            length = struct.unpack("<Q", prefix)[0] if len(prefix) == 8 else 0
            if len(prefix) == 8 and length <= _MAX_HEADER_SIZE and 8 + length <= total:
                prefix += self._file.read(length)
            self._start, self._entries, self._metadata = _parse_header(prefix, total)
        except BaseException:
            self._file.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._file.close()

    def keys(self):
        """The tensor names, sorted (as the package returns them)."""
        return sorted(self._entries)

    def offset_keys(self):
        """The tensor names in the order their data lies in the file."""
        return sorted(self._entries, key=lambda name: self._entries[name][2])

    def metadata(self):
        """The ``__metadata__`` dict of strings, or None."""
        return None if self._metadata is None else dict(self._metadata)

    def _entry(self, name):
        if self._file.closed:
            raise SafetensorError("File is closed")
        try:
            return self._entries[name]
        except KeyError:
            raise SafetensorError(f"File does not contain tensor {name}") from None

    def get_tensor(self, name):
        """Read one tensor (a fresh copy in memory)."""
        dtype_name, shape, begin, end = self._entry(name)
        self._file.seek(self._start + begin)
        data = self._file.read(end - begin)
        if len(data) != end - begin:
            raise SafetensorError(f"tensor {name!r} is truncated in {self._filename}")
        return _tensor_from(data, dtype_name, shape)

    def get_slice(self, name):
        """A lazy handle on one tensor: index it (``f.get_slice('w')[:2]``) to read just that part."""
        return _Slice(self, name, self._entry(name))


class _Slice:
    """One tensor of an open file; indexing reads only the selected part through a memory map."""

    def __init__(self, owner, name, entry):
        self._owner, self._name = owner, name
        self._dtype_name, self._shape, self._begin, self._end = entry

    def get_shape(self):
        return list(self._shape)

    def get_dtype(self):
        return _CODES[self._dtype_name]

    def __getitem__(self, index):
        np_dtype = _dtype._dtype_by_name(self._dtype_name).np_dtype
        if self._end == self._begin:
            selected = np.empty(self._shape, np_dtype)[index]
        else:
            mapped = np.memmap(self._owner._filename, dtype=np_dtype, mode="r",
                               offset=self._owner._start + self._begin, shape=self._shape)
            selected = mapped[index]
        array = np.array(selected, copy=True)
        if sys.byteorder == "big" and array.itemsize > 1:
            array = array.byteswap()
        return Tensor._make(array)


def load(data):
    """The dict of tensors in safetensors bytes ``data``.

    >>> ember.safetensors.load(ember.safetensors.save({"n": ember.tensor([1, 2])}))
    {'n': tensor([1, 2])}
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"argument 'data': expected bytes, got {type(data).__name__}")
    data = bytes(data)
    start, entries, _ = _parse_header(data, len(data))
    return {name: _tensor_from(data[start + begin:start + end], dtype_name, shape)
            for name, (dtype_name, shape, begin, end) in sorted(entries.items(), key=lambda item: item[1][2])}


def load_file(filename, device="cpu"):
    """Read every tensor of a safetensors file into a dict (each tensor its own memory).

    >>> ember.safetensors.save_file({"w": ember.ones(2)}, "/tmp/ember_doc.safetensors")
    >>> ember.safetensors.load_file("/tmp/ember_doc.safetensors")
    {'w': tensor([1., 1.])}
    """
    with safe_open(filename, framework="pt", device=device) as f:
        return {name: f.get_tensor(name) for name in f.offset_keys()}
