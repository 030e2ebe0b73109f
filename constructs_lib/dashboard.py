"""A CloudWatch dashboard per deployment: the server's figures and each tenant's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from constructs import Construct

from . import aws
from .context import region
from .monitoring import PERIOD_S, Metric
from .naming import Names

WIDTH, HEIGHT = 12, 6


@dataclass(frozen=True, kw_only=True)
class DashboardProps:
    names: Names
    # The function's invocation dimensions (the function, or the alias the front door invokes).
    function_dimensions: Mapping[str, str]
    function_name: str
    api_requests: Metric
    api_client_errors: Metric
    api_server_errors: Metric
    api_latency: Metric
    tables: Mapping[str, str] = field(default_factory=dict)
    # Per-tenant metrics (metering): their namespace and the metric and dimension names.
    tenant_namespace: str | None = None
    tenant_metrics: Sequence[str] = ()
    tenant_dimension: str = "TenantId"


class Dashboard(Construct):
    """Widgets for the API (requests, errors, latency), the function (invocations, errors,
    throttles, duration, concurrency), each table's throttles and, with metering, a line per
    tenant of each tenant metric (a SEARCH, so tenants added later appear without a change)."""

    def __init__(self, scope: Construct, id: str, props: DashboardProps):
        super().__init__(scope, id)
        here = region(self)
        fn = props.function_dimensions
        widgets = [
            _widget("API requests and errors", here, [
                _line(props.api_requests, "Sum"), _line(props.api_client_errors, "Sum"),
                _line(props.api_server_errors, "Sum")]),
            _widget("API latency (ms)", here, [_line(props.api_latency, "p50"), _line(props.api_latency, "p99")]),
            _widget("Function invocations", here, [
                _line(Metric("AWS/Lambda", name, fn), "Sum") for name in ("Invocations", "Errors", "Throttles")]),
            _widget("Function duration (ms) and concurrency", here, [
                _line(Metric("AWS/Lambda", "Duration", fn), "p99"),
                _line(Metric("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": props.function_name}),
                      "Maximum", right=True)]),
        ]  # fmt: skip
        if props.tables:
            widgets.append(_widget("DynamoDB throttle events", here, [
                _line(Metric("AWS/DynamoDB", name, {"TableName": table}), "Sum")
                for table in props.tables.values() for name in ("ReadThrottleEvents", "WriteThrottleEvents")]))  # fmt: skip
        for metric in props.tenant_metrics if props.tenant_namespace else ():
            search = (f"SEARCH('{{{props.tenant_namespace},{props.tenant_dimension}}} "
                      f"MetricName=\"{metric}\"', 'Sum', {PERIOD_S})")  # fmt: skip
            widgets.append(_widget(f"{metric} by tenant", here, [[{"expression": search, "id": f"t{len(widgets)}"}]]))
        for index, widget in enumerate(widgets):
            widget |= {"x": (index % 2) * WIDTH, "y": (index // 2) * HEIGHT}
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self, "dashboard", dashboard_name=props.names.dashboard,
            dashboard_body=json.dumps({"widgets": widgets}, separators=(",", ":")),
        )  # fmt: skip

    @property
    def name(self) -> str:
        return self.dashboard.dashboard_name


def _line(metric: Metric, stat: str, *, right: bool = False) -> list:
    """One metric of a widget: namespace, name, dimension pairs, then its options."""
    pairs = [part for item in sorted(metric.dimensions.items()) for part in item]
    return [metric.namespace, metric.name, *pairs, {"stat": stat, **({"yAxis": "right"} if right else {})}]


def _widget(title: str, region: str, metrics: list) -> dict:
    return {
        "type": "metric", "width": WIDTH, "height": HEIGHT,
        "properties": {"title": title, "region": region, "metrics": metrics, "period": PERIOD_S, "view": "timeSeries"},
    }  # fmt: skip
