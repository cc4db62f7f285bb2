"""What the rollout flows (deploy, rollback, promote, wait) share: the manifest, its deploy settings,
AWS, the deploy view and the clock, built once per run."""
from __future__ import annotations

from ecsship.app.application import Quit
from ecsship.app.service_manifest import load_service
from ecsship.errors import UsageError
from ecsship.manifest.durations import parse_duration
from ecsship.ui.deploy_view import make_view


class RolloutRun:
    def __init__(self, app, file, env, var):
        self.app = app
        loaded = load_service(file, env, var)
        self.manifest, self.desired, self.settings = loaded.manifest, loaded.desired, loaded.settings
        self.out = app.out()
        self.aws = app.aws_for(self.manifest.data)
        self.view = make_view(self.out)
        self.view.simulated = bool(getattr(self.aws, "local", False))  # durations say they are simulated
        self.clock = app.clock()
        self.live_service: dict | None = None  # the service as deploy's plan read it (app/revision.py)

    def start_lock(self, command: str):
        """Held from before the in-progress check until the rollout has started (not while watching):
        two runs cannot interleave their starts, and a killed watch leaves no stale lock behind."""
        return self.app.lock(self.aws, self.settings.cluster, self.settings.service, command)

    def finish(self, outcome) -> None:
        self.view.outcome(outcome)
        raise Quit(outcome.exit_code)


def parse_timeout(value: str | None) -> int | None:
    """`--timeout`: 90s, 15m, 1h, or seconds."""
    if value is None:
        return None
    try:
        return parse_duration(value if not value.isdigit() else int(value))
    except ValueError as exc:
        raise UsageError(f"--timeout: {exc}") from None
