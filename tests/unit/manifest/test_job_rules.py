"""`validate` on jobs: each bad expression, time zone and Fargate size named with file:line:field."""
from __future__ import annotations

import pytest

from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

from tests.unit.desired.test_builder import EXAMPLES


def test_every_job_problem_is_reported_at_its_line(tmp_path):
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text()
    text = (text.replace("cron(0 3 * * ? *)", "cron(0 3 * * * *)").replace("Europe/Berlin", "Europe/Atlantis")
            .replace("memory: 2048", "memory: 1024").replace("rate(1 hour)", "rate(2 hour)"))
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    lines = text.splitlines()
    found = {p.field: (p.line, p.message) for p in caught.value.problems if p.severity == "error"}
    assert set(found) == {"jobs[0].schedule", "jobs[0].timezone", "jobs[0].memory", "jobs[1].schedule"}
    assert "day-of-week must be `?`" in found["jobs[0].schedule"][1]
    assert "schedule: cron(0 3 * * * *)" in lines[found["jobs[0].schedule"][0] - 1]
    assert "unknown time zone 'Europe/Atlantis'" in found["jobs[0].timezone"][1]
    assert "1024 MiB is not valid with cpu 1024 on Fargate" in found["jobs[0].memory"][1]
    assert "rate(2 hours)" in found["jobs[1].schedule"][1]


def test_duplicate_job_names_and_unheard_failures(tmp_path):
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text().replace("name: expire-sessions", "name: nightly-report")
    text = text.replace("observability:\n  alarms:\n    notify: arn:aws:sns:us-east-1:123456789012:oncall", "")
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    problems = {(p.field, p.severity): p.message for p in caught.value.problems}
    assert problems[("jobs[1].name", "error")] == "job nightly-report is listed twice"
    assert "no one hears of a job that fails" in problems[("jobs", "warning")]


def test_a_schedule_that_is_not_cron_or_rate_is_one_whole_message(tmp_path):
    """One problem per mistake: the schema's x-message, not a description cut at its "e.g." nor a second
    problem from the expression parser for the same field."""
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text().replace("rate(1 hour)", "every hour")
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.field, p.message) for p in errors] == [("jobs[1].schedule", "must be cron(...) or rate(...) (got 'every hour')")]


def test_an_unknown_top_level_field_is_a_line_that_fits(tmp_path):
    """No close match among ~40 top-level fields: the hint points at the docs instead of listing them
    all on one 600-column line (text lines fit 100 columns)."""
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text() + "zzz_unrelated: 1\n"
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    (problem,) = [p for p in caught.value.problems if p.severity == "error"]
    assert problem.field == "zzz_unrelated" and "docs/manifest.md" in problem.hint
    assert len(problem.render()) - len(str(path)) < 90, problem.render()


@pytest.mark.parametrize("types, refused", [("[g5.hugeee]", True), ("[g5.metal-48xl, g5.48xlarge]", False)])
def test_instance_type_sizes_are_ec2s(tmp_path, types, refused):
    """The sizes of botocore ec2 (2016-11-15) shape InstanceType's enum: nano ... large, [N]xlarge, metal,
    metal-Nxl. A typo is refused at its line; a metal size with its dash is an instance type."""
    text = (EXAMPLES / "gpu-worker" / "ecsship.yaml").read_text().replace("[g5.xlarge, g4dn.xlarge]", types)
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    if not refused:
        load_manifest(str(path))
        return
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    (problem,) = [p for p in caught.value.problems if p.severity == "error"]
    assert problem.field == "capacity[0].ec2.instance_types[0]" and "such as c7g.large" in problem.message
