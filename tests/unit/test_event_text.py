"""Issue 13 item 9: event lines name things by short name or id, and say repeated events once.

ECS service events name target groups by ARN, e.g. "(service web) (task 1a2b) (port 8080) is unhealthy
in (target-group arn:aws:elasticloadbalancing:...:targetgroup/shop-web-blue/0123) due to (reason Health
checks failed)" (Amazon ECS developer guide, "Amazon ECS service event messages").
"""
from __future__ import annotations

from ecsship.deploy.events import diff, shorten_arns
from ecsship.deploy.model import ServiceEvent, Snapshot
from ecsship.deploy.names import short_id

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-checkout-api-blue/0123456789abcdef"


def _unhealthy(task: str) -> str:
    return f"(service checkout-api) (task {task}) (port 8080) is unhealthy in (target-group {TG}) due to (reason Health checks failed)."


def test_short_ids_of_the_arns_events_carry():
    assert short_id(TG) == "shop-checkout-api-blue"
    assert short_id("arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/AbC123") == "AbC123"
    assert short_id("ecs-svc/123") == "ecs-svc/123"


def test_a_task_is_named_by_its_ids_first_8_from_an_arn_or_an_id():
    from ecsship.deploy.names import short_task

    assert short_task("arn:aws:ecs:us-east-1:123456789012:task/shop/50d13ab2657c4b0dadf55e0ae009b4f6") == "50d13ab2"
    assert short_task("50d13ab2657c4b0dadf55e0ae009b4f6") == "50d13ab2"
    assert short_task("abc") == "abc" and short_task(None) == ""
    assert "arn:" not in shorten_arns(_unhealthy("1a2b"))


def test_identical_events_of_one_poll_are_collapsed_with_a_count():
    events = tuple(ServiceEvent(f"e{i}", "2026-01-01T00:00:00Z", _unhealthy(t)) for i, t in enumerate(("aa11", "bb22", "cc33")))
    first = diff(None, Snapshot("arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/AbC123", events=events), 0.0)
    lines = [e for e in first if e.kind == "service_event"]
    assert len(lines) == 1
    assert lines[0].message.startswith("3× (service checkout-api) (port 8080) is unhealthy in (target-group shop-checkout-api-blue)")
    assert lines[0].data["count"] == 3 and TG in lines[0].data["message_full"], "JSON keeps the full ARN"
    started = next(e for e in first if e.kind == "started")
    assert "arn:" not in started.message and started.data["deployment_id"].startswith("arn:aws:ecs:")


def test_images_deployments_and_reasons_are_made_short_for_text_lines():
    """Issue 13 item 9: lines fit 100 columns by being short, never wrapped (CI logs are grepped).
    Docker's reference grammar: a first path part with `.` or `:` (or `localhost`) is the registry."""
    from ecsship.deploy.events import fit_line, fit_reason
    from ecsship.deploy.names import short_deployment, short_image

    assert short_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v2") == "team/web:v2"
    assert short_image("localhost:5000/web@sha256:" + "ab" * 32) == "web@sha256:abababab"
    assert short_image("nginx:1.27") == "nginx:1.27" and short_image("library/nginx") == "library/nginx"
    assert short_deployment("arn:aws:ecs:us-east-1:1:service-deployment/c/s/AbCdEfGh0123456789") == "AbCdEfGh"
    assert short_deployment("ecs-svc/7754412330762838215") == "ecs-svc/…62838215"
    assert short_deployment("d-ABCDEF123") == "d-ABCDEF12"
    reason = "ECS deployment circuit breaker: tasks failed to start because of a very long reason " * 3
    line = fit_reason("deployment of web:3 failed: ", reason, "; rolled back, web:2 serves", 100)
    assert len(line) <= 100 and line.endswith("…; rolled back, web:2 serves") and " very long reas…" not in line
    assert fit_line("(service web) " + "word " * 30, 60).startswith("word word")
    assert len(fit_line("x" * 150, 100)) == 100
