"""What every API Gateway front door takes and exposes to `McpServer`, whichever flavour it
is, and the one access-log format both write."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from constructs import Construct

from .auth import McpAuth
from .context import dns_suffix, region
from .checks import doc
from .function import McpFunction
from .release import ReleaseAlias
from .kms import KeyLike
from .monitoring import Metric
from .naming import Names
from .transport import CORS_ALLOW_HEADERS, SCOPE


@dataclass(frozen=True)
class RouteThrottle:
    """Throttling for one route, overriding the stage defaults."""

    throttling_rate_limit: float = field(metadata=doc("Steady-state requests per second."))
    throttling_burst_limit: int = field(metadata=doc("Maximum burst of requests."))


def access_log_format(kind: Literal["http", "rest"]) -> str:
    """The structured access-log record (AU-3: what, when, where, source, outcome, identity).
    `clientId` is the verified tenant (the token's app client), for per-tenant metering."""
    record = {
        "requestId": "$context.requestId", "requestTime": "$context.requestTime",
        "sourceIp": "$context.identity.sourceIp", "userAgent": "$context.identity.userAgent",
        "httpMethod": "$context.httpMethod",
        **({"routeKey": "$context.routeKey"} if kind == "http" else {}),
        "path": "$context.path", "protocol": "$context.protocol", "status": "$context.status",
        "responseLength": "$context.responseLength", "responseLatency": "$context.responseLatency",
        "integrationStatus": "$context.integrationStatus",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
    }  # fmt: skip
    clients = {"clientId": "$context.authorizer.claims.client_id"}
    errors = {"authorizerError": "$context.authorizer.error"}
    if kind == "http":
        record |= {**errors, **clients}
    else:  # REST: the resource path instead of a route key, and what WAF decided
        record |= {"resourcePath": "$context.resourcePath", **clients, **errors,
                   "wafResponseCode": "$context.wafResponseCode"}  # fmt: skip
    return json.dumps(record, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class FrontDoorProps:
    """What both front doors need. Defaults are the seed's."""

    names: Names
    # What the front door invokes: the function, or its release alias.
    function: McpFunction | ReleaseAlias
    kms_key: KeyLike
    log_retention_days: int = 30
    throttle_rate_limit: float = 100
    throttle_burst_limit: int = 50
    route_throttle_overrides: Mapping[str, RouteThrottle] = field(default_factory=dict)
    # The front door's own limit unless shorter (each subclass sets its limit as default).
    integration_timeout_seconds: int
    auth: McpAuth | None = None
    cors_allowed_origins: tuple[str, ...] = ("*",)
    cors_allow_headers: tuple[str, ...] = CORS_ALLOW_HEADERS
    # A custom domain (`mcp.example.com`) the API is reached at instead of its execute-api
    # host, which is then disabled so the domain (and its mTLS) cannot be bypassed.
    custom_domain_name: str | None = None
    # The scopes the protected-resource metadata lists (`mcp/invoke` first).
    scopes: tuple[str, ...] = (SCOPE,)
    # The metadata names this API itself as the authorization server (the sign-in facade
    # answers there) instead of the Cognito pool.
    own_authorization_server: bool = False


class FrontDoor(Construct):
    """Base of `McpHttpApi` and `McpRestApi`: subclasses set `api`, `access_logs`, `stage`,
    `api_endpoint`, `stage_reference`, `default_base_path`, `SERVER_ERRORS_METRIC`,
    `CLIENT_ERRORS_METRIC` and `_metric_dimensions`."""

    SERVER_ERRORS_METRIC: str
    CLIENT_ERRORS_METRIC: str

    def __init__(self, scope: Construct, id: str, props: FrontDoorProps, *, timeout_limit_s: int, integrations: str):
        """Holds `props`, whose integration timeout must fit what `integrations` allow."""
        super().__init__(scope, id)
        if not 1 <= props.integration_timeout_seconds <= timeout_limit_s:
            raise ValueError(f"integration_timeout_seconds: {integrations} allow 1 to {timeout_limit_s} s")
        self.props = props

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
    def stage_reference(self) -> str:
        """The stage's name as a reference to it (what is mapped waits for the stage)."""
        raise NotImplementedError

    @property
    def default_base_path(self) -> str:
        """The path the default endpoint's URLs start with ("" or "/<stage>")."""
        raise NotImplementedError

    @property
    def default_host(self) -> str:
        """The API's own execute-api host name."""
        return f"{self.api_id}.execute-api.{region(self)}.{dns_suffix(self)}"

    @property
    def public_base_url(self) -> str:
        """Where clients reach the API: the custom domain's root, else the default endpoint."""
        domain = self.props.custom_domain_name
        return f"https://{domain}" if domain else self.api_endpoint

    @property
    def base_url(self) -> str:
        """`public_base_url` built from the API's id alone (no stage or deployment), for what
        the API's own integrations depend on."""
        domain = self.props.custom_domain_name
        return f"https://{domain}" if domain else f"https://{self.default_host}{self.default_base_path}"

    def accept_client(self, client_id: str) -> None:
        """Accept tokens of one more app client of the pool (a Cognito authorizer accepts any
        client of its pool; the HTTP API's JWT authorizer lists them)."""

    def add_public_routes(self, id: str, function: McpFunction, routes: Sequence[tuple[str, str]], reason: str) -> None:
        """Proxy each (method, path) to `function` without any authorizer, for `reason`."""
        raise NotImplementedError

    @property
    def mcp_endpoint_url(self) -> str:
        return f"{self.public_base_url}/mcp"

    @property
    def access_log_group_name(self) -> str:
        return self.access_logs.name

    @property
    def server_errors(self) -> Metric:
        return Metric("AWS/ApiGateway", self.SERVER_ERRORS_METRIC, self._metric_dimensions)

    @property
    def latency(self) -> Metric:
        return Metric("AWS/ApiGateway", "Latency", self._metric_dimensions)

    @property
    def client_errors(self) -> Metric:
        return Metric("AWS/ApiGateway", self.CLIENT_ERRORS_METRIC, self._metric_dimensions)

    @property
    def requests(self) -> Metric:
        return Metric("AWS/ApiGateway", "Count", self._metric_dimensions)
