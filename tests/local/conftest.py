"""tests/local only: every test leaves the simulator without errors (they are logged, not raised)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _simulator_stays_healthy(request):
    handles = [request.getfixturevalue(name) for name in ("aws", "inprocess_aws") if name in request.fixturenames]
    before = [h.status().get("simulator_errors", 0) for h in handles]
    yield
    after = [h.status().get("simulator_errors", 0) for h in handles]
    assert after == before, "the simulator raised during this test; see the backend log"
