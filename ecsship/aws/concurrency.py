"""Reads side by side (issue #20 item 1): against real AWS a call takes tens of milliseconds, and a
plan's reads of independent resources need not wait for each other.

`Pool` is a bounded set of worker threads. botocore clients are thread safe once made (the boto3
session that makes them is not: `Aws.client` makes them under a lock), so workers share one `Aws`.
Workers are daemon threads: Ctrl-C (a KeyboardInterrupt in the main thread, the only one Python
delivers signals to) leaves at once; a read still in flight is abandoned with the process.

`run_by_needs` runs a dependency graph on a pool (a plan: a resource's read starts once the
resources it refers to are planned); `gather` runs a few calls side by side from anywhere (a
reconciler's independent calls), on the pool of the thread it runs on, else one after another.
Results always come back in the order asked, whatever order they complete in.
"""
from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from typing import Callable, Hashable, Iterator, Mapping, Sequence, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

WORKERS = 8  # reads in flight at once: enough for a plan's widest level, few enough not to be throttled

CLOSE_WAIT = 0.2  # seconds: the pool's lock is only ever held for a moment
_local = threading.local()


class Pool:
    """Up to `workers` daemon threads running submitted calls; threads start as work arrives."""

    def __init__(self, workers: int = WORKERS):
        self.workers = max(1, workers)
        self._queue: deque[tuple[Future, Callable[[], object]]] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def submit(self, call: Callable[[], T]) -> "Future[T]":
        future: Future = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the pool is closed")
            self._queue.append((future, call))
            # Idle workers woken but not yet running count as taken: one more call than them, one more thread.
            if len(self._queue) > self._idle and len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, name=f"ecsship-read-{len(self._threads) + 1}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._ready.notify()
        return future

    def _work(self) -> None:
        _local.pool = self
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._idle += 1
                    self._ready.wait()
                    self._idle -= 1
                if not self._queue:
                    return
                future, call = self._queue.popleft()
            run(future, call)

    def close(self) -> None:
        """Start nothing more: queued calls are cancelled, running ones finish on their own."""
        if not self._ready.acquire(timeout=CLOSE_WAIT):
            # Ctrl-C struck this thread between taking the lock and entering `with` (CPython cannot
            # rule that out), leaving it held: leave the workers (daemon threads) as they are.
            self._closed = True
            return
        try:
            self._closed = True
            while self._queue:
                self._queue.popleft()[0].cancel()
            self._ready.notify_all()
        finally:
            self._ready.release()

    @contextmanager
    def active(self) -> Iterator["Pool"]:
        """Within: this thread's `gather` uses this pool; on leaving (Ctrl-C included) it is closed."""
        previous = getattr(_local, "pool", None)
        _local.pool = self
        try:
            yield self
        finally:
            _local.pool = previous
            self.close()


def run(future: Future, call: Callable[[], object]) -> None:
    """Run `call` into `future` unless it was cancelled."""
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(call())
    except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
        future.set_exception(exc)


def current() -> Pool | None:
    """The pool of this thread (a worker's own, or the one a coordinator made active), if any."""
    return getattr(_local, "pool", None)


def gather(calls: Sequence[Callable[[], T]]) -> list[T]:
    """[call() for call in calls], side by side on this thread's pool when there is one. Every call
    finishes before this returns; the first exception in the calls' order is raised."""
    pool = current()
    if pool is None or len(calls) < 2:
        return [call() for call in calls]
    futures: list[Future] = [Future()]
    try:
        futures += [pool.submit(call) for call in calls[1:]]
    except RuntimeError:  # the pool closed under us (Ctrl-C): finish here
        return [call() for call in calls]
    run(futures[0], calls[0])
    for i, call in enumerate(calls[1:], 1):
        # Not started yet: run it here rather than wait for a worker (a worker waiting on work only
        # queued behind it could otherwise wait for ever).
        if futures[i].cancel():
            futures[i] = Future()
            run(futures[i], call)
    wait(futures)
    return [future.result() for future in futures]


def run_by_needs(pool: Pool, keys: Sequence[K], needs: Mapping[K, set], start: Callable[[K], Callable[[], T]],
                 finish: Callable[[K, T], None]) -> None:
    """Run a dependency graph: `start(key)` (called here, in this thread) gives the call to run on the
    pool, once every key of `needs[key]` that is among `keys` has finished; `finish(key, result)` is
    called here too, in completion order, before anything that needs the key starts.

    Keys start in `keys` order among those ready. An exception from a call (or from `start` or
    `finish`) starts nothing more; the calls running are waited for and the exception of the key
    earliest in `keys` is raised. Ctrl-C stops waiting at once."""
    order = {key: i for i, key in enumerate(keys)}
    waiting = {key: {n for n in needs.get(key, ()) if n in order and n != key} for key in keys}
    running: dict[Future, K] = {}
    failed: dict[K, BaseException] = {}

    def launch() -> None:
        for key in [k for k in keys if k in waiting and not waiting[k]]:
            del waiting[key]
            try:
                call = start(key)
            except Exception as exc:  # noqa: BLE001 - reported in keys order below
                failed[key] = exc
                return
            running[pool.submit(call)] = key

    launch()
    while running:
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in sorted(done, key=lambda f: order[running[f]]):
            key = running.pop(future)
            try:
                finish(key, future.result())
            except Exception as exc:  # noqa: BLE001 - reported in keys order below
                failed[key] = exc
                continue
            for rest in waiting.values():
                rest.discard(key)
        if not failed:
            launch()
    if failed:
        raise failed[min(failed, key=order.__getitem__)]
    if waiting:  # a cycle among `needs`: never for refs of a desired model, a bug if it happens
        raise RuntimeError(f"unresolvable dependencies among {sorted(map(str, waiting))}")
