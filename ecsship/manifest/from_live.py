"""A live ECS service (what ops/live_service.py read) → an ecsship manifest. Pure: no AWS calls.

Adoption must not disturb the service, so the manifest keeps: the desired count (`count:`, or
`scaling.min`), the container's name (`container_name:`), the security groups
(`network.security_groups`, next to the one ecsship adds), the log group (`logs.group`) and the task
role (`task_role:`). Environment values that look like secrets (semantic.plaintext_secret, strict)
never enter the manifest: they are returned apart (`Imported.plaintext`), for the caller to store in
Secrets Manager and reference under `secrets:`. Everything that has no manifest field is listed in
`Imported.unmapped`, which import writes as a commented list at the end of the manifest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ecsship.manifest.defaults import ALB_HEALTH_DEFAULTS, DEREGISTRATION_DELAY_DEFAULT
from ecsship.manifest.semantic import plaintext_secret

SUBNET_ID, SG_ID = re.compile(r"^subnet-[0-9a-f]+$"), re.compile(r"^sg-[0-9a-f]+$")

# Task definition fields the manifest carries (or ecsship sets itself); any other with a value is unmapped.
MAPPED_TD_KEYS = {"taskDefinitionArn", "containerDefinitions", "family", "taskRoleArn", "executionRoleArn", "networkMode",
                  "revision", "status", "requiresAttributes", "compatibilities", "requiresCompatibilities", "cpu", "memory",
                  "runtimePlatform", "registeredAt", "registeredBy", "deregisteredAt"}
MAPPED_CONTAINER_KEYS = {"name", "image", "essential", "portMappings", "environment", "secrets", "logConfiguration",
                         "healthCheck", "stopTimeout", "cpu", "memory", "memoryReservation"}
RETENTION_DEFAULT = 30


@dataclass
class Imported:
    manifest: dict
    unmapped: list[str] = field(default_factory=list)  # what the manifest does not carry, one line each
    plaintext: dict[str, str] = field(default_factory=dict)  # NAME -> why ("name"/"value"); values are in `values`
    values: dict[str, str] = field(default_factory=dict, repr=False)  # never printed, logged or written


def main_container(td: dict, service: dict) -> dict:
    """The service's own container: the one its load balancer names, else the first essential one."""
    containers = td.get("containerDefinitions") or []
    named = next((lb.get("containerName") for lb in service.get("loadBalancers") or [] if lb.get("containerName")), None)
    return (next((c for c in containers if c.get("name") == named), None)
            or next((c for c in containers if c.get("essential", True)), None) or (containers[0] if containers else {}))


def secret_name(cluster: str, service: str, env: str) -> str:
    """Where `--move-secrets` stores a plaintext value: `<cluster>/<service>/<NAME>` (the issue's contract)."""
    return f"{cluster}/{service}/{env}"


def from_live(live: dict) -> Imported:
    svc, td = live["service"], live["task_definition"]
    cluster = svc["clusterArn"].rsplit("/", 1)[-1]
    name = svc["serviceName"]
    main = main_container(td, svc)
    m: dict = {"service": name, "cluster": cluster}
    if live.get("region"):
        m["region"] = live["region"]
    m["image"] = main.get("image")
    out = Imported(m)
    unmapped = out.unmapped
    if main.get("name") and main["name"] != name:
        m["container_name"] = main["name"]
    ports = main.get("portMappings") or []
    # The port the load balancer sends to comes first: changing it would change the service's loadBalancers.
    routed = next((lb.get("containerPort") for lb in svc.get("loadBalancers") or [] if lb.get("containerPort")), None)
    ports = sorted(ports, key=lambda p: p.get("containerPort") != routed)
    if ports:
        m["port"] = ports[0]["containerPort"]
        unmapped += [f"port mapping {p['containerPort']}/{p.get('protocol', 'tcp')} (only the first port is mapped)" for p in ports[1:]]
    _size(td, m, unmapped)
    _platform(svc, td, m, unmapped)
    _network(live, svc, m, unmapped)
    _load_balancer(live, m, unmapped)
    _environment(cluster, name, main, m, out)
    _health(main, svc, m)
    if main.get("stopTimeout"):
        m["stop_timeout"] = main["stopTimeout"]
    if svc.get("enableExecuteCommand"):
        m["execute_command"] = True
    _scaling(live, svc, m, unmapped)
    _deploy(svc, m, unmapped)
    _logs(live, main, m, unmapped)
    _roles(td, m, unmapped)
    _rest(td, main, svc, live, unmapped)
    tags = {t["key"]: t["value"] for t in svc.get("tags") or [] if not t["key"].startswith(("ecsship:", "aws:"))}
    if tags:
        m["tags"] = tags
    return out


def _size(td: dict, m: dict, unmapped: list) -> None:
    for key in ("cpu", "memory"):
        if td.get(key):
            m[key] = int(td[key])
    arch = (td.get("runtimePlatform") or {}).get("cpuArchitecture")
    if arch == "ARM64":
        m["architecture"] = "arm64"
    family = (td.get("runtimePlatform") or {}).get("operatingSystemFamily")
    if family and family != "LINUX":
        unmapped.append(f"operating system {family} (ecsship runs Linux tasks)")


def _platform(svc: dict, td: dict, m: dict, unmapped: list) -> None:
    strategy = svc.get("capacityProviderStrategy") or []
    if strategy:
        m["capacity"] = [{"provider": c["capacityProvider"], **({"weight": c["weight"]} if c.get("weight") is not None else {}),
                          **({"base": c["base"]} if c.get("base") else {})} for c in strategy]
        if not all(c["capacityProvider"].startswith("FARGATE") for c in strategy):
            m["platform"] = "ec2"
    elif svc.get("launchType") == "EC2":
        m["platform"] = "ec2"
    elif svc.get("launchType") not in (None, "FARGATE"):
        unmapped.append(f"launch type {svc['launchType']}")
    if svc.get("platformVersion") not in (None, "LATEST"):
        unmapped.append(f"platform version {svc['platformVersion']} (ecsship uses LATEST)")


def _network(live: dict, svc: dict, m: dict, unmapped: list) -> None:
    net = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    subnets = sorted(net.get("subnets") or [])
    network: dict = {"vpc": live.get("vpc_id") or {"tags": {"Name": "REPLACE-ME"}},
                     "subnets": subnets if subnets and all(SUBNET_ID.match(s) for s in subnets) else {"tags": {"tier": "REPLACE-ME"}}}
    if not live.get("vpc_id") or not isinstance(network["subnets"], list):
        unmapped.append("network: the VPC or subnets were not known as ids: set network.vpc and network.subnets")
    if net.get("securityGroups") and all(SG_ID.match(g) for g in net["securityGroups"]):
        network["security_groups"] = sorted(net["securityGroups"])  # kept attached; ecsship adds its own group
    m["network"] = network
    if net.get("assignPublicIp") == "ENABLED":
        unmapped.append("assignPublicIp ENABLED: ecsship turns the public IP off; tasks in these subnets then need a NAT "
                        "gateway or VPC endpoints (network.endpoints) to pull images and read secrets")


def _load_balancer(live: dict, m: dict, unmapped: list) -> None:
    """The ALB routing as it is: the service's own target group (`load_balancer.target_group`, which
    adoption takes over in place) and the listener rule forwarding to it (ALB, listener port,
    host/path, priority), with the group's health check and deregistration delay where they differ
    from ecsship's defaults, so that `plan --adopt` changes none of them."""
    found = live.get("load_balancers") or []
    if not found and live["service"].get("loadBalancers"):
        unmapped.append("load balancer: only its target group is known; set load_balancer (alb, host/path, priority)")
    for extra in found[1:]:
        unmapped.append(f"target group {extra['target_group']['TargetGroupName']} (ecsship routes one target group)")
    if not found:
        return
    lb = found[0]
    group = lb["target_group"]
    for other in lb.get("other_forwarders") or []:
        unmapped.append(f"{other} also forwards to target group {group['TargetGroupName']} (kept as is; while it does, "
                        "destroy cannot delete the group)")
    if not lb.get("alb") or not lb.get("rule"):
        unmapped.append(f"the listener rule forwarding to {group['TargetGroupName']} was not found: set load_balancer by hand")
        return
    out: dict = {"alb": lb["alb"]["LoadBalancerName"], "target_group": group["TargetGroupName"]}
    if lb["listener"]["Port"] != 443:
        out["listener_port"] = lb["listener"]["Port"]
    for cond in lb["rule"].get("Conditions") or []:
        values = (cond.get("HostHeaderConfig") or cond.get("PathPatternConfig") or {}).get("Values") or cond.get("Values") or []
        field_ = {"host-header": "host", "path-pattern": "path"}.get(cond.get("Field", ""))
        if field_ and values:
            out[field_] = values[0]
        if not field_ or len(values) != 1:
            unmapped.append(f"listener rule condition {cond.get('Field')} {', '.join(values)} (the manifest routes one host and "
                            "one path: plan --adopt refuses to change the rule)")
    if lb["rule"].get("Priority", "default").isdigit():
        out["priority"] = int(lb["rule"]["Priority"])
    m["load_balancer"] = out
    _target_group(group, lb.get("attributes") or {}, m, out, unmapped)


def _target_group(group: dict, attributes: dict, m: dict, out: dict, unmapped: list) -> None:
    name = group["TargetGroupName"]
    # What ModifyTargetGroup cannot change (botocore elbv2: it "Modifies the health checks"): ecsship's
    # group is HTTP to ip targets, so a difference here is a replacement. (Its port may differ: ECS
    # registers each task at the container port.)
    for key, wanted in (("Protocol", "HTTP"), ("TargetType", "ip")):
        if group.get(key) is not None and group[key] != wanted:
            unmapped.append(f"target group {name}: {key} {group[key]} (ecsship's is {wanted}; AWS cannot change it in place, "
                            "so plan --adopt refuses)")
    hc: dict = {"path": group["HealthCheckPath"]} if group.get("HealthCheckPath") else {}
    for key, field_ in (("HealthCheckIntervalSeconds", "interval"), ("HealthCheckTimeoutSeconds", "timeout"),
                        ("HealthyThresholdCount", "healthy_threshold"), ("UnhealthyThresholdCount", "unhealthy_threshold")):
        if group.get(key) is not None and group[key] != ALB_HEALTH_DEFAULTS[field_]:
            hc[field_] = group[key]
    matcher = (group.get("Matcher") or {}).get("HttpCode")
    if matcher and matcher != ALB_HEALTH_DEFAULTS["matcher"]:
        hc["matcher"] = matcher
    if hc:
        out["health_check"] = hc
    if group.get("HealthCheckProtocol") not in (None, "HTTP"):
        unmapped.append(f"target group {name}: health check over {group['HealthCheckProtocol']} (ecsship checks over HTTP)")
    if group.get("HealthCheckPort") not in (None, "traffic-port"):
        unmapped.append(f"target group {name}: health check port {group['HealthCheckPort']} (kept as is)")
    delay = attributes.get("deregistration_delay.timeout_seconds")
    if delay is not None and int(delay) != DEREGISTRATION_DELAY_DEFAULT:
        out["deregistration_delay"] = int(delay)
    for key, default in (("stickiness.enabled", "false"), ("slow_start.duration_seconds", "0"),
                         ("load_balancing.algorithm.type", "round_robin")):
        if attributes.get(key) not in (None, default):
            unmapped.append(f"target group {name}: {key} {attributes[key]} (kept as is)")


def _environment(cluster: str, service: str, main: dict, m: dict, out: Imported) -> None:
    env: dict = {}
    secrets = {s["name"]: s["valueFrom"] for s in main.get("secrets") or []}
    for item in sorted(main.get("environment") or [], key=lambda e: e["name"]):
        key, value = item["name"], item.get("value", "")
        why = plaintext_secret(key, value, strict=True)
        if why:
            out.plaintext[key] = why
            out.values[key] = value
            secrets[key] = f"secretsmanager:{secret_name(cluster, service, key)}"
        else:
            env[key] = value
    if env:
        m["environment"] = env
    if secrets:
        m["secrets"] = dict(sorted(secrets.items()))


def _health(main: dict, svc: dict, m: dict) -> None:
    hc = main.get("healthCheck") or {}
    out: dict = {}
    if hc.get("command"):
        cmd = list(hc["command"])
        out["command"] = cmd[1] if cmd[:1] == ["CMD-SHELL"] and len(cmd) == 2 else cmd
        for key, field_ in (("interval", "interval"), ("timeout", "timeout"), ("retries", "retries"), ("startPeriod", "start_period")):
            if hc.get(key) is not None:
                out[field_] = hc[key]
    if svc.get("loadBalancers") and svc.get("healthCheckGracePeriodSeconds") is not None:
        out["grace_period"] = svc["healthCheckGracePeriodSeconds"]
    if out:
        m["health_check"] = out


def _scaling(live: dict, svc: dict, m: dict, unmapped: list) -> None:
    scaling = live.get("scaling")
    if not scaling:
        m["count"] = svc.get("desiredCount", 1)
        return
    target = scaling["target"]
    out: dict = {"min": target["MinCapacity"], "max": target["MaxCapacity"]}
    for policy in scaling.get("policies") or []:
        config = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
        metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
        key = {"ECSServiceAverageCPUUtilization": "cpu", "ECSServiceAverageMemoryUtilization": "memory"}.get(metric or "")
        if policy.get("PolicyType") == "TargetTrackingScaling" and key and key not in out:
            out[key] = config["TargetValue"]
            if config.get("ScaleInCooldown") is not None:
                out["scale_in_cooldown"] = config["ScaleInCooldown"]
            if config.get("ScaleOutCooldown") is not None:
                out["scale_out_cooldown"] = config["ScaleOutCooldown"]
        else:
            unmapped.append(f"scaling policy {policy['PolicyName']} (kept: ecsship leaves policies it did not name alone)")
    for action in scaling.get("scheduled") or []:
        unmapped.append(f"scheduled action {action['ScheduledActionName']} (kept as is)")
    if svc.get("desiredCount", 0) < out["min"] or svc.get("desiredCount", 0) > out["max"]:
        unmapped.append(f"desired count {svc.get('desiredCount')} is outside scaling {out['min']}..{out['max']}")
    m["scaling"] = out


def _deploy(svc: dict, m: dict, unmapped: list) -> None:
    controller = (svc.get("deploymentController") or {}).get("type", "ECS")
    config = svc.get("deploymentConfiguration") or {}
    out: dict = {}
    if controller == "CODE_DEPLOY":
        out.update(strategy="blue_green", controller="codedeploy")
        unmapped.append("CodeDeploy application and deployment group: ecsship creates its own (<cluster>-<service>)")
    elif controller == "EXTERNAL":
        unmapped.append("deployment controller EXTERNAL (ecsship uses ECS or CODE_DEPLOY)")
    else:
        if config.get("minimumHealthyPercent") is not None and config["minimumHealthyPercent"] != 100:
            out["min_healthy_percent"] = min(100, config["minimumHealthyPercent"])
        if config.get("maximumPercent") is not None and config["maximumPercent"] != 200:
            out["max_percent"] = max(100, min(200, config["maximumPercent"]))
        # The circuit breaker is left to its default (on): turning it on is adoption's first hardening.
    alarms = (config.get("alarms") or {}).get("alarmNames") or []
    if alarms:
        out["rollback_alarms"] = sorted(alarms)
    if out:
        m["deploy"] = out


def _logs(live: dict, main: dict, m: dict, unmapped: list) -> None:
    config = main.get("logConfiguration") or {}
    group = live.get("log_group")
    if config.get("logDriver") not in (None, "awslogs"):
        unmapped.append(f"log driver {config['logDriver']} (ecsship writes to CloudWatch Logs with awslogs)")
    if not group:
        return
    logs: dict = {"group": group["logGroupName"]}  # kept: the service's history stays in one place
    retention = group.get("retentionInDays")
    logs["retention_days"] = retention if retention else RETENTION_DEFAULT  # never-expiring logs get a retention (hardening)
    m["logs"] = logs


def _roles(td: dict, m: dict, unmapped: list) -> None:
    if td.get("taskRoleArn"):
        m["task_role"] = td["taskRoleArn"]  # kept: what the app may call stays exactly as it is
    if td.get("executionRoleArn"):
        unmapped.append(f"execution role {td['executionRoleArn'].rsplit('/', 1)[-1]}: ecsship uses its own "
                        "(<cluster>-<service>-exec: pulls the image, writes the logs, reads the secrets)")


def _rest(td: dict, main: dict, svc: dict, live: dict, unmapped: list) -> None:
    for key in sorted(set(td) - MAPPED_TD_KEYS):
        if td[key] not in (None, [], {}, ""):
            unmapped.append(f"task definition {key}")
    for key in sorted(set(main) - MAPPED_CONTAINER_KEYS):
        if main[key] not in (None, [], {}, ""):
            unmapped.append(f"container {main.get('name')}: {key}")
    for other in td.get("containerDefinitions") or []:
        if other is not main:
            unmapped.append(f"container {other.get('name')} (a sidecar: ecsship runs one container, plus X-Ray with tracing)")
    for key in ("placementConstraints", "placementStrategy", "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations"):
        if svc.get(key):
            unmapped.append(f"service {key}")
    for alarm in live.get("alarms") or []:
        if alarm["AlarmName"] not in ((svc.get("deploymentConfiguration") or {}).get("alarms") or {}).get("alarmNames", []) \
                and not alarm["AlarmName"].startswith("TargetTracking-"):
            unmapped.append(f"alarm {alarm['AlarmName']} (kept as is; ecsship makes its own under observability.alarms)")
