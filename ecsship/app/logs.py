"""`ecsship logs`: the service's task logs, chosen by deployment, revision or task (ops/logs.py)."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from ecsship.app.service_manifest import load_service
from ecsship.deploy.names import revision_name
from ecsship.errors import EcsshipError, UsageError
from ecsship.ops.logs import DEFAULT_SINCE, FOLLOW_SECONDS, Selection, resolve_deployment, task_index
from ecsship.ops.run import describe_definition, describe_service, parse_timeout
from ecsship.ops.tasklogs import LogLine, LogReader, awslogs_of


def logs_command(app, emit: Callable[[LogLine, str], None], *, file: str, env: str | None, var: list[str] | None,
                 follow: bool, since: str | None, deployment: str | None, revision: int | None, task: str | None,
                 container: str | None) -> int:

    chosen = [name for name, value in (("--deployment", deployment), ("--revision", revision), ("--task", task)) if value is not None]
    if len(chosen) > 1:
        raise UsageError(f"pass one of --deployment, --revision, --task (got {' and '.join(chosen)})")
    if revision is not None and revision < 1:
        raise UsageError(f"--revision {revision}: revisions are numbered from 1")
    window = parse_timeout(since, DEFAULT_SINCE) if since is not None else DEFAULT_SINCE
    loaded = load_service(file, env, var)
    manifest, settings = loaded.manifest, loaded.settings
    aws = app.aws_for(manifest.data)
    clock = app.clock()
    svc = describe_service(aws, settings.cluster, settings.service)
    definition, _ = describe_definition(aws, svc["taskDefinition"])
    name = container or settings.container
    where = awslogs_of(definition, name)
    if where is None:
        names = [c.get("name") for c in definition.get("containerDefinitions") or []]
        raise EcsshipError(f"container {name} of {revision_name(svc['taskDefinition'])} does not log through awslogs with a stream prefix",
                           f"containers: {', '.join(names)}; pass --container")
    group, prefix = where
    selection = Selection(task=task, revision=revision, deployment=deployment)
    if deployment and not deployment.startswith("ecs-svc/"):
        selection.deployment_td = resolve_deployment(aws, settings, deployment)
    start_ms = int((clock.wall() - timedelta(seconds=window or 0)).timestamp() * 1000)
    reader = LogReader(aws, group, None, prefix=f"{prefix}/{name}/", since_ms=start_ms)
    index = task_index(aws, settings.cluster, settings.family)
    while True:
        lines = reader.read()
        if any(line.task_id not in index for line in lines):
            index = task_index(aws, settings.cluster, settings.family)  # tasks started since the last look
        for line in lines:
            info = index.get(line.task_id)
            if selection.wants(line.task_id, info):
                emit(line, revision_name(info.task_definition) if info else "")
        if not follow:
            return 0
        clock.sleep(FOLLOW_SECONDS)
