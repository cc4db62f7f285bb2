"""Least-privilege IAM policies generated from the manifest.

Statements carry a Sid each, so a drifted statement shows in the plan by name. `*` resources
appear only where AWS offers no resource-level permission for the action (ecr:GetAuthorizationToken,
X-Ray writes, ssmmessages for ECS Exec, and read-only Describe calls).
"""
from __future__ import annotations

from ecsship.desired.output_refs import Ref

# Actions AWS only accepts on Resource "*": the least-privilege test allows exactly these.
STAR_RESOURCE_ACTIONS = frozenset({
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
    "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
    "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    "ecs:DescribeServices", "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms",
})


def trust(service_principal: str, account, source_arn=None) -> dict:
    """Only `service_principal`, and only on behalf of this account (and `source_arn`, where the
    service documents one), against the cross-service confused deputy: IAM User Guide, "The confused
    deputy problem"; ECS "Amazon ECS task IAM role" (ArnLike aws:SourceArn arn:aws:ecs:REGION:ACCOUNT:*
    with aws:SourceAccount); CodeDeploy "Cross-service confused deputy prevention" (aws:SourceArn is the
    deployment group ARN)."""
    condition: dict = {"StringEquals": {"aws:SourceAccount": account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service_principal}, "Action": "sts:AssumeRole",
                       "Condition": condition}],
    }


def _stmt(sid: str, actions: list[str], resources) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def execution_policy(images, secret_sources: set[str]) -> dict:
    """Pull the task's ECR images (every container's: `images` is one ImageRef or a list), write its
    logs, read its secrets."""
    statements = []
    repo_arns = sorted({arn for arn in (i.repository_arn() for i in (images if isinstance(images, list) else [images])) if arn})
    if repo_arns:
        statements.append(_stmt("PullImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], repo_arns))
        statements.append(_stmt("EcrAuthToken", ["ecr:GetAuthorizationToken"], ["*"]))
    statements.append(_stmt("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [Ref("log_group", "streams_arn")]))
    if "secretsmanager" in secret_sources:
        statements.append(_stmt("ReadSecrets", ["secretsmanager:GetSecretValue"], [Ref("secrets", "secret_arns")]))
    if "ssm" in secret_sources:
        statements.append(_stmt("ReadParameters", ["ssm:GetParameters"], [Ref("secrets", "parameter_arns")]))
    if secret_sources:
        # Dropped by normalisation when no referenced secret uses a customer-managed key.
        statements.append(_stmt("DecryptSecrets", ["kms:Decrypt"], [Ref("secrets", "kms_key_arns")]))
    return {"Version": "2012-10-17", "Statement": statements}


XRAY_WRITES = ["xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]


def task_policy(permissions: list[dict], tracing: bool, exec_command: bool, otel: bool = False,
                efs: list[tuple[str, bool]] | None = None) -> dict | None:
    statements = []
    for index, grant in enumerate(permissions, start=1):
        statements.append(_stmt(f"App{index}", list(grant["actions"]), sorted(grant["resources"])))
    if tracing or otel:
        # X-Ray's trace and sampling actions have no resource-level permissions: "*" (Service
        # Authorization Reference, AWS X-Ray).
        statements.append(_stmt("XRayWrite", XRAY_WRITES, ["*"]))
    if otel:
        # The collector's awsemf exporter writes metrics as EMF log events into the service's
        # group (desired/containers.otel_config): streams of that group only.
        statements.append(_stmt("OtelMetrics", ["logs:CreateLogStream", "logs:PutLogEvents"], [Ref("log_group", "streams_arn")]))
    for index, (volume, read_only) in enumerate(efs or [], start=1):
        # Mount (and write unless read only) that file system, only through that access point (EFS
        # User Guide, "Using IAM to control file system data access": condition key
        # elasticfilesystem:AccessPointArn).
        actions = ["elasticfilesystem:ClientMount"] + ([] if read_only else ["elasticfilesystem:ClientWrite"])
        statements.append({**_stmt(f"EfsMount{index}", actions, [Ref(f"efs.{volume}", "file_system_arn")]),
                           "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": Ref(f"efs.{volume}", "access_point_arn")}}})
    if exec_command:
        statements.append(_stmt("EcsExec", ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], ["*"]))
        statements.append(_stmt("EcsExecLogs", ["logs:DescribeLogGroups"], [Ref("log_group", "arn_wildcard")]))
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def codedeploy_policy(cluster_service_arn, task_sets_arn, role_arns: list, topic_arns: list[str], hook_arns: list[str]) -> dict:
    statements = [
        _stmt("ReadState", ["ecs:DescribeServices", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
                            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms"], ["*"]),
        _stmt("ManageTaskSets", ["ecs:CreateTaskSet", "ecs:DeleteTaskSet", "ecs:UpdateServicePrimaryTaskSet"],
              [cluster_service_arn, task_sets_arn]),
        _stmt("ShiftTraffic", ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
              [Ref("listener_rule.prod", "arn"), Ref("listener_rule.test", "arn"), Ref("alb", "listener_arns")]),
        _stmt("PassTaskRoles", ["iam:PassRole"], role_arns),
    ]
    if topic_arns:
        statements.append(_stmt("Notify", ["sns:Publish"], sorted(topic_arns)))
    if hook_arns:
        statements.append(_stmt("InvokeHooks", ["lambda:InvokeFunction"], sorted(hook_arns)))
    return {"Version": "2012-10-17", "Statement": statements}


def ecs_infrastructure_policy() -> dict:
    """The role ECS assumes to shift ALB traffic in ECS-native blue/green, canary and linear."""
    return {"Version": "2012-10-17", "Statement": [
        _stmt("ReadState", ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
                            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"], ["*"]),
        _stmt("ShiftTraffic", ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
              [Ref("listener_rule.prod", "arn"), Ref("listener_rule.test", "arn"), Ref("alb", "listener_arns")]),
        _stmt("RegisterTargets", ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
              [Ref("target_group.blue", "arn"), Ref("target_group.green", "arn")]),
    ]}


def scheduler_policy(family_arn, cluster_arn, role_arns: list, queue_arn) -> dict:
    """What EventBridge Scheduler needs to start a job (EventBridge Scheduler User Guide, "Set up the
    execution role"; ECS guide "Amazon ECS scheduled tasks"): RunTask on this family's revisions only,
    in this cluster only; PassRole on the task's two roles, to ECS tasks only; SendMessage to its
    dead-letter queue (EventBridge Scheduler User Guide, "Configuring a schedule's dead-letter queue":
    "your schedule execution role needs" sqs:SendMessage to deliver dead-letter events; a standard queue,
    FIFO queues are not supported)."""
    return {"Version": "2012-10-17", "Statement": [
        {**_stmt("RunJobTasks", ["ecs:RunTask"], [family_arn]), "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}}},
        {**_stmt("PassTaskRoles", ["iam:PassRole"], role_arns), "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        _stmt("DeadLetter", ["sqs:SendMessage"], [queue_arn]),
    ]}
