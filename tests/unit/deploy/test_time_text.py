"""One form for times in text output: ISO 8601 to the second in UTC with `Z` (the project's output
rule "ISO 8601 times"); JSON keeps `iso`'s full form with its offset."""
from datetime import datetime, timedelta, timezone

from ecsship.deploy.names import iso, utc_time

AT = "2026-11-30T21:08:50Z"


def test_every_input_shape_gives_the_same_utc_text():
    berlin = timezone(timedelta(hours=1))
    assert utc_time(datetime(2026, 11, 30, 22, 8, 50, 123456, tzinfo=berlin)) == AT  # boto3's datetimes, any zone
    assert utc_time(datetime(2026, 11, 30, 21, 8, 50)) == AT  # no offset: AWS's times are UTC
    assert utc_time("2026-11-30T21:08:50+00:00") == AT  # what `iso` puts in JSON
    assert utc_time("2026-11-30T21:08:50.5Z") == AT
    assert utc_time("2026-11-30 22:08:50+01:00") == AT  # str() of a datetime
    assert utc_time(datetime(2026, 11, 30, 21, 8, 50, tzinfo=timezone.utc).timestamp()) == AT  # epoch seconds
    assert utc_time(utc_time(AT)) == AT


def test_no_time_gives_empty_text_and_other_text_passes_through():
    assert utc_time(None) == utc_time("") == ""
    assert utc_time("soon") == "soon"


def test_json_keeps_the_offset():
    assert iso(datetime(2026, 11, 30, 21, 8, 50, tzinfo=timezone.utc)) == "2026-11-30T21:08:50+00:00"
