"""Right-sizing proposals (ecsship/cost/rightsize.py), pure. Valid sizes: ECS developer guide "Task CPU and
memory" (manifest/fargate.py)."""
from __future__ import annotations

from ecsship.cost.rightsize import MIN_HOURS, propose, smallest_size
from ecsship.manifest.fargate import fargate_memory_options


def test_not_enough_data_proposes_nothing():
    p = propose(1024, 2048, [10.0] * (MIN_HOURS - 1), [20.0] * (MIN_HOURS - 1), 60)
    assert not p.enough_data and p.hours == MIN_HOURS - 1 and not p.changes


def test_an_idle_service_shrinks_to_a_valid_size_and_a_low_target_rises():
    p = propose(2048, 8192, [12.0] * 100, [20.0] * 100, 40)
    # CPU: 2048 x 12% / 0.7 = 351 units -> 512; memory: 8192 x 20% / 0.8 = 2048 MiB, valid with 512.
    assert p.enough_data and (p.new_cpu, p.new_memory) == (512, 2048)
    assert p.new_memory in fargate_memory_options(p.new_cpu)
    assert (p.scaling_target, p.new_scaling_target) == (40, 70.0)


def test_a_busy_service_grows_and_memory_pushes_the_cpu_up_when_needed():
    p = propose(256, 512, [95.0] * 80, [90.0] * 80, None)
    assert (p.new_cpu, p.new_memory) == (512, 1024) and p.new_scaling_target is None
    assert smallest_size(256, 3000) == (512, 3072)  # 256 CPU allows at most 2 GB
    assert smallest_size(100000, 1) == (16384, 122880)


def test_the_not_enough_data_text_fits_100_columns():
    """Every text line fits 100 columns, however long the service name and reason (the project's output rule)."""
    from ecsship.ui.cost_view import show_rightsize

    printed: list[str] = []

    class Out:
        def print(self, text, style=None):
            printed.extend(text.splitlines())

    show_rightsize(Out(), {"service": "checkout-api-with-a-rather-long-name", "days": 14, "source": "AWS/ECS",
                           "hours_of_data": 0, "enough_data": False, "current": {},
                           "reason": "not enough data: 0 hours of CPU and memory metrics in the last 14 days (AWS/ECS); "
                                     "at least 72 are needed"})
    assert printed and all(len(line) <= 100 for line in printed), printed
    assert "at least 72 are needed" in " ".join(line.strip() for line in printed)


def test_rightsize_of_an_ec2_service_says_it_sizes_fargate_tasks_only():
    """Its proposals are Fargate sizes priced at Fargate rates; an EC2 task (and a GPU one) fits instances
    instead: a usage error before any AWS call, not a Fargate size and a $0 saving."""
    from typer.testing import CliRunner

    from ecsship.cli.app import app

    from tests.unit.desired.test_builder import EXAMPLES

    result = CliRunner().invoke(app, ["rightsize", "-f", str(EXAMPLES / "gpu-worker" / "ecsship.yaml")])
    assert result.exit_code == 2 and "platform: ec2" in result.output and "Traceback" not in result.output, result.output
