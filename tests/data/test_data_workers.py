"""DataLoader worker processes: same batches as in-process loading, sharding, seeding, errors, clean shutdown.

Every test is guarded by an alarm, so a hang fails the test instead of stalling the suite.
Datasets are tiny and at most two workers run at a time (the suite runs on two cores).
"""

import gc
import math
import multiprocessing
import os
import random
import signal
import threading
import time

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info

ALARM_SECONDS = 30


def _children():
    return {process.pid for process in multiprocessing.active_children()}


def _children_left(before, grace_seconds=10.0):
    """Worker processes started during the test that are still alive after a grace period.

    A worker that was told to stop may take a moment to exit on a loaded machine; a leaked
    one never does, so waiting a little keeps the check strict without making it flaky.
    """
    deadline = time.monotonic() + grace_seconds
    left = _children() - before
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = _children() - before
    return left


@pytest.fixture(autouse=True)
def no_hang_and_no_children():
    """Fail a test that runs too long; check that no worker process outlives its test."""
    before = _children()
    use_alarm = threading.current_thread() is threading.main_thread()
    if use_alarm:
        def hung(signum, frame):
            raise TimeoutError(f"test still running after {ALARM_SECONDS} s")
        previous = signal.signal(signal.SIGALRM, hung)
        signal.alarm(ALARM_SECONDS)
    try:
        yield before
        gc.collect()
        assert _children_left(before) == set()
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def _batches(loader):
    return [[t.tolist() for t in batch] if isinstance(batch, (list, tuple)) else batch.tolist() for batch in loader]


class Failing(Dataset):
    """Raises ``error`` for item 3."""

    def __init__(self, error):
        self.error = error

    def __getitem__(self, i):
        if i == 3:
            raise self.error
        return i

    def __len__(self):
        return 8


class Exiting(Dataset):
    """Its worker process exits abruptly at item 3 (as if it crashed)."""

    def __getitem__(self, i):
        if i == 3:
            os._exit(7)
        return i

    def __len__(self):
        return 8


class Slow(Dataset):
    def __getitem__(self, i):
        time.sleep(0.6)
        return i

    def __len__(self):
        return 4


class Sharded(IterableDataset):
    """range(start, end), split into contiguous shares by get_worker_info()."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        share = math.ceil((self.end - self.start) / info.num_workers)
        first = self.start + info.id * share
        return iter(range(first, min(first + share, self.end)))


class WorkerFacts(Dataset):
    """Each sample tells which process made it, with its WorkerInfo and its first random draws."""

    def __getitem__(self, i):
        info = get_worker_info()
        return {"pid": os.getpid(), "id": info.id, "num_workers": info.num_workers, "seed": info.seed,
                "same_dataset_type": type(info.dataset) is WorkerFacts, "ember": ember.rand(1).item(),
                "python": random.random(), "numpy": float(np.random.rand())}

    def __len__(self):
        return 4


def test_workers_give_the_same_batches_as_the_main_process():
    data = TensorDataset(ember.arange(23), ember.randn(23, 3))

    def epoch(num_workers):
        loader = DataLoader(data, batch_size=4, shuffle=True, num_workers=num_workers,
                            generator=ember.Generator().manual_seed(9))
        return _batches(loader)
    in_process = epoch(0)
    assert epoch(2) == in_process
    assert sorted(i for batch in in_process for i in batch[0]) == list(range(23))


def test_workers_without_batching_and_with_prefetch_factor():
    loader = DataLoader(list(range(9)), batch_size=None, num_workers=2, prefetch_factor=1)
    assert list(loader) == list(range(9))
    out_of_order = DataLoader(range(9), batch_size=2, num_workers=2, in_order=False)
    assert sorted(sum(_batches(out_of_order), [])) == list(range(9))


def test_iterable_dataset_sharding_covers_each_item_once():
    items = sum(_batches(DataLoader(Sharded(3, 14), batch_size=2, num_workers=2)), [])
    assert sorted(items) == list(range(3, 14))
    assert [x for x in DataLoader(Sharded(3, 14), batch_size=None, num_workers=2)] == \
        [3, 9, 4, 10, 5, 11, 6, 12, 7, 13, 8]       # alternating between the two workers' shares


def test_worker_info_seeds_and_init_fn():
    seen = multiprocessing.get_context().Queue()

    def init(worker_id):
        info = get_worker_info()
        seen.put((worker_id, info.id, info.num_workers))

    def epoch(seed):
        loader = DataLoader(WorkerFacts(), batch_size=None, num_workers=2, worker_init_fn=init,
                            generator=ember.Generator().manual_seed(seed))
        return list(loader)
    first = epoch(0)
    assert sorted((seen.get(timeout=5), seen.get(timeout=5))) == [(0, 0, 2), (1, 1, 2)]
    assert [s["id"] for s in first] == [0, 1, 0, 1]
    assert all(s["num_workers"] == 2 and s["same_dataset_type"] for s in first)
    assert first[1]["seed"] == first[0]["seed"] + 1
    assert len({s["pid"] for s in first}) == 2 and os.getpid() not in {s["pid"] for s in first}
    for source in ("ember", "python", "numpy"):
        assert first[0][source] != first[1][source]         # each worker has its own stream
    again = epoch(0)
    for a, b in zip(first, again):
        assert {k: a[k] for k in ("seed", "ember", "python", "numpy")} == \
            {k: b[k] for k in ("seed", "ember", "python", "numpy")}
    assert epoch(1)[0]["seed"] != first[0]["seed"]
    for _ in range(4):              # the two later epochs' workers reported too
        seen.get(timeout=5)


def test_worker_exception_is_reraised_with_its_traceback():
    loader = DataLoader(Failing(ValueError("item three is broken")), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as info:
        list(loader)
    message = str(info.value)
    assert message.startswith("Caught ValueError in DataLoader worker process 1.\n"
                              "Original Traceback (most recent call last):\n")
    assert "item three is broken" in message and "raise self.error" in message
    del info


def test_worker_key_error_and_init_error():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(DataLoader(Failing(KeyError("missing")), num_workers=2))

    def broken_init(worker_id):
        raise RuntimeError(f"cannot start worker {worker_id}")
    with pytest.raises(RuntimeError, match="cannot start worker 0"):
        list(DataLoader(range(4), num_workers=2, worker_init_fn=broken_init))


def test_unpicklable_batch_is_an_error_not_a_hang():
    with pytest.raises(Exception, match="in DataLoader worker process"):
        list(DataLoader(range(4), num_workers=2, collate_fn=lambda batch: lambda: batch))


def test_dead_worker_is_reported():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Exiting(), num_workers=2))
    assert time.monotonic() - start < 10


def test_timeout():
    iterator = iter(DataLoader(Slow(), num_workers=2, timeout=0.1))
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.1 seconds"):
        next(iterator)
    del iterator


def test_early_break_and_exceptions_stop_the_workers(no_hang_and_no_children):
    before = no_hang_and_no_children
    loader = DataLoader(range(100), batch_size=2, num_workers=2)
    for _batch in loader:
        assert len(_children() - before) == 2
        break
    assert _children() == before            # the dropped iterator stopped its workers at once
    with pytest.raises(ZeroDivisionError):
        for _batch in loader:
            raise ZeroDivisionError("an error in the loop body")
    assert _children() == before
    iterator = iter(loader)
    next(iterator)
    del iterator
    assert _children() == before


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(range(10), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    for _batch in loader:           # leave an epoch early: its prefetched batches must not leak into the next
        break
    second = [b.tolist() for b in loader]
    assert first == second == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [w.pid for w in loader._iterator._workers] == pids
    assert all(w.is_alive() for w in loader._iterator._workers)
    streamed = DataLoader(Sharded(0, 5), batch_size=None, num_workers=2, persistent_workers=True)
    assert sorted(streamed) == sorted(streamed) == list(range(5))
    del loader, streamed


def test_spawn_context():
    loader = DataLoader(TensorDataset(ember.arange(5)), batch_size=2, num_workers=2, multiprocessing_context="spawn")
    assert _batches(loader) == [[[0, 1]], [[2, 3]], [[4]]]


def test_unpicklable_dataset_with_spawn_fails_cleanly():
    class Local(Dataset):           # a class local to a function cannot be pickled for a spawned worker
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 2
    with pytest.raises(Exception, match="pickle|Can't get local object"):
        iter(DataLoader(Local(), num_workers=2, multiprocessing_context="spawn"))


def test_retiring_workers_never_block_the_others():
    # A worker whose stream ends is told to stop while the others still send results; it used to exit
    # holding the result queue's shared write lock now and then (about one epoch in twenty), and the
    # loop then hung. Many short epochs make that race show up within the alarm.
    for _ in range(40):
        assert list(DataLoader(Sharded(3, 14), batch_size=None, num_workers=2)) == \
            [3, 9, 4, 10, 5, 11, 6, 12, 7, 13, 8]
