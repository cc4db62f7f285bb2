"""manifest/schedule_expr: EventBridge Scheduler cron/rate expressions (EventBridge Scheduler User
Guide, "Schedule types on EventBridge Scheduler": six cron fields, `?` in exactly one of day-of-month
and day-of-week, 1 = Sunday, L/W/#; rate units singular for 1; evaluated in ScheduleExpressionTimezone)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecsship.manifest.schedule_expr import ExpressionError, Rate, check_timezone, iso, next_run, parse


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize("expression, message", [
    ("cron(0 3 * * * *)", "one of day-of-month and day-of-week must be `?`"),
    ("cron(0 3 ? * ? *)", "one of day-of-month and day-of-week must be `?`"),
    ("cron(0 3 * * ?)", "six fields"),
    ("cron(60 3 * * ? *)", "minutes: 60 is outside 0-59"),
    ("cron(0 24 * * ? *)", "hours: 24 is outside 0-23"),
    ("cron(0 3 ? * 8 *)", "day-of-week: 8 is outside 1-7"),
    ("cron(0 3 ? * MON#6 *)", "the week after # is 1 to 5"),
    ("cron(0 3 * FOO ? *)", "month: 'FOO' is not a value"),
    ("cron(0 3 * * ? 1969)", "year: 1969 is outside 1970-2199"),
    ("cron(0/0 3 * * ? *)", "increment after / must be a positive number"),
    ("rate(1 hours)", "the unit is singular: rate(1 hour)"),
    ("rate(2 hour)", "the unit is plural: rate(2 hours)"),
    ("rate(0 minutes)", "positive whole number"),
    ("rate(5 weeks)", "minute(s), hour(s) or day(s)"),
    ("at(2026-01-01T00:00:00)", "use cron("),
])
def test_invalid_expressions_say_why(expression, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse(expression)


def test_cron_runs_in_its_time_zone_across_summer_time():
    # 03:00 in Berlin is 02:00 UTC in winter (CET, +1) and 01:00 UTC in summer (CEST, +2).
    assert iso(next_run("cron(0 3 * * ? *)", "Europe/Berlin", at("2026-01-10T12:00:00"), 0)) == "2026-01-11T02:00:00+00:00"
    assert iso(next_run("cron(0 3 * * ? *)", "Europe/Berlin", at("2026-07-10T12:00:00"), 0)) == "2026-07-11T01:00:00+00:00"
    assert iso(next_run("cron(0 3 * * ? *)", "UTC", at("2026-07-10T02:59:00"), 0)) == "2026-07-10T03:00:00+00:00"


def test_cron_day_rules():
    after = at("2026-11-30T12:00:00")  # a Monday
    assert iso(next_run("cron(30 9 ? * MON-FRI *)", "UTC", after, 0)) == "2026-12-01T09:30:00+00:00"  # Tuesday
    assert iso(next_run("cron(0 0 L * ? *)", "UTC", after, 0)) == "2026-12-31T00:00:00+00:00"  # last day of the month
    assert iso(next_run("cron(0 0 ? * 6L *)", "UTC", after, 0)) == "2026-12-25T00:00:00+00:00"  # last Friday
    assert iso(next_run("cron(0 0 ? * 3#2 *)", "UTC", after, 0)) == "2026-12-08T00:00:00+00:00"  # second Tuesday
    assert iso(next_run("cron(0 0 5W * ? *)", "UTC", after, 0)) == "2026-12-04T00:00:00+00:00"  # 5 Dec is a Saturday
    assert iso(next_run("cron(0/15 * * * ? *)", "UTC", at("2026-11-30T12:07:00"), 0)) == "2026-11-30T12:15:00+00:00"
    assert next_run("cron(0 0 30 FEB ? *)", "UTC", after, 0) is None  # never
    assert next_run("cron(0 0 1 1 ? 2025)", "UTC", after, 0) is None  # a year gone by


def test_rate_runs_one_period_after_its_start_then_every_period():
    start = at("2026-11-30T12:00:00")
    assert parse("rate(1 hour)") == Rate(3600)
    assert next_run("rate(1 hour)", "UTC", start, start) == start + 3600
    assert next_run("rate(5 minutes)", "UTC", start + 301, start) == start + 600
    assert next_run("rate(2 days)", "UTC", start - 10, start) == start + 2 * 86400


def test_time_zones_are_iana_names():
    check_timezone("Europe/Berlin")
    check_timezone("UTC")
    for bad in ("Mars/Olympus", "", "../etc/passwd", "/etc/localtime"):
        with pytest.raises(ExpressionError):
            check_timezone(bad)
