"""`deploy.before` / `deploy.after`: one-off steps around a deploy (expand / contract migrations).

`before` steps run under the deploy lock with the revision being deployed (its new image), before any
traffic moves: the first that fails ends the deploy and the service is not touched. `after` steps run
once the deployment completed. Each step is a one-off task (ops/run.py) from the new revision with
the step's command; which steps ran, and how they ended, is recorded as a tag on that task definition
revision (`ecsship:steps`, e.g. `before:migrate=0 after:contract=0`) so `history` can show it.
Tag values allow letters, digits, spaces and `+ - = . _ : / @` (ECS TagResource, "Tagging your
Amazon ECS resources"), at most 256 characters.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.aws.errors import aws_call
from ecsship.errors import EcsshipError
from ecsship.ops import run as one_off

STEPS_TAG = "ecsship:steps"
DEFAULT_STEP_TIMEOUT = 10 * 60


@dataclass(frozen=True)
class Step:
    phase: str  # before | after
    name: str
    command: tuple[str, ...]
    timeout: int = DEFAULT_STEP_TIMEOUT
    container: str | None = None


class StepFailed(EcsshipError):
    """A step did not exit 0: which step, its exit code or stop reason, its last lines."""

    def __init__(self, step: Step, result: one_off.Result, untouched: bool):
        self.step = step
        self.result = result
        ended = (f"exited {result.exit_code}" if result.exit_code is not None and not result.timed_out
                 else f"stopped without an exit code ({result.reason or 'no reason given'})")
        where = "; the service was not touched and keeps its revision" if untouched else "; the new revision stays deployed"
        super().__init__(f"deploy.{step.phase} step {step.name} {ended}{where}",
                         f"its last log lines are above; run it alone with `ecsship run -- {' '.join(step.command)}`")


def steps_of(manifest_data: dict, phase: str) -> list[Step]:
    from ecsship.manifest.durations import parse_duration

    steps = []
    for item in ((manifest_data.get("deploy") or {}).get(phase) or []):
        command = item["command"]
        timeout = item.get("timeout")
        steps.append(Step(phase, item["name"], tuple(command), parse_duration(timeout) if timeout is not None else DEFAULT_STEP_TIMEOUT,
                          item.get("container")))
    return steps


def run_steps(aws, settings, task_definition: str, steps: list[Step], clock, make_view, untouched: bool) -> list[tuple[Step, int]]:
    """Run each step to its end, in order; raise StepFailed at the first that does not exit 0."""
    done: list[tuple[Step, int]] = []
    for step in steps:
        view = make_view(step.name)
        task = one_off.start(aws, settings.cluster, settings.service, settings.container, list(step.command),
                             task_definition=task_definition, container=step.container,
                             started_by=f"ecsship-{step.phase}-{step.name}", token=f"{step.phase}/{step.name}/{task_definition}")
        view.started(task)
        result = one_off.watch(aws, task, clock, view, timeout=step.timeout)
        view.stopped(result)
        code = result.command_exit
        record(aws, task_definition, step, result.exit_code if result.exit_code is not None else code)
        if code != 0:
            raise StepFailed(step, result, untouched)
        done.append((step, code))
    return done


def record(aws, task_definition: str, step: Step, code: int) -> None:
    """Add `phase:name=code` to the revision's steps tag (replacing an earlier run of the same step)."""
    ecs = aws.client("ecs")
    label = f"task definition {task_definition.rsplit('/', 1)[-1]}"
    with aws_call(label, "ecs:ListTagsForResource"):
        tags = ecs.list_tags_for_resource(resourceArn=task_definition).get("tags", [])
    current = next((t["value"] for t in tags if t["key"] == STEPS_TAG), "")
    entries = [e for e in current.split() if not e.startswith(f"{step.phase}:{step.name}=")]
    entries.append(f"{step.phase}:{step.name}={code}")
    value = " ".join(entries)[-256:].lstrip()
    with aws_call(label, "ecs:TagResource"):
        ecs.tag_resource(resourceArn=task_definition, tags=[{"key": STEPS_TAG, "value": value}])


def parse_steps_tag(value: str | None) -> list[dict]:
    """`before:migrate=0 after:contract=0` -> [{"phase": "before", "name": "migrate", "exit_code": 0}, ...]."""
    out = []
    for entry in (value or "").split():
        phase, _, rest = entry.partition(":")
        name, _, code = rest.rpartition("=")
        if phase and name:
            out.append({"phase": phase, "name": name, "exit_code": int(code) if code.lstrip("-").isdigit() else None})
    return out
