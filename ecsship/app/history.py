"""`ecsship history`: recent deployments (revision, image, start, duration, outcome)."""
from __future__ import annotations

from ecsship.app.status import load_settings
from ecsship.deploy.history import recent
from ecsship.ui.status_view import history_lines


def show_history(app, file, env, var, *, limit: int) -> None:
    settings, aws = load_settings(app, file, env, var)
    out = app.out()
    rows = recent(aws, settings, limit=limit)
    if out.json_mode:
        out.emit_json({"service": settings.service, "deployments": rows})
        return
    for line in history_lines(rows):
        out.print(line)
