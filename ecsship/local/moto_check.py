"""Is the installed moto one the local AWS was tested with?

ecsship/local/fidelity/ patches moto internals (response classes, backends), which a moto minor
release may change. pyproject pins `moto[server]>=5.2.5,<5.3`; a user who installed another moto
anyway (or a distribution that packages its own) is told so by `ecsship local up`, not refused.
"""
from __future__ import annotations

from importlib import metadata

TESTED_MINOR = (5, 2)  # keep in step with the moto pin in pyproject.toml
TESTED_RANGE = ">=5.2.5,<5.3"


def untested_moto(installed: str | None = None) -> str | None:
    """The installed moto version when it is outside the tested minor, else None."""
    if installed is None:
        try:
            installed = metadata.version("moto")
        except metadata.PackageNotFoundError:
            return None  # starting the backend says what is missing
    parts = installed.split(".")
    try:
        minor = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return installed
    return None if minor == TESTED_MINOR else installed


def warning_text(version: str) -> str:
    return (f"moto {version} is installed; the local AWS is tested with moto {TESTED_RANGE} and patches its "
            f"internals, so --local may misbehave: pip install 'moto[server]{TESTED_RANGE}'")
