# The two commands a newcomer needs: `make demo` and `make test`.
# Each installs the project into .venv first when needed, so both work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Pinned: upgrading pip to whatever the index serves today is not reproducible (issue #22).
PIP_VERSION := 26.3
# The benchmark's peer lives in its own venv, pinned, so it never shares (or upgrades) ecsship's dependencies.
BENCH_VENV := .venv-bench
ECS_DEPLOY_VERSION := 1.17.0
# The floor of "wait for a rollout" (`aws ecs wait services-stable`): the AWS CLI v1, from PyPI, pinned.
AWSCLI_VERSION := 1.46.2

# What mypy checks (`make lint`): the core packages (no CLI or terminal imports: ruff's banned-api)
# and the application layer above them (ecsship/app: stricter, see pyproject's [[tool.mypy.overrides]]).
CORE := ecsship/manifest ecsship/desired ecsship/plan ecsship/reconcilers ecsship/deploy ecsship/aws ecsship/ops ecsship/app ecsship/cost ecsship/fleet

.PHONY: install test unit lint demo bench clean bytecode test-aws

install: $(STAMP) bytecode

# Byte-compile the editable sources: with PYTHONDONTWRITEBYTECODE set (as on CI machines) Python
# would otherwise recompile every ecsship module on every start. Up-to-date files are skipped.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q ecsship

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q pip==$(PIP_VERSION)
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# Measured 1 Dec 2026 on the 2-core development machine, 1378 tests, 3 workers: 4m10s wall while other jobs
# took ~30% of the CPU (the machine 95% busy); the suite itself used 317 s of CPU (166 s in the workers, 150 s in
# their local AWS servers). The same run before that day's speed-ups (1269 tests, kept-open connections, cheaper
# resets, one click command per session): 5m39s. With both cores to itself: about 3 minutes (a fresh clone's
# `.ci/run`, 1 Dec 05:10: 1383 tests in 3m14s). CI's limit is 6.
# PYTHONDONTWRITEBYTECODE is cleared for the run: each worker rewrites every test module's asserts, and
# without the cached result that is ~3 s more of collection per worker on every run.
test: $(STAMP) bytecode
	@echo "make test: about 3 minutes on 2 idle cores (4-5 when shared), 3 workers (one file: $(BIN)/python -m pytest tests/FILE.py)"
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3

# The pure core, no server: seconds.
unit: $(STAMP) bytecode
	$(BIN)/python -m pytest tests/unit

# `make test-aws`: the acceptance scenario on a REAL AWS account (opt-in, costs a few cents; docs/aws-testing.md).
# Refuses (exit 2) unless ECSSHIP_AWS_ACCEPTANCE=1 and credentials are present. ARGS='--cleanup RUN_ID' after an
# interrupted run. Installs nothing beyond `make install`. The same scenario runs locally in `make test`.
test-aws: $(STAMP) bytecode
	$(BIN)/python -m tests.acceptance.run_aws $(ARGS)

# ruff (style, import order, the layer rules) on everything; mypy on the core packages.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy $(CORE)

demo: $(STAMP) bytecode
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh

# `make bench`: writes docs/benchmarks.md (about 18 minutes on 2 quiet cores: the side-by-side rollouts run at 3x); its own local AWS on port 4610-4611
# (BENCH_PORT to change). ecs-deploy, the peer it is measured against, and the AWS CLI (the floor of waiting for a
# rollout) are installed on first use into $(BENCH_VENV), pinned to $(ECS_DEPLOY_VERSION) and $(AWSCLI_VERSION).
bench: $(STAMP) bytecode
	@test -x $(BENCH_VENV)/bin/ecs -a -x $(BENCH_VENV)/bin/aws || { { test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV); } && \
	  $(BENCH_VENV)/bin/python -m pip install -q pip==$(PIP_VERSION) ecs-deploy==$(ECS_DEPLOY_VERSION) awscli==$(AWSCLI_VERSION); }
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache
