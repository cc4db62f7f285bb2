"""The ECS deployment controller: rolling updates and ECS-native blue/green, canary and linear.

Starting: UpdateService with the new task definition (never desiredCount: autoscaling owns it).
Tracking: the service deployment this UpdateService created, by ARN (DescribeServiceDeployments),
plus the service's `deployments[]` entry for per-revision task counts. Success is that service
deployment reaching SUCCESSFUL, or for a rolling update its `deployments[]` entry, still PRIMARY,
reaching rolloutState COMPLETED (ECS's own end of it, also where the service-deployments API is
missing): never "the service is stable".
Rollback: StopServiceDeployment(ROLLBACK); where unavailable, UpdateService back to the old revision.
Approval: a PAUSE lifecycle hook AWAITING_ACTION is resumed with ContinueServiceDeployment.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from ecsship.aws.concurrency import gather
from ecsship.aws.errors import aws_call, translate_client_error
from ecsship.deploy.health import alarm_states, health_counts
from ecsship.deploy.model import (
    FAILED,
    IN_PROGRESS,
    ROLLED_BACK,
    ROLLING_BACK,
    STOPPED,
    SUCCEEDED,
    WAITING_APPROVAL,
    RevisionState,
    ServiceEvent,
    Snapshot,
)
from ecsship.deploy.names import iso, revision_name, unsupported
from ecsship.errors import EcsshipError

ACTIVE_STATUSES = ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"]
_SD_STATE = {
    "SUCCESSFUL": SUCCEEDED,
    "ROLLBACK_SUCCESSFUL": ROLLED_BACK,
    "ROLLBACK_FAILED": FAILED,
    "STOPPED": STOPPED,
    "ROLLBACK_REQUESTED": ROLLING_BACK,
    "ROLLBACK_IN_PROGRESS": ROLLING_BACK,
    "STOP_REQUESTED": IN_PROGRESS,
    "PENDING": IN_PROGRESS,
    "IN_PROGRESS": IN_PROGRESS,
}
# Quiet watching (issue #20 item 3: at most 20 reads a minute of a rolling watch, with a poll every
# 3 s at the busiest): seconds of the watch's clock between re-reads of what DescribeServices lacks.
EXTRAS_GAP = 30.0  # target health and alarms, when task counts moved (first poll: always)
EXTRAS_QUIET_GAP = 60.0  # ... and when nothing moved
SD_MOVED_GAP = 20.0  # rolling: the service deployment record, when deployments[] moved
SD_QUIET_GAP = 60.0  # ... and when nothing moved (its lifecycle stage may still change)


class EcsStrategy:
    controller = "ecs"

    def __init__(self, aws, settings, clock):
        self.aws = aws
        self.settings = settings
        self.clock = clock
        self.ecs = aws.client("ecs")
        self._sd_api = True  # flips off if the endpoint lacks the service-deployments API

    @property
    def label(self) -> str:
        return f"service {self.settings.service} in cluster {self.settings.cluster}"

    # -- reading ------------------------------------------------------------------------
    def describe_service(self) -> dict:
        with aws_call(self.label, "ecs:DescribeServices"):
            resp = self.ecs.describe_services(cluster=self.settings.cluster, services=[self.settings.service])
        services = [s for s in resp.get("services", []) if s.get("status") != "INACTIVE"]
        if not services:
            raise EcsshipError(f"{self.label} does not exist", "run `ecsship apply` first")
        return services[0]

    def current_task_definition_of(self, service: dict) -> str:
        """The revision the PRIMARY deployment runs: what serves, or is being rolled out, now."""
        primary = next((d for d in service.get("deployments", []) or [] if d.get("status") == "PRIMARY"), None)
        return (primary or {}).get("taskDefinition") or service["taskDefinition"]

    def listed_deployments(self) -> list[str]:
        """The guard's own read: the service deployments still in progress (ListServiceDeployments),
        so a caller can send it beside other reads and hand it to `active_deployments`."""
        return self._list_service_deployments(ACTIVE_STATUSES)

    def active_deployments(self, service: dict | None = None, listed: list[str] | None = None) -> list[str]:
        """Deployments of the service still in progress, described for a person (the guard).
        `listed`: what `listed_deployments` answered under the same lock (None: read it here)."""
        service = service or self.describe_service()
        found: list[str] = list(listed) if listed is not None else self.listed_deployments()
        if not found:
            for dep in service.get("deployments", []):
                if dep.get("rolloutState") == "IN_PROGRESS":
                    found.append(f"{dep['id']} ({revision_name(dep.get('taskDefinition'))}, {dep.get('status', '').lower()})")
        return found

    def _list_service_deployments(self, statuses: list[str]) -> list[str]:
        if not self._sd_api:
            return []
        from botocore.exceptions import ClientError

        try:
            resp = self.ecs.list_service_deployments(cluster=self.settings.cluster, service=self.settings.service, status=statuses)
        except ClientError as exc:
            if unsupported(exc):
                self._sd_api = False
                return []
            raise
        return [d["serviceDeploymentArn"] for d in resp.get("serviceDeployments", [])]

    # -- acting -------------------------------------------------------------------------
    def start(self, task_definition: str, force_new: bool = False, before: dict | None = None) -> "EcsTracker":
        """`before`: the service as the caller just read it (the in-progress guard), not read again."""
        before = before or self.describe_service()
        old_td = self.current_task_definition_of(before)
        with aws_call(self.label, "ecs:UpdateService"):
            service = self.ecs.update_service(
                cluster=self.settings.cluster, service=self.settings.service,
                taskDefinition=task_definition, forceNewDeployment=force_new,
            )["service"]
        primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)
        if primary is None:
            raise EcsshipError(f"{self.label}: UpdateService returned no PRIMARY deployment", "check the service in the ECS console")
        sd_arn = service.get("currentServiceDeployment") or ""
        previous_sd = before.get("currentServiceDeployment") or ""
        if not sd_arn or sd_arn == previous_sd:
            sd_arn = self._newest_service_deployment(exclude=previous_sd)
        tracker = EcsTracker(self, old_td, task_definition, primary["id"], sd_arn)
        # Only events after this point are news: by server time, and never one listed before we started.
        tracker.started_at = primary.get("createdAt")
        tracker.old_event_ids = {e.get("id") for e in before.get("events", []) or []}
        # UpdateService answers with "the full description of your service following the update call"
        # (botocore ecs UpdateServiceResponse.service): the watch's first poll, not a DescribeServices.
        tracker.primed = service
        return tracker

    def _newest_service_deployment(self, exclude: str) -> str:
        arns = [a for a in self._list_service_deployments(ACTIVE_STATUSES) if a != exclude]
        return arns[0] if arns else ""

    def attach(self) -> "EcsTracker | None":
        """The deployment in progress right now (for promote, rollback, status --watch)."""
        # Side by side on the caller's pool, if it has one (status: issue #20 item 1).
        service, active = gather([self.describe_service, self.listed_deployments])
        primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)
        in_progress = primary is not None and primary.get("rolloutState") == "IN_PROGRESS"
        if not active and not in_progress:
            return None
        # The revision being replaced is the one running tasks (not whichever ACTIVE entry is listed first).
        olds = sorted((d for d in service.get("deployments", []) if d.get("status") != "PRIMARY"),
                      key=lambda d: (d.get("runningCount", 0), d.get("desiredCount", 0)), reverse=True)
        old_td = olds[0]["taskDefinition"] if olds else ""
        sd_arn = active[0] if active else ""
        tracker = EcsTracker(self, old_td, primary["taskDefinition"] if primary else service["taskDefinition"],
                             primary["id"] if primary else "", sd_arn)
        tracker.started_at = (primary or {}).get("createdAt")
        tracker.old_event_ids = {e.get("id") for e in service.get("events", []) or []}  # told before we attached
        tracker.primed = service  # just read: the watch's first poll
        return tracker


class EcsTracker:
    """Follows one deployment: `poll()` gives a Snapshot; `rollback()` and `continue_()` act on it."""

    def __init__(self, strategy: EcsStrategy, old_td: str, new_td: str, deployment_id: str, sd_arn: str):
        self.strategy = strategy
        self.ecs = strategy.ecs
        self.old_td = old_td
        self.new_td = new_td
        self.deployment_id = deployment_id     # ecs-svc/... in service.deployments[]
        self.sd_arn = sd_arn                   # service deployment ARN, when the API exists
        self.started_at = None                 # server time the deployment was created
        self._polls = 0
        self._failed_seen = -1
        self._stopped: tuple = ()
        self._targets: tuple = ()
        self._alarms: tuple = ()
        self._counts_key = None
        self._sd: dict | None = None
        self._shape: tuple | None = None
        self._sd_read_at = strategy.clock.now()  # a rolling watch reads the record only when it is worth it
        self._extras_at = 0.0
        self._phase_seen: dict[str, float] = {}
        self._traffic_seen: tuple = ()
        self._traffic_since = 0.0
        self._fallback_rollback = False
        self.last_service: dict = {}
        self.old_event_ids: set = set()
        self.primed: dict | None = None  # a service description just read: the next poll's, instead of a call

    @property
    def id(self) -> str:
        return self.sd_arn or self.deployment_id

    # -- polling ------------------------------------------------------------------------
    def poll(self) -> Snapshot:
        service, self.primed = self.primed or self.strategy.describe_service(), None
        self.last_service = service
        self._polls += 1
        deployments = service.get("deployments", [])
        tracked = next((d for d in deployments if d.get("id") == self.deployment_id), None)
        if tracked is not None and self.started_at is None:
            self.started_at = tracked.get("createdAt")
        sd = self._service_deployment(tracked, deployments)

        revisions = self._revisions(deployments, sd)
        counts_key = tuple((r.revision, r.running, r.pending, r.failed) for r in revisions)
        now = self.strategy.clock.now()
        since = now - self._extras_at
        refresh = self._polls == 1 or since >= EXTRAS_QUIET_GAP or (counts_key != self._counts_key and since >= EXTRAS_GAP)
        if refresh:
            self._counts_key = counts_key
            self._extras_at = now
            self._targets = self._target_health(service)
            self._alarms = self._alarm_states(service)
        new_failed = sum(r.failed for r in revisions if r.role == "new")
        if new_failed != self._failed_seen and new_failed > 0:
            self._stopped = self._stopped_reasons(service)
        self._failed_seen = new_failed

        state, reason = self._state(tracked, deployments, sd)
        phase = (sd or {}).get("lifecycleStage", "") if state not in (SUCCEEDED, ROLLED_BACK, FAILED, STOPPED) else ""
        hook_id = ""
        if sd and state == IN_PROGRESS:
            paused = [h for h in sd.get("lifecycleHookDetails", []) or [] if h.get("status") == "AWAITING_ACTION"]
            if paused:
                state, hook_id = WAITING_APPROVAL, paused[0].get("hookId", "")
        wait_left, wait_kind = self._wait(sd, phase, revisions)
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        serving = revision_name((primary or {}).get("taskDefinition") or service.get("taskDefinition")) if state in (SUCCEEDED, ROLLED_BACK, FAILED, STOPPED) else ""
        return Snapshot(
            deployment_id=self.id, state=state, phase=phase or "", reason=reason,
            revisions=revisions, targets=self._targets, alarms=self._alarms,
            events=self._events(service), stopped=self._stopped,
            wait_left=wait_left, wait_kind=wait_kind, serving=serving, hook_id=hook_id,
        )

    @property
    def rolling(self) -> bool:
        return self.strategy.settings.strategy == "rolling"

    def _service_deployment(self, tracked: dict | None, deployments: list[dict]) -> dict | None:
        """DescribeServiceDeployments on every poll doubles a rolling watch's reads. deployments[] in
        DescribeServices moves whenever the rollout does (counts, rolloutState, a rollback's new
        PRIMARY), so for rolling a quiet poll is DescribeServices alone (issue #20 item 3): the record
        is read when deployments[] moved (at most every SD_MOVED_GAP s from the start), every
        SD_QUIET_GAP s for the lifecycle stage, and at once when deployments[] says the rollout ended
        other than completed, so a failure's reason is the record's (circuit breaker, alarms); while
        the record still says in progress then (it may lag), again each poll until they agree.
        A completed rollout needs no record: the PRIMARY deployment's rolloutState COMPLETED is ECS's
        own success ("when the service reaches a steady state" and, with alarms, after the bake time:
        botocore ecs Deployment.rolloutState; AWS "How CloudWatch alarms detect Amazon ECS deployment
        failures"), see `_state`. Traffic-shifting strategies read it every poll: their weights show
        nowhere else."""
        shape = tuple((d.get("id"), d.get("status"), d.get("rolloutState"), d.get("desiredCount"), d.get("runningCount"),
                       d.get("pendingCount"), d.get("failedTasks")) for d in deployments)
        moved = shape != self._shape
        self._shape = shape
        if not self.rolling or (tracked is not None and "rolloutState" not in tracked):
            # Traffic shifting, or a service behind a Classic Load Balancer (no rolloutState:
            # botocore ecs Deployment.rolloutState): the record alone tells the end.
            self._sd = self._describe_sd()
            return self._sd
        now = self.strategy.clock.now()
        ended = self._state(tracked, deployments, None)[0]
        if ended == SUCCEEDED:
            return self._sd
        lagging = self._sd is not None and _SD_STATE.get(self._sd.get("status", ""), IN_PROGRESS) == IN_PROGRESS
        since = now - self._sd_read_at
        if ((ended != IN_PROGRESS and (self._sd is None or lagging or moved)) or (moved and since >= SD_MOVED_GAP)
                or since >= SD_QUIET_GAP):
            self._sd_read_at = now
            self._sd = self._describe_sd()
        return self._sd

    def _describe_sd(self) -> dict | None:
        if not self.sd_arn or not self.strategy._sd_api:
            return None
        from botocore.exceptions import ClientError

        try:
            resp = self.ecs.describe_service_deployments(serviceDeploymentArns=[self.sd_arn])
        except ClientError as exc:
            if unsupported(exc):
                self.strategy._sd_api = False
                return None
            raise
        found = resp.get("serviceDeployments", [])
        return found[0] if found else None

    def _revisions(self, deployments: list[dict], sd: dict | None) -> tuple[RevisionState, ...]:
        by_td: dict[str, dict] = {}
        for dep in deployments:
            td = dep.get("taskDefinition", "")
            agg = by_td.setdefault(td, {"desired": 0, "pending": 0, "running": 0, "failed": 0})
            agg["desired"] += dep.get("desiredCount", 0)
            agg["pending"] += dep.get("pendingCount", 0)
            agg["running"] += dep.get("runningCount", 0)
            agg["failed"] += dep.get("failedTasks", 0)
        traffic_new = traffic_old = test_new = None
        if sd:
            target = sd.get("targetServiceRevision") or {}
            traffic_new = target.get("requestedProductionTrafficWeight")
            test_new = target.get("requestedTestTrafficWeight")
            # Production traffic is split between the target and what it replaces: the rest is the old one's.
            traffic_old = None if traffic_new is None else round(100.0 - traffic_new, 3)
        out = []
        new = by_td.pop(self.new_td, None)
        out.append(RevisionState(revision_name(self.new_td), "new", traffic=traffic_new, test_traffic=test_new, **(new or {"desired": 0, "pending": 0, "running": 0, "failed": 0})))
        # The revision this rollout replaces first: the `started` header and outcome name the same one.
        for td, agg in sorted(by_td.items(), key=lambda item: (item[0] != self.old_td, item[0])):
            out.append(RevisionState(revision_name(td), "old", traffic=traffic_old if td == self.old_td or len(by_td) == 1 else None, **agg))
        if not by_td and self.old_td and self.old_td != self.new_td:
            out.append(RevisionState(revision_name(self.old_td), "old", traffic=traffic_old))
        return tuple(out)

    def _state(self, tracked: dict | None, deployments: list[dict], sd: dict | None) -> tuple[str, str]:
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        if self.rolling and tracked is not None and tracked is primary and tracked.get("rolloutState") == "COMPLETED":
            return SUCCEEDED, ""  # ECS's own success of a rolling deployment, whatever a lagging record says
        if sd is not None:
            state = _SD_STATE.get(sd.get("status", ""), IN_PROGRESS)
            return state, self._sd_reason(sd)
        if tracked is not None:
            rollout = tracked.get("rolloutState", "")
            reason = tracked.get("rolloutStateReason", "") if rollout == "FAILED" else ""
            if tracked is primary and rollout == "COMPLETED":
                return SUCCEEDED, ""
            if tracked is primary and rollout == "FAILED":
                return FAILED, reason
            if tracked is not primary:  # something (the circuit breaker, us) replaced it
                return (ROLLED_BACK if primary and primary.get("rolloutState") == "COMPLETED" else ROLLING_BACK), reason or self._rollback_reason(primary)
            return IN_PROGRESS, ""
        # Gone from the list: it finished and was replaced.
        if primary is not None and primary.get("taskDefinition") == self.new_td and primary.get("rolloutState") == "COMPLETED" and not self._fallback_rollback:
            return SUCCEEDED, ""
        if primary is not None and primary.get("rolloutState") != "COMPLETED":
            return ROLLING_BACK, self._rollback_reason(primary)
        return ROLLED_BACK, self._rollback_reason(primary)

    @staticmethod
    def _rollback_reason(primary: dict | None) -> str:
        return (primary or {}).get("rolloutStateReason", "") or "the deployment was replaced"

    @staticmethod
    def _sd_reason(sd: dict) -> str:
        parts = []
        if sd.get("statusReason"):
            parts.append(sd["statusReason"])
        cb = sd.get("deploymentCircuitBreaker") or {}
        if cb.get("status") == "TRIGGERED" and "circuit breaker" not in sd.get("statusReason", "").lower():
            parts.append(f"circuit breaker tripped after {cb.get('failureCount', '?')} failed tasks (threshold {cb.get('threshold', '?')})")
        alarms = sd.get("alarms") or {}
        if alarms.get("triggeredAlarmNames") and "alarm" not in sd.get("statusReason", "").lower():
            parts.append("alarm in ALARM: " + ", ".join(alarms["triggeredAlarmNames"]))
        rollback = sd.get("rollback") or {}
        if rollback.get("reason") and rollback["reason"] not in parts:
            parts.append(rollback["reason"])
        seen: list[str] = []
        for p in parts:
            if p not in seen:
                seen.append(p)
        return "; ".join(seen)

    def _wait(self, sd: dict | None, phase: str, revisions) -> tuple[int | None, str]:
        """Time left in a bake or a canary/linear step; estimated from when we first saw it.

        Only while the service deployment is IN_PROGRESS (ServiceDeploymentStatus): once a rollback or
        stop is requested the lifecycle stage may still read PRODUCTION_TRAFFIC_SHIFT, but no step
        or bake is coming any more, so no countdown is shown."""
        if not sd or sd.get("status", "IN_PROGRESS") != "IN_PROGRESS":
            return None, ""
        now = self.strategy.clock.now()
        config = sd.get("deploymentConfiguration") or {}
        new = next((r for r in revisions if r.role == "new"), None)
        traffic = new.traffic if new else None
        key = (phase, traffic)
        if key != self._traffic_seen:
            self._traffic_seen, self._traffic_since = key, now
        waited = now - self._traffic_since
        if phase == "BAKE_TIME" and config.get("bakeTimeInMinutes") is not None:
            return max(0, int(config["bakeTimeInMinutes"] * 60 - waited)), "bake time"
        if phase == "PRODUCTION_TRAFFIC_SHIFT" and traffic is not None and 0 < traffic < 100:
            if config.get("strategy") == "CANARY":
                minutes = (config.get("canaryConfiguration") or {}).get("canaryBakeTimeInMinutes")
                if minutes is not None:
                    return max(0, int(minutes * 60 - waited)), "canary bake"
            if config.get("strategy") == "LINEAR":
                minutes = (config.get("linearConfiguration") or {}).get("stepBakeTimeInMinutes")
                if minutes is not None:
                    return max(0, int(minutes * 60 - waited)), "linear step"
        return None, ""

    def _events(self, service: dict) -> tuple[ServiceEvent, ...]:
        out = []
        for ev in service.get("events", [])[:50]:
            if ev.get("id") in self.old_event_ids:
                continue
            created = ev.get("createdAt")
            if self.started_at is not None and created is not None and created < self.started_at - timedelta(seconds=1):
                continue
            out.append(ServiceEvent(ev.get("id", ""), iso(created), ev.get("message", "")))
        return tuple(out)

    def _target_health(self, service: dict) -> tuple:
        groups = []
        for lb in service.get("loadBalancers", []) or []:
            if lb.get("targetGroupArn"):
                groups.append(lb["targetGroupArn"])
            alt = (lb.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
            if alt:
                groups.append(alt)
        return health_counts(self.strategy.aws, groups)

    def _alarm_states(self, service: dict) -> tuple:
        alarms = ((service.get("deploymentConfiguration") or {}).get("alarms") or {})
        names = alarms.get("alarmNames") or []
        if not alarms.get("enable", True):
            return ()
        return alarm_states(self.strategy.aws, names)

    def _stopped_reasons(self, service: dict) -> tuple:
        s = self.strategy.settings
        with aws_call(self.strategy.label, "ecs:ListTasks"):
            arns = self.ecs.list_tasks(cluster=s.cluster, serviceName=s.service, desiredStatus="STOPPED").get("taskArns", [])
        if not arns:
            return self._stopped
        with aws_call(self.strategy.label, "ecs:DescribeTasks"):
            tasks = self.ecs.describe_tasks(cluster=s.cluster, tasks=arns[:100]).get("tasks", [])
        reasons: Counter = Counter()
        for task in tasks:
            if task.get("taskDefinitionArn") != self.new_td:
                continue
            reason = task.get("stoppedReason") or task.get("stopCode") or "stopped"
            for c in task.get("containers", []):
                if c.get("exitCode") not in (None, 0):
                    reason += f" (container {c.get('name')} exit code {c['exitCode']}{': ' + c['reason'] if c.get('reason') else ''})"
                    break
            reasons[reason] += 1
        return tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- acting -------------------------------------------------------------------------
    def rollback(self) -> None:
        """Stop this deployment and return to the revision it replaced."""
        if self.sd_arn and self.strategy._sd_api:
            from botocore.exceptions import ClientError

            try:
                self.ecs.stop_service_deployment(serviceDeploymentArn=self.sd_arn, stopType="ROLLBACK")
                return
            except ClientError as exc:
                if not unsupported(exc):
                    raise translate_client_error(exc, self.strategy.label, "ecs:StopServiceDeployment") from exc
                self.strategy._sd_api = False
        if not self.old_td or self.old_td == self.new_td:
            raise EcsshipError(f"{self.strategy.label}: no previous revision to roll back to")
        self._fallback_rollback = True
        s = self.strategy.settings
        with aws_call(self.strategy.label, "ecs:UpdateService"):
            self.ecs.update_service(cluster=s.cluster, service=s.service, taskDefinition=self.old_td)

    def continue_(self, hook_id: str) -> None:
        with aws_call(self.strategy.label, "ecs:ContinueServiceDeployment"):
            self.ecs.continue_service_deployment(serviceDeploymentArn=self.sd_arn, hookId=hook_id, action="CONTINUE")
