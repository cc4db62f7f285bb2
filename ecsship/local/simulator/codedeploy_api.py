"""The CodeDeploy API for ECS deployments: CreateDeployment validation and start, GetDeployment's
extra fields, StopDeployment, ContinueDeployment, and the deployment targets (CodeDeploy API
Reference: CreateDeployment, DeploymentInfo, StopDeployment, ContinueDeployment,
ListDeploymentTargets, GetDeploymentTarget, BatchGetDeploymentTargets, ECSTarget)."""
from __future__ import annotations

from ecsship.local.simulator.codedeploy import (
    FINISHED,
    LIFECYCLE_EVENTS,
    CodeDeployRun,
    _elbv2,
    _rollback_on,
    _serving_target_group,
)
from ecsship.local.simulator.model_time import ts


def start(backend, deployment, now: float) -> None:
    """CreateDeployment on an ECS application: validate the AppSpec and the group, attach the run."""
    import yaml
    from moto.core.exceptions import JsonRESTError

    group = deployment.deployment_group
    for other in backend.deployments.values():
        if other is not deployment and other.deployment_group is group and other.status not in FINISHED and getattr(other, "ecsship", None):
            del backend.deployments[deployment.deployment_id]
            raise JsonRESTError("DeploymentLimitExceededException",
                                f"The Deployment Group '{group.deployment_group_name}' already has an active Deployment '{other.deployment_id}'")
    revision = deployment.revision or {}
    content = ((revision.get("appSpecContent") or {}).get("content") or (revision.get("string") or {}).get("content") or "")
    try:
        appspec = yaml.safe_load(content) if content else None
        target = appspec["Resources"][0]["TargetService"]["Properties"]
        task_definition = target["TaskDefinition"]
    except Exception:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidRevisionException", "The AppSpec content must name Resources[0].TargetService.Properties.TaskDefinition.") from None
    services = group.ecs_services or []
    if not services:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidECSServiceException", "The deployment group has no ECS service.")
    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    if not pairs or len(pairs[0].get("targetGroups") or []) != 2:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidTargetGroupPairException", "The deployment group needs a target group pair.")
    service_ref = services[0]
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import elbv2_backends

    ecs = ecs_backends[backend.account_id][backend.region_name]
    service = ecs.services.get(f"{service_ref['clusterName']}:{service_ref['serviceName']}")
    if service is None or getattr(service, "ecsship", None) is None or (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidECSServiceException", f"The ECS service {service_ref.get('serviceName')} does not exist or does not use the CODE_DEPLOY deployment controller.")
    ecs.describe_task_definition(task_definition)
    elbv2 = elbv2_backends[backend.account_id][backend.region_name]
    names = [g["name"] for g in pairs[0]["targetGroups"]]
    arns = []
    for name in names:
        match = [tg.arn for tg in elbv2.target_groups.values() if tg.name == name]
        if not match:
            del backend.deployments[deployment.deployment_id]
            raise JsonRESTError("InvalidTargetGroupPairException", f"Target group {name} does not exist.")
        arns.append(match[0])
    lb_info = target.get("LoadBalancerInfo") or {}
    run = CodeDeployRun(
        service_key=(backend.account_id, backend.region_name, service.cluster_name, service.name),
        prod_listeners=list((pairs[0].get("prodTrafficRoute") or {}).get("listenerArns") or []),
        test_listeners=list((pairs[0].get("testTrafficRoute") or {}).get("listenerArns") or []),
        task_definition=ecs.describe_task_definition(task_definition).arn,
        container_name=lb_info.get("ContainerName"), container_port=lb_info.get("ContainerPort"),
        network=_appspec_network(target.get("NetworkConfiguration")), capacity=_appspec_capacity(target.get("CapacityProviderStrategy")),
    )
    primary = next((t for t in service.ecsship.task_sets if t.status == "PRIMARY"), None)
    run.blue = primary
    run.blue_tg = _serving_target_group(run, arns)
    run.green_tg = arns[1] if run.blue_tg == arns[0] else arns[0]
    run.last_updated = now
    deployment.ecsship = run
    deployment.create_time = ts(now)


def _appspec_network(given: dict | None) -> dict | None:
    """AppSpec NetworkConfiguration.AwsvpcConfiguration (CodeDeploy User Guide, "AppSpec 'resources'
    section for Amazon ECS deployments") in the ECS API's shape."""
    vpc = (given or {}).get("AwsvpcConfiguration") or (given or {}).get("awsvpcConfiguration")
    if not vpc:
        return None
    return {"awsvpcConfiguration": {"subnets": list(vpc.get("Subnets") or []), "securityGroups": list(vpc.get("SecurityGroups") or []),
                                    "assignPublicIp": vpc.get("AssignPublicIp") or "DISABLED"}}


def _appspec_capacity(given: list | None) -> list | None:
    if not given:
        return None
    return [{"capacityProvider": c["CapacityProvider"], "base": int(c.get("Base", 0)), "weight": int(c.get("Weight", 1))} for c in given]


def deployment_info(original, deployment) -> dict:
    info = original(deployment)
    run = getattr(deployment, "ecsship", None)
    if run is None:
        return info
    info["status"] = deployment.status
    info["startTime"] = deployment.start_time
    info["completeTime"] = deployment.complete_time
    info["createTime"] = deployment.create_time
    info["creator"] = deployment.creator
    info["instanceTerminationWaitTimeStarted"] = bool(getattr(deployment, "instance_termination_wait_time_started", False))
    error = getattr(deployment, "ecsship_error", None)
    info["errorInformation"] = error or {}
    if not error:
        info.pop("errorInformation")
    rollback = getattr(deployment, "ecsship_rollback", None)
    if rollback:
        info["rollbackInfo"] = rollback
    else:
        info.pop("rollbackInfo", None)
    info["deploymentOverview"] = {"Pending": 0, "InProgress": int(run.target_status == "InProgress"), "Succeeded": int(run.target_status == "Succeeded"),
                                  "Failed": int(run.target_status == "Failed"), "Skipped": 0, "Ready": int(run.target_status == "Ready")}
    info.pop("previousRevision", None)
    info.pop("relatedDeployments", None)
    return {k: v for k, v in info.items() if v is not None}


def ecs_target(deployment) -> dict:
    run: CodeDeployRun = deployment.ecsship
    account, region, cluster, name = run.service_key
    elbv2 = _elbv2(run)
    sets = []
    for label, task_set, weight in (("Blue", run.blue, 100.0 - run.weight), ("Green", run.green, run.weight)):
        if task_set is None:
            continue
        tg = elbv2.target_groups.get(task_set.target_group_arn or "")
        sets.append({"identifer": task_set.id, "desiredCount": task_set.computed_desired_count, "pendingCount": task_set.pending_count,
                     "runningCount": task_set.running_count, "status": task_set.status, "trafficWeight": weight,
                     "targetGroup": {"name": tg.name if tg else ""}, "taskSetLabel": label})
    events = [run.events.get(name) or {"lifecycleEventName": name, "status": "Pending"} for name in LIFECYCLE_EVENTS]
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {"deploymentId": deployment.deployment_id, "targetId": f"{cluster}:{name}",
                      "targetArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}", "lastUpdatedAt": ts(run.last_updated),
                      "lifecycleEvents": events, "status": run.target_status, "taskSetsInfo": sets},
    }


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    import moto.codedeploy.responses as responses
    from moto.codedeploy.models import CodeDeployBackend
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult

    from ecsship.local import runtime

    original_info = responses._deployment_info
    responses._deployment_info = lambda deployment: deployment_info(original_info, deployment)
    original_create = CodeDeployBackend.create_deployment

    def create_deployment(self, application_name, deployment_group_name, revision, deployment_config_name=None, *args, **kwargs):
        if deployment_config_name:
            from ecsship.local.fidelity.codedeploy import find_config

            if find_config(self, deployment_config_name) is None:
                raise JsonRESTError("DeploymentConfigDoesNotExistException", f"The deployment configuration {deployment_config_name} does not exist with the user or AWS account.")
        deployment_id = original_create(self, application_name, deployment_group_name, revision, deployment_config_name, *args, **kwargs)
        deployment = self.deployments[deployment_id]
        if deployment.application.compute_platform == "ECS":
            start(self, deployment, runtime.now())
        return deployment_id

    CodeDeployBackend.create_deployment = create_deployment

    def _deployment(self, deployment_id):
        deployment = self.codedeploy_backend.deployments.get(deployment_id)
        if deployment is None:
            raise JsonRESTError("DeploymentDoesNotExistException", f"The deployment {deployment_id} could not be found.")
        return deployment

    def stop_deployment(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        if deployment.status in FINISHED:
            raise JsonRESTError("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
        run = getattr(deployment, "ecsship", None)
        requested = self._get_param("autoRollbackEnabled")
        rollback = bool(requested) if requested is not None else _rollback_on(deployment, "DEPLOYMENT_STOP_ON_REQUEST")
        if run is not None:
            run.stop_request = (rollback, "user")
        else:
            deployment.status = "Stopped"
        return ActionResult({"status": "Pending", "statusMessage": "Stop request received for the deployment."})

    def continue_deployment(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        wait_type = self._get_param("deploymentWaitType") or "READY_WAIT"
        run = getattr(deployment, "ecsship", None)
        if run is None or deployment.status in FINISHED:
            raise JsonRESTError("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
        if wait_type == "READY_WAIT" and run.stage != "Ready":
            raise JsonRESTError("DeploymentIsNotInReadyStateException", f"The deployment {deployment.deployment_id} is not in a ready state.")
        if wait_type == "TERMINATION_WAIT" and run.stage != "Terminate":
            raise JsonRESTError("InvalidDeploymentWaitTypeException", "The deployment is not waiting to terminate the original task set.")
        run.continued.add(wait_type)
        return ActionResult({})

    def list_deployment_targets(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        run = getattr(deployment, "ecsship", None)
        ids_ = [f"{run.service_key[2]}:{run.service_key[3]}"] if run else []
        return ActionResult({"targetIds": ids_})

    def get_deployment_target(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        target_id = self._get_param("targetId")
        run = getattr(deployment, "ecsship", None)
        if run is None or target_id != f"{run.service_key[2]}:{run.service_key[3]}":
            raise JsonRESTError("DeploymentTargetDoesNotExistException", f"The target {target_id} does not exist in deployment {deployment.deployment_id}.")
        return ActionResult({"deploymentTarget": ecs_target(deployment)})

    def batch_get_deployment_targets(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        run = getattr(deployment, "ecsship", None)
        wanted = self._get_param("targetIds") or []
        found = [ecs_target(deployment)] if run and f"{run.service_key[2]}:{run.service_key[3]}" in wanted else []
        return ActionResult({"deploymentTargets": found})

    for method in (stop_deployment, continue_deployment, list_deployment_targets, get_deployment_target, batch_get_deployment_targets):
        setattr(responses.CodeDeployResponse, method.__name__, method)
