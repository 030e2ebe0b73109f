"""Alarms to SNS (FedRAMP SI-4, IR-4): the seed's five, with thresholds from the timeout in effect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from constructs import Construct

from . import aws
from .kms import KeyLike, allow_alarm_topic, key_arn
from .naming import Names

CONTROL_TAGS = {"FedRAMPControls": "SI-4 IR-4"}
PERIOD_S = 300


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric of a front door or function."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class MonitoringProps:
    names: Names
    kms_key: KeyLike
    function_name: str
    api_server_errors: Metric
    api_latency: Metric
    # The shorter of the function timeout and the front door's integration limit.
    effective_timeout_s: int
    alarm_topic_arn: str | None = None
    actions_enabled: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class Monitoring(Construct):
    """SNS topic (created, KMS-encrypted, unless one is given) and five metric alarms.

    Duration warns at 80 % and API latency at 90 % of the timeout that takes effect, so a
    300 s function behind a 29 s integration alarms before clients see gateway timeouts.
    """

    def __init__(self, scope: Construct, id: str, props: MonitoringProps):
        super().__init__(scope, id)
        self.topic = None
        if props.alarm_topic_arn:
            self.topic_arn = props.alarm_topic_arn
        else:
            # CloudWatch publishes to the topic with the key: the key must allow it.
            allow_alarm_topic(props.kms_key, props.names.alarm_topic)
            self.topic = aws.sns_topic.SnsTopic(
                self,
                "topic",
                name=props.names.alarm_topic,
                kms_master_key_id=key_arn(props.kms_key),
                tags=CONTROL_TAGS,
            )
            self.topic_arn = self.topic.arn
        lambda_dims = {"FunctionName": props.function_name}
        timeout_ms = props.effective_timeout_s * 1000
        specs = [
            ("lambda-errors", "Lambda function errors",
             Metric("AWS/Lambda", "Errors", lambda_dims), "Sum", 1),
            ("lambda-throttles", "Lambda invocations throttled (reserved concurrency reached)",
             Metric("AWS/Lambda", "Throttles", lambda_dims), "Sum", 1),
            ("lambda-duration", "Lambda duration above 80% of the effective timeout",
             Metric("AWS/Lambda", "Duration", lambda_dims), "Maximum", int(timeout_ms * 0.8)),
            ("api-5xx", "API server errors (5xx)", props.api_server_errors, "Sum", 5),
            ("api-latency", "API latency above 90% of the effective timeout",
             props.api_latency, "p99", int(timeout_ms * 0.9)),
        ]  # fmt: skip
        alarm = aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm
        self.alarms = {}
        for key, description, metric, statistic, threshold in specs:
            extended = statistic.startswith("p")
            self.alarms[key] = alarm(
                self,
                key.replace("-", "_"),
                alarm_name=props.names.alarm(key),
                alarm_description=description,
                namespace=metric.namespace,
                metric_name=metric.name,
                dimensions=dict(metric.dimensions),
                statistic=None if extended else statistic,
                extended_statistic=statistic if extended else None,
                period=PERIOD_S,
                evaluation_periods=1,
                threshold=threshold,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                actions_enabled=props.actions_enabled,
                alarm_actions=[self.topic_arn],
                ok_actions=[self.topic_arn],
                tags=CONTROL_TAGS,
            )
