"""Options every command shares, and the objects built from them (output, AWS)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
        if self.local:
            from ecsship.local.client import ensure_local_backend

            endpoint = ensure_local_backend(self.local_port, notify=self.out().info)
            return Aws(region="us-east-1", endpoint_url=endpoint, local=True)
        return Aws(region=region, profile=self.profile, endpoint_url=endpoint)
