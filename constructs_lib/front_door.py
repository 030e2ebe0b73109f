"""What every API Gateway front door exposes to `McpServer`, whichever flavour it is."""

from __future__ import annotations

from constructs import Construct

from .monitoring import Metric


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
