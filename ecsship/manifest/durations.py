"""Durations in manifests: an integer number of seconds, or `90s`, `15m`, `1h`."""
from __future__ import annotations

_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(value) -> int:
    """Seconds in `value`. Raises ValueError on anything else."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str) and len(value) > 1 and value[:-1].isdigit() and value[-1] in _UNITS:
        return int(value[:-1]) * _UNITS[value[-1]]
    raise ValueError(f"not a duration: {value!r} (use 90s, 15m or 1h)")


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s" if sec else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
