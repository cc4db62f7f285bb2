"""Deploy ships code; `apply` changes infrastructure. Prepare the revision a deploy rolls out.

The manifest (with the deployed image swapped in) goes through the plan engine, read-only:
- changes to anything but the task definition and the service are infrastructure: refused,
  unless `--with-infra`, which applies exactly those first (the service itself is left alone:
  its new revision goes out through the deploy engine, with its watch and outcome);
- a service that does not exist yet is `apply`'s job;
- the task definition is registered only when its normalised content differs from the
  latest active revision (the task definition reconciler decides).
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable

from ecsship.aws import concurrency
from ecsship.deploy.image_record import record_shipped
from ecsship.deploy.model import ROLLOUT_KINDS
from ecsship.desired import build
from ecsship.desired.output_refs import contains_unknown, lookup_in, resolve
from ecsship.errors import EcsshipError
from ecsship.plan.model import CREATE, NOOP, REPLACE, UPDATE
from ecsship.plan.plan_and_apply import apply_plan, make_plan
from ecsship.reconcilers.task_definition import read_latest, register, reusable


def prepare_revision(run, image: str, with_infra: bool, sidecar_images: dict[str, str] | None = None,
                     images_checked: Callable[[], object] = lambda: None) -> tuple[str, bool]:
    """(task definition ARN to roll out, whether it was registered now). `sidecar_images`: the
    images `deploy --image NAME=URI` moves, by container name. `images_checked`: waits for the image
    checks running beside the plan and raises what they found; called once the plan is made (or
    failed: a missing image is said first), before anything is written."""
    desired = build(run.manifest, image_override=image, image_overrides=sidecar_images)
    res = desired.get("task_definition")
    pool = concurrency.current()
    if pool is not None and res is not None and not with_infra:
        # A new image makes a new revision unless the family's newest already is it: that read
        # (latest_matching's) goes beside the plan, whose read cache answers it afterwards. One read
        # more than needed only for a deploy of the image that already serves.
        pool.submit(partial(read_latest, run.aws, res))
    try:
        plan = make_plan(run.aws, desired)
    except Exception:
        images_checked()
        raise
    images_checked()
    service = next((c for c in plan.changes if c.kind == "service"), None)
    if service is not None and service.action == CREATE:
        raise EcsshipError(f"service {desired.service} does not exist in cluster {desired.cluster} yet",
                           "run `ecsship apply` to create it (it rolls out the first revision the same way)")
    if service is not None and service.action == REPLACE:
        raise EcsshipError(f"service {desired.service} must be replaced to match the manifest "
                           f"({', '.join(sorted(f.path for f in service.fields)[:3])})",
                           "that is `ecsship apply --allow-replace`'s job, not a deploy's")
    infra = [c for c in plan.infra_changes(ROLLOUT_KINDS) if not follows_revision(c)]
    if infra and not with_infra:
        listed = ", ".join(f"{c.action} {c.label}" for c in infra)
        raise EcsshipError(f"the plan shows infrastructure changes besides the new revision: {listed}",
                           "run `ecsship apply` first (or `ecsship plan` to see them), or pass --with-infra to apply them before deploying")
    outputs = dict(plan.inputs)
    outputs.update({c.key: c.outputs for c in plan.changes if c.outputs})
    if infra:
        run.view.note(f"applying {len(infra)} infrastructure change{'s' if len(infra) != 1 else ''} first (--with-infra)")
        only_infra = replace(plan, changes=[c if any(c is i for i in infra) else replace(c, action=NOOP, fields=[]) for c in plan.changes])
        outputs = apply_plan(run.aws, desired, only_infra, progress=lambda change, phase: _progress(run.view, change, phase))
    if service is not None:
        other = [f.path for f in service.fields if not f.path.startswith("taskDefinition")]
        if other:
            run.view.note(f"the service's settings differ from the manifest ({', '.join(sorted(other)[:5])}); "
                          "deploy changes only its revision: run `ecsship apply` for the rest", "warning")
    assert res is not None, "every desired model has a task definition"
    spec = resolve(res.spec, lookup_in(outputs))
    if contains_unknown(spec):
        raise EcsshipError("the task definition needs resources that do not exist yet", "run `ecsship apply` first")
    # Nothing was written since the plan read the revision (unless --with-infra applied): not read twice.
    planned = next((c for c in plan.changes if c.key == res.key), None) if not infra else None
    reuse = reusable(run.aws, res, spec, planned.live if planned is not None else None)
    if service is not None and not infra and service.live is not None:
        # The plan's DescribeServices, read under the deploy's lock: the rollout's in-progress guard and
        # its start use it (its tags change below; its deployments do not), instead of reading it again.
        run.live_service = service.live.raw
    writes: list[Callable[[], object]] = [partial(register, run.aws, res, spec)] if reuse is None else []
    if service is not None and service.outputs.get("arn"):
        # Before the rollout starts (a killed watch still leaves the record): a later `apply` of the
        # unchanged manifest keeps this image and says who shipped it (deploy/image_record.py). Sent
        # beside the registration (every read is done by now): neither needs the other's answer.
        writes.append(partial(record_shipped, run.aws, service.outputs["arn"], image, "deploy",
                              run.clock.wall().isoformat(timespec="seconds")))
    written: list = concurrency.gather(writes)
    return (reuse["arn"], False) if reuse is not None else (written[0]["arn"], True)


def follows_revision(change) -> bool:
    """A change of the scheduled jobs that only moves them to another revision of the service's
    family: it follows the deploy (move_jobs), it is not infrastructure."""
    return change.kind == "schedules" and change.action == UPDATE and bool(change.fields) and all(
        f.path.endswith(".Target.EcsParameters.TaskDefinitionArn") for f in change.fields)


def move_jobs(run, image: str | None = None) -> None:
    """After a completed deploy (or rollback): point the scheduled jobs at the revision the service now
    runs (a job runs what the service runs: desired/builder.Builder.jobs). Nothing else is changed here."""
    desired = build(run.manifest, image_override=image)
    if desired.get("schedules") is None:
        return
    plan = make_plan(run.aws, desired)
    moving = [c for c in plan.changes if follows_revision(c)]
    if not moving:
        return
    only = replace(plan, changes=[c if any(c is m for m in moving) else replace(c, action=NOOP, fields=[]) for c in plan.changes])
    apply_plan(run.aws, desired, only, progress=lambda change, phase: _progress(run.view, change, phase))
    run.view.note(f"jobs {moving[0].name} now run the deployed revision")


def _progress(view, change, phase: str) -> None:
    if phase == "done":
        view.note(f"  {change.action} {change.label}: done")
    elif phase == "failed":
        view.note(f"  {change.action} {change.label}: failed", "error")
