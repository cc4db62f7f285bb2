"""Make a plan (reads only) and apply it (the only code that mutates AWS).

Stable entry points, used by the CLI and by `deploy`:
    make_plan(aws, desired, only=None, adopt=False) -> Plan
    apply_plan(aws, desired, plan, allow_replace=False, progress=None) -> dict of outputs per resource
    destroy_plan(aws, desired, ...) -> Plan   (see ecsship.plan.destroy)
"""
from __future__ import annotations

from concurrent.futures import Future, wait
from functools import partial
from typing import Callable, Iterable

from ecsship.aws.concurrency import Pool, run_by_needs
from ecsship.aws.readcache import caching_reads
from ecsship.desired.output_refs import UNKNOWN, contains_unknown, lookup_in, refs_in, resolve
from ecsship.errors import EcsshipError, UsageError
from ecsship.plan.diff import diff
from ecsship.plan.model import CREATE, DELETE, NOOP, REPLACE, UPDATE, Change, Plan, fingerprint
from ecsship.plan.orphans import orphans_by_tags, with_forwarding_rules
from ecsship.reconcilers import reconciler_for, tag_index
from ecsship.reconcilers.base import PlanProblem
from ecsship.reconcilers.cache import forget_all
from ecsship.reconcilers.elb_tags import prefetch as prefetch_elb_tags


class PlanError(EcsshipError):
    """The plan cannot be made: every problem found, before anything changes."""

    def __init__(self, problems: list[PlanProblem]):
        self.problems = problems
        lines = [p.message + (f" ({p.hint})" if p.hint else "") for p in problems]
        message = problems[0].message if len(lines) == 1 else f"{len(lines)} problems stop the plan:\n  - " + "\n  - ".join(lines)
        super().__init__(message, problems[0].hint if len(problems) == 1 else "fix them and run `ecsship plan` again")


def make_plan(aws, desired, only: Iterable[str] | None = None, adopt: bool = False) -> Plan:
    """Read live state for every resource of `desired` and compare. Makes only read calls, each
    distinct one once (the run's read cache, ecsship.aws.readcache).

    `only`: resource kinds to plan (lookups are always read); None plans everything.
    """
    with caching_reads(aws):
        return _make_plan(aws, desired, only, adopt)


def _make_plan(aws, desired, only: Iterable[str] | None, adopt: bool) -> Plan:
    only = set(only) if only is not None else None
    before = len(aws.calls.calls)
    with Pool().active() as pool:
        run = _PlanRun(aws, desired, only, adopt, pool)
        # The tagging API's index of this service (one GetResources) answers reads' tag questions and
        # the account id: asked beside the lookups, awaited before the managed resources are read.
        index = pool.submit(partial(tag_index.open_for_plan, aws, desired.ownership_tags()))
        expecting = getattr(aws, "expect_account", None)
        if expecting is not None:
            expecting(index)
        try:
            run.start_early(index)
            run.read_lookups()
            index.result()
            run.read_managed()
        finally:
            if expecting is not None:
                expecting(None)
    return run.plan(len(aws.calls.calls) - before)


ELB_TAGS = "(elb tags)"  # graph nodes besides resources (keys never look like these)
ORPHANS = "(orphans)"
# Lookups that guard a new task definition revision only: the image check exists so that a plan
# never proposes a revision of an image ECR does not have. When the revision is kept (a converged
# service, or the image a deploy shipped), there is nothing to guard and it is not read (issue #20
# item 2); it is read as soon as the task definition's change is known, beside the later reads.
REVISION_GUARDS = ("image",)
PROPOSES_REVISION = (CREATE, UPDATE, REPLACE)


class _PlanRun:
    """One plan's reads, side by side (aws/concurrency.py): a resource's read starts once every
    resource its spec refers to is planned; what the plan shows is kept in manifest order, whatever
    order the reads complete in. Lookups are all read (and checked) before the plan uses any managed
resource's read."""

    def __init__(self, aws, desired, only: set | None, adopt: bool, pool: Pool):
        self.aws, self.desired, self.only, self.adopt, self.pool = aws, desired, only, adopt, pool
        self.outputs: dict[str, dict | None] = {}
        self.states: dict[str, object] = {}
        self.changes: dict[str, Change] = {}
        self.problems: dict[str, PlanProblem] = {}
        self.warnings: dict[str, list[str]] = {}
        self.order = {res.key: i for i, res in enumerate(desired.resources)}
        self.orphans: list[tuple] = []
        self.early: dict[str, Future] = {}
        self.guards = {res.key: res for res in desired.resources if res.lookup and res.kind in REVISION_GUARDS}
        self.guarding: dict[str, Future] = {}

    def needs(self, res, among) -> set[str]:
        """The keys `res` refers to among `among` that come before it: a ref to a later resource is
        unknown to the plan (as when reads ran one after another), whatever finishes first. Only refs:
        `depends_on` orders apply's writes (a scalable target after its service), not reads."""
        refs = refs_in(res.spec) | refs_in(res.tags)
        return {key for key in refs if key in among and self.order.get(key, -1) < self.order[res.key]}

    def spec_of(self, res, visible) -> dict:
        return resolve(res.spec, lookup_in({key: self.outputs.get(key) for key in visible if key in self.outputs}))

    def managed(self) -> dict:
        return {res.key: res for res in self.desired.managed() if self.only is None or res.kind in self.only}

    def start_early(self, index: Future) -> None:
        """Managed resources that refer to nothing before them (the cluster, a log group) are read
        beside the lookups, once the tagging-API index (which answers their tags) is in; the plan
        uses what they read only once every lookup checked out."""
        everything = set(self.order)
        for key, res in self.managed().items():
            reconciler = reconciler_for(res.kind, missing_ok=True)
            if reconciler is None or hasattr(reconciler, "elb_tag_arns") or self.needs(res, everything):
                continue
            self.early[key] = self.pool.submit(partial(self._read_after, index, res, self.spec_of(res, ())))

    def _read_after(self, index: Future, res, spec: dict) -> tuple[str, object]:
        wait([index])
        return _outcome(lambda: plan_resource(self.aws, reconciler_for(res.kind), res, spec, self.adopt))

    def read_lookups(self) -> None:
        lookups = {res.key: res for res in self.desired.resources if res.lookup and res.key not in self.guards}

        def start(key):
            res = lookups[key]
            return partial(self.read_lookup, res, self.spec_of(res, self.needs(res, lookups)))

        run_by_needs(self.pool, list(lookups), {key: self.needs(res, lookups) for key, res in lookups.items()}, start,
                     self.lookup_read)
        unsupported = sorted({res.title for res in self.desired.managed() if reconciler_for(res.kind, missing_ok=True) is None})
        problems = [self.problems[key] for key in lookups if key in self.problems]
        if unsupported:
            problems.append(PlanProblem(f"not supported yet: {', '.join(unsupported)}",
                                        "this manifest needs resource kinds ecsship cannot manage yet; remove those sections"))
        if problems:
            # The plan stops here, before it knows whether a revision is proposed: say every problem.
            self.start_guards()
            raise PlanError(problems + self.guard_problems())

    def read_lookup(self, res, spec: dict) -> tuple[str, object]:
        return _outcome(lambda: reconciler_for(res.kind).read(self.aws, res, spec))

    def lookup_read(self, key: str, outcome: tuple[str, object]) -> None:
        """Keep what a lookup read: its outputs and warnings, or its problem."""
        kind, live = outcome
        if kind == "problem":
            self.problems[key] = _located(live, key)
            return
        self.outputs[key] = self.states[key] = live.outputs
        self.warnings[key] = list(live.outputs.get("warnings", []))

    def start_guards(self) -> None:
        """Read the revision guards (once), beside whatever else is being read."""
        for key, res in self.guards.items():
            if key not in self.guarding:
                self.guarding[key] = self.pool.submit(partial(self.read_lookup, res, self.spec_of(res, ())))

    def guard_problems(self) -> list[PlanProblem]:
        for key, future in self.guarding.items():
            self.lookup_read(key, future.result())
        return [self.problems[key] for key in self.guarding if key in self.problems]

    def read_managed(self) -> None:
        managed = self.managed()
        lookups = {res.key for res in self.desired.resources if res.lookup}
        needs = {key: self.needs(res, managed) for key, res in managed.items()}
        readers = _tag_readers(self.desired, self.outputs, self.only)
        nodes: list[str] = []
        if readers:  # one batched DescribeTags before the reads it answers
            nodes.append(ELB_TAGS)
            for _, res, _ in readers:
                needs[res.key].add(ELB_TAGS)
        orphan_error: list[BaseException] = []
        orphan_warnings = self.warnings.setdefault(ORPHANS, [])
        if self.only is None:  # leftovers are looked for beside the reads; the rules among them at the end
            nodes.append(ORPHANS)

        def start(key):
            if key == ELB_TAGS:
                return partial(prefetch_elb_tags, self.aws, readers)
            if key == ORPHANS:  # its error, if any, counts only once the resources planned (raised below)
                return partial(_outcome, lambda: orphans_by_tags(self.aws, self.desired, orphan_warnings),
                               Exception)
            if key in self.early:  # read beside the lookups already (start_early)
                return self.early[key].result
            res = managed[key]
            spec = self.spec_of(res, lookups | needs[key])
            return partial(_outcome, lambda: plan_resource(self.aws, reconciler_for(res.kind), res, spec, self.adopt))

        def finish(key, outcome):
            if key == ELB_TAGS:
                return
            kind, value = outcome
            if key == ORPHANS:
                if kind == "problem":
                    orphan_error.append(value)
                else:
                    self.orphans = value
                return
            if managed[key].kind == "task_definition" and (kind == "problem" or value[0].action in PROPOSES_REVISION):
                self.start_guards()
            if kind == "problem":
                self.problems[key] = _located(value, key)
                self.outputs[key] = None
                return
            change, live = value
            reconciler = reconciler_for(managed[key].kind)
            self.changes[key] = change
            self.states[key] = live.state if live else None
            # A resource being replaced gets new ids, an updated one may (a new task definition revision):
            # later refs to those are unknown until apply, so what depends on them shows as changing too.
            if live is None or change.action == REPLACE:
                self.outputs[key] = None
            elif change.action == UPDATE and reconciler.changes_on_update:
                self.outputs[key] = {**live.outputs, **{k: UNKNOWN for k in reconciler.changes_on_update}}
            else:
                self.outputs[key] = live.outputs

        run_by_needs(self.pool, [*nodes, *managed], needs, start, finish)
        # A missing image comes first: it is why the revision cannot be made.
        problems = self.guard_problems() + [self.problems[key] for key in managed if key in self.problems]
        if problems:
            raise PlanError(problems)
        if orphan_error:
            raise orphan_error[0]
        if self.only is None:
            self.orphans = with_forwarding_rules(self.aws, self.desired, self.orphans, self.outputs)

    def plan(self, calls: int) -> Plan:
        desired = self.desired
        changes = [self.changes[res.key] for res in desired.resources if res.key in self.changes]
        changes += [orphan_change(res, live) for res, live in self.orphans]
        states = {key: self.states[key] for key in sorted(self.states, key=self.order.__getitem__)}
        states.update({res.key: live.state for res, live in self.orphans})
        warnings = [w for key in (*self.order, ORPHANS) for w in self.warnings.get(key, [])]
        # A revision guard not read (nothing to guard) is not an input.
        inputs = {res.key: self.outputs[res.key] for res in desired.resources if res.lookup and res.key in self.outputs}
        return Plan(desired.service, desired.cluster, changes, fingerprint(states), warnings, calls, inputs,
                    orphans={res.key: res for res, _ in self.orphans})


def _outcome(read: Callable[[], object], collected: type[Exception] = PlanProblem) -> tuple[str, object]:
    """("ok", what `read` returned) or ("problem", the PlanProblem it raised): a problem is collected
    with the others, any other exception stops the plan."""
    try:
        return "ok", read()
    except collected as problem:
        return "problem", problem


def _located(problem: PlanProblem, key: str) -> PlanProblem:
    problem.resource_key = getattr(problem, "resource_key", None) or key
    return problem


def _tag_readers(desired, outputs, only) -> list[tuple]:
    """(reconciler, resource, spec) of each resource whose read needs elbv2 tags and can be read now
    (its parent exists): their tags are asked in one batched DescribeTags before the reads."""
    out = []
    for res in desired.managed():
        reconciler = reconciler_for(res.kind)
        if (only is not None and res.kind not in only) or not hasattr(reconciler, "elb_tag_arns"):
            continue
        spec = resolve(res.spec, lookup_in(outputs))
        if not any(contains_unknown(spec.get(key)) for key in reconciler.read_needs):
            out.append((reconciler, res, spec))
    return out


def orphan_change(res, live) -> Change:
    """The deletion of a resource ecsship made for this service that the manifest no longer has."""
    return Change(key=res.key, kind=res.kind, title=res.title, name=res.name, action=DELETE, live=live,
                  outputs=live.outputs, note=res.note)


def plan_resource(aws, reconciler, res, spec: dict, adopt: bool) -> tuple[Change, object]:
    parent_missing = any(contains_unknown(spec.get(key)) for key in reconciler.read_needs)
    live = None if parent_missing else reconciler.read(aws, res, spec)
    base = dict(key=res.key, kind=res.kind, title=res.title, name=res.name, live=live)
    if live is None:
        wanted = reconciler.desired_state(res, spec, None)
        fields = diff(wanted, {})
        return Change(action=CREATE, fields=fields, note=res.note, **base), None
    note = " ".join(x for x in (res.note, live.note) if x)
    adopting = False
    if reconciler.requires_ownership and not live.managed:
        if not adopt:
            raise PlanProblem(f"{res.label} exists but is not managed by ecsship",
                              "pass --adopt to take it over (ecsship tags it and manages it from then on)")
        adopting = True
    fields = diff(reconciler.desired_state(res, spec, live), live.state)
    if not fields and not adopting:
        return Change(action=NOOP, note=note, outputs=live.outputs, **base), live
    replace_fields = tuple(reconciler.replace_fields_for(live, fields))
    action = REPLACE if any(_under(f.path, replace_fields) for f in fields) else UPDATE
    if action == REPLACE:
        note = " ".join(x for x in (note, reconciler.replace_reason(live, fields)) if x)
    return Change(action=action, fields=fields, note=note, adopt=adopting, outputs=live.outputs,
                  replace_fields=replace_fields, **base), live


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


Progress = Callable[[Change, str], None]  # (change, "start" | "done" | "failed")


def apply_plan(aws, desired, plan: Plan, allow_replace: bool = False, progress: Progress | None = None) -> dict:
    """Make live AWS match `plan`, in order. Stops at the first AWS error (raised as is).

    Outputs of each step (ARNs, ids) feed the refs of the steps after it.
    """
    replacing = [c for c in plan.changes if c.action == REPLACE]
    if replacing and not allow_replace:
        raise UsageError(f"the plan replaces {', '.join(c.label for c in replacing)}",
                         "replacing deletes and recreates it; pass --allow-replace if that is what you want")
    outputs: dict[str, dict | None] = dict(plan.inputs)
    by_key = {res.key: res for res in (*desired.resources, *plan.orphans.values())}
    replaced: list = []
    for change in plan.changes:
        res = by_key[change.key]
        reconciler = reconciler_for(res.kind)
        if change.action == NOOP:
            outputs[res.key] = change.outputs
            continue
        spec = resolve(res.spec, lookup_in(outputs))
        if progress:
            progress(change, "start")
        try:
            outputs[res.key] = run_change(aws, reconciler, res, spec, change)
        except BaseException:
            if progress:
                progress(change, "failed")
            raise
        if progress:
            progress(change, "done")
        if change.action == REPLACE:
            replaced.append((reconciler, res, change.live))
    # What was replaced create-before-delete goes once everything points at its successor.
    for reconciler, res, old in replaced:
        reconciler.finish_replace(aws, res, old)
    return outputs


def run_change(aws, reconciler, res, spec: dict, change: Change) -> dict:
    if change.action == CREATE:
        return reconciler.create(aws, res, spec)
    if change.action == DELETE:
        try:
            reconciler.delete(aws, res, change.live)
        except EcsshipError:
            # A delete resent after a lost answer finds the thing gone ("not found"), and a delete of
            # several calls may have stopped half way: read before failing, finish from what is left.
            forget_all(aws)
            live = reconciler.read(aws, res, spec)
            if live is None:
                return {}
            if not live.managed:
                raise
            reconciler.delete(aws, res, live)
        return {}
    if change.action == REPLACE:
        return reconciler.replace(aws, res, spec, change.live)
    if change.adopt:
        reconciler.adopt(aws, res, spec, change.live)
    # Recompute the fields with every ref now resolved: the plan may have had unknowns.
    fields = diff(reconciler.desired_state(res, spec, change.live), change.live.state)
    if not fields:
        return change.live.outputs
    return reconciler.update(aws, res, spec, change.live, fields)
