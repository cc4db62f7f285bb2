"""Translate botocore failures into messages that say which resource, which call, what to do."""
from __future__ import annotations

from contextlib import contextmanager

from ecsship.errors import AwsCallError, EcsshipError, UsageError

HINTS = {
    "AccessDenied": "the credentials in use lack permission for this call; grant it in IAM or use another profile",
    "AccessDeniedException": "the credentials in use lack permission for this call; grant it in IAM or use another profile",
    "UnauthorizedOperation": "the credentials in use lack permission for this call; grant it in IAM or use another profile",
    "ExpiredToken": "your credentials have expired; refresh them (for example `aws sso login`) and run again",
    "ExpiredTokenException": "your credentials have expired; refresh them (for example `aws sso login`) and run again",
    "RequestExpired": "your credentials have expired or the clock is off; refresh them and run again",
    "InvalidClientTokenId": "the access key is not valid in this account or region; check your profile",
    "UnrecognizedClientException": "the access key is not valid in this account or region; check your profile",
    "ThrottlingException": "AWS kept throttling after several retries; run again in a minute",
    "Throttling": "AWS kept throttling after several retries; run again in a minute",
    "LimitExceededException": "an account quota is reached; raise it in Service Quotas or remove unused resources",
    "ResourceInUseException": "the resource is in use by another; wait for it to finish, or remove the dependency",
    "ClusterNotFoundException": "the cluster does not exist in this account and region; run `ecsship apply` first",
    "ServiceNotFoundException": "the service does not exist; run `ecsship apply` first",
    **{str(status): f"AWS, or a proxy between you and AWS, answered HTTP {status} on every retry; run again "
       "in a minute, and check any proxy (HTTPS_PROXY) in between" for status in (500, 502, 503, 504)},
    "ServiceNotActiveException": "the service is being deleted or is inactive; run `ecsship apply` to recreate it",
}


def translate_client_error(exc, resource: str, call: str) -> AwsCallError:
    error = exc.response.get("Error", {}) if hasattr(exc, "response") else {}
    code = error.get("Code", type(exc).__name__)
    message = error.get("Message", str(exc))
    return AwsCallError(resource, call, code, message, HINTS.get(code))


def translate_botocore(exc: Exception) -> EcsshipError | None:
    """Credentials, region and network failures: no resource to name, a clear next step."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        op = getattr(exc, "operation_name", "AWS call")
        return translate_client_error(exc, "AWS", op)
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return EcsshipError("no AWS credentials found", "configure a profile (`aws configure` or `aws sso login`), export AWS_PROFILE, or add --local to use the local AWS")
    if isinstance(exc, bce.ProfileNotFound):
        return UsageError(str(exc), "list profiles with `aws configure list-profiles`")
    if isinstance(exc, bce.NoRegionError):
        return UsageError("no AWS region configured", "set `region:` in the manifest, pass --region, or export AWS_REGION")
    if isinstance(exc, bce.UnknownEndpointError) or isinstance(exc, bce.InvalidRegionError):
        return UsageError(f"unknown region or endpoint: {exc}", "check the region name (for example us-east-1)")
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectTimeoutError, bce.ReadTimeoutError, bce.ConnectionClosedError)):
        return EcsshipError(f"cannot reach AWS: {exc}", "check the network, --endpoint-url / AWS_ENDPOINT_URL, or start the local AWS with `ecsship local up`")
    if isinstance(exc, bce.TokenRetrievalError) or type(exc).__name__ in ("SSOTokenLoadError", "UnauthorizedSSOTokenError"):
        return EcsshipError(f"cannot load SSO credentials: {exc}", "run `aws sso login` and try again")
    if isinstance(exc, bce.BotoCoreError):
        return EcsshipError(f"AWS SDK error: {exc}")
    return None


@contextmanager
def aws_call(resource: str, call: str):
    """Wrap an AWS call so a failure names the resource and the call."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as exc:
        raise translate_client_error(exc, resource, call) from exc


def error_code(exc) -> str:
    return exc.response.get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""
