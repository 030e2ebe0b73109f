"""Tenant metering: per-tenant usage records and request/error figures from the API access log.

The API access log carries `clientId` (the verified tenant) on every request, so two metric
filters publish `RequestCount` and `ErrorCount` with the dimension `TenantId`. Each declared
tenant gets a quota alarm (requests per period) and an error-rate alarm on those metrics. The
function records usage in a table keyed by `tenant_id` + `period`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from constructs import Construct

from . import aws
from .checks import Problem, doc, resolved, rule, rules_of, run_rules
from .iam import Grantable, Statement, inline_policy
from .kms import KeyLike, allow_alarm_topic, key_arn, key_through
from .limits import METRIC_NAMESPACE, SNS_TOPIC_ARN
from .naming import Names
from .sessions import TABLE_KEY_ACTIONS, replica_arguments
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


@dataclass(frozen=True)
class TenantMeteringOptions:
    """The seed metering module's inputs that a deployment does not wire itself (`[tenant_metering]`)."""

    tags: Mapping[str, str] = field(default_factory=dict, metadata=doc("More tags on the usage table, topic and alarms"))
    metric_namespace: str = field(default="MCP/TenantMetering", metadata=doc("CloudWatch namespace of the tenant metrics"))
    usage_ttl_days: int = field(default=90, metadata=doc("Days a usage record is kept (DynamoDB TTL)"))
    enable_quota_alarm: bool = field(default=True, metadata=doc("Alarm when a tenant's requests in a period reach its quota"))
    quota_request_threshold: int = field(default=10000, metadata=doc("Requests per quota period (a tenant may set its own)"))
    quota_alarm_period: int = field(default=86400, metadata=doc("Quota period in seconds (a multiple of 60)"))
    quota_alarm_evaluation_periods: int = field(default=1, metadata=doc("Quota periods evaluated together"))
    error_rate_threshold: float = field(default=50, metadata=doc("Percentage of a tenant's requests failing with 5xx"))
    alarm_sns_topic_arn: str | None = field(default=None, metadata=doc(
        "Topic for the metering alarms (default: the server's alarm topic)"))  # fmt: skip

    @rule("metric_namespace")
    def _namespace(self) -> list[Problem]:
        problem = METRIC_NAMESPACE.problem(resolved(self.metric_namespace))
        return [(("metric_namespace",), problem)] if problem else []

    @rule("usage_ttl_days")
    def _ttl(self) -> list[Problem]:
        if 1 <= resolved(self.usage_ttl_days) <= 3650:
            return []
        return [(("usage_ttl_days",), "must be 1 to 3650 days")]

    @rule("quota_request_threshold", "quota_alarm_evaluation_periods")
    def _positive_counts(self) -> list[Problem]:
        return [((f,), "must be at least 1") for f in ("quota_request_threshold", "quota_alarm_evaluation_periods")
                if resolved(getattr(self, f)) < 1]  # fmt: skip

    @rule("quota_alarm_period")
    def _one_minute_periods(self) -> list[Problem]:
        period = resolved(self.quota_alarm_period)
        if period >= 60 and period % 60 == 0:
            return []
        return [(("quota_alarm_period",),
            "must be a multiple of 60, at least 60: the metrics come from log metric filters, "
            "which publish at one-minute resolution")]  # fmt: skip

    @rule("quota_alarm_period", "quota_alarm_evaluation_periods")
    def _alarm_window(self) -> list[Problem]:
        period = resolved(self.quota_alarm_period)
        window = period * resolved(self.quota_alarm_evaluation_periods)
        limit = 86400 if period < 3600 else 604800
        if window > limit:
            return [(("quota_alarm_evaluation_periods",),
                f"quota_alarm_period x quota_alarm_evaluation_periods is {window} s; CloudWatch "
                f"allows {limit} s for a period {'under' if period < 3600 else 'of at least'} one hour")]  # fmt: skip
        return []

    @rule("error_rate_threshold")
    def _percentage(self) -> list[Problem]:
        if 0 < resolved(self.error_rate_threshold) <= 100:
            return []
        return [(("error_rate_threshold",), "must be a percentage above 0 and at most 100")]

    @rule("alarm_sns_topic_arn")
    def _topic_shape(self) -> list[Problem]:
        topic = resolved(self.alarm_sns_topic_arn)
        problem = topic and SNS_TOPIC_ARN.problem(topic)
        return [(("alarm_sns_topic_arn",), problem)] if problem else []

    def problems(self, skip: Iterable[str] = ()) -> list[Problem]:
        return run_rules(rules_of(vars(type(self))), self, skip)


@dataclass(frozen=True, kw_only=True)
class TenantMeteringProps:
    names: Names
    kms_key: KeyLike
    # Records usage: gets read-modify-write on usage items.
    function: Grantable
    # The access log whose clientId feeds the per-tenant metrics (none: no metrics, no alarms).
    api_log_group_name: str | None = None
    options: TenantMeteringOptions = field(default_factory=TenantMeteringOptions)
    actions_enabled: bool = True
    deletion_protection: bool = False
    # Global table: a replica in each of these regions, encrypted with the key given for it.
    replicas: Mapping[str, str] = field(default_factory=dict)


class TenantMetering(Construct):
    """Usage table, metric filters on the access log, per-tenant alarms, alarm topic."""

    def __init__(self, scope: Construct, id: str, props: TenantMeteringProps):
        super().__init__(scope, id)
        options = props.options
        problems = options.problems()
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems))
        self.props, self.options = props, options
        names = props.names
        tags = dict(options.tags) or None
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
                enabled=True, kms_key_arn=key_arn(props.kms_key)
            ),
            deletion_protection_enabled=props.deletion_protection,
            tags=tags,
            **replica_arguments(props.replicas, props.deletion_protection),
        )
        self.grant = self.grant_record_usage(props.function)

        self.topic = None
        if options.alarm_sns_topic_arn:
            self.topic_arn = options.alarm_sns_topic_arn
        else:
            allow_alarm_topic(props.kms_key, names.metering_topic)
            self.topic = aws.sns_topic.SnsTopic(
                self, "topic", name=names.metering_topic, kms_master_key_id=key_arn(props.kms_key), tags=tags
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
                        namespace=options.metric_namespace,
                        value="1",
                        unit="Count",
                        # No default value: CloudWatch Logs rejects one with dimensions.
                        dimensions={TENANT_DIMENSION: "$.clientId"},
                    ),
                )
        self.alarms: dict[str, dict[str, object]] = {}

    def grant_record_usage(self, grantee: Grantable):
        """Read-modify-write of usage items (no scans, no deletes); the key only via DynamoDB."""
        return inline_policy(
            self,
            "write",
            role=grantee.grant_principal.name,
            name=f"{self.props.names.usage_table}-write",
            statements=[
                Statement(sid="UsageItems", actions=USAGE_WRITE_ACTIONS, resources=[self.table.arn]),
                key_through(self, "UsageTableKeyThroughDynamoDb", self.props.kms_key, "dynamodb", TABLE_KEY_ACTIONS),
            ],
        )

    def add_tenant(self, tenant: str, client_id: str, quota_request_threshold: int | None = None):
        """The quota and error-rate alarms of one tenant (needs the access log's filters)."""
        if not self.filters:
            raise ValueError("per-tenant alarms read the access log's metrics; give api_log_group_name")
        p, o = self.props, self.options
        alarm = aws.cloudwatch_metric_alarm
        dims = {TENANT_DIMENSION: client_id}
        common = dict(
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            actions_enabled=p.actions_enabled,
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
            tags=dict(o.tags) or None,
            depends_on=list(self.filters.values()),
        )
        found = {}
        if o.enable_quota_alarm:
            found["quota"] = alarm.CloudwatchMetricAlarm(
                self,
                f"tenant_{tenant}_quota",
                alarm_name=p.names.tenant_alarm(tenant, "quota"),
                alarm_description=f"Tenant {tenant}: requests per {o.quota_alarm_period} s at quota",
                namespace=o.metric_namespace,
                metric_name=REQUESTS_METRIC,
                dimensions=dims,
                statistic="Sum",
                period=o.quota_alarm_period,
                evaluation_periods=o.quota_alarm_evaluation_periods,
                threshold=quota_request_threshold or o.quota_request_threshold,
                **common,
            )

        def metric(id: str, name: str):
            return alarm.CloudwatchMetricAlarmMetricQuery(
                id=id,
                metric=alarm.CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=o.metric_namespace,
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
            threshold=o.error_rate_threshold,
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
        return self.options.metric_namespace

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
