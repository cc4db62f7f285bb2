"""`ecsship job list` and `ecsship job run NAME`: the service's scheduled jobs (ops/jobs.py)."""
from __future__ import annotations

from ecsship.app.service_manifest import load_service
from ecsship.errors import Interrupted
from ecsship.ops import jobs


def list_command(app, show, *, file: str, env: str | None, var: list[str] | None) -> int:
    loaded = load_service(file, env, var)
    listed = loaded.manifest.data.get("jobs") or []
    if not listed:
        app.out().info("the manifest has no jobs")
        return 0
    aws = app.aws_for(loaded.manifest.data)
    settings = loaded.settings
    for job in jobs.list_jobs(aws, settings.cluster, settings.service, listed, app.clock().wall().timestamp()):
        show(job)
    return 0


def run_command(app, make_view, *, name: str, file: str, env: str | None, var: list[str] | None) -> int:
    """Runs the job now and returns its task's exit code (1 when it has none or timed out)."""
    loaded = load_service(file, env, var)
    job = jobs.job_named(loaded.manifest.data, name)
    aws = app.aws_for(loaded.manifest.data)
    view = make_view()
    settings = loaded.settings
    try:
        result = jobs.run_job(aws, settings.cluster, settings.service, settings.container, job, app.clock(), view)
    except KeyboardInterrupt:
        raise Interrupted(f"stopped watching job {name}; its task keeps running", "`ecsship job list` shows how it ended") from None
    view.stopped(result)
    return result.command_exit
