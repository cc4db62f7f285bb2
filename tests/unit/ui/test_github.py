"""GitHub Actions rendering (ui/github.py): annotations and job-summary Markdown, pure.

Workflow commands (docs.github.com, "Workflow commands for GitHub Actions"): `::error file=F,line=L,col=C::message`;
data escapes %, CR, LF as %25, %0D, %0A; property values also `:` as %3A and `,` as %2C (@actions/core command.ts).
"""
from __future__ import annotations

from ecsship.deploy.model import Outcome
from ecsship.errors import Problem
from ecsship.plan.model import CREATE, NOOP, UPDATE, Change, FieldChange, Plan
from ecsship.ui.github import annotation, deploy_markdown, in_github_actions, plan_markdown


def test_annotation_has_file_line_col_and_escapes():
    p = Problem("svc/ecsship.yaml", 7, 3, "cpu", "must be one of 256, 512\nsee docs 100%", hint="use 512")
    assert annotation(p) == "::error file=svc/ecsship.yaml,line=7,col=3::cpu: must be one of 256, 512%0Asee docs 100%25 — use 512"
    odd = Problem("a,b:c.yaml", None, None, "", "empty", severity="warning")
    assert annotation(odd) == "::warning file=a%2Cb%3Ac.yaml::empty"


def test_only_when_github_actions_is_true():
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert not in_github_actions({"GITHUB_ACTIONS": "false"}) and not in_github_actions({})


def test_plan_markdown_lists_only_changes():
    plan = Plan("web", "shop", [
        Change("cluster", "cluster", "ECS cluster", "shop", NOOP),
        Change("service", "service", "ECS service", "web", UPDATE, [FieldChange("desired|count", 1, 2)]),
        Change("log_group", "log_group", "log group", "/ecs/shop/web", CREATE),
    ], "sha256:x")
    md = plan_markdown(plan, "ecsship plan: shop/web (us-east-1)")
    assert "| update | ECS service | `web` | desired\\|count |" in md
    assert "| create | log group | `/ecs/shop/web` |  |" in md
    assert "shop`" not in md.split("| action")[1]  # unchanged resources are left out
    assert "Plan: 1 to create, 1 to update, 0 to replace, 0 to delete." in md
    assert "No changes" in plan_markdown(Plan("web", "shop", [], "x"), "t")


def test_deploy_markdown_says_revisions_outcome_reasons_and_lines():
    outcome = Outcome("rolled_back", "arn:x", "shop-web:3", "shop-web:4", "shop-web:3", reason="circuit breaker tripped",
                      duration=185, failed_task={"task_id": "abcdef1234", "reason": "Essential container exited", "exit_code": 1,
                                                 "lines": ["boom", "```x"]})
    md = deploy_markdown(outcome, "shop/web")
    assert "| `shop-web:3` → `shop-web:4` | 3m05s | ❌ failed, rolled back |" in md, md
    assert "- circuit breaker tripped" in md and "- Essential container exited" in md
    assert "task `abcdef12`, exit code 1" in md and "boom\n'''x\n```" in md
    ok = deploy_markdown(Outcome("succeeded", "d", "shop-web:1", "shop-web:2", duration=0), "shop/web")
    assert "✅ succeeded" in ok and "Why" not in ok and "log lines" not in ok
