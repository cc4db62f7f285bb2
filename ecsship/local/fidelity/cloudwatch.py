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
