"""SIGINT and SIGTERM during `apply` (a real process): the first signal stops after the change in
progress, a second abandons the call about to go out; either way the run says what was done and
what was not, releases the lock and exits 130, and the next `apply` converges."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from pprint import pformat

import pytest

from tests.reliability.helpers import EXAMPLES, clean_snapshot, diff_snapshots, snapshot

pytestmark = pytest.mark.reliability

WRAPPER = Path(__file__).with_name("pausing_ecsship.py")


def start_paused_apply(aws, tmp_path, pause_at: int):
    marker = tmp_path / "paused"
    env = {**os.environ, "ECSSHIP_LOCAL_PORT": str(aws.port), "ECSSHIP_TEST_PAUSE_AT": str(pause_at),
           "ECSSHIP_TEST_PAUSE_FILE": str(marker), "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(WRAPPER.parents[2]), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, str(WRAPPER), "--local", "--local-port", str(aws.port), "apply", "--no-wait",
                             "-f", EXAMPLES["worker"], "--yes"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            out, err = proc.communicate(timeout=10) if proc.poll() is not None else ("", "")
            proc.kill()
            pytest.fail(f"apply never paused: exit {proc.returncode}\n{out}\n{err}")
        time.sleep(0.02)
    return proc, marker


# The 5th mutating call is the first role's PutRolePolicy: that change completes, then the run stops.
# The 18th is the last (autoscaling's PutScalingPolicy): all is made, but the run still stops (no watch).
@pytest.mark.parametrize("pause_at, made, left", [(5, 3, 6), (18, 9, 0)])
def test_one_signal_finishes_the_change_in_progress_then_stops(pause_at, made, left, aws, run_cli, tmp_path):
    expected = clean_snapshot(aws, run_cli, "worker")
    proc, marker = start_paused_apply(aws, tmp_path, pause_at=pause_at)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)  # let the handler run before the call goes on
    marker.unlink()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert "stopping after the change in progress" in err
    assert f"interrupted: {made} change(s) made, {left} not" in err, err
    assert "done:     IAM role shop-worker-exec" in err
    assert ("not done: ECS service worker" in err) == bool(left)
    assert "run the same command again" in err
    pages = aws.client("ssm").get_paginator("describe_parameters").paginate(ParameterFilters=[
        {"Key": "Name", "Option": "BeginsWith", "Values": ["/ecsship/locks/"]}])
    assert not [p for page in pages for p in page["Parameters"]]  # lock released (every page: some may be empty)
    resumed = run_cli("apply", "--no-wait", "-f", EXAMPLES["worker"], "--yes")
    assert resumed.exit_code == 0, resumed.output
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)


def test_second_signal_abandons_the_call_about_to_go_out(aws, run_cli, tmp_path):
    expected = clean_snapshot(aws, run_cli, "worker")
    # the 9th mutating call is the first CreateVpcEndpoint (the endpoints' security group is made): a change left half made
    proc, marker = start_paused_apply(aws, tmp_path, pause_at=9)
    proc.send_signal(signal.SIGTERM)  # SIGTERM takes the same path as Ctrl-C
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    marker.unlink(missing_ok=True)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert "stopped:  VPC endpoints ecr.api, ecr.dkr, logs, s3 (abandoned while in progress; may be partly made)" in err, err
    assert "interrupted: 5 change(s) made, 4 not" in err
    assert "not done: ECS service worker" in err
    resumed = run_cli("apply", "--no-wait", "-f", EXAMPLES["worker"], "--yes")
    assert resumed.exit_code == 0, resumed.output
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)
