"""Output of a run over many services: each service's lines prefixed with its name (its own section when
read in order; in CI a job log keeps them apart), JSON events carrying `service`, and one summary table.

While services run in parallel threads, `routed_output` puts a router in sys.stdout and sys.stderr: what a
thread writes goes out whole lines at a time, prefixed with the service that thread works for.
"""
from __future__ import annotations

import json
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

WIDTH = 100


class _Router:
    def __init__(self, real, json_lines: bool, lock: threading.Lock, local: threading.local):
        self.real = real
        self.json_lines = json_lines
        self.lock = lock
        self.local = local
        self.encoding = getattr(real, "encoding", "utf-8")

    def _pending(self) -> dict:
        if not hasattr(self.local, "pending"):
            self.local.pending = {}
        return self.local.pending

    def write(self, text: str) -> int:
        name = getattr(self.local, "service", None)
        if name is None:
            with self.lock:
                return self.real.write(text)
        pending = self._pending()
        buffered = pending.get(id(self), "") + text
        *lines, rest = buffered.split("\n")
        pending[id(self)] = rest
        if lines:
            with self.lock:
                for line in lines:
                    self.real.write(self._label(name, line) + "\n")
                self.real.flush()
        return len(text)

    def _label(self, name: str, line: str) -> str:
        if self.json_lines and line.startswith("{"):
            try:
                payload = json.loads(line)
            except ValueError:
                payload = None
            if isinstance(payload, dict):
                return json.dumps({"service": name, **{k: v for k, v in payload.items() if k != "service"}}, default=str)
        return f"{name} | {line}" if line else f"{name} |"

    def flush_thread(self) -> None:
        name = getattr(self.local, "service", None)
        rest = self._pending().pop(id(self), "")
        if name is not None and rest:
            with self.lock:
                self.real.write(self._label(name, rest) + "\n")
                self.real.flush()

    def flush(self) -> None:
        with self.lock:
            self.real.flush()

    def isatty(self) -> bool:
        return False  # plain lines: a live view per thread would overwrite the others

    def fileno(self):
        return self.real.fileno()

    def __getattr__(self, name):
        return getattr(self.real, name)


class Routing:
    def __init__(self, out_router: _Router, err_router: _Router, local: threading.local):
        self._routers = (out_router, err_router)
        self._local = local

    @contextmanager
    def service(self, name: str) -> Iterator[None]:
        """Everything this thread prints inside is labelled with `name`."""
        self._local.service = name
        try:
            yield
        finally:
            for router in self._routers:
                router.flush_thread()
            self._local.service = None


@contextmanager
def routed_output(json_mode: bool) -> Iterator[Routing]:
    lock, local = threading.Lock(), threading.local()
    real_out, real_err = sys.stdout, sys.stderr
    out_router, err_router = _Router(real_out, json_mode, lock, local), _Router(real_err, False, lock, local)
    sys.stdout, sys.stderr = out_router, err_router  # type: ignore[assignment]
    try:
        yield Routing(out_router, err_router, local)
    finally:
        sys.stdout, sys.stderr = real_out, real_err


def show_summary(out, verb: str, results: list) -> None:
    """One table after the sections: service, what happened, revision, duration."""
    from ecsship.manifest.durations import format_duration

    if out.json_mode:
        out.emit_json_line({"event": "summary", "command": verb, "services": [r.to_json() for r in results]})
        return
    styles = {"failed": "red", "interrupted": "red", "skipped": "yellow", "changes": "yellow"}
    name_w = min(30, max([len(r.name) for r in results] + [7]))
    out.print("")
    out.print(f"ecsship {verb}: {len(results)} services", "bold")
    out.print(f"  {'service':<{name_w}}  {'result':<42} {'revision':<14} {'duration':>8}", "dim")
    for r in results:
        took = format_duration(r.duration) if r.duration else "-"
        out.print(f"  {r.name[:name_w]:<{name_w}}  {r.what[:42]:<42} {(r.revision or '-')[:14]:<14} {took:>8}", styles.get(r.status))
