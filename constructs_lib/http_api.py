"""API Gateway HTTP API (v2) front door: the three MCP routes on one Lambda integration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from constructs import Construct

from . import aws
from .auth import SCOPE
from .compliance import METADATA_IS_PUBLIC, skip_check
from .front_door import FrontDoor, FrontDoorProps, access_log_format
from .function import McpFunction
from .logs import EncryptedLogGroup
from .limits import FRONT_DOOR_LIMIT_S, MCP_ROUTE_KEYS
from .transport import (
    CORS_EXPOSE_HEADERS,
    CORS_MAX_AGE_S,
    CORS_METHODS,
    METADATA_PATHS,
)

# HTTP API integrations time out after 30 s at most, whatever the function's timeout.
HTTP_API_MAX_INTEGRATION_TIMEOUT_S = FRONT_DOOR_LIMIT_S["http"]

@dataclass(frozen=True, kw_only=True)
class McpHttpApiProps(FrontDoorProps):
    """What `McpHttpApi` needs. Defaults are the seed's."""

    integration_timeout_seconds: int = HTTP_API_MAX_INTEGRATION_TIMEOUT_S
    # Serves the OAuth protected-resource metadata; required with `auth`.
    metadata_function: McpFunction | None = None


class McpHttpApi(FrontDoor):
    """HTTP API with `POST`, `GET` and `DELETE /mcp`, JSON access logs and stage throttling."""

    def __init__(self, scope: Construct, id: str, props: McpHttpApiProps):
        super().__init__(scope, id, props, timeout_limit_s=HTTP_API_MAX_INTEGRATION_TIMEOUT_S,
                         integrations="HTTP API integrations")  # fmt: skip
        self.api = aws.apigatewayv2_api.Apigatewayv2Api(
            self,
            "api",
            name=props.names.api,
            protocol_type="HTTP",
            # With a custom domain, clients reach the API only through it (and its mTLS).
            disable_execute_api_endpoint=True if props.custom_domain_name else None,
            description=f"MCP server {props.names.prefix} (Streamable HTTP transport)",
            # API Gateway answers CORS preflight itself, before any authorizer runs.
            cors_configuration=aws.apigatewayv2_api.Apigatewayv2ApiCorsConfiguration(
                allow_origins=list(props.cors_allowed_origins),
                allow_methods=list(CORS_METHODS),
                allow_headers=list(props.cors_allow_headers),
                expose_headers=list(CORS_EXPOSE_HEADERS),
                max_age=CORS_MAX_AGE_S,
            ),
        )
        self.access_logs = EncryptedLogGroup(
            self,
            "access_logs",
            name=props.names.api_access_log_group,
            retention_days=props.log_retention_days,
            key=props.kms_key,
        )
        self.integration = aws.apigatewayv2_integration.Apigatewayv2Integration(
            self,
            "integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=props.function.invoke_arn,
            payload_format_version="2.0",
            timeout_milliseconds=props.integration_timeout_seconds * 1000,
        )
        self.authorizer = None
        if props.auth:
            self.authorizer = aws.apigatewayv2_authorizer.Apigatewayv2Authorizer(
                self,
                "authorizer",
                api_id=self.api.id,
                name="cognito",
                authorizer_type="JWT",
                identity_sources=["$request.header.Authorization"],
                # Cognito access tokens carry client_id instead of aud; API Gateway checks
                # either against the audience.
                jwt_configuration=aws.apigatewayv2_authorizer.Apigatewayv2AuthorizerJwtConfiguration(
                    issuer=props.auth.issuer, audience=list(props.auth.client_ids)
                ),
            )
            self.audience = list(props.auth.client_ids)
        auth = (
            {
                "authorization_type": "JWT",
                "authorizer_id": self.authorizer.id,
                "authorization_scopes": [SCOPE],
            }
            if self.authorizer
            else {"authorization_type": "NONE"}
        )
        self.routes = {
            key: aws.apigatewayv2_route.Apigatewayv2Route(
                self,
                "route_" + key.split()[0].lower(),
                api_id=self.api.id,
                route_key=key,
                target=f"integrations/{self.integration.id}",
                **auth,
            )
            for key in MCP_ROUTE_KEYS
        }
        if not self.authorizer:
            for route in self.routes.values():
                skip_check(route, "CKV_AWS_309", "enable_auth = false in this environment")
        elif props.metadata_function is not None or not props.own_authorization_server:
            self._metadata_routes(props)
        st = aws.apigatewayv2_stage
        self.stage = st.Apigatewayv2Stage(
            self,
            "stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=st.Apigatewayv2StageAccessLogSettings(
                destination_arn=self.access_logs.arn,
                format=access_log_format("http"),
            ),
            default_route_settings=st.Apigatewayv2StageDefaultRouteSettings(
                throttling_rate_limit=props.throttle_rate_limit,
                throttling_burst_limit=props.throttle_burst_limit,
                detailed_metrics_enabled=True,
            ),
            route_settings=[
                st.Apigatewayv2StageRouteSettings(
                    route_key=key,
                    throttling_rate_limit=override.throttling_rate_limit,
                    throttling_burst_limit=override.throttling_burst_limit,
                    detailed_metrics_enabled=True,
                )
                for key, override in sorted(props.route_throttle_overrides.items())
            ]
            or None,
            # Route settings name routes that must exist first.
            depends_on=list(self.routes.values()),
        )
        self.permission = props.function.add_permission(
            "http_api",
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/*/*/mcp",
        )

    def _metadata_routes(self, props: McpHttpApiProps) -> None:
        """RFC 9728 discovery: both well-known paths, readable without a token."""
        if props.metadata_function is None:
            raise ValueError("metadata_function: required with auth (serves RFC 9728 metadata)")
        integration = aws.apigatewayv2_integration.Apigatewayv2Integration(
            self, "metadata_integration", api_id=self.api.id, integration_type="AWS_PROXY",
            integration_method="POST", integration_uri=props.metadata_function.invoke_arn,
            payload_format_version="2.0", timeout_milliseconds=5000,
        )  # fmt: skip
        for index, path in enumerate(METADATA_PATHS):
            route = aws.apigatewayv2_route.Apigatewayv2Route(
                self, f"route_metadata_{index}", api_id=self.api.id, route_key=f"GET {path}",
                target=f"integrations/{integration.id}", authorization_type="NONE",
            )  # fmt: skip
            skip_check(route, "CKV_AWS_309", METADATA_IS_PUBLIC)
            self.routes[f"GET {path}"] = route
        props.metadata_function.add_permission(
            "http_api",
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/*/GET/{METADATA_PATHS[0].lstrip('/')}*",
        )

    def accept_client(self, client_id: str) -> None:
        self.audience.append(client_id)
        self.authorizer.put_jwt_configuration(issuer=self.props.auth.issuer, audience=list(self.audience))

    def add_public_routes(self, id: str, function: McpFunction, routes: Sequence[tuple[str, str]], reason: str) -> None:
        """Each (method, path) proxied to `function` without an authorizer; the function may be
        invoked for exactly these routes."""
        integration = aws.apigatewayv2_integration.Apigatewayv2Integration(
            self, f"{id}_integration", api_id=self.api.id, integration_type="AWS_PROXY",
            integration_method="POST", integration_uri=function.invoke_arn, payload_format_version="2.0",
            timeout_milliseconds=HTTP_API_MAX_INTEGRATION_TIMEOUT_S * 1000,
        )  # fmt: skip
        for index, (verb, path) in enumerate(routes):
            route = aws.apigatewayv2_route.Apigatewayv2Route(
                self, f"route_{id}_{index}", api_id=self.api.id, route_key=f"{verb} {path}",
                target=f"integrations/{integration.id}", authorization_type="NONE",
            )  # fmt: skip
            skip_check(route, "CKV_AWS_309", reason)
            self.routes[f"{verb} {path}"] = route
            function.add_permission(f"http_api_{index}", principal="apigateway.amazonaws.com",
                                    source_arn=f"{self.api.execution_arn}/*/{verb}{path}")  # fmt: skip

    SERVER_ERRORS_METRIC = "5xx"
    CLIENT_ERRORS_METRIC = "4xx"

    @property
    def api_endpoint(self) -> str:
        return self.api.api_endpoint

    @property
    def stage_reference(self) -> str:
        return self.stage.name

    @property
    def default_base_path(self) -> str:
        return ""  # the $default stage is at the root

    @property
    def _metric_dimensions(self) -> dict[str, str]:
        return {"ApiId": self.api.id}
