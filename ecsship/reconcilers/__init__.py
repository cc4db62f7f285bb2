"""One reconciler per resource kind; `reconciler_for(kind)` finds it.

Modules are imported on first use so planning a worker never loads the load-balancer code.
"""
from __future__ import annotations

import importlib
import threading

# kind -> "module:Class"
REGISTRY = {
    "network": "existing_resources:NetworkLookup",
    "image": "existing_resources:ImageLookup",
    "secrets": "existing_resources:SecretsLookup",
    "alb_lookup": "existing_resources:AlbLookup",
    "alarm_lookup": "existing_resources:AlarmsLookup",
    "efs": "efs:EfsLookup",
    "cluster": "cluster:ClusterReconciler",
    "log_group": "log_group:LogGroupReconciler",
    "role": "role:RoleReconciler",
    "security_group": "security_group:SecurityGroupReconciler",
    "task_definition": "task_definition:TaskDefinitionReconciler",
    "service": "service:ServiceReconciler",
    "autoscaling": "autoscaling:AutoscalingReconciler",
    "vpc_endpoints": "vpc_endpoints:VpcEndpointsReconciler",
    "target_group": "target_group:TargetGroupReconciler",
    "listener_rule": "listener_rule:ListenerRuleReconciler",
    "alarm": "alarm:AlarmReconciler",
    "codedeploy_app": "codedeploy:ApplicationReconciler",
    "codedeploy_config": "codedeploy:DeploymentConfigReconciler",
    "codedeploy_group": "codedeploy:DeploymentGroupReconciler",
    "load_balancer": "load_balancer:LoadBalancerReconciler",
    "namespace": "cloud_map:NamespaceReconciler",
    "discovery_service": "cloud_map:DiscoveryServiceReconciler",
    "queue": "queue:QueueReconciler",
    "schedules": "schedules:SchedulesReconciler",
    "event_rule": "event_rule:EventRuleReconciler",
    "ami_lookup": "existing_resources:AmiLookup",
    "instance_profile": "instance_profile:InstanceProfileReconciler",
    "launch_template": "launch_template:LaunchTemplateReconciler",
    "autoscaling_group": "autoscaling_group:AutoScalingGroupReconciler",
    "capacity_provider": "capacity_provider:CapacityProviderReconciler",
}
_cache: dict = {}
_LOCK = threading.RLock()  # plan reads ask from worker threads (aws/concurrency.py): one instance per kind


def reconciler_for(kind: str, missing_ok: bool = False):
    if kind in _cache:
        return _cache[kind]
    with _LOCK:
        return _cached_reconciler(kind, missing_ok)


def _cached_reconciler(kind: str, missing_ok: bool):
    if kind in _cache:
        return _cache[kind]
    target = REGISTRY.get(kind)
    if target is None:
        if missing_ok:
            return None
        raise KeyError(f"no reconciler for {kind}")
    module_name, cls_name = target.split(":")
    try:
        module = importlib.import_module(f"ecsship.reconcilers.{module_name}")
    except ModuleNotFoundError as exc:
        if missing_ok and exc.name == f"ecsship.reconcilers.{module_name}":
            return None  # a kind registered before its module exists; any other import error is a bug to show
        raise
    _cache[kind] = getattr(module, cls_name)()
    return _cache[kind]
