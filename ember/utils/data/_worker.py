"""What runs inside a DataLoader worker process, and the pieces both sides of the queues share.

A worker loops: take ``(task_id, index)`` from its index queue, fetch and collate that
sample or batch, and put the pickled ``(task_id, data)`` on the one result queue that all
workers share. ``None`` on the index queue ends the loop; ``_ResumeIteration`` restarts
an epoch for persistent workers. A failure is sent back as an ``ExceptionWrapper`` that the
main process re-raises with the worker's traceback; an exhausted iterable dataset sends
``_IterableDatasetStopIteration``. Fetchers (how one index becomes data) live here too,
since the single-process iterator uses them as well.
"""

import os
import pickle
import queue
import random
import sys
import traceback

import numpy as np

from ... import random as _random
from ..._settings import set_num_threads

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_SECONDS = 0.5          # how often an idle worker checks that it should still be running

_worker_info = None          # this process's WorkerInfo while it is a DataLoader worker


class WorkerInfo:
    """What a worker process knows about itself: ``id``, ``num_workers``, ``seed`` and its ``dataset`` copy.

    >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=None)
    WorkerInfo(id=0, num_workers=2, seed=7, dataset=None)
    """

    _initialized = False

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)
        self._keys = tuple(kwargs)
        self._initialized = True

    def __setattr__(self, key, value):
        if self._initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self):
        fields = ", ".join(f"{key}={getattr(self, key)}" for key in self._keys)
        return f"{type(self).__name__}({fields})"


def get_worker_info():
    """This worker's ``WorkerInfo`` inside a DataLoader worker process; ``None`` in the main process.

    An ``IterableDataset`` uses it to give each worker its own share of the stream.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back once the worker has reset."""


class _IterableDatasetStopIteration:
    """A worker's notice that its copy of an iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _KeyErrorMessage(str):
    """A KeyError's message that prints its line breaks (KeyError shows the repr of its argument)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and formatted traceback."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = exc_info if exc_info is not None else sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise an exception of the original type whose message holds the worker's traceback."""
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=message)
        try:
            exception = self.exc_type(message)
        except Exception:
            raise RuntimeError(message) from None
        raise exception


# ----------------------------------------------------------------------------- fetchers

class _MapDatasetFetcher:
    """Fetches ``dataset[i]`` for one index, or a collated batch for a list of indices."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            samples = getitems(index)
        else:
            samples = [self.dataset[i] for i in index]
        return self.collate_fn(samples)


class _IterableDatasetFetcher:
    """Takes the next sample (or the next ``len(index)`` samples, collated) from the dataset's iterator."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        samples = []
        for _ in index:
            try:
                samples.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not samples or self.drop_last and len(samples) < len(index):
            raise StopIteration
        return self.collate_fn(samples)


def create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for an iterable (``iterable=True``) or map-style dataset."""
    kind = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


# ----------------------------------------------------------------------------- the worker process

def _seed_worker(seed, base_seed, worker_id):
    """Seed Python's ``random``, ember's default generator and NumPy's global generator for this worker."""
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([base_seed, worker_id]).generate_state(4))


def _dumps(value):
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _pickled(task_id, data, worker_id):
    """``(task_id, data)`` as bytes; data that cannot be pickled becomes an error for the main process."""
    try:
        return _dumps((task_id, data))
    except Exception:
        wrapper = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    try:
        return _dumps((task_id, wrapper))
    except Exception:       # the exception type itself cannot be pickled
        wrapper.exc_type = RuntimeError
        return _dumps((task_id, wrapper))


def _worker_loop(iterable, dataset, index_queue, result_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers):
    """The body of worker process ``worker_id``: serve tasks until told to stop or the parent dies.

    ``None`` on the index queue or a set ``done_event`` stops it; so does its parent process
    going away (the worker then has a new parent). The parent is the main process, or the
    fork server under the 'forkserver' start method.
    """
    global _worker_info
    parent_pid = os.getppid()
    try:
        set_num_threads(1)
        seed = base_seed + worker_id
        _seed_worker(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_error, fetcher = None, None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where=where)
        exhausted = False
        while os.getppid() == parent_pid and not done_event.is_set():
            try:
                task = index_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                exhausted = False
                if init_error is None:
                    fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                result_queue.put(_dumps((task, None)))
                continue
            if exhausted:
                continue            # nothing left to give this epoch
            task_id, index = task
            if init_error is not None:
                data = init_error
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data, exhausted = _IterableDatasetStopIteration(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where=where)
            result_queue.put(_pickled(task_id, data, worker_id))
            del data
    except KeyboardInterrupt:
        pass
    # At shutdown (``done_event`` set) the main process no longer reads, so leftovers must not keep
    # this process from exiting. Otherwise (an iterable worker retired mid-epoch) the main process
    # is still reading, and the feeder thread must finish: it holds the queue's shared write lock
    # while it sends, and dying with it held would block every other worker's results for good.
    if done_event.is_set():
        result_queue.cancel_join_thread()
    result_queue.close()
    result_queue.join_thread()


def _unpickled(payload):
    """The ``(task_id, data)`` pair a worker sent."""
    return pickle.loads(payload)
