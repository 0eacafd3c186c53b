"""ember.save / ember.load: PyTorch's checkpoint format, so checkpoints move both ways between ember and torch.

A checkpoint is a zip archive (``<name>/data.pkl``, ``<name>/data/<key>``, ``<name>/version``, ...). The pickle
in ``data.pkl`` names torch's rebuild functions and storage types (``torch._utils._rebuild_tensor_v2``,
``torch.FloatStorage``) and refers to each storage by a persistent id; the storages' raw little-endian bytes are
the ``data/<key>`` records, 64-byte aligned so they can be memory-mapped. Tensors that share memory share one
storage. The older (pre-1.6) stream format is read and, with ``_use_new_zipfile_serialization=False``, written.

ember never imports torch: while pickling, small stand-ins write torch's global names, and while unpickling those
names map back to ember objects. ``weights_only=True`` (the default) unpickles with a small pickle interpreter
that builds only plain data, tensors and a list of harmless globals, so a checkpoint cannot run code.
"""

import collections
import io
import os
import pickle
import secrets
import struct
import sys
import zipfile

import numpy as np

from . import _dtype
from ._device import device as _device_type
from ._files import atomic_write
from ._tensor import Size, Tensor

__all__ = ["save", "load"]

DEFAULT_PROTOCOL = 2
LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
LEGACY_PROTOCOL_VERSION = 1001
_ALIGNMENT = 64             # storage records start on 64-byte boundaries, as torch writes them
_COPY_CHUNK = 1 << 24       # bytes read at a time when filling a storage

# torch's typed storage classes and the dtypes they hold
_STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
    "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
}
_STORAGE_NAMES = {dtype_name: storage for storage, dtype_name in _STORAGE_DTYPES.items()}
_DTYPE_NAMES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
                "complex64", "complex128")

_CUDA_UNAVAILABLE = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are running "
    "on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your storages to "
    "the CPU.")


def _ember_dtype(name):
    return _dtype._dtype_by_name(name)


# ============================================================================ saving

class _TorchName:
    """Stands in for a torch global (a function, class or dtype) while pickling; it pickles as that name.

    ember does not import torch, so these write ``GLOBAL 'torch._utils _rebuild_tensor_v2'`` and friends.
    """

    __slots__ = ("module", "name")
    _cache = {}

    def __new__(cls, module, name):
        key = (module, name)
        found = cls._cache.get(key)
        if found is None:
            found = object.__new__(cls)
            found.module, found.name = module, name
            cls._cache[key] = found
        return found

    def __call__(self, *args):      # pickle insists that reduce functions are callable
        raise TypeError(f"{self.module}.{self.name} is a stand-in used only while pickling")

    def __repr__(self):
        return f"<torch global {self.module}.{self.name}>"


_REBUILD_TENSOR = _TorchName("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_WITH_STATE = _TorchName("torch._utils", "_rebuild_parameter_with_state")


class _SavedStorage:
    """One storage being written: a C-contiguous root array and the dtype it is read as."""

    __slots__ = ("key", "dtype", "root", "numel", "legacy")

    def __init__(self, key, dtype, root, legacy):
        self.key, self.dtype, self.root, self.legacy = key, dtype, root, legacy
        self.numel = root.nbytes // dtype.itemsize

    def persistent_id(self):
        storage_type = _TorchName("torch", _STORAGE_NAMES[self.dtype.name])
        if self.legacy:
            return ("storage", storage_type, self.key, "cpu", self.numel, None)
        return ("storage", storage_type, self.key, "cpu", self.numel)

    def raw_bytes(self):
        """The storage's bytes without a copy."""
        return memoryview(self.root.reshape(-1).view(np.uint8))


def _root_array(array):
    """The array that owns ``array``'s memory (following views, including ``as_strided``'s wrapper)."""
    while True:
        base = array.base
        if isinstance(base, np.ndarray):
            array = base
        elif base is not None and isinstance(getattr(base, "base", None), np.ndarray):
            array = base.base
        else:
            return array


def _address(array):
    return array.__array_interface__["data"][0]


def _layout_in(root, array):
    """``(storage offset, strides)`` in elements of ``array`` inside ``root``'s memory, or None when it can't be."""
    item = array.itemsize
    if not root.flags.c_contiguous or root.nbytes % item or array.size == 0:
        return None
    start = _address(array) - _address(root)
    if start < 0 or start % item or any(s < 0 or s % item for s in array.strides):
        return None
    last_byte = start + sum((n - 1) * s for n, s in zip(array.shape, array.strides)) + item
    if last_byte > root.nbytes:
        return None
    return start // item, tuple(s // item for s in array.strides)


def _c_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class _StorageTable:
    """The storages of one checkpoint: tensors on the same memory get one storage, keyed '0', '1', ..."""

    def __init__(self, legacy):
        self.legacy = legacy
        self.storages = []
        self._by_root = {}

    def place(self, tensor):
        """``(storage, offset, strides)`` for ``tensor``, adding its storage on first sight."""
        array, dtype = tensor._data, tensor.dtype
        root = _root_array(array)
        layout = _layout_in(root, array)
        if layout is None:          # negative strides, odd layouts, empty tensors: a contiguous copy of its own
            root = np.array(array, order="C", copy=True)
            layout = (0, _c_strides(array.shape))
        storage = self._by_root.get(id(root))
        if storage is None:
            storage = _SavedStorage(str(len(self.storages)), dtype, root, self.legacy)
            self.storages.append(storage)
            self._by_root[id(root)] = storage
        elif storage.dtype is not dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        return storage, layout[0], layout[1]


class _TensorPayload:
    """A Parameter's data, pickled as a plain tensor inside ``_rebuild_parameter``'s arguments."""

    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor


def _parameter_class():
    from .nn.parameter import Parameter
    return Parameter


class _CheckpointPickler(pickle._Pickler):
    """A pickler that writes tensors, dtypes, Size and device the way ``torch.save`` does.

    The pure-Python pickler is used because its dispatch table can write torch's global names, which the C
    pickler would first try (and fail) to import. Only metadata is pickled; storage bytes go in records.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self._storages = storages

    def persistent_id(self, obj):
        if type(obj) is _SavedStorage:
            return obj.persistent_id()
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is _TensorPayload:
            return self._reduce_plain_tensor(obj.tensor)
        if isinstance(obj, Size):
            return _TorchName("torch", "Size"), (tuple(obj),)
        if isinstance(obj, _device_type):
            return _TorchName("torch", "device"), (str(obj),)
        return NotImplemented

    def _reduce_plain_tensor(self, tensor):
        storage, offset, strides = self._storages.place(tensor)
        return _REBUILD_TENSOR, (storage, offset, tuple(tensor.shape), strides, tensor.requires_grad,
                                 collections.OrderedDict())

    def _reduce_tensor(self, tensor):
        if not getattr(tensor, "_is_param", False):
            return self._reduce_plain_tensor(tensor)
        state = {k: v for k, v in getattr(tensor, "__dict__", {}).items() if not k.startswith("_")}
        args = (_TensorPayload(tensor), tensor.requires_grad, collections.OrderedDict())
        if state:
            return _REBUILD_PARAMETER_WITH_STATE, args + (state,)
        return _REBUILD_PARAMETER, args

    def _save_torch_name(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_TorchName("torch", obj.name))

    dispatch[_TorchName] = _save_torch_name
    dispatch[_dtype.dtype] = _save_dtype


def _pickle_checkpoint(obj, protocol, legacy):
    """The pickled ``obj`` and the storages it refers to."""
    if not isinstance(protocol, int) or not 2 <= protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"ember.save: pickle_protocol must be an int in [2, {pickle.HIGHEST_PROTOCOL}], got "
                         f"{protocol!r}")
    storages = _StorageTable(legacy)
    buffer = io.BytesIO()
    _CheckpointPickler(buffer, protocol, storages).dump(obj)
    return buffer.getvalue(), storages.storages


def _serialization_id():
    return str(secrets.randbelow(10 ** 40)).zfill(40).encode()


def _write_record(archive, stream, start, name, data):
    """Add one uncompressed record whose data starts on a 64-byte boundary (padding the local header's extra)."""
    data = memoryview(data)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = data.nbytes
    zip64 = data.nbytes * 1.05 > zipfile.ZIP64_LIMIT      # zipfile's own rule; it adds 20 bytes of header
    header = 30 + len(name.encode("utf-8")) + (20 if zip64 else 0) + 4
    padding = -(stream.tell() - start + header) % _ALIGNMENT
    info.extra = struct.pack("<HH", 0x4246, padding) + bytes(padding)    # an "FB" field, as torch writes
    with archive.open(info, "w", force_zip64=zip64) as record:
        if (stream.tell() - start) % _ALIGNMENT:
            raise RuntimeError(f"ember.save: internal error aligning record {name!r}")
        record.write(data)


def _write_zip(stream, archive_name, data_pkl, storages, byteorder_record=True):
    start = stream.tell()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        def write(name, data):
            _write_record(archive, stream, start, f"{archive_name}/{name}", data)
        write("data.pkl", data_pkl)
        write(".format_version", b"1")
        write(".storage_alignment", str(_ALIGNMENT).encode())
        if byteorder_record:
            write("byteorder", sys.byteorder.encode())
        for storage in storages:
            write(f"data/{storage.key}", storage.raw_bytes())
        write("version", b"3\n")
        write(".data/serialization_id", _serialization_id())


def _write_legacy(stream, data_pkl, storages, protocol):
    """The pre-1.6 stream: magic number, protocol version, system info, the object, its storage keys, the bytes."""
    system = {"protocol_version": LEGACY_PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
              "type_sizes": {"short": 2, "int": 4, "long": 4}}
    for header in (LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, system):
        pickle.dump(header, stream, protocol=protocol)
    stream.write(data_pkl)
    keys = sorted(storage.key for storage in storages)
    pickle.dump(keys, stream, protocol=protocol)
    by_key = {storage.key: storage for storage in storages}
    for key in keys:
        storage = by_key[key]
        stream.write(struct.pack("<q", storage.numel))
        stream.write(storage.raw_bytes())


def _atomic_write(path, write):
    """``atomic_write`` with PyTorch's error for a missing parent directory."""
    directory = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    atomic_write(path, write)


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _archive_name(f):
    if _is_path(f):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return name or "archive"
    return "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, containers, any picklable object) in PyTorch's checkpoint format.

    ``f`` is a path (written atomically) or a writable binary file object; ``torch.load`` reads the result.

    >>> import io; buffer = io.BytesIO()
    >>> ember.save({"w": ember.ones(2)}, buffer)
    >>> _ = buffer.seek(0); ember.load(buffer)
    {'w': tensor([1., 1.])}
    """
    if pickle_module is not pickle:
        raise TypeError("ember.save: only the standard pickle module is supported as pickle_module, got "
                        f"{getattr(pickle_module, '__name__', pickle_module)!r}")
    if not (_is_path(f) or hasattr(f, "write")):
        raise AttributeError(f"ember.save: f must be a path or a writable binary file object, got "
                             f"{type(f).__name__}")

    legacy = not _use_new_zipfile_serialization
    data_pkl, storages = _pickle_checkpoint(obj, pickle_protocol, legacy)     # pickling errors come before any file

    def write(stream):
        if legacy:
            _write_legacy(stream, data_pkl, storages, pickle_protocol)
        else:
            _write_zip(stream, _archive_name(f), data_pkl, storages, not _disable_byteorder_record)

    if _is_path(f):
        _atomic_write(f, write)
    elif _seekable(f):
        write(f)
    else:                   # a pipe or socket: zipfile needs to seek, so build the archive in memory first
        buffer = io.BytesIO()
        write(buffer)
        f.write(buffer.getvalue())


def _seekable(f):
    try:
        return bool(f.seekable()) and f.tell() >= 0
    except (AttributeError, OSError, ValueError):
        return False


# ============================================================================ loading: storages and tensors

class _StorageType:
    """What a torch storage class (``torch.FloatStorage``) unpickles as: the dtype it holds, if ember has it."""

    __slots__ = ("name", "dtype_name")
    _cache = {}

    def __new__(cls, name):
        found = cls._cache.get(name)
        if found is None:
            found = object.__new__(cls)
            found.name = name
            found.dtype_name = "uint8" if name in ("UntypedStorage", "TypedStorage") else _STORAGE_DTYPES.get(name)
            cls._cache[name] = found
        return found

    @property
    def dtype(self):
        if self.dtype_name is None:
            raise RuntimeError(f"ember.load: the checkpoint holds a torch.{self.name}, whose dtype ember does not "
                               f"support (ember has {', '.join(_DTYPE_NAMES)})")
        return _ember_dtype(self.dtype_name)

    def __repr__(self):
        return f"torch.{self.name}"


class _LoadedStorage:
    """A storage read from a checkpoint: a flat array and where it lives. ``map_location`` callables receive one."""

    __slots__ = ("array", "device")

    def __init__(self, array, device="cpu"):
        self.array = array
        self.device = _device_type(device)

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.array.dtype)

    def size(self):
        return int(self.array.size)

    __len__ = size

    def nbytes(self):
        return int(self.array.nbytes)

    def element_size(self):
        return self.array.itemsize

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else device)

    def to(self, device=None, non_blocking=False):
        target = _device_type(device if device is not None else "cpu")
        if target.type == "cuda":
            raise RuntimeError(_CUDA_UNAVAILABLE)
        return self

    def __repr__(self):
        return f"<checkpoint storage of {self.array.size} {self.dtype} on {self.device}>"


def _as_index(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise pickle.UnpicklingError(f"ember.load: a tensor's {what} must be an int, got {type(value).__name__}; "
                                     "the checkpoint is damaged")
    return int(value)


def _as_index_tuple(value, what):
    if not isinstance(value, (tuple, list)):
        raise pickle.UnpicklingError(f"ember.load: a tensor's {what} must be a tuple of ints, got "
                                     f"{type(value).__name__}; the checkpoint is damaged")
    return tuple(_as_index(v, what) for v in value)


def _strided_view(storage, offset, size, stride, dtype=None):
    """A tensor viewing ``storage``'s array, checked to lie inside it before the view is made."""
    if not isinstance(storage, _LoadedStorage):
        raise pickle.UnpicklingError(f"ember.load: expected a storage to rebuild a tensor from, got "
                                     f"{type(storage).__name__}; the checkpoint is damaged")
    offset = _as_index(offset, "storage offset")
    size, stride = _as_index_tuple(size, "size"), _as_index_tuple(stride, "stride")
    flat = storage.array
    if dtype is not None and dtype.np_dtype != flat.dtype:
        if flat.nbytes % dtype.itemsize:
            raise RuntimeError(f"ember.load: a storage of {flat.nbytes} bytes cannot hold {dtype} elements")
        flat = flat.view(dtype.np_dtype)
    if len(size) != len(stride):
        raise RuntimeError(f"ember.load: a tensor's size {list(size)} and stride {list(stride)} have different "
                           "lengths; the checkpoint is damaged")
    if offset < 0 or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"ember.load: a tensor has a negative size, stride or storage offset (size {list(size)}, "
                           f"stride {list(stride)}, offset {offset}); the checkpoint is damaged")
    if 0 in size:
        return Tensor._make(np.empty(size, dtype=flat.dtype))
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > flat.size:
        raise RuntimeError(f"ember.load: a tensor of size {list(size)}, stride {list(stride)} and storage offset "
                           f"{offset} needs {needed} elements, but its storage holds {flat.size}; the checkpoint "
                           "is damaged")
    item = flat.itemsize
    array = np.ndarray(size, dtype=flat.dtype, buffer=flat.view(np.uint8), offset=offset * item,
                       strides=tuple(s * item for s in stride))
    return Tensor._make(array)


def _set_requires_grad(tensor, requires_grad):
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise pickle.UnpicklingError(f"ember.load: requires_grad must be a bool, got {type(requires_grad).__name__}")
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _strided_view(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _set_requires_grad(_strided_view(storage, storage_offset, size, stride), requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    if not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError(f"ember.load: expected a dtype, got {type(dtype).__name__}")
    return _set_requires_grad(_strided_view(storage, storage_offset, size, stride, dtype), requires_grad)


def _apply_state(obj, state):
    """Set the attributes torch pickles with a tensor or Parameter (a dict, or a (dict, slots) pair)."""
    if state is None:
        return obj
    if isinstance(state, tuple) and len(state) == 2:
        for part in state:
            _apply_state(obj, part)
        return obj
    if not isinstance(state, dict):
        raise pickle.UnpicklingError(f"ember.load: expected a dict of attributes, got {type(state).__name__}")
    for name, value in state.items():
        if not isinstance(name, str) or name.startswith("__"):
            raise pickle.UnpicklingError(f"ember.load: refusing to set attribute {name!r} from a checkpoint")
        setattr(obj, name, value)
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(f"ember.load: a Parameter's data must be a tensor, got {type(data).__name__}")
    return _parameter_class()(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _apply_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in _REBUILD_FUNCTIONS:
        raise pickle.UnpicklingError(f"ember.load: unexpected rebuild function {func!r}")
    result = func(*args)
    if isinstance(new_type, _ParameterClass):
        new_type = _parameter_class()
    if new_type is not Tensor and new_type is not type(result):
        if new_type is _parameter_class() and isinstance(result, Tensor):
            result = new_type(result, result.requires_grad)
        else:
            raise pickle.UnpicklingError(f"ember.load: cannot rebuild a tensor of type {new_type!r}")
    return _apply_state(result, state)


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    if not isinstance(data, Tensor) or not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError("ember.load: malformed device tensor record")
    if _device_type(str(device)).type == "cuda":
        raise RuntimeError(_CUDA_UNAVAILABLE)
    return _set_requires_grad(data.to(dtype), requires_grad)


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    if not isinstance(data, np.ndarray):
        raise pickle.UnpicklingError("ember.load: malformed device tensor record")
    return _rebuild_device_tensor_from_cpu_tensor(Tensor._make(np.array(data)), dtype, device, requires_grad)


class _ParameterClass:
    """``torch.nn.parameter.Parameter`` as a name: resolved to ember's Parameter when used."""

    def __call__(self, data=None, requires_grad=True):
        return _parameter_class()(data, requires_grad)


_PARAMETER = _ParameterClass()
_REBUILD_FUNCTIONS = {_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
                      _rebuild_parameter_with_state}


def _bytes_from(*args):
    """``bytes(...)`` for pickles, refusing ``bytes(n)`` (which would allocate whatever the file claims)."""
    if args and isinstance(args[0], int):
        raise pickle.UnpicklingError("ember.load: refusing bytes(<int>) in a weights-only checkpoint")
    return bytes(*args)


def _bytearray_from(*args):
    if args and isinstance(args[0], int):
        raise pickle.UnpicklingError("ember.load: refusing bytearray(<int>) in a weights-only checkpoint")
    return bytearray(*args)


def _codecs_encode(text, encoding="utf-8"):
    """``_codecs.encode``, which protocol-2 pickles use for bytes, limited to text and latin-1."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("ember.load: _codecs.encode is allowed only as encode(str, 'latin1')")
    return text.encode("latin-1")


# torch (and builtins) globals a checkpoint may name, and the ember objects they load as
_TORCH_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "bytearray"): _bytearray_from,
    ("builtins", "bytes"): _bytes_from,
    ("_codecs", "encode"): _codecs_encode,
    ("torch", "Size"): Size,
    ("torch", "device"): _device_type,
    ("torch", "Tensor"): Tensor,
    ("torch.nn.parameter", "Parameter"): _PARAMETER,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
    ("torch._utils", "_rebuild_device_tensor_from_cpu_tensor"): _rebuild_device_tensor_from_cpu_tensor,
    ("torch._utils", "_rebuild_device_tensor_from_numpy"): _rebuild_device_tensor_from_numpy,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    ("torch.storage", "UntypedStorage"): _StorageType("UntypedStorage"),
    ("torch", "UntypedStorage"): _StorageType("UntypedStorage"),
}
_PYTHON2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


def _torch_global(module, name):
    """The ember object for a global a checkpoint names, or None when there is none."""
    module = _PYTHON2_MODULES.get(module, module)
    found = _TORCH_GLOBALS.get((module, name))
    if found is not None:
        return found
    if module == "torch" and name in _DTYPE_NAMES:
        return _ember_dtype(name)
    if module in ("torch", "torch.storage") and name.endswith("Storage"):
        return _StorageType(name)
    return None


# ============================================================================ loading: the weights-only unpickler

def _weights_only_error(detail):
    return pickle.UnpicklingError(
        "Weights only load failed. ember.load(weights_only=True) builds only tensors, plain Python data and a "
        f"short list of allowed globals.\n\n{detail}\n\nRe-running `ember.load` with `weights_only` set to `False` "
        "will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
        "trusted source.")


class _Opcodes:
    """Pickle opcodes by byte value (the names of the ``pickle`` module's constants)."""

    def __init__(self):
        for name in dir(pickle):
            value = getattr(pickle, name)
            if name.isupper() and isinstance(value, bytes) and len(value) == 1:
                setattr(self, name, value[0])

    def name_of(self, code):
        for name, value in vars(self).items():
            if value == code:
                return name
        return repr(bytes([code]))


_OP = _Opcodes()


def _opcode(*names):
    def register(method):
        method.opcodes = names
        return method
    return register


class _WeightsOnlyUnpickler:
    """A pickle interpreter that builds only plain data, tensors and the allowed globals (``_TORCH_GLOBALS``).

    Globals outside that list, opcodes that make arbitrary objects (INST, OBJ, NEWOBJ_EX, EXT*) and BUILD on
    anything but an OrderedDict are refused with ``pickle.UnpicklingError`` before anything runs.
    """

    _BUILDABLE = (collections.OrderedDict, collections.Counter)
    _NEWOBJ_TYPES = (collections.OrderedDict, collections.Counter, set, frozenset, Size, complex)

    def __init__(self, file, persistent_load=None, *, encoding="utf-8", errors="strict", **_ignored):
        self._file = file
        self._persistent_load = persistent_load
        self._encoding, self._errors = encoding, errors
        self._allowed = {id(obj) for obj in _TORCH_GLOBALS.values() if obj is not Tensor}   # Tensor(n) allocates

    # ---------------------------------------------------------------- reading
    def _read(self, n):
        if n > _COPY_CHUNK and n > self._remaining():
            raise pickle.UnpicklingError("pickle data was truncated")
        data = self._file.read(n)
        if len(data) != n:
            raise pickle.UnpicklingError("pickle data was truncated")
        return data

    def _remaining(self):
        here = self._file.tell()
        end = self._file.seek(0, io.SEEK_END)
        self._file.seek(here)
        return end - here

    def _readline(self):
        line = self._file.readline()
        if not line.endswith(b"\n"):
            raise pickle.UnpicklingError("pickle data was truncated")
        return line[:-1]

    def _unpack(self, fmt):
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    def _length(self, fmt):
        n = self._unpack(fmt)
        if n < 0:
            raise pickle.UnpicklingError("negative length in pickle data")
        return n

    # ---------------------------------------------------------------- the loop
    def load(self):
        self._stack, self._metastack, self._memo = [], [], {}
        while True:
            code = self._read(1)[0]
            if code == _OP.STOP:
                break
            handler = self._handlers.get(code)
            if handler is None:
                raise _weights_only_error(f"Unsupported operand {code} ({_OP.name_of(code)})")
            try:
                handler(self)
            except (IndexError, KeyError) as exc:
                raise pickle.UnpicklingError(f"malformed pickle data ({type(exc).__name__}: {exc})") from None
        if len(self._stack) != 1 or self._metastack:
            raise pickle.UnpicklingError("malformed pickle data: the stack does not hold exactly one object")
        return self._stack[0]

    def _push(self, value):
        self._stack.append(value)

    def _pop_mark(self):
        items = self._stack
        self._stack = self._metastack.pop()
        return items

    # ---------------------------------------------------------------- framing and stack
    @_opcode("PROTO")
    def _proto(self):
        version = self._read(1)[0]
        if version > pickle.HIGHEST_PROTOCOL:
            raise pickle.UnpicklingError(f"unsupported pickle protocol: {version}")

    @_opcode("FRAME")
    def _frame(self):
        self._read(8)

    @_opcode("MARK")
    def _mark(self):
        self._metastack.append(self._stack)
        self._stack = []

    @_opcode("POP")
    def _pop(self):
        if self._stack:
            self._stack.pop()
        else:
            self._pop_mark()

    @_opcode("POP_MARK")
    def _pop_mark_op(self):
        self._pop_mark()

    @_opcode("DUP")
    def _dup(self):
        self._push(self._stack[-1])

    # ---------------------------------------------------------------- scalars
    @_opcode("NONE")
    def _none(self):
        self._push(None)

    @_opcode("NEWTRUE")
    def _true(self):
        self._push(True)

    @_opcode("NEWFALSE")
    def _false(self):
        self._push(False)

    @_opcode("INT")
    def _int(self):
        line = self._readline()
        if line in (b"00", b"01"):         # protocol 0 writes booleans as INT 00 / INT 01
            self._push(line == b"01")
        else:
            self._push(self._parse_int(line))

    @_opcode("LONG")
    def _long(self):
        self._push(self._parse_int(self._readline().rstrip(b"L")))

    @staticmethod
    def _parse_int(text):
        try:
            return int(text)
        except ValueError:
            raise pickle.UnpicklingError(f"malformed integer in pickle data: {text[:40]!r}") from None

    @_opcode("BININT")
    def _binint(self):
        self._push(self._unpack("<i"))

    @_opcode("BININT1")
    def _binint1(self):
        self._push(self._read(1)[0])

    @_opcode("BININT2")
    def _binint2(self):
        self._push(self._unpack("<H"))

    @_opcode("LONG1")
    def _long1(self):
        self._push(int.from_bytes(self._read(self._read(1)[0]), "little", signed=True))

    @_opcode("LONG4")
    def _long4(self):
        self._push(int.from_bytes(self._read(self._length("<i")), "little", signed=True))

    @_opcode("FLOAT")
    def _float(self):
        try:
            self._push(float(self._readline()))
        except ValueError:
            raise pickle.UnpicklingError("malformed float in pickle data") from None

    @_opcode("BINFLOAT")
    def _binfloat(self):
        self._push(self._unpack(">d"))

    # ---------------------------------------------------------------- strings and bytes
    def _text(self, data):
        try:
            return str(data, "utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise pickle.UnpicklingError("malformed text in pickle data") from None

    @_opcode("BINUNICODE")
    def _binunicode(self):
        self._push(self._text(self._read(self._length("<I"))))

    @_opcode("SHORT_BINUNICODE")
    def _short_binunicode(self):
        self._push(self._text(self._read(self._read(1)[0])))

    @_opcode("BINUNICODE8")
    def _binunicode8(self):
        self._push(self._text(self._read(self._length("<Q"))))

    @_opcode("UNICODE")
    def _unicode(self):
        self._push(str(self._readline(), "raw-unicode-escape"))

    def _python2_string(self, data):
        if self._encoding == "bytes":
            return data
        return data.decode(self._encoding, self._errors)

    @_opcode("STRING")
    def _string(self):
        import codecs
        data = self._readline()
        if len(data) < 2 or data[0] != data[-1] or data[:1] not in (b"'", b'"'):
            raise pickle.UnpicklingError("the STRING opcode argument must be quoted")
        self._push(self._python2_string(codecs.escape_decode(data[1:-1])[0]))

    @_opcode("BINSTRING")
    def _binstring(self):
        self._push(self._python2_string(self._read(self._length("<i"))))

    @_opcode("SHORT_BINSTRING")
    def _short_binstring(self):
        self._push(self._python2_string(self._read(self._read(1)[0])))

    @_opcode("BINBYTES")
    def _binbytes(self):
        self._push(self._read(self._length("<I")))

    @_opcode("SHORT_BINBYTES")
    def _short_binbytes(self):
        self._push(self._read(self._read(1)[0]))

    @_opcode("BINBYTES8")
    def _binbytes8(self):
        self._push(self._read(self._length("<Q")))

    @_opcode("BYTEARRAY8")
    def _bytearray8(self):
        self._push(bytearray(self._read(self._length("<Q"))))

    # ---------------------------------------------------------------- containers
    @_opcode("EMPTY_TUPLE")
    def _empty_tuple(self):
        self._push(())

    @_opcode("TUPLE")
    def _tuple(self):
        self._push(tuple(self._pop_mark()))

    @_opcode("TUPLE1")
    def _tuple1(self):
        self._stack[-1] = (self._stack[-1],)

    @_opcode("TUPLE2")
    def _tuple2(self):
        self._stack[-2:] = [tuple(self._stack[-2:])]

    @_opcode("TUPLE3")
    def _tuple3(self):
        self._stack[-3:] = [tuple(self._stack[-3:])]

    @_opcode("EMPTY_LIST")
    def _empty_list(self):
        self._push([])

    @_opcode("LIST")
    def _list(self):
        self._push(self._pop_mark())

    def _target(self, kinds, what):
        target = self._stack[-1]
        if not isinstance(target, kinds):
            raise _weights_only_error(f"Can only {what} a {' or '.join(k.__name__ for k in kinds)}, got "
                                      f"{type(target).__name__}")
        return target

    @_opcode("APPEND")
    def _append(self):
        value = self._stack.pop()
        self._target((list,), "append to").append(value)

    @_opcode("APPENDS")
    def _appends(self):
        items = self._pop_mark()
        self._target((list,), "append to").extend(items)

    @_opcode("EMPTY_DICT")
    def _empty_dict(self):
        self._push({})

    @_opcode("DICT")
    def _dict(self):
        items = self._pop_mark()
        self._push(self._set_items({}, items))

    def _set_items(self, target, items):
        if len(items) % 2:
            raise pickle.UnpicklingError("malformed pickle data: odd number of dict items")
        try:
            for i in range(0, len(items), 2):
                target[items[i]] = items[i + 1]
        except TypeError as exc:
            raise pickle.UnpicklingError(f"malformed pickle data: {exc}") from None
        return target

    @_opcode("SETITEM")
    def _setitem(self):
        value, key = self._stack.pop(), self._stack.pop()
        self._set_items(self._target((dict,), "set items of"), [key, value])

    @_opcode("SETITEMS")
    def _setitems(self):
        items = self._pop_mark()
        self._set_items(self._target((dict,), "set items of"), items)

    @_opcode("EMPTY_SET")
    def _empty_set(self):
        self._push(set())

    @_opcode("ADDITEMS")
    def _additems(self):
        items = self._pop_mark()
        try:
            self._target((set,), "add items to").update(items)
        except TypeError as exc:
            raise pickle.UnpicklingError(f"malformed pickle data: {exc}") from None

    @_opcode("FROZENSET")
    def _frozenset(self):
        try:
            self._push(frozenset(self._pop_mark()))
        except TypeError as exc:
            raise pickle.UnpicklingError(f"malformed pickle data: {exc}") from None

    # ---------------------------------------------------------------- memo
    def _get(self, index):
        if index not in self._memo:
            raise pickle.UnpicklingError(f"Memo value not found at index {index}")
        self._push(self._memo[index])

    @_opcode("GET")
    def _get_text(self):
        self._get(self._parse_int(self._readline()))

    @_opcode("BINGET")
    def _binget(self):
        self._get(self._read(1)[0])

    @_opcode("LONG_BINGET")
    def _long_binget(self):
        self._get(self._unpack("<I"))

    @_opcode("PUT")
    def _put_text(self):
        self._memo[self._parse_int(self._readline())] = self._stack[-1]

    @_opcode("BINPUT")
    def _binput(self):
        self._memo[self._read(1)[0]] = self._stack[-1]

    @_opcode("LONG_BINPUT")
    def _long_binput(self):
        self._memo[self._unpack("<I")] = self._stack[-1]

    @_opcode("MEMOIZE")
    def _memoize(self):
        self._memo[len(self._memo)] = self._stack[-1]

    # ---------------------------------------------------------------- globals and calls
    def _find_class(self, module, name):
        found = _torch_global(module, name)
        if found is None:
            raise _weights_only_error(f"Unsupported global: GLOBAL {module}.{name} is not an allowed global; "
                                      "nothing from it was run.")
        if callable(found) and found is not Tensor:
            self._allowed.add(id(found))
        return found

    @_opcode("GLOBAL")
    def _global(self):
        module = self._text(self._readline())
        name = self._text(self._readline())
        self._push(self._find_class(module, name))

    @_opcode("STACK_GLOBAL")
    def _stack_global(self):
        name, module = self._stack.pop(), self._stack.pop()
        if not isinstance(name, str) or not isinstance(module, str):
            raise pickle.UnpicklingError("STACK_GLOBAL requires str module and name")
        self._push(self._find_class(module, name))

    @_opcode("REDUCE")
    def _reduce(self):
        args = self._stack.pop()
        func = self._stack[-1]
        if id(func) not in self._allowed or not callable(func):
            raise _weights_only_error(f"Trying to call {type(func).__name__} {func!r:.80}, which is not an allowed "
                                      "global")
        if not isinstance(args, tuple):
            raise pickle.UnpicklingError("REDUCE arguments must be a tuple")
        try:
            self._stack[-1] = func(*args)
        except TypeError as exc:
            raise pickle.UnpicklingError(f"malformed pickle data calling {func!r:.80}: {exc}") from None

    @_opcode("NEWOBJ")
    def _newobj(self):
        args, cls = self._stack.pop(), self._stack.pop()
        if cls not in self._NEWOBJ_TYPES or not isinstance(args, tuple):
            raise _weights_only_error(f"NEWOBJ is allowed only for {[t.__name__ for t in self._NEWOBJ_TYPES]}, "
                                      f"got {cls!r:.80}")
        self._push(cls.__new__(cls, *args))

    @_opcode("BUILD")
    def _build(self):
        state = self._stack.pop()
        target = self._stack[-1]
        if type(target) not in self._BUILDABLE:
            raise _weights_only_error(f"Can only build OrderedDict or Counter, got {type(target).__name__}")
        if not isinstance(state, dict):
            raise _weights_only_error(f"BUILD state must be a dict, got {type(state).__name__}")
        _apply_state(target, state)

    @_opcode("PERSID")
    def _persid(self):
        self._call_persistent_load(self._text(self._readline()))

    @_opcode("BINPERSID")
    def _binpersid(self):
        self._call_persistent_load(self._stack.pop())

    def _call_persistent_load(self, pid):
        if self._persistent_load is None:
            raise pickle.UnpicklingError("this pickle refers to storages, but none can be loaded here")
        self._push(self._persistent_load(pid))

    _handlers = {}


for _method in list(vars(_WeightsOnlyUnpickler).values()):
    for _name in getattr(_method, "opcodes", ()):
        _WeightsOnlyUnpickler._handlers[getattr(_OP, _name)] = _method
del _method, _name


def _full_unpickler_class(pickle_module):
    """An Unpickler (of ``pickle_module``) that maps torch's globals to ember's and loads storages."""

    class _FullUnpickler(pickle_module.Unpickler):
        def __init__(self, file, persistent_load, **kwargs):
            super().__init__(file, **kwargs)
            self._load_storage = persistent_load

        def find_class(self, module, name):
            if module == "torch" or module.startswith("torch."):
                found = _torch_global(module, name)
                if found is None:
                    raise pickle.UnpicklingError(f"ember.load: the checkpoint names torch's {module}.{name}, which "
                                                 "has no ember equivalent")
                return found
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return self._load_storage(pid)

    return _FullUnpickler


# ============================================================================ loading: archives

def _restore_location(storage, location, map_location):
    """Apply ``map_location`` (None, str, device, dict or callable) to a storage tagged ``location``."""
    if callable(map_location) and not isinstance(map_location, _device_type):
        result = map_location(storage, location)
        if result is not None:
            if not isinstance(result, _LoadedStorage):
                raise TypeError(f"map_location should return a storage or None, got {type(result).__name__}")
            return result
        target = location
    elif map_location is None:
        target = location
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif isinstance(map_location, (str, _device_type)) or hasattr(map_location, "type"):
        target = map_location
    else:
        raise TypeError(f"map_location should be a str, a device, a dict or a callable, got "
                        f"{type(map_location).__name__}")
    return _place_storage(storage, str(target))


def _place_storage(storage, location):
    try:
        target = _device_type(location)
    except (RuntimeError, TypeError):
        raise RuntimeError(f"don't know how to restore data location of {storage!r} (tagged with {location})") from None
    if target.type == "cuda":
        raise RuntimeError(_CUDA_UNAVAILABLE)
    return storage


def _check_storage_pid(pid, length):
    if not isinstance(pid, tuple) or len(pid) != length or pid[0] != "storage":
        raise pickle.UnpicklingError(f"ember.load: unexpected persistent id {pid!r:.200}; the checkpoint is damaged")
    _, storage_type, key, location, numel = pid[:5]
    if not isinstance(storage_type, _StorageType):
        raise pickle.UnpicklingError(f"ember.load: unknown storage type {storage_type!r:.80} in the checkpoint")
    if not isinstance(key, str) or not isinstance(location, str):
        raise pickle.UnpicklingError("ember.load: a storage's key and location must be strings; the checkpoint is "
                                     "damaged")
    numel = _as_index(numel, "storage size")
    if numel < 0:
        raise RuntimeError(f"ember.load: a storage claims {numel} elements; the checkpoint is damaged")
    return storage_type.dtype, key, location, numel


class _ZipCheckpoint:
    """Reads one zip checkpoint: its pickle and, on demand, its storage records."""

    def __init__(self, stream, path, map_location, mmap):
        self._stream, self._path = stream, path
        self._map_location, self._mmap = map_location, mmap
        try:
            self._zip = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise RuntimeError(f"ember.load: failed reading the zip archive ({exc}); the checkpoint is truncated "
                               "or damaged") from None
        names = self._zip.namelist()
        self._prefix = names[0].split("/")[0] if names else ""
        self._raw, self._storages = {}, {}
        order = self._read_small("byteorder", default=b"little")
        if order not in (b"little", b"big"):
            raise RuntimeError(f"ember.load: unknown byte order {order!r:.40} in the checkpoint")
        self._swap = order.decode() != sys.byteorder

    def _record_name(self, name):
        return f"{self._prefix}/{name}"

    def _read_small(self, name, default=None):
        full = self._record_name(name)
        try:
            info = self._zip.getinfo(full)
        except KeyError:
            if default is None:
                raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found (the checkpoint "
                                   "is damaged or not an ember/torch checkpoint)") from None
            return default
        if info.file_size > 1 << 30:
            raise RuntimeError(f"ember.load: record {full!r} is implausibly large ({info.file_size} bytes)")
        return self._read_member(info, info.file_size)

    def _read_member(self, info, nbytes, into=None):
        """``nbytes`` of a record, into ``into`` (a writable uint8 array) when given; zipfile checks the CRC."""
        target = into if into is not None else bytearray(nbytes)
        view = memoryview(target).cast("B") if into is None else memoryview(into)
        try:
            with self._zip.open(info) as member:
                filled = 0
                while filled < nbytes:
                    got = member.readinto(view[filled:filled + _COPY_CHUNK])
                    if not got:
                        break
                    filled += got
                extra = member.read(1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise RuntimeError(f"ember.load: failed reading record {info.filename!r} ({exc}); the checkpoint is "
                               "truncated or damaged") from None
        if filled != nbytes or extra:
            raise RuntimeError(f"ember.load: record {info.filename!r} does not hold the {nbytes} bytes its header "
                               "claims; the checkpoint is damaged")
        return bytes(target) if into is None else into

    def _data_offset(self, info):
        """Where a stored record's bytes begin in the file (after its local header)."""
        self._stream.seek(info.header_offset)
        header = self._stream.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise RuntimeError(f"ember.load: bad local header for record {info.filename!r}; the checkpoint is "
                               "damaged")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_length + extra_length

    def _file_size(self):
        return self._stream.seek(0, io.SEEK_END)

    def _raw_record(self, key, nbytes, numel, dtype):
        """The bytes of storage ``key`` as a uint8 array, checked against the record before allocating."""
        name = self._record_name(f"data/{key}")
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise RuntimeError(f"ember.load: the checkpoint has no storage record {name!r} (the pickle refers to "
                               "it); the checkpoint is damaged") from None
        if info.file_size != nbytes:
            raise RuntimeError(f"record size ({info.file_size} bytes) does not match expected size ({nbytes} bytes = "
                               f"{numel} elements * {dtype.itemsize} bytes/element) for dtype {dtype}; the "
                               "checkpoint is damaged")
        if info.compress_type == zipfile.ZIP_STORED:
            start = self._data_offset(info)
            if start + nbytes > self._file_size():
                raise RuntimeError(f"ember.load: record {name!r} runs past the end of the file; the checkpoint is "
                                   "truncated")
            if self._mmap:
                if nbytes == 0:
                    return np.empty(0, np.uint8)
                return np.memmap(self._path, dtype=np.uint8, mode="c", offset=start, shape=(nbytes,))
        elif self._mmap:
            raise RuntimeError(f"ember.load: mmap=True needs uncompressed records, but {name!r} is compressed")
        return self._read_member(info, nbytes, into=np.empty(nbytes, np.uint8))

    def persistent_load(self, pid):
        dtype, key, location, numel = _check_storage_pid(pid, 5)
        cached = self._storages.get((key, dtype))
        if cached is not None:
            return cached
        nbytes = numel * dtype.itemsize
        raw = self._raw.get(key)
        if raw is None:
            raw = self._raw[key] = self._raw_record(key, nbytes, numel, dtype)
        elif raw.nbytes != nbytes:
            raise RuntimeError(f"ember.load: storage {key!r} is read as {numel} {dtype} elements, but its record "
                               f"holds {raw.nbytes} bytes; the checkpoint is damaged")
        flat = raw.view(dtype.np_dtype)
        if self._swap and dtype.itemsize > 1:
            flat = flat.byteswap()
        storage = _restore_location(_LoadedStorage(flat), location, self._map_location)
        self._storages[(key, dtype)] = storage
        return storage

    def load(self, make_unpickler):
        data = self._read_small("data.pkl")
        return make_unpickler(io.BytesIO(data), self.persistent_load).load()


class _LegacyCheckpoint:
    """Reads the pre-1.6 stream format: header pickles, the object, its storage keys, then each storage's bytes."""

    def __init__(self, stream, map_location):
        self._stream, self._map_location = stream, map_location
        self._claims = {}           # key -> (the storage as read, the storage as placed, numel)
        self._views = {}
        self._claimed_bytes = 0
        self._end = stream.seek(0, io.SEEK_END)
        stream.seek(0)

    def _header_pickle(self):
        return _WeightsOnlyUnpickler(self._stream).load()

    def _check_header(self):
        try:
            magic = self._header_pickle()
        except (pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise pickle.UnpicklingError(f"ember.load: not a checkpoint: the file is neither a zip archive nor a "
                                         f"legacy torch.save stream ({exc})") from None
        if magic != LEGACY_MAGIC_NUMBER:
            raise RuntimeError("Invalid magic number; corrupt file?")
        version = self._header_pickle()
        if version != LEGACY_PROTOCOL_VERSION:
            raise RuntimeError(f"Invalid protocol version: {version}")
        system = self._header_pickle()
        if not isinstance(system, dict):
            raise RuntimeError("ember.load: malformed system information in a legacy checkpoint")
        little = system.get("little_endian", True)
        self._swap = bool(little) != (sys.byteorder == "little")

    def persistent_load(self, pid):
        if isinstance(pid, tuple) and pid and pid[0] == "module":
            raise pickle.UnpicklingError("ember.load: the checkpoint stores a torch nn.Module class, which ember "
                                         "cannot load")
        dtype, key, location, numel = _check_storage_pid(pid, 6)
        claim = self._claims.get(key)
        if claim is None:
            nbytes = numel * dtype.itemsize
            self._claimed_bytes += nbytes + 8
            if self._claimed_bytes > self._end - self._stream.tell():
                raise RuntimeError(f"ember.load: the checkpoint's storages claim more bytes ({self._claimed_bytes}) "
                                   "than the file holds; it is truncated or damaged")
            original = _LoadedStorage(np.empty(numel, dtype.np_dtype))
            claim = (original, _restore_location(original, location, self._map_location), numel)
            self._claims[key] = claim
        elif claim[0].array.dtype != dtype.np_dtype or claim[2] != numel:
            raise RuntimeError(f"ember.load: storage {key!r} is declared twice with different types or sizes")
        view = pid[5]
        if view is None:
            return claim[1]
        return self._storage_view(claim[1], view)

    def _storage_view(self, storage, view):
        if not (isinstance(view, tuple) and len(view) == 3):
            raise pickle.UnpicklingError(f"ember.load: malformed storage view {view!r:.80}")
        view_key, offset, size = view[0], _as_index(view[1], "view offset"), _as_index(view[2], "view size")
        if offset < 0 or size < 0 or offset + size > storage.array.size:
            raise RuntimeError("ember.load: a storage view lies outside its storage; the checkpoint is damaged")
        if view_key not in self._views:
            self._views[view_key] = _LoadedStorage(storage.array[offset:offset + size])
        return self._views[view_key]

    def _read_storages(self):
        keys = self._header_pickle()
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise RuntimeError("ember.load: malformed storage key list in a legacy checkpoint")
        for key in keys:
            if key not in self._claims:
                raise RuntimeError(f"ember.load: storage {key!r} is listed but never used; the checkpoint is damaged")
            original, placed, numel = self._claims[key]
            header = self._stream.read(8)
            if len(header) != 8 or struct.unpack("<q", header)[0] != numel:
                raise RuntimeError(f"ember.load: storage {key!r} should hold {numel} elements, but its record "
                                   "says otherwise or is missing; the checkpoint is damaged")
            if self._stream.readinto(memoryview(original.array.view(np.uint8))) != original.array.nbytes:
                raise RuntimeError(f"ember.load: storage {key!r} is truncated; the checkpoint is damaged")
            if self._swap and original.array.itemsize > 1:
                original.array.byteswap(inplace=True)
            if placed.array is not original.array:
                placed.array[...] = original.array
        missing = set(self._claims) - set(keys)
        if missing:
            raise RuntimeError(f"ember.load: storages {sorted(missing)} have no data; the checkpoint is damaged")

    def load(self, make_unpickler):
        self._check_header()
        result = make_unpickler(self._stream, self.persistent_load).load()
        self._read_storages()
        return result


def _open_for_reading(f):
    """A seekable binary stream for ``f`` and whether we opened it (and must close it)."""
    if _is_path(f):
        return open(f, "rb"), True
    if not hasattr(f, "read"):
        raise AttributeError(f"ember.load: f must be a path or a readable binary file object, got "
                             f"{type(f).__name__}")
    if _seekable(f):
        return f, False
    return io.BytesIO(f.read()), True


def _looks_like_zip(stream):
    start = stream.tell()
    magic = stream.read(4)
    stream.seek(start)
    if isinstance(magic, str):
        raise TypeError("ember.load: the file is open in text mode; open it with 'rb'")
    if not magic:
        raise EOFError("Ran out of input")
    return magic == b"PK\x03\x04"


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip or legacy format).

    ``weights_only=True`` (the default) builds only tensors, plain data and allowed globals, so an untrusted
    file cannot run code; ``map_location`` (str, device, dict or callable) remaps storage locations.

    >>> import io; buffer = io.BytesIO(); ember.save([ember.arange(3)], buffer); _ = buffer.seek(0)
    >>> ember.load(buffer, map_location="cpu")
    [tensor([0, 1, 2])]
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    pickle_load_args.setdefault("encoding", "utf-8")

    def make_unpickler(stream, persistent_load):
        if weights_only:
            return _WeightsOnlyUnpickler(stream, persistent_load, **pickle_load_args)
        return _full_unpickler_class(pickle_module or pickle)(stream, persistent_load, **pickle_load_args)

    stream, opened = _open_for_reading(f)
    try:
        if _looks_like_zip(stream):
            path = os.fspath(f) if _is_path(f) else None
            return _ZipCheckpoint(stream, path, map_location, bool(mmap)).load(make_unpickler)
        if mmap:
            raise RuntimeError(f"mmap can only be used with files saved with `torch.save({f}, "
                               "_use_new_zipfile_serialization=True), please torch.save your checkpoint with this "
                               "option in order to use mmap.")
        return _LegacyCheckpoint(stream, map_location).load(make_unpickler)
    finally:
        if opened:
            stream.close()
