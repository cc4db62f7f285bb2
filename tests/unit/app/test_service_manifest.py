"""app.service_manifest: every flow acting on a deployed service (deploy, rollback, promote, wait,
status, history, run, logs, exec) takes its names from the desired model, the names apply created
(issue #14: one source of truth). CodeDeploy names are at most 100 characters (botocore codedeploy
model: ApplicationName and DeploymentGroupName, max 100), so long ones are fitted with a hash."""
from __future__ import annotations

from ecsship.app.service_manifest import load_service

from tests.unit.deploy.test_settings import load


def test_long_names_are_the_ones_the_desired_model_made(tmp_path):
    load(tmp_path, cluster="c" * 40, service="s" * 70)
    loaded = load_service(str(tmp_path / "ecsship.yaml"), None, None)
    settings, desired = loaded.settings, loaded.desired
    assert settings.application == desired.get("codedeploy_app").name
    assert settings.deployment_group == desired.get("codedeploy_group").name
    assert len(settings.application) <= 100 and (settings.cluster, settings.service) == ("c" * 40, "s" * 70)
    assert settings.container == desired.container_name


def test_rollout_and_status_load_through_it():
    """No flow derives settings from the manifest on its own any more."""
    import ecsship.app.rollout as rollout
    import ecsship.app.status as status
    from ecsship.deploy.settings import DeploySettings

    assert not hasattr(DeploySettings, "from_manifest")
    assert rollout.load_service is load_service and status.load_service is load_service
