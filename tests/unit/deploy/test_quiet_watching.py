"""Quiet watching (issue #20 item 3): a rolling deployment watched on a simulated clock makes at most
20 reads a minute (DescribeServices alone on a quiet poll; the service deployment record, target
health and alarms only when the rollout moved, and at most every few seconds), and its end is still
seen within one poll (≤ 3 s). The end of a rolling deployment is deployments[]' own: the PRIMARY
deployment's rolloutState COMPLETED "when the service reaches a steady state" (botocore ecs model,
Deployment.rolloutState; with alarms after the bake time, AWS "How CloudWatch alarms detect Amazon
ECS deployment failures"), so a service deployment record that lags behind it (ServiceDeployment
`status` SUCCESSFUL: a record ECS updates separately) neither delays the exit nor costs a read."""
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
    # The end is seen within one poll of ECS completing the deployment, and that poll is at most 3 s away.
    assert 0 <= clock.t - account.completed_at <= 3.0, (clock.t, account.completed_at)
    assert clock.t - account.completed_at <= clock.slept[-1]


class BenchRollout:
    """The bench's side-by-side rollout (`worker`, one task, simulator at 3x), in seconds of the watch:
    UpdateService at 0, the new task pending until 7 s and running (its health check pending) until
    ECS completes the deployment at 25 s. Counts every read after UpdateService."""

    RUNNING_AT = 7.0
    COMPLETED_AT = 25.0

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.calls: Counter = Counter()
        self.updated = False

    def _service(self) -> dict:
        t = self.clock.t
        done = self.updated and t >= self.COMPLETED_AT
        running = 1 if t >= self.RUNNING_AT else 0
        old = {"id": "ecs-svc/1", "taskDefinition": TD.format(1), "status": "ACTIVE" if self.updated else "PRIMARY",
               "rolloutState": "COMPLETED", "desiredCount": 1, "runningCount": 1, "pendingCount": 0, "failedTasks": 0,
               "createdAt": T0}
        new = {"id": "ecs-svc/2", "taskDefinition": TD.format(2), "status": "PRIMARY",
               "rolloutState": "COMPLETED" if done else "IN_PROGRESS", "desiredCount": 1, "runningCount": running,
               "pendingCount": 1 - running, "failedTasks": 0, "createdAt": T0}
        deployments = ([new] if done else [new, old]) if self.updated else [old]
        return {"serviceName": "worker", "status": "ACTIVE", "taskDefinition": deployments[0]["taskDefinition"], "events": [],
                "deployments": deployments, **({"currentServiceDeployment": SD} if self.updated else {})}

    def describe_services(self, cluster, services):
        self.calls["DescribeServices"] += self.updated  # the watch's reads: after UpdateService
        return {"services": [self._service()]}

    def update_service(self, cluster, service, taskDefinition, forceNewDeployment=False):
        self.updated = True
        return {"service": self._service()}

    def describe_service_deployments(self, serviceDeploymentArns):
        self.calls["DescribeServiceDeployments"] += 1
        status = "SUCCESSFUL" if self.clock.t >= self.COMPLETED_AT else "IN_PROGRESS"
        return {"serviceDeployments": [{"serviceDeploymentArn": SD, "status": status, "lifecycleStage": "SCALE_UP"}]}


def test_the_benchs_short_rolling_watch_makes_at_most_20_reads_a_minute_from_update_service_to_exit():
    """bench/run.py counts "reads per minute of watching" from UpdateService's answer to the exit: in a
    26 s watch the first poll (UpdateService already answered with the service: botocore ecs
    UpdateServiceResponse.service, "the full description of your service following the update call")
    and the service deployment record (read at the start and at the end: 28 a minute before) weigh
    heavily. Now: one DescribeServices a poll, nothing else, and the end still seen within 3 s."""
    clock = FakeClock()
    account = BenchRollout(clock)
    strategy = EcsStrategy(FakeAws(ecs=account), DeploySettings(cluster="shop", service="worker", strategy="rolling"), clock)
    tracker = strategy.start(TD.format(2))
    result = Watcher(tracker, clock, lambda event: None, timeout=600).run()

    assert result.snapshot.state == "succeeded" and not result.timed_out
    reads = sum(account.calls.values())
    assert account.calls == Counter(DescribeServices=tracker._polls - 1), account.calls  # the first poll was UpdateService's
    assert reads / (clock.t / 60) <= 20, (reads, clock.t, account.calls)
    assert 0 <= clock.t - account.COMPLETED_AT <= min(3.0, clock.slept[-1]), (clock.t, clock.slept)


class ClassicLbRollout(BenchRollout):
    """Behind a Classic Load Balancer DescribeServices has no rolloutState ("only returned for services
    that use the rolling update (ECS) deployment type that aren't behind a Classic Load Balancer":
    botocore ecs Deployment.rolloutState): only the service deployment record tells the end. The new
    task runs 4 s before the end, so the record was read on that move just before."""

    RUNNING_AT = 21.0

    def _service(self) -> dict:
        service = super()._service()
        for deployment in service["deployments"]:
            deployment.pop("rolloutState")
        return service


def test_without_rollout_state_the_record_is_read_each_poll_and_the_end_still_seen_within_3_s():
    clock = FakeClock()
    account = ClassicLbRollout(clock)
    strategy = EcsStrategy(FakeAws(ecs=account), DeploySettings(cluster="shop", service="worker", strategy="rolling"), clock)
    tracker = strategy.start(TD.format(2))
    result = Watcher(tracker, clock, lambda event: None, timeout=600).run()

    assert result.snapshot.state == "succeeded"
    assert 0 <= clock.t - account.COMPLETED_AT <= 3.0, (clock.t, clock.slept)
