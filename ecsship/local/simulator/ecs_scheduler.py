"""The ECS service scheduler, simulated: tasks started and stopped over the clock for each service.

Semantics followed (Amazon ECS Developer Guide and API Reference):
- "Deploy Amazon ECS services by replacing tasks" (rolling update): the scheduler keeps at least
  minimumHealthyPercent of desiredCount healthy tasks and at most maximumPercent running or pending,
  starting tasks of the PRIMARY deployment and stopping tasks of ACTIVE ones; the deployment's
  rolloutState goes IN_PROGRESS -> COMPLETED when it reaches a steady state, and the old deployment
  disappears once its tasks have stopped.
- "How the Amazon ECS deployment circuit breaker detects failures": failedTasks counts tasks of the
  deployment that stop before they are healthy; at the threshold (0.5 x desired, 3..200) the
  deployment is FAILED and, with rollback, ECS rolls back to the last COMPLETED deployment.
- "How CloudWatch alarms detect Amazon ECS deployment failures": while the deployment runs (and
  during its bake time), any alarm of deploymentConfiguration.alarms in ALARM fails it, and with
  rollback on, rolls back.
- Service health: a task fails ELB health checks only after healthCheckGracePeriodSeconds.
- Blue/green, canary and linear strategies are in ecs_bluegreen.py.
"""
from __future__ import annotations

import math

from ecsship.local.simulator import daemon, task_logs
from ecsship.local.simulator import targets as target_health
from ecsship.local.simulator import tasks as task_sim
from ecsship.local.simulator.cloud_map import deregister_from_cloud_map, register_in_cloud_map
from ecsship.local.simulator.ecs_model import (
    SD_IN_PROGRESS,
    Rollout,
    ServiceSim,
    add_event,
    circuit_breaker_threshold,
    new_rollout,
)
from ecsship.local.simulator.ecs_view import sync
from ecsship.local.simulator.model_time import ts

CONTAINER_CHECK_DEFAULTS = {"interval": 30, "retries": 3, "startPeriod": 0}


class EcsEngine:
    def __init__(self, simulator):
        self.simulator = simulator

    # -- discovery -----------------------------------------------------------------------
    def services(self):
        from moto.ecs.models import ecs_backends

        for account_id, per_region in list(ecs_backends.items()):
            for region, backend in list(per_region.items()):
                for service in list(backend.services.values()):
                    if getattr(service, "ecsship", None) is not None:
                        yield backend, service

    def backends(self):
        from moto.ecs.models import ecs_backends

        for account_id, per_region in list(ecs_backends.items()):
            for region, backend in list(per_region.items()):
                yield backend

    def busy(self) -> bool:
        from ecsship.local.simulator import oneoff

        if any(oneoff.busy(backend) for backend in self.backends()):
            return True
        for backend, service in self.services():
            sim: ServiceSim = service.ecsship
            if any(t.last_status != "STOPPED" and (t.last_status != "RUNNING" or t.desired_status != "RUNNING" or _unsettled(t)) for t in sim.tasks):
                return True
            if any(r.active or r.status in SD_IN_PROGRESS for r in sim.rollouts):
                return True
            if service.status != "ACTIVE" and service.status != "INACTIVE":
                return True
            daemon.refresh(backend, service)
            if _needs_tasks(backend, service):
                return True
            if sim.task_sets:
                from ecsship.local.simulator.task_sets import task_sets_busy

                if task_sets_busy(service):
                    return True
        return False

    # -- one tick ----------------------------------------------------------------------
    def step(self, now: float) -> None:
        from ecsship.local.simulator import oneoff

        for backend, service in self.services():
            self.step_service(backend, service, now)
        for backend in self.backends():
            oneoff.step(backend, now)

    def step_service(self, backend, service, now: float) -> None:
        sim: ServiceSim = service.ecsship
        daemon.refresh(backend, service)
        elbv2 = _elbv2(service)
        for tg_arn in _target_groups(service, sim):
            tg = elbv2.target_groups.get(tg_arn)
            if tg is not None:
                target_health.step(tg, now)
        for task in list(sim.tasks):
            self.step_task(backend, service, sim, task, now, elbv2)
        if service.status in ("DRAINING",):
            for task in sim.tasks:
                task_sim.request_stop(task, now, "Service deleted", "ServiceSchedulerInitiated")
            if all(t.last_status == "STOPPED" for t in sim.tasks):
                service.status = "INACTIVE"
        elif service.status == "ACTIVE" and (service.deployment_controller or {}).get("type", "ECS") == "ECS":
            primary = sim.primary()
            if primary is not None:
                if primary.status == "PENDING":
                    primary.status, primary.started_at = "IN_PROGRESS", now
                # Failures first: a tripped circuit breaker launches no more tasks of the failed revision.
                self.check_failures(service, sim, primary, now)
                primary = sim.primary()
                if primary.strategy in ("BLUE_GREEN", "CANARY", "LINEAR") and primary.target_group_arn:
                    from ecsship.local.simulator.ecs_bluegreen import step_bluegreen

                    step_bluegreen(self, backend, service, sim, primary, now, elbv2)
                else:
                    self.schedule_rolling(backend, service, sim, primary, now, elbv2)
                self.check_failures(service, sim, primary, now)
        elif service.status == "ACTIVE" and (service.deployment_controller or {}).get("type") == "CODE_DEPLOY":
            from ecsship.local.simulator.task_sets import schedule_task_sets

            schedule_task_sets(self, backend, service, sim, now, elbv2)
        # ECS reports the targets it (de)registered together in one event per target group.
        for (verb, tg_arn), count in sim.target_events.items():
            add_event(service, sim, now, f"{verb} {count} targets in (target-group {tg_arn})")
        sim.target_events.clear()
        self.retire(sim, now)
        sync(service, sim)

    # -- tasks ---------------------------------------------------------------------------
    def step_task(self, backend, service, sim: ServiceSim, task, now: float, elbv2) -> None:
        status = task.last_status
        if task.desired_status == "STOPPED" and status in ("PROVISIONING", "PENDING", "RUNNING"):
            self._begin_stop(service, sim, task, now, elbv2)
            return
        if task_sim.step_alike(backend, task, now, sim.tasks):
            return
        if status == "PENDING" and now - task.ecsship_phase_at >= task_sim.PENDING_SECONDS:
            self._start_running(backend, service, sim, task, now, elbv2)
        elif status == "RUNNING":
            self._while_running(service, sim, task, now, elbv2)
        elif status == "DEACTIVATING":
            if all(target_health.registry(elbv2.target_groups[tg]).get(tid) is None
                   for tg, tid in task.ecsship_targets if tg in elbv2.target_groups):
                task_sim.set_status(task, "STOPPING", now)

    def _start_running(self, backend, service, sim, task, now, elbv2) -> None:
        task_sim.start_running(task, now, digest=lambda image: _digest_for(service, image))
        rollout = _rollout(sim, task.ecsship_rollout)
        revision = sim.revisions.get(task.ecsship_revision)
        if revision is None or not task.ecsship_ip:
            return
        registered: dict[str, int] = {}
        for lb in revision.load_balancers:
            tg_arn = task.ecsship_target_group_override or lb.get("targetGroupArn")
            if not tg_arn or tg_arn not in elbv2.target_groups:
                continue
            if elbv2.target_groups[tg_arn].target_type != "ip":
                continue
            target_health.register(elbv2, tg_arn, task.ecsship_ip, int(lb.get("containerPort") or 80), now,
                                   failing=task.ecsship_failing and task.ecsship_fail_mode == "health-check")
            task.ecsship_targets.append((tg_arn, task.ecsship_ip))
            registered[tg_arn] = registered.get(tg_arn, 0) + 1
        register_in_cloud_map(service, revision, task)
        for tg_arn, count in registered.items():
            key = ("registered", tg_arn)
            sim.target_events[key] = sim.target_events.get(key, 0) + count
        if rollout is not None and rollout.lifecycle_stage == "RECONCILE_SERVICE":
            rollout.lifecycle_stage = "SCALE_UP"

    def _while_running(self, service, sim, task, now, elbv2) -> None:
        since = now - task.ecsship_running_at
        if task.ecsship_failing and task.ecsship_fail_mode == "exit" and since >= task_sim.EXIT_AFTER_RUNNING_SECONDS:
            failed = next((c for c in task.containers if c.name == getattr(getattr(task, "ecsship_start", None), "failed", None)), task.containers[0])
            failed.exitCode = 1
            failed.reason = None
            task_logs.containers_exited(task, now, only={failed.name})
            # The circuit breaker's stage 1 counts tasks that fail to reach RUNNING and stage 2 tasks
            # failing health checks, skipped when there are none ("How the Amazon ECS deployment
            # circuit breaker detects failures"; containers-roadmap#1206): a task with neither a
            # target nor a container check passed both before it exited, so it is not a failure of
            # the deployment, which completes while the scheduler replaces the task (a crash loop).
            counted = bool(task.ecsship_targets or task.ecsship_container_check)
            self._failed(service, sim, task, now, "Essential container in task exited", "EssentialContainerExited",
                         counts=counted)
            return
        if task.ecsship_container_check:
            check = _container_check(task)
            if task.ecsship_failing and task.ecsship_fail_mode == "health-check":
                if since >= check["startPeriod"] + check["interval"] * check["retries"]:
                    task.health_status = "UNHEALTHY"
                    for container in task.containers:
                        container.health_status = "UNHEALTHY"
                    self._failed(service, sim, task, now, "Task failed container health checks", "ServiceSchedulerInitiated")
                    return
            elif since >= check["startPeriod"] + check["interval"] and task.health_status != "HEALTHY":
                task.health_status = "HEALTHY"
                for container in task.containers:
                    container.health_status = "HEALTHY"
        grace = int(getattr(service, "health_check_grace_period_seconds", 0) or 0)
        for tg_arn, target_id in task.ecsship_targets:
            tg = elbv2.target_groups.get(tg_arn)
            health = target_health.registry(tg).get(target_id) if tg is not None else None
            if health is not None and health.state == "unhealthy" and since >= grace:
                port = health.port
                add_event(service, sim, now, f"(port {port}) is unhealthy in (target-group {tg_arn}) due to (reason Health checks failed).")
                self._failed(service, sim, task, now, f"Task failed ELB health checks in (target-group {tg_arn})", "ServiceSchedulerInitiated")
                return

    def _failed(self, service, sim, task, now, reason: str, code: str, counts: bool = True) -> None:
        task_sim.request_stop(task, now, reason, code)
        if counts and not task.ecsship_counted_failure:
            task.ecsship_counted_failure = True
            rollout = _rollout(sim, task.ecsship_rollout)
            if rollout is not None and rollout.active:
                rollout.failed_tasks += 1
                rollout.updated_at = now
        self._begin_stop(service, sim, task, now, _elbv2(service))

    def _begin_stop(self, service, sim, task, now, elbv2) -> None:
        deregister_from_cloud_map(service, task)
        if task.last_status in ("PROVISIONING", "PENDING"):
            task_sim.set_status(task, "STOPPING", now)
            for container in task.containers:
                container.last_status = "STOPPED"
            return
        if task.last_status != "RUNNING":
            return
        task_sim.set_status(task, "DEACTIVATING", now)
        drained: dict[str, int] = {}
        for tg_arn, target_id in task.ecsship_targets:
            tg = elbv2.target_groups.get(tg_arn)
            if tg is not None:
                target_health.start_draining(tg, target_id, now)
                drained[tg_arn] = drained.get(tg_arn, 0) + 1
        for tg_arn, count in drained.items():
            key = ("deregistered", tg_arn)
            sim.target_events[key] = sim.target_events.get(key, 0) + count

    # -- the rolling scheduler ---------------------------------------------------------------
    def schedule_rolling(self, backend, service, sim: ServiceSim, primary: Rollout, now: float, elbv2) -> None:
        desired = int(service.desired_count or 0)
        primary.desired_count = desired
        config = service.deployment_configuration or {}
        max_total = math.floor(desired * int(config.get("maximumPercent", 200)) / 100)
        min_healthy = math.ceil(desired * int(config.get("minimumHealthyPercent", 100)) / 100)
        live = [t for t in sim.tasks if t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
        mine = [t for t in live if t.ecsship_rollout == primary.id]
        others = [t for t in live if t.ecsship_rollout != primary.id]
        healthy = [t for t in live if task_sim.is_healthy_for_scheduler(t, elbv2)]

        can_launch = not (primary.rollout_state == "FAILED" and primary.rollback_of is None and primary.status != "IN_PROGRESS")
        need = desired - len(mine)
        if need > 0 and can_launch:
            room = max(max_total - len(live), 0) if others else need
            room = max(room, 1) if not others and desired > 0 else room
            base = len(sim.tasks)  # spreads tasks over the subnets (AZs) in turn
            started = [self.launch(backend, service, sim, primary, now, index=base + i) for i in range(min(need, room))]
            if started:
                names = " ".join(f"(task {t.task_arn.split('/')[-1]})" for t in started)
                add_event(service, sim, now, f"has started {len(started)} tasks: {names}.")
        elif need < 0:
            extra = sorted(mine, key=lambda t: (task_sim.is_healthy_for_scheduler(t, elbv2), t.ecsship_phase_at))[: -need]
            self.stop_tasks(service, sim, extra, now, "Scaling activity initiated by (deployment %s)" % primary.id)

        stoppable_unhealthy = [t for t in others if t not in healthy]
        healthy_others = [t for t in others if t in healthy]
        budget = len(healthy) - min_healthy
        to_stop = stoppable_unhealthy + healthy_others[: max(budget, 0)]
        if to_stop:
            self.stop_tasks(service, sim, to_stop, now, f"Scaling activity initiated by (deployment {primary.id})")

        mine_healthy = [t for t in mine if t in healthy]
        if primary.active and len(mine_healthy) >= desired and len(mine) == desired and not others:
            self.reach_steady_state(service, sim, primary, now)

    def launch(self, backend, service, sim, rollout, now, index: int, target_group: str | None = None):
        revision = rollout.revision
        task = task_sim.launch(backend, service, rollout, revision, now, index, self.simulator.fail_images,
                               self.simulator.fail_mode, target_group_override=target_group)
        daemon.place(backend, service, sim, task)
        sim.tasks.append(task)
        return task

    def stop_tasks(self, service, sim, tasks, now, reason: str) -> None:
        if not tasks:
            return
        for task in tasks:
            task_sim.request_stop(task, now, reason, "ServiceSchedulerInitiated")
            self._begin_stop(service, sim, task, now, _elbv2(service))
        names = " ".join(f"(task {t.task_arn.split('/')[-1]})" for t in tasks)
        add_event(service, sim, now, f"has stopped {len(tasks)} running tasks: {names}.")

    def reach_steady_state(self, service, sim, rollout: Rollout, now: float) -> None:
        bake = bake_seconds(service, rollout)
        if rollout.steady_at is None:
            rollout.steady_at = now
            if bake:
                rollout.lifecycle_stage = "BAKE_TIME"
                rollout.stage_started_at = now
        if now - rollout.steady_at < bake:
            return
        rollout.lifecycle_stage = "CLEAN_UP"
        self.complete(service, sim, rollout, now)

    def complete(self, service, sim, rollout: Rollout, now: float) -> None:
        rollout.rollout_state = "COMPLETED"
        rollout.rollout_state_reason = f"ECS deployment {rollout.id} completed."
        rollout.updated_at = rollout.finished_at = now
        if rollout.rollback_of is not None:
            parent = rollout.rollback_of
            parent.status = "ROLLBACK_SUCCESSFUL"
            parent.finished_at = parent.updated_at = now
        elif rollout.status in SD_IN_PROGRESS:
            rollout.status = "SUCCESSFUL"
            rollout.status_reason = None
        add_event(service, sim, now, f"(deployment {rollout.id}) deployment completed.")
        add_event(service, sim, now, "has reached a steady state.")
        sim.last_steady_event_at = now

    # -- failure detection ---------------------------------------------------------------
    def check_failures(self, service, sim: ServiceSim, primary: Rollout, now: float) -> None:
        if not primary.active:
            return
        if primary.status == "STOP_REQUESTED":
            primary.rollout_state, primary.rollout_state_reason = "FAILED", f"ECS deployment {primary.id} stopped by request."
            primary.status, primary.status_reason = "STOPPED", "Service deployment stopped by a stop request."
            primary.stopped_at = primary.finished_at = primary.updated_at = now
            return
        if primary.status == "ROLLBACK_REQUESTED":
            self.fail(service, sim, primary, now, "rolled back by request", "Service deployment rolled back because of a stop request.", rollback=True, kind="stop")
            return
        breaker = primary.circuit_breaker
        if breaker.get("enable") and primary.failed_tasks >= circuit_breaker_threshold(primary.desired_count):
            primary.circuit_breaker_tripped = True
            self.fail(service, sim, primary, now, "tasks failed to start",
                      "ECS deployment circuit breaker: tasks failed to start.", rollback=bool(breaker.get("rollback")), kind="circuit")
            return
        alarms = primary.alarms
        # A rollback is not itself rolled back because the alarm that caused it is still firing.
        if alarms.get("enable") and alarms.get("alarmNames") and primary.rollback_of is None:
            firing = [name for name in alarms["alarmNames"] if _alarm_state(service, name) == "ALARM"]
            if firing:
                primary.triggered_alarms = firing
                self.fail(service, sim, primary, now, "alarm detected",
                          f"ECS deployment {primary.id} detected triggered alarms: {', '.join(firing)}.",
                          rollback=bool(alarms.get("rollback")), kind="alarm")

    def fail(self, service, sim: ServiceSim, rollout: Rollout, now: float, short: str, reason: str, rollback: bool, kind: str) -> None:
        rollout.rollout_state = "FAILED"
        rollout.rollout_state_reason = reason
        rollout.updated_at = now
        if rollout.rollback_of is None:
            add_event(service, sim, now, f"(deployment {rollout.id}) deployment failed: {short}.")
        target = sim.last_completed(exclude=rollout) if rollback else None
        if rollout.rollback_of is not None:
            parent = rollout.rollback_of
            parent.status, parent.finished_at = "ROLLBACK_FAILED", now
            return
        if target is None:
            rollout.status = "STOPPED"
            rollout.status_reason = reason
            rollout.stopped_at = rollout.finished_at = now
            return
        rollout.status = "ROLLBACK_IN_PROGRESS"
        rollout.status_reason = reason
        rollout.rollback = {"reason": reason, "startedAt": ts(now), "serviceRevisionArn": target.revision.arn}
        back = new_rollout(service, sim, target.revision, now, in_sd_api=False)
        back.rollback_of = rollout
        back.status = "IN_PROGRESS"
        back.started_at = now
        back.deployment_configuration = dict(target.deployment_configuration)
        if rollout.target_group_arn:
            back.target_group_arn = target.target_group_arn
        # Tasks still running the revision rolled back to belong to the rollback deployment: ECS does
        # not replace healthy tasks of the revision it returns to.
        for task in sim.tasks:
            if task.ecsship_revision == target.revision.arn and task.ecsship_rollout != rollout.id:
                task.ecsship_rollout = back.id
        add_event(service, sim, now, f"rolling back to deployment {target.id}.")

    def retire(self, sim: ServiceSim, now: float) -> None:
        """An ACTIVE deployment leaves `deployments` once none of its tasks is left."""
        for rollout in sim.rollouts:
            if rollout.legacy_status != "ACTIVE":
                continue
            if not any(t.ecsship_rollout == rollout.id and t.last_status != "STOPPED" for t in sim.tasks):
                rollout.legacy_status = "INACTIVE"
                rollout.updated_at = now


def bake_seconds(service, rollout: Rollout) -> int:
    """How long a steady deployment is still watched before it is COMPLETED: bakeTimeInMinutes when
    set; with deployment alarms, ECS derives it from the alarms (Period x EvaluationPeriods, the
    longest) so an alarm has time to fire ("How CloudWatch alarms detect Amazon ECS deployment failures")."""
    minutes = rollout.deployment_configuration.get("bakeTimeInMinutes")
    if minutes is not None:
        return int(minutes) * 60
    alarms = rollout.alarms
    if not alarms.get("enable"):
        return 0
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[service._account_id][service.region_name]
    longest = 0
    for name in alarms.get("alarmNames") or []:
        alarm = backend.alarms.get(name)
        if alarm is not None:
            longest = max(longest, int(alarm.period or 60) * int(alarm.evaluation_periods or 1))
    return longest


def _rollout(sim: ServiceSim, rollout_id: str) -> Rollout | None:
    for rollout in sim.rollouts:
        if rollout.id == rollout_id:
            return rollout
    return None


def _unsettled(task) -> bool:
    if task.ecsship_container_check and task.health_status == "UNKNOWN":
        return True
    if task.ecsship_failing:
        return True
    return False


def _needs_tasks(backend, service) -> bool:
    sim = service.ecsship
    live = [t for t in sim.tasks if t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
    return service.status == "ACTIVE" and (service.deployment_controller or {}).get("type", "ECS") == "ECS" and len(live) != int(service.desired_count or 0)


def _container_check(task) -> dict:
    """The container healthCheck's timing (ContainerDefinition.healthCheck defaults: 30 s, 3 retries)."""
    return {key: int(task.ecsship_check.get(key, default)) for key, default in CONTAINER_CHECK_DEFAULTS.items()}


def _elbv2(service):
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[service._account_id][service.region_name]


def _target_groups(service, sim: ServiceSim) -> set[str]:
    arns = set()
    for lb in service.load_balancers or []:
        if lb.get("targetGroupArn"):
            arns.add(lb["targetGroupArn"])
        alternate = (lb.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
        if alternate:
            arns.add(alternate)
    for task in sim.tasks:
        for tg_arn, _ in task.ecsship_targets:
            arns.add(tg_arn)
    return arns


def _alarm_state(service, name: str) -> str | None:
    from moto.cloudwatch.models import cloudwatch_backends

    alarm = cloudwatch_backends[service._account_id][service.region_name].alarms.get(name)
    return alarm.state_value if alarm is not None else None


def _digest_for(service, image: str | None) -> str | None:
    from ecsship.local.simulator.ecs_model import image_digest

    return image_digest(service, image or "")
