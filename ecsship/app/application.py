"""What every command flow is given: output, an AWS factory, the clock, terminal facts, the lock.

Built once per invocation from the global options (`cli/app.py` puts it in `ctx.obj`) and passed to
the flows in `ecsship.app`, as hatch's `Application`: a flow asks it for what touches the outside
world, so tests swap one object (or one method) instead of patching module internals.
Import-light on purpose: `--help` and `validate` build one, and must not load boto3 or rich.
"""
from __future__ import annotations

import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # heavy imports stay off the start-up path
    from ecsship.aws.session import Aws
    from ecsship.deploy.clock import Clock
    from ecsship.ui.output import Output


class Quit(Exception):
    """End the command with this exit code and nothing more to say (what to say was said):
    `cli.errors_to_exit` turns it into the exit code."""
    def __init__(self, exit_code: int):
        super().__init__(exit_code)
        self.exit_code = exit_code


ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


def check_role_arn(arn: str) -> None:
    from ecsship.errors import UsageError

    if not ROLE_ARN.match(arn):
        raise UsageError(f"{arn!r} is not an IAM role ARN", "expected arn:aws:iam::ACCOUNT:role/NAME (--assume-role-arn, "
                         "ECSSHIP_ASSUME_ROLE_ARN or the manifest's assume_role)")


@dataclass
class Application:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    local: bool = False
    local_port: int | None = None
    output: str = "text"
    color: bool = True
    verbose: int = 0
    quiet: bool = False
    debug: bool = False
    # --assume-role-arn (or ECSSHIP_ASSUME_ROLE_ARN) and --external-id: every AWS call of the run is
    # made as this role; it wins over a manifest's `assume_role:`.
    assume_role_arn: str | None = None
    external_id: str | None = None
    # The run's clock (deploy/clock.Clock): made on first use, or given (tests pass a FakeClock whose
    # sleep advances the local AWS's simulated time; `cli/app.py` takes it from the caller's ctx.obj).
    given_clock: "Clock | None" = field(default=None, repr=False)
    # How the last rollout of this run ended (deploy/model.Outcome), for the summary of a run over many services.
    last_outcome: Any = field(default=None, repr=False)
    # Every Aws made for this invocation, so --debug can report the calls they made.
    sessions: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if os.environ.get("NO_COLOR"):
            self.color = False

    # -- output -------------------------------------------------------------------------
    def out(self) -> "Output":
        from ecsship.ui.output import Output

        return Output.shared(self)

    # -- terminal facts -----------------------------------------------------------------
    @staticmethod
    def stdin_is_terminal() -> bool:
        """Whether a person can answer a prompt (a CI job cannot: it must say --yes)."""
        return sys.stdin.isatty()

    @staticmethod
    def confirm(question: str) -> bool:
        import typer

        return typer.confirm(question, default=False)

    @staticmethod
    def is_interactive() -> bool:
        """Whether to ask for what the flags did not give (`init`): a person at both ends."""
        return sys.stdin.isatty() and sys.stdout.isatty()

    @staticmethod
    def prompt(text: str, hide_input: bool = False, default: Any = None, show_default: bool = True, type: Any = None) -> Any:
        """Ask on the terminal; a hidden value is asked twice. `default` None: an answer is required."""
        import typer

        return typer.prompt(text, default=default, hide_input=hide_input, confirmation_prompt=hide_input,
                            show_default=show_default, type=type)

    # -- CI -----------------------------------------------------------------------------
    @staticmethod
    def step_summary(markdown: str) -> None:
        """In GitHub Actions, append Markdown to the job summary (the file `$GITHUB_STEP_SUMMARY` names);
        elsewhere nothing. A summary that cannot be written never fails the command it describes."""
        from ecsship.ui.github import in_github_actions

        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if not path or not in_github_actions():
            return
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(markdown if markdown.endswith("\n") else markdown + "\n")
        except OSError as exc:
            print(f"warning: cannot append to GITHUB_STEP_SUMMARY ({path}): {exc.strerror}", file=sys.stderr)

    # -- the clock ----------------------------------------------------------------------
    def clock(self) -> "Clock":
        """One clock for the whole run: the flows' watches and, through every `Aws` made here
        (`aws.clock`), the core's waits on AWS (`deploy/clock.clock_for`)."""
        if self.given_clock is None:
            from ecsship.deploy.clock import Clock

            self.given_clock = Clock()
        return self.given_clock

    # -- the service lock ---------------------------------------------------------------
    @staticmethod
    def lock(aws, cluster: str, service: str, command: str):
        """The service lock (`ecsship/lock.py`), held by apply, deploy, rollback, promote, destroy."""
        from ecsship.lock import service_lock

        return service_lock(aws, cluster, service, command)

    # -- AWS ----------------------------------------------------------------------------
    def aws_for(self, manifest_data: dict) -> "Aws":
        """The AWS context for a loaded manifest: its `region:` and `assume_role:` (which `--env` may set)."""
        return self.aws(manifest_data.get("region"), manifest_data.get("assume_role"))

    def aws(self, manifest_region: str | None = None, manifest_role: str | None = None) -> "Aws":
        """An AWS context for this invocation: --local, endpoint, region, profile and role resolved.
        The one place a session is made, so every command honours --assume-role-arn."""
        from ecsship.aws.session import Aws

        role = self.assume_role_arn or os.environ.get("ECSSHIP_ASSUME_ROLE_ARN") or manifest_role or None
        if role:
            check_role_arn(role)
        external_id = self.external_id if role else None
        endpoint = self.endpoint_url
        region = self.region or manifest_region
        if self.local and endpoint:
            # An explicit --endpoint-url wins: it is the local AWS to use (never a second one started).
            from ecsship.local.client import credentials

            port = urlsplit(endpoint).port
            aws = Aws(region=self.region or "us-east-1", endpoint_url=endpoint, local=True, credentials=credentials(port) if port else None, clock=self.clock(),
                      assume_role_arn=role, external_id=external_id)
        elif self.local:
            from ecsship.local.client import credentials, default_port, ensure_local_backend

            port = self.local_port or default_port()
            endpoint = ensure_local_backend(port, notify=self.out().info)
            # The seeded account is in us-east-1; an explicit --region reaches another region of the
            # same local account (IAM is global there as on AWS), to try a second-region deployment.
            aws = Aws(region=self.region or "us-east-1", endpoint_url=endpoint, local=True, credentials=credentials(port), clock=self.clock(),
                      assume_role_arn=role, external_id=external_id)
        else:
            aws = Aws(region=region, profile=self.profile, endpoint_url=endpoint, clock=self.clock(),
                      assume_role_arn=role, external_id=external_id)
        self.sessions.append(aws)
        return aws

    def call_summary(self) -> str | None:
        """`AWS calls: 12 (12 reads, 0 writes): ecs.DescribeServices x3, ...` for --debug."""
        calls = [c for aws in self.sessions for c in aws.calls.calls]
        if not calls:
            return None
        from ecsship.aws.session import is_read_operation

        reads = sum(1 for _, op in calls if is_read_operation(op))
        counts = Counter(f"{svc}.{op}" for svc, op in calls)
        detail = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in sorted(counts.items()))
        return f"AWS calls: {len(calls)} ({reads} reads, {len(calls) - reads} writes): {detail}"
