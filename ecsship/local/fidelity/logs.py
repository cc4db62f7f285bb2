"""CloudWatch Logs FilterLogEvents honours logStreamNamePrefix (moto ignores it and searches every
stream of the group).

AWS (botocore `logs FilterLogEvents.logStreamNamePrefix`): "Filters the results to include only events
from log streams that have names starting with this prefix. If you specify a value for both
logStreamNamePrefix and logStreamNames, the action returns an InvalidParameterException error."
`ecsship logs` asks for its container's streams by prefix (`prefix/container/`).
"""
from __future__ import annotations

import json


def apply() -> None:
    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.responses import LogsResponse

    original = LogsResponse.filter_log_events

    def filter_log_events(self):
        prefix = self._get_param("logStreamNamePrefix")
        if not prefix:
            return original(self)
        if self._get_param("logStreamNames"):
            raise InvalidParameterException("Cannot specify both logStreamNames and logStreamNamePrefix.")
        name = self._get_param("logGroupName")
        group = self.logs_backend.groups.get(name)
        if group is None:
            return original(self)  # moto's ResourceNotFoundException
        streams = [stream for stream in group.streams if stream.startswith(prefix)]
        events, token, searched = (self.logs_backend.filter_log_events(
            name, streams, self._get_param("startTime"), self._get_param("endTime"), self._get_param("limit"),
            self._get_param("nextToken"), self._get_param("filterPattern"), self._get_param("interleaved", False))
            if streams else ([], None, []))
        return json.dumps({"events": events, "nextToken": token, "searchedLogStreams": searched})

    LogsResponse.filter_log_events = filter_log_events
