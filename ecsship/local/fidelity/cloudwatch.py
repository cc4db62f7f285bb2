"""CloudWatch alarm state on creation and update.

AWS (CloudWatch API Reference, PutMetricAlarm): a new alarm starts in INSUFFICIENT_DATA
("Unchecked: Initial alarm creation") until it has been evaluated; "When this operation creates an
alarm, the alarm state is immediately set to INSUFFICIENT_DATA". Updating an existing alarm leaves
its state unchanged and overwrites the configuration. moto starts every alarm in OK and resets
the state on update.
"""
from __future__ import annotations

STATE_FIELDS = ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history")


def apply() -> None:
    from moto.cloudwatch.models import CloudWatchBackend

    original = CloudWatchBackend.put_metric_alarm

    def put_metric_alarm(self, name, *args, **kwargs):
        previous = self.alarms.get(name)
        alarm = original(self, name, *args, **kwargs)
        if previous is not None:
            for field in STATE_FIELDS:
                setattr(alarm, field, getattr(previous, field))
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
        return alarm

    CloudWatchBackend.put_metric_alarm = put_metric_alarm
    apply_history()


def apply_history() -> None:
    """DescribeAlarmHistory (CloudWatch API Reference), which moto lacks: state changes as
    AlarmHistoryItems, newest first by default ("Alarm updated from OK to ALARM")."""
    import json

    from moto.cloudwatch.models import Alarm
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    from ecsship.local import runtime

    original_update = Alarm.update_state

    def update_state(self, reason, reason_data, state_value):
        previous = self.state_value
        original_update(self, reason, reason_data, state_value)
        items = getattr(self, "ecsship_history", None)
        if items is None:
            items = self.ecsship_history = []
        items.append({
            "AlarmName": self.name, "AlarmType": "MetricAlarm" if self.rule is None else "CompositeAlarm",
            "Timestamp": runtime.now_dt(), "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {previous} to {state_value}",
            "HistoryData": json.dumps({"version": "1.0", "oldState": {"stateValue": previous},
                                       "newState": {"stateValue": state_value, "stateReason": reason}}),
        })

    def describe_alarm_history(self):
        name = self._get_param("AlarmName")
        kind = self._get_param("HistoryItemType")
        start, end = self._get_param("StartDate"), self._get_param("EndDate")
        items = []
        for alarm in self.cloudwatch_backend.alarms.values():
            if name and alarm.name != name:
                continue
            items.extend(getattr(alarm, "ecsship_history", []))
        if kind:
            items = [i for i in items if i["HistoryItemType"] == kind]
        if start is not None:
            items = [i for i in items if i["Timestamp"] >= start]
        if end is not None:
            items = [i for i in items if i["Timestamp"] <= end]
        items.sort(key=lambda i: i["Timestamp"], reverse=(self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending")
        limit = int(self._get_param("MaxRecords") or 100)
        return ActionResult({"AlarmHistoryItems": items[:limit]})

    Alarm.update_state = update_state
    CloudWatchResponse.describe_alarm_history = describe_alarm_history
