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

from ecsship.ui.width import WIDTH, cut, wrap


class _Router:
    def __init__(self, real, json_lines: bool, lock: threading.Lock, local: threading.local, board=None):
        self.real = real
        self.board = board  # on a terminal: a service's lines are kept for its section
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
        if lines and self.board is not None:
            self.board.keep(name, lines)
        elif lines:
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
        if not line:
            return f"{name} |"
        prefix = f"{name} | "
        # The views fit their lines in WIDTH; the label must not push them over it.
        indent = line[: len(line) - len(line.lstrip())] + "  "
        return "\n".join(prefix + part for part in wrap(line, max(WIDTH - len(prefix), 40), indent=indent))

    def flush_thread(self) -> None:
        name = getattr(self.local, "service", None)
        rest = self._pending().pop(id(self), "")
        if name is not None and rest and self.board is not None:
            self.board.keep(name, [rest])
        elif name is not None and rest:
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


class Board:
    """On a terminal: a live table of the services (waiting, running, done) under the sections, each
    section printed whole once its service is done (so sections never interleave)."""

    def __init__(self, console, names: list[str]):
        from rich.live import Live

        self.console = console
        self.state = {name: "waiting" for name in names}
        self.lines: dict[str, list[str]] = {}
        self.lock = threading.Lock()
        self.live = Live(self.render(), console=console, refresh_per_second=4, transient=True, get_renderable=self.render)

    def render(self):
        from rich.table import Table

        table = Table(box=None, show_header=False, pad_edge=False)
        for name, state in self.state.items():
            style = {"waiting": "dim", "running": "cyan"}.get(state, "red" if state.startswith(("failed", "skipped", "interrupted")) else "green")
            table.add_row(f"  {name[:40]}", state[:56], style=style)
        return table

    def keep(self, name: str, lines: list[str]) -> None:
        with self.lock:
            self.lines.setdefault(name, []).extend(lines)

    def start(self, name: str) -> None:
        self.state[name] = "running"

    def section(self, name: str) -> None:
        with self.lock:
            lines = self.lines.pop(name, [])
        width = min(self.console.width, WIDTH)
        self.console.print(f"── {name} " + "─" * max(3, width - 4 - len(name)), style="bold", markup=False, highlight=False,
                           soft_wrap=True)
        for line in lines:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def result(self, name: str, what: str) -> None:
        self.state[name] = what


class Routing:
    def __init__(self, out_router: _Router, err_router: _Router, local: threading.local, board: Board | None = None):
        self._routers = (out_router, err_router)
        self._local = local
        self.board = board

    @contextmanager
    def service(self, name: str) -> Iterator[None]:
        """Everything this thread prints inside is labelled with `name` (on a terminal: kept for its section)."""
        self._local.service = name
        if self.board is not None:
            self.board.start(name)
        try:
            yield
        finally:
            for router in self._routers:
                router.flush_thread()
            self._local.service = None
            if self.board is not None:
                self.board.section(name)

    def finished(self, name: str, what: str) -> None:
        if self.board is not None:
            self.board.result(name, what)


@contextmanager
def routed_output(json_mode: bool, live: bool = False, names: list[str] | None = None) -> Iterator[Routing]:
    """`live` (a terminal, text): sections whole, with a live table of the services below them."""
    lock, local = threading.Lock(), threading.local()
    real_out, real_err = sys.stdout, sys.stderr
    board = None
    if live and not json_mode and names:
        from rich.console import Console

        board = Board(Console(file=real_out, emoji=False, highlight=False), names)
    out_router, err_router = _Router(real_out, json_mode, lock, local, board), _Router(real_err, False, lock, local, board)
    sys.stdout, sys.stderr = out_router, err_router  # type: ignore[assignment]
    try:
        if board is not None:
            with board.live:
                yield Routing(out_router, err_router, local, board)
        else:
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
        out.print(f"  {r.name[:name_w]:<{name_w}}  {cut(r.what, 42):<42} {(r.revision or '-')[:14]:<14} {took:>8}", styles.get(r.status))
