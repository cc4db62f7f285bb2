"""CloudWatch metric alarms ecsship creates for the service.

All of a service's alarms share the name prefix `<cluster>-<service>-`, so one DescribeAlarms call
reads them all. An alarm is ecsship's when its description starts with `ecsship: <cluster>/<service>:`
(alarms are also tagged, but reading tags costs a call per alarm).
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import CLUSTER_KEY, OWNER_KEY, Live, OnDestroy, Reconciler, check_known, check_known_items, tag_list
from ecsship.reconcilers.cache import cached, forget

KEYS = ("AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions", "TreatMissingData",
        "ComparisonOperator", "Threshold", "EvaluationPeriods", "DatapointsToAlarm", "Namespace", "MetricName",
        "Statistic", "ExtendedStatistic", "Period", "Dimensions", "Metrics")
QUERY_KEYS = ("Id", "ReturnData", "Expression", "Label", "MetricStat")


def normalise(alarm: dict) -> dict:
    out = {}
    for key in KEYS:
        value = alarm.get(key)
        if value in (None, [], ""):
            continue
        if key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            value = sorted(value)
        elif key == "Dimensions":
            value = sorted(({"Name": d["Name"], "Value": d["Value"]} for d in value), key=lambda d: d["Name"])
        elif key == "Metrics":
            value = [_query(q) for q in value]
        elif key == "Threshold":
            value = float(value)
        out[key] = value
    out.setdefault("TreatMissingData", "missing")
    return out


def _query(q: dict) -> dict:
    out = {"Id": q["Id"], "ReturnData": bool(q.get("ReturnData", True))}
    if q.get("Expression"):
        out["Expression"] = q["Expression"]
    if q.get("Label"):
        out["Label"] = q["Label"]
    if q.get("MetricStat"):
        stat = q["MetricStat"]
        metric = stat["Metric"]
        out["MetricStat"] = {"Metric": {"Namespace": metric["Namespace"], "MetricName": metric["MetricName"],
                                        "Dimensions": sorted(({"Name": d["Name"], "Value": d["Value"]} for d in metric.get("Dimensions") or []), key=lambda d: d["Name"])},
                             "Period": stat["Period"], "Stat": stat["Stat"]}
    return out


def prefix_of(res) -> str:
    return f"{res.tags[CLUSTER_KEY]}-{res.tags[OWNER_KEY]}-"


def marker_of(res) -> str:
    return f"ecsship: {res.tags[CLUSTER_KEY]}/{res.tags[OWNER_KEY]}:"


class AlarmReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "alarm"

    def read(self, aws, res, spec):
        prefix = prefix_of(res)

        def fetch():
            with aws_call(res.label, "cloudwatch:DescribeAlarms"):
                pages = aws.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
                return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}

        alarm = cached(aws, ("alarms", prefix), fetch).get(res.name)
        if alarm is None:
            return None
        managed = (alarm.get("AlarmDescription") or "").startswith(marker_of(res))
        return Live(state=normalise(alarm), outputs={"arn": alarm["AlarmArn"], "name": res.name}, managed=managed)

    def desired_state(self, res, spec, live=None):
        check_known(spec, KEYS, res.label)
        check_known_items(spec.get("Metrics"), QUERY_KEYS, f"{res.label} metric query")
        for query in spec.get("Metrics") or []:
            check_known(query.get("MetricStat") or {}, ("Metric", "Period", "Stat"), f"{res.label} metric {query.get('Id')}")
            check_known((query.get("MetricStat") or {}).get("Metric") or {}, ("Namespace", "MetricName", "Dimensions"),
                        f"{res.label} metric {query.get('Id')}")
        return normalise(spec)

    def create(self, aws, res, spec):
        self._put(aws, res, spec, tags=True)
        return {"arn": f"arn:{aws.partition}:cloudwatch:{aws.region}:{aws.account_id}:alarm:{res.name}", "name": res.name}

    def update(self, aws, res, spec, live, fields):
        self._put(aws, res, spec, tags=not live.managed)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        return None  # update rewrites the description (our marker) and tags it

    def _put(self, aws, res, spec, tags: bool):
        kwargs = dict(spec)
        if tags:
            kwargs["Tags"] = tag_list(res.tags)
        with aws_call(res.label, "cloudwatch:PutMetricAlarm"):
            aws.client("cloudwatch").put_metric_alarm(AlarmName=res.name, **kwargs)
        forget(aws, ("alarms", prefix_of(res)))

    def delete(self, aws, res, live):
        with aws_call(res.label, "cloudwatch:DeleteAlarms"):
            aws.client("cloudwatch").delete_alarms(AlarmNames=[res.name])
