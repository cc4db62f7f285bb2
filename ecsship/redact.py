"""Values that must never be shown: what a secret-looking variable passed with --var interpolated into
the manifest. Registered when the manifest is loaded; every place that renders a manifest value for
people or files (plan text, plan JSON, error messages) passes it through redact().

Standard library only; the registry is per process (one command run).
"""
from __future__ import annotations

import re

MASK = "(redacted)"
# Names whose values are secret material; the environment is never read for these (see interpolate).
SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|SESSION_?KEY"
    r"|(?:^|_)PASS(?:_|$)|(?:^|_)AUTH(?:_|$))", re.I)
# AWS credentials in the environment (boto3's own variables): never interpolated, whatever their name.
AWS_CREDENTIAL_VARS = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                 "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE"})

_sensitive: set[str] = set()


def secret_looking(name: str) -> bool:
    return name in AWS_CREDENTIAL_VARS or bool(SECRET_NAME.search(name))


def register(value: str) -> None:
    if value and len(value) >= 4:  # a 1-3 character value would mask unrelated text
        _sensitive.add(value)


def sensitive() -> bool:
    return bool(_sensitive)


def redact(value):
    """value with every registered secret replaced by MASK (strings, and inside lists and dicts)."""
    if not _sensitive:
        return value
    if isinstance(value, str):
        for secret in sorted(_sensitive, key=len, reverse=True):
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def clear() -> None:
    _sensitive.clear()
