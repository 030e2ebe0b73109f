"""`McpServer`: the whole MCP server deployment, composed from one construct per AWS concern."""

from __future__ import annotations

from cdktf import Annotations
from constructs import Construct

from .auth import SCOPE, ExternalPool, McpAuth, McpAuthProps
from .discovery import MetadataFunction, MetadataFunctionProps
from .function import ImageCode, McpFunction, McpFunctionProps
from .http_api import McpHttpApi, McpHttpApiProps
from .kms import DeploymentKey, DeploymentKeyProps
from .logs import EncryptedLogGroup
from .metering import TenantMetering, TenantMeteringProps
from .monitoring import Monitoring, MonitoringProps
from .network import Network, NetworkProps
from .props import McpServerProps
from .registry import ImageRepository, ImageRepositoryProps
from .rest_api import McpRestApi, McpRestApiProps
from .sessions import SessionTable, SessionTableProps
from .tvm import TokenVendingMachine, TokenVendingMachineProps, vended_credentials_environment

# The seed module's outputs, by name, with their descriptions (README and stack outputs).
SEED_OUTPUTS: dict[str, str] = {
    "mcp_endpoint_url": "Full URL of the MCP JSON-RPC endpoint (POST/GET/DELETE /mcp)",
    "api_id": "ID of the API Gateway API (HTTP API, or REST API when that is the front door)",
    "api_endpoint": "Base endpoint URL of the API (REST API: the stage's invoke URL)",
    "lambda_function_arn": "ARN of the MCP server Lambda function",
    "lambda_function_name": "Name of the MCP server Lambda function",
    "lambda_role_arn": "ARN of the IAM role used by the Lambda function",
    "lambda_role_name": "Name of the IAM role used by the Lambda function",
    "cognito_user_pool_id": (
        "ID of the Cognito user pool (null if auth is disabled or using external pool)"
    ),
    "cognito_user_pool_endpoint": (
        "Endpoint of the Cognito user pool for JWT token issuance (null if auth is disabled)"
    ),
    "cognito_client_id": (
        "Client ID of the Cognito user pool client (null if auth is disabled or using external pool)"
    ),
    "ecr_repository_url": (
        "URL of the ECR repository for the MCP server container image (null if ECR is disabled)"
    ),
    "session_table_name": "Name of the DynamoDB session table (null if sessions are disabled)",
    "session_table_arn": "ARN of the DynamoDB session table (null if sessions disabled)",
    "log_group_name": "Name of the CloudWatch log group for the Lambda function",
    "api_log_group_name": "Name of the CloudWatch log group for the API Gateway access logs",
    "sns_topic_arn": "ARN of the SNS topic used for CloudWatch alarm notifications",
    "tenant_isolation_enabled": "Whether Lambda tenant isolation mode is enabled",
}

# Beyond the seed: what a client needs to get a token.
ACCESS_OUTPUTS: dict[str, str] = {
    "oauth_token_endpoint": (
        "OAuth 2.0 token endpoint for the client credentials grant (null if auth is disabled "
        "or using external pool)"
    ),
    "client_secret_command": (
        "AWS CLI command that prints the app client's secret (null if auth is disabled or "
        "using external pool)"
    ),
}
TENANT_CLIENT_OUTPUTS: dict[str, str] = {
    "tenant_client_ids": "App client id of each declared tenant, by tenant (the tenant identity)",
}

# The outputs of the seed's companion modules, as `tvm_<output>` and `metering_<output>`
# (declared when `[token_vending_machine]` / `[tenant_metering]` is present).
TVM_OUTPUTS: dict[str, str] = {
    "tvm_sts_policy_name": "Name of the function role's policy allowing it to assume tenant roles",
    "tvm_permission_boundary_arn": "ARN of the permission boundary of every tenant role",
    "tvm_permission_boundary_name": "Name of the permission boundary of every tenant role",
    "tvm_template_role_arn": "ARN of the template tenant role (null if enable_template_role is false)",
    "tvm_template_role_name": "Name of the template tenant role (null if enable_template_role is false)",
}
METERING_OUTPUTS: dict[str, str] = {
    "metering_usage_table_name": "Name of the DynamoDB tenant usage table",
    "metering_usage_table_arn": "ARN of the DynamoDB tenant usage table",
    "metering_metric_namespace": "CloudWatch namespace of the per-tenant metrics",
    "metering_sns_topic_arn": "ARN of the SNS topic of the metering alarms",
    "metering_request_count_metric_filter_name": "Name of the per-tenant request count metric filter",
    "metering_error_count_metric_filter_name": "Name of the per-tenant 5xx count metric filter",
}


class McpServer(Construct):
    """An MCP server on Lambda behind API Gateway, configured by the seed module's inputs.

    Attributes named like the seed's outputs (`api_id`, `lambda_role_arn`, ...) expose them;
    those the seed documents as null are None when the feature is off.
    """

    def __init__(self, scope: Construct, id: str, props: McpServerProps):
        super().__init__(scope, id)
        self.props = props
        names = props.names
        production = props.environment == "prod"
        for field, message in props.warnings():
            Annotations.of(self).add_warning(f"{field}: {message}")

        # Foundations: the key and the network, unless given.
        self.key = None
        if props.kms_key_arn:
            key_arn = props.kms_key_arn
        else:
            self.key = DeploymentKey(
                self, "key", DeploymentKeyProps(names=names, prevent_destroy=production)
            )
            key_arn = self.key.arn
        self.network = None
        if props.vpc_id:
            subnet_ids, security_group_ids = props.vpc_subnet_ids, props.vpc_security_group_ids
        else:
            self.network = Network(
                self,
                "network",
                NetworkProps(
                    names=names,
                    cidr=props.vpc_cidr,
                    availability_zone_count=props.vpc_availability_zone_count,
                    endpoints=props.endpoints,
                    kms_key_arn=key_arn,
                    log_retention_days=props.log_retention_days,
                ),
            )
            subnet_ids = self.network.subnet_ids
            security_group_ids = self.network.security_group_ids
        private = dict(
            kms_key_arn=key_arn, subnet_ids=subnet_ids, security_group_ids=security_group_ids
        )

        self.sessions = None
        if props.enable_session_table:
            self.sessions = SessionTable(
                self,
                "sessions",
                SessionTableProps(
                    table_name=names.session_table,
                    kms_key_arn=key_arn,
                    partition_by_tenant=props.enable_tenant_isolation,
                    deletion_protection=production,
                ),
            )
        managed_env = {
            "TENANT_ISOLATION_ENABLED": str(props.enable_tenant_isolation).lower(),
            # The origins the server's own responses allow (CORS, and 403 for others).
            "MCP_ALLOWED_ORIGINS": ",".join(props.cors_allowed_origins),
            # How the front door invokes the function: the Lambda Web Adapter in the reference
            # image must answer in the same mode.
            "AWS_LWA_INVOKE_MODE": "response_stream" if props.streams_responses else "buffered",
        }
        if self.sessions:
            managed_env["SESSION_TABLE_NAME"] = self.sessions.name
            managed_env["SESSION_TTL_SECONDS"] = str(props.session_ttl_seconds)
        tvm_settings, metering_settings = props.vended_credentials, props.tenant_metering
        if tvm_settings:
            managed_env |= vended_credentials_environment(
                self,
                names,
                template_role=tvm_settings.enable_template_role,
                session_seconds=tvm_settings.tenant_session_duration,
            )
        if metering_settings:
            managed_env |= {
                "USAGE_TABLE_NAME": names.usage_table,
                "USAGE_TTL_DAYS": str(metering_settings.usage_ttl_days),
            }
        self.repository = None
        image, pull_policy = props.image_uri, None
        if props.enable_ecr_repository:
            self.repository = ImageRepository(
                self,
                "registry",
                ImageRepositoryProps(
                    repository_name=names.repository,
                    kms_key_arn=key_arn,
                    image_tag_mutability=props.ecr_image_tag_mutability,
                    scan_on_push=props.ecr_scan_on_push,
                    # Images are build outputs; dev's repository goes with its stack.
                    force_delete=props.environment == "dev",
                ),
            )
            pull_policy = self.repository.grant_pull_to_lambda(names.function)
            if image is None:  # the function runs an image pushed to this repository
                image = f"{self.repository.url}:{props.image_tag}"
        self.function = McpFunction(
            self,
            "function",
            McpFunctionProps(
                function_name=names.function,
                role_name=names.function_role,
                log_group_name=names.function_log_group,
                code=ImageCode(image),
                **private,
                memory_size=props.memory_size,
                timeout=props.timeout,
                reserved_concurrent_executions=props.reserved_concurrent_executions,
                environment_variables={**props.environment_variables, **managed_env},
                log_retention_days=props.log_retention_days,
                enable_xray_tracing=props.enable_xray_tracing,
                tenant_isolation=props.enable_tenant_isolation,
                # Lambda checks that it may pull the image when the function is created.
                depends_on=[pull_policy] if pull_policy and props.image_uri is None else [],
            ),
        )
        # A tenant-partitioned table is reached only with vended tenant credentials (below).
        if self.sessions and not self.sessions.partitioned:
            self.sessions.grant_read_write(self.function.role)

        self.auth = None
        if props.enable_auth:
            external = None
            if props.cognito_user_pool_id:
                external = ExternalPool(
                    props.cognito_user_pool_id,
                    props.cognito_user_pool_endpoint or "",
                    props.cognito_client_id or "",
                )
            self.auth = McpAuth(
                self,
                "auth",
                McpAuthProps(names=names, external=external, deletion_protection=production),
            )

        shared = dict(
            names=names,
            function=self.function,
            kms_key_arn=key_arn,
            log_retention_days=props.log_retention_days,
            throttle_rate_limit=props.throttle_rate_limit,
            throttle_burst_limit=props.throttle_burst_limit,
            route_throttle_overrides=props.route_throttle_overrides,
            integration_timeout_seconds=props.effective_timeout_seconds,
            auth=self.auth,
            cors_allowed_origins=tuple(props.cors_allowed_origins),
            cors_allow_headers=props.cors_allow_headers,
        )
        self.metadata = None
        if props.resolved_front_door == "rest":
            self.front_door = McpRestApi(
                self,
                "rest_api",
                McpRestApiProps(
                    **shared,
                    response_streaming=props.streams_responses,
                    tenant_isolation=props.enable_tenant_isolation,
                    waf_acl_arn=props.waf_acl_arn,
                    enable_xray_tracing=props.enable_xray_tracing,
                    create_cloudwatch_role=props.manages_api_gateway_account,
                ),
            )
        else:
            if self.auth:
                self.metadata = MetadataFunction(
                    self,
                    "metadata",
                    MetadataFunctionProps(
                        names=names,
                        authorization_server=self.auth.issuer,
                        scopes=(SCOPE,),
                        **private,
                        log_retention_days=props.log_retention_days,
                        enable_xray_tracing=props.enable_xray_tracing,
                    ),
                )
            self.front_door = McpHttpApi(
                self,
                "http_api",
                McpHttpApiProps(
                    **shared, metadata_function=self.metadata.function if self.metadata else None
                ),
            )

        self.monitoring = Monitoring(
            self,
            "monitoring",
            MonitoringProps(
                names=names,
                kms_key_arn=key_arn,
                function_name=self.function.function_name,
                api_server_errors=self.front_door.server_errors,
                api_latency=self.front_door.latency,
                effective_timeout_s=props.effective_timeout_seconds,
                alarm_topic_arn=props.alarm_sns_topic_arn,
                actions_enabled=props.alarm_actions_enabled,
            ),
        )
        self.tenant_clients = {
            t.id: self.auth.add_client(f"tenant_{t.id}", names.tenant_client(t.id))
            for t in props.tenants
            if self.auth
        }
        self.tvm = None
        if tvm_settings and self.sessions:
            self.tvm = TokenVendingMachine(
                self,
                "tvm",
                TokenVendingMachineProps(
                    **tvm_settings.model_dump(),
                    names=names,
                    lambda_role_arn=self.function.role.arn,
                    lambda_role_name=self.function.role.name,
                    session_table=self.sessions,
                ),
            )
            for tenant, client in self.tenant_clients.items():
                self.tvm.add_tenant(tenant, client.id)
        self.metering = None
        if metering_settings:
            self.metering = TenantMetering(
                self,
                "metering",
                TenantMeteringProps(
                    **metering_settings.model_dump(exclude={"alarm_sns_topic_arn"}),
                    names=names,
                    kms_key_arn=key_arn,
                    lambda_role_name=self.function.role.name,
                    api_log_group_name=self.front_door.access_log_group_name,
                    # One alarm topic per deployment unless metering is given its own.
                    alarm_sns_topic_arn=metering_settings.alarm_sns_topic_arn
                    or self.monitoring.topic_arn,
                    actions_enabled=props.alarm_actions_enabled,
                    deletion_protection=production,
                ),
            )
            for t in props.tenants:
                self.metering.add_tenant(
                    t.id, self.tenant_clients[t.id].id, t.quota_request_threshold
                )

        if self.key:
            # Every log group in this deployment, found in the construct tree so none is missed.
            self.key.set_policy(
                log_group_names=[
                    c.log_group_name for c in self.node.find_all() if isinstance(c, EncryptedLogGroup)
                ],
                alarm_topic_name=names.alarm_topic if self.monitoring.topic else None,
            )

    # -- the seed's outputs ---------------------------------------------------------------

    @property
    def mcp_endpoint_url(self) -> str:
        return self.front_door.mcp_endpoint_url

    @property
    def api_id(self) -> str:
        return self.front_door.api_id

    @property
    def api_endpoint(self) -> str:
        return self.front_door.api_endpoint

    @property
    def lambda_function_arn(self) -> str:
        return self.function.function_arn

    @property
    def lambda_function_name(self) -> str:
        return self.function.function_name

    @property
    def lambda_role_arn(self) -> str:
        return self.function.role.arn

    @property
    def lambda_role_name(self) -> str:
        return self.function.role.name

    @property
    def cognito_user_pool_id(self) -> str | None:
        return self.auth.user_pool_id if self.auth and not self.auth.external else None

    @property
    def cognito_user_pool_endpoint(self) -> str | None:
        return self.auth.endpoint if self.auth else None

    @property
    def cognito_client_id(self) -> str | None:
        return self.auth.client_ids[0] if self.auth and not self.auth.external else None

    @property
    def ecr_repository_url(self) -> str | None:
        return self.repository.url if self.repository else None

    @property
    def session_table_name(self) -> str | None:
        return self.sessions.name if self.sessions else None

    @property
    def session_table_arn(self) -> str | None:
        return self.sessions.arn if self.sessions else None

    @property
    def log_group_name(self) -> str:
        return self.function.log_group.name

    @property
    def api_log_group_name(self) -> str:
        return self.front_door.access_log_group_name

    @property
    def sns_topic_arn(self) -> str:
        return self.monitoring.topic_arn

    @property
    def tenant_isolation_enabled(self) -> bool:
        return self.props.enable_tenant_isolation

    # -- beyond the seed ---------------------------------------------------------------------

    @property
    def oauth_token_endpoint(self) -> str | None:
        return self.auth.token_endpoint if self.auth and not self.auth.external else None

    @property
    def client_secret_command(self) -> str | None:
        if not self.auth or self.auth.external:
            return None
        return self.auth.client_secret_command(self.auth.client_ids[0])

    @property
    def tenant_client_ids(self) -> dict[str, str]:
        return {tenant: client.id for tenant, client in self.tenant_clients.items()}

    def outputs(self) -> dict[str, tuple[object, str]]:
        """Output name -> (value or None, description), for the stack to declare: the seed's,
        how to get a token, then the tenants' and companion modules' when they are enabled."""
        found = {
            name: (getattr(self, name), text)
            for name, text in {**SEED_OUTPUTS, **ACCESS_OUTPUTS}.items()
        }
        if self.tenant_clients:
            found |= {n: (getattr(self, n), t) for n, t in TENANT_CLIENT_OUTPUTS.items()}
        for module, prefix, table in ((self.tvm, "tvm_", TVM_OUTPUTS),
                                      (self.metering, "metering_", METERING_OUTPUTS)):  # fmt: skip
            if module:
                found |= {
                    name: (getattr(module, name.removeprefix(prefix)), text)
                    for name, text in table.items()
                }
        return found
