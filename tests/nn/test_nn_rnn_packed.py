"""ember.nn.utils.rnn against torch.nn.utils.rnn: PackedSequence, pack_padded_sequence (sorted and not, lengths as a
list or a tensor), pad_packed_sequence, pad_sequence (both sides, any padding value, dtypes), pack_sequence,
unpack_sequence, unpad_sequence and invert_permutation; values, gradients and torch's errors."""

import numpy as np
import pytest
from helpers import check_grad, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch


def R(m):
    return m.nn.utils.rnn


def same_message(fn):
    """``fn(lib)`` raises in torch; ember raises the same type with the same message."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as actual:
        fn(ember)
    assert str(actual.value) == str(expected.value)


def _lengths(m, lengths, as_tensor):
    return m.tensor(lengths) if as_tensor else list(lengths)


# ----------------------------------------------------------------------------- packing and padding

@st.composite
def padded_batches(draw):
    lengths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    steps = max(lengths) + draw(st.integers(0, 2))
    trailing = draw(st.sampled_from([(), (2,), (2, 3)]))
    return lengths, steps, trailing, draw(st.booleans()), draw(st.booleans()), draw(st.booleans())


@settings(max_examples=25, deadline=None)
@given(padded_batches())
def test_pack_padded_sequence(batch):
    lengths, steps, trailing, batch_first, enforce_sorted, as_tensor = batch
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    shape = ((len(lengths), steps) if batch_first else (steps, len(lengths))) + trailing
    packed = parity(lambda m, x: R(m).pack_padded_sequence(x, _lengths(m, lengths, as_tensor), batch_first,
                                                           enforce_sorted), randn(*shape))
    assert isinstance(packed, R(ember).PackedSequence) and packed.batch_sizes.dtype == ember.int64


@settings(max_examples=25, deadline=None)
@given(padded_batches(), st.sampled_from([0.0, -1.5, 7]), st.integers(0, 2))
def test_pad_packed_sequence_round_trip(batch, padding_value, extra_length):
    lengths, steps, trailing, batch_first, enforce_sorted, as_tensor = batch
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    total_length = max(lengths) + extra_length if extra_length else None

    def fn(m, x):
        packed = R(m).pack_padded_sequence(x, _lengths(m, lengths, as_tensor), enforce_sorted=enforce_sorted)
        return R(m).pad_packed_sequence(packed, batch_first, padding_value, total_length)
    parity(fn, randn(steps, len(lengths), *trailing))


def test_pack_and_pad_integer_and_float32_data():
    lengths = [3, 1, 2]
    parity(lambda m, x: R(m).pack_padded_sequence(x, lengths, enforce_sorted=False), randint(0, 9, 3, 3))
    parity(lambda m, x: R(m).pad_packed_sequence(R(m).pack_padded_sequence(x, lengths, enforce_sorted=False),
                                                 padding_value=-1), randint(0, 9, 3, 3))
    parity(lambda m, x: R(m).pad_packed_sequence(R(m).pack_padded_sequence(x, [3, 2, 1], batch_first=True),
                                                 batch_first=True), randn(3, 4, 2).astype(np.float32))
    # float lengths are truncated to integers, as torch converts them
    parity(lambda m, x: R(m).pack_padded_sequence(x, [2.5, 1.0]), randn(3, 2))
    parity(lambda m, x: R(m).pack_padded_sequence(x, m.tensor([2.5, 1.0])), randn(3, 2))
    parity(lambda m, x: R(m).pack_padded_sequence(x, m.tensor([3, 1], dtype=m.int32)), randn(3, 2))


def test_pack_and_pad_finite_differences():
    def fn(x):
        packed = ember.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1], batch_first=True, enforce_sorted=False)
        return packed.data, ember.nn.utils.rnn.pad_packed_sequence(packed, padding_value=3.0, total_length=5)[0]
    check_grad(fn, randn(3, 4, 2))
    check_grad(lambda *seqs: ember.nn.utils.rnn.pad_sequence(seqs, padding_side="left"),
               randn(2, 3), randn(4, 3), randn(1, 1))


# ----------------------------------------------------------------------------- lists of sequences

@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.sampled_from([(), (3,), (2, 1)]), st.booleans(),
       st.sampled_from(["right", "left"]), st.sampled_from([0.0, 2.5, -1]))
def test_pad_sequence(lengths, trailing, batch_first, padding_side, padding_value):
    sequences = [randn(n, *trailing) for n in lengths]
    parity(lambda m, seqs: R(m).pad_sequence(seqs, batch_first, padding_value, padding_side), sequences)
    parity(lambda m, seqs: R(m).pad_sequence(seqs, batch_first=batch_first, padding_value=padding_value,
                                             padding_side=padding_side), sequences)


def test_pad_sequence_dtypes_broadcasting_and_tensor_input():
    ints = [randint(0, 5, 3), randint(0, 5, 1)]
    parity(lambda m, seqs: R(m).pad_sequence(seqs, padding_value=2.5), ints)
    parity(lambda m, seqs: R(m).pad_sequence(seqs), [randint(0, 2, 2).astype(bool), randint(0, 2, 1).astype(bool)])
    parity(lambda m, a, b: R(m).pad_sequence([a, b]), randint(0, 5, 2, 3), randn(3, 3) * 4)        # first's dtype
    parity(lambda m, a, b: R(m).pad_sequence([a, b]), randn(2, 3).astype(np.float32), randn(3, 3))
    parity(lambda m, a, b: R(m).pad_sequence([a, b], batch_first=True), randn(2, 3), randn(3, 1))  # broadcast
    parity(lambda m, a, b: R(m).pad_sequence((a, b)), randn(2, 3), randn(3))
    parity(lambda m, x: R(m).pad_sequence(x), randn(2, 3))                                # rows of a tensor
    parity(lambda m, x: R(m).pad_sequence(x, padding_side="left"), randn(3, 2, 4))
    parity(lambda m, x: R(m).pad_sequence(iter([x, x[:1]])), randn(2, 2))                # any iterable
    parity(lambda m, x: R(m).pad_sequence([x.t(), x[:1].t()]), randn(3, 2))              # non-contiguous


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_unpack_sequence(enforce_sorted):
    sequences = [randn(4, 2), randn(3, 2), randn(1, 2)]
    if not enforce_sorted:
        sequences = sequences[::-1]
    parity(lambda m, seqs: R(m).pack_sequence(seqs, enforce_sorted), sequences)
    parity(lambda m, seqs: R(m).unpack_sequence(R(m).pack_sequence(seqs, enforce_sorted=enforce_sorted)), sequences)
    parity(lambda m, seqs: R(m).pack_sequence(seqs, enforce_sorted=False), [randn(2), randn(3), randn(2)])


@pytest.mark.parametrize("batch_first", [True, False])
def test_unpad_sequence(batch_first):
    padded = randn(3, 4, 2)
    lengths = np.array([4, 1, 3]) if batch_first else np.array([3, 1, 2, 3])
    parity(lambda m, x: R(m).unpad_sequence(x.clone(), m.tensor(lengths), batch_first), padded)
    shapes = []
    for m in (torch, ember):
        x = m.from_numpy(padded.copy())
        R(m).unpad_sequence(x, m.tensor(lengths), batch_first)
        shapes.append(tuple(x.shape))                     # torch transposes a time-major batch in place
    assert shapes[0] == shapes[1] == ((3, 4, 2) if batch_first else (4, 3, 2))


# ----------------------------------------------------------------------------- PackedSequence

def test_packed_sequence_fields_conversions_and_repr():
    def build(m):
        return R(m).pack_sequence([m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0, 5.0])], enforce_sorted=False)
    e_packed, t_packed = build(ember), build(torch)
    assert e_packed._fields == t_packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    for method in ("double", "float", "half", "long", "int", "short", "char", "byte", "cpu"):
        e_result, t_result = getattr(e_packed, method)(), getattr(t_packed, method)()
        assert e_result.data.dtype.name == str(t_result.data.dtype).replace("torch.", ""), method
        assert e_result.sorted_indices.tolist() == t_result.sorted_indices.tolist()
        assert e_result.batch_sizes is e_packed.batch_sizes
    assert e_packed.to(ember.float32) is e_packed and e_packed.cpu() is e_packed
    assert e_packed.to(ember.float64).data.dtype == ember.float64
    assert e_packed.is_cuda is False and e_packed.is_pinned() is False
    assert repr(e_packed).startswith("PackedSequence(data=tensor([3., 1., 4., 2., 5.]), batch_sizes=tensor([2, 2, 1])")
    data, batch_sizes, sorted_indices, unsorted_indices = e_packed
    assert sorted_indices.tolist() == [1, 0] and unsorted_indices.tolist() == [1, 0]
    same_error(lambda m: build(m).pin_memory())


def test_packed_sequence_construction():
    def from_pair(m):
        return R(m).PackedSequence((m.ones(3), m.tensor([2, 1])), sorted_indices=m.tensor([1, 0]))
    e_packed, t_packed = from_pair(ember), from_pair(torch)
    assert e_packed.unsorted_indices.tolist() == t_packed.unsorted_indices.tolist() == [1, 0]
    assert R(ember).PackedSequence(ember.ones(3), ember.tensor([2, 1])).sorted_indices is None
    same_message(lambda m: R(m).PackedSequence(m.ones(3)))
    same_error(lambda m: R(m).PackedSequence(m.ones(3), [2, 1]))
    parity(lambda m, p: R(m).invert_permutation(p), randint(0, 1, 1) + np.array([0]), grad=False)
    parity(lambda m: R(m).invert_permutation(m.tensor([2, 0, 3, 1])), grad=False)
    assert R(ember).invert_permutation(None) is None


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call", [
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), [3, 4, 2]),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), [4, 4, 0]),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), [4, 4]),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), m.tensor([[4, 4, 2]])),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), 3),
    lambda m: R(m).pack_padded_sequence(m.ones(0, 3, 2), [0, 0, 0]),
    lambda m: R(m).pack_padded_sequence(m.ones(0, 3, 2), m.tensor([[1]])),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 0, 2), []),
    lambda m: R(m).pack_padded_sequence(m.ones(5), [5]),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), [5, 4, -1]),
    lambda m: R(m).pack_padded_sequence(m.ones(3, 3, 2), [0, 2, 1], enforce_sorted=False),
    lambda m: R(m).pack_padded_sequence(m.ones(5, 3, 2), (5, 4, 2), batch_first=True),
    lambda m: R(m).pack_padded_sequence([1, 2], [3]),
    lambda m: R(m).pad_packed_sequence(R(m).pack_padded_sequence(m.ones(5, 3), [5, 4, 2]), total_length=4),
    lambda m: R(m).pad_sequence([]),
    lambda m: R(m).pad_sequence([], padding_side="middle"),
    lambda m: R(m).pad_sequence([m.ones(2, 3), m.ones(3, 3)], padding_side="middle"),
    lambda m: R(m).pad_sequence([m.ones(2, 3), m.ones(3, 2)]),
    lambda m: R(m).pad_sequence([m.ones(2, 1), m.ones(3, 3)]),
    lambda m: R(m).pad_sequence(5),
    lambda m: R(m).pad_sequence([m.ones(2, 3), 5]),
    lambda m: R(m).pad_sequence([m.ones(2, 3)], batch_first=1),
    lambda m: R(m).pad_sequence([m.ones(2)], padding_value=None),
    lambda m: R(m).unpad_sequence(m.ones(2, 3), m.tensor([3, 2, 1]), batch_first=True),
    lambda m: R(m).unpad_sequence(m.ones(3, 2, requires_grad=True), m.tensor([3, 2])),
    lambda m: R(m).pack_sequence([m.ones(2), m.ones(3)]),
    lambda m: R(m).pack_sequence([]),
])
def test_errors_match_torch(call):
    same_message(call)


def test_errors_beyond_torch():
    # torch reads past the input for a length longer than the sequence; ember refuses
    with pytest.raises(RuntimeError, match=r"a length \(6\) exceeds the input's sequence length \(5\)"):
        ember.nn.utils.rnn.pack_padded_sequence(ember.ones(5, 3, 2), [6, 4, 2])
    with pytest.raises(RuntimeError, match="0-dimensional"):
        ember.nn.utils.rnn.pad_sequence([ember.ones(()), ember.ones(())])
    same_error(lambda m: R(m).pad_sequence([m.ones(()), m.ones(())]))
    bad = ember.nn.utils.rnn.PackedSequence(ember.ones(4), ember.tensor([2, 1]))
    with pytest.raises(RuntimeError, match="account for 3 rows but the data has 4"):
        ember.nn.utils.rnn.pad_packed_sequence(bad)
    with pytest.raises(RuntimeError, match="non-increasing"):
        ember.nn.utils.rnn.pad_packed_sequence(ember.nn.utils.rnn.PackedSequence(ember.ones(3), ember.tensor([1, 2])))
