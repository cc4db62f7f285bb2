"""Options every command shares, and the objects built from them (output, AWS)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # heavy imports stay off the start-up path
    from ecsship.aws.session import Aws
    from ecsship.ui.output import Output


@dataclass
class GlobalOptions:
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
    # Every Aws made for this invocation, so --debug can report the calls they made.
    sessions: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if os.environ.get("NO_COLOR"):
            self.color = False

    def out(self) -> "Output":
        from ecsship.ui.output import Output

        return Output.shared(self)

    def aws(self, manifest_region: str | None = None) -> "Aws":
        """An AWS context for this invocation: --local, endpoint, region and profile resolved."""
        from ecsship.aws.session import Aws

        endpoint = self.endpoint_url
        region = self.region or manifest_region
        if self.local and endpoint:
            # An explicit --endpoint-url wins: it is the local AWS to use (never a second one started).
            from ecsship.local.client import credentials

            port = urlsplit(endpoint).port
            aws = Aws(region=self.region or "us-east-1", endpoint_url=endpoint, local=True, credentials=credentials(port) if port else None)
        elif self.local:
            from ecsship.local.client import credentials, default_port, ensure_local_backend

            port = self.local_port or default_port()
            endpoint = ensure_local_backend(port, notify=self.out().info)
            # The seeded account is in us-east-1; an explicit --region reaches another region of the
            # same local account (IAM is global there as on AWS), to try a second-region deployment.
            aws = Aws(region=self.region or "us-east-1", endpoint_url=endpoint, local=True, credentials=credentials(port))
        else:
            aws = Aws(region=region, profile=self.profile, endpoint_url=endpoint)
        self.sessions.append(aws)
        return aws

    def call_summary(self) -> str | None:
        """`AWS calls: 12 (12 reads, 0 writes): ecs.DescribeServices x3, ...` for --debug."""
        calls = [c for aws in self.sessions for c in aws.calls.calls]
        if not calls:
            return None
        from collections import Counter

        from ecsship.aws.session import is_read_operation

        reads = sum(1 for _, op in calls if is_read_operation(op))
        counts = Counter(f"{svc}.{op}" for svc, op in calls)
        detail = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in sorted(counts.items()))
        return f"AWS calls: {len(calls)} ({reads} reads, {len(calls) - reads} writes): {detail}"
