"""Small fixes: ACM issuance offline, IAM managed policies loaded once."""
from __future__ import annotations

import copy


def apply() -> None:
    _acm_issues_at_once()
    _iam_managed_policies_loaded_once()


def _acm_issues_at_once() -> None:
    """ACM RequestCertificate: DNS validation cannot happen offline, so a requested certificate is
    ISSUED at once instead of after moto's 60 s PENDING_VALIDATION wait."""
    from moto import settings

    settings.ACM_VALIDATION_WAIT = 0


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
