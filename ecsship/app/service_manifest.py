"""The service a command names: its manifest, desired model and deploy settings, loaded once.

One source of truth: the settings (cluster, service, container, CodeDeploy application and group)
come from the desired model, the names `apply` creates (`DeploySettings.from_desired`), never
recomputed from the manifest. Every flow that acts on a deployed service starts here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.deploy.settings import DeploySettings
from ecsship.desired import Desired, build
from ecsship.manifest.document import Manifest, load_manifest, parse_vars


@dataclass(frozen=True)
class ServiceManifest:
    manifest: Manifest
    desired: Desired
    settings: DeploySettings


def load_service(file: str, env: str | None, var: list[str] | None) -> ServiceManifest:
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    desired = build(manifest)
    return ServiceManifest(manifest, desired, DeploySettings.from_desired(desired))
