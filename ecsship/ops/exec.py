"""`ecsship exec`: a command in a running task through ECS Exec, after the checks that explain why it
would not connect (ECS Developer Guide, "Using Amazon ECS Exec for debugging" and its troubleshooting):

1. the service has enableExecuteCommand (manifest `execute_command: true`, then `ecsship apply`);
2. the chosen task has it too (tasks started before it was enabled do not: redeploy);
3. the task role allows ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel,
   OpenDataChannel;
4. the Session Manager plugin (`session-manager-plugin`) is installed where ecsship runs;
5. tasks that reach AWS through VPC endpoints have an `ssmmessages` endpoint.

Then ExecuteCommand (botocore `ecs ExecuteCommand`, interactive: "the only mode supported") returns a
session the plugin opens, as `aws ecs execute-command` does; the plugin's exit code is passed on.
The local AWS runs no SSM agent: it answers TargetNotConnectedException and we say so.
"""
from __future__ import annotations

import fnmatch
import json
import shutil
from dataclasses import dataclass

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import short_task
from ecsship.errors import EcsshipError

SSM_ACTIONS = ("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
               "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel")
PLUGIN = "session-manager-plugin"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    text: str  # one line: what is wrong (or fine)
    fix: str = ""


class ExecNotPossible(EcsshipError):
    pass


def pick_task(aws, cluster: str, service: str, wanted: str | None) -> dict:
    ecs = aws.client("ecs")
    with aws_call(f"service {service}", "ecs:ListTasks"):
        arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="RUNNING").get("taskArns", [])
    if wanted:
        arns = [a for a in arns if a.rsplit("/", 1)[-1].startswith(wanted)] or [wanted]
    if not arns:
        raise ExecNotPossible(f"service {service} has no running task", "`ecsship status` shows its tasks")
    with aws_call(f"service {service}", "ecs:DescribeTasks"):
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100]).get("tasks", [])
    running = [t for t in tasks if t.get("lastStatus") == "RUNNING"]
    if not running:
        raise ExecNotPossible(f"task {wanted or arns[0]} is not running", "`ecsship status` lists the running tasks")
    return running[0]


def role_allows(aws, role_arn: str, actions=SSM_ACTIONS) -> list[str]:
    """The actions of `actions` no Allow statement of the role's inline or attached policies grants."""
    iam = aws.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    documents = []
    with aws_call(f"role {role}", "iam:ListRolePolicies"):
        names = iam.list_role_policies(RoleName=role).get("PolicyNames", [])
    for name in names:
        with aws_call(f"role {role}", "iam:GetRolePolicy"):
            documents.append(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    with aws_call(f"role {role}", "iam:ListAttachedRolePolicies"):
        attached = iam.list_attached_role_policies(RoleName=role).get("AttachedPolicies", [])
    for policy in attached:
        with aws_call(f"policy {policy['PolicyName']}", "iam:GetPolicy"):
            version = iam.get_policy(PolicyArn=policy["PolicyArn"])["Policy"]["DefaultVersionId"]
        with aws_call(f"policy {policy['PolicyName']}", "iam:GetPolicyVersion"):
            documents.append(iam.get_policy_version(PolicyArn=policy["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"])
    granted: list[str] = []
    for document in documents:
        if isinstance(document, str):
            from urllib.parse import unquote

            document = json.loads(unquote(document))
        statements = document.get("Statement") or []
        for statement in statements if isinstance(statements, list) else [statements]:
            if statement.get("Effect") != "Allow":
                continue
            listed = statement.get("Action") or []
            granted += [listed] if isinstance(listed, str) else list(listed)
    return [a for a in actions if not any(fnmatch.fnmatchcase(a.lower(), g.lower()) for g in granted)]


def checks(aws, manifest_data: dict, service: dict, task: dict | None, local: bool) -> list[Check]:
    found: list[Check] = []
    if not service.get("enableExecuteCommand"):
        in_manifest = manifest_data.get("execute_command") is True
        found.append(Check("service", False, f"service {service['serviceName']} does not have ECS Exec enabled",
                           "run `ecsship apply` (the manifest already sets execute_command: true)" if in_manifest
                           else "set `execute_command: true` in the manifest, then `ecsship apply`"))
        return found  # nothing else matters until it is on
    found.append(Check("service", True, "ECS Exec is enabled on the service"))
    if task is not None:
        tid = task["taskArn"].rsplit("/", 1)[-1]
        if not task.get("enableExecuteCommand"):
            found.append(Check("task", False, f"task {short_task(tid)} started before ECS Exec was enabled",
                               "redeploy so new tasks get it: `ecsship deploy --force`"))
        else:
            found.append(Check("task", True, f"task {short_task(tid)} has ECS Exec enabled"))
    definition = {}
    if task is not None:
        with aws_call("task definition", "ecs:DescribeTaskDefinition"):
            definition = aws.client("ecs").describe_task_definition(taskDefinition=task["taskDefinitionArn"])["taskDefinition"]
    role = definition.get("taskRoleArn")
    if task is not None and not role:
        found.append(Check("role", False, "the task has no task role, so it cannot open Session Manager channels",
                           "set `execute_command: true` and `ecsship apply`: ecsship gives the task role the ssmmessages permissions"))
    elif role:
        missing = role_allows(aws, role)
        if missing:
            found.append(Check("role", False, f"task role {role.rsplit('/', 1)[-1]} lacks {', '.join(missing)}",
                               "`ecsship apply` with execute_command: true adds them (or grant them in permissions)"))
        else:
            found.append(Check("role", True, "the task role allows the ssmmessages channels"))
    if shutil.which(PLUGIN) is None:
        found.append(Check("plugin", local, f"{PLUGIN} is not installed here" + (" (not needed by the local AWS)" if local else ""),
                           "install the Session Manager plugin for the AWS CLI "
                           "(https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)"))
    else:
        found.append(Check("plugin", True, f"{PLUGIN} is installed"))
    endpoints = (manifest_data.get("network") or {}).get("endpoints") or []
    if endpoints and "ssmmessages" not in endpoints:
        found.append(Check("endpoint", False, "tasks use VPC endpoints but there is none for ssmmessages",
                           "add ssmmessages to network.endpoints and `ecsship apply` (or give the subnets a NAT route)"))
    return found


def execute(aws, cluster: str, task: dict, container: str, command: list[str], region: str, profile: str | None) -> int:
    """ExecuteCommand, then the plugin with the session, as the AWS CLI runs it; its exit code."""
    import subprocess

    with aws_call(f"task {task['taskArn'].rsplit('/', 1)[-1]}", "ecs:ExecuteCommand"):
        answer = aws.client("ecs").execute_command(cluster=cluster, task=task["taskArn"], container=container,
                                                   command=" ".join(command), interactive=True)
    # The AWS CLI's target: ecs:<cluster>_<task id>_<container runtime id> (from DescribeTasks).
    runtime = next((c.get("runtimeId", "") for c in task.get("containers") or [] if c.get("name") == container), "")
    target = {"Target": f"ecs:{cluster}_{task['taskArn'].rsplit('/', 1)[-1]}_{runtime}"}
    endpoint = aws.client("ecs").meta.endpoint_url
    argv = [PLUGIN, json.dumps(answer["session"]), region, "StartSession", profile or "", json.dumps(target), endpoint]
    return subprocess.call(argv)

