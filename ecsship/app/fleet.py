"""Many services in one command (`-f` repeated, a directory, a glob): the manifests, their `after:`
order, each service's own flow (plan, apply, deploy, ...) run per service in parallel within a wave
(each under its own service lock, as alone), a section per service and one summary."""
from __future__ import annotations

import dataclasses
from typing import Any

from ecsship.app.application import Application, Quit
from ecsship.aws.errors import translate_botocore
from ecsship.errors import EXIT_INTERRUPTED, EcsshipError, ManifestError, UsageError
from ecsship.fleet import runner
from ecsship.fleet.files import expand, is_fleet  # noqa: F401  (is_fleet: re-exported)
from ecsship.fleet.order import Member, member_of, order_problems, waves
from ecsship.manifest.document import load_manifest, parse_vars
from ecsship.ui.fleet_view import routed_output, show_summary

# What services of one run share: planned (shown) once, applied by the first service that changes it
# while the others wait for it (two runs creating one VPC endpoint or namespace would collide).
SHARED_KINDS = ("cluster", "vpc_endpoints", "namespace")


def manifests_of(files: list[str]) -> list[str]:
    return expand(files or ["ecsship.yaml"])


def load_members(files: list[str], env, var, *, all_environments: bool = False) -> tuple[list[Member], dict]:
    """Every manifest, every problem of every file at once, then the order's problems."""
    paths = manifests_of(files)
    problems, manifests = [], {}
    for path in paths:
        try:
            manifests[path] = load_manifest(path, env=env, variables=parse_vars(var), all_environments=all_environments)
        except ManifestError as exc:
            problems += exc.problems
    if problems:
        raise ManifestError(problems)
    members = [member_of(m) for m in manifests.values()]
    problems = order_problems(members)
    if problems:
        raise ManifestError(problems)
    return members, {m.name: manifests[m.file] for m in members}


def select(members: list[Member], only: str | None) -> list[Member]:
    if not only:
        return members
    wanted = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in {m.name for m in members}]
    if unknown:
        raise UsageError(f"--only: no service {', '.join(unknown)} in these manifests",
                         f"services: {', '.join(m.name for m in members)}")
    return [m for m in members if m.name in wanted]


def _live(app: Application) -> bool:
    """A live table of the services only for a person at a terminal (CI gets prefixed lines)."""
    out = app.out()
    return out.is_tty and not out.json_mode


def _per_service(app: Application) -> Application:
    return dataclasses.replace(app, sessions=app.sessions)


def _guarded_work(app, routing, fn):
    """Run one service's flow in its section; its failure is its result, not the run's end. Called
    before the threads start: what the services share is made here, once."""
    app.clock()  # one clock for the whole run
    if app.local and not app.sessions:
        app.aws()  # --local: start the local AWS once, before the services' threads race to start it
    def work(member: Member) -> runner.Result:
        result = _work(member)
        routing.finished(member.name, result.what)
        return result

    def _work(member: Member) -> runner.Result:
        sub = _per_service(app)
        out = sub.out()
        with routing.service(member.name):
            try:
                return fn(sub, member)
            except Quit as quit:
                return _result_of(sub, member, quit.exit_code)
            except KeyboardInterrupt:
                return runner.Result(member.name, "interrupted", "interrupted", EXIT_INTERRUPTED)
            except EcsshipError as exc:
                out.error(exc)
                return runner.Result(member.name, "failed", f"failed: {exc.message}", exc.exit_code)
            except Exception as exc:  # one service's bug or odd failure must not hide the others' results
                translated = translate_botocore(exc)
                message = translated.message if translated else f"internal error: {type(exc).__name__}: {exc}"
                out.error(translated or EcsshipError(message, "run again with --debug for the traceback, and report it"))
                return runner.Result(member.name, "failed", f"failed: {message}", 1)
    return work


def _result_of(sub, member: Member, code: int) -> runner.Result:
    outcome = getattr(sub, "last_outcome", None)
    revision = getattr(outcome, "new_revision", "") or getattr(outcome, "serving", "") if outcome else ""
    duration = getattr(outcome, "duration", 0.0) if outcome else 0.0
    if code == 0:
        what = {"succeeded": "deployed", "unchanged": "unchanged: already serving", "started": "started (not watched)"}.get(
            getattr(outcome, "status", ""), "done")
        return runner.Result(member.name, "ok", what, 0, revision, duration)
    if code == EXIT_INTERRUPTED:
        return runner.Result(member.name, "interrupted", "interrupted", code, revision, duration)
    words = {"rolled_back": "failed, rolled back", "timed_out": "timed out", "waiting_approval": "waiting for approval"}
    return runner.Result(member.name, "failed", words.get(getattr(outcome, "status", ""), f"failed (exit {code})"), code, revision, duration)


# -- plan / apply -------------------------------------------------------------------------------------
def _shared_key(change, run) -> tuple | None:
    if change.kind not in SHARED_KINDS:
        return None
    if change.kind == "vpc_endpoints":
        vpc = ((run.plan.inputs or {}).get("network") or {}).get("vpc_id") or repr(run.desired.resources[0].spec.get("vpc"))
        return (change.kind, vpc, change.name)
    return (change.kind, change.name)


def _plan_all(app, members, manifests, env, var, *, adopt: bool, parallel: int, routing) -> dict:
    from ecsship.app.planned import load_and_plan

    runs: dict = {}

    def plan_one(sub, member):
        runs[member.name] = load_and_plan(sub, member.file, env, var, adopt=adopt)
        return runner.Result(member.name, "ok", "planned")

    results = runner.run(members, _guarded_work(app, routing, plan_one), parallel=parallel, keep_going=True, ordered=False)
    return {"runs": runs, "results": {r.name: r for r in results}}


def _show_plans(app, members, planned, routing) -> tuple[list[runner.Result], dict]:
    """Each service's plan in order; a shared resource's change shown once, with the first service that
    makes it (the others wait for that one when applying)."""
    from ecsship.app.cost import plan_cost_line
    from ecsship.app.planned import show
    from ecsship.plan.model import NOOP
    from ecsship.ui.github import plan_markdown

    owners: dict[tuple, str] = {}
    waits: dict[str, set] = {}
    results = []
    out = app.out()
    for m in members:
        run = planned["runs"].get(m.name)
        if run is None:
            results.append(planned["results"][m.name])
            continue
        shown, shared_elsewhere = [], []
        for change in run.plan.changes:
            key = _shared_key(change, run) if change.action != NOOP else None
            if key is not None and owners.setdefault(key, m.name) != m.name:
                shared_elsewhere.append(f"{change.label} (with {owners[key]})")
                waits.setdefault(m.name, set()).add(owners[key])
                continue
            shown.append(change)
        view = dataclasses.replace(run, plan=dataclasses.replace(run.plan, changes=shown))
        with routing.service(m.name):
            show(out, view)
            if shared_elsewhere:
                out.print(f"  shared, planned once: {', '.join(shared_elsewhere)}", "dim")
            line = plan_cost_line(run)
            if line:
                out.print(line)
        app.step_summary(plan_markdown(view.plan, f"ecsship plan: {run.desired.cluster}/{run.desired.service} ({run.aws.region})"))
        counts = view.plan.counts()
        what = ", ".join(f"{counts[k]} to {k}" for k in ("create", "update", "replace", "delete") if counts[k]) or "no changes"
        results.append(runner.Result(m.name, "changes" if view.plan.has_changes else "ok", what,
                                     duration=planned["results"][m.name].duration))
    return results, waits


def plan(app, files, env, var, *, only, parallel: int, adopt: bool) -> tuple[int, bool]:
    """(exit code, any changes)."""
    members, manifests = load_members(files, env, var)
    members = select(members, only)
    with routed_output(app.out().json_mode, _live(app), [m.name for m in members]) as routing:
        planned = _plan_all(app, members, manifests, env, var, adopt=adopt, parallel=parallel, routing=routing)
        results, _ = _show_plans(app, members, planned, routing)
    show_summary(app.out(), "plan", results)
    return runner.exit_code(results), any(r.status == "changes" for r in results)


def apply(app, files, env, var, *, only, parallel: int, keep_going: bool, yes: bool, allow_replace: bool,
          adopt: bool, wait: bool) -> int:
    from ecsship.app.apply import apply as apply_one
    from ecsship.app.planned import confirm

    members, manifests = load_members(files, env, var)
    members = select(members, only)
    with routed_output(app.out().json_mode, _live(app), [m.name for m in members]) as routing:
        planned = _plan_all(app, members, manifests, env, var, adopt=adopt, parallel=parallel, routing=routing)
        plan_results, waits = _show_plans(app, members, planned, routing)
    failed = [r for r in plan_results if r.failed]
    if failed and not keep_going:
        show_summary(app.out(), "apply", [r if r.failed else runner.Result(r.name, "skipped", "skipped: a plan failed", 1)
                                          for r in plan_results])
        return 1
    if not any(r.status == "changes" for r in plan_results):
        show_summary(app.out(), "apply", plan_results)
        return runner.exit_code(plan_results)
    confirm(app, yes, "apply")
    ordered = [dataclasses.replace(m, after=tuple(dict.fromkeys(m.after + tuple(sorted(waits.get(m.name, ())))))) for m in members]

    def apply_service(sub, member):
        if planned["runs"].get(member.name) is None:
            return planned["results"][member.name]
        if not planned["runs"][member.name].plan.has_changes:
            return runner.Result(member.name, "ok", "no changes")
        code = apply_one(sub, None, member.file, env, var, yes=True, allow_replace=allow_replace, adopt=adopt, wait=wait,
                         show_plan=False)
        if code:
            raise Quit(code)
        outcome = getattr(sub, "last_outcome", None)
        return runner.Result(member.name, "ok", "applied", 0, getattr(outcome, "new_revision", "") if outcome else "")

    with routed_output(app.out().json_mode, _live(app), [m.name for m in members]) as routing:
        results = runner.run(ordered, _guarded_work(app, routing, apply_service), parallel=parallel, keep_going=keep_going)
    show_summary(app.out(), "apply", results)
    return runner.exit_code(results)


def deploy(app, files, env, var, *, only, parallel: int, keep_going: bool, **kwargs) -> int:
    from ecsship.app.deploy import deploy as deploy_one

    members, _ = load_members(files, env, var)
    members = select(members, only)

    def deploy_service(sub, member):
        deploy_one(sub, member.file, env, var, **kwargs)
        return _result_of(sub, member, 0)

    with routed_output(app.out().json_mode, _live(app), [m.name for m in members]) as routing:
        results = runner.run(members, _guarded_work(app, routing, deploy_service), parallel=parallel, keep_going=keep_going)
    show_summary(app.out(), "deploy", results)
    return runner.exit_code(results)


# -- the others: one after the other ------------------------------------------------------------------
def each(app, verb: str, files, env, var, *, only, fn, reverse: bool = False) -> int:
    """status, history, destroy: service by service in `after:` order (destroy: dependants first)."""
    members, _ = load_members(files, env, var)
    members = [m for wave in waves(select(members, only)) for m in wave]
    if reverse:
        members.reverse()
    with routed_output(app.out().json_mode, _live(app), [m.name for m in members]) as routing:
        results = [_guarded_work(app, routing, lambda sub, m: fn(sub, m) or runner.Result(m.name, "ok", "done"))(m)
                   for m in members]
    show_summary(app.out(), verb, results)
    return runner.exit_code(results)


def validate(app, files, env, var, *, strict: bool) -> None:
    """Every manifest as `validate` checks one (every environment without --env), then their order."""
    from ecsship.manifest.document import display_name

    members, manifests = load_members(files, env, var, all_environments=env is None)
    out = app.out()
    for m in members:
        out.problems(manifests[m.name].warnings)
    if strict and any(manifests[m.name].warnings for m in members):
        from ecsship.manifest.document import _as_error

        raise ManifestError([_as_error(w) for m in members for w in manifests[m.name].warnings])
    if out.json_mode:
        for m in members:
            out.emit_json({"ok": True, "file": display_name(m.file), "service": m.name, "environment": env,
                           "warnings": [w.to_dict() for w in manifests[m.name].warnings]})
        return
    layers = waves(members)
    out.success(f"{len(members)} manifests valid; {len(layers)} wave{'s' if len(layers) != 1 else ''} in `after:` order: "
                + " → ".join(", ".join(m.name for m in wave) for wave in layers))


def services(app, files, env, var, *, only) -> None:
    """The services in `after:` waves, in the shape a GitHub Actions matrix takes (`include:`)."""
    members, _ = load_members(files, env, var)
    layers = waves(select(members, only))
    rows: list[list[dict[str, Any]]] = [[{"service": m.name, "file": m.file, "cluster": m.cluster, "wave": i, "after": list(m.after)} for m in wave]
            for i, wave in enumerate(layers)]
    out = app.out()
    if out.json_mode:
        out.emit_json({"wave_count": len(rows), "waves": [{"include": wave} for wave in rows],
                       "include": [row for wave in rows for row in wave]})
        return
    for i, wave in enumerate(rows):
        out.print(f"wave {i + 1}:", "bold")
        for row in wave:
            after = f"  (after {', '.join(row['after'])})" if row["after"] else ""
            out.print(f"  {row['service']:<30} {row['file']}{after}")
