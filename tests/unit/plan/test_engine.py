"""plan.plan_and_apply.plan_resource: the plan records which fields force a replacement (issue #14 item 4),
so the view marks them without asking a reconciler."""
from __future__ import annotations

from ecsship.plan.model import REPLACE, UPDATE
from ecsship.plan.plan_and_apply import plan_resource
from ecsship.reconcilers.base import Live, Reconciler


class _Res:
    key, kind, title, name, note = "k", "thing", "thing", "one", ""


class _Reconciler(Reconciler):
    replace_fields = ("name",)

    def __init__(self, live):
        self.live = live

    def read(self, aws, res, spec):
        return self.live

    def replace_fields_for(self, live, fields=()):
        return self.replace_fields + (("vpc",) if live.state.get("pinned") else ())


def test_a_change_under_a_replace_field_is_a_replace_and_records_the_fields():
    change, _ = plan_resource(None, _Reconciler(Live(state={"name": "a", "size": 1})), _Res(), {"name": "b", "size": 1}, False)
    assert change.action == REPLACE and change.replace_fields == ("name",)


def test_the_fields_recorded_are_those_of_the_resource_as_it_is():
    live = Live(state={"name": "a", "size": 1, "pinned": True, "vpc": "v1"})
    change, _ = plan_resource(None, _Reconciler(live), _Res(), {"name": "a", "size": 2, "pinned": True, "vpc": "v1"}, False)
    assert change.action == UPDATE and change.replace_fields == ("name", "vpc")
