"""`ecsship job list` and `ecsship job run NAME`: the service's scheduled jobs (ops/jobs.py)."""
from __future__ import annotations

from ecsship.deploy.settings import DeploySettings
from ecsship.errors import Interrupted
from ecsship.manifest.document import load_manifest, parse_vars
from ecsship.ops import jobs


def list_command(app, show, *, file: str, env: str | None, var: list[str] | None) -> int:
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    settings = DeploySettings.from_manifest(manifest.data)
    listed = manifest.data.get("jobs") or []
    if not listed:
        app.out().info("the manifest has no jobs")
        return 0
    aws = app.aws(manifest.data.get("region"))
    for job in jobs.list_jobs(aws, settings.cluster, settings.service, listed, app.clock().wall().timestamp()):
        show(job)
    return 0


def run_command(app, make_view, *, name: str, file: str, env: str | None, var: list[str] | None) -> int:
    """Runs the job now and returns its task's exit code (1 when it has none or timed out)."""
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    settings = DeploySettings.from_manifest(manifest.data)
    job = jobs.job_named(manifest.data, name)
    aws = app.aws(manifest.data.get("region"))
    view = make_view()
    try:
        result = jobs.run_job(aws, settings.cluster, settings.service, settings.container, job, app.clock(), view)
    except KeyboardInterrupt:
        raise Interrupted(f"stopped watching job {name}; its task keeps running", "`ecsship job list` shows how it ended") from None
    view.stopped(result)
    return result.command_exit
