"""Alarms to SNS (FedRAMP SI-4, IR-4): the seed's five, with thresholds from the timeout in effect,
the API's client-error rate, concurrency near its reservation, DynamoDB throttles, and the people
the topic notifies by e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from constructs import Construct

from . import aws
from .kms import KeyLike, allow_alarm_topic, key_arn
from .naming import Names

CONTROL_TAGS = {"FedRAMPControls": "SI-4 IR-4"}
PERIOD_S = 300
# Concurrency alarms at this share of the function's reservation (throttles start at 100 %).
CONCURRENCY_WARNING = 0.8


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric of a front door, function or table."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class MonitoringProps:
    names: Names
    kms_key: KeyLike
    function_name: str
    # The dimensions of the function's invocation metrics: the function, or the alias the
    # front door invokes (`Resource` = `<function>:<alias>`).
    function_dimensions: Mapping[str, str] | None = None
    api_server_errors: Metric
    api_latency: Metric
    # The front door's 4xx and request counts, for the client-error rate (None: no such alarm).
    api_client_errors: Metric | None = None
    api_requests: Metric | None = None
    client_error_rate_percent: float = 10
    # The shorter of the function timeout and the front door's integration limit.
    effective_timeout_s: int
    # -1: unreserved (no concurrency alarm).
    reserved_concurrent_executions: int = -1
    # DynamoDB tables whose throttled requests alarm, by what they hold.
    tables: Mapping[str, str] = field(default_factory=dict)
    alarm_topic_arn: str | None = None
    notification_emails: Sequence[str] = ()
    actions_enabled: bool = True


class Monitoring(Construct):
    """SNS topic (created, KMS-encrypted, unless one is given), e-mail subscriptions to it, and
    the metric alarms.

    Duration warns at 80 % and API latency at 90 % of the timeout that takes effect, so a
    300 s function behind a 29 s integration alarms before clients see gateway timeouts.
    """

    def __init__(self, scope: Construct, id: str, props: MonitoringProps):
        super().__init__(scope, id)
        self.props = props
        self.topic = None
        if props.alarm_topic_arn:
            self.topic_arn = props.alarm_topic_arn
        else:
            self.topic = alarm_topic(self, props.names.alarm_topic, props.kms_key)
            self.topic_arn = self.topic.arn
        self.subscriptions = subscribe_emails(self, self.topic_arn, props.notification_emails)
        invocations = dict(props.function_dimensions or {"FunctionName": props.function_name})
        timeout_ms = props.effective_timeout_s * 1000
        specs = [
            ("lambda-errors", "Lambda function errors",
             Metric("AWS/Lambda", "Errors", invocations), "Sum", 1),
            ("lambda-throttles", "Lambda invocations throttled (reserved concurrency reached)",
             Metric("AWS/Lambda", "Throttles", invocations), "Sum", 1),
            ("lambda-duration", "Lambda duration above 80% of the effective timeout",
             Metric("AWS/Lambda", "Duration", invocations), "Maximum", int(timeout_ms * 0.8)),
            ("api-5xx", "API server errors (5xx)", props.api_server_errors, "Sum", 5),
            ("api-latency", "API latency above 90% of the effective timeout",
             props.api_latency, "p99", int(timeout_ms * 0.9)),
        ]  # fmt: skip
        if props.reserved_concurrent_executions > 0:
            # Reserved concurrency caps the whole function, whatever version or alias runs.
            specs.append(("lambda-concurrency",
                          f"Concurrent executions at {int(CONCURRENCY_WARNING * 100)}% of the reserved "
                          f"{props.reserved_concurrent_executions} (throttling starts at 100%)",
                          Metric("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": props.function_name}),
                          "Maximum", max(1, int(props.reserved_concurrent_executions * CONCURRENCY_WARNING))))  # fmt: skip
        self.alarms = {key: self._alarm(key, description, metric=metric, statistic=statistic, threshold=threshold)
                       for key, description, metric, statistic, threshold in specs}  # fmt: skip
        if props.api_client_errors and props.api_requests:
            self.alarms["api-4xx-rate"] = self._client_error_rate(props.api_client_errors, props.api_requests)
        for what, table in props.tables.items():
            self.alarms[f"{what}-throttles"] = self._table_throttles(what, table)

    def _alarm(self, key: str, description: str, *, threshold: float, metric: Metric | None = None,
               statistic: str | None = None, metric_query=None):  # fmt: skip
        extended = bool(statistic) and statistic.startswith("p")
        return aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            key.replace("-", "_"),
            alarm_name=self.props.names.alarm(key),
            alarm_description=description,
            namespace=metric.namespace if metric else None,
            metric_name=metric.name if metric else None,
            dimensions=dict(metric.dimensions) if metric else None,
            statistic=None if extended or not metric else statistic,
            extended_statistic=statistic if extended else None,
            period=PERIOD_S if metric else None,
            metric_query=metric_query,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            actions_enabled=self.props.actions_enabled,
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
            tags=CONTROL_TAGS,
        )

    def _client_error_rate(self, errors: Metric, requests: Metric):
        """4xx responses as a share of requests. MCP clients meet a 401 before they discover
        the authorization server, so a few 4xx are normal: the alarm reads the rate."""
        rate = self.props.client_error_rate_percent
        return self._alarm(
            "api-4xx-rate", f"API client errors (4xx) at {rate:g}% of requests or more", threshold=rate,
            metric_query=[
                _query("errors", errors, "Sum"),
                _query("requests", requests, "Sum"),
                _expression("rate", "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)", "4xx rate (%)"),
            ],
        )  # fmt: skip

    def _table_throttles(self, what: str, table: str):
        """Reads or writes DynamoDB throttled on a table (on-demand tables throttle past their
        partitions' limits and the account's table quota)."""
        dims = {"TableName": table}
        return self._alarm(
            f"{what}-throttles", f"DynamoDB throttled reads or writes on the {what} table", threshold=1,
            metric_query=[
                _query("reads", Metric("AWS/DynamoDB", "ReadThrottleEvents", dims), "Sum"),
                _query("writes", Metric("AWS/DynamoDB", "WriteThrottleEvents", dims), "Sum"),
                _expression("throttled", "FILL(reads, 0) + FILL(writes, 0)", "throttle events"),
            ],
        )  # fmt: skip


def _query(id: str, metric: Metric, statistic: str):
    a = aws.cloudwatch_metric_alarm
    return a.CloudwatchMetricAlarmMetricQuery(
        id=id,
        metric=a.CloudwatchMetricAlarmMetricQueryMetric(
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions=dict(metric.dimensions),
            period=PERIOD_S,
            stat=statistic,
        ),
    )


def _expression(id: str, expression: str, label: str):
    return aws.cloudwatch_metric_alarm.CloudwatchMetricAlarmMetricQuery(
        id=id, expression=expression, label=label, return_data=True
    )


def alarm_topic(scope: Construct, name: str, kms_key: KeyLike, region: str | None = None):
    """An SNS topic for alarms, encrypted with `kms_key` (of the topic's region), which must let
    CloudWatch publish."""
    allow_alarm_topic(kms_key, name)
    return aws.sns_topic.SnsTopic(
        scope, "topic", name=name, kms_master_key_id=key_arn(kms_key), tags=CONTROL_TAGS, region=region
    )


def subscribe_emails(scope: Construct, topic_arn: str, emails: Sequence[str], region: str | None = None) -> list:
    """An e-mail subscription per address. AWS mails each a confirmation link; until someone
    follows it the subscription stays pending and receives nothing."""
    return [
        aws.sns_topic_subscription.SnsTopicSubscription(
            scope, f"email_{index}", topic_arn=topic_arn, protocol="email", endpoint=email, region=region
        )
        for index, email in enumerate(emails)
    ]
