"""CodeDeploy APIs moto lacks or answers incompletely (the deployment groups and configs part).

AWS CodeDeploy API Reference sections followed:
- CreateDeploymentConfig / GetDeploymentConfig / ListDeploymentConfigs / DeleteDeploymentConfig:
  custom configs next to the built-in `CodeDeployDefault.*` ones; built-in ones cannot be deleted
  (InvalidOperationException), a config in use by a group cannot be deleted (DeploymentConfigInUseException).
- CreateDeploymentGroup: for the ECS compute platform the default config is CodeDeployDefault.ECSAllAtOnce;
  an unknown config name fails with DeploymentConfigDoesNotExistException.
- UpdateDeploymentGroup / DeleteDeploymentGroup / DeleteApplication / BatchGetDeploymentGroups.
- GetDeploymentGroup returns alarmConfiguration as given (moto returns {}), and the last
  attempted / successful deployments.
- Deployment ids look like AWS's, `d-` and 9 upper-case letters or digits (AWS CLI reference for
  `aws deploy get-deployment`: `--deployment-id d-USUAELQEX`); moto issues UUIDs.
Deployments themselves (status progression, stop, continue, targets) live in simulator/codedeploy.py.
"""
from __future__ import annotations

import uuid
from typing import Any

BUILTIN_CONFIGS: dict[str, dict[str, Any]] = {
    "CodeDeployDefault.OneAtATime": {"computePlatform": "Server", "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 100}},
    "CodeDeployDefault.HalfAtATime": {"computePlatform": "Server", "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50}},
    "CodeDeployDefault.AllAtOnce": {"computePlatform": "Server", "minimumHealthyHosts": {"type": "HOST_COUNT", "value": 0}},
    "CodeDeployDefault.ECSAllAtOnce": {"computePlatform": "ECS", "trafficRoutingConfig": {"type": "AllAtOnce"}},
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": {"computePlatform": "ECS", "trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}}},
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": {"computePlatform": "ECS", "trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 3}}},
    "CodeDeployDefault.ECSCanary10Percent5Minutes": {"computePlatform": "ECS", "trafficRoutingConfig": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}},
    "CodeDeployDefault.ECSCanary10Percent15Minutes": {"computePlatform": "ECS", "trafficRoutingConfig": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}}},
    "CodeDeployDefault.LambdaAllAtOnce": {"computePlatform": "Lambda", "trafficRoutingConfig": {"type": "AllAtOnce"}},
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": {"computePlatform": "Lambda", "trafficRoutingConfig": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}}},
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": {"computePlatform": "Lambda", "trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}}},
}


def _error(code: str, message: str):
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def custom_configs(backend) -> dict[str, dict]:
    if not hasattr(backend, "ecsship_deployment_configs"):
        backend.ecsship_deployment_configs = {}
    return backend.ecsship_deployment_configs


def find_config(backend, name: str) -> dict | None:
    """The DeploymentConfigInfo for a built-in or custom config name, or None."""
    if name in BUILTIN_CONFIGS:
        builtin = BUILTIN_CONFIGS[name]
        return {
            "deploymentConfigId": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
            "deploymentConfigName": name,
            "createTime": 1420070400.0,
            **builtin,
        }
    return custom_configs(backend).get(name)


def _validate_traffic_routing(config: dict | None) -> None:
    if not config:
        return
    kind = config.get("type")
    if kind == "TimeBasedCanary":
        canary = config.get("timeBasedCanary") or {}
        if not (1 <= int(canary.get("canaryPercentage", 0)) <= 99) or int(canary.get("canaryInterval", 0)) < 1:
            raise _error("InvalidTrafficRoutingConfigurationException", "timeBasedCanary needs canaryPercentage 1-99 and canaryInterval >= 1")
    elif kind == "TimeBasedLinear":
        linear = config.get("timeBasedLinear") or {}
        if not (1 <= int(linear.get("linearPercentage", 0)) <= 99) or int(linear.get("linearInterval", 0)) < 1:
            raise _error("InvalidTrafficRoutingConfigurationException", "timeBasedLinear needs linearPercentage 1-99 and linearInterval >= 1")
    elif kind not in ("AllAtOnce",):
        raise _error("InvalidTrafficRoutingConfigurationException", f"unknown traffic routing type {kind!r}")


def group_info(original_info, group) -> dict:
    info = original_info(group)
    alarm = group.alarm_configuration
    info["alarmConfiguration"] = (
        {"enabled": bool(alarm.get("enabled")), "ignorePollAlarmFailure": bool(alarm.get("ignorePollAlarmFailure")), "alarms": list(alarm.get("alarms") or [])}
        if isinstance(alarm, dict) and alarm else {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    )
    for key in ("lastSuccessfulDeployment", "lastAttemptedDeployment"):
        value = getattr(group, "ecsship_" + key, None)
        if value:
            info[key] = value
        else:
            info.pop(key, None)
    info.pop("targetRevision", None)
    return info


def apply() -> None:
    import moto.codedeploy.responses as responses
    from moto.codedeploy.models import CodeDeployBackend, DeploymentInfo
    from moto.core.responses import ActionResult, EmptyResult

    from ecsship.local.simulator.ids import codedeploy_deployment_id

    original_deployment_init = DeploymentInfo.__init__

    def deployment_init(self, *args, **kwargs):
        original_deployment_init(self, *args, **kwargs)
        self.deployment_id = codedeploy_deployment_id()  # before moto files it under its id

    DeploymentInfo.__init__ = deployment_init

    Response = responses.CodeDeployResponse
    original_info = responses._deployment_group_info
    responses._deployment_group_info = lambda group: group_info(original_info, group)

    original_create_group = CodeDeployBackend.create_deployment_group

    def create_deployment_group(self, application_name, deployment_group_name, deployment_config_name, *args, **kwargs):
        application = self.get_application(application_name)
        if not deployment_config_name and application.compute_platform == "ECS":
            deployment_config_name = "CodeDeployDefault.ECSAllAtOnce"
        if deployment_config_name and find_config(self, deployment_config_name) is None:
            raise _error("DeploymentConfigDoesNotExistException", f"The deployment configuration {deployment_config_name} does not exist with the user or AWS account.")
        return original_create_group(self, application_name, deployment_group_name, deployment_config_name, *args, **kwargs)

    CodeDeployBackend.create_deployment_group = create_deployment_group

    # -- deployment configs ---------------------------------------------------------------
    def create_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        backend = self.codedeploy_backend
        if not name:
            raise _error("DeploymentConfigNameRequiredException", "Deployment config name is required.")
        if find_config(backend, name) is not None:
            raise _error("DeploymentConfigAlreadyExistsException", f"A deployment configuration with the name {name} already exists.")
        if name.startswith("CodeDeployDefault."):
            raise _error("InvalidDeploymentConfigNameException", "Deployment configuration names cannot begin with CodeDeployDefault.")
        traffic = self._get_param("trafficRoutingConfig")
        _validate_traffic_routing(traffic)
        from ecsship.local import runtime

        info = {
            "deploymentConfigId": str(uuid.uuid4()),
            "deploymentConfigName": name,
            "computePlatform": self._get_param("computePlatform") or "Server",
            "createTime": runtime.now_dt(),
        }
        for key in ("minimumHealthyHosts", "zonalConfig"):
            if self._get_param(key):
                info[key] = self._get_param(key)
        if traffic:
            info["trafficRoutingConfig"] = traffic
        custom_configs(backend)[name] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        info = find_config(self.codedeploy_backend, name)
        if info is None:
            raise _error("DeploymentConfigDoesNotExistException", f"The deployment configuration {name} does not exist with the user or AWS account.")
        return ActionResult({"deploymentConfigInfo": info})

    def list_deployment_configs(self):
        names = list(BUILTIN_CONFIGS) + list(custom_configs(self.codedeploy_backend))
        return ActionResult({"deploymentConfigsList": names})

    def delete_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        backend = self.codedeploy_backend
        if name in BUILTIN_CONFIGS:
            raise _error("InvalidOperationException", "The deployment configuration is a default configuration and cannot be deleted.")
        for groups in backend.deployment_groups.values():
            if any(str(g.deployment_config_name) == name for g in groups.values()):
                raise _error("DeploymentConfigInUseException", f"The deployment configuration {name} is in use by a deployment group.")
        custom_configs(backend).pop(name, None)  # AWS: deleting an unknown config succeeds
        return EmptyResult()

    # -- deployment groups ------------------------------------------------------------------
    UPDATABLE = {
        "deploymentConfigName": "deployment_config_name", "ec2TagFilters": "ec2_tag_filters",
        "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters", "autoScalingGroups": "auto_scaling_groups",
        "serviceRoleArn": "service_role_arn", "triggerConfigurations": "trigger_configurations",
        "alarmConfiguration": "alarm_configuration", "autoRollbackConfiguration": "auto_rollback_configuration",
        "outdatedInstancesStrategy": "outdated_instances_strategy", "deploymentStyle": "deployment_style",
        "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration", "loadBalancerInfo": "load_balancer_info",
        "ec2TagSet": "ec2_tag_set", "ecsServices": "ecs_services", "onPremisesTagSet": "on_premises_tag_set",
        "terminationHookEnabled": "termination_hook_enabled",
    }

    def update_deployment_group(self):
        backend = self.codedeploy_backend
        application_name = self._get_param("applicationName")
        current = self._get_param("currentDeploymentGroupName")
        group = backend.get_deployment_group(application_name, current)
        config_name = self._get_param("deploymentConfigName")
        if config_name and find_config(backend, config_name) is None:
            raise _error("DeploymentConfigDoesNotExistException", f"The deployment configuration {config_name} does not exist with the user or AWS account.")
        new_name = self._get_param("newDeploymentGroupName")
        if new_name and new_name != current:
            if new_name in backend.deployment_groups.get(application_name, {}):
                raise _error("DeploymentGroupAlreadyExistsException", f"Deployment group {new_name} already exists.")
            groups = backend.deployment_groups[application_name]
            groups[new_name] = groups.pop(current)
            group.deployment_group_name = new_name
        for param, attribute in UPDATABLE.items():
            value = self._get_param(param)
            if value is not None:
                setattr(group, attribute, value)
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_deployment_group(self):
        backend = self.codedeploy_backend
        application_name = self._get_param("applicationName")
        name = self._get_param("deploymentGroupName")
        backend.get_application(application_name)
        groups = backend.deployment_groups.get(application_name, {})
        groups.pop(name, None)  # AWS: deleting a group that does not exist succeeds
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_application(self):
        backend = self.codedeploy_backend
        name = self._get_param("applicationName")
        backend.applications.pop(name, None)
        backend.deployment_groups.pop(name, None)
        return EmptyResult()

    def batch_get_deployment_groups(self):
        backend = self.codedeploy_backend
        application_name = self._get_param("applicationName")
        backend.get_application(application_name)
        infos, error = [], None
        for name in self._get_param("deploymentGroupNames") or []:
            group = backend.deployment_groups.get(application_name, {}).get(name)
            if group is None:
                error = f"Deployment group {name} does not exist."
            else:
                infos.append(responses._deployment_group_info(group))
        result: dict = {"deploymentGroupsInfo": infos}
        if error:
            result["errorMessage"] = error
        return ActionResult(result)

    for method in (create_deployment_config, get_deployment_config, list_deployment_configs, delete_deployment_config,
                   update_deployment_group, delete_deployment_group, delete_application, batch_get_deployment_groups):
        setattr(Response, method.__name__, method)
