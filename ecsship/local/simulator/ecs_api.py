"""The ECS service deployments API, which moto lacks (Amazon ECS API Reference:
ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment,
ContinueServiceDeployment, DescribeServiceRevisions; data types ServiceDeployment,
ServiceDeploymentBrief, ServiceRevisionSummary, ServiceRevision)."""
from __future__ import annotations

import copy

from ecsship.local.simulator.ecs_model import SD_IN_PROGRESS, Rollout, ServiceSim, circuit_breaker_threshold
from ecsship.local.simulator.model_time import ts


def _error(code: str, message: str):
    from moto.ecs.exceptions import ECSException

    return ECSException(code, message)


def _all_services(backend):
    for service in backend.services.values():
        if getattr(service, "ecsship", None) is not None:
            yield service


def find_rollout(backend, arn: str) -> tuple[object, Rollout] | tuple[None, None]:
    for service in _all_services(backend):
        for rollout in service.ecsship.service_deployments():
            if rollout.arn == arn:
                return service, rollout
    return None, None


def _summary(sim: ServiceSim, rollout: Rollout, revision, is_target: bool) -> dict:
    from ecsship.local.simulator.ecs_view import counts

    running, pending = counts(sim, revision_arn=revision.arn)
    requested = running + pending
    if is_target and rollout.status in ("PENDING", "IN_PROGRESS", "SUCCESSFUL"):
        requested = rollout.desired_count
    elif is_target and rollout.status.startswith("ROLLBACK") or (not is_target and rollout.status == "ROLLBACK_IN_PROGRESS"):
        requested = requested if is_target else rollout.desired_count
    summary = {"arn": revision.arn, "requestedTaskCount": requested, "runningTaskCount": running, "pendingTaskCount": pending}
    if rollout.target_group_arn is not None:
        if is_target:
            summary["requestedProductionTrafficWeight"] = rollout.production_weight
            summary["requestedTestTrafficWeight"] = rollout.test_weight
        else:
            summary["requestedProductionTrafficWeight"] = 100.0 - rollout.production_weight
            summary["requestedTestTrafficWeight"] = 100.0 - rollout.test_weight
    return summary


def describe(service, rollout: Rollout) -> dict:
    sim: ServiceSim = service.ecsship
    out = {
        "serviceDeploymentArn": rollout.arn, "serviceArn": service.arn, "clusterArn": service.cluster_arn,
        "createdAt": ts(rollout.created_at), "startedAt": ts(rollout.started_at), "finishedAt": ts(rollout.finished_at),
        "stoppedAt": ts(rollout.stopped_at), "updatedAt": ts(rollout.updated_at),
        "sourceServiceRevisions": [_summary(sim, rollout, revision, False) for revision in rollout.sources],
        "targetServiceRevision": _summary(sim, rollout, rollout.revision, True),
        "status": rollout.status, "statusReason": rollout.status_reason, "lifecycleStage": rollout.lifecycle_stage,
        "deploymentConfiguration": copy.deepcopy(rollout.deployment_configuration),
    }
    if rollout.rollback:
        out["rollback"] = dict(rollout.rollback)
    if rollout.hook_details:
        out["lifecycleHookDetails"] = [{k: v for k, v in d.items() if not k.startswith("_")} for d in rollout.hook_details.values()]
    breaker = rollout.circuit_breaker
    out["deploymentCircuitBreaker"] = {
        "status": "DISABLED" if not breaker.get("enable") else ("TRIGGERED" if rollout.circuit_breaker_tripped else
                                                               ("MONITORING" if rollout.status in SD_IN_PROGRESS else "MONITORING_COMPLETE")),
        "failureCount": rollout.failed_tasks, "threshold": circuit_breaker_threshold(rollout.desired_count),
    }
    alarms = rollout.alarms
    out["alarms"] = {
        "status": "DISABLED" if not alarms.get("enable") else ("TRIGGERED" if rollout.triggered_alarms else
                                                              ("MONITORING" if rollout.status in SD_IN_PROGRESS else "MONITORING_COMPLETE")),
        "alarmNames": list(alarms.get("alarmNames") or []), "triggeredAlarmNames": list(rollout.triggered_alarms),
    }
    return {k: v for k, v in out.items() if v is not None}


def brief(service, rollout: Rollout) -> dict:
    out = {
        "serviceDeploymentArn": rollout.arn, "serviceArn": service.arn, "clusterArn": service.cluster_arn,
        "startedAt": ts(rollout.started_at), "createdAt": ts(rollout.created_at), "finishedAt": ts(rollout.finished_at),
        "targetServiceRevisionArn": rollout.revision.arn, "status": rollout.status, "statusReason": rollout.status_reason,
    }
    return {k: v for k, v in out.items() if v is not None}


def install(Response) -> None:
    from moto.core.responses import ActionResult

    def list_service_deployments(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster", "default"), self._get_param("service"))
        statuses = self._get_param("status") or []
        created = self._get_param("createdAt") or {}
        rollouts = list(reversed(service.ecsship.service_deployments())) if getattr(service, "ecsship", None) else []
        if statuses:
            rollouts = [r for r in rollouts if r.status in statuses]
        if created.get("after") is not None:
            rollouts = [r for r in rollouts if r.created_at >= _epoch(created["after"])]
        if created.get("before") is not None:
            rollouts = [r for r in rollouts if r.created_at <= _epoch(created["before"])]
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 20)
        page = rollouts[start : start + size]
        result: dict = {"serviceDeployments": [brief(service, r) for r in page]}
        if start + size < len(rollouts):
            result["nextToken"] = str(start + size)
        return ActionResult(result)

    def describe_service_deployments(self):
        found, failures = [], []
        for arn in self._get_param("serviceDeploymentArns") or []:
            service, rollout = find_rollout(self.ecs_backend, arn)
            if rollout is None:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(describe(service, rollout))
        return ActionResult({"serviceDeployments": found, "failures": failures})

    def stop_service_deployment(self):
        from ecsship.local import runtime

        arn = self._get_param("serviceDeploymentArn")
        stop_type = self._get_param("stopType") or "ROLLBACK"
        service, rollout = find_rollout(self.ecs_backend, arn)
        if rollout is None:
            raise _error("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")
        if rollout.status not in ("PENDING", "IN_PROGRESS"):
            raise _error("ConflictException", f"The service deployment is {rollout.status} and cannot be stopped.")
        now = runtime.now()
        if stop_type == "ROLLBACK":
            if service.ecsship.last_completed(exclude=rollout) is None:
                raise _error("InvalidParameterException", "There is no previous successful service revision to roll back to.")
            rollout.status = "ROLLBACK_REQUESTED"
        else:
            rollout.status = "STOP_REQUESTED"
        rollout.updated_at = now
        return ActionResult({"serviceDeploymentArn": arn})

    def continue_service_deployment(self):
        arn = self._get_param("serviceDeploymentArn")
        service, rollout = find_rollout(self.ecs_backend, arn)
        if rollout is None:
            raise _error("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")
        if rollout.status not in ("IN_PROGRESS",):
            raise _error("ConflictException", f"The service deployment is {rollout.status}; nothing to continue.")
        hook_id = self._get_param("hookId")
        detail = next((d for d in rollout.hook_details.values() if d["hookId"] == hook_id and d["status"] == "AWAITING_ACTION"), None)
        if detail is None:
            raise _error("InvalidParameterException", f"The service deployment is not paused at lifecycle hook {hook_id}.")
        if (self._get_param("action") or "CONTINUE") == "ROLLBACK":
            detail["status"] = "FAILED"
            rollout.status = "ROLLBACK_REQUESTED"
        else:
            detail["status"] = "SUCCEEDED"
        return ActionResult({"serviceDeploymentArn": arn})

    def describe_service_revisions(self):
        wanted = self._get_param("serviceRevisionArns") or []
        found, failures = [], []
        for arn in wanted:
            revision = None
            for service in _all_services(self.ecs_backend):
                revision = service.ecsship.revisions.get(arn) or revision
            if revision is None:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(revision.to_api())
        return ActionResult({"serviceRevisions": found, "failures": failures})

    for method in (list_service_deployments, describe_service_deployments, stop_service_deployment,
                   continue_service_deployment, describe_service_revisions):
        setattr(Response, method.__name__, method)


def _epoch(value) -> float:
    if hasattr(value, "timestamp"):
        return value.timestamp()
    return float(value)
