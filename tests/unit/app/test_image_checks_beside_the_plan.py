"""deploy checks its images beside the drift plan (issue #20 item 1): whatever the plan says, a
missing image is reported first, as when it was checked before the plan, and before any write."""
from __future__ import annotations

import pytest

from ecsship.app import revision
from ecsship.errors import EcsshipError
from ecsship.plan.plan_and_apply import PlanError
from ecsship.reconcilers.base import PlanProblem


class _Run:
    manifest = None
    aws = None


class _Desired:
    def get(self, key):
        return None


def _missing_image():
    raise EcsshipError("image not found: repo/web:v9", "push the image first")


def test_a_missing_image_is_said_before_the_plan_problem(monkeypatch):
    monkeypatch.setattr(revision, "build", lambda *a, **kw: _Desired())
    monkeypatch.setattr(revision, "make_plan", lambda aws, desired: (_ for _ in ()).throw(PlanError([PlanProblem("drift")])))
    with pytest.raises(EcsshipError, match="image not found"):
        revision.prepare_revision(_Run(), "repo/web:v9", False, images_checked=_missing_image)


def test_a_missing_image_stops_before_anything_is_written(monkeypatch):
    monkeypatch.setattr(revision, "build", lambda *a, **kw: _Desired())
    monkeypatch.setattr(revision, "make_plan", lambda aws, desired: object())
    for write in ("register", "record_shipped"):
        monkeypatch.setattr(revision, write, lambda *a, **kw: pytest.fail("a write after a missing image"))
    with pytest.raises(EcsshipError, match="image not found"):
        revision.prepare_revision(_Run(), "repo/web:v9", False, images_checked=_missing_image)
