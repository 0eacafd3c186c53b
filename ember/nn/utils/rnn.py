"""Variable-length sequences for recurrent layers (``torch.nn.utils.rnn``).

A ``PackedSequence`` stores a batch of sequences of different lengths without padding: the
rows of time step ``t`` of every sequence still running at ``t`` (longest sequences first),
then those of step ``t + 1``; ``batch_sizes[t]`` says how many rows each step has.
``pack_padded_sequence``/``pad_packed_sequence`` convert from and to a padded tensor,
``pad_sequence``/``unpad_sequence`` between a list of tensors and a padded one, and
``pack_sequence``/``unpack_sequence`` between a list and a PackedSequence. The conversions
are one gather each (``index_select``), so gradients flow through them.
"""

from collections import namedtuple

import numpy as np

from ... import _dtype
from ..._creation import arange, as_tensor, empty_like, full
from ..._tensor import Tensor
from ...ops._util import wrap_dim
from ...ops.shape import cat

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


PackedSequence_ = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences packed step by step (made by ``pack_padded_sequence``/``pack_sequence``).

    Fields: ``data`` (total rows, *features), ``batch_sizes`` (int64, rows per time step, on the CPU),
    ``sorted_indices``/``unsorted_indices`` (the permutation from the original batch order to the
    length-sorted one and back, or None when the batch was sorted already).

    >>> from ember.nn.utils.rnn import pack_sequence
    >>> pack_sequence([ember.tensor([1, 2, 3]), ember.tensor([4, 5])]).batch_sizes
    tensor([2, 2, 1])
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(data, batch_sizes, sorted_indices,
                                                                  unsorted_indices))

    def to(self, *args, **kwargs):
        """The sequence with ``data`` converted by ``Tensor.to``; the indices follow to its device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices = _bind(self.sorted_indices, lambda t: t.to(data.device))
        unsorted_indices = _bind(self.unsorted_indices, lambda t: t.to(data.device))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self, *args, **kwargs):
        """The sequence on a CUDA device (``to(device='cuda', ...)``)."""
        probe = Tensor._make(np.empty(0, dtype=self.data.dtype.np_dtype)).to(self.data.device).to(*args, **kwargs)
        if probe.is_cuda:
            return self.to(*args, **kwargs)
        kwargs["device"] = "cuda"
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        """The sequence on the CPU."""
        probe = Tensor._make(np.empty(0, dtype=self.data.dtype.np_dtype)).to(self.data.device).to(*args, **kwargs)
        if probe.device.type == "cpu":
            return self.to(*args, **kwargs)
        kwargs["device"] = "cpu"
        return self.to(*args, **kwargs)

    def double(self):
        """The sequence with float64 data."""
        return self.to(dtype=_dtype.float64)

    def float(self):
        """The sequence with float32 data."""
        return self.to(dtype=_dtype.float32)

    def half(self):
        """The sequence with float16 data."""
        return self.to(dtype=_dtype.float16)

    def long(self):
        """The sequence with int64 data."""
        return self.to(dtype=_dtype.int64)

    def int(self):
        """The sequence with int32 data."""
        return self.to(dtype=_dtype.int32)

    def short(self):
        """The sequence with int16 data."""
        return self.to(dtype=_dtype.int16)

    def char(self):
        """The sequence with int8 data."""
        return self.to(dtype=_dtype.int8)

    def byte(self):
        """The sequence with uint8 data."""
        return self.to(dtype=_dtype.uint8)

    def pin_memory(self):
        """The sequence in page-locked memory; needs an accelerator, as in PyTorch."""
        if not hasattr(self.data, "pin_memory"):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _bind(self.sorted_indices, lambda t: t.pin_memory()),
                          _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    @property
    def is_cuda(self):
        """Whether ``data`` is on a CUDA device."""
        return self.data.is_cuda

    def is_pinned(self):
        """Whether ``data`` is in page-locked memory (never, without an accelerator)."""
        pinned = getattr(self.data, "is_pinned", None)
        return bool(pinned()) if pinned is not None else False


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    """The four fields, from ``(data, batch_sizes, ...)`` or from one ``(data, batch_sizes)`` pair."""
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                             "created manually. They should be instantiated by functions like pack_sequence and "
                             "pack_padded_sequences in nn.utils.rnn. "
                             "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse of a permutation of ``0..n-1`` (None stays None).

    >>> invert_permutation(ember.tensor([2, 0, 1]))
    tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(0, permutation.numel(), device=permutation.device))
    return output


# ----------------------------------------------------------------------------- packing
def _index(positions, like):
    """A flat int64 index tensor of ``positions`` on ``like``'s device, for ``index_select``."""
    index = Tensor._make(np.ascontiguousarray(positions, dtype=np.int64).reshape(-1))
    return index if like.device.type == "cpu" else index.to(like.device)


def _lengths_tensor(lengths):
    """``lengths`` (a list or a tensor) as an int64 tensor, as PyTorch converts it."""
    if isinstance(lengths, Tensor):
        return lengths.to(dtype=_dtype.int64)
    return as_tensor(lengths, dtype=_dtype.int64, device="cpu")


def _check_pack_arguments(input, lengths, batch_first):
    """PyTorch's checks of ``_pack_padded_sequence``, in its order, plus lengths longer than the input."""
    if not isinstance(input, Tensor):
        raise TypeError(f"_pack_padded_sequence(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D cpu Long "
                           "tensor")
    batch_dim = wrap_dim(0 if batch_first else 1, input.ndim)
    batch = input.shape[batch_dim]
    values = lengths.tolist()
    if len(values) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(values)} "
                           f"(batch_size={batch})")
    if values[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if any(later > earlier for earlier, later in zip(values, values[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep "
                           "this requirement if you do not need ONNX exportability.")
    steps = input.shape[1 - batch_dim]
    if values[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({values[0]}) exceeds the input's sequence length "
                           f"({steps})")
    return np.asarray(values, dtype=np.int64)


def _pack(input, lengths, batch_first):
    """``(data, batch_sizes)`` of a padded input whose lengths are sorted, longest first (one gather)."""
    lengths = _check_pack_arguments(input, lengths, batch_first)
    batch = len(lengths)
    steps = input.shape[0 if not batch_first else 1]
    running = lengths[None, :] > np.arange(lengths[0])[:, None]            # (time, batch)
    time_index, batch_index = np.nonzero(running)
    rows = batch_index * steps + time_index if batch_first else time_index * batch + batch_index
    flat = input.reshape((batch * steps,) + tuple(input.shape[2:]))
    data = flat.index_select(0, _index(rows, input))
    batch_sizes = Tensor._make(running.sum(1).astype(np.int64))
    return data, batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences with the given lengths into a PackedSequence.

    With ``enforce_sorted=False`` the lengths may come in any order: the batch is sorted by length
    and the permutation kept in the result, so ``pad_packed_sequence`` restores the order.

    >>> padded = ember.tensor([[1, 4], [2, 5], [3, 0]])
    >>> pack_padded_sequence(padded, [3, 2]).data
    tensor([1, 4, 2, 5, 3])
    """
    lengths = _lengths_tensor(lengths)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = lengths.sort(descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: the padded batch (T, B, *) (or (B, T, *)) and each sequence's length.

    ``total_length`` pads to that many steps (at least the longest sequence), as a
    ``DataParallel`` model needs for equal chunks.

    >>> packed = pack_padded_sequence(ember.tensor([[1, 4], [2, 5], [3, 0]]), [3, 2])
    >>> pad_packed_sequence(packed, batch_first=True)
    (tensor([[1, 2, 3],
            [4, 5, 0]]), tensor([3, 2]))
    """
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {max_seq_length}")
        max_seq_length = total_length
    padded, lengths = _pad_packed(sequence.data, sequence.batch_sizes, batch_first, padding_value,
                                  int(max_seq_length))
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return padded.index_select(batch_dim, unsorted_indices), lengths[unsorted_indices.cpu()]
    return padded, lengths


def _pad_packed(data, batch_sizes, batch_first, padding_value, total_length):
    """The padded tensor of packed ``data`` (one gather from the data plus one padding row) and the lengths."""
    sizes = np.asarray(batch_sizes.tolist(), dtype=np.int64)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.min() <= 0 or np.any(np.diff(sizes) > 0):
        raise RuntimeError(f"pad_packed_sequence: batch_sizes must be a non-empty, non-increasing 1-D list of "
                           f"positive sizes, got {sizes.tolist()}")
    if int(sizes.sum()) != data.shape[0]:
        raise RuntimeError(f"pad_packed_sequence: batch_sizes account for {int(sizes.sum())} rows but the data has "
                           f"{data.shape[0]}")
    batch = int(sizes[0])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    column = np.arange(batch)
    positions = np.full((total_length, batch), data.shape[0], dtype=np.int64)   # the padding row by default
    positions[:len(sizes)] = np.where(column[None, :] < sizes[:, None], starts[:, None] + column[None, :],
                                      data.shape[0])
    if batch_first:
        positions = positions.T
    padding = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, padding]).index_select(0, _index(positions, data))
    padded = padded.reshape(positions.shape + tuple(data.shape[1:]))
    lengths = Tensor._make((sizes[None, :] > column[:, None]).sum(1).astype(np.int64))
    return padded, lengths


# ----------------------------------------------------------------------------- lists of sequences
def _check_padding_side(padding_side):
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")


def _fitted(sequence, index, trailing):
    """``sequence`` broadcast to (its length, *trailing), with PyTorch's error when it does not fit."""
    shape = tuple(sequence.shape)
    if not shape:
        raise RuntimeError(f"pad_sequence: sequence {index} is 0-dimensional; each sequence needs a length "
                           "dimension")
    target = (shape[0],) + trailing
    if shape == target:
        return sequence
    for dim in range(1, min(len(shape), len(target)) + 1):
        if shape[-dim] != target[-dim] and 1 not in (shape[-dim], target[-dim]):
            raise RuntimeError(f"The size of tensor a ({target[-dim]}) must match the size of tensor b "
                               f"({shape[-dim]}) at non-singleton dimension {max(len(target), len(shape)) - dim}")
    joint = np.broadcast_shapes(target, shape)
    if joint != target:
        raise RuntimeError(f"output with shape {list(target)} doesn't match the broadcast shape {list(joint)}")
    return sequence.expand(target)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of different lengths (L_i, *) into one (L_max, B, *) (or (B, L_max, *)), padding the rest.

    The result has the first sequence's dtype; ``padding_side="left"`` puts the padding first.

    >>> pad_sequence([ember.tensor([1, 2, 3]), ember.tensor([4])], batch_first=True)
    tensor([[1, 2, 3],
            [4, 0, 0]])
    """
    if not hasattr(sequences, "__iter__"):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if batch_first is not True and batch_first is not False:
        raise TypeError(f"pad_sequence(): argument 'batch_first' (position 2) must be bool, not "
                        f"{type(batch_first).__name__}")
    if isinstance(padding_value, (str, bytes)) or padding_value is None or isinstance(padding_value, Tensor):
        raise TypeError(f"pad_sequence(): argument 'padding_value' (position 3) must be float, not "
                        f"{type(padding_value).__name__}")
    for position, sequence in enumerate(sequences):
        if not isinstance(sequence, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got "
                            f"{type(sequence).__name__}")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    _check_padding_side(padding_side)
    first = sequences[0]
    if first.ndim == 0:
        raise RuntimeError("pad_sequence: sequence 0 is 0-dimensional; each sequence needs a length dimension")
    trailing = tuple(first.shape[1:])
    pieces = [_fitted(s, i, trailing).to(dtype=first.dtype) for i, s in enumerate(sequences)]
    lengths = [p.shape[0] for p in pieces]
    longest = max(lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    total = int(sum(lengths))
    positions = np.full((len(pieces), longest), total, dtype=np.int64)         # the padding row by default
    for row, (start, length) in enumerate(zip(starts, lengths)):
        offset = 0 if padding_side == "right" else longest - length
        positions[row, offset:offset + length] = np.arange(start, start + length)
    if not batch_first:
        positions = positions.T
    padding = full((1,) + trailing, padding_value, dtype=first.dtype, device=first.device)
    padded = cat(pieces + [padding]).index_select(0, _index(positions, first))
    return padded.reshape(positions.shape + trailing)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths (the inverse of ``pad_sequence``).

    As in PyTorch, a time-major batch (``batch_first=False``) is transposed in place first.

    >>> unpad_sequence(ember.tensor([[1, 2, 3], [4, 0, 0]]), ember.tensor([3, 1]), batch_first=True)
    [tensor([1, 2, 3]), tensor([4])]
    """
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    return [sequence[:int(length)] for sequence, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) into a PackedSequence (``pad_sequence`` then ``pack_padded_sequence``).

    >>> pack_sequence([ember.tensor([1, 2]), ember.tensor([3, 4, 5])], enforce_sorted=False).data
    tensor([3, 1, 4, 2, 5])
    """
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of tensors a PackedSequence holds, in their original order.

    >>> unpack_sequence(pack_sequence([ember.tensor([1, 2]), ember.tensor([3])]))
    [tensor([1, 2]), tensor([3])]
    """
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
