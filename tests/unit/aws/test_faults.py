"""The fault injector's promise that one request is never faulted more than `max_consecutive` times
in a row holds when requests run on several threads (plan reads run on a pool)."""
from __future__ import annotations

import queue
import threading

from ecsship.aws.faults import FaultInjector


class _Worker:
    """A long-lived thread, like a pool's: a request and its retries all run on it."""

    def __init__(self, injector: FaultInjector):
        self.injector, self.faulted = injector, []
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while (done := self._jobs.get()) is not None:
            # Throttling only: a fault is an answer made up by the injector (a drop would raise).
            answer = self.injector._before_send(request=None, event_name="before-send.ecs.ListClusters")
            self.faulted.append(answer is not None)
            done.set()

    def send(self):
        done = threading.Event()
        self._jobs.put(done)
        assert done.wait(5)

    def stop(self):
        self._jobs.put(None)
        self._thread.join(5)


def test_another_threads_success_does_not_reset_a_requests_run_of_faults():
    injector = FaultInjector(rate=1.0, seed=3, kinds=("throttle",), max_consecutive=2)
    a, b = _Worker(injector), _Worker(injector)
    try:
        for worker in (a, a, b, a):
            worker.send()
    finally:
        a.stop()
        b.stop()
    # a's third attempt goes through: b's attempt in between is not part of a's run
    assert a.faulted == [True, True, False]
    assert b.faulted == [True]
