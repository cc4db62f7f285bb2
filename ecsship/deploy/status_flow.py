"""The status and history commands' flows (kept out of the CLI module to keep it import-light)."""
from __future__ import annotations

import typer

from ecsship.errors import EXIT_INTERRUPTED

WATCH_INTERVAL = 5.0


def _load(options, file, env, var):
    from ecsship.deploy.settings import DeploySettings
    from ecsship.manifest.document import load_manifest, parse_vars

    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    return DeploySettings.from_manifest(manifest.data), options.aws(manifest.data.get("region"))


def show_status(options, file, env, var, *, watch: bool, events: int) -> None:
    from ecsship.deploy.clock import make_clock
    from ecsship.deploy.status import gather
    from ecsship.ui.status_view import status_lines

    settings, aws = _load(options, file, env, var)
    out = options.out()
    clock = make_clock()
    previous = None
    try:
        while True:
            data = gather(aws, settings, events=events)
            if out.json_mode:
                (out.emit_json_line if watch else out.emit_json)(data)
            elif data != previous:
                if watch and previous is not None:
                    out.print("")
                for line in status_lines(data):
                    out.print(line)
            previous = data
            if not watch:
                return
            clock.sleep(WATCH_INTERVAL)
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None


def show_history(options, file, env, var, *, limit: int) -> None:
    from ecsship.deploy.history import recent
    from ecsship.ui.status_view import history_lines

    settings, aws = _load(options, file, env, var)
    out = options.out()
    rows = recent(aws, settings, limit=limit)
    if out.json_mode:
        out.emit_json({"service": settings.service, "deployments": rows})
        return
    for line in history_lines(rows):
        out.print(line)
