"""The one place ecsship handles signals.

- `sigterm_as_interrupt`: SIGTERM (docker stop, a CI job cancelled) takes Ctrl-C's path: the
  KeyboardInterrupt stops a watch, restores scale-in, says how to follow the rollout, exits 130.
  `cli/app.main` holds it for the whole run; the rollout flows hold it too, so a run inside a test
  runner (no `main`) behaves the same.
- `StopAfterCurrent`: while `apply`/`destroy` change AWS, the first SIGINT or SIGTERM asks to stop
  after the change in progress (nothing is left half made); a second one abandons it at once.
Handlers are installed only on the main thread (Python allows no other).
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    if not _on_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class StopAfterCurrent:
    """`requested` turns true on the first SIGINT/SIGTERM (after `notify` says what happens next);
    the second raises KeyboardInterrupt."""
    def __init__(self, notify: Callable[[str], None]):
        self.notify = notify
        self.requested = False
        self._previous: dict = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.notify("\nstopping after the change in progress (press Ctrl-C again to abandon it)")

    def __enter__(self) -> "StopAfterCurrent":
        if _on_main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:  # None: an exception inside is never swallowed
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
