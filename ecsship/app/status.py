"""`ecsship status`: the service now (deployments, tasks, targets, scaling, alarms, events);
with --watch, again every few seconds until Ctrl-C."""
from __future__ import annotations

from ecsship.app.application import Quit
from ecsship.app.service_manifest import load_service
from ecsship.deploy.status import gather
from ecsship.errors import EXIT_INTERRUPTED
from ecsship.ui.status_view import status_lines

WATCH_INTERVAL = 5.0


def load_settings(app, file, env, var):
    """The manifest's deploy settings and AWS: all status and history need."""
    loaded = load_service(file, env, var)
    return loaded.settings, app.aws_for(loaded.manifest.data)


def show_status(app, file, env, var, *, watch: bool, events: int) -> None:
    settings, aws = load_settings(app, file, env, var)
    out = app.out()
    clock = app.clock()
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
        raise Quit(EXIT_INTERRUPTED) from None
