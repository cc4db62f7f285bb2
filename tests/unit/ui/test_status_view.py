"""status and history text: short names, never full ARNs or registry URIs, lines within 100 columns
(the project's output rule; JSON keeps the full values)."""
from ecsship.ui.status_view import history_lines, status_lines

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-checkout-api/0c1638fafa9fe448"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:broken"


def _status(events):
    return {"service": "checkout-api", "cluster": "shop", "status": "ACTIVE", "revision": "shop-checkout-api:3",
            "strategy": "ROLLING", "controller": "ECS", "running": 2, "desired": 2, "events": events}


def test_status_events_name_target_groups_and_tasks_shortly_within_100_columns():
    lines = status_lines(_status([
        {"at": "2026-11-30T20:39:36+00:00",
         "message": f"(service checkout-api) (port 8080) is unhealthy in (target-group {TG}) due to (reason Health checks failed)."},
        {"at": "2026-11-30T20:38:24+00:00", "message": "(service checkout-api) has started 2 tasks: "
         "(task 50d13ab2-657c-4b0d-adf5-5e0ae009b4f6) (task 8784487d-2a05-45fe-b742-b61eceffc251)."},
    ]))
    events = lines[lines.index("recent events:") + 1:]
    assert len(events) == 2
    assert all("arn:" not in line and len(line) <= 100 for line in events), events
    assert "shop-checkout-api" in events[0] and "unhealthy" in events[0]
    assert "(task 50d13ab2)" in events[1]
    assert events[0].startswith("  2026-11-30T20:39:36Z  ")  # ISO 8601 in UTC, one form for all text output


def test_history_shows_the_image_as_repository_and_tag():
    rows = [{"started": "2026-11-30T20:37:12+00:00", "revision": "shop-checkout-api:3", "outcome": "rolled_back",
             "duration": 445, "image": IMAGE, "reason": "ECS deployment circuit breaker: tasks failed to start."}]
    lines = history_lines(rows)
    assert "checkout-api:broken" in lines[1] and "dkr.ecr" not in lines[1]
    assert lines[1].startswith("2026-11-30T20:37:12Z ")
    assert all(len(line) <= 100 for line in lines), lines
