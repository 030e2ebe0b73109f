"""Tenant metering: per-tenant usage records and request/error figures from the API access log.

The API access log carries `clientId` (the verified tenant) on every request, so two metric
filters publish `RequestCount` and `ErrorCount` with the dimension `TenantId`. Each declared
tenant gets a quota alarm (requests per period) and an error-rate alarm on those metrics. The
function records usage in a table keyed by `tenant_id` + `period`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from constructs import Construct

from . import aws
from .iam import Statement, inline_policy, via_service
from .naming import Names
from .sessions import TABLE_KEY_ACTIONS
from .tenancy import TENANT_ID

PERIOD_KEY = "period"
PERIOD_INDEX = "period-index"
USAGE_TTL_ATTRIBUTE = "expires_at"
TENANT_DIMENSION = "TenantId"
REQUESTS_METRIC, ERRORS_METRIC = "RequestCount", "ErrorCount"
# A request whose token named a client; API Gateway logs `-` where a value is missing.
TENANT_REQUEST = '($.clientId != "-")'
FILTER_PATTERNS = {
    REQUESTS_METRIC: f"{{ {TENANT_REQUEST} }}",
    ERRORS_METRIC: f'{{ {TENANT_REQUEST} && ($.status = "5*") }}',
}
ERROR_RATE_PERIOD_S = 300
USAGE_WRITE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")


@dataclass(frozen=True, kw_only=True)
class TenantMeteringProps:
    names: Names
    kms_key_arn: str
    lambda_role_name: str
    api_log_group_name: str | None = None
    metric_namespace: str = "MCP/TenantMetering"
    usage_ttl_days: int = 90
    enable_quota_alarm: bool = True
    quota_request_threshold: int = 10000
    quota_alarm_period: int = 86400
    quota_alarm_evaluation_periods: int = 1
    error_rate_threshold: float = 50
    alarm_sns_topic_arn: str | None = None
    actions_enabled: bool = True
    deletion_protection: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


class TenantMetering(Construct):
    """Usage table, metric filters on the access log, per-tenant alarms, alarm topic."""

    def __init__(self, scope: Construct, id: str, props: TenantMeteringProps):
        super().__init__(scope, id)
        self.props = props
        names = props.names
        tags = dict(props.tags) or None
        t = aws.dynamodb_table
        self.table = t.DynamodbTable(
            self,
            "usage",
            name=names.usage_table,
            billing_mode="PAY_PER_REQUEST",
            hash_key=TENANT_ID,
            range_key=PERIOD_KEY,
            attribute=[t.DynamodbTableAttribute(name=k, type="S") for k in (TENANT_ID, PERIOD_KEY)],
            global_secondary_index=[
                t.DynamodbTableGlobalSecondaryIndex(
                    name=PERIOD_INDEX, hash_key=PERIOD_KEY, range_key=TENANT_ID, projection_type="ALL"
                )
            ],
            ttl=t.DynamodbTableTtl(attribute_name=USAGE_TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery=t.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=t.DynamodbTableServerSideEncryption(
                enabled=True, kms_key_arn=props.kms_key_arn
            ),
            deletion_protection_enabled=props.deletion_protection,
            tags=tags,
        )
        self.grant = self.grant_write(props.lambda_role_name)

        self.topic = None
        if props.alarm_sns_topic_arn:
            self.topic_arn = props.alarm_sns_topic_arn
        else:
            self.topic = aws.sns_topic.SnsTopic(
                self, "topic", name=names.metering_topic, kms_master_key_id=props.kms_key_arn, tags=tags
            )
            self.topic_arn = self.topic.arn

        self.filters = {}
        if props.api_log_group_name:
            mf = aws.cloudwatch_log_metric_filter
            for metric, pattern in FILTER_PATTERNS.items():
                what = "requests" if metric == REQUESTS_METRIC else "errors"
                self.filters[metric] = mf.CloudwatchLogMetricFilter(
                    self,
                    what,
                    name=names.metric_filter(what),
                    log_group_name=props.api_log_group_name,
                    pattern=pattern,
                    metric_transformation=mf.CloudwatchLogMetricFilterMetricTransformation(
                        name=metric,
                        namespace=props.metric_namespace,
                        value="1",
                        unit="Count",
                        # No default value: CloudWatch Logs rejects one with dimensions.
                        dimensions={TENANT_DIMENSION: "$.clientId"},
                    ),
                )
        self.alarms: dict[str, dict[str, object]] = {}

    def grant_write(self, role_name: str):
        """Read-modify-write of usage items (no scans, no deletes); the key only via DynamoDB."""
        return inline_policy(
            self,
            "write",
            role=role_name,
            name=f"{self.props.names.usage_table}-write",
            statements=[
                Statement(sid="UsageItems", actions=USAGE_WRITE_ACTIONS, resources=[self.table.arn]),
                Statement(
                    sid="UsageTableKeyThroughDynamoDb",
                    actions=TABLE_KEY_ACTIONS,
                    resources=[self.props.kms_key_arn],
                    conditions={"StringEquals": {"kms:ViaService": via_service(self, "dynamodb")}},
                ),
            ],
        )

    def add_tenant(self, tenant: str, client_id: str, quota_request_threshold: int | None = None):
        """The quota and error-rate alarms of one tenant (needs the access log's filters)."""
        if not self.filters:
            raise ValueError("per-tenant alarms read the access log's metrics; give api_log_group_name")
        p = self.props
        alarm = aws.cloudwatch_metric_alarm
        dims = {TENANT_DIMENSION: client_id}
        common = dict(
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            actions_enabled=p.actions_enabled,
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
            tags=dict(p.tags) or None,
            depends_on=list(self.filters.values()),
        )
        found = {}
        if p.enable_quota_alarm:
            found["quota"] = alarm.CloudwatchMetricAlarm(
                self,
                f"tenant_{tenant}_quota",
                alarm_name=p.names.tenant_alarm(tenant, "quota"),
                alarm_description=f"Tenant {tenant}: requests per {p.quota_alarm_period} s at quota",
                namespace=p.metric_namespace,
                metric_name=REQUESTS_METRIC,
                dimensions=dims,
                statistic="Sum",
                period=p.quota_alarm_period,
                evaluation_periods=p.quota_alarm_evaluation_periods,
                threshold=quota_request_threshold or p.quota_request_threshold,
                **common,
            )

        def metric(id: str, name: str):
            return alarm.CloudwatchMetricAlarmMetricQuery(
                id=id,
                metric=alarm.CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=p.metric_namespace,
                    metric_name=name,
                    dimensions=dims,
                    stat="Sum",
                    period=ERROR_RATE_PERIOD_S,
                ),
            )

        found["error_rate"] = alarm.CloudwatchMetricAlarm(
            self,
            f"tenant_{tenant}_error_rate",
            alarm_name=p.names.tenant_alarm(tenant, "error-rate"),
            alarm_description=f"Tenant {tenant}: percentage of requests failing with 5xx",
            evaluation_periods=1,
            threshold=p.error_rate_threshold,
            metric_query=[
                metric("errors", ERRORS_METRIC),
                metric("requests", REQUESTS_METRIC),
                alarm.CloudwatchMetricAlarmMetricQuery(
                    id="error_rate",
                    # No ErrorCount datapoint means no errors (filters with dimensions cannot
                    # emit a default 0).
                    expression="IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
                    label="Error rate (%)",
                    return_data=True,
                ),
            ],
            **common,
        )
        self.alarms[tenant] = found
        return found

    # -- the seed module's outputs ------------------------------------------------------------

    @property
    def usage_table_name(self) -> str:
        return self.table.name

    @property
    def usage_table_arn(self) -> str:
        return self.table.arn

    @property
    def metric_namespace(self) -> str:
        return self.props.metric_namespace

    @property
    def sns_topic_arn(self) -> str:
        return self.topic_arn

    @property
    def request_count_metric_filter_name(self) -> str | None:
        f = self.filters.get(REQUESTS_METRIC)
        return f.name if f else None

    @property
    def error_count_metric_filter_name(self) -> str | None:
        f = self.filters.get(ERRORS_METRIC)
        return f.name if f else None
