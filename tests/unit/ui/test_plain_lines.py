"""Issue #20 item 4: a line printed where rich would print no colour is written directly, without
importing rich, and reads exactly as rich would print it (rich strips bell, backspace, vertical tab,
form feed and carriage return; rich.control.STRIP_CONTROL_CODES). A stream rich would colour (a
terminal, FORCE_COLOR, TTY_COMPATIBLE) still goes through rich."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from ecsship.ui.output import Output

SAMPLES = ["plan: shop/worker (us-east-1)", "", "trailing   ", "  ~ service shop/worker  [update]",
           "bell\x07 back\x08 vt\x0b ff\x0c cr\r end", "escape \x1b[31m kept", "multi\nline\n", "x" * 250,
           "wide 日本語 ✓ ─ → 👨\u200d👩\u200d👧", "[bold]not markup[/]", "arn:aws:secretsmanager:::secret:db :smile:",
           "tab\tstop"]


class Stream(io.StringIO):
    def __init__(self, tty: bool = False):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def rich_line(text: str, style: str | None) -> str:
    """What Output printed through rich before (its console for a colourless stream)."""
    stream = Stream()
    Console(file=stream, no_color=True, color_system=None, highlight=False, emoji=False,
            soft_wrap=True).print(text, style=style, markup=False)
    return stream.getvalue()


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("style", [None, "bold red"])
def test_a_colourless_line_reads_as_rich_printed_it(monkeypatch, text, style):
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for stream, out in ((Stream(), Output("text")), (Stream(tty=True), Output("text", color=False))):
        monkeypatch.setattr("sys.stdout", stream)
        out.line(text, style)
        assert stream.getvalue() == rich_line(text, style)


def test_only_a_stream_rich_would_not_colour_skips_rich(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    out = Output("text")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert out._colourless(Stream()) and not out._colourless(Stream(tty=True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert out._colourless(Stream(tty=True))
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich colours a pipe then
    assert not out._colourless(Stream())
    stream = Stream()
    monkeypatch.setattr("sys.stdout", stream)
    out.line("coloured", "red")
    assert "\x1b[" in stream.getvalue()
