"""EventBridge Scheduler expressions: `cron(...)` and `rate(...)`, checked and evaluated. Pure.

EventBridge Scheduler User Guide, "Schedule types on EventBridge Scheduler":
- `rate(value unit)`: a positive whole number and `minute(s)`, `hour(s)` or `day(s)`; "If the value
  is equal to 1, then the unit must be singular" (`rate(1 hour)`, `rate(5 minutes)`). Taken here to
  run one period after it is created (or after its start date), then every period.
- `cron(minutes hours day-of-month month day-of-week year)`: six fields; minutes 0-59, hours 0-23,
  day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (1 is Sunday), year 1970-2199;
  wildcards `, - * /` everywhere, `?` in day-of-month or day-of-week ("You can't specify the
  Day-of-month and Day-of-week fields in the same cron expression. If you specify a value or a * in
  one of the fields, you must use a ? in the other"), `L` (last day of the month / last weekday N of
  the month as `NL`), `W` (nearest weekday to a day of the month), `#` (the Nth weekday: `3#2`).
  Evaluated in the schedule's time zone (`ScheduleExpressionTimezone`, an IANA name).

Used by `validate` (every problem with its place), `ecsship job list` (next run) and the local AWS,
which runs a schedule's target when its time comes on the simulated clock.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {name: i for i, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
SEARCH_DAYS = 366 * 8  # a cron that matches no day within eight years never runs (e.g. 30 FEB)


class ExpressionError(ValueError):
    """The expression is not one EventBridge Scheduler accepts; the message says why."""


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, after: float, start: float) -> float:
        """The first run strictly after `after` of a rate schedule started at `start` (epoch seconds)."""
        if after < start:
            return start + self.seconds
        return start + (int((after - start) // self.seconds) + 1) * self.seconds


@dataclass(frozen=True)
class Cron:
    minutes: tuple
    hours: tuple
    months: frozenset
    years: frozenset | None  # None: every year
    dom: str  # the day-of-month field as written ("?" when day-of-week rules)
    dow: str

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.dom != "?":
            return _dom_matches(self.dom, day)
        return _dow_matches(self.dow, day)

    def next_after(self, after: float, tz: str) -> float | None:
        """The first run strictly after `after` (epoch seconds), or None when there is none."""
        zone = ZoneInfo(tz)
        local = datetime.fromtimestamp(after, zone)
        day = local.date()
        for _ in range(SEARCH_DAYS):
            if self.matches_day(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()
                        if at > after:
                            return at
            day += timedelta(days=1)
            if self.years is not None and day.year > max(self.years):
                return None
        return None


def parse(expression: str) -> Rate | Cron:
    """A Rate or Cron for `expression`; ExpressionError says what is wrong."""
    if not isinstance(expression, str):
        raise ExpressionError("a schedule is a string: cron(...) or rate(...)")
    text = expression.strip()
    if text.startswith("rate("):
        return _rate(text)
    if text.startswith("cron(") and text.endswith(")"):
        return _cron(text[5:-1])
    raise ExpressionError("use cron(minutes hours day-of-month month day-of-week year) or rate(value unit)")


def check_timezone(name: str) -> None:
    """An IANA time zone name (EventBridge Scheduler ScheduleExpressionTimezone), else ExpressionError."""
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        raise ExpressionError(f"{name!r} is not a time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExpressionError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin or UTC)") from None


def next_run(expression: str, tz: str, after: float, start: float) -> float | None:
    """When a schedule made at `start` runs next after `after` (epoch seconds); None: never again."""
    parsed = parse(expression)
    if isinstance(parsed, Rate):
        return parsed.next_after(after, start)
    return parsed.next_after(after, tz or "UTC")


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def _rate(text: str) -> Rate:
    match = RATE.match(text)
    if not match:
        raise ExpressionError("a rate is rate(value unit) with unit minute(s), hour(s) or day(s), e.g. rate(1 hour)")
    value, unit = int(match.group(1)), match.group(2)
    if value < 1:
        raise ExpressionError("a rate's value must be a positive whole number")
    if value == 1 and unit.endswith("s"):
        raise ExpressionError(f"with a value of 1 the unit is singular: rate(1 {unit[:-1]})")
    if value > 1 and not unit.endswith("s"):
        raise ExpressionError(f"with a value above 1 the unit is plural: rate({value} {unit}s)")
    return Rate(value * UNIT_SECONDS[unit.rstrip("s")])


def _cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ExpressionError(f"cron takes six fields (minutes hours day-of-month month day-of-week year), got {len(fields)}")
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ExpressionError("one of day-of-month and day-of-week must be `?` (and only one), e.g. cron(0 3 * * ? *)")
    return Cron(
        minutes=tuple(sorted(_values(minutes, 0, 59, "minutes"))),
        hours=tuple(sorted(_values(hours, 0, 23, "hours"))),
        months=frozenset(_values(month, 1, 12, "month", MONTHS)),
        years=None if year == "*" else frozenset(_values(year, 1970, 2199, "year")),
        dom=_check_dom(dom), dow=_check_dow(dow))


def _values(field: str, low: int, high: int, what: str, names: dict | None = None) -> set[int]:
    out: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise ExpressionError(f"{what}: the increment after / must be a positive number")
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _number(a, low, high, what, names), _number(b, low, high, what, names)
            if first > last:
                raise ExpressionError(f"{what}: range {part} runs backwards")
        else:
            first = _number(part, low, high, what, names)
            last = high if step > 1 else first
        out.update(range(first, last + 1, step))
    return out


def _number(text: str, low: int, high: int, what: str, names: dict | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ExpressionError(f"{what}: {text!r} is not a value ({low}-{high}{' or a name' if names else ''})")
    value = int(text)
    if not low <= value <= high:
        raise ExpressionError(f"{what}: {value} is outside {low}-{high}")
    return value


def _check_dom(field: str) -> str:
    if field in ("?", "L", "LW"):
        return field
    if field.endswith("W") and field[:-1].isdigit():
        _number(field[:-1], 1, 31, "day-of-month", None)
        return field
    _values(field, 1, 31, "day-of-month")
    return field


def _check_dow(field: str) -> str:
    if field == "?":
        return field
    if "#" in field:
        day, nth = field.split("#", 1)
        _number(day, 1, 7, "day-of-week", DAYS)
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise ExpressionError("day-of-week: the week after # is 1 to 5")
        return field
    if field.endswith("L") and len(field) > 1:
        _number(field[:-1], 1, 7, "day-of-week", DAYS)
        return field
    _values(field, 1, 7, "day-of-week", DAYS)
    return field


def _dom_matches(field: str, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if field == "L":
        return day.day == last
    if field == "LW":
        return day == _nearest_weekday(day.replace(day=last))
    if field.endswith("W"):
        return day == _nearest_weekday(day.replace(day=min(int(field[:-1]), last)))
    return day.day in _values(field, 1, 31, "day-of-month")


def _nearest_weekday(day: date) -> date:
    """`W`: the weekday nearest to `day` within its month."""
    if day.weekday() < 5:
        return day
    shift = -1 if day.weekday() == 5 else 1  # Saturday -> Friday, Sunday -> Monday
    moved = day + timedelta(days=shift)
    if moved.month != day.month:
        moved = day + timedelta(days=-2 if shift > 0 else 2)
    return moved


def _cron_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Python Monday=0 -> cron 2; Sunday -> 1


def _dow_matches(field: str, day: date) -> bool:
    weekday = _cron_weekday(day)
    if "#" in field:
        wanted, nth = field.split("#", 1)
        return weekday == _number(wanted, 1, 7, "day-of-week", DAYS) and (day.day - 1) // 7 + 1 == int(nth)
    if field.endswith("L") and len(field) > 1:
        last = calendar.monthrange(day.year, day.month)[1]
        return weekday == _number(field[:-1], 1, 7, "day-of-week", DAYS) and day.day + 7 > last
    return weekday in _values(field, 1, 7, "day-of-week", DAYS)
