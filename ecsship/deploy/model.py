"""What the watcher sees (Snapshot), what it reports (Event), and how a rollout ended (Outcome).

Strategies turn AWS responses into Snapshots; the watcher diffs Snapshots into Events;
views render Events. None of these classes knows about boto3 or rich.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ecsship.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_WAITING_APPROVAL
from ecsship.plan.model import ROLLOUT_KINDS as PLAN_ROLLOUT_KINDS

# Snapshot.state values. Terminal ones end the watch.
IN_PROGRESS = "in_progress"
WAITING_APPROVAL = "waiting_approval"   # paused before production traffic shifts
ROLLING_BACK = "rolling_back"
SUCCEEDED = "succeeded"
FAILED = "failed"                       # failed, and nothing rolled it back (or the rollback failed)
ROLLED_BACK = "rolled_back"             # failed (or was stopped) and the previous revision serves again
STOPPED = "stopped"                     # stopped without rollback
TERMINAL = frozenset({SUCCEEDED, FAILED, ROLLED_BACK, STOPPED})

# Defined with the plan (plan.model), read here too: which changes are a rollout.
ROLLOUT_KINDS = PLAN_ROLLOUT_KINDS


@dataclass(frozen=True)
class RevisionState:
    """Tasks (and traffic) of one revision taking part in the rollout."""

    revision: str          # task definition "family:N"
    role: str              # "new" | "old"
    desired: int = 0
    pending: int = 0
    running: int = 0
    failed: int = 0
    traffic: float | None = None        # percent of production traffic, when known
    test_traffic: float | None = None


@dataclass(frozen=True)
class ServiceEvent:
    id: str
    at: str
    message: str


@dataclass(frozen=True)
class Snapshot:
    """One poll's view of the tracked deployment. Equal snapshots produce no events."""

    deployment_id: str
    state: str = IN_PROGRESS
    phase: str = ""                         # e.g. SCALE_UP, PRODUCTION_TRAFFIC_SHIFT, Baking
    reason: str = ""                        # why it failed / rolled back, when known
    revisions: tuple[RevisionState, ...] = ()
    targets: tuple[tuple[str, int], ...] = ()        # (health state, count), sorted
    alarms: tuple[tuple[str, str], ...] = ()         # (alarm name, state), sorted
    events: tuple[ServiceEvent, ...] = ()            # service events, newest first as ECS gives them
    stopped: tuple[tuple[str, int], ...] = ()        # (stopped reason, count) for the new revision
    wait_left: int | None = None                     # bake / wait seconds left, when known
    wait_kind: str = ""                              # "bake", "canary interval", "termination wait"
    serving: str = ""                                # revision serving production now, when known
    hook_id: str = ""                                # paused lifecycle hook, for continue

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    def revision(self, role: str) -> RevisionState | None:
        return next((r for r in self.revisions if r.role == role), None)


@dataclass(frozen=True)
class Event:
    """One change worth telling: rendered as a line, a JSON object, or a live-view update."""

    kind: str          # started | phase | tasks | traffic | targets | alarm | service_event | stopped_tasks | wait | state | note
    message: str
    at: float = 0.0    # seconds since the watch began
    severity: str = "info"   # info | warning | error | success
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"event": self.kind, "t": round(self.at, 1), "severity": self.severity, "message": self.message}
        out.update(self.data)
        return out


@dataclass
class Outcome:
    """How a rollout ended. `exit_code` is what the CLI exits with."""

    # succeeded | failed | rolled_back | timed_out | stopped | started | waiting_approval | interrupted
    # | unchanged (already serving) | reverted (`ecsship rollback` stopped a rollout and it rolled back)
    status: str
    deployment_id: str = ""
    old_revision: str = ""
    new_revision: str = ""
    serving: str = ""
    reason: str = ""
    hint: str = ""
    duration: float = 0.0
    failed_task: dict | None = None  # {task_id, reason, exit_code, lines}: a stopped task of the new revision

    @property
    def exit_code(self) -> int:
        if self.status in ("succeeded", "started", "unchanged", "reverted"):
            return EXIT_OK
        if self.status == "waiting_approval":
            return EXIT_WAITING_APPROVAL
        if self.status == "interrupted":
            return EXIT_INTERRUPTED
        return EXIT_FAILED

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def to_json(self) -> dict:
        out = asdict(self)
        out["duration"] = round(self.duration, 1)
        out["exit_code"] = self.exit_code
        return out
