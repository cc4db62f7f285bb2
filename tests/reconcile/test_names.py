"""Deterministic names within AWS limits (pure: no AWS)."""
from __future__ import annotations

from ecsship.desired import build, names
from ecsship.manifest import load_manifest


def test_long_names_fit_with_a_stable_hash():
    long_service = "payments-reconciliation-" + "x" * 60
    tg = names.target_group_name("shop", long_service, "green")
    assert len(tg) <= 32 and tg.endswith("-green") and not tg.startswith("-")
    assert tg == names.target_group_name("shop", long_service, "green")  # same input, same name
    other = names.target_group_name("shop", long_service[:-1] + "y", "green")
    assert other != tg and len(other) <= 32  # same long prefix, still distinct
    role = names.role_name("shop", long_service, "exec")
    assert len(role) <= 64 and role == names.role_name("shop", long_service, "exec")
    assert names.role_name("shop", "api", "exec") == "shop-api-exec"  # short names stay readable


def test_desired_model_is_deterministic_and_ordered(example):
    first = build(load_manifest(example("bluegreen")))
    second = build(load_manifest(example("bluegreen")))
    assert first.resources == second.resources
    seen: set = set()
    for res in first.resources:
        assert res.dependencies() & {r.key for r in first.resources} <= seen, res.key
        seen.add(res.key)
    for res in first.managed():
        if res.kind not in ("codedeploy_config",):
            assert res.tags["ecsship:service"] == "checkout-api-bg" and res.tags["team"] == "payments"
