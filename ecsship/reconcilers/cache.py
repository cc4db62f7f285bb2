"""Per-invocation memo of read calls several resources share (one DescribeAlarms for all alarms).

Kept on the Aws object, which lives for one command, so nothing stale survives between commands;
writers call `forget` for what they change.

Plan reads run in threads (aws/concurrency.py): the memo is changed under a lock, and a key being
fetched is fetched once, its other askers waiting for that answer (one lock per key, never held
while another key's fetch runs, so a fetch that asks for another key cannot deadlock).
"""
from __future__ import annotations

import threading
from typing import Callable

_STORE = "_ecsship_read_cache"
_FETCHING = "_ecsship_read_cache_fetching"
_LOCK = threading.Lock()


def cached(aws, key: tuple, fetch: Callable[[], object]):
    with _LOCK:
        store = aws.__dict__.setdefault(_STORE, {})
        if key in store:
            return store[key]
        fetching = aws.__dict__.setdefault(_FETCHING, {}).setdefault(key, threading.RLock())
    with fetching:
        with _LOCK:
            store = aws.__dict__.setdefault(_STORE, {})
            if key in store:  # fetched by another thread while this one waited
                return store[key]
        value = fetch()
        with _LOCK:
            aws.__dict__.setdefault(_STORE, {})[key] = value
        return value


def forget(aws, key: tuple) -> None:
    with _LOCK:
        aws.__dict__.setdefault(_STORE, {}).pop(key, None)


def forget_all(aws) -> None:
    """Drop every memo: after a failed write nothing read before it can be trusted."""
    with _LOCK:
        aws.__dict__.pop(_STORE, None)
