"""A per-run read cache at the botocore level: while it is on (`Aws.caching_reads()`, around a plan),
the same read operation with the same request is sent to AWS once and answered from memory after
that; any write empties it, as nothing read before a write can be trusted after it (issue #20).

Errors are never kept: botocore emits `after-call` before it raises for a status of 300 or more,
so only answers below 300 are stored. Each hit returns its own deep copy: callers may change what
they get. Off by default: a watcher polling DescribeServices must see the service move.
"""
from __future__ import annotations

import copy
import json
import threading

from ecsship.aws.operations import is_read_operation

_KEY = "ecsship_read_cache_key"


class ReadCache:
    def __init__(self) -> None:
        self._answers: dict[tuple, tuple] = {}
        self._lock = threading.Lock()
        self.active = 0  # nesting depth of caching_reads(); 0: off
        self.hits = 0

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
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self.hits += 1
                return answer[0], copy.deepcopy(answer[1])
        if context is not None:
            context[_KEY] = key
        return None

    def store(self, http_response, parsed, context: dict | None) -> None:
        key = (context or {}).pop(_KEY, None)
        if key is None or not self.active or http_response is None or http_response.status_code >= 300:
            return
        with self._lock:
            self._answers[key] = (http_response, copy.deepcopy(parsed))

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
