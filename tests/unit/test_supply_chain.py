"""What `make` installs is pinned (issue #22, low item "Dependencies"): an unpinned `pip install
--upgrade pip` or peer package runs whatever the index serves that day, in the project's own venv."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_makefile_pins_pip_and_the_bench_peer_in_its_own_venv():
    makefile = (ROOT / "Makefile").read_text()
    assert not re.search(r"^\t.*--upgrade pip", makefile, re.M)
    assert re.search(r"pip install -q pip==\$\(PIP_VERSION\)", makefile)
    assert re.search(r"^PIP_VERSION := \d+(\.\d+)+$", makefile, re.M)
    bench = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "$(BENCH_VENV)/bin/python -m pip install" in bench and "ecs-deploy==$(ECS_DEPLOY_VERSION)" in bench
    assert "$(BIN)/python -m pip install" not in bench, "the peer never goes into ecsship's venv"


def test_the_bench_runs_the_peer_from_its_own_venv():
    harness = (ROOT / "bench" / "harness.py").read_text()
    assert '".venv-bench" / "bin" / "ecs"' in harness


def test_the_floor_aws_cli_is_pinned_in_the_bench_venv_and_run_from_there():
    """issue #20 item 5: `aws ecs wait services-stable` is the floor of waiting for a rollout; the AWS CLI v1
    (PyPI `awscli`) goes into .venv-bench beside ecs-deploy, pinned, never into ecsship's venv."""
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^AWSCLI_VERSION := 1\.\d+\.\d+$", makefile, re.M)
    bench = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "awscli==$(AWSCLI_VERSION)" in bench and "$(BENCH_VENV)/bin/aws" in bench
    assert '".venv-bench" / "bin" / "aws"' in (ROOT / "bench" / "harness.py").read_text()
