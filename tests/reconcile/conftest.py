"""Fixtures for the plan/apply tests: example paths, manifests written on the fly, AWS call capture."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture
def example():
    def path(name: str) -> str:
        return str(EXAMPLES / name / "ecsship.yaml")

    return path


@pytest.fixture
def manifest(tmp_path):
    """Write a manifest (an example with changes merged in) and return its path."""

    def write(base: str = "worker", drop: tuple = (), **changes) -> str:
        data = yaml.safe_load((EXAMPLES / base / "ecsship.yaml").read_text())
        for key in drop:
            data.pop(key, None)
        data.update(changes)
        path = tmp_path / f"{base}-{len(list(tmp_path.iterdir()))}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return str(path)

    return write


@pytest.fixture
def aws_calls(monkeypatch):
    """Every Aws object the CLI builds in-process; `.writes()` / `.reads()` sum their CallLogs."""
    from ecsship.aws import session

    made: list = []
    original = session.Aws.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(session.Aws, "__init__", init)

    class Calls:
        def clear(self):
            made.clear()

        def writes(self):
            return [c for aws in made for c in aws.calls.writes]

        def reads(self):
            return [c for aws in made for c in aws.calls.reads]

    return Calls()
