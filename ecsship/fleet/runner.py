"""Run one piece of work per service: a service starts once everything it comes after succeeded, up to
`parallel` at a time. After a failure its dependants are skipped, and so is every service not started
yet unless `keep_going`. The work itself (plan, apply, deploy of one service) is a callable."""
from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable

from ecsship.fleet.order import Member, dependants


@dataclass
class Result:
    name: str
    status: str            # ok | changes | failed | skipped | interrupted
    what: str              # what happened, in a few words
    exit_code: int = 0
    revision: str = ""
    duration: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "interrupted")

    def to_json(self) -> dict:
        return {"service": self.name, "status": self.status, "what": self.what, "exit_code": self.exit_code,
                "revision": self.revision, "duration": round(self.duration, 1)}


def run(members: list[Member], work: Callable[[Member], Result], *, parallel: int = 4, keep_going: bool = False,
        ordered: bool = True, monotonic: Callable[[], float] = time.monotonic) -> list[Result]:
    """Results in the members' order. `ordered=False` ignores `after:` (read-only work such as plan)."""
    names = {m.name for m in members}
    results: dict[str, Result] = {}
    running: dict[Future, Member] = {}
    stopped = interrupted = False

    def ready(m: Member) -> bool:
        return not ordered or all(results.get(d) is not None and not results[d].failed and results[d].status != "skipped"
                                  for d in m.after if d in names)

    def timed(m: Member) -> Result:
        start = monotonic()
        result = work(m)
        if not result.duration:
            result.duration = monotonic() - start
        return result

    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="ecsship") as pool:
        while True:
            for m in members:
                if stopped or len(running) >= max(1, parallel):
                    break
                if m.name in results or m in running.values() or not ready(m):
                    continue
                running[pool.submit(timed, m)] = m
            if not running:
                break
            try:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                if interrupted:  # the second Ctrl-C: leave now (the rollouts in progress go on in AWS)
                    raise
                # The first: start nothing more; the services in progress finish and are reported.
                interrupted = stopped = True
                continue
            for future in done:
                m = running.pop(future)
                result = future.result()
                results[m.name] = result
                if result.failed and ordered:
                    for name in sorted(dependants(members, m.name) - set(results)):
                        results[name] = Result(name, "skipped", f"skipped: comes after {m.name}, which failed", 1)
                if result.status == "interrupted" or (result.failed and ordered and not keep_going):
                    stopped = True
        for m in members:  # never started: a failure (or Ctrl-C) stopped the run
            if m.name not in results:
                results[m.name] = (Result(m.name, "interrupted", "not started: interrupted", 130) if interrupted else
                                   Result(m.name, "skipped", "skipped: an earlier service failed (--keep-going runs the rest)", 1))
    return [results[m.name] for m in members]


def exit_code(results: list[Result]) -> int:
    if any(r.status == "interrupted" for r in results):
        return 130
    return 1 if any(r.failed or r.status == "skipped" for r in results) else 0
