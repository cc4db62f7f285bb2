"""Reliability tests run in simulated time: no real sleep anywhere.

- botocore's retry backoff is 0 (the behaviour under test is that retries happen, not how long);
- in tests on the local AWS, the reconcilers' polling sleeps (a deleted service draining, a
  security group whose ENIs linger) advance the backend's clock instead of waiting.
"""
from __future__ import annotations

import time
import types

import pytest


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    """The one copy: every test under tests/reliability/ gets it (autouse)."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture(autouse=True)
def simulated_poll_time(request, monkeypatch):
    if "aws" not in request.fixturenames:
        return
    handle = request.getfixturevalue("aws")
    fake = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("__")})
    fake.sleep = lambda seconds: handle.advance(seconds) and None
    import importlib

    for module in ("service", "security_group", "load_balancer", "discovery"):
        try:
            mod = importlib.import_module(f"ecsship.reconcilers.{module}")
        except ImportError:
            continue
        if getattr(mod, "time", None) is time:
            monkeypatch.setattr(mod, "time", fake)
