"""Issue #14 item 4: adding a resource kind is a checklist. Every kind the desired model can hold has a
reconciler and declares what `destroy` does with it; plan/destroy.py and ui/plan_view.py name no kind."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from ecsship.desired import resources
from ecsship.plan.destroy import _tied
from ecsship.reconcilers import REGISTRY, reconciler_for
from ecsship.reconcilers.base import NOT_MANAGED, QUIET, Live, OnDestroy

ROOT = Path(__file__).resolve().parents[3]
KINDS = sorted({cls.kind for cls in vars(resources).values()
                if inspect.isclass(cls) and issubclass(cls, resources.Resource) and getattr(cls, "kind", "")})


def test_the_resource_classes_were_found():
    assert "service" in KINDS and "network" in KINDS and len(KINDS) >= 20


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_reconciler_and_a_destroy_policy(kind):
    reconciler = reconciler_for(kind)
    assert isinstance(reconciler.on_destroy, OnDestroy), f"{type(reconciler).__name__} declares no on_destroy"
    for other in (reconciler.on_destroy.deleted_with, reconciler.on_destroy.only_with):
        assert not other or other in KINDS


def test_the_registry_has_no_kind_the_model_lacks():
    assert sorted(REGISTRY) == KINDS


@pytest.mark.parametrize("module", ["plan/destroy.py", "ui/plan_view.py"])
def test_no_kind_specific_branches_outside_the_reconcilers(module):
    text = (ROOT / "ecsship" / module).read_text()
    assert [kind for kind in KINDS if f'"{kind}"' in text] == []


def test_the_plan_view_needs_no_reconciler():
    text = (ROOT / "ecsship" / "ui" / "plan_view.py").read_text()
    assert "reconciler_for" not in text and "import ecsship.reconcilers" not in text


def _live(managed=True, **state):
    return Live(state=state, managed=managed)


def test_shared_kinds_are_kept_with_the_reason():
    assert reconciler_for("cluster").kept_on_destroy(_live(), {}) == "shared by the services in it"
    assert reconciler_for("namespace").kept_on_destroy(_live(), {}) == "shared by the services registered in it"


def test_logs_and_revisions_need_their_option():
    logs, revisions = reconciler_for("log_group"), reconciler_for("task_definition")
    assert "--delete-logs" in logs.kept_on_destroy(_live(), {"delete_logs": False})
    assert logs.kept_on_destroy(_live(), {"delete_logs": True}) is None
    assert revisions.kept_on_destroy(_live(), {}) == QUIET
    assert revisions.kept_on_destroy(_live(managed=False), {"deregister": True}) == "revisions not tagged by ecsship"
    assert revisions.kept_on_destroy(_live(), {"deregister": True}) is None


def test_what_ecsship_does_not_own_is_kept():
    assert reconciler_for("target_group").kept_on_destroy(_live(managed=False), {}) == NOT_MANAGED
    assert reconciler_for("autoscaling").kept_on_destroy(_live(managed=False), {}) is None  # scoped to our service


def test_vpc_endpoints_are_deleted_only_where_this_service_uses_them():
    reconciler = reconciler_for("vpc_endpoints")
    unused = _live(endpoints={"ecr.api": {"user": False}}, securityGroup={"allows443From": []})
    used = _live(endpoints={"ecr.api": {"user": True}}, securityGroup={"allows443From": []})
    assert reconciler.kept_on_destroy(unused, {}) == QUIET
    assert reconciler.kept_on_destroy(used, {}) is None


class _Res:
    def __init__(self, kind):
        self.kind = kind


def test_tied_kinds_follow_the_resource_they_belong_to():
    scaling, service, app, group = (_Res(k) for k in ("autoscaling", "service", "codedeploy_app", "codedeploy_group"))
    kinds = lambda found: [res.kind for res, _ in found]  # noqa: E731
    assert kinds(_tied([(scaling, _live())])) == []  # no service of ours: scaling is not ours to deregister
    assert kinds(_tied([(service, _live()), (scaling, _live())])) == ["service", "autoscaling"]
    assert kinds(_tied([(app, _live()), (group, _live())])) == ["codedeploy_app"]  # DeleteApplication deletes it
    assert kinds(_tied([(group, _live())])) == ["codedeploy_group"]
