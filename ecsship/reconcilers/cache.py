"""Per-invocation memo of read calls several resources share (one DescribeAlarms for all alarms).

Kept on the Aws object, which lives for one command, so nothing stale survives between commands;
writers call `forget` for what they change.
"""
from __future__ import annotations

from typing import Callable


def cached(aws, key: tuple, fetch: Callable[[], object]):
    store = aws.__dict__.setdefault("_ecsship_read_cache", {})
    if key not in store:
        store[key] = fetch()
    return store[key]


def forget(aws, key: tuple) -> None:
    aws.__dict__.setdefault("_ecsship_read_cache", {}).pop(key, None)


def forget_all(aws) -> None:
    """Drop every memo: after a failed write nothing read before it can be trusted."""
    aws.__dict__.pop("_ecsship_read_cache", None)
