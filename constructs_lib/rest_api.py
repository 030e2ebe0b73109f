"""API Gateway REST API (v1) front door: what the HTTP API cannot do.

AWS WAF associates with a REST API stage but not with an HTTP API stage, and only a REST API
can set the `X-Amz-Tenant-Id` header that every invoke of a tenant-isolated function needs.
Here that header is mapped from the `client_id` claim of the access token the Cognito
authorizer has verified, never from anything the client sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from . import aws
from .auth import SCOPE
from .deployment import RestDeployment
from .compliance import METADATA_IS_PUBLIC, NO_CACHE, NO_CLIENT_CERT, skip_check
from .front_door import FrontDoor, FrontDoorProps, access_log_format
from .function import McpFunction
from .rest_responses import gateway_responses, mock_response
from .context import partition, region
from .iam import ServiceRole
from .logs import EncryptedLogGroup
from .naming import Names
from .limits import FRONT_DOOR_LIMIT_S, MCP_ROUTE_KEYS
from .transport import (
    CORS_MAX_AGE_S,
    CORS_METHODS,
    METADATA_PATHS,
    PROTECTED_RESOURCE,
    WELL_KNOWN,
    metadata_json,
    protected_resource_metadata,
)

# REST API integrations time out after 29 s unless AWS raises the account's quota, or after up
# to 15 minutes when they stream the response.
REST_API_MAX_INTEGRATION_TIMEOUT_S = FRONT_DOOR_LIMIT_S["rest"]
REST_API_MAX_STREAMING_TIMEOUT_S = FRONT_DOOR_LIMIT_S["rest-stream"]
# The verified token's app client is the tenant.
TENANT_SOURCE = "context.authorizer.claims.client_id"
TENANT_HEADER = "integration.request.header.X-Amz-Tenant-Id"

@dataclass(frozen=True, kw_only=True)
class McpRestApiProps(FrontDoorProps):
    """What `McpRestApi` needs beyond `FrontDoorProps`."""

    integration_timeout_seconds: int = REST_API_MAX_INTEGRATION_TIMEOUT_S
    # Stream the function's responses (InvokeWithResponseStream): progress reaches clients as
    # it happens and requests may run up to 15 minutes.
    response_streaming: bool = False
    tenant_isolation: bool = False
    waf_acl_arn: str | None = None
    enable_xray_tracing: bool = True
    create_cloudwatch_role: bool = False


class McpRestApi(FrontDoor):
    """REST API with `POST`, `GET`, `DELETE /mcp`, Cognito scopes, WAF and tenant routing."""

    def __init__(self, scope: Construct, id: str, props: McpRestApiProps):
        streaming = props.response_streaming
        super().__init__(scope, id, props, integrations=f"{'streaming' if streaming else 'buffered'} REST API integrations",
                         timeout_limit_s=REST_API_MAX_STREAMING_TIMEOUT_S if streaming else REST_API_MAX_INTEGRATION_TIMEOUT_S)  # fmt: skip
        if props.tenant_isolation and not props.auth:
            raise ValueError("tenant isolation needs enable_auth: the tenant is the verified token's client")
        self.stage_name = props.names.rest_api_stage
        self._api(props)
        self._routes(props)
        self._preflight(props)
        self.discovery = self._discovery(props) if self.authorizer else []
        self.error_responses = gateway_responses(self, props)
        self.deployment = RestDeployment(self, "deployment", rest_api_id=self.rest_api_id, deployed=[
            *self.methods.values(), *self.integrations.values(), *self.preflight, *self.discovery,
            *self.error_responses,
            # Disabling the default endpoint takes effect with the next deployment.
            *([self.api] if props.custom_domain_name else []),
        ])  # fmt: skip
        self._stage(props)
        self._throttles(props)
        if props.waf_acl_arn:
            self.waf_association = aws.wafv2_web_acl_association.Wafv2WebAclAssociation(
                self, "waf", resource_arn=self.stage.arn, web_acl_arn=props.waf_acl_arn
            )
        self.permission = props.function.add_permission(
            "rest_api",
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/*/*/mcp",
        )

    def _api(self, props: McpRestApiProps) -> None:
        """The API, its /mcp resource, the parameter validator and the Cognito authorizer."""
        self.api = aws.api_gateway_rest_api.ApiGatewayRestApi(
            self,
            "api",
            name=props.names.api,
            description=f"MCP server {props.names.prefix} (Streamable HTTP transport)",
            endpoint_configuration=aws.api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(
                types=["REGIONAL"]
            ),
            # With a custom domain, clients reach the API only through it (and its mTLS).
            disable_execute_api_endpoint=True if props.custom_domain_name else None,
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.rest_api_id = self.api.id  # read over jsii once
        # Rejects requests missing the parameters a method declares (Authorization) before
        # they reach the authorizer or the function.
        self.validator = aws.api_gateway_request_validator.ApiGatewayRequestValidator(
            self, "validator", rest_api_id=self.rest_api_id, name="parameters",
            validate_request_parameters=True, validate_request_body=False,
        )  # fmt: skip
        self.resource = aws.api_gateway_resource.ApiGatewayResource(
            self, "mcp", rest_api_id=self.rest_api_id, parent_id=self.api.root_resource_id, path_part="mcp"
        )
        self.mcp_resource_id = self.resource.id
        # Resources by path below the root, for routes added later.
        self.resources: dict[str, aws.api_gateway_resource.ApiGatewayResource] = {"mcp": self.resource}
        self.authorizer = None
        if props.auth:
            self.authorizer = aws.api_gateway_authorizer.ApiGatewayAuthorizer(
                self,
                "authorizer",
                name="cognito",
                rest_api_id=self.rest_api_id,
                type="COGNITO_USER_POOLS",
                provider_arns=[props.auth.user_pool_arn],
                identity_source="method.request.header.Authorization",
            )

    def _routes(self, props: McpRestApiProps) -> None:
        """POST, GET and DELETE /mcp: token-checked methods proxied to the function."""
        self.methods, self.integrations = {}, {}
        for route in MCP_ROUTE_KEYS:
            verb = route.split()[0]
            method = aws.api_gateway_method.ApiGatewayMethod(
                self,
                f"method_{verb.lower()}",
                rest_api_id=self.rest_api_id,
                resource_id=self.mcp_resource_id,
                http_method=verb,
                authorization="COGNITO_USER_POOLS" if self.authorizer else "NONE",
                authorizer_id=self.authorizer.id if self.authorizer else None,
                authorization_scopes=[SCOPE] if self.authorizer else None,
                request_validator_id=self.validator.id,
                request_parameters={"method.request.header.Authorization": True}
                if self.authorizer
                else None,
            )
            self.methods[route] = method
            if not self.authorizer:
                skip_check(method, "CKV_AWS_59", "enable_auth = false in this environment")
            self.integrations[route] = aws.api_gateway_integration.ApiGatewayIntegration(
                self,
                f"integration_{verb.lower()}",
                rest_api_id=self.rest_api_id,
                resource_id=self.mcp_resource_id,
                http_method=method.http_method,  # a reference: the method exists first
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=self._invocation_uri(props),
                response_transfer_mode="STREAM" if props.response_streaming else None,
                timeout_milliseconds=props.integration_timeout_seconds * 1000,
                request_parameters={TENANT_HEADER: TENANT_SOURCE} if props.tenant_isolation else None,
            )

    def _stage(self, props: McpRestApiProps) -> None:
        """The stage: encrypted JSON access logs, X-Ray, and what Checkov is told about it."""
        self.access_logs = EncryptedLogGroup(
            self,
            "access_logs",
            name=props.names.api_access_log_group,
            retention_days=props.log_retention_days,
            key=props.kms_key,
        )
        stage_depends = []
        if props.create_cloudwatch_role:
            stage_depends.append(self._account_logging_role(props.names))
        st = aws.api_gateway_stage
        self.stage = st.ApiGatewayStage(
            self,
            "stage",
            rest_api_id=self.rest_api_id,
            deployment_id=self.deployment.id,
            stage_name=self.stage_name,
            xray_tracing_enabled=props.enable_xray_tracing,
            access_log_settings=st.ApiGatewayStageAccessLogSettings(
                destination_arn=self.access_logs.arn,
                format=access_log_format("rest"),
            ),
            depends_on=stage_depends or None,
        )
        skip_check(self.stage, "CKV_AWS_120", NO_CACHE)
        skip_check(self.stage, "CKV2_AWS_51", NO_CLIENT_CERT)
        if not props.create_cloudwatch_role:
            skip_check(self.stage, "CKV2_AWS_4",
                "execution logging needs the account-level CloudWatch role "
                "(api_gateway_cloudwatch_role = true); JSON access logs are on")  # fmt: skip
        if props.waf_acl_arn:
            skip_check(self.stage, "CKV2_AWS_77",
                "the web ACL (waf_acl_arn) is managed outside this stack; its rules are its owner's")  # fmt: skip
        else:
            skip_check(self.stage, "CKV2_AWS_29", "no waf_acl_arn configured for this environment")

    def _throttles(self, props: McpRestApiProps) -> None:
        """Stage-wide throttling and metrics, and each route's throttle override."""
        ms = aws.api_gateway_method_settings
        throttles = {"*/*": (props.throttle_rate_limit, props.throttle_burst_limit)}
        for route, override in sorted(props.route_throttle_overrides.items()):
            throttles[f"mcp/{route.split()[0]}"] = (
                override.throttling_rate_limit,
                override.throttling_burst_limit,
            )
        self.method_settings = [
            ms.ApiGatewayMethodSettings(
                self,
                "settings_all" if path == "*/*" else f"settings_{path.split('/')[1].lower()}",
                rest_api_id=self.rest_api_id,
                stage_name=self.stage.stage_name,
                method_path=path,
                settings=ms.ApiGatewayMethodSettingsSettings(
                    throttling_rate_limit=rate,
                    throttling_burst_limit=burst,
                    metrics_enabled=True,
                    logging_level="ERROR" if props.create_cloudwatch_role else "OFF",
                    data_trace_enabled=False,
                    caching_enabled=False,
                ),
            )
            for path, (rate, burst) in throttles.items()
        ]
        for settings in self.method_settings:
            skip_check(settings, "CKV_AWS_225", NO_CACHE)

    def _invocation_uri(self, props: McpRestApiProps) -> str:
        """Lambda's Invoke, or InvokeWithResponseStream when the integration streams."""
        if not props.response_streaming:
            return props.function.invoke_arn
        return (
            f"arn:{partition(self)}:apigateway:{region(self)}:lambda:path/2021-11-15/functions/"
            f"{props.function.function_arn}/response-streaming-invocations"
        )

    def _preflight(self, props: McpRestApiProps) -> None:
        """OPTIONS /mcp answered by API Gateway itself (MOCK), with no authorizer."""
        method = aws.api_gateway_method.ApiGatewayMethod(
            self, "method_options", rest_api_id=self.rest_api_id, resource_id=self.mcp_resource_id,
            http_method="OPTIONS", authorization="NONE", request_validator_id=self.validator.id,
        )  # fmt: skip
        self.preflight = [method, *mock_response(self, 
            "options", self.resource, method, status="204", body="",
            origins=props.cors_allowed_origins,
            headers={
                "Access-Control-Allow-Headers": ",".join(props.cors_allow_headers),
                "Access-Control-Allow-Methods": ",".join(CORS_METHODS),
                "Access-Control-Max-Age": str(CORS_MAX_AGE_S),
            },
        )]  # fmt: skip

    def _discovery(self, props: McpRestApiProps) -> list:
        """RFC 9728 metadata at both well-known paths under the stage, and 401/403 challenges
        whose WWW-Authenticate names it (a REST API's URL starts with the stage, so clients
        find the document through the challenge, not at the host's root)."""
        names, auth = props.names, props.auth
        well_known = aws.api_gateway_resource.ApiGatewayResource(
            self, "well_known", rest_api_id=self.rest_api_id, parent_id=self.api.root_resource_id,
            path_part=WELL_KNOWN,
        )  # fmt: skip
        root_document = aws.api_gateway_resource.ApiGatewayResource(
            self, "protected_resource", rest_api_id=self.rest_api_id, parent_id=well_known.id,
            path_part=PROTECTED_RESOURCE,
        )  # fmt: skip
        mcp_document = aws.api_gateway_resource.ApiGatewayResource(
            self, "protected_resource_mcp", rest_api_id=self.rest_api_id, parent_id=root_document.id,
            path_part="mcp",
        )  # fmt: skip
        self.resources[WELL_KNOWN] = well_known
        parts = [well_known, root_document, mcp_document]
        # The default endpoint's URLs start with the stage; a custom domain maps it at its root.
        base = self.public_base_url if props.custom_domain_name else "https://$context.domainName/$context.stage"
        for index, (resource, suffix) in enumerate(((root_document, ""), (mcp_document, "/mcp"))):
            method = aws.api_gateway_method.ApiGatewayMethod(
                self, f"method_metadata_{index}", rest_api_id=self.rest_api_id, resource_id=resource.id,
                http_method="GET", authorization="NONE", request_validator_id=self.validator.id,
            )  # fmt: skip
            skip_check(method, "CKV_AWS_59", METADATA_IS_PUBLIC)
            document = protected_resource_metadata(
                # With sign-in the facade on this API first (people's clients take the first), and
                # the pool still (machine clients configured with its issuer match it).
                base + suffix, (base, auth.issuer) if props.own_authorization_server else auth.issuer, props.scopes,
                f"MCP server {names.prefix}",
            )  # fmt: skip
            parts += [method, *mock_response(self, 
                f"metadata_{index}", resource, method, status="200",
                body=metadata_json(document), origins=props.cors_allowed_origins,
                headers={"Cache-Control": "max-age=300"},
            )]  # fmt: skip

        return parts

    def add_public_routes(self, id: str, function: McpFunction, routes: Sequence[tuple[str, str]], reason: str) -> None:
        """Each (method, path) proxied to `function` (buffered, no authorizer), deployed with
        the rest; the function may be invoked for exactly these routes."""
        for index, (verb, path) in enumerate(routes):
            resource = self._resource(path.strip("/"))
            method = aws.api_gateway_method.ApiGatewayMethod(
                self, f"method_{id}_{index}", rest_api_id=self.rest_api_id, resource_id=resource.id,
                http_method=verb, authorization="NONE", request_validator_id=self.validator.id,
            )  # fmt: skip
            if verb != "OPTIONS":  # a preflight is open by definition (Checkov and the rule pack agree)
                skip_check(method, "CKV_AWS_59", reason)
            integration = aws.api_gateway_integration.ApiGatewayIntegration(
                self, f"integration_{id}_{index}", rest_api_id=self.rest_api_id, resource_id=resource.id,
                http_method=method.http_method, type="AWS_PROXY", integration_http_method="POST",
                uri=function.invoke_arn,
            )  # fmt: skip
            self.deployment.add(method, integration)
            function.add_permission(f"rest_api_{index}", principal="apigateway.amazonaws.com",
                                    source_arn=f"{self.api.execution_arn}/*/{verb}/{path.strip('/')}")  # fmt: skip

    def _resource(self, path: str) -> aws.api_gateway_resource.ApiGatewayResource:
        """The resource at `path` (below the root), made with its parents where missing."""
        if path not in self.resources:
            parent, _, part = path.rpartition("/")
            parent_id = self._resource(parent).id if parent else self.api.root_resource_id
            self.resources[path] = aws.api_gateway_resource.ApiGatewayResource(
                self, "resource_" + "_".join(p.strip(".").replace("-", "_") for p in path.split("/")),
                rest_api_id=self.rest_api_id, parent_id=parent_id, path_part=part,
            )  # fmt: skip
            self.deployment.add(self.resources[path])
        return self.resources[path]

    @property
    def metadata_url(self) -> str:
        """Where the `/mcp` resource's metadata is, as the 401 and 403 challenges name it."""
        if self.props.custom_domain_name:
            return f"{self.public_base_url}{METADATA_PATHS[1]}"
        return f"https://{self.default_host}{self.default_base_path}{METADATA_PATHS[1]}"

    def _account_logging_role(self, names: Names):
        """The account-wide role API Gateway uses to write logs (one per account and region)."""
        role = ServiceRole(
            self, "cloudwatch_role", role_name=names.api_logging_role, service="apigateway.amazonaws.com",
            managed_policies=["service-role/AmazonAPIGatewayPushToCloudWatchLogs"],
            description="API Gateway account-level CloudWatch Logs role",
        )  # fmt: skip
        return aws.api_gateway_account.ApiGatewayAccount(
            self, "account", cloudwatch_role_arn=role.arn, depends_on=role.attachments
        )

    # -- what McpServer reads (the rest comes from FrontDoor) -----------------------------

    SERVER_ERRORS_METRIC = "5XXError"
    CLIENT_ERRORS_METRIC = "4XXError"

    @property
    def api_endpoint(self) -> str:
        return self.stage.invoke_url

    @property
    def stage_reference(self) -> str:
        return self.stage.stage_name

    @property
    def default_base_path(self) -> str:
        return f"/{self.stage_name}"

    @property
    def _metric_dimensions(self) -> dict[str, str]:
        return {"ApiName": self.api.name, "Stage": self.stage.stage_name}
