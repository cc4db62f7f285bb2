"""The task definition's containerDefinitions (issue #17): the main container, the manifest's
`containers:`, and the containers ecsship adds (FireLens log router, ADOT collector, X-Ray daemon).

Pure: the manifest's (validated) data in, ECS API shapes out, with `Ref`s for secret ARNs and the
region. Secret references are keyed in the `secrets` lookup as `ENV` (main container),
`containers.<name>.<ENV>` (a container) and `logs.secret_options.<option>` (FireLens).
"""
from __future__ import annotations

from ecsship.desired import names
from ecsship.desired.output_refs import Ref
from ecsship.manifest.containers import (
    FLUENT_BIT_IMAGE,
    LOG_ROUTER,
    OTEL_COLLECTOR,
    OTEL_IMAGE,
    XRAY_DAEMON,
    XRAY_IMAGE,
    firelens,
    main_name,
    tracing,
)

REGION = Ref("network", "region")


def secret_refs(m: dict) -> dict[str, str]:
    """Every secret reference of the task, by its key in the `secrets` lookup."""
    refs = dict(m.get("secrets") or {})
    for c in m.get("containers") or []:
        refs.update({f"containers.{c['name']}.{env}": ref for env, ref in (c.get("secrets") or {}).items()})
    if firelens(m):
        refs.update({f"logs.secret_options.{k}": ref for k, ref in ((m.get("logs") or {}).get("secret_options") or {}).items()})
    return refs


def sidecar_images(m: dict, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Image of each of the manifest's containers by name, `overrides` (deploy --image NAME=URI) applied."""
    return {c["name"]: (overrides or {}).get(c["name"], c["image"]) for c in m.get("containers") or []}


def otel_config(log_group: str) -> str:
    """The ADOT collector's configuration (AOT_CONFIG_CONTENT): OTLP in; traces to X-Ray (awsxray),
    metrics to CloudWatch as embedded metric format into the service's log group (awsemf), so the
    task role needs X-Ray writes and log-stream writes on that group only."""
    return "\n".join([
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: 0.0.0.0:4317}",
        "      http: {endpoint: 0.0.0.0:4318}",
        "processors:",
        "  batch: {}",
        "exporters:",
        "  awsxray: {}",
        "  awsemf:",
        f"    log_group_name: {log_group}",
        "    log_stream_name: otel-metrics/{TaskId}",
        "service:",
        "  pipelines:",
        "    traces: {receivers: [otlp], processors: [batch], exporters: [awsxray]}",
        "    metrics: {receivers: [otlp], processors: [batch], exporters: [awsemf]}",
        "",
    ])


def task_volumes(m: dict) -> list[dict]:
    """EFS volumes: transit encryption on and IAM authorisation through the access point (botocore
    ecs EFSAuthorizationConfig.iam: "If it is turned on, transit encryption must be turned on";
    accessPointId: "If an access point is used, transit encryption must be on")."""
    return [{"name": v["name"], "efsVolumeConfiguration": {
        "fileSystemId": v["efs"]["file_system"], "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": v["efs"]["access_point"], "iam": "ENABLED"}}}
        for v in m.get("volumes") or []]


def mount_points(m: dict) -> dict[str, list[dict]]:
    """Each container's mountPoints: `mount` is the main container's, `mounts` names containers."""
    out: dict[str, list[dict]] = {}
    for v in m.get("volumes") or []:
        mounts = {main_name(m): v["mount"]} if "mount" in v else dict(v.get("mounts") or {})
        for container, path in sorted(mounts.items()):
            out.setdefault(container, []).append({"sourceVolume": v["name"], "containerPath": path,
                                                   "readOnly": bool(v.get("read_only", False))})
    return out


class Containers:
    def __init__(self, m: dict, cluster: str, service: str, image_uri: str, image_overrides: dict[str, str] | None = None):
        self.m, self.cluster, self.service = m, cluster, service
        self.image_uri = image_uri
        self.images = sidecar_images(m, image_overrides)
        # `logs.group`: an imported service's own group, kept (manifest/from_live.py).
        self.group = (m.get("logs") or {}).get("group") or names.log_group_name(cluster, service)
        self.main = main_name(m)
        self.mounts = mount_points(m)

    def definitions(self) -> list[dict]:
        m = self.m
        out = [self.main_container()]
        out += [self.sidecar(c) for c in m.get("containers") or []]
        for container in out:
            if self.mounts.get(container["name"]):
                container["mountPoints"] = self.mounts[container["name"]]
        if firelens(m):
            out.append(self.log_router())
        if tracing(m) == "otel":
            out.append(self.otel_collector())
        if tracing(m) == "xray":
            out.append(self.xray_daemon())
        return out

    # -- the manifest's containers -----------------------------------------------------------
    def main_container(self) -> dict:
        m = self.m
        container = self._common(self.main, self.image_uri, True, m.get("environment"), m.get("secrets"), "")
        if m.get("port"):
            container["portMappings"] = [_port(self.main, m["port"])]
        if m.get("gpu"):
            # botocore ecs ResourceRequirement: type GPU, "the number of physical GPUs the Amazon ECS
            # container agent reserves for the container".
            container["resourceRequirements"] = [{"type": "GPU", "value": str(m["gpu"])}]
        check = _health_check(m.get("health_check"))
        if check:
            container["healthCheck"] = check
        if m.get("stop_timeout"):
            container["stopTimeout"] = m["stop_timeout"]
        if m.get("command"):
            container["command"] = list(m["command"])
        if m.get("entrypoint"):
            container["entryPoint"] = list(m["entrypoint"])
        waits = dict(m.get("depends_on") or {})
        if firelens(m):
            # The router must be up before the app's first line (ECS guide, "Using FireLens"): START.
            waits.setdefault(LOG_ROUTER, "START")
        if waits:
            container["dependsOn"] = _depends(waits)
        return container

    def sidecar(self, c: dict) -> dict:
        name = c["name"]
        essential = c.get("essential", True)
        container = self._common(name, self.images[name], essential, c.get("environment"), c.get("secrets"), f"containers.{name}.")
        if c.get("cpu") is not None:
            container["cpu"] = c["cpu"]
        if c.get("memory") is not None:
            container["memoryReservation"] = c["memory"]
        if c.get("port"):
            container["portMappings"] = [_port(name, c["port"])]
        if c.get("command"):
            container["command"] = list(c["command"])
        check = _health_check(c.get("health_check"))
        if check:
            container["healthCheck"] = check
        if c.get("depends_on"):
            container["dependsOn"] = _depends(c["depends_on"])
        return container

    def _common(self, name: str, image: str, essential: bool, environment, secrets, secret_prefix: str) -> dict:
        return {
            "name": name, "image": image, "essential": essential,
            "environment": [{"name": k, "value": env_value(v)} for k, v in sorted((environment or {}).items())],
            "secrets": [{"name": k, "valueFrom": Ref("secrets", f"value_from:{secret_prefix}{k}")} for k in sorted(secrets or {})],
            "logConfiguration": self.log_configuration(essential),
        }

    def log_configuration(self, essential: bool) -> dict:
        """awslogs to the service's group; with FireLens every essential container logs through the
        router (`awsfirelens` with the output's options, secret options through the execution role)."""
        logs = self.m.get("logs") or {}
        if firelens(self.m) and essential:
            config: dict = {"logDriver": "awsfirelens", "options": {k: env_value(v) for k, v in sorted((logs.get("options") or {}).items())}}
            secret_options = sorted(logs.get("secret_options") or {})
            if secret_options:
                config["secretOptions"] = [{"name": k, "valueFrom": Ref("secrets", f"value_from:logs.secret_options.{k}")} for k in secret_options]
            return config
        return self.awslogs(self.service)

    def awslogs(self, prefix: str) -> dict:
        return {"logDriver": "awslogs", "options": {"awslogs-group": self.group, "awslogs-region": REGION, "awslogs-stream-prefix": prefix}}

    # -- the containers ecsship adds ---------------------------------------------------------
    def log_router(self) -> dict:
        """AWS for Fluent Bit as the FireLens router (ECS guide, "Send Amazon ECS logs to an AWS
        service or AWS Partner"): its own lines go to the service's CloudWatch group."""
        return {"name": LOG_ROUTER, "image": FLUENT_BIT_IMAGE, "essential": True, "cpu": 32, "memoryReservation": 64,
                "firelensConfiguration": {"type": "fluentbit"}, "environment": [], "secrets": [],
                "logConfiguration": self.awslogs(self.service)}

    def otel_collector(self) -> dict:
        """The AWS Distro for OpenTelemetry collector (ECS guide, "Specifying the AWS Distro for
        OpenTelemetry sidecar"): not essential, so a collector problem never stops the app."""
        return {"name": OTEL_COLLECTOR, "image": OTEL_IMAGE, "essential": False, "cpu": 64, "memoryReservation": 128,
                "portMappings": [_port(OTEL_COLLECTOR, 4317), _port(OTEL_COLLECTOR, 4318)],
                "environment": [{"name": "AOT_CONFIG_CONTENT", "value": otel_config(self.group)}], "secrets": [],
                "logConfiguration": self.awslogs(self.service)}

    def xray_daemon(self) -> dict:
        return {"name": XRAY_DAEMON, "image": XRAY_IMAGE, "essential": False, "cpu": 32, "memoryReservation": 256,
                "portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}],
                "environment": [], "secrets": [], "logConfiguration": self.awslogs("xray")}


def _port(container: str, port: int) -> dict:
    return {"containerPort": port, "hostPort": port, "protocol": "tcp", "name": names.port_mapping_name(container, port)}


def _depends(waits: dict) -> list[dict]:
    return [{"containerName": name, "condition": condition} for name, condition in sorted(waits.items())]


def _health_check(hc) -> dict | None:
    hc = hc or {}
    if not hc.get("command"):
        return None
    cmd = hc["command"]
    command = ["CMD-SHELL", cmd] if isinstance(cmd, str) else list(cmd)
    return {"command": command, "interval": hc.get("interval", 30), "timeout": hc.get("timeout", 5),
            "retries": hc.get("retries", 3), "startPeriod": hc.get("start_period", 0)}


def env_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
