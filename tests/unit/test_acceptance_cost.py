"""The acceptance run's cost arithmetic (docs/aws-testing.md "What it costs"), with the prices of
/work/shared/anchors.md: Fargate $0.04048 per vCPU-hour, $0.004445 per GB-hour; interface endpoint
$0.01 per AZ-hour."""
from __future__ import annotations

import pytest

from tests.acceptance.scenario import TASK_HOUR, Report


def test_one_init_task_costs_what_the_docs_show():
    assert TASK_HOUR == pytest.approx(0.25 * 0.04048 + 0.5 * 0.004445) == pytest.approx(0.0123425)


def test_task_and_endpoint_hours_integrate_the_samples_left_to_right():
    report = Report("acc000000", samples=[(0, 0, 0), (1800, 1, 4), (5400, 2, 4), (7200, 0, 0)])
    # 0 x 0.5 h + 1 x 1 h + 2 x 0.5 h = 2 task-hours; 4 AZs x 1.5 h = 6 AZ-hours
    assert report.task_hours() == pytest.approx(2.0) and report.endpoint_hours() == pytest.approx(6.0)
    assert report.cost() == pytest.approx(2 * 0.0123425 + 6 * 0.01)
    assert "task-hours 2.000 x $0.0123425 = $0.0247" in report.lines()
    assert report.lines()[-1] == "left behind: nothing"
