"""Read-before-retry for the creates AWS cannot deduplicate (no client token, no "already exists").

botocore's retries resend a request whose answer did not arrive. For most creates that is safe:
a resend either carries a client token or fails with "already exists", which the reconciler
reads back. `ecs:RegisterTaskDefinition` is neither: a resend after a lost answer registers a
second revision with the same content. Such a call goes out once, on a client without retries;
after a transient failure we first read whether the first attempt took effect, and only resend
when it did not, backing off like botocore's standard mode.
"""
from __future__ import annotations

import hashlib
import time
from typing import Callable, TypeVar

from ecsship.errors import AwsCallError

T = TypeVar("T")


def client_token(aws, *parts: str) -> str:
    """The idempotency token of a create: 32 hex characters (ECS `clientToken` takes up to 36,
    EC2 `ClientToken` and Cloud Map `CreatorRequestId` up to 64) from the run id and `parts`.

    The one derivation (issue 14). With the run id, botocore's resends within this run are
    deduplicated by AWS, while a later run (say, after `destroy`) is never answered with a
    resource created and deleted before.
    """
    return hashlib.sha256("/".join((aws.run_id, *parts)).encode()).hexdigest()[:32]


# Codes AWS services answer their own 5xx failures with: an AwsCallError made without the original
# botocore error (fakes, tests) has only its code to go by.
SERVER_ERROR_CODES = frozenset({
    "InternalFailure", "InternalError", "InternalServerError", "ServerException",
    "ServiceUnavailable", "ServiceUnavailableException",
})


def is_transient(exc: BaseException) -> bool:
    """The failures botocore's standard mode retries: throttling, 5xx, timeouts, connection errors.

    The one classifier (issue 14): the read-before-retry below and the deploy watcher's skipped
    polls both ask it. An AwsCallError is judged by the botocore error it was raised from.
    """
    from botocore.exceptions import ClientError
    from botocore.retries import standard

    if isinstance(exc, AwsCallError):
        if exc.__cause__ is not None:
            return is_transient(exc.__cause__)
        exc = ClientError({"Error": {"Code": exc.code, "Message": exc.aws_message}}, exc.call)
    if isinstance(exc, ClientError):
        context = standard.RetryContext(attempt_number=1, parsed_response=exc.response)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = exc.response.get("Error", {}).get("Code", "")
    else:
        context = standard.RetryContext(attempt_number=1, caught_exception=exc)
        status, code = 0, ""
    return (status >= 500 or code in SERVER_ERROR_CODES or standard.TransientRetryableChecker().is_retryable(context)
            or standard.ThrottledRetryableChecker().is_retryable(context))


def send_once(aws, service: str, send: Callable[[object], T], find: Callable[[], T | None],
              attempts: int | None = None, sleep: Callable[[float], None] = time.sleep) -> T:
    """`send(client)` on a client that never resends; after a transient failure, `find()` what the
    failed attempt may have made (None: nothing) before sending again."""
    from botocore.retries import standard

    once = getattr(aws, "client_without_retries", None)  # test doubles of Aws may only have .client
    client = once(service) if once else aws.client(service)
    attempts = attempts or int(getattr(aws, "max_attempts", 6))
    backoff = standard.ExponentialBackoff()
    for attempt in range(1, attempts + 1):
        try:
            return send(client)
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
        found = find()
        if found is not None:
            return found
        sleep(backoff.delay_amount(standard.RetryContext(attempt_number=attempt)))
    raise AssertionError("unreachable")
