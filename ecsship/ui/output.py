"""The one terminal layer: every command prints through an Output.

Text goes through rich (colour only on a TTY and without NO_COLOR / --no-color);
`--output json` prints machine-readable JSON on stdout and keeps humans' messages on stderr.

A line printed where rich would print no colour (a pipe, CI's log, NO_COLOR, --no-color) is written
directly, as rich would write it (its control characters stripped), without importing rich: ~20 ms of
every command's start (issue #20 item 4). Anything richer (markup, tables, live views, a tab to expand)
still goes through rich.
"""
from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from ecsship.ui.width import wrap

if TYPE_CHECKING:
    from ecsship.errors import EcsshipError, Problem


# What rich's Text strips from a string it prints (rich.control.STRIP_CONTROL_CODES: bell, backspace,
# vertical tab, form feed, carriage return); tests/unit/ui/test_plain_lines.py compares the two.
_RICH_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))
# Environment variables with which rich may colour a stream that is not a terminal.
_RICH_FORCES = ("FORCE_COLOR", "TTY_COMPATIBLE")


class OutputSettings(Protocol):
    """What output needs from the run's options (ecsship.app.Application has them)."""

    output: str
    color: bool
    verbose: int
    quiet: bool
    debug: bool


class Output:
    _shared: "Output | None" = None

    def __init__(self, mode: str = "text", color: bool = True, verbose: int = 0, quiet: bool = False, debug: bool = False):
        self.mode = mode
        self.verbose = verbose
        self.quiet = quiet
        self.debug = debug
        self._color = color
        self._out = None
        self._err = None

    @classmethod
    def shared(cls, options: OutputSettings) -> "Output":
        if cls._shared is None or cls._shared._options_key != _key(options):
            cls._shared = cls(options.output, options.color, options.verbose, options.quiet, options.debug)
            cls._shared._options_key = _key(options)
        return cls._shared

    _options_key: tuple = ()

    # -- consoles, created on first use (rich costs import time) -----------------------
    @property
    def json_mode(self) -> bool:
        return self.mode == "json"

    @property
    def is_tty(self) -> bool:
        return sys.stdout.isatty() and os.environ.get("CI", "").lower() not in ("true", "1")

    def _console(self, stderr: bool):
        from rich.console import Console

        color = self._color and not os.environ.get("NO_COLOR")
        return Console(
            file=sys.stderr if stderr else sys.stdout,
            no_color=not color,
            color_system="auto" if color else None,
            highlight=False,
            # ARNs hold words like `:secret:` that rich would otherwise turn into emoji.
            emoji=False,
            soft_wrap=True,
        )

    def _colourless(self, stream) -> bool:
        """True when rich would print to `stream` without colour or style (its color_system None)."""
        if not self._color or os.environ.get("NO_COLOR"):
            return True
        if any(name in os.environ for name in _RICH_FORCES):
            return False
        try:
            return not stream.isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream: rich says "not a terminal"
            return True

    def line(self, text: str, style: str | None = None, *, stderr: bool = False) -> None:
        """One line of plain text (no markup) on stdout, or stderr; styled only where rich colours."""
        stream = sys.stderr if stderr else sys.stdout
        if isinstance(text, str) and "\t" not in text and self._colourless(stream):
            stream.write(text.translate(_RICH_STRIPS) + "\n")
            stream.flush()
            return
        (self.err if stderr else self.out).print(text, style=style, markup=False)

    @property
    def out(self):
        # Built per call site's stream: CliRunner swaps sys.stdout between invocations.
        if self._out is None or self._out.file is not sys.stdout:
            self._out = self._console(stderr=False)
        return self._out

    @property
    def err(self):
        if self._err is None or self._err.file is not sys.stderr:
            self._err = self._console(stderr=True)
        return self._err

    # -- messages -----------------------------------------------------------------------
    def _human(self):
        """Where human-readable messages go: stdout normally, stderr in JSON mode."""
        return self.err if self.json_mode else self.out

    def print(self, text: str = "", style: str | None = None) -> None:
        if not self.quiet:
            self.line(text, style, stderr=self.json_mode)

    def markup(self, text: str) -> None:
        if not self.quiet:
            self._human().print(text)

    def info(self, text: str) -> None:
        if not self.quiet:
            self.line(text, "dim", stderr=True)

    def success(self, text: str) -> None:
        if not self.quiet:
            self.line(text, "green", stderr=self.json_mode)

    def warning(self, text: str) -> None:
        self.line(f"warning: {text}", "yellow", stderr=True)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            self.line(text, "dim", stderr=self.json_mode)

    def emit_json(self, payload: Any) -> None:
        # One JSON object per line, always: `apply -o json` follows its result with the rollout's
        # events, and a consumer reads stdout line by line (`jq -c`, JSON Lines).
        self.emit_json_line(payload)

    def emit_json_line(self, payload: Any) -> None:
        sys.stdout.write(json.dumps(payload, sort_keys=False, default=str) + "\n")
        sys.stdout.flush()

    def problems(self, problems: Iterable["Problem"]) -> None:
        for problem in problems:
            self.line(problem.render(), "yellow" if problem.severity == "warning" else "red", stderr=True)

    def annotate(self, problems: Iterable["Problem"]) -> None:
        """In GitHub Actions, each problem also as an annotation on its file and line (ui/github.py).
        On stdout, where the runner reads workflow commands; on stderr in JSON mode (the runner reads
        commands there too), so stdout stays one JSON object per line."""
        from ecsship.ui.github import annotations, in_github_actions

        if not in_github_actions():
            return
        stream = sys.stderr if self.json_mode else sys.stdout
        for line in annotations(problems):
            stream.write(line + "\n")
        stream.flush()

    def error(self, exc: "EcsshipError") -> None:
        from ecsship.errors import AwsCallError, ManifestError

        if self.json_mode:
            payload: dict = {"ok": False, "error": exc.message, "hint": exc.hint, "exit_code": exc.exit_code}
            if isinstance(exc, ManifestError):
                payload["problems"] = [p.to_dict() for p in exc.problems]
            # One line: commands that stream JSON events (deploy) stay one object per line.
            self.emit_json_line(payload)
        if isinstance(exc, ManifestError):
            self.problems(exc.problems)
            self.annotate(exc.problems)
            errors = sum(1 for p in exc.problems if p.severity == "error")
            self.line(f"{errors} error{'s' if errors != 1 else ''} in {exc.problems[0].file}" if exc.problems else exc.message, "bold red", stderr=True)
            return
        from ecsship.ui.github import located_problem

        located = located_problem(exc.message, exc.hint)
        if located is not None:  # an import or usage error on a file's line: annotated like a manifest problem
            self.annotate([located])
        # An AWS error (ARNs, AWS's own sentence) is wrapped at a word, never cut: the account id in an
        # ARN is what a permission error is about. Other errors stay one line (file:line first, greppable).
        aws = isinstance(exc, AwsCallError)
        for line in wrap(f"error: {exc.message}", indent="       ") if aws else [f"error: {exc.message}"]:
            self.line(line, "bold red", stderr=True)
        if exc.hint:
            for line in wrap(f"hint: {exc.hint}", indent="      ") if aws else [f"hint: {exc.hint}"]:
                self.line(line, "yellow", stderr=True)


def _key(options: OutputSettings) -> tuple:
    return (options.output, options.color, options.verbose, options.quiet, options.debug)
