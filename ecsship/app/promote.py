"""`ecsship promote` (and `deploy --continue`): let a deployment waiting for approval shift
production traffic, and watch it finish."""
from __future__ import annotations

from ecsship.app.rollout import RolloutRun, parse_timeout
from ecsship.app.signals import sigterm_as_interrupt
from ecsship.deploy.model import WAITING_APPROVAL
from ecsship.deploy.names import short_deployment
from ecsship.deploy.rollout import follow
from ecsship.deploy.strategies import strategy_for
from ecsship.errors import EcsshipError


def promote(app, file, env, var, timeout) -> None:
    with sigterm_as_interrupt():
        _promote(app, file, env, var, timeout)


def _promote(app, file, env, var, timeout) -> None:
    limit = parse_timeout(timeout)
    c = RolloutRun(app, file, env, var)

    strategy = strategy_for(c.aws, c.settings, c.clock)
    with c.start_lock("promote"):  # the check and the approval: no other run starts in between (issue #22)
        tracker = strategy.attach()
        snap = tracker.poll() if tracker is not None else None
        if snap is None or snap.state != WAITING_APPROVAL:
            raise EcsshipError(f"no deployment of service {c.settings.service} is waiting for approval",
                               "`ecsship status` shows what is in progress")
        c.view.note(f"approved: deployment {short_deployment(tracker.id)} shifts production traffic now")
        tracker.continue_(snap.hook_id)
    outcome = follow(c.aws, c.settings, tracker, c.view, c.clock, timeout=limit, stop_when_waiting=False, approved=snap.hook_id)
    c.finish(outcome)
