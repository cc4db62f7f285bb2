"""Timestamps for API shapes: simulated epoch seconds to aware datetimes."""
from __future__ import annotations

from datetime import datetime, timezone


def ts(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)
