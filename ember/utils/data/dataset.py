"""Datasets: the map-style ``Dataset`` and the stream-style ``IterableDataset``, and ways to combine them.

A map-style dataset answers ``dataset[i]`` (and usually ``len(dataset)``); an iterable
dataset yields its samples from ``iter(dataset)``. ``TensorDataset`` indexes tensors
along their first dimension; ``ConcatDataset``, ``ChainDataset``, ``StackDataset`` and
``Subset`` build new datasets from old ones; ``random_split`` cuts one into random parts.
"""

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable
from typing import Generic, TypeVar

import numpy as np

from ... import random as _random
from ..._tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split"]

_T_co = TypeVar("_T_co", covariant=True)


class Dataset(Generic[_T_co]):
    """A map from keys (usually indices) to samples: subclasses define ``__getitem__`` and usually ``__len__``.

    ``a + b`` concatenates two datasets into a ``ConcatDataset``.

    >>> class Squares(Dataset):
    ...     def __getitem__(self, i): return i * i
    ...     def __len__(self): return 4
    >>> (Squares() + Squares())[5]
    1
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[_T_co], Iterable):
    """A stream of samples: subclasses define ``__iter__``. ``a + b`` chains two streams (``ChainDataset``).

    In a DataLoader worker process, ``get_worker_info()`` tells ``__iter__`` which share of the
    stream this worker should produce (each worker holds its own copy of the dataset).

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are tuples ``(t[i] for t in tensors)``: tensors indexed along their first dimension.

    >>> ds = TensorDataset(ember.arange(3), ember.zeros(3, 2))
    >>> len(ds), ds[1][0]
    (3, tensor(1))
    """

    def __init__(self, *tensors):
        first_size = tensors[0].size(0)
        if any(tensor.size(0) != first_size for tensor in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __getitems__(self, indices):
        """The samples at ``indices``, as ``__getitem__`` gives them; the DataLoader fetches batches with it.

        For in-range integer indices into tensors that do not require grad, each sample's
        tensors are views made directly on the arrays (sharing memory and version counter,
        as indexing would), which skips the general indexing machinery.
        """
        if type(self).__getitem__ is not TensorDataset.__getitem__ or not self._plain_rows(indices):
            return [self[index] for index in indices]
        columns = [_rows(tensor, indices) for tensor in self.tensors]
        return list(zip(*columns))

    def _plain_rows(self, indices):
        size = len(self)
        if any(tensor.requires_grad for tensor in self.tensors):
            return False
        return all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) and -size <= i < size
                   for i in indices)

    def __len__(self):
        return self.tensors[0].size(0)


def _rows(tensor, indices):
    """``[tensor[i] for i in indices]`` for integer ``indices`` of a tensor outside autograd."""
    data, version = tensor._data, tensor._shared_version_box()
    rows = []
    for i in indices:
        row = Tensor._make(data[i, ...])      # a view, also for 0-dim rows
        row._version_box = version
        rows.append(row)
    return rows


class StackDataset(Dataset):
    """Datasets of the same length side by side: samples are tuples (positional) or dicts (keyword).

    >>> StackDataset(range(3), range(10, 13))[1]
    (1, 11)
    >>> StackDataset(x=range(3), y=range(10, 13))[2]
    {'x': 2, 'y': 12}
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(len(dataset) != self._length for dataset in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices):
        """One batch of samples; nested datasets with ``__getitems__`` fetch their column in one call."""
        named = isinstance(self.datasets, dict)
        columns = self.datasets.items() if named else enumerate(self.datasets)
        samples = [{} if named else [] for _ in indices]
        for key, dataset in columns:
            for sample, value in zip(samples, _fetch_many(dataset, indices)):
                if named:
                    sample[key] = value
                else:
                    sample.append(value)
        return samples if named else [tuple(sample) for sample in samples]

    def __len__(self):
        return self._length


def _fetch_many(dataset, indices):
    """``[dataset[i] for i in indices]``, through the dataset's ``__getitems__`` when it has one."""
    getitems = getattr(dataset, "__getitems__", None)
    if not callable(getitems):
        return [dataset[index] for index in indices]
    items = getitems(indices)
    if len(items) != len(indices):
        raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(items)}")
    return items


class ConcatDataset(Dataset):
    """Map-style datasets one after the other; ``cumulative_sizes[k]`` is where dataset ``k`` ends.

    >>> ds = ConcatDataset([range(3), range(10, 12)])
    >>> len(ds), ds[3], ds[-1], ds.cumulative_sizes
    (5, 10, 11, [3, 5])
    """

    @staticmethod
    def cumsum(sequence):
        """The running total of the lengths of ``sequence``'s datasets."""
        return list(itertools.accumulate(len(dataset) for dataset in sequence))

    def __init__(self, datasets):
        super().__init__()
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        if any(isinstance(dataset, IterableDataset) for dataset in self.datasets):
            raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]

    @property
    def cummulative_sizes(self):
        """The old, misspelled name of ``cumulative_sizes``."""
        warnings.warn("`cummulative_sizes` attribute is renamed to `cumulative_sizes`", FutureWarning,
                      stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other, chained on the fly.

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(2))
    >>> list(ChainDataset([Count(), Count()]))
    [0, 1, 0, 1]
    """

    def __init__(self, datasets):
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for dataset in self.datasets:
            _require_iterable(dataset)
            yield from dataset

    def __len__(self):
        total = 0
        for dataset in self.datasets:
            _require_iterable(dataset)
            total += len(dataset)
        return total


def _require_iterable(dataset):
    if not isinstance(dataset, IterableDataset):
        raise AssertionError("ChainDataset only supports IterableDataset")


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> Subset(range(10, 20), [4, 0])[0]
    14
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        overrides_getitem = type(self).__getitem__ is not Subset.__getitem__
        if overrides_getitem and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. When subclassing Subset and "
                "overriding __getitem__, you must also override __getitems__ to ensure DataLoader works "
                "correctly with your custom logic. A simple implementation:\n\n"
                "def __getitems__(self, indices):\n    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        return _fetch_many(self.dataset, [self.indices[i] for i in indices])

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=_random.default_generator):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths (or fractions summing to 1).

    Fractions become ``floor(fraction * len(dataset))`` items each, and the items left over
    go one at a time to the splits in turn, from the first.

    >>> parts = random_split(range(10), [0.5, 0.3, 0.2], generator=ember.Generator().manual_seed(0))
    >>> [len(p) for p in parts]
    [5, 3, 2]
    """
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = _random.randperm(sum(lengths), generator=generator).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]


def _lengths_from_fractions(fractions, size):
    """Whole split lengths for ``fractions`` of ``size`` items, handing out the remainder round-robin."""
    lengths = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(size * fraction))
    for i in range(size - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                          UserWarning, stacklevel=3)
    return lengths
