"""Issue #20 item 1: a plan reads independent resources side by side (aws/concurrency.py), a resource
after the ones it refers to, and shows everything in manifest order whatever order reads complete in.

The fake reads block on events and barriers, never on sleeps: a test that needs two reads in flight
at once waits for both at a barrier (a plan reading one after another would break it, with a
timeout only so a regression fails instead of hanging).
"""
from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass

import pytest

from ecsship.aws import concurrency
from ecsship.aws.session import CallLog
from ecsship.desired.output_refs import Ref
from ecsship.desired.resources import Desired, Resource
from ecsship.errors import AwsCallError
from ecsship.plan import plan_and_apply
from ecsship.plan.model import CREATE, NOOP
from ecsship.plan.plan_and_apply import PlanError, make_plan
from ecsship.reconcilers.base import Live, PlanProblem, Reconciler

WAIT = 10  # seconds a broken test waits before failing; a passing one never waits that long


@dataclass(frozen=True, kw_only=True)
class Thing(Resource):
    kind = "thing"
    title = "thing"
    outputs = ("id",)


@dataclass(frozen=True, kw_only=True)
class Found(Resource):
    kind = "found"
    lookup = True
    title = "found"
    outputs = ("id",)


class FakeAws:
    def __init__(self):
        self.calls = CallLog()
        self.region = "us-east-1"


class Reads(Reconciler):
    """Each resource's read runs `behaviour[key](spec)` (default: nothing) and says it is live with
    `id` = its key; what each read saw and the order reads started and ended in are recorded."""
    requires_ownership = False

    def __init__(self, behaviour=None):
        self.behaviour = behaviour or {}
        self.seen: dict = {}
        self.started: list = []
        self.ended: list = []
        self.lock = threading.Lock()

    def read(self, aws, res, spec):
        with self.lock:
            self.started.append(res.key)
            self.seen[res.key] = spec
        aws.calls.record("fake", "DescribeThing")
        warning = self.behaviour.get(res.key, lambda spec: None)(spec)
        with self.lock:
            self.ended.append(res.key)
        return Live(state={"size": 1}, outputs={"id": res.key, "warnings": [warning] if warning else []})

    def desired_state(self, res, spec, live):
        return {"size": spec.get("size", 1)}


@pytest.fixture
def reads(monkeypatch):
    reconciler = Reads()
    monkeypatch.setattr(plan_and_apply, "reconciler_for", lambda kind, missing_ok=False: reconciler)
    monkeypatch.setattr(plan_and_apply.tag_index, "open_for_plan", lambda aws, ownership: None)  # no tagging API here
    return reconciler


def _desired(*resources) -> Desired:
    return Desired(service="svc", cluster="c", region="us-east-1", resources=tuple(resources), container_name="app")


def _plan(desired, **kw):
    return make_plan(FakeAws(), desired, only={"thing"}, **kw)  # only: no leftovers looked for


def test_independent_reads_are_in_flight_at_the_same_time(reads):
    both = threading.Barrier(2, timeout=WAIT)
    reads.behaviour = {"a": lambda spec: both.wait(), "b": lambda spec: both.wait()}
    plan = _plan(_desired(Thing(key="a", name="a"), Thing(key="b", name="b")))
    assert [c.key for c in plan.changes] == ["a", "b"] and plan.calls == 2


def test_lookups_read_side_by_side_with_what_refers_to_nothing_and_before_what_refers_to_them(reads):
    """The two lookups and `free` (a managed resource referring to nothing) are in flight at once;
    `user` (referring to a lookup) is read after every lookup."""
    three = threading.Barrier(3, timeout=WAIT)
    reads.behaviour = {"net": lambda spec: three.wait(), "image": lambda spec: three.wait(), "free": lambda spec: three.wait()}
    plan = _plan(_desired(Found(key="net", name="n"), Found(key="image", name="i"),
                          Thing(key="user", name="u", spec={"vpc": Ref("net", "id")}), Thing(key="free", name="f")))
    assert reads.started[-1] == "user" and reads.seen["user"] == {"vpc": "net"}
    assert [c.key for c in plan.changes] == ["user", "free"]


def test_a_failed_lookup_is_all_the_plan_says_whatever_was_read_beside_it(reads):
    """As when lookups were read first: their problems stop the plan, and what a resource read
    beside them found (here an AWS error) is not reported."""
    free_failed = threading.Event()

    def free(spec):
        try:
            raise AwsCallError("thing free", "fake:DescribeThing", "Throttling", "slow down")
        finally:
            free_failed.set()

    def net(spec):
        assert free_failed.wait(WAIT)
        raise PlanProblem("network.vpc: no VPC matches")

    reads.behaviour = {"net": net, "free": free}
    with pytest.raises(PlanError) as caught:
        _plan(_desired(Found(key="net", name="n"), Thing(key="free", name="f")))
    assert [p.message for p in caught.value.problems] == ["network.vpc: no VPC matches"]


def test_a_resource_is_read_after_what_it_refers_to_with_its_outputs(reads):
    """`child` refers to `parent`: its read waits for the parent's, and sees the parent's outputs;
    `other` (independent) is read meanwhile."""
    parent_started, parent_may_end = threading.Event(), threading.Event()

    def parent(spec):
        parent_started.set()
        assert parent_may_end.wait(WAIT)

    def other(spec):
        assert parent_started.wait(WAIT)
        assert "child" not in reads.started  # the parent is still being read: its dependant waits
        parent_may_end.set()

    reads.behaviour = {"parent": parent, "other": other}
    plan = _plan(_desired(Thing(key="parent", name="p"), Thing(key="other", name="o"),
                          Thing(key="child", name="c", spec={"parent_id": Ref("parent", "id")})))
    assert reads.seen["child"] == {"parent_id": "parent"}
    assert reads.ended.index("parent") < reads.started.index("child")
    assert [c.key for c in plan.changes] == ["parent", "other", "child"]


def test_output_keeps_manifest_order_when_reads_complete_in_reverse(reads):
    """Each read ends only after the next one of its phase (lookups, then the rest) has: completion
    order is reversed; changes, warnings (the lookups') and the fingerprint keep the manifest's."""
    lookups, managed = ["l1", "l2", "l3"], ["r1", "r2", "r3", "r4"]
    ended = {key: threading.Event() for key in lookups + managed}

    def behaviour(keys, i):
        def read(spec):
            if i + 1 < len(keys):
                assert ended[keys[i + 1]].wait(WAIT)
            ended[keys[i]].set()
            return f"warning of {keys[i]}"
        return read

    reads.behaviour = {key: behaviour(keys, i) for keys in (lookups, managed) for i, key in enumerate(keys)}
    desired = _desired(*(Found(key=k, name=k) for k in lookups), *(Thing(key=k, name=k, spec={"size": 2, "at": Ref("l1", "id")}) for k in managed))
    plan = _plan(desired)
    assert reads.ended == ["l3", "l2", "l1", "r4", "r3", "r2", "r1"]
    assert [c.key for c in plan.changes] == managed and {c.action for c in plan.changes} == {"update"}
    assert plan.warnings == [f"warning of {k}" for k in lookups]
    assert list(plan.inputs) == lookups
    again = _plan(desired)  # any other run, whatever its order, has the same fingerprint
    assert again.fingerprint == plan.fingerprint


def test_problems_of_two_resources_are_both_reported_in_manifest_order(reads):
    """The second resource fails first; both are in flight at once; the plan lists both, the first
    resource's first, and a resource referring to a failed one is planned as a create."""
    both = threading.Barrier(2, timeout=WAIT)
    first_may_fail = threading.Event()

    def first(spec):
        both.wait()
        assert first_may_fail.wait(WAIT)
        raise PlanProblem("first is wrong", "fix first")

    def second(spec):
        both.wait()
        try:
            raise PlanProblem("second is wrong")
        finally:
            first_may_fail.set()

    reads.behaviour = {"first": first, "second": second}
    with pytest.raises(PlanError) as caught:
        _plan(_desired(Thing(key="first", name="f"), Thing(key="second", name="s"),
                       Thing(key="after", name="a", spec={"of": Ref("first", "id")})))
    assert [p.message for p in caught.value.problems] == ["first is wrong", "second is wrong"]
    assert [p.resource_key for p in caught.value.problems] == ["first", "second"]
    assert str(caught.value).startswith("2 problems stop the plan:\n  - first is wrong (fix first)\n  - second is wrong")


def test_an_aws_error_stops_the_plan_and_the_first_in_manifest_order_is_raised(reads):
    """As when reads ran one after another: an AWS error is raised as is (not collected), nothing
    starts after it, and of two in flight the one earlier in the manifest is the one raised."""
    both = threading.Barrier(2, timeout=WAIT)
    first_may_fail = threading.Event()

    def first(spec):
        both.wait()
        assert first_may_fail.wait(WAIT)
        raise AwsCallError("thing first", "fake:DescribeThing", "Throttling", "slow down")

    def second(spec):
        both.wait()
        try:
            raise AwsCallError("thing second", "fake:DescribeThing", "AccessDenied", "no")
        finally:
            first_may_fail.set()

    reads.behaviour = {"first": first, "second": second}
    with pytest.raises(AwsCallError) as caught:
        _plan(_desired(Thing(key="first", name="f"), Thing(key="second", name="s"),
                       Thing(key="after", name="a", spec={"of": Ref("second", "id")})))
    assert caught.value.resource == "thing first"
    assert "after" not in reads.started


def test_a_ref_to_a_later_resource_stays_unknown_whatever_finishes_first(reads):
    plan = _plan(_desired(Thing(key="early", name="e", spec={"size": Ref("late", "id")}), Thing(key="late", name="l")))
    assert plan.changes[0].action != NOOP and str(reads.seen["early"]["size"]) == "(known after apply)"


def test_ctrl_c_stops_the_plan_without_waiting_for_a_read_in_flight(reads):
    """SIGINT reaches the main thread while a read hangs: the plan ends at once (the read, in a
    daemon thread, is abandoned), and nothing queued starts afterwards."""
    hanging, release = threading.Event(), threading.Event()

    def hang(spec):
        hanging.set()
        release.wait(WAIT)

    def interrupt(spec):
        assert hanging.wait(WAIT)
        os.kill(os.getpid(), signal.SIGINT)

    reads.behaviour = {"hang": hang, "interrupt": interrupt}
    try:
        with pytest.raises(KeyboardInterrupt):
            _plan(_desired(Thing(key="hang", name="h"), Thing(key="interrupt", name="i"),
                           Thing(key="after", name="a", spec={"of": Ref("hang", "id")})))
        assert not release.is_set() and "after" not in reads.started
    finally:
        release.set()


def test_gather_on_a_pool_of_one_runs_nested_work_without_deadlock():
    """A worker gathering work queued behind itself runs it (a pool of one would otherwise wait for ever)."""
    with concurrency.Pool(workers=1).active() as pool:
        future = pool.submit(lambda: concurrency.gather([lambda: 1, lambda: 2, lambda: 3]))
        assert future.result(timeout=WAIT) == [1, 2, 3]


def test_gather_raises_the_first_error_in_order_after_every_call_ended():
    ended = []

    def fail(name):
        def call():
            ended.append(name)
            raise ValueError(name)
        return call

    with concurrency.Pool(workers=3).active():
        with pytest.raises(ValueError, match="b"):
            concurrency.gather([lambda: ended.append("a"), fail("b"), fail("c")])
    assert sorted(ended) == ["a", "b", "c"]


def test_without_a_pool_gather_calls_one_after_another():
    order: list = []
    assert concurrency.gather([lambda: order.append(1) or 1, lambda: order.append(2) or 2]) == [1, 2]
    assert order == [1, 2]


def test_a_create_plan_still_plans_what_refers_to_it_as_unknown(reads, monkeypatch):
    monkeypatch.setattr(Reads, "read", lambda self, aws, res, spec: None)
    plan = _plan(_desired(Thing(key="a", name="a"), Thing(key="b", name="b", spec={"of": Ref("a", "id")})))
    assert [c.action for c in plan.changes] == [CREATE, CREATE]


def test_the_account_id_waits_for_the_tag_index_in_flight_rather_than_ask_sts():
    """The network lookup asks the account while the plan's GetResources may still be in flight: it
    waits for that answer (which tells the account) instead of calling sts GetCallerIdentity, so the
    calls are those of reads made one after another. Nothing listens on the endpoint: a call fails."""
    from concurrent.futures import Future

    from ecsship.aws.session import Aws

    aws = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9", local=True, max_attempts=1)
    pending: Future = Future()
    aws.expect_account(pending)
    asked: list = []
    reader = threading.Thread(target=lambda: asked.append(aws.account_id))
    reader.start()
    for _ in range(WAIT * 1000):  # until the reader waits on the pending read (concurrent.futures.wait registers a waiter)
        if pending._waiters:  # type: ignore[attr-defined]
            break
        reader.join(0.001)
    assert pending._waiters and asked == []  # type: ignore[attr-defined]
    aws.note_account_of("arn:aws:logs:us-east-1:210987654321:log-group:/ecs/web")
    pending.set_result(None)
    reader.join(WAIT)
    assert asked == ["210987654321"] and aws.calls.calls == []


def test_depends_on_orders_writes_not_reads(reads):
    """A scalable target `depends_on` its service (apply creates the service first) without referring
    to it: their reads overlap."""
    both = threading.Barrier(2, timeout=WAIT)
    reads.behaviour = {"svc": lambda spec: both.wait(), "scaling": lambda spec: both.wait()}
    plan = _plan(_desired(Thing(key="svc", name="s"), Thing(key="scaling", name="a", depends_on=("svc",))))
    assert [c.key for c in plan.changes] == ["svc", "scaling"]
