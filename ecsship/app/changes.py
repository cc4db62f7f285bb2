"""Apply a plan (apply's or destroy's) with a progress line per change.

Ctrl-C or SIGTERM stops after the change in progress (app/signals.StopAfterCurrent); either way, an
interrupted or failed run says what was done and what was not, and running the command again
continues from there.
"""
from __future__ import annotations

import time

from ecsship.app.planned import PlannedRun
from ecsship.app.signals import StopAfterCurrent
from ecsship.errors import EcsshipError, Interrupted
from ecsship.plan.plan_and_apply import apply_plan
from ecsship.reconcilers.base import PROGRESS
from ecsship.ui.plan_view import progress_line
from ecsship.ui.width import WIDTH, wrap


def apply_changes(app, run: PlannedRun, allow_replace: bool = False) -> dict:
    out = app.out()
    started: dict = {}
    done: list = []
    stop = StopAfterCurrent(lambda text: out.err.print(text, markup=False))

    def progress(change, event):
        if event == "start":
            if stop.requested:
                raise KeyboardInterrupt  # stopping between two changes: nothing is half made
            started[change.key] = time.monotonic()
            return
        seconds = time.monotonic() - started.get(change.key, time.monotonic())
        if event == "done":
            done.append(change)
        if not out.json_mode:
            progress_line(out, change, event, seconds)

    if not out.json_mode:
        out.print("")

    def waiting(text: str) -> None:
        if out.json_mode:
            out.emit_json_line({"event": "progress", "message": text})
        else:  # several endpoints by name and id: wrapped at a word within 100 columns
            for line in wrap(f"  {text}", WIDTH, indent="    "):
                out.err.print(line, markup=False)

    PROGRESS.append(waiting)
    try:
        with stop:
            outputs = apply_plan(run.aws, run.desired, run.plan, allow_replace=allow_replace, progress=progress)
    except EcsshipError as exc:
        left = len(run.plan.pending()) - len(done)
        exc.hint = (exc.hint + "; " if exc.hint else "") + f"{len(done)} change(s) were made, {left} not; run the command again to continue"
        raise
    except KeyboardInterrupt:
        raise _interrupted(out, run, done, started) from None
    finally:
        PROGRESS.remove(waiting)
    if stop.requested:  # asked to stop during the last change: all made, but do not go on to watch
        raise _interrupted(out, run, done, started)
    run.outputs = outputs
    counts = run.plan.counts()
    if out.json_mode:
        out.emit_json({"ok": True, "applied": [c.to_dict() for c in done], "summary": run.plan.to_dict()["summary"]})
    else:
        word = "Destroy" if run.verb == "destroy" else "Apply"
        out.success(f"{word} complete: {counts['create']} created, {counts['update']} updated, "
                    f"{counts['replace']} replaced, {counts['delete']} deleted.")
    return outputs


def _interrupted(out, run: PlannedRun, done: list, started: dict) -> EcsshipError:
    done_keys = {c.key for c in done}
    pending = [c for c in run.plan.pending() if c.key not in done_keys]
    current = next((c for c in pending if c.key in started), None)
    lines = [f"interrupted: {len(done)} change(s) made, {len(pending)} not"]
    lines += [f"  done:     {c.label}" for c in done]
    if current is not None:
        lines.append(f"  stopped:  {current.label} (abandoned while in progress; may be partly made)")
    lines += [f"  not done: {c.label}" for c in pending if c is not current]
    for line in lines[1:]:  # stderr in every output mode; the error line and hint follow
        out.err.print(line, markup=False)
    return Interrupted(lines[0], "run the same command again to finish: it continues from what is there")
