"""DataLoader in the main process against torch's: batches, dtypes, lengths, batching options, argument errors."""

import multiprocessing
import warnings

import numpy as np
import pytest
from helpers import randn, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_data_collate import assert_same

import ember


def same_epoch(make_loader):
    """Every batch of ``make_loader(m)`` with ember and torch, compared; returns ember's batches."""
    expected = list(make_loader(torch))
    actual = list(make_loader(ember))
    assert_same(actual, expected)
    return actual


def _tensor_dataset(m, x, y):
    return m.utils.data.TensorDataset(m.tensor(x), m.tensor(y))


class _Records:
    """A map-style dataset of dict samples, shared by both libraries (no Dataset base needed)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "label": i % 3, "name": f"item{i}"}

    def __len__(self):
        return self.n


def _stream(m, n, with_len=True):
    class Stream(m.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

    class SizedStream(Stream):
        def __len__(self):
            return n
    return SizedStream() if with_len else Stream()


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 13), batch_size=st.integers(1, 5), drop_last=st.booleans())
def test_sequential_batches_match_torch(size, batch_size, drop_last):
    x, y = randn(size, 3).astype(np.float32), np.arange(size)

    def make(m):
        return m.utils.data.DataLoader(_tensor_dataset(m, x, y), batch_size=batch_size, drop_last=drop_last)
    same_epoch(make)
    assert len(make(ember)) == len(make(torch))


def test_default_batch_size_is_one():
    batches = same_epoch(lambda m: m.utils.data.DataLoader(m.arange(3.0)))
    assert [b.shape for b in batches] == [ember.Size([1])] * 3


def test_dict_samples_and_numpy_values():
    same_epoch(lambda m: m.utils.data.DataLoader(_Records(7), batch_size=3))
    same_epoch(lambda m: m.utils.data.DataLoader([np.int32(i) for i in range(5)], batch_size=2))
    same_epoch(lambda m: m.utils.data.DataLoader([(i, float(i), i % 2 == 0) for i in range(5)], batch_size=4))


def test_batch_size_none_disables_batching():
    same_epoch(lambda m: m.utils.data.DataLoader(_Records(3), batch_size=None))
    same_epoch(lambda m: m.utils.data.DataLoader([np.arange(2), np.arange(2, 4)], batch_size=None))
    loader = ember.utils.data.DataLoader(range(4), batch_size=None)
    assert len(loader) == 4 and loader.collate_fn is ember.utils.data.default_convert


def test_custom_sampler_batch_sampler_and_collate_fn():
    same_epoch(lambda m: m.utils.data.DataLoader(m.arange(6), batch_size=2, sampler=[5, 3, 1, 0]))
    same_epoch(lambda m: m.utils.data.DataLoader(m.arange(6), batch_sampler=[[0, 5], [2], [3, 4, 1]]))
    same_epoch(lambda m: m.utils.data.DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b)))
    loader = ember.utils.data.DataLoader(range(5), batch_sampler=ember.utils.data.BatchSampler(range(5), 2, True))
    assert loader.batch_size is None and not loader.drop_last and len(loader) == 2


def test_dataset_getitems_is_used_for_batches():
    class Batched(ember.utils.data.Dataset):
        def __getitems__(self, indices):
            return [i * 10 for i in indices]

        def __len__(self):
            return 5
    assert [b.tolist() for b in ember.utils.data.DataLoader(Batched(), batch_size=2)] == [[0, 10], [20, 30], [40]]


def test_iterable_dataset_batches_and_len():
    for batch_size, drop_last in [(2, False), (2, True), (3, False), (None, False)]:
        def make(m, batch_size=batch_size, drop_last=drop_last):
            return m.utils.data.DataLoader(_stream(m, 7), batch_size=batch_size, drop_last=drop_last)
        same_epoch(make)
        assert len(make(ember)) == len(make(torch))


def test_iterable_dataset_without_len():
    same_epoch(lambda m: m.utils.data.DataLoader(_stream(m, 5, with_len=False), batch_size=2))
    same_error(lambda m: len(m.utils.data.DataLoader(_stream(m, 5, with_len=False))))


def test_iterable_dataset_len_warning():
    """Fetching more batches than len(loader) reported warns, as in PyTorch."""
    messages = {}
    for m in (torch, ember):
        class Liar(m.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(4))

            def __len__(self):
                return 2
        dataset = Liar()
        loader = m.utils.data.DataLoader(dataset, batch_size=None)
        assert len(loader) == 2
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert len(list(loader)) == 4
        messages[m.__name__] = [str(w.message).replace(repr(dataset), "DATASET") for w in record]
    assert len(messages["ember"]) == 2
    assert messages["ember"] == messages["torch"]


def test_shuffle_is_a_reproducible_permutation():
    def epoch(seed):
        loader = ember.utils.data.DataLoader(ember.arange(20), batch_size=6, shuffle=True,
                                             generator=ember.Generator().manual_seed(seed))
        return [b.tolist() for b in loader]
    first = epoch(0)
    assert [len(b) for b in first] == [6, 6, 6, 2]
    assert sorted(sum(first, [])) == list(range(20))
    assert first == epoch(0) and first != epoch(1)


def test_shuffle_epochs_differ_and_follow_manual_seed():
    ember.manual_seed(5)
    loader = ember.utils.data.DataLoader(range(12), batch_size=12, shuffle=True)
    first, second = next(iter(loader)).tolist(), next(iter(loader)).tolist()
    assert first != second and sorted(first) == list(range(12))
    ember.manual_seed(5)
    assert next(iter(loader)).tolist() == first


def test_training_style_iteration_matches_torch():
    x, y = randn(10, 4).astype(np.float32), (np.arange(10) % 3)

    def run(m):
        loader = m.utils.data.DataLoader(_tensor_dataset(m, x, y), batch_size=4)
        return [(xb.sum(dim=1), yb + 1) for xb, yb in loader]
    actual, expected = run(ember), run(torch)
    for (ex, ey), (tx, ty) in zip(actual, expected):
        np.testing.assert_allclose(ex.numpy(), tx.numpy(), rtol=1e-6)
        assert_same(ey, ty)


def test_pin_memory_is_accepted_with_torch_warning():
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="no accelerator is found"):
            batches = list(m.utils.data.DataLoader(m.arange(3), batch_size=2, pin_memory=True))
        assert [b.tolist() for b in batches] == [[0, 1], [2]]


def test_attributes():
    loader = ember.utils.data.DataLoader(range(4), batch_size=2, num_workers=1, multiprocessing_context="spawn")
    assert loader.prefetch_factor == 2 and loader.num_workers == 1 and loader.timeout == 0
    assert isinstance(loader.multiprocessing_context, multiprocessing.context.BaseContext)
    assert isinstance(loader.sampler, ember.utils.data.SequentialSampler)
    assert isinstance(loader.batch_sampler, ember.utils.data.BatchSampler)
    assert loader.collate_fn is ember.utils.data.default_collate
    shuffled = ember.utils.data.DataLoader(range(4), shuffle=True)
    assert isinstance(shuffled.sampler, ember.utils.data.RandomSampler)
    loader.num_workers = 0                      # allowed: only the sampling attributes are frozen


@pytest.mark.parametrize("kwargs", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2}, {"num_workers": 1, "prefetch_factor": -1},
    {"persistent_workers": True}, {"multiprocessing_context": "spawn"},
    {"num_workers": 1, "multiprocessing_context": "no-such-method"},
    {"num_workers": 1, "multiprocessing_context": 3},
    {"sampler": [0, 1], "shuffle": True}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True}, {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True}, {"batch_size": None, "drop_last": True},
    {"batch_size": 0}, {"batch_size": -2}, {"drop_last": "yes"},
])
def test_argument_errors(kwargs):
    error = same_error(lambda m: m.utils.data.DataLoader(range(4), **kwargs))
    with pytest.raises(type(error)) as expected:
        torch.utils.data.DataLoader(range(4), **kwargs)
    assert str(error) == str(expected.value)


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_argument_errors(kwargs):
    same_error(lambda m: m.utils.data.DataLoader(_stream(m, 3), **kwargs), match="IterableDataset: expected")


@pytest.mark.parametrize("attr", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                  "persistent_workers"])
def test_frozen_attributes(attr):
    def run(m):
        setattr(m.utils.data.DataLoader(range(4)), attr, None)
    same_error(run, match=f"{attr} attribute should not be set after DataLoader is initialized")


def test_timeout_needs_workers():
    same_error(lambda m: iter(m.utils.data.DataLoader(range(4), timeout=1)))


def test_iterator_cannot_be_pickled():
    import pickle
    same_error(lambda m: pickle.dumps(iter(m.utils.data.DataLoader(range(4)))))


def test_too_many_workers_warns():
    loader = ember.utils.data.DataLoader(range(4))
    loader.num_workers = 10_000
    with pytest.warns(UserWarning, match="This DataLoader will create 10000 worker processes in total"):
        loader.check_worker_number_rationality()


def test_get_worker_info_in_main_process():
    assert ember.utils.data.get_worker_info() is None


def test_public_names_match_torch():
    ours = set(ember.utils.data.__all__)
    datapipe_names = {"DFIterDataPipe", "DataChunk", "IterDataPipe", "MapDataPipe", "argument_validation",
                      "functional_datapipe", "guaranteed_datapipes_determinism", "non_deterministic",
                      "runtime_validation", "runtime_validation_disabled"}
    assert set(torch.utils.data.__all__) - datapipe_names <= ours


def test_docstring_examples():
    import doctest

    from ember.utils.data import _worker, dataloader
    for module in (dataloader, _worker):
        globs = {"ember": ember, **{name: getattr(module, name) for name in module.__all__}}
        result = doctest.testmod(module, globs=globs)
        assert result.attempted > 0 and result.failed == 0, module.__name__
