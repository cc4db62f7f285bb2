"""A saved plan is an artifact someone else may have touched (issue #22, medium item 4).

`apply plan.json` re-validates the saved manifest exactly as `validate` does, accepts only what
`plan --out` writes (never a `destroy` verb), and both commands print the file's digest so a reviewer
can tell the applied file is the reviewed one. Plan files are written 0600, never through a symlink,
never over a file without --force.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat

from ecsship.aws.session import Aws
from ecsship.desired.builder import Builder
from ecsship.plan.plan_and_apply import make_plan


def forge(aws, tmp_path, manifest: dict, verb: str = "plan", **extra) -> str:
    """What an attacker with write access to the artifact does: a plan whose fingerprint and changes
    are recomputed from their own manifest, so the staleness check alone passes."""
    session = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True)
    desired = Builder(manifest).desired()
    if verb == "destroy":
        from ecsship.plan.destroy import make_destroy_plan

        plan = make_destroy_plan(session, desired)
    else:
        plan = make_plan(session, desired)
    payload = plan.to_dict(manifest=manifest)
    payload.update(file="ecsship.yaml", environment=None, verb=verb, adopt=False, **extra)
    path = tmp_path / f"forged-{verb}.json"
    path.write_text(json.dumps(payload, default=str))
    return str(path)


def saved_manifest(run_cli, path: str, tmp_path) -> dict:
    out = tmp_path / "genuine.json"
    assert run_cli("plan", "-f", path, "--out", str(out)).exit_code == 0
    return json.loads(out.read_text())["manifest"]


def test_a_forged_manifest_in_a_plan_file_is_validated_like_validate(run_cli, example, aws, tmp_path):
    manifest = saved_manifest(run_cli, example("worker"), tmp_path)
    manifest["permissions"] = [{"actions": ["*"], "resources": ["*"]}]
    path = forge(aws, tmp_path, manifest)
    result = run_cli("apply", "--no-wait", path, "--yes")
    assert result.exit_code == 2, result.output
    assert "permissions" in result.stderr and "Traceback" not in result.output
    roles = [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]]
    assert not any("worker" in name for name in roles), "nothing was applied"


def test_a_destroy_verb_in_a_plan_file_is_refused(run_cli, example, aws, tmp_path):
    path = example("worker")
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    forged = forge(aws, tmp_path, saved_manifest(run_cli, path, tmp_path), verb="destroy")
    result = run_cli("apply", "--no-wait", forged, "--yes")
    assert result.exit_code == 2 and "never writes" in result.stderr, result.output
    services = aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"]
    assert services and services[0]["status"] == "ACTIVE", "nothing was destroyed"


def test_plan_files_are_private_never_overwritten_or_symlinked_and_digested(run_cli, example, aws, tmp_path):
    path = example("worker")
    saved = tmp_path / "plan.json"
    made = run_cli("plan", "-f", path, "--out", str(saved))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    digest = re.search(r"plan digest (sha256:[0-9a-f]{64})", made.stderr).group(1)
    again = run_cli("plan", "-f", path, "--out", str(saved))
    assert again.exit_code == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert run_cli("plan", "-f", path, "--out", str(saved), "--force").exit_code == 0

    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    link = tmp_path / "link.json"
    os.symlink(target, link)
    through = run_cli("plan", "-f", path, "--out", str(link), "--force")
    assert through.exit_code == 2 and "symlink" in through.stderr
    assert target.read_text() == "keep me"

    applied = run_cli("apply", "--no-wait", str(saved), "--yes")
    assert applied.exit_code == 0, applied.output
    shown = re.search(r"plan digest (sha256:[0-9a-f]{64})", applied.stderr).group(1)
    assert shown == "sha256:" + hashlib.sha256(saved.read_bytes()).hexdigest()
    assert len(shown) == len(digest)
