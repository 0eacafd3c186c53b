"""ember.utils.data samplers against torch.utils.data: orders, lengths, randomness properties, errors."""

import doctest
from collections import Counter

import numpy as np
import pytest
from helpers import same_error, same_result
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.utils.data import sampler as ember_sampler


def _seeded(seed):
    return ember.Generator().manual_seed(seed)


def test_base_sampler_iter_is_abstract():
    same_error(lambda m: iter(m.utils.data.Sampler()))


def test_sequential_sampler():
    same_result(lambda m: (list(m.utils.data.SequentialSampler(range(5))), len(m.utils.data.SequentialSampler("abc"))))


def test_random_sampler_is_a_reproducible_permutation():
    data = range(20)
    first = list(ember.utils.data.RandomSampler(data, generator=_seeded(3)))
    assert sorted(first) == list(range(20))
    assert first == list(ember.utils.data.RandomSampler(data, generator=_seeded(3)))
    assert first != list(ember.utils.data.RandomSampler(data, generator=_seeded(4)))
    assert len(ember.utils.data.RandomSampler(data)) == 20


def test_random_sampler_without_generator_follows_manual_seed():
    ember.manual_seed(123)
    first = list(ember.utils.data.RandomSampler(range(30)))
    second = list(ember.utils.data.RandomSampler(range(30)))
    ember.manual_seed(123)
    assert list(ember.utils.data.RandomSampler(range(30))) == first
    assert first != second                      # each pass draws a fresh seed


def test_random_sampler_more_samples_than_data_repeats_permutations():
    drawn = list(ember.utils.data.RandomSampler(range(4), num_samples=10, generator=_seeded(0)))
    assert len(drawn) == 10
    assert sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]
    assert len(set(drawn[8:])) == 2


def test_random_sampler_with_replacement():
    sampler = ember.utils.data.RandomSampler(range(3), replacement=True, num_samples=3000, generator=_seeded(1))
    drawn = list(sampler)
    assert len(sampler) == len(drawn) == 3000
    counts = Counter(drawn)
    assert set(counts) == {0, 1, 2}
    assert all(900 < c < 1100 for c in counts.values())     # about 1000 each (sd ~26)


def test_random_sampler_length_follows_data():
    data = [1, 2, 3]
    sampler = ember.utils.data.RandomSampler(data)
    data.append(4)
    assert len(sampler) == 4 and sorted(sampler) == [0, 1, 2, 3]


@pytest.mark.parametrize("kwargs", [{"replacement": 1}, {"num_samples": 0}, {"num_samples": 2.0},
                                    {"num_samples": -3}])
def test_random_sampler_errors(kwargs):
    same_error(lambda m: m.utils.data.RandomSampler(range(4), **kwargs))


def test_random_sampler_empty_dataset():
    same_error(lambda m: m.utils.data.RandomSampler([]), match="num_samples should be a positive integer value")


def test_subset_random_sampler():
    indices = [10, 12, 14, 16, 18]
    first = list(ember.utils.data.SubsetRandomSampler(indices, generator=_seeded(2)))
    assert sorted(first) == indices
    assert first == list(ember.utils.data.SubsetRandomSampler(indices, generator=_seeded(2)))
    assert len(ember.utils.data.SubsetRandomSampler(indices)) == 5


def test_weighted_random_sampler_with_replacement():
    weights = [0.0, 1.0, 3.0, 0.0]
    drawn = list(ember.utils.data.WeightedRandomSampler(weights, 4000, generator=_seeded(7)))
    counts = Counter(drawn)
    assert set(counts) == {1, 2}
    assert 2800 < counts[2] < 3200        # 3/4 of the draws (sd ~27)


def test_weighted_random_sampler_without_replacement():
    sampler = ember.utils.data.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False)
    drawn = list(sampler)
    assert len(drawn) == len(sampler) == 5 and len(set(drawn)) == 5
    assert sampler.weights.dtype is ember.float64


@pytest.mark.parametrize("args, kwargs", [
    (([1.0, 2.0], 0), {}), (([1.0, 2.0], True), {}), (([1.0, 2.0], 2.5), {}),
    (([1.0, 2.0], 2), {"replacement": 1}), (([[1.0, 2.0]], 2), {}),
])
def test_weighted_random_sampler_errors(args, kwargs):
    same_error(lambda m: m.utils.data.WeightedRandomSampler(*args, **kwargs))


@pytest.mark.parametrize("weights, n, replacement", [([1.0, 2.0], 3, False), ([-1.0, 2.0], 1, True)])
def test_weighted_random_sampler_sampling_errors(weights, n, replacement):
    same_error(lambda m: list(m.utils.data.WeightedRandomSampler(weights, n, replacement=replacement)))


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 23), batch_size=st.integers(1, 7), drop_last=st.booleans())
def test_batch_sampler_matches_torch(size, batch_size, drop_last):
    def run(m):
        sampler = m.utils.data.BatchSampler(m.utils.data.SequentialSampler(range(size)), batch_size, drop_last)
        return list(sampler), len(sampler)
    same_result(run)


def test_batch_sampler_over_a_plain_iterable():
    same_result(lambda m: list(m.utils.data.BatchSampler(iter("abcde"), 2, False)))


@pytest.mark.parametrize("batch_size, drop_last", [(0, False), (-1, False), (True, False), (2.0, False),
                                                   (2, 1), (2, None)])
def test_batch_sampler_errors(batch_size, drop_last):
    same_error(lambda m: m.utils.data.BatchSampler(range(5), batch_size, drop_last))


@pytest.mark.parametrize("size, replicas, drop_last", [(10, 3, False), (10, 3, True), (2, 4, False), (8, 4, True)])
def test_distributed_sampler_without_shuffle_matches_torch(size, replicas, drop_last):
    def run(m):
        parts = [m.utils.data.DistributedSampler(range(size), num_replicas=replicas, rank=rank, shuffle=False,
                                                  drop_last=drop_last) for rank in range(replicas)]
        return [list(p) for p in parts], [len(p) for p in parts]
    same_result(run)


def test_distributed_sampler_shuffles_by_epoch():
    samplers = [ember.utils.data.DistributedSampler(range(9), num_replicas=3, rank=r, seed=4) for r in range(3)]
    epoch0 = [list(s) for s in samplers]
    assert sorted(np.concatenate(epoch0).tolist()) == list(range(9))
    for s in samplers:
        s.set_epoch(1)
    epoch1 = [list(s) for s in samplers]
    assert sorted(np.concatenate(epoch1).tolist()) == list(range(9))
    assert epoch0 != epoch1
    samplers[0].set_epoch(0)
    assert list(samplers[0]) == epoch0[0]


def test_distributed_sampler_errors():
    same_error(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2), match="Invalid rank 2")
    with pytest.raises(RuntimeError, match="Requires distributed package"):
        ember.utils.data.DistributedSampler(range(4))


def test_docstring_examples():
    globs = {"ember": ember, **{name: getattr(ember_sampler, name) for name in ember_sampler.__all__}}
    result = doctest.testmod(ember_sampler, globs=globs)
    assert result.attempted > 0 and result.failed == 0
