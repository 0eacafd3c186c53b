"""The DataLoader: batches from a dataset, in the main process or in worker processes.

``iter(loader)`` gives an iterator. With ``num_workers=0`` it fetches and collates in the
main process. With ``num_workers > 0`` it starts worker processes (the default
multiprocessing start method, or ``multiprocessing_context``), each with its own index
queue and all sharing one result queue. The iterator keeps ``prefetch_factor *
num_workers`` tasks in flight, hands them to the workers in turn, and yields the results
in the order of the indices (``in_order=False``: as they arrive). It polls the result
queue with short timeouts and checks that the workers are alive, so a dead worker is an
error, never a hang; exhausting, leaving or dropping the iterator shuts the workers down.

``pin_memory`` is accepted and does nothing: ember's CPU tensors have no pinned memory.
"""

import atexit
import itertools
import math
import multiprocessing
import os
import queue
import time
import warnings
from typing import Generic, TypeVar

from ... import _dtype
from ... import cuda as _cuda
from ..._creation import empty
from ...random import random_
from . import _worker
from ._collate import default_collate, default_convert
from ._worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, get_worker_info
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

_POLL_SECONDS = 0.1         # how often the main process checks on its workers while waiting for data
_JOIN_SECONDS = 2.0         # how long shutdown waits for a worker before terminating it


class _DatasetKind:
    """Map-style or iterable, which decides the fetcher and the default sampler."""

    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        return _worker.create_fetcher(kind == _DatasetKind.Iterable, dataset, auto_collation, collate_fn,
                                      drop_last)


class _InfiniteConstantSampler(Sampler):
    """Yields ``None`` forever: the indices of an iterable dataset, which fetches by position in its stream."""

    def __iter__(self):
        while True:
            yield None


def _start_method_context(context):
    """A multiprocessing context from a start-method name or a context object (PyTorch's checks)."""
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                             f"{methods!r}, but got multiprocessing_context={context!r}")
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(f"multiprocessing_context option should be a valid context object or a string specifying "
                        f"the start method, but got multiprocessing_context={context}")
    return context


class DataLoader(Generic[_T_co]):
    """Iterate over a dataset in batches, optionally shuffled, optionally loaded by worker processes.

    Map-style datasets are visited in ``sampler`` order (sequential, or random with
    ``shuffle=True``), grouped by ``batch_size`` (or by ``batch_sampler``) and collated by
    ``collate_fn`` (``default_collate``); ``batch_size=None`` turns batching off. Iterable
    datasets are read in stream order. ``generator`` drives the shuffling and the workers'
    base seed, so the same seeded generator gives the same epoch.

    >>> loader = DataLoader(ember.arange(5), batch_size=2)
    >>> [batch.tolist() for batch in loader]
    [[0, 1], [2, 3], [4]]
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        prefetch_factor = _checked_prefetch_factor(prefetch_factor, num_workers)
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            _check_iterable_options(shuffle, sampler, batch_sampler)
        else:
            self._dataset_kind = _DatasetKind.Map
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")

        if sampler is None:
            sampler = self._default_sampler(dataset, shuffle, generator)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None     # len(dataset) once len(loader) was asked for
        self._iterator = None                       # the persistent workers' iterator
        self.check_worker_number_rationality()

    def _default_sampler(self, dataset, shuffle, generator):
        if self._dataset_kind == _DatasetKind.Iterable:
            return _InfiniteConstantSampler()
        if shuffle:
            return RandomSampler(dataset, generator=generator)
        return SequentialSampler(dataset)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers == 0:
                raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            multiprocessing_context = _start_method_context(multiprocessing_context)
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, value):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                           "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if not (self.persistent_workers and self.num_workers > 0):
            return self._get_iterator()
        if self._iterator is None:
            self._iterator = self._get_iterator()
        else:
            self._iterator._reset(self)
        return self._iterator

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the iterator draws from: lists of indices when batching, single indices otherwise."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Map:
            return len(self._index_sampler)
        length = self._IterableDataset_len_called = len(self.dataset)
        if self.batch_size is None:
            return length
        if self.drop_last:
            return length // self.batch_size
        return math.ceil(length / self.batch_size)

    def check_worker_number_rationality(self):
        """Warn when the loader would start more workers than this process may use CPUs."""
        if not self.num_workers:
            return
        affinity = hasattr(os, "sched_getaffinity")
        suggested = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
        if suggested is not None and self.num_workers <= suggested:
            return
        if suggested is None:
            advice = "DataLoader is not able to compute a suggested max number of worker in current system."
        else:
            cpuset = "" if affinity else " (`cpuset` is not taken into account)"
            advice = (f"Our suggested max number of worker in current system is {suggested}{cpuset}, which is "
                      "smaller than what this DataLoader is going to create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {advice} Please "
                      "be aware that excessive worker creation might get DataLoader running slow or even freeze, "
                      "lower the worker number to avoid potential slowness/freeze if necessary.", UserWarning,
                      stacklevel=3)


def _checked_prefetch_factor(prefetch_factor, num_workers):
    """PyTorch's checks on ``prefetch_factor``; 2 when workers are used and none was given."""
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                         "to enable multiprocessing, otherwise set prefetch_factor to None.")
    if num_workers > 0 and prefetch_factor is None:
        return 2
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    return prefetch_factor


def _check_iterable_options(shuffle, sampler, batch_sampler):
    """An iterable dataset sets its own order: no shuffle, sampler or batch_sampler."""
    if shuffle not in (False, None):
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                         f"shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                         f"sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, but got "
                         f"batch_sampler={batch_sampler}")


def _warn_about_pin_memory(loader):
    if not loader.pin_memory:
        return
    if loader.pin_memory_device:
        warnings.warn(f"pin_memory_device is deprecated, the current accelerator will be used as the device,"
                      f"ignore pin_memory_device='{loader.pin_memory_device}'.", UserWarning, stacklevel=4)
    if not _cuda.is_available():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                      "memory won't be used.", UserWarning, stacklevel=4)


class _BaseDataLoaderIter:
    """State shared by both iterators: the index stream, collation settings and the workers' base seed."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        _warn_about_pin_memory(loader)
        self._pin_memory = False
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(random_(empty((), dtype=_dtype.int64), generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        reported = self._IterableDataset_len_called
        if self._dataset_kind == _DatasetKind.Iterable and reported is not None and self._num_yielded > reported:
            message = (f"Length of IterableDataset {self._dataset} was reported to be {reported}(when accessing "
                       f"len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                message += ("For multiprocessing data-loading, this could be caused by not properly configuring "
                            "the IterableDataset replica at each worker. Please see "
                            "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for "
                            "examples.")
            warnings.warn(message, UserWarning, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Fetches and collates in the main process."""

    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(self._dataset_kind, self._dataset,
                                                            self._auto_collation, self._collate_fn,
                                                            self._drop_last)

    def _next_data(self):
        index = self._next_index()
        return self._dataset_fetcher.fetch(index)


class _WorkerPool:
    """One iterator's worker processes, their index queues, the shared result queue and the stop event.

    Live pools are held by ``_live_pools``, not only by their iterator. An iterator that dies
    in a reference cycle (an exception's traceback holds it) is collected together with
    everything only it refers to, and the collector runs the queues' and processes' own
    weakref finalizers (closing pipes, stopping feeder threads) before the iterator's
    ``__del__``. Kept out of the garbage, the pool still works when ``__del__`` shuts it down.
    """

    def __init__(self, context):
        self.context = context
        self.owner_pid = os.getpid()
        self.result_queue = context.Queue()
        self.done_event = context.Event()
        self.index_queues = []
        self.workers = []
        self.closed = False
        _live_pools.add(self)

    def start_worker(self, worker_args):
        """Start one worker running ``_worker_loop`` with its own index queue and ``worker_args``."""
        index_queue = self.context.Queue()
        index_queue.cancel_join_thread()
        args = (worker_args[0], worker_args[1], index_queue, self.result_queue, self.done_event) + worker_args[2:]
        process = self.context.Process(target=_worker._worker_loop, args=args, daemon=True)
        process.start()
        self.index_queues.append(index_queue)
        self.workers.append(process)

    def put(self, worker_id, task):
        self.index_queues[worker_id].put(task)

    def get(self, timeout):
        """The next ``(task_id, data)`` from any worker; ``queue.Empty`` after ``timeout`` seconds."""
        return _worker._unpickled(self.result_queue.get(timeout=timeout))

    def dead_workers(self, expected_alive):
        """The workers that should be running (``expected_alive[i]``) but have exited."""
        return [worker for worker, alive in zip(self.workers, expected_alive) if alive and not worker.is_alive()]

    def shutdown(self):
        """Stop every worker: a sentinel to each, a bounded wait, then terminate; close the queues."""
        if self.closed or os.getpid() != self.owner_pid:
            return
        self.closed = True
        _live_pools.discard(self)
        try:
            self.done_event.set()
            for index_queue in self.index_queues:
                index_queue.put(None)
            for worker in self.workers:
                worker.join(timeout=_JOIN_SECONDS)
            for worker in self.workers:
                _stop(worker)
        finally:
            for index_queue in self.index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
            self.result_queue.cancel_join_thread()
            self.result_queue.close()


_live_pools = set()


@atexit.register
def _shut_down_live_pools():
    for pool in list(_live_pools):
        pool.shutdown()


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Hands indices to worker processes and yields their results in index order.

    Task ``k`` (the ``k``-th index drawn this epoch) goes to the next active worker in turn.
    ``_task_worker`` maps each task not yet yielded to its worker, ``_arrived`` holds results
    that came before their turn, and ``_rcvd_idx`` is the next task to yield.
    """

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        self._pool = _WorkerPool(loader.multiprocessing_context or multiprocessing.get_context())
        try:
            for worker_id in range(self._num_workers):
                self._pool.start_worker((self._dataset_kind == _DatasetKind.Iterable, self._dataset,
                                         self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                                         loader.worker_init_fn, worker_id, self._num_workers))
        except BaseException:
            self._pool.shutdown()
            raise
        self._reset(loader, first_iter=True)

    @property
    def _workers(self):
        return self._pool.workers

    @property
    def _shutdown(self):
        return self._pool.closed

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_worker = {}
        self._arrived = {}
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            self._resume_workers()
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _resume_workers(self):
        """Start a new epoch on persistent workers, dropping whatever the last epoch left in flight."""
        for worker_id in range(self._num_workers):
            self._pool.put(worker_id, _ResumeIteration())
        waiting = self._num_workers
        while waiting > 0:
            task_id, _ = self._get_data()
            if isinstance(task_id, _ResumeIteration):
                waiting -= 1

    def _try_put_index(self):
        """Send the next index to the next active worker, if there is an index and an active worker."""
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return
        self._pool.put(worker_id, (self._send_idx, index))
        self._task_worker[self._send_idx] = worker_id
        self._send_idx += 1

    def _skip_dead_tasks(self):
        """Move ``_rcvd_idx`` past tasks already yielded and tasks of workers whose stream has ended."""
        while self._rcvd_idx < self._send_idx:
            worker_id = self._task_worker.get(self._rcvd_idx)
            if worker_id is not None and (self._rcvd_idx in self._arrived or self._workers_status[worker_id]):
                return
            self._task_worker.pop(self._rcvd_idx, None)
            self._rcvd_idx += 1

    def _next_data(self):
        if self._shutdown:
            raise StopIteration
        while True:
            self._skip_dead_tasks()
            if self._rcvd_idx >= self._send_idx:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._arrived:
                return self._deliver(self._rcvd_idx, self._arrived.pop(self._rcvd_idx))
            task_id, data = self._get_data()
            if isinstance(data, _IterableDatasetStopIteration):
                self._retire_worker(data.worker_id)
                self._try_put_index()
            elif task_id == self._rcvd_idx or not self._in_order:
                return self._deliver(task_id, data)
            else:
                self._arrived[task_id] = data

    def _deliver(self, task_id, data):
        """Yield one task's result: refill the pipeline, then return the data or raise the worker's error."""
        del self._task_worker[task_id]
        if task_id == self._rcvd_idx:
            self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _retire_worker(self, worker_id):
        """A worker whose iterable stream ended gets no more tasks (and, unless persistent, stops)."""
        self._workers_status[worker_id] = False
        if not self._persistent_workers:
            self._pool.put(worker_id, None)

    def _get_data(self):
        """The next ``(task_id, data)`` from any worker, checking on the workers while waiting."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = _POLL_SECONDS if deadline is None else max(0.0, min(_POLL_SECONDS, deadline - time.monotonic()))
            try:
                return self._pool.get(wait)
            except queue.Empty:
                self._check_workers_alive()
                if deadline is not None and time.monotonic() >= deadline:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def _check_workers_alive(self):
        dead = self._pool.dead_workers(self._workers_status)
        if dead:
            pids = ", ".join(str(worker.pid) for worker in dead)
            self._shutdown_workers()
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")

    def _shutdown_workers(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:       # interpreter shutdown may already have torn modules down
            pass


def _stop(worker):
    """Terminate a worker that did not exit by itself, then kill it if it ignores that; reap it."""
    if worker.is_alive():
        worker.terminate()
        worker.join(timeout=_JOIN_SECONDS)
    if worker.is_alive():
        worker.kill()
        worker.join()
