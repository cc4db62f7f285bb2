"""Reading a task's container lines from CloudWatch Logs (the awslogs driver).

Stream names: `awslogs-stream-prefix/container-name/ecs-task-id` (Amazon ECS Developer Guide, "Send
Amazon ECS logs to CloudWatch"). Lines are read with FilterLogEvents (botocore `logs
FilterLogEvents`: "Lists log events from the specified log group ... sorted by timestamp"; up to 100
`logStreamNames`); the same event can come back on the next poll, so events are de-duplicated by
`eventId`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ecsship.aws.errors import aws_call


@dataclass(frozen=True)
class LogLine:
    timestamp: int  # epoch milliseconds
    stream: str
    message: str
    event_id: str

    @property
    def task_id(self) -> str:
        return self.stream.rsplit("/", 1)[-1]

    @property
    def container(self) -> str:
        parts = self.stream.split("/")
        return parts[-2] if len(parts) >= 3 else ""

    @property
    def iso(self) -> str:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def awslogs_of(definition: dict, container: str) -> tuple[str, str] | None:
    """(log group, stream prefix) of a container using the awslogs driver with a prefix."""
    for c in definition.get("containerDefinitions") or []:
        if c.get("name") != container:
            continue
        config = c.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") == "awslogs" and options.get("awslogs-group") and options.get("awslogs-stream-prefix"):
            return options["awslogs-group"], options["awslogs-stream-prefix"]
    return None


def stream_name(prefix: str, container: str, task_arn: str) -> str:
    return f"{prefix}/{container}/{task_arn.rsplit('/', 1)[-1]}"


@dataclass
class LogReader:
    """New lines of some streams of one group (`streams` None: every stream whose name starts with
    `prefix`), each returned once."""

    aws: object
    group: str
    streams: list[str] | None = None
    prefix: str | None = None
    since_ms: int = 0
    seen: set = field(default_factory=set)

    def read(self) -> list[LogLine]:
        if self.streams is not None and not self.streams:
            return []
        lines: list[LogLine] = []
        chunks = list(_chunks(self.streams, 100)) if self.streams is not None else [None]
        for chunk in chunks:
            for event in self._events(chunk):
                key = (event.get("logStreamName"), event.get("eventId"))
                if key in self.seen:
                    continue
                self.seen.add(key)
                lines.append(LogLine(int(event["timestamp"]), event.get("logStreamName", ""),
                                     event.get("message", "").rstrip("\n"), str(event.get("eventId"))))
        if self.prefix:  # also filtered here: the request's logStreamNamePrefix is the contract, not a promise
            lines = [line for line in lines if line.stream.startswith(self.prefix)]
        lines.sort(key=lambda line: (line.timestamp, line.event_id))
        if lines:
            # Read on from the newest timestamp seen (inclusive: more events may share it).
            self.since_ms = max(self.since_ms, lines[-1].timestamp)
        return lines

    def _events(self, streams: list[str] | None):
        from ecsship.errors import AwsCallError

        kwargs: dict = {"logGroupName": self.group, "startTime": self.since_ms}
        if streams:
            kwargs["logStreamNames"] = streams
        elif self.prefix:
            kwargs["logStreamNamePrefix"] = self.prefix
        token = None
        while True:
            try:
                with aws_call(f"log group {self.group}", "logs:FilterLogEvents"):
                    page = self.aws.client("logs").filter_log_events(**kwargs, **({"nextToken": token} if token else {}))
            except AwsCallError as exc:
                if exc.code == "ResourceNotFoundException":
                    return  # no stream written yet (or no group): nothing to show so far
                raise
            yield from page.get("events", [])
            token = page.get("nextToken")
            if not token:
                return


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
