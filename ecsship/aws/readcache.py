"""A per-run read cache at the botocore level: while it is on (`Aws.caching_reads()`, around a plan),
the same read operation with the same request is sent to AWS once and answered from memory after
that; any write empties it, as nothing read before a write can be trusted after it (issue #20).

Errors are never kept: botocore emits `after-call` before it raises for a status of 300 or more,
so only answers below 300 are stored. Each hit returns its own deep copy: callers may change what
they get. Off by default: a watcher polling DescribeServices must see the service move.

Reads run side by side (aws/concurrency.py): the same read asked while it is in flight waits for
that answer instead of being sent again (one "flight" per request), so a plan makes the same calls
as when its reads ran one after another. A flight ends with its answer (`store`) or its failure
(`release`, botocore's `after-call-error`); a waiter whose flight failed sends the read itself.
A read sent before a write and answered after it is not kept (a deploy's reads run beside its
writes: the answer may predate what the write changed).
"""
from __future__ import annotations

import copy
import json
import threading
from contextlib import AbstractContextManager, nullcontext

from ecsship.aws.operations import is_read_operation

_KEY = "ecsship_read_cache_key"
FLIGHT_WAIT = 120.0  # seconds a read waits for the same read in flight: beyond botocore's own timeouts and retries


class ReadCache:
    def __init__(self) -> None:
        self._answers: dict[tuple, tuple] = {}
        self._lock = threading.Lock()
        self._flights: dict[tuple, threading.Event] = {}
        self.active = 0  # nesting depth of caching_reads(); 0: off
        self.hits = 0
        self.waiting = 0  # reads waiting for the same read in flight now
        self._generation = 0  # bumped by every clear(): an answer to a read sent before it is not kept

    @staticmethod
    def key(model, request: dict) -> tuple:
        body = request.get("body")
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8", "replace")
        return (model.service_model.service_name, model.name, request.get("method"), request.get("url"),
                json.dumps(body, sort_keys=True, default=str))

    def lookup(self, model, request: dict, context: dict | None):
        """The cached `(http, parsed)` answer of this read, or None (then remembered in `context` so
        `store` can keep the answer). A write empties the cache, whether the cache is on or off."""
        if not is_read_operation(model.name):
            self.clear()
            return None
        if not self.active:
            return None
        key = self.key(model, request)
        while True:
            with self._lock:
                answer = self._answers.get(key)
                if answer is not None:
                    self.hits += 1
                    return answer[0], copy.deepcopy(answer[1])
                flight = self._flights.get(key)
                if context is None:
                    return None
                if flight is None:  # this read flies: `store` or `release` lands it
                    self._flights[key] = threading.Event()
                    context[_KEY] = (key, self._generation)
                    return None
                self.waiting += 1
            try:
                landed = flight.wait(FLIGHT_WAIT)
            finally:
                with self._lock:
                    self.waiting -= 1
            if not landed:  # a flight that never ended: send this read on its own
                return None

    def store(self, http_response, parsed, context: dict | None) -> None:
        sent = (context or {}).pop(_KEY, None)
        if sent is None:
            return
        key, generation = sent
        with self._lock:
            if self.active and generation == self._generation and http_response is not None and http_response.status_code < 300:
                self._answers[key] = (http_response, copy.deepcopy(parsed))
        self._land(key)

    def release(self, context: dict | None) -> None:
        """The read of `context` failed before any answer (a connection error): its waiters send their own."""
        sent = (context or {}).pop(_KEY, None)
        if sent is not None:
            self._land(sent[0])

    def _land(self, key: tuple) -> None:
        with self._lock:
            flight = self._flights.pop(key, None)
        if flight is not None:
            flight.set()

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._answers)


def caching_reads(aws, on: bool = True) -> AbstractContextManager:
    """`aws.caching_reads()` (a run of reads in which each distinct read is made once), or nothing
    when `on` is false or `aws` has no read cache (the test doubles of tests/doubles.py)."""
    caching = getattr(aws, "caching_reads", None)
    return caching() if on and caching is not None else nullcontext()
