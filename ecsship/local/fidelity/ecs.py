"""ECS services: keep what create_service is given, fail like AWS, and hand deployments to the simulator.

AWS behaviour restored (Amazon ECS API Reference):
- CreateService stores and DescribeServices returns deploymentConfiguration (circuit breaker,
  alarms, strategy, bakeTimeInMinutes, canary/linear configuration, lifecycle hooks; maximumPercent
  200 and minimumHealthyPercent 100 by default), healthCheckGracePeriodSeconds,
  capacityProviderStrategy (then no launchType), enableExecuteCommand, enableECSManagedTags,
  propagateTags and loadBalancers[].advancedConfiguration. moto drops most of these.
- CreateService with the name of an ACTIVE or DRAINING service fails with InvalidParameterException
  "Creation of service was not idempotent." (moto silently replaces the service).
- UpdateService with a new task definition (or network, platform version, load balancers,
  capacity provider strategy, forceNewDeployment) starts a new PRIMARY deployment and leaves the
  previous one ACTIVE until its tasks are gone; a desiredCount change only rescales. moto keeps one
  deployment and jumps counts. On a CODE_DEPLOY service a task definition update fails with
  InvalidParameterException (deployments go through CodeDeploy), and so do load balancers,
  network, platform version, capacity provider strategy and forceNewDeployment (see
  CODE_DEPLOY_REFUSED).
- UpdateService capacityProviderStrategy=[] moves a service back to the launch type (FARGATE for
  Fargate providers, else EC2), in place.
- UpdateService deploymentConfiguration: members the request leaves out (strategy, lifecycleHooks,
  canary/linear configuration) keep their values: the botocore model marks them optional and does
  not say they reset, so the stricter reading is modelled (issue #12 item 18).
- CreateService/UpdateService: linear stepPercent 3.0..100.0, canaryPercent 0.1..100.0, step and
  canary bake times 0..1440 minutes (botocore ecs model, LinearConfiguration/CanaryConfiguration).
- CreateService/UpdateService: every loadBalancers[].containerName must name a container of the
  (new) task definition: InvalidParameterException "The container NAME does not exist in the task
  definition." (botocore ecs LoadBalancer.containerName: "The name of the container (as it appears
  in a container definition) to associate with the load balancer"). moto accepts any name.
- DeleteService: the service is DRAINING while its tasks stop, then INACTIVE.
- ListTasks: serviceName filters by service; without desiredStatus only RUNNING-desired tasks are
  listed. StopTask on a service task stops it through DEACTIVATING/STOPPING (stopCode UserInitiated).
- RunTask starts one-off tasks the simulator runs to completion (simulator/oneoff.py).
- ExecuteCommand answers as AWS does for a task without exec; it cannot open a session (simulator/exec_api.py).
"""
from __future__ import annotations

import copy

DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
NEW_DEPLOYMENT_PARAMS = {
    "networkConfiguration": "network_configuration", "platformVersion": "platform_version",
    "capacityProviderStrategy": "capacity_provider_strategy", "loadBalancers": "load_balancers",
    "serviceRegistries": "service_registries", "enableExecuteCommand": "enable_execute_command",
}
SIMPLE_PARAMS = {
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds", "enableECSManagedTags": "enable_ecs_managed_tags",
    "propagateTags": "propagate_tags", "placementConstraints": "placement_constraints", "placementStrategy": "placement_strategy",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
}


def _invalid(message: str):
    from moto.ecs.exceptions import InvalidParameterException

    return InvalidParameterException(message)


def deployment_configuration(given: dict | None, controller: str) -> dict:
    config = copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
    if controller != "ECS":
        config.pop("deploymentCircuitBreaker")
    config.update(copy.deepcopy(given or {}))
    if controller == "ECS":
        config.setdefault("strategy", "ROLLING")
    strategy = config.get("strategy", "ROLLING")
    if strategy not in ("ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"):
        raise _invalid(f"Invalid deployment strategy: {strategy}")
    return config


def _validate_strategy(config: dict, load_balancers: list) -> None:
    strategy = config.get("strategy", "ROLLING")
    if strategy == "ROLLING":
        return
    for lb in load_balancers or []:
        advanced = lb.get("advancedConfiguration") or {}
        if lb.get("targetGroupArn") and not (advanced.get("alternateTargetGroupArn") and advanced.get("productionListenerRule")):
            raise _invalid(f"advancedConfiguration with alternateTargetGroupArn and productionListenerRule is required for the {strategy} deployment strategy.")
    if strategy == "CANARY" and not config.get("canaryConfiguration"):
        raise _invalid("canaryConfiguration is required for the CANARY deployment strategy.")
    if strategy == "LINEAR" and not config.get("linearConfiguration"):
        raise _invalid("linearConfiguration is required for the LINEAR deployment strategy.")
    _validate_step_limits(config)


# botocore ecs model: LinearConfiguration.stepPercent "multiples of 0.1 from 3.0 to 100.0";
# CanaryConfiguration.canaryPercent "from 0.1 to 100.0"; step/canary bake time "0 to 1440 minutes".
STEP_LIMITS = {"linearConfiguration": ("stepPercent", 3.0, "stepBakeTimeInMinutes"),
               "canaryConfiguration": ("canaryPercent", 0.1, "canaryBakeTimeInMinutes")}


def _validate_step_limits(config: dict) -> None:
    for key, (percent_key, low, bake_key) in STEP_LIMITS.items():
        step = config.get(key) or {}
        percent, bake = step.get(percent_key), step.get(bake_key)
        if percent is not None and not (low <= float(percent) <= 100.0):
            raise _invalid(f"{key}.{percent_key} must be between {low} and 100.0.")
        if bake is not None and not (0 <= int(bake) <= 1440):
            raise _invalid(f"{key}.{bake_key} must be between 0 and 1440.")


def _validate_target_groups(service_backend_account: str, region: str, load_balancers: list) -> None:
    """AWS CreateService: a target group must be attached to a load balancer (through a listener or
    a rule) before a service can use it: "The target group with targetGroupArn ... does not have an
    associated load balancer." moto accepts it."""
    from moto.elbv2.models import elbv2_backends

    groups = elbv2_backends[service_backend_account][region].target_groups
    for lb in load_balancers or []:
        arn = lb.get("targetGroupArn")
        group = groups.get(arn) if arn else None
        if group is not None and not group.load_balancer_arns:
            raise _invalid(f"The target group with targetGroupArn {arn} does not have an associated load balancer.")


def _validate_container_names(backend, task_definition: str | None, load_balancers: list) -> None:
    """The load balancer's container must be in the task definition the service runs (see the module
    docstring); moto accepts a name no container has."""
    if not task_definition or not load_balancers:
        return
    containers = {c.get("name") for c in backend.describe_task_definition(task_definition).container_definitions or []}
    for lb in load_balancers:
        name = lb.get("containerName")
        if name and name not in containers:
            raise _invalid(f"The container {name} does not exist in the task definition.")


# botocore ecs UpdateService: "For services using the blue/green (CODE_DEPLOY) deployment controller,
# only the desired count, deployment configuration, health check grace period, task placement
# constraints and strategies, enable ECS managed tags option, and propagate tags can be updated
# using this API. If the network configuration, platform version, task definition, or load balancer
# need to be updated, create a new CodeDeploy deployment."
CODE_DEPLOY_REFUSED = {
    "loadBalancers": "load balancers", "networkConfiguration": "network parameters", "platformVersion": "platform version",
    "capacityProviderStrategy": "capacity provider strategy", "serviceRegistries": "service registries",
    "enableExecuteCommand": "execute command configuration", "serviceConnectConfiguration": "Service Connect configuration",
    "volumeConfigurations": "volume configurations",
}


SHIFTING_STRATEGIES = ("BLUE_GREEN", "CANARY", "LINEAR")


def _check_controller_change(service, controller: str, wanted: str, param) -> None:
    """UpdateService(deploymentController): the botocore ecs model lets UpdateService carry one. The
    local AWS models the two transitions AWS documents, and refuses the rest (to or from EXTERNAL,
    CODE_DEPLOY to a rolling ECS service): refusing is the stricter answer, and ecsship replaces the
    service for them.

    - ECS -> CODE_DEPLOY, on a service with a load balancer (CodeDeploy blue/green needs one) whose
      deployment is not in progress; the request may hold only what a CODE_DEPLOY service accepts.
    - CODE_DEPLOY -> ECS blue/green (AWS ECS Developer Guide, "Migrating from a CodeDeploy blue/green to
      an Amazon ECS blue/green service deployment": no service deployment in progress, the production
      and test target groups reused, both associated with the production or test listener rule): the
      request must set a BLUE_GREEN, CANARY or LINEAR strategy and load balancers whose
      advancedConfiguration (alternate target group, production listener rule, role) keeps the pair
      the task sets use. Its task definition, network and the like still go out afterwards."""
    if (controller, wanted) == ("CODE_DEPLOY", "ECS"):
        _check_to_ecs_blue_green(service, param)
        return
    if (controller, wanted) != ("ECS", "CODE_DEPLOY"):
        raise _invalid(f"Updating the deployment controller from {controller} to {wanted} is not supported "
                       "by the local AWS (it models ECS to CODE_DEPLOY and CODE_DEPLOY to ECS blue/green only).")
    if not service.load_balancers:
        raise _invalid("The CODE_DEPLOY deployment controller requires a service with a load balancer.")
    primary = service.ecsship.primary() if getattr(service, "ecsship", None) is not None else None
    if primary is not None and primary.rollout_state == "IN_PROGRESS":
        raise _invalid("Unable to update the deployment controller while a deployment is in progress. "
                       "Wait for the deployment to complete.")


def _check_to_ecs_blue_green(service, param) -> None:
    sim = getattr(service, "ecsship", None)
    task_sets = list(sim.task_sets) if sim is not None else []
    if any(t.status != "PRIMARY" for t in task_sets):
        raise _invalid("Unable to update the deployment controller while a deployment is in progress. "
                       "Wait for the deployment to complete.")
    config = {**(service.deployment_configuration or {}), **(param("deploymentConfiguration") or {})}
    if str(config.get("strategy") or "ROLLING").upper() not in SHIFTING_STRATEGIES:
        raise _invalid("Updating the deployment controller from CODE_DEPLOY to ECS requires the BLUE_GREEN, "
                       "CANARY or LINEAR deployment strategy.")
    for name, words in CODE_DEPLOY_REFUSED.items():
        if name != "loadBalancers" and param(name) is not None:
            raise _invalid(f"Unable to update {words} while updating the deployment controller.")
    if param("taskDefinition") is not None or param("forceNewDeployment"):
        raise _invalid("Unable to start a deployment while updating the deployment controller.")
    serving = {t.target_group_arn for t in task_sets if t.target_group_arn}
    load_balancers = param("loadBalancers") or []
    for lb in load_balancers or [{}]:
        advanced = lb.get("advancedConfiguration") or {}
        if not (advanced.get("alternateTargetGroupArn") and advanced.get("productionListenerRule") and advanced.get("roleArn")):
            raise _invalid("loadBalancers with advancedConfiguration (alternateTargetGroupArn, productionListenerRule, "
                           "roleArn) are required to update the deployment controller from CODE_DEPLOY to ECS.")
        if not serving <= {lb.get("targetGroupArn"), advanced.get("alternateTargetGroupArn")}:
            raise _invalid("The target groups must be the ones the service's task sets use when updating the "
                           "deployment controller from CODE_DEPLOY to ECS.")


def _launch_type_after(capacity: list) -> str:
    """UpdateService(capacityProviderStrategy=[]): "Update the Auto Scaling group or Fargate capacity
    provider back to the launch type. Pass an empty list" (botocore ecs UpdateService). The launch
    type is the one the providers stood for: FARGATE for Fargate providers, else EC2."""
    providers = {c.get("capacityProvider") for c in capacity}
    return "FARGATE" if providers and providers <= {"FARGATE", "FARGATE_SPOT"} else "EC2"


def _refuse_code_deploy_update(param) -> None:
    """What UpdateService refuses on a CODE_DEPLOY service, present in the request at all (the
    stricter reading; AWS answers e.g. "Unable to update load balancers on services with a
    CODE_DEPLOY deployment controller", ecspresso#936). A task definition change is refused in
    update_service with AWS's own message; forceNewDeployment is refused here."""
    for name, words in CODE_DEPLOY_REFUSED.items():
        if param(name) is not None:
            raise _invalid(f"Unable to update {words} on services with a CODE_DEPLOY deployment controller. "
                           "Use AWS CodeDeploy to trigger a new deployment.")
    if param("forceNewDeployment"):
        raise _invalid("Unable to force a new deployment on services with a CODE_DEPLOY deployment controller. "
                       "Use AWS CodeDeploy to trigger a new deployment.")


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse as Response

    from ecsship.local import runtime
    from ecsship.local.simulator import ecs_api, exec_api, oneoff
    from ecsship.local.simulator.lifecycle import attach_service, start_deployment

    original_create = Response.create_service

    def create_service(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        name = self._get_param("serviceName")
        existing = backend.services.get(f"{cluster.name}:{name}")
        if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
            raise _invalid("Creation of service was not idempotent.")
        controller = (self._get_param("deploymentController") or {}).get("type", "ECS")
        config = deployment_configuration(self._get_param("deploymentConfiguration"), controller)
        load_balancers = self._get_param("loadBalancers") or []
        _validate_strategy(config, load_balancers)
        _validate_target_groups(backend.account_id, backend.region_name, load_balancers)
        _validate_container_names(backend, self._get_param("taskDefinition"), load_balancers)
        capacity = self._get_param("capacityProviderStrategy")
        if capacity and self._get_param("launchType"):
            raise _invalid("Specifying both a launchType and capacityProviderStrategy is not supported.")
        if not capacity and not self._get_param("launchType") and cluster.default_capacity_provider_strategy:
            capacity = copy.deepcopy(cluster.default_capacity_provider_strategy)
        result = original_create(self)
        service = backend.services[f"{cluster.name}:{name}"]
        service.deployment_configuration = config
        service.capacity_provider_strategy = capacity or None
        if capacity:
            service.launch_type = None
        grace = self._get_param("healthCheckGracePeriodSeconds")
        service.health_check_grace_period_seconds = grace if grace is not None else (0 if load_balancers else None)
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        service.enable_ecs_managed_tags = bool(self._get_param("enableECSManagedTags", False))
        service.placement_constraints = self._get_param("placementConstraints") or []
        service.placement_strategy = self._get_param("placementStrategy") or []
        service.availability_zone_rebalancing = self._get_param("availabilityZoneRebalancing") or ("ENABLED" if controller == "ECS" else "DISABLED")
        service.platform_family = "Linux" if service.launch_type != "EC2" else None
        service.created_at = runtime.now_dt()
        service.created_by = f"arn:aws:iam::{backend.account_id}:root"
        attach_service(backend, service, runtime.now())
        return result

    def update_service(self):
        backend = self.ecs_backend
        cluster_str = self._get_param("cluster", "default")
        service = backend._get_service(cluster_str, self._get_param("service"))
        if service.status != "ACTIVE":
            from moto.ecs.exceptions import ECSException

            raise ECSException("ServiceNotActiveException", "Service was not ACTIVE.")
        controller = (service.deployment_controller or {}).get("type", "ECS")
        now = runtime.now()
        wanted = (self._get_param("deploymentController") or {}).get("type") or controller
        if wanted != controller:
            _check_controller_change(service, controller, wanted, self._get_param)
        if "CODE_DEPLOY" in (controller, wanted) and (controller, wanted) != ("CODE_DEPLOY", "ECS"):
            _refuse_code_deploy_update(self._get_param)
        if (controller, wanted) == ("ECS", "CODE_DEPLOY"):
            from ecsship.local.simulator.task_sets import adopt_ecs_deployment

            service.deployment_controller = {"type": wanted}
            adopt_ecs_deployment(backend, service, now)
            controller = wanted
        elif (controller, wanted) == ("CODE_DEPLOY", "ECS"):
            from ecsship.local.simulator.task_sets import adopt_task_sets

            service.deployment_controller = {"type": wanted}
            service.load_balancers = copy.deepcopy(self._get_param("loadBalancers"))
            service.deployment_configuration = deployment_configuration(
                {**(service.deployment_configuration or {}), **(self._get_param("deploymentConfiguration") or {})}, "ECS")
            adopt_task_sets(backend, service, now)
            controller = wanted
        new_deployment = bool(self._get_param("forceNewDeployment", False))
        task_definition = self._get_param("taskDefinition")
        _validate_container_names(backend, task_definition or service.task_definition,
                                  self._get_param("loadBalancers") or service.load_balancers)
        if task_definition:
            arn = backend.describe_task_definition(task_definition).arn
            if arn != service.task_definition:
                if controller == "CODE_DEPLOY":
                    raise _invalid("Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.")
                if controller == "EXTERNAL":
                    raise _invalid("Unable to update task definition on services with an EXTERNAL deployment controller.")
                service.task_definition = arn
                new_deployment = True
        previous_capacity = copy.deepcopy(getattr(service, "capacity_provider_strategy", None)) or []
        for param, attribute in NEW_DEPLOYMENT_PARAMS.items():
            value = self._get_param(param)
            if value is None:
                continue
            if param == "networkConfiguration":
                value = service._validate_network(value)
            if getattr(service, attribute, None) != value:
                setattr(service, attribute, copy.deepcopy(value))
                new_deployment = new_deployment or controller == "ECS"
        strategy = self._get_param("capacityProviderStrategy")
        if strategy:
            service.launch_type = None
        elif strategy == [] and service.launch_type is None:
            service.launch_type = _launch_type_after(previous_capacity)
            service.capacity_provider_strategy = None
        for param, attribute in SIMPLE_PARAMS.items():
            value = self._get_param(param)
            if value is not None:
                setattr(service, attribute, value)
        config = self._get_param("deploymentConfiguration")
        if config is not None:
            merged = copy.deepcopy(service.deployment_configuration)
            merged.update(copy.deepcopy(config))
            _validate_strategy(merged, service.load_balancers)
            service.deployment_configuration = merged
        desired = self._get_param("desiredCount")
        if desired is not None:
            service.desired_count = int(desired)
        if new_deployment and controller == "ECS":
            start_deployment(backend, service, now)
        elif getattr(service, "ecsship", None) is not None:
            from ecsship.local.simulator.ecs_view import sync

            primary = service.ecsship.primary()
            if primary is not None:
                primary.desired_count = service.desired_count
                primary.updated_at = now
            sync(service, service.ecsship)
        return ActionResult({"service": service})

    original_delete = EC2ContainerServiceBackend.delete_service

    def delete_service(self, cluster_name, service_name, force):
        service = original_delete(self, cluster_name, service_name, force)
        sim = getattr(service, "ecsship", None)
        if sim is not None and any(t.last_status != "STOPPED" for t in sim.tasks):
            service.status = "DRAINING"
        service.desired_count = 0
        return service

    original_list_tasks = EC2ContainerServiceBackend.list_tasks

    def list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None, service_name=None, desiredStatus=None):
        found = original_list_tasks(self, cluster_str, container_instance, family, started_by, None, desiredStatus or "RUNNING")
        if service_name:
            name = service_name.split("/")[-1]
            found = [t for t in found if t.group == f"service:{name}"]
        return found

    original_stop_task = EC2ContainerServiceBackend.stop_task

    def stop_task(self, cluster_str, task_str, reason):
        from ecsship.local.simulator.tasks import SimTask, request_stop

        cluster = self._get_cluster(cluster_str)
        for task in self.tasks.get(cluster.name, {}).values():
            if isinstance(task, SimTask) and (task.task_arn == task_str or task.task_arn.endswith("/" + task_str)):
                request_stop(task, runtime.now(), reason or "Task stopped by user", "UserInitiated")
                return task
        return original_stop_task(self, cluster_str, task_str, reason)

    Response.create_service = create_service
    Response.update_service = update_service
    EC2ContainerServiceBackend.delete_service = delete_service
    EC2ContainerServiceBackend.list_tasks = list_tasks
    EC2ContainerServiceBackend.stop_task = stop_task
    ecs_api.install(Response)
    oneoff.install(Response)
    exec_api.install(Response)
