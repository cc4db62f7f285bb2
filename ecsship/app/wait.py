"""`ecsship wait`: follow the deployment in flight (whoever started it) to its end."""
from __future__ import annotations

from ecsship.app.rollout import RolloutRun, parse_timeout
from ecsship.app.signals import sigterm_as_interrupt
from ecsship.deploy.rollout import wait_for_current


def wait(app, file, env, var, timeout) -> None:
    """`ecsship wait`: follow the deployment in flight to its end; exit by its outcome."""
    with sigterm_as_interrupt():
        limit = parse_timeout(timeout)
        c = RolloutRun(app, file, env, var)
        outcome = wait_for_current(c.aws, c.settings, c.view, clock=c.clock, timeout=limit)
        if outcome.status == "unchanged":
            outcome.reason = "no deployment in progress"
        c.finish(outcome)
