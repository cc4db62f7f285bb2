"""Every ecsship module imports (issue #14): after a module is renamed, an import of its old name
fails here, in seconds, rather than in whichever end-to-end test happens to load it. mypy cannot
say so: it runs with ignore_missing_imports."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import ecsship

MODULES = sorted(m.name for m in pkgutil.walk_packages(ecsship.__path__, "ecsship.") if not m.name.endswith("__main__"))


def test_the_walk_found_the_packages():
    assert {"ecsship.plan.plan_and_apply", "ecsship.deploy.rollout", "ecsship.local.simulator.advance"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(name)
