"""A small reader for MATLAB v5 ``.mat`` files (numeric arrays only), so SVHN loads without scipy.

The format: a 128-byte header ending in a byte-order mark, then data elements, each an 8-byte tag (type, byte
count; or a 4-byte "small" tag holding up to 4 bytes of data) and its payload padded to 8 bytes. A variable is an
miMATRIX element (possibly zlib-compressed inside an miCOMPRESSED element) holding array flags (the MATLAB class),
dimensions, the name and the real part, stored column-major, possibly in a narrower type than its class.
"""

import zlib

import numpy as np

# Storage types of data elements -> NumPy element types (byte order added per file).
_MI_TYPES = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "f4", 9: "f8", 12: "i8", 13: "u8",
             16: "u1"}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
# MATLAB array classes -> NumPy dtypes of the loaded array.
_MX_CLASSES = {6: np.float64, 7: np.float32, 8: np.int8, 9: np.uint8, 10: np.int16, 11: np.uint16, 12: np.int32,
               13: np.uint32, 14: np.int64, 15: np.uint64}
_COMPLEX_FLAG = 0x08


def _padded(size):
    return (size + 7) // 8 * 8


class _Elements:
    """Walks the data elements of a byte buffer in the file's byte order."""

    def __init__(self, buffer, order):
        self.buffer, self.order = buffer, order

    def read_tag(self, offset):
        """(type, byte count, payload offset, next element's offset) of the element at ``offset``."""
        first, second = np.frombuffer(self.buffer, dtype=self.order + "u4", count=2, offset=offset)
        first, second = int(first), int(second)
        if first >> 16:                                           # small element: data in the tag's second word
            return first & 0xFFFF, first >> 16, offset + 4, offset + 8
        is_compressed = first == _MI_COMPRESSED                   # compressed elements carry no padding
        end = offset + 8 + (second if is_compressed else _padded(second))
        return first, second, offset + 8, end

    def __iter__(self):
        offset = 0
        while offset + 8 <= len(self.buffer):
            kind, size, start, offset = self.read_tag(offset)
            yield kind, self.buffer[start:start + size]

    def values(self, kind, payload):
        if kind not in _MI_TYPES:
            raise ValueError(f"MAT-file: unsupported data element type {kind} inside a matrix")
        return np.frombuffer(payload, dtype=self.order + _MI_TYPES[kind])


def _read_matrix(elements, payload):
    """(name, array) for an miMATRIX payload; the array is None for classes other than numeric ones."""
    if not payload:
        return None, None
    parts = list(_Elements(payload, elements.order))
    flags = int(elements.values(*parts[0])[0])
    mx_class, is_complex = flags & 0xFF, bool(flags & (_COMPLEX_FLAG << 8))
    shape = tuple(int(size) for size in elements.values(*parts[1]))
    name = bytes(parts[2][1]).decode("ascii")
    if mx_class not in _MX_CLASSES:                               # cell, struct, char, sparse, objects: skipped
        return name, None
    real = elements.values(*parts[3]).astype(_MX_CLASSES[mx_class])
    if is_complex:
        real = real + 1j * elements.values(*parts[4])
    return name, real.reshape(shape, order="F")      # logical arrays stay uint8, as scipy.io.loadmat gives them


def _order_of(header, path):
    if len(header) < 128:
        raise ValueError(f"{path} is not a MATLAB 5 MAT-file: it is shorter than the 128-byte header")
    version_text = header[:116].decode("latin1")
    if "MATLAB 7.3" in version_text:
        raise ValueError(f"{path} is a MATLAB 7.3 (HDF5) MAT-file; only MATLAB 5 MAT-files can be read here")
    mark = header[126:128]
    if mark not in (b"IM", b"MI"):
        raise ValueError(f"{path} is not a MATLAB 5 MAT-file (no byte-order mark at bytes 126-127)")
    return "<" if mark == b"IM" else ">"


def loadmat(path):
    """Read the numeric variables of a MATLAB 5 MAT-file into a dict of NumPy arrays (scipy.io.loadmat's shapes).

    >>> import io, tempfile, os, numpy as np, scipy.io
    >>> path = os.path.join(tempfile.mkdtemp(), "a.mat"); scipy.io.savemat(path, {"x": np.arange(6).reshape(2, 3)})
    >>> loadmat(path)["x"]
    array([[0, 1, 2],
           [3, 4, 5]])
    """
    with open(path, "rb") as stream:
        data = stream.read()
    order = _order_of(data[:128], path)
    variables = {}
    pending = [_Elements(memoryview(data)[128:], order)]
    while pending:
        elements = pending.pop(0)
        for kind, payload in elements:
            if kind == _MI_COMPRESSED:
                pending.append(_Elements(zlib.decompress(payload), order))
            elif kind == _MI_MATRIX:
                name, array = _read_matrix(elements, payload)
                if array is not None:
                    variables[name] = array
    return variables
