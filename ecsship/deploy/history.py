"""`ecsship history`: recent deployments with revision, image, start, duration and outcome.

ECS controller: ListServiceDeployments → DescribeServiceDeployments → DescribeServiceRevisions
(batched by 20). CodeDeploy controller: ListDeployments of the service's group → BatchGetDeployments.
Where the service-deployments API is missing, the revisions ecsship tagged as deployed stand in.
Outcomes use the deploy outcome vocabulary (succeeded, failed, rolled_back, stopped, ...) whichever
controller ran the deployment; `lastgood` reads the same rows, so history and rollback agree.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import iso, revision_name, unsupported
from ecsship.deploy.revision_tags import DEPLOYED_AT, describe_tags, revisions_newest_first
from ecsship.deploy.strategies.codedeploy import appspec_task_definition
from ecsship.errors import AwsCallError
from ecsship.ops.steps import STEPS_TAG, parse_steps_tag

# ServiceDeploymentStatus (ECS) and DeploymentStatus (CodeDeploy) in one vocabulary.
ECS_OUTCOMES = {
    "SUCCESSFUL": "succeeded", "ROLLBACK_SUCCESSFUL": "rolled_back", "ROLLBACK_FAILED": "rollback_failed",
    "STOPPED": "stopped", "IN_PROGRESS": "in_progress", "PENDING": "pending", "STOP_REQUESTED": "stopping",
    "ROLLBACK_REQUESTED": "rolling_back", "ROLLBACK_IN_PROGRESS": "rolling_back",
}
CODEDEPLOY_OUTCOMES = {
    "Succeeded": "succeeded", "Failed": "failed", "Stopped": "stopped", "InProgress": "in_progress", "Baking": "in_progress",
    "Created": "pending", "Queued": "pending", "Ready": "waiting_approval",
}


def recent(aws, settings, limit: int = 10) -> list[dict]:
    """Deployments, each with the deploy.before/after steps recorded on its revision (`steps`)."""
    rows = deployments(aws, settings, limit)
    with_steps(aws, rows)
    return rows


def with_steps(aws, rows: list[dict]) -> None:
    tags: dict[str, dict] = {}
    for row in rows:
        arn = row.get("task_definition")
        if not arn:
            row["steps"] = []
            continue
        if arn not in tags:
            try:
                tags[arn] = describe_tags(aws, arn)
            except AwsCallError:
                tags[arn] = {}  # a revision we may not read: history still lists the deployment
        row["steps"] = parse_steps_tag(tags[arn].get(STEPS_TAG))


def deployments(aws, settings, limit: int) -> list[dict]:
    """This service's deployments, newest first, each with its task definition ARN and outcome."""
    if settings.uses_codedeploy:
        return _codedeploy(aws, settings, limit)
    try:
        return _ecs(aws, settings, limit)
    except AwsCallError as exc:
        if not unsupported(exc.__cause__):
            raise
        return tagged_good(aws, settings, limit)


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _ecs(aws, settings, limit: int) -> list[dict]:
    ecs = aws.client("ecs")
    label = f"service {settings.service}"
    arns: list[str] = []
    token = None
    while len(arns) < limit:
        kwargs = {"nextToken": token} if token else {}
        with aws_call(label, "ecs:ListServiceDeployments"):
            page = ecs.list_service_deployments(cluster=settings.cluster, service=settings.service,
                                                maxResults=min(limit - len(arns), 100), **kwargs)
        arns += [b["serviceDeploymentArn"] for b in page.get("serviceDeployments", [])]
        token = page.get("nextToken")
        if not token:
            break
    details: list[dict] = []
    for chunk in _chunks(arns[:limit], 20):
        with aws_call(label, "ecs:DescribeServiceDeployments"):
            details += ecs.describe_service_deployments(serviceDeploymentArns=chunk).get("serviceDeployments", [])
    revision_arns = sorted({(d.get("targetServiceRevision") or {}).get("arn") for d in details} - {None})
    revisions: dict[str, dict] = {}
    for chunk in _chunks(revision_arns, 20):
        with aws_call(label, "ecs:DescribeServiceRevisions"):
            for rev in ecs.describe_service_revisions(serviceRevisionArns=chunk).get("serviceRevisions", []):
                revisions[rev["serviceRevisionArn"]] = rev
    rows = []
    for d in details:
        rev = revisions.get((d.get("targetServiceRevision") or {}).get("arn"), {})
        images = rev.get("containerImages") or []
        status = d.get("status", "")
        rows.append(_row(d["serviceDeploymentArn"].rsplit("/", 1)[-1], rev.get("taskDefinition") or "",
                         images[0].get("image", "") if images else "", d.get("startedAt") or d.get("createdAt"),
                         d.get("finishedAt") or d.get("stoppedAt"), ECS_OUTCOMES.get(status, status.lower()), d.get("statusReason", "")))
    return sorted(rows, key=lambda r: r["started"] or "", reverse=True)


def _codedeploy(aws, settings, limit: int) -> list[dict]:
    cd = aws.client("codedeploy")
    label = f"CodeDeploy group {settings.deployment_group}"
    with aws_call(label, "codedeploy:ListDeployments"):
        ids = cd.list_deployments(applicationName=settings.application, deploymentGroupName=settings.deployment_group).get("deployments", [])[:limit]
    infos: list[dict] = []
    for chunk in _chunks(ids, 25):
        with aws_call(label, "codedeploy:BatchGetDeployments"):
            infos += cd.batch_get_deployments(deploymentIds=chunk).get("deploymentsInfo", [])
    rows = []
    for info in infos:
        td = appspec_task_definition(info)
        status = info.get("status") or ""
        outcome = CODEDEPLOY_OUTCOMES.get(status, status.lower())
        triggered_by = (info.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId")
        if triggered_by or info.get("creator") == "autoRollback":
            # CodeDeploy's own rollback deployment: say so rather than list it as a deploy of that revision.
            outcome = f"rollback {outcome}"
            td = ""
        rows.append(_row(info.get("deploymentId", ""), td, "", info.get("createTime"),
                         info.get("completeTime"), outcome, (info.get("errorInformation") or {}).get("message", "")))
    return sorted(rows, key=lambda r: r["started"] or "", reverse=True)


def tagged_good(aws, settings, limit: int) -> list[dict]:
    """Rows for the revisions ecsship tagged as deployed, newest first (this service's families only)."""
    rows = []
    for family in dict.fromkeys((settings.family, settings.legacy_family)):
        for arn in revisions_newest_first(aws, family)[: limit * 3]:
            tags = describe_tags(aws, arn)
            if family != settings.family and tags.get("ecsship:cluster") != settings.cluster:
                continue  # the family shared by every environment before families were scoped
            if tags.get(DEPLOYED_AT):
                rows.append(_row("", arn, "", tags[DEPLOYED_AT], None, "succeeded", ""))
            if len(rows) >= limit:
                return rows
    return rows


def _row(ident, task_definition, image, started, finished, outcome, reason) -> dict:
    duration = None
    if started is not None and finished is not None and hasattr(started, "timestamp") and hasattr(finished, "timestamp"):
        duration = round(finished.timestamp() - started.timestamp(), 1)
    return {"id": ident, "revision": revision_name(task_definition), "task_definition": task_definition, "image": image,
            "started": iso(started), "duration": duration, "outcome": outcome, "reason": reason}
