"""The CLI shell: validate, init, schema, version, global options, exit codes, start-up imports."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecsship.cli.app import app
from ecsship.cli.options_anywhere import hoist_global_options

ROOT = Path(__file__).resolve().parents[2]
WEB = str(ROOT / "examples" / "web" / "ecsship.yaml")


def invoke(*args, **kwargs):
    return CliRunner().invoke(app, list(args), **kwargs)


def test_validate_ok():
    result = invoke("validate", "-f", WEB)
    assert result.exit_code == 0
    assert "valid" in result.output


def test_validate_json():
    result = invoke("--output", "json", "validate", "-f", WEB, "--env", "staging")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["environment"] == "staging"


def test_validate_json_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: api\ncluster: shop\nimage: a:latest\nmemroy: 1\n")
    result = invoke("validate", "-f", str(bad), "-o", "json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    fields = {p["field"] for p in payload["problems"]}
    assert {"image", "memroy"} <= fields
    assert all(p["line"] for p in payload["problems"])


def test_global_options_after_the_command():
    assert hoist_global_options(["apply", "-f", "x", "--local", "--yes"]) == ["--local", "apply", "-f", "x", "--yes"]
    assert hoist_global_options(["plan", "--region", "eu-west-1", "-f", "x"]) == ["--region", "eu-west-1", "plan", "-f", "x"]
    assert hoist_global_options(["--region", "eu-west-1", "plan"]) == ["--region", "eu-west-1", "plan"]
    assert hoist_global_options(["local", "up", "--port", "4567"]) == ["local", "up", "--port", "4567"]
    result = invoke("validate", "-f", WEB, "-o", "json")
    assert json.loads(result.stdout)["ok"] is True


def test_var_and_env_flags(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text((ROOT / "examples" / "web" / "ecsship.yaml").read_text().replace("${IMAGE_TAG:-v1}", "${IMAGE_TAG}"))
    assert invoke("validate", "-f", str(manifest)).exit_code == 2
    assert invoke("validate", "-f", str(manifest), "--var", "IMAGE_TAG=v2").exit_code == 0
    result = invoke("validate", "-f", str(manifest), "--var", "IMAGE_TAG=v2", "--env", "qa")
    assert result.exit_code == 2 and "known: prod, staging" in result.output


def test_missing_file_exit_2():
    result = invoke("validate", "-f", "does-not-exist.yaml")
    assert result.exit_code == 2
    assert "no such file" in result.output and "ecsship init" in result.output


def test_bad_usage_exit_2():
    assert invoke("validate", "--no-such-flag").exit_code == 2
    assert invoke("no-such-command").exit_code == 2
    assert invoke("--output", "yaml", "version").exit_code == 2


def test_init_writes_a_valid_manifest(tmp_path):
    target = tmp_path / "ecsship.yaml"
    args = ["init", "-f", str(target), "--service", "api", "--image", "repo/api:v1", "--port", "8080", "--strategy", "canary"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert invoke("validate", "-f", str(target)).exit_code == 0
    text = target.read_text()
    assert "canary: {percent: 10" in text and "#" in text
    # refuses to overwrite without --force
    again = invoke(*args)
    assert again.exit_code == 2 and "--force" in again.output
    assert invoke(*args, "--force").exit_code == 0


def test_init_worker_without_port(tmp_path):
    target = tmp_path / "w.yaml"
    assert invoke("init", "-f", str(target), "--service", "worker", "--image", "repo/w:v3").exit_code == 0
    assert "load_balancer" not in target.read_text().split("# environment")[0].replace("# ", "")
    assert invoke("validate", "-f", str(target)).exit_code == 0


def test_init_rejects_bad_values_without_writing(tmp_path):
    target = tmp_path / "x.yaml"
    result = invoke("init", "-f", str(target), "--service", "bad name!", "--image", "repo/a:v1")
    assert result.exit_code == 2
    assert not target.exists()
    assert invoke("init", "-f", str(target), "--service", "a", "--image", "repo/a:latest").exit_code == 2
    assert invoke("init", "-f", str(target), "--image", "r/a:v1", "--strategy", "canary").exit_code == 2


def test_init_requires_image_off_a_terminal(tmp_path):
    result = invoke("init", "-f", str(tmp_path / "x.yaml"), "--service", "a")
    assert result.exit_code == 2 and "--image" in result.output


def test_schema_command_prints_the_canonical_schema():
    result = invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((ROOT / "schemas" / "ecsship.schema.json").read_text())


def test_schema_documents_every_field():
    schema = json.loads((ROOT / "schemas" / "ecsship.schema.json").read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    undocumented = [name for name, spec in schema["properties"].items() if name != "$schema" and not spec.get("description")]
    assert undocumented == []

    def walk(spec, path):
        for name, sub in (spec.get("properties") or {}).items():
            assert sub.get("description"), f"{path}.{name} has no description"
            walk(sub, f"{path}.{name}")
        items = spec.get("items")
        if isinstance(items, dict):
            walk(items, path + "[]")

    walk(schema, "")


def test_version():
    result = invoke("version")
    assert result.exit_code == 0 and result.output.startswith("ecsship ")
    assert invoke("--version").output.startswith("ecsship ")


def test_no_color_env(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = invoke("validate", "-f", WEB)
    assert "\x1b[" not in result.output


def _run_and_list_modules(args, watched=("boto3", "botocore", "rich", "jsonschema"), env=None):
    code = (
        "import sys\n"
        "from ecsship.cli.app import main\n"
        f"sys.argv = ['ecsship'] + {args!r}\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        f"heavy = sorted(m for m in {tuple(watched)!r} if m in sys.modules)\n"
        "print('LOADED', ','.join(heavy) or '-', code)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=env)


# What each start-up path may load (issue #14 item 2, measured 30 Nov 2026): `--help` and `version`
# none of boto3, rich or jsonschema; `validate` renders (rich) and checks the schema (jsonschema),
# never boto3.
@pytest.mark.parametrize("args, allowed", [
    (["--help"], set()), (["validate", "--help"], set()), (["version"], set()),
    (["validate", "-f", WEB], {"rich", "jsonschema"}),
])
def test_start_up_path_does_not_import_heavy_libraries(args, allowed):
    proc = _run_and_list_modules(args)
    marker, loaded, code = proc.stdout.strip().splitlines()[-1].split()
    assert marker == "LOADED" and code == "0", proc.stdout + proc.stderr
    assert set(loaded.split(",")) - {"-"} <= allowed, proc.stdout


def test_plan_of_one_manifest_imports_only_what_it_needs(aws, tmp_path):
    """Issue #20 item 4: `plan -f one.yaml` never loads the many-manifest machinery; printing to a
    pipe needs no rich; and a manifest the schema found valid before is not checked again, so the
    second plan loads no jsonschema (the first one does: it checks and remembers)."""
    import os

    worker = str(ROOT / "examples" / "worker" / "ecsship.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    watched = ("boto3", "jsonschema", "rich", "ecsship.app.fleet", "ecsship.fleet.runner", "ecsship.ui.fleet_view")
    loaded = []
    for _ in range(2):
        proc = _run_and_list_modules(["--local", "--local-port", str(aws.port), "plan", "-f", worker], watched, env)
        marker, modules, code = proc.stdout.strip().splitlines()[-1].split()
        assert marker == "LOADED" and code == "0", proc.stdout + proc.stderr
        loaded.append(modules)
    assert loaded == ["boto3,jsonschema", "boto3"], proc.stdout


def test_real_subprocess_exit_codes(tmp_path):
    exe = Path(sys.executable).parent / "ecsship"
    ok = subprocess.run([str(exe), "validate", "-f", WEB], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: [\n")
    fail = subprocess.run([str(exe), "validate", "-f", str(bad)], capture_output=True, text=True, timeout=60)
    assert fail.returncode == 2
    assert f"{bad}:" in fail.stderr and "Traceback" not in fail.stderr


def test_debug_shows_a_traceback_only_when_asked(tmp_path, monkeypatch):
    import ecsship.cli.commands.meta as meta  # noqa: F401  (the command to break)
    from ecsship.manifest import schema as schema_module

    def boom():
        raise RuntimeError("kaput")

    monkeypatch.setattr(schema_module, "schema_path", boom)
    plain = invoke("schema")
    assert plain.exit_code == 1 and "internal error" in plain.output and "Traceback" not in plain.output
    debug = invoke("--debug", "schema")
    assert debug.exit_code == 1 and "Traceback" in debug.output


def test_init_never_writes_through_a_symlink(tmp_path):
    """Issue #22: a (dangling) symlink at the target made init create or overwrite a file elsewhere."""
    import os

    elsewhere = tmp_path / "elsewhere.yaml"
    link = tmp_path / "ecsship.yaml"
    os.symlink(elsewhere, link)
    for extra in ((), ("--force",)):
        result = invoke("init", "-f", str(link), "--service", "a", "--image", "repo/a:v1", *extra)
        assert result.exit_code == 2 and "symlink" in result.output, result.output
    assert not elsewhere.exists()
