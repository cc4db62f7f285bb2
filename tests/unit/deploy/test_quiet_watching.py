"""Quiet watching (issue #20 item 3): a rolling deployment watched for minutes on a simulated clock
makes at most 20 reads a minute (DescribeServices alone on a quiet poll; the service deployment
record, target health and alarms only when the rollout moved, and at most every few seconds), and
its end is still seen within one poll (≤ 3 s), even when the service deployment record lags behind
deployments[] (botocore ecs model: Deployment `rolloutState` COMPLETED; ServiceDeployment `status`
SUCCESSFUL - two records ECS updates separately)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.strategies.ecs import EcsStrategy, EcsTracker
from ecsship.deploy.watcher import Watcher

from tests.doubles import FakeAws

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:{}"
SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/abc"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/1"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
DESIRED = 10
TASK_EVERY = 15.0  # a new task runs (and an old one stops) every 15 s: the rollout moves all the time
DRAIN = 5.0  # every new task runs: ECS marks the deployment COMPLETED once the old tasks drained
SD_LAG = 2.0  # the service deployment record says SUCCESSFUL this long after deployments[] COMPLETED


class RollingAccount:
    """ECS, ELB and CloudWatch for one rolling deployment, moved by the clock; counts every read."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.calls: Counter = Counter()
        self.completed_at = DESIRED * TASK_EVERY + DRAIN
        self.successful_at = self.completed_at + SD_LAG

    def _deployments(self) -> list[dict]:
        new = min(DESIRED, int(self.clock.t // TASK_EVERY))
        done = self.clock.t >= self.completed_at
        out = [{"id": "ecs-svc/2", "taskDefinition": TD.format(2), "status": "PRIMARY", "rolloutState": "COMPLETED" if done else "IN_PROGRESS",
                "desiredCount": DESIRED, "runningCount": new, "pendingCount": 0 if new == DESIRED else 1, "failedTasks": 0, "createdAt": T0}]
        if not done:
            out.append({"id": "ecs-svc/1", "taskDefinition": TD.format(1), "status": "ACTIVE", "rolloutState": "COMPLETED",
                        "desiredCount": DESIRED - new, "runningCount": DESIRED - new, "pendingCount": 0, "failedTasks": 0, "createdAt": T0})
        return out

    # ecs
    def describe_services(self, cluster, services):
        self.calls["DescribeServices"] += 1
        return {"services": [{"serviceName": "web", "status": "ACTIVE", "taskDefinition": TD.format(2), "events": [],
                              "loadBalancers": [{"targetGroupArn": TG}],
                              "deploymentConfiguration": {"alarms": {"alarmNames": ["shop-web-5xx"], "enable": True}},
                              "deployments": self._deployments()}]}

    def describe_service_deployments(self, serviceDeploymentArns):
        self.calls["DescribeServiceDeployments"] += 1
        status = "SUCCESSFUL" if self.clock.t >= self.successful_at else "IN_PROGRESS"
        return {"serviceDeployments": [{"serviceDeploymentArn": SD, "status": status, "lifecycleStage": "SCALE_UP"}]}

    # elbv2
    def describe_target_health(self, TargetGroupArn):
        self.calls["DescribeTargetHealth"] += 1
        return {"TargetHealthDescriptions": [{"TargetHealth": {"State": "healthy"}}] * DESIRED}

    # cloudwatch
    def describe_alarms(self, AlarmNames):
        self.calls["DescribeAlarms"] += 1
        return {"MetricAlarms": [{"AlarmName": n, "StateValue": "OK"} for n in AlarmNames]}


def test_a_rolling_watch_makes_at_most_20_reads_a_minute_and_exits_within_one_poll_of_the_end():
    clock = FakeClock()
    account = RollingAccount(clock)
    aws = FakeAws(ecs=account, elbv2=account, cloudwatch=account)
    strategy = EcsStrategy(aws, DeploySettings(cluster="shop", service="web", strategy="rolling"), clock)
    tracker = EcsTracker(strategy, TD.format(1), TD.format(2), "ecs-svc/2", SD)

    result = Watcher(tracker, clock, lambda event: None, timeout=3600).run()

    assert result.snapshot.state == "succeeded" and not result.timed_out
    reads = sum(account.calls.values())
    minutes = clock.t / 60
    assert minutes > 1.5  # a long enough watch for a per-minute figure
    assert reads / minutes <= 20, (reads, round(minutes, 2), account.calls)
    assert account.calls["DescribeServices"] == tracker._polls  # one a poll, whatever else a poll reads
    # The end is seen within one poll of the record saying so, and that poll is at most 3 s away.
    assert clock.t - account.successful_at <= 3.0, (clock.t, account.successful_at)
    assert clock.t - account.successful_at <= clock.slept[-1]
