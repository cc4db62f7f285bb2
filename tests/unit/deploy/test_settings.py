"""deploy.settings: derived from the desired model, so deploy finds what apply made (issue 14)."""
from __future__ import annotations

from pathlib import Path

from ecsship.deploy.settings import DEFAULT_TIMEOUT, DeploySettings
from ecsship.desired import build
from ecsship.manifest.document import load_manifest

BLUEGREEN = Path(__file__).resolve().parents[3] / "examples" / "bluegreen" / "ecsship.yaml"


def load(tmp_path, cluster="shop", service="checkout-api-bg"):
    text = BLUEGREEN.read_text().replace("service: checkout-api-bg", f"service: {service}").replace("cluster: shop", f"cluster: {cluster}")
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    return load_manifest(str(path))


def test_codedeploy_names_are_the_ones_the_builder_made(tmp_path):
    m = load(tmp_path, cluster="c" * 40, service="s" * 70)
    desired = build(m)
    settings = DeploySettings.from_desired(desired)
    assert settings.application == desired.get("codedeploy_app").name
    assert settings.deployment_group == desired.get("codedeploy_group").name
    assert len(settings.application) == 100


def test_from_desired_reads_the_deploy_section(tmp_path):
    settings = DeploySettings.from_desired(build(load(tmp_path)))
    assert (settings.strategy, settings.controller, settings.uses_codedeploy) == ("canary", "codedeploy", True)
    assert settings.timeout == 30 * 60 and settings.bake_time == 5 * 60
    assert settings.container == "checkout-api-bg" and settings.container_port == 8080
    assert settings.family == "shop-checkout-api-bg"


def test_defaults_without_a_manifest_match_the_builders_names():
    settings = DeploySettings(cluster="c" * 40, service="s" * 70)
    assert len(settings.application) == 100 and settings.timeout == DEFAULT_TIMEOUT
    assert not settings.uses_codedeploy and settings.container == "s" * 70
