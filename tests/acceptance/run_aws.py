"""`make test-aws`: the acceptance scenario (tests/acceptance/scenario.py) on a real AWS account.

Opt-in: it creates (and pays for) real resources, so it refuses to start unless
ECSSHIP_AWS_ACCEPTANCE=1 and credentials are present, and exits 2 with the reason.
See docs/aws-testing.md for the variables, what it creates, how long it takes and what it costs.

    python -m tests.acceptance.run_aws              # the whole walk
    python -m tests.acceptance.run_aws --cleanup RUN_ID   # after an interrupted run
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.acceptance.scenario import (
    RUN_TAG,
    SERVICES,
    Scenario,
    Target,
    delete_cluster,
    delete_endpoint_group,
    leftovers,
    tagged,
)

WORKDIR = Path(os.environ.get("ECSSHIP_ACCEPTANCE_DIR", ".acceptance"))
REQUIRED = ("ECSSHIP_ACCEPTANCE_IMAGE", "ECSSHIP_ACCEPTANCE_BAD_IMAGE", "ECSSHIP_ACCEPTANCE_ALB")


class Refused(Exception):
    pass


@dataclass
class Completed:
    exit_code: int
    stdout: str
    stderr: str


def preflight(env) -> str:
    """Why the run may not start ("" when it may). Read-only: no AWS call is made before consent."""
    if env.get("ECSSHIP_AWS_ACCEPTANCE") != "1":
        return ("the AWS acceptance run creates real resources in your account and costs money "
                "(under $0.10, docs/aws-testing.md); set ECSSHIP_AWS_ACCEPTANCE=1 to run it")
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        return f"set {', '.join(missing)} (docs/aws-testing.md, \"What you provide\")"
    import boto3

    session = boto3.session.Session(profile_name=env.get("AWS_PROFILE") or None)
    if session.get_credentials() is None:
        return "no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or an instance role)"
    if not session.region_name:
        return "no AWS region: set AWS_REGION (the prices in docs/aws-testing.md are us-east-1's)"
    return ""


def real_target(env) -> Target:
    import boto3

    session = boto3.session.Session(profile_name=env.get("AWS_PROFILE") or None)
    clients: dict = {}

    def client(name: str):
        return clients.setdefault(name, session.client(name))

    def cli(*args: str) -> Completed:
        command = [sys.executable, "-m", "ecsship", "--no-color", *args]
        print("$ ecsship " + " ".join(args), flush=True)
        done = subprocess.run(command, capture_output=True, text=True, env={**env, "AWS_REGION": session.region_name})
        print(done.stdout + done.stderr, flush=True)
        return Completed(done.returncode, done.stdout, done.stderr)

    return Target("aws", cli, client, time.time, good_image=env["ECSSHIP_ACCEPTANCE_IMAGE"],
                  bad_image=env["ECSSHIP_ACCEPTANCE_BAD_IMAGE"], vpc=env.get("ECSSHIP_ACCEPTANCE_VPC"),
                  subnets=env.get("ECSSHIP_ACCEPTANCE_SUBNETS"), alb=env["ECSSHIP_ACCEPTANCE_ALB"],
                  host_domain=env.get("ECSSHIP_ACCEPTANCE_DOMAIN", "example.com"))


def cleanup(target: Target, run_id: str) -> int:
    """Destroy what an interrupted run left: its manifests (kept in .acceptance/RUN_ID), its cluster,
    then list whatever still carries its tag."""
    scenario = Scenario(target, WORKDIR, run_id)
    for manifest in (scenario.canary, scenario.web):
        if manifest.exists():
            target.cli("destroy", "-f", str(manifest), "--yes", "--delete-logs", "--deregister")
    delete_cluster(target.client("ecs"), scenario.cluster, run_id)
    delete_endpoint_group(target.client("ec2"), scenario.cluster, SERVICES, time.sleep)
    left = leftovers(target.client, run_id, scenario.cluster, SERVICES, set())
    print("left behind: " + (", ".join(left) or "nothing"))
    return 1 if left else 0


def main(argv: list[str] | None = None, env=None) -> int:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog="make test-aws", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cleanup", metavar="RUN_ID", help="destroy what an interrupted run RUN_ID left")
    parser.add_argument("--list", metavar="RUN_ID", help=f"list the ARNs tagged {RUN_TAG}=RUN_ID")
    args = parser.parse_args(argv)
    why = preflight(env)
    if why:
        print(f"make test-aws: refused: {why}", file=sys.stderr)
        return 2
    target = real_target(env)
    if args.cleanup:
        return cleanup(target, args.cleanup)
    if args.list:
        print("\n".join(tagged(target.client, args.list)))
        return 0
    scenario = Scenario(target, WORKDIR)
    print(f"run {scenario.run_id}: manifests in {scenario.dir}; if interrupted: "
          f"make test-aws ARGS='--cleanup {scenario.run_id}'", flush=True)
    try:
        report = scenario.run()
    except AssertionError as failed:
        print(f"make test-aws: FAILED: {failed}", file=sys.stderr)
        print("\n".join(scenario.report.lines()), file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
