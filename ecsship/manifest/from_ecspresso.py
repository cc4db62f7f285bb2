"""An ecspresso configuration (ecspresso.yml with its service and task definition files) → an ecsship
manifest. Pure: reads the definition files next to the config, makes no AWS call.

The definitions are the shapes ECS's APIs take (ecspresso's own docs: "service_definition" /
"task_definition", JSON or YAML, with `{{ must_env "X" }}` / `{{ tfstate ... }}` templates), so they go
through the same converter as a live service (manifest/from_live.py). A value that is a template is
not known here: it stays out of the manifest and is listed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ecsship.errors import UsageError
from ecsship.manifest.from_live import Imported, from_live
from ecsship.manifest.yamlsource import located

TEMPLATE = re.compile(r"\{\{.*?\}\}")
MAPPED = {"region", "cluster", "service", "service_definition", "task_definition", "timeout"}


def from_ecspresso(config_path: Path, text: str, read=None) -> Imported:
    """`read(path) -> str` reads a definition file (tests pass a dict's get)."""
    read = read or (lambda p: Path(p).read_text(encoding="utf-8"))
    config = _load(text, str(config_path))
    if not isinstance(config, dict) or not config.get("task_definition"):
        raise UsageError(f"{config_path}: not an ecspresso config (no task_definition)")
    templated: list[str] = []
    td = _definition(config_path, config["task_definition"], read, templated)
    td = td.get("taskDefinition", td)  # `ecspresso init` writes the DescribeTaskDefinition shape
    svc = _definition(config_path, config["service_definition"], read, templated) if config.get("service_definition") else {}
    cluster, service = str(config.get("cluster") or "default"), str(config.get("service") or svc.get("serviceName") or td.get("family"))
    svc = {**svc, "serviceName": service, "clusterArn": f"arn:aws:ecs:::cluster/{cluster}"}
    svc.setdefault("desiredCount", 1)
    svc["tags"] = [{"key": t.get("key", t.get("Key")), "value": t.get("value", t.get("Value"))} for t in svc.get("tags") or []]
    imported = from_live({"region": config.get("region"), "service": svc, "task_definition": td, "vpc_id": None,
                          "load_balancers": [], "scaling": None, "alarms": [], "log_group": _log_group(td)})
    m = imported.manifest
    if config.get("timeout"):
        m.setdefault("deploy", {})["timeout"] = str(config["timeout"]).replace(" ", "")
    if not config.get("region"):
        m.pop("region", None)
    imported.unmapped += [f"{where}: a template ({{{{ ... }}}}), set by hand" for where in templated]
    imported.unmapped += [f"ecspresso {key} (no ecsship field)" for key in sorted(set(config) - MAPPED)]
    _drop_templates(m, imported.unmapped)
    return imported


def _load(text: str, where: str):
    try:
        return yaml.safe_load(text)  # JSON is YAML too
    except yaml.MarkedYAMLError as exc:
        raise UsageError(located(where, text, exc, "not YAML or JSON: ").render()) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{where}: not YAML or JSON: {exc}") from None


def _definition(config_path: Path, name: str, read, templated: list) -> dict:
    path = (config_path.parent / name) if not Path(name).is_absolute() else Path(name)
    if path.suffix == ".jsonnet":
        raise UsageError(f"{path}: jsonnet is not read by ecsship", "render it first (`ecsship import` reads JSON or YAML)")
    try:
        text = read(path)
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not valid UTF-8 (byte at offset {exc.start})", "save the file as UTF-8") from None
    for found in TEMPLATE.findall(text):
        templated.append(f"{path.name} {found}")
    data = _load(TEMPLATE.sub("TEMPLATED", text), str(path))
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a definition (a mapping of fields)")
    try:
        return json.loads(json.dumps(data))  # plain types only
    except (TypeError, ValueError):
        raise UsageError(f"{path}: not a definition ecsship can read") from None


def _log_group(td: dict):
    for container in td.get("containerDefinitions") or []:
        options = ((container.get("logConfiguration") or {}).get("options") or {})
        if options.get("awslogs-group") and "TEMPLATED" not in options["awslogs-group"]:
            return {"logGroupName": options["awslogs-group"]}
        break
    return None


def _drop_templates(m: dict, unmapped: list) -> None:
    """A top-level field whose value still holds a template placeholder is not known: out, and listed
    (`image` gets a placeholder tag to fill in, so the manifest validates)."""
    for key in list(m):
        if "TEMPLATED" in json.dumps(m[key]):
            if key == "image":
                m["image"] = TEMPLATE.sub("", str(m["image"])).replace("TEMPLATED", "${IMAGE_TAG:-v1}")
                continue
            if key in ("service", "cluster", "network"):
                continue
            unmapped.append(f"{key}: holds a template, left out")
            del m[key]
