"""`ecsship deploy`: the image to ship (checked to exist), its revision (app/revision.py), the
deploy.before steps, the rollout through the manifest's strategy, then the deploy.after steps."""
from __future__ import annotations

from concurrent.futures import CancelledError, Future
from contextlib import ExitStack
from functools import partial

from ecsship.app import revision
from ecsship.app.application import Quit
from ecsship.app.rollout import RolloutRun, parse_timeout
from ecsship.app.signals import sigterm_as_interrupt
from ecsship.aws.concurrency import Pool
from ecsship.aws.readcache import caching_reads
from ecsship.deploy.names import revision_name, short_image
from ecsship.deploy.rollout import roll_out
from ecsship.deploy.shipped_image import image_uri, split_images, verify_image
from ecsship.deploy.strategies import strategy_for
from ecsship.ops.steps import run_steps, steps_of
from ecsship.ui.github import deploy_markdown
from ecsship.ui.ops_view import RunView


def deploy(app, file, env, var, **kwargs) -> None:
    with sigterm_as_interrupt():
        _deploy(app, file, env, var, **kwargs)


def _deploy(app, file, env, var, *, image_tag, image, timeout, rollback, wait, force, with_infra) -> None:
    limit = parse_timeout(timeout)
    c = RolloutRun(app, file, env, var)
    data = c.manifest.data
    main_image, moved = split_images(image if isinstance(image, list) or image is None else [image],
                                     c.settings.container, [s["name"] for s in data.get("containers") or []])
    uri = image_uri(data["image"], image_tag, main_image)
    with ExitStack() as lock:
        lock.enter_context(c.start_lock("deploy"))
        with _caching_reads(c.aws, with_infra), Pool().active() as pool:
            # Under the lock (whose write would empty the read cache). The images are checked beside
            # the drift plan (issue #20 item 1), whose own image lookup then waits for the same read
            # in flight instead of asking ECR again; a missing image is still said first, before
            # anything is written.
            checks = [pool.submit(partial(verify_image, c.aws, shipped)) for shipped in [uri, *moved.values()]]
            # The rollout's in-progress guard reads what is in progress beside them too (under the
            # same lock: nothing else of ecsship starts a rollout meanwhile), not after the revision;
            # read again after what may take long (--with-infra's apply, deploy.before steps).
            guard = None if force or with_infra else pool.submit(strategy_for(c.aws, c.settings, c.clock).listed_deployments)
            td, registered = revision.prepare_revision(c, uri, with_infra, sidecar_images=moved,
                                                       images_checked=lambda: [check.result() for check in checks])
        shown = ", ".join([short_image(uri)] + [f"{name} {short_image(u)}" for name, u in sorted(moved.items())])
        c.view.note(f"{'registered' if registered else 'using'} task definition {revision_name(td)} ({shown})")
        steps_ran = _before_steps(c, td, force)
        outcome = roll_out(c.aws, c.settings, td, c.view, clock=c.clock, wait=wait, force=force,
                           rollback_on_timeout=rollback, timeout=limit, redeploy=force, on_started=lock.close,
                           service=None if steps_ran else c.live_service,
                           listed=None if steps_ran or guard is None else partial(_answer, guard))
    c.app.last_outcome = outcome
    if wait and outcome.status == "succeeded":
        revision.move_jobs(c, uri)
    c.app.step_summary(deploy_markdown(outcome, f"{c.settings.cluster}/{c.settings.service}", simulated=c.view.simulated))
    if steps_ran and wait and outcome.status == "succeeded":
        c.view.outcome(outcome)  # the deploy's own result first; then the contract step(s)
        _after_steps(c, td)
        raise Quit(outcome.exit_code)
    c.finish(outcome)


def _answer(future: Future):
    """What a read sent beside the checks answered (its error raised); None when it never ran (the
    pool closed first): then the caller reads it itself."""
    try:
        return future.result()
    except CancelledError:
        return None


def _caching_reads(aws, with_infra: bool):
    """The pre-rollout checks as one run of reads (issue #20): the image, the drift plan and the
    revision read each distinct thing once (aws/readcache.py; a write empties it). Never around
    what waits on AWS and must see it move: deploy.before steps, the rollout, and `--with-infra`'s
    apply (its creates wait for what they made)."""
    return caching_reads(aws, on=not with_infra)


def _step_view(c):
    return lambda name: RunView(c.out, step=name)


def _before_steps(c, td: str, force: bool) -> bool:
    """deploy.before, under the lock, with the new revision, before any traffic moves. Skipped when
    nothing will roll out (the revision already serves) or another rollout is in progress (roll_out
    then attaches to it or refuses): a migration runs only for a deploy that will happen. True when
    the deploy has steps and they ran (so `after` runs once it completed)."""
    before, after = steps_of(c.manifest.data, "before"), steps_of(c.manifest.data, "after")
    if not before and not after:
        return False
    strategy = strategy_for(c.aws, c.settings, c.clock)
    service = strategy.describe_service()
    if not force and (strategy.current_task_definition_of(service) == td or strategy.active_deployments(service)):
        return False
    if before:
        c.view.note(f"running {len(before)} deploy.before step{'s' if len(before) != 1 else ''} with {revision_name(td)}")
        run_steps(c.aws, c.settings, td, before, c.clock, _step_view(c), untouched=True)
    return True


def _after_steps(c, td: str) -> None:
    after = steps_of(c.manifest.data, "after")
    if after:
        c.view.note(f"deployment completed: running {len(after)} deploy.after step{'s' if len(after) != 1 else ''}")
        run_steps(c.aws, c.settings, td, after, c.clock, _step_view(c), untouched=False)
