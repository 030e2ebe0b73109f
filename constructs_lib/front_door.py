"""What every API Gateway front door exposes to `McpServer`, whichever flavour it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from constructs import Construct

from .auth import McpAuth
from .function import McpFunction
from .monitoring import Metric
from .naming import Names
from .props import RouteThrottle
from .transport import CORS_ALLOW_HEADERS


@dataclass(frozen=True, kw_only=True)
class FrontDoorProps:
    """What both front doors need. Defaults are the seed's."""

    names: Names
    function: McpFunction
    kms_key_arn: str
    log_retention_days: int = 30
    throttle_rate_limit: float = 100
    throttle_burst_limit: int = 50
    route_throttle_overrides: Mapping[str, RouteThrottle] = field(default_factory=dict)
    # The front door's own limit unless shorter (each subclass sets its limit as default).
    integration_timeout_seconds: int
    auth: McpAuth | None = None
    cors_allowed_origins: tuple[str, ...] = ("*",)
    cors_allow_headers: tuple[str, ...] = CORS_ALLOW_HEADERS


class FrontDoor(Construct):
    """Base of `McpHttpApi` and `McpRestApi`: subclasses set `api`, `access_logs`,
    `api_endpoint`, `SERVER_ERRORS_METRIC` and `_metric_dimensions`."""

    SERVER_ERRORS_METRIC: str

    @property
    def api_endpoint(self) -> str:
        raise NotImplementedError

    @property
    def _metric_dimensions(self) -> dict[str, str]:
        raise NotImplementedError

    @property
    def api_id(self) -> str:
        return self.api.id

    @property
    def mcp_endpoint_url(self) -> str:
        return f"{self.api_endpoint}/mcp"

    @property
    def access_log_group_name(self) -> str:
        return self.access_logs.name

    @property
    def server_errors(self) -> Metric:
        return Metric("AWS/ApiGateway", self.SERVER_ERRORS_METRIC, self._metric_dimensions)

    @property
    def latency(self) -> Metric:
        return Metric("AWS/ApiGateway", "Latency", self._metric_dimensions)
