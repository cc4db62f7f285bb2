"""Small fixes: ACM issuance offline, IAM managed policies loaded once."""
from __future__ import annotations

import copy


def apply() -> None:
    _moto_time_is_the_backend_clock()
    _acm_issues_at_once()
    _iam_managed_policies_loaded_once()


def _acm_issues_at_once() -> None:
    """ACM RequestCertificate: DNS validation cannot happen offline, so a requested certificate is
    ISSUED at once instead of after moto's 60 s PENDING_VALIDATION wait."""
    from moto import settings

    settings.ACM_VALIDATION_WAIT = -1  # moto checks "waited > wait"; a stopped test clock waits 0 s


def _iam_managed_policies_loaded_once() -> None:
    """IAM: AWS-managed policies exist in every account (MOTO_IAM_LOAD_MANAGED_POLICIES=true), but
    moto parses all ~1,300 of them for every IAM backend it creates (0.17 s each, a dozen per reset).
    Parse once, then give each backend its own shallow copies (attachment counts stay per account)."""
    from moto.iam.models import IAMBackend

    original = IAMBackend._init_aws_policies
    cache: dict[tuple[str, str], list] = {}

    def _init_aws_policies(self):
        key = (self.account_id, self.partition)
        if key not in cache:
            cache[key] = original(self)
        return [copy.copy(policy) for policy in cache[key]]

    IAMBackend._init_aws_policies = _init_aws_policies


def _moto_time_is_the_backend_clock() -> None:
    """One time for the whole account: every timestamp moto writes (createdAt, registeredAt, alarm
    state times, ...) comes from the backend's clock, like the simulator's own, so a deployment's
    createdAt and its events' times agree, and at --speed 15 both run 15 times faster."""
    import datetime
    import sys

    import moto.core.utils as utils

    from ecsship.local import runtime

    original = utils.utcnow

    def utcnow() -> datetime.datetime:
        return datetime.datetime.fromtimestamp(runtime.now(), tz=datetime.timezone.utc).replace(tzinfo=None)

    utils.utcnow = utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.") and getattr(module, "utcnow", None) is original:
            module.utcnow = utcnow
