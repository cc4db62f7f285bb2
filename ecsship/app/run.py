"""`ecsship run`: a one-off task of the service's revision (ops/run.py starts and watches it)."""
from __future__ import annotations

from ecsship.app.service_manifest import load_service
from ecsship.deploy.names import short_task
from ecsship.deploy.shipped_image import image_uri, verify_image
from ecsship.errors import Interrupted
from ecsship.ops import run as one_off


def run_command(app, make_view, *, file: str, env: str | None, var: list[str] | None, image_tag: str | None,
                image: str | None, container: str | None, timeout: str | None, detach: bool, command: list[str]) -> int:
    """`ecsship run`: start, (unless detached) stream and wait; the exit code to end with."""
    limit = one_off.parse_timeout(timeout)
    loaded = load_service(file, env, var)
    manifest, settings = loaded.manifest, loaded.settings
    aws = app.aws_for(manifest.data)
    view = make_view()
    uri = image_uri(manifest.data["image"], image_tag, image) if (image_tag or image) else None
    if uri:
        verify_image(aws, uri)
    task = one_off.start(aws, settings.cluster, settings.service, settings.container, command, image=uri, container=container)
    view.started(task)
    if detach:
        view.detached(task)
        return 0
    try:
        result = one_off.watch(aws, task, app.clock(), view, timeout=limit)
    except KeyboardInterrupt:
        raise Interrupted(f"stopped watching; task {task.task_id} keeps running",
                          f"follow it with `ecsship logs --follow --task {short_task(task.task_id)}`; stop it with "
                          f"`aws ecs stop-task --cluster {task.cluster} --task {task.task_id}`") from None
    view.stopped(result)
    return result.command_exit
