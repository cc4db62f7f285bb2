"""Task definition: a new revision only when the normalised content differs from the latest active one.

Also used by `deploy` (`reusable`, then `register`) so a deploy of an unchanged image registers nothing.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import send_once
from ecsship.deploy.image_record import MANIFEST_IMAGE, Kept, kept_image
from ecsship.desired.names import family_of, one_off_family
from ecsship.errors import AwsCallError
from ecsship.reconcilers.base import CLUSTER_KEY, Live, OnDestroy, Reconciler, check_known, owned, tag_dict, tag_list

TOP_KEYS = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory", "runtimePlatform",
            "ephemeralStorage", "volumes")
CONTAINER_KEYS = ("image", "essential", "cpu", "memory", "memoryReservation", "portMappings", "environment", "secrets",
                  "logConfiguration", "healthCheck", "stopTimeout", "command", "entryPoint", "dependsOn",
                  "resourceRequirements", "firelensConfiguration", "mountPoints")


def normalise(definition: dict, tags: dict) -> dict:
    """The comparable shape of a task definition, the same for the spec and for DescribeTaskDefinition."""
    out = {k: definition.get(k) for k in TOP_KEYS}
    out["requiresCompatibilities"] = sorted(out["requiresCompatibilities"] or [])
    out["cpu"] = str(out["cpu"]) if out["cpu"] is not None else None
    out["memory"] = str(out["memory"]) if out["memory"] is not None else None
    out["containerDefinitions"] = {c["name"]: _container(c, definition.get("networkMode")) for c in definition.get("containerDefinitions") or []}
    out["volumes"] = {v["name"]: _volume(v) for v in definition.get("volumes") or []}
    out["tags"] = dict(tags)
    return out


def _container(c: dict, network_mode: str | None) -> dict:
    out = {}
    for key in CONTAINER_KEYS:
        value = c.get(key)
        if value in (None, [], {}) or (key == "cpu" and value == 0):
            continue
        out[key] = value
    out["environment"] = {e["name"]: e["value"] for e in c.get("environment") or []}
    out["secrets"] = {s["name"]: s["valueFrom"] for s in c.get("secrets") or []}
    out["essential"] = c.get("essential", True)
    if c.get("portMappings"):
        out["portMappings"] = sorted(
            ({"containerPort": p["containerPort"],
              "hostPort": p.get("hostPort", p["containerPort"] if network_mode == "awsvpc" else 0),
              "protocol": p.get("protocol", "tcp"), **({"name": p["name"]} if p.get("name") else {})}
             for p in c["portMappings"]), key=lambda p: (p["containerPort"], p["protocol"]))
    if c.get("dependsOn"):
        out["dependsOn"] = {d["containerName"]: d["condition"] for d in c["dependsOn"]}
    if c.get("mountPoints"):
        out["mountPoints"] = {m["sourceVolume"]: {"containerPath": m["containerPath"], "readOnly": bool(m.get("readOnly"))}
                              for m in c["mountPoints"]}
    if c.get("logConfiguration"):
        log = c["logConfiguration"]
        out["logConfiguration"] = {"logDriver": log.get("logDriver"), "options": dict(log.get("options") or {}),
                                   "secretOptions": {s["name"]: s["valueFrom"] for s in log.get("secretOptions") or []}}
    if c.get("healthCheck"):
        hc = c["healthCheck"]
        out["healthCheck"] = {"command": list(hc["command"]), "interval": hc.get("interval", 30), "timeout": hc.get("timeout", 5),
                              "retries": hc.get("retries", 3), "startPeriod": hc.get("startPeriod", 0)}
    return out


def _volume(v: dict) -> dict:
    """A volume as compared: EFS settings with AWS's defaults spelled out (botocore ecs
    EFSVolumeConfiguration: rootDirectory "/" by default; transitEncryption DISABLED and
    authorizationConfig.iam DISABLED by default)."""
    efs = v.get("efsVolumeConfiguration")
    if not efs:
        return {"host": v.get("host") or {}}
    auth = efs.get("authorizationConfig") or {}
    return {"efsVolumeConfiguration": {
        "fileSystemId": efs.get("fileSystemId"), "rootDirectory": efs.get("rootDirectory") or "/",
        "transitEncryption": efs.get("transitEncryption") or "DISABLED",
        "authorizationConfig": {"accessPointId": auth.get("accessPointId"), "iam": auth.get("iam") or "DISABLED"}}}


class TaskDefinitionReconciler(Reconciler):
    on_destroy = OnDestroy(needs="deregister", unmanaged="revisions not tagged by ecsship")
    kind = "task_definition"
    changes_on_update = ("arn", "revision")  # an update registers a new revision
    requires_ownership = False  # a family is identified by name; a new revision carries our tags

    def read(self, aws, res, spec):
        """The revision the service runs now when it exists (what a plan must compare with: after a
        rollback the newest registration is not what serves), else the newest of the family."""
        service = (spec or res.spec).get("_service")
        serving, service_tags = serving_revision(aws, service)
        definition = _describe(aws, res, serving or res.name)
        if definition is None and serving:
            definition = _describe(aws, res, res.name)
        if definition is None:
            return None
        live = _live(res, *definition)
        notes = []
        if serving:
            # What apply compares the manifest's image with next time (deploy/image_record.record_apply).
            live.outputs["manifest_image_record"] = service_tags.get(MANIFEST_IMAGE)
        if serving and definition[0]["taskDefinitionArn"] == serving and (service or {}).get("keep_running_image"):
            kept = kept_image(service["manifest_image"], service_tags, _image_of(definition[0], main_container(spec or res.spec)))
            if kept is not None:
                live.raw = kept
                notes.append(kept.note())
        if live.outputs["family"] != res.name:
            notes.append(f"moves the service from family {live.outputs['family']} to {res.name} (families are per cluster); "
                         f"it keeps running {definition[0]['taskDefinitionArn'].rsplit('/', 1)[-1]} until the new revision deploys")
        live.note = "; ".join(notes)
        return live

    def desired_state(self, res, spec, live=None):
        check_known(spec, TOP_KEYS + ("containerDefinitions",), f"{res.label}")
        for container in spec.get("containerDefinitions") or []:
            check_known(container, CONTAINER_KEYS + ("name",), f"{res.label} container {container.get('name')}")
        return normalise(with_kept_image(spec, live), res.tags)

    def create(self, aws, res, spec):
        return register(aws, res, spec)

    def update(self, aws, res, spec, live, fields):
        spec = with_kept_image(spec, live)  # another field changed: the new revision keeps the deployed image
        latest = latest_matching(aws, res, spec)
        return latest if latest is not None else register(aws, res, spec)

    def delete(self, aws, res, live):
        legacy = (res.spec.get("_service") or {}).get("legacy_family")
        deregister_all(aws, res.name)
        deregister_all(aws, one_off_family(res.name))  # the revisions `ecsship run --image` registered
        if legacy and legacy != res.name:
            deregister_all(aws, legacy, cluster=res.tags.get(CLUSTER_KEY))


def _describe(aws, res, task_definition: str):
    try:
        with aws_call(res.label, "ecs:DescribeTaskDefinition"):
            found = aws.client("ecs").describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    except Exception as exc:
        if getattr(exc, "code", "") in ("ClientException", "InvalidParameterException"):
            return None  # no active revision in this family
        raise
    return found["taskDefinition"], tag_dict(found.get("tags"), "key", "value")


def _live(res, definition: dict, tags: dict) -> Live:
    family = definition.get("family") or family_of(definition["taskDefinitionArn"])
    return Live(state=normalise(definition, tags),
                outputs={"arn": definition["taskDefinitionArn"], "revision": definition["revision"], "family": family},
                managed=owned(tags, res))


def main_container(spec: dict) -> str:
    """The service's own container (the first; sidecars follow it)."""
    containers = spec.get("containerDefinitions") or []
    return containers[0].get("name", "") if containers else ""


def _image_of(definition: dict, container: str) -> str | None:
    return next((c.get("image") for c in definition.get("containerDefinitions") or [] if c.get("name") == container), None)


def with_kept_image(spec: dict, live: Live | None) -> dict:
    """The spec with the main container's image replaced by the one the plan kept (image_record.Kept)."""
    kept = getattr(live, "raw", None)
    if not isinstance(kept, Kept):
        return spec
    name = main_container(spec)
    containers = [{**c, "image": kept.image} if c.get("name") == name else c for c in spec.get("containerDefinitions") or []]
    return {**spec, "containerDefinitions": containers}


def serving_task_definition(aws, service: dict | None) -> str:
    """The task definition the service runs now ("" when no service): see serving_revision."""
    return serving_revision(aws, service)[0]


def serving_revision(aws, service: dict | None) -> tuple[str, dict]:
    """(the task definition the service runs now, the service's tags): the PRIMARY task set's for the
    CODE_DEPLOY and EXTERNAL controllers, else the PRIMARY deployment's (DescribeServices:
    `taskDefinition` "is the task definition of the PRIMARY deployment"; task sets carry their own).
    ("", {}) when no service."""
    if not service:
        return "", {}

    try:
        with aws_call(f"service {service['service']} in cluster {service['cluster']}", "ecs:DescribeServices"):
            resp = aws.client("ecs").describe_services(cluster=service["cluster"], services=[service["service"]], include=["TAGS"])
    except AwsCallError as exc:
        if exc.code == "ClusterNotFoundException":
            return "", {}
        raise
    found = [s for s in resp.get("services", []) if s.get("status") == "ACTIVE"]
    if not found:
        return "", {}
    svc = found[0]
    tags = tag_dict(svc.get("tags"), "key", "value")
    sets = svc.get("taskSets") or []
    if sets:
        primary = next((t for t in sets if t.get("status") == "PRIMARY"), None)
        if primary is not None and primary.get("taskDefinition"):
            return primary["taskDefinition"], tags
    deployment = next((d for d in svc.get("deployments") or [] if d.get("status") == "PRIMARY"), None)
    return (deployment or {}).get("taskDefinition") or svc.get("taskDefinition") or "", tags


def _sendable(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if not k.startswith("_")}


def latest_matching(aws, res, spec: dict) -> dict | None:
    """The newest revision of the family when its content is what we want (a rollback left the
    service on an older one): reused instead of registering an identical revision."""
    found = _describe(aws, res, res.name)
    if found is None:
        return None
    live = _live(res, *found)
    return live.outputs if live.state == normalise(spec, res.tags) else None


def register(aws, res, spec: dict) -> dict:
    # Not safe to resend (a lost answer would leave two equal revisions): send once, and after a
    # transient failure look whether the latest revision is already this content before resending.

    def find():
        return latest_matching(aws, res, spec)

    def send(ecs):
        definition = ecs.register_task_definition(**_sendable(spec), tags=tag_list(res.tags, "key", "value"))["taskDefinition"]
        return {"arn": definition["taskDefinitionArn"], "revision": definition["revision"], "family": res.name}

    with aws_call(res.label, "ecs:RegisterTaskDefinition"):
        return send_once(aws, "ecs", send, find)


def reusable(aws, res, spec: dict, live: Live | None = None) -> dict | None:
    """The revision to roll out when one with `spec`'s content exists (the one the service runs, else
    the newest of the family): its outputs; None: `register` one. `live`: what a plan of this run just
    read (nothing written since), so it is not read again; None reads it."""
    reconciler = TaskDefinitionReconciler()
    if live is None:
        live = reconciler.read(aws, res, spec)
    if live is not None and live.state == reconciler.desired_state(res, spec):
        return live.outputs
    return latest_matching(aws, res, spec)


def read_latest(aws, res) -> None:
    """Send `latest_matching`'s read now (a deploy sends it beside its plan, under the run's read
    cache, which then answers it: issue #20 item 1). Its failure is left to that read to say."""
    try:
        _describe(aws, res, res.name)
    except Exception:  # noqa: BLE001 - not kept by the read cache: latest_matching reads again and says it
        pass


def deregister_all(aws, family: str, cluster: str | None = None) -> int:
    """Deregister the family's active revisions; with `cluster`, only those tagged as that
    cluster's (a family shared by several environments before families were scoped)."""
    ecs = aws.client("ecs")
    count = 0
    pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE")
    for page in pages:
        for arn in page["taskDefinitionArns"]:
            if family_of(arn) != family:
                continue  # familyPrefix also matches longer family names
            if cluster is not None and revision_cluster(aws, arn) != cluster:
                continue  # another environment's revision
            with aws_call(f"task definition {family}", "ecs:DeregisterTaskDefinition"):
                ecs.deregister_task_definition(taskDefinition=arn)
            count += 1
    return count


def revision_cluster(aws, arn: str) -> str | None:
    """The `ecsship:cluster` tag of a revision (None when untagged)."""
    with aws_call(f"task definition {arn.rsplit('/', 1)[-1]}", "ecs:DescribeTaskDefinition"):
        found = aws.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"])
    return tag_dict(found.get("tags"), "key", "value").get(CLUSTER_KEY)
