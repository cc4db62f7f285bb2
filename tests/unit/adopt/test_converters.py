"""Issue #16 item 5: Copilot and ecspresso configurations -> ecsship manifests (pure converters).
Copilot fields as its manifest reference documents them (Load Balanced Web Service: image.location,
image.port, cpu, memory, platform, count.range / cpu_percentage, variables, secrets, http.path,
http.alias, http.healthcheck, exec, environments); ecspresso's service and task definitions are the
ECS API shapes (CreateService / RegisterTaskDefinition)."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ecsship.errors import UsageError
from ecsship.manifest.from_copilot import from_copilot
from ecsship.manifest.from_ecspresso import from_ecspresso
from ecsship.manifest.imported_text import checked, render

COPILOT = textwrap.dedent("""\
    name: frontend
    type: Load Balanced Web Service
    http:
      path: 'api'
      alias: shop.example.com
      healthcheck: {path: /_health, healthy_threshold: 3, interval: 10s, timeout: 5s, grace_period: 1m}
    image:
      location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/frontend:1.4.2
      port: 8080
    cpu: 512
    memory: 1024
    count: {range: 2-10, cpu_percentage: 70}
    variables: {LOG_LEVEL: info, SESSION_SECRET: not-in-the-manifest}
    secrets:
      DB_PASSWORD: /copilot/shop/prod/secrets/db_password
      STRIPE: {secretsmanager: 'shop/stripe'}
    logging: {retention: 30}
    environments:
      test:
        variables: {LOG_LEVEL: debug}
    """)


def valid(imported, source="test") -> str:
    text = render(imported.manifest, source, imported.unmapped)
    checked(text, "<converted>")  # raises ManifestError when `ecsship validate` would refuse it
    return text


def test_a_copilot_load_balanced_web_service_maps_port_size_range_variables_and_secrets():
    imported = from_copilot(COPILOT)
    m = imported.manifest
    assert (m["port"], m["cpu"], m["memory"]) == (8080, 512, 1024)
    assert m["scaling"] == {"min": 2, "max": 10, "cpu": 70}
    assert m["environment"] == {"LOG_LEVEL": "info"}
    assert m["secrets"] == {"DB_PASSWORD": "ssm:/copilot/shop/prod/secrets/db_password", "STRIPE": "secretsmanager:shop/stripe",
                            "SESSION_SECRET": "secretsmanager:default/frontend/SESSION_SECRET"}
    assert imported.plaintext == {"SESSION_SECRET": "name"}
    lb = m["load_balancer"]
    assert (lb["path"], lb["host"], lb["health_check"]) == ("/api*", "shop.example.com", {"path": "/_health", "healthy_threshold": 3, "interval": 10, "timeout": 5})
    assert m["health_check"] == {"grace_period": 60}
    assert m["environments"] == {"test": {"environment": {"LOG_LEVEL": "debug"}}}
    text = valid(imported)
    assert "not-in-the-manifest" not in text and "logging (no ecsship field)" in text


def test_copilot_env_merges_its_overrides():
    imported = from_copilot(COPILOT.replace("environments:\n  test:\n", "environments:\n  test:\n    count: 3\n"), env="test")
    assert imported.manifest["cluster"] == "test" and imported.manifest["count"] == 3 and "scaling" not in imported.manifest
    valid(imported)


def test_copilot_backend_and_worker_services_and_refusals():
    backend = from_copilot("name: jobs\ntype: Worker Service\nimage: {build: Dockerfile}\ncount: 2\nsubscribe: {topics: []}\n")
    assert "load_balancer" not in backend.manifest and backend.manifest["count"] == 2
    assert any("image.build" in u for u in backend.unmapped) and any("subscribe" in u for u in backend.unmapped)
    valid(backend)
    with pytest.raises(UsageError):
        from_copilot("name: x\ntype: Static Site\n")
    with pytest.raises(UsageError):
        from_copilot(COPILOT, env="prod")


def test_an_ecspresso_config_with_templates_converts_and_lists_them(tmp_path):
    files = {
        "ecs-service-def.json": json.dumps({"desiredCount": 3, "launchType": "FARGATE",
                                            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0aa1"], "securityGroups": ["sg-0a"]}},
                                            "loadBalancers": [{"containerName": "api", "containerPort": 3000, "targetGroupArn": "{{ tfstate `tg` }}"}]}),
        "ecs-task-def.json": json.dumps({"family": "api", "cpu": "256", "memory": "512", "containerDefinitions": [
            {"name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:{{ must_env `TAG` }}", "portMappings": [{"containerPort": 3000}],
             "environment": [{"name": "NODE_ENV", "value": "production"}]}]}),
    }
    config = "region: us-east-1\ncluster: shop\nservice: api\nservice_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 10m\n"
    imported = from_ecspresso(tmp_path / "ecspresso.yml", config, read=lambda p: files[Path(p).name])
    m = imported.manifest
    assert (m["service"], m["cluster"], m["count"], m["port"]) == ("api", "shop", 3, 3000)
    assert m["image"].endswith("/api:${IMAGE_TAG:-v1}") and m["deploy"] == {"timeout": "10m"}
    assert any("must_env" in u for u in imported.unmapped) and any("load balancer" in u for u in imported.unmapped)
    valid(imported)


def test_import_from_a_file_through_the_cli_writes_a_valid_manifest_or_one_json_object(tmp_path):
    from typer.testing import CliRunner

    from ecsship.cli.app import app

    source = tmp_path / "manifest.yml"
    source.write_text(COPILOT)
    out = tmp_path / "ecsship.yaml"
    runner = CliRunner()
    wrote = runner.invoke(app, ["import", "--from-copilot", str(source), "-o", str(out)])
    assert wrote.exit_code == 0, wrote.output
    assert runner.invoke(app, ["validate", "-f", str(out)]).exit_code == 0
    assert "ecsship secret set SESSION_SECRET" in wrote.output and "not-in-the-manifest" not in wrote.output + out.read_text()
    as_json = runner.invoke(app, ["import", "--from-copilot", str(source), "--output", "json"])
    assert as_json.exit_code == 0
    payload = json.loads(as_json.stdout)  # exactly one JSON object on stdout
    assert payload["secrets_kept_out"] == ["SESSION_SECRET"] and payload["manifest"].startswith("# Imported by")
    refused = runner.invoke(app, ["import", "--from-copilot", str(source), "--move-secrets"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output


@pytest.mark.parametrize("option", ["--from-copilot", "--from-ecspresso"])
def test_a_garbage_file_to_import_is_one_line_naming_file_and_line(tmp_path, option):
    """Broken YAML and bytes that are not UTF-8 are refused like a broken manifest: one line with
    file:line:column, exit 2, no traceback (the import reads no AWS)."""
    from typer.testing import CliRunner

    from ecsship.cli.app import app

    broken, binary = tmp_path / "broken.yml", tmp_path / "binary.yml"
    broken.write_text("name: api\nfoo: [\n")
    binary.write_bytes(b"name: api\n\x9b\xff\n")
    runner = CliRunner()
    for source, where in ((broken, f"{broken}:3:1: "), (binary, f"{binary}:2: ")):
        result = runner.invoke(app, ["import", option, str(source)])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith(f"error: {where}"), line
    if option == "--from-ecspresso":
        (tmp_path / "ecspresso.yml").write_text("task_definition: binary.yml\n")
        result = runner.invoke(app, ["import", option, str(tmp_path / "ecspresso.yml")])
        assert result.exit_code == 2 and "binary.yml: not valid UTF-8" in result.output, result.output
