"""`ecsship history`: recent deployments with revision, image, start, duration and outcome.

ECS controller: ListServiceDeployments → DescribeServiceDeployments → DescribeServiceRevisions
(batched by 20). CodeDeploy controller: ListDeployments of the service's group → BatchGetDeployments.
Where the service-deployments API is missing, the revisions ecsship tagged as deployed stand in.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import revision_name, unsupported


def recent(aws, settings, limit: int = 10) -> list[dict]:
    if settings.uses_codedeploy:
        return _codedeploy(aws, settings, limit)
    from ecsship.errors import AwsCallError

    try:
        return _ecs(aws, settings, limit)
    except AwsCallError as exc:
        if not unsupported(exc.__cause__):
            raise
        return _from_tags(aws, settings, limit)


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _ecs(aws, settings, limit: int) -> list[dict]:
    ecs = aws.client("ecs")
    label = f"service {settings.service}"
    with aws_call(label, "ecs:ListServiceDeployments"):
        briefs = ecs.list_service_deployments(cluster=settings.cluster, service=settings.service, maxResults=min(limit, 100)).get("serviceDeployments", [])
    arns = [b["serviceDeploymentArn"] for b in briefs][:limit]
    details: list[dict] = []
    for chunk in _chunks(arns, 20):
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
        rows.append(_row(d["serviceDeploymentArn"].rsplit("/", 1)[-1], revision_name(rev.get("taskDefinition")),
                         images[0].get("image", "") if images else "", d.get("startedAt") or d.get("createdAt"),
                         d.get("finishedAt") or d.get("stoppedAt"), d.get("status", "").lower(), d.get("statusReason", "")))
    return sorted(rows, key=lambda r: r["started"] or "", reverse=True)


def _codedeploy(aws, settings, limit: int) -> list[dict]:
    import json

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
        td = ""
        try:
            content = json.loads(info["revision"]["appSpecContent"]["content"])
            td = content["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
        except (KeyError, ValueError, TypeError, IndexError):
            pass
        outcome = (info.get("status") or "").lower()
        triggered_by = (info.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId")
        if triggered_by or info.get("creator") == "autoRollback":
            # CodeDeploy's own rollback deployment: say so rather than list it as a deploy of that revision.
            outcome = f"rollback {outcome}"
            td = ""
        rows.append(_row(info.get("deploymentId", ""), revision_name(td), "", info.get("createTime"),
                         info.get("completeTime"), outcome, (info.get("errorInformation") or {}).get("message", "")))
    return sorted(rows, key=lambda r: r["started"] or "", reverse=True)


def _from_tags(aws, settings, limit: int) -> list[dict]:
    from ecsship.deploy.lastgood import deployed_at, revisions_newest_first

    rows = []
    for arn in revisions_newest_first(aws, settings.service)[: limit * 3]:
        when = deployed_at(aws, arn)
        if when:
            rows.append(_row("", revision_name(arn), "", when, None, "successful", ""))
        if len(rows) >= limit:
            break
    return rows


def _row(ident, revision, image, started, finished, outcome, reason) -> dict:
    duration = None
    if started is not None and finished is not None and hasattr(started, "timestamp") and hasattr(finished, "timestamp"):
        duration = round(finished.timestamp() - started.timestamp(), 1)
    return {"id": ident, "revision": revision, "image": image, "started": str(started) if started else "",
            "duration": duration, "outcome": outcome, "reason": reason}
