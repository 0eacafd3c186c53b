"""ember.utils.data datasets against torch.utils.data: indexing, lengths, combinations, random_split, errors."""

import doctest
import warnings

import numpy as np
import pytest
from helpers import randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.utils.data import dataset as ember_dataset


def _data(m):
    return m.utils.data


class _Squares:
    """A minimal map-style dataset (defined for both libraries by subclassing their Dataset)."""

    @staticmethod
    def make(m, n):
        class Squares(m.utils.data.Dataset):
            def __getitem__(self, i):
                return i * i

            def __len__(self):
                return n
        return Squares()


def _counting(m, n):
    class Count(m.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    return Count()


def test_base_dataset_getitem_is_abstract():
    same_error(lambda m: _data(m).Dataset()[0])


def test_dataset_add_concatenates():
    result = same_result(lambda m: [(_Squares.make(m, 3) + _Squares.make(m, 2))[i] for i in range(5)])
    assert result == [0, 1, 4, 0, 1]
    assert isinstance(_Squares.make(ember, 1) + _Squares.make(ember, 1), ember.utils.data.ConcatDataset)


def test_iterable_dataset_add_chains():
    chained = _counting(ember, 2) + _counting(ember, 3)
    assert isinstance(chained, ember.utils.data.ChainDataset)
    same_result(lambda m: list(_counting(m, 2) + _counting(m, 3)))
    same_result(lambda m: len(_counting(m, 2) + _counting(m, 3)))


def test_tensor_dataset_indexing_and_len():
    x, y = randn(5, 3), np.arange(5)
    same_result(lambda m: [m.utils.data.TensorDataset(m.tensor(x), m.tensor(y))[i] for i in (0, 4, -1)])
    same_result(lambda m: list(m.utils.data.TensorDataset(m.tensor(x), m.tensor(y))[1:3]))
    same_result(lambda m: len(m.utils.data.TensorDataset(m.tensor(x))))
    ds = ember.utils.data.TensorDataset(ember.tensor(x), ember.tensor(y))
    assert ds.tensors[0] is not None and len(ds.tensors) == 2


def test_tensor_dataset_getitems_matches_getitem():
    x, y = randn(6, 2), np.arange(6)
    ds = ember.utils.data.TensorDataset(ember.tensor(x), ember.tensor(y))
    indices = [5, 0, -1, np.int64(2)]
    batch = ds.__getitems__(indices)
    expected = [ds[i] for i in indices]
    assert len(batch) == 4 and all(isinstance(sample, tuple) for sample in batch)
    for sample, want in zip(batch, expected):
        for a, b in zip(sample, want):
            assert a.dtype is b.dtype and a.shape == b.shape and a.tolist() == b.tolist()
    batch[0][1].add_(100)                       # samples are views of the dataset's tensors, as indexing gives
    assert ds.tensors[1][5].item() == 105 and ds.tensors[1]._version == 1


def test_tensor_dataset_getitems_falls_back_to_getitem():
    ds = ember.utils.data.TensorDataset(ember.arange(4))
    expected = same_error(lambda m: m.utils.data.TensorDataset(m.arange(4))[4])
    with pytest.raises(type(expected), match=str(expected)):     # out of range: indexing's own error
        ds.__getitems__([1, 4])
    assert [s[0].tolist() for s in ds.__getitems__([slice(0, 2)])] == [[0, 1]]
    weights = ember.ones(3, requires_grad=True)
    tracked = ember.utils.data.TensorDataset(weights * 2).__getitems__([0, 1])
    assert all(s[0].grad_fn is not None for s in tracked)

    class Shifted(ember.utils.data.TensorDataset):
        def __getitem__(self, index):
            return tuple(t[index] + 10 for t in self.tensors)
    assert [s[0].item() for s in Shifted(ember.arange(3)).__getitems__([0, 2])] == [10, 12]


def test_tensor_dataset_size_mismatch():
    same_error(lambda m: m.utils.data.TensorDataset(m.zeros(3, 2), m.zeros(4)), match="Size mismatch between tensors")


def test_concat_dataset_indexing():
    def run(m):
        ds = m.utils.data.ConcatDataset([range(3), range(10, 12), range(20, 24)])
        return [ds[i] for i in range(-len(ds), len(ds))], len(ds), ds.cumulative_sizes
    values, length, sizes = same_result(run)
    assert sizes == [3, 5, 9] and length == 9 and values[:3] == [0, 1, 2]


def test_concat_dataset_cumsum_and_old_name():
    assert ember.utils.data.ConcatDataset.cumsum([range(2), range(0), range(5)]) == [2, 2, 7]
    ds = ember.utils.data.ConcatDataset([range(2), range(0), range(5)])
    assert ds[2] == 0                          # the empty dataset in the middle is skipped
    with pytest.warns(FutureWarning, match="cumulative_sizes"):
        assert ds.cummulative_sizes == [2, 2, 7]


@pytest.mark.parametrize("make", [
    lambda m: m.utils.data.ConcatDataset([]),
    lambda m: m.utils.data.ConcatDataset([range(2), _counting(m, 2)]),
    lambda m: m.utils.data.ConcatDataset([range(2), range(3)])[-6],
    lambda m: m.utils.data.ConcatDataset([range(2), range(3)])[5],
])
def test_concat_dataset_errors(make):
    same_error(make)


def test_chain_dataset_rejects_map_style():
    same_error(lambda m: list(m.utils.data.ChainDataset([_counting(m, 1), range(3)])))
    same_error(lambda m: len(m.utils.data.ChainDataset([range(3)])))


def test_subset():
    def run(m):
        sub = m.utils.data.Subset(m.arange(10, 20), [7, 0, 3])
        return [sub[i] for i in range(3)], len(sub), sub[[0, 2]], sub.__getitems__([2, 1])
    same_result(run)


def test_subset_uses_nested_getitems():
    class Batched(ember.utils.data.Dataset):
        def __getitems__(self, indices):
            return [("batched", i) for i in indices]

        def __len__(self):
            return 10
    sub = ember.utils.data.Subset(Batched(), [5, 6, 7])
    assert sub.__getitems__([0, 2]) == [("batched", 5), ("batched", 7)]


def test_subset_subclass_must_override_getitems():
    def run(m):
        class Doubled(m.utils.data.Subset):
            def __getitem__(self, idx):
                return 2 * super().__getitem__(idx)
        return Doubled(range(4), [1, 2])
    same_error(run, match="overrides __getitem__ but not __getitems__")


def test_stack_dataset():
    def run(m):
        as_tuple = m.utils.data.StackDataset(range(3), m.arange(3) * 2)
        as_dict = m.utils.data.StackDataset(a=range(3), b=["x", "y", "z"])
        return (as_tuple[1], as_tuple.__getitems__([0, 2]), len(as_tuple), as_dict[2],
                as_dict.__getitems__([1, 0]), len(as_dict))
    result = same_result(lambda m: _flatten_dicts(run(m)))
    assert result[3] == [("a", 2), ("b", "z")]


def _flatten_dicts(value):
    """Dicts as sorted item lists, so the shared comparison helper can walk them."""
    if isinstance(value, dict):
        return [(key, _flatten_dicts(value[key])) for key in sorted(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(_flatten_dicts(v) for v in value)
    return value


@pytest.mark.parametrize("make", [
    lambda m: m.utils.data.StackDataset(),
    lambda m: m.utils.data.StackDataset(range(2), range(3)),
    lambda m: m.utils.data.StackDataset(a=range(2), b=range(3)),
    lambda m: m.utils.data.StackDataset(range(2), b=range(2)),
])
def test_stack_dataset_errors(make):
    same_error(make)


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 40), fractions=st.lists(st.integers(1, 9), min_size=1, max_size=4))
def test_random_split_fraction_lengths_match_torch(size, fractions):
    """Fractions give torch's lengths (floor, then the remainder round-robin) and a partition of the indices."""
    total = sum(fractions)
    fractions = [f / total for f in fractions]
    if not (np.isclose(sum(fractions), 1) and sum(fractions) <= 1):
        fractions[-1] = 1 - sum(fractions[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch_lengths = [len(s) for s in torch.utils.data.random_split(range(size), fractions)]
        parts = ember.utils.data.random_split(range(size), fractions)
    assert [len(p) for p in parts] == torch_lengths
    assert sorted(i for p in parts for i in p) == list(range(size))


def test_random_split_lengths_and_reproducibility():
    first = ember.utils.data.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(5))
    again = ember.utils.data.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(5))
    other = ember.utils.data.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(6))
    assert [list(p) for p in first] == [list(p) for p in again]
    assert [list(p) for p in first] != [list(p) for p in other]
    assert [len(p) for p in first] == [3, 7]
    assert all(isinstance(p, ember.utils.data.Subset) for p in first)
    assert sorted(list(first[0]) + list(first[1])) == list(range(10))


def test_random_split_default_generator_follows_manual_seed():
    ember.manual_seed(11)
    first = [list(p) for p in ember.utils.data.random_split(range(8), [0.5, 0.5])]
    ember.manual_seed(11)
    assert [list(p) for p in ember.utils.data.random_split(range(8), [0.5, 0.5])] == first


def test_random_split_warns_for_empty_split():
    messages = {}
    for m in (torch, ember):
        with pytest.warns(UserWarning) as record:
            parts = m.utils.data.random_split(range(2), [0.5, 0.25, 0.25])
        assert [len(p) for p in parts] == [2, 0, 0]
        messages[m.__name__] = [str(w.message) for w in record]
    assert messages["ember"] == messages["torch"]
    assert messages["ember"][0] == "Length of split at index 1 is 0. This might result in an empty dataset."


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [1.5, -0.5], [11]])
def test_random_split_errors(lengths):
    same_error(lambda m: m.utils.data.random_split(range(10), lengths))


def test_docstring_examples():
    globs = {"ember": ember, **{name: getattr(ember_dataset, name) for name in ember_dataset.__all__}}
    result = doctest.testmod(ember_dataset, globs=globs)
    assert result.attempted > 0 and result.failed == 0
