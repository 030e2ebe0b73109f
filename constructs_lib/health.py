"""A Route 53 health check of the public endpoint, and its alarm.

Route 53 publishes health check metrics only in one region of each partition (us-east-1, or
us-gov-west-1 in GovCloud), and an alarm notifies only a topic of its own region; so the alarm,
its topic and the topic's key are created there, through the provider's per-resource `region`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from constructs import Construct

from . import aws
from .kms import DeploymentKey, DeploymentKeyProps
from .monitoring import CONTROL_TAGS, alarm_topic, subscribe_emails
from .naming import Names

HEALTH_CHECK_INTERVAL_S = 30


@dataclass(frozen=True, kw_only=True)
class HealthCheckProps:
    names: Names
    fqdn: str
    path: str
    failure_threshold: int = 3
    # Where Route 53's metrics are.
    metrics_region: str
    # A topic in metrics_region to notify; None: one is created there, with its own key.
    alarm_topic_arn: str | None = None
    notification_emails: Sequence[str] = ()
    actions_enabled: bool = True
    prevent_key_destroy: bool = False


class HealthCheck(Construct):
    """An HTTPS check from Route 53's checkers (SNI on) and an alarm when it fails."""

    def __init__(self, scope: Construct, id: str, props: HealthCheckProps):
        super().__init__(scope, id)
        names = props.names
        self.check = aws.route53_health_check.Route53HealthCheck(
            self, "check", type="HTTPS", fqdn=props.fqdn, port=443, resource_path=props.path,
            enable_sni=True, failure_threshold=props.failure_threshold,
            request_interval=HEALTH_CHECK_INTERVAL_S, tags={"Name": names.alarm("endpoint")},
        )  # fmt: skip
        self.key = self.topic = None
        self.subscriptions = []
        topic_arn = props.alarm_topic_arn
        if topic_arn is None:
            self.key = DeploymentKey(self, "key", DeploymentKeyProps(
                names=names, prevent_destroy=props.prevent_key_destroy, region=props.metrics_region))  # fmt: skip
            self.topic = alarm_topic(self, names.alarm_topic, self.key, region=props.metrics_region)
            topic_arn = self.topic.arn
            self.subscriptions = subscribe_emails(self, topic_arn, props.notification_emails,
                                                  region=props.metrics_region)  # fmt: skip
        self.topic_arn = topic_arn
        self.alarm = aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self, "alarm", region=props.metrics_region, alarm_name=names.alarm("endpoint-health"),
            alarm_description=f"Route 53 health check of https://{props.fqdn}{props.path} failing",
            namespace="AWS/Route53", metric_name="HealthCheckStatus",
            dimensions={"HealthCheckId": self.check.id}, statistic="Minimum", period=60,
            evaluation_periods=1, threshold=1, comparison_operator="LessThanThreshold",
            # No data means no checker reached the endpoint.
            treat_missing_data="breaching", actions_enabled=props.actions_enabled,
            alarm_actions=[topic_arn], ok_actions=[topic_arn], tags=CONTROL_TAGS,
        )  # fmt: skip
