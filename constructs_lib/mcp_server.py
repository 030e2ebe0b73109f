"""`McpServer`: the whole MCP server deployment, composed from one construct per AWS concern."""

from __future__ import annotations

from constructs import Construct

from .function import McpFunction, McpFunctionProps
from .http_api import HTTP_API_MAX_INTEGRATION_TIMEOUT_S, McpHttpApi, McpHttpApiProps
from .props import McpServerProps

# The seed module's outputs, by name, with their descriptions (README and stack outputs).
SEED_OUTPUTS: dict[str, str] = {
    "mcp_endpoint_url": "Full URL of the MCP JSON-RPC endpoint (POST/GET/DELETE /mcp)",
    "api_id": "ID of the API Gateway v2 HTTP API",
    "api_endpoint": "Base endpoint URL of the API Gateway v2 HTTP API",
    "lambda_function_arn": "ARN of the MCP server Lambda function",
    "lambda_function_name": "Name of the MCP server Lambda function",
    "lambda_role_arn": "ARN of the IAM role used by the Lambda function",
    "lambda_role_name": "Name of the IAM role used by the Lambda function",
    "log_group_name": "Name of the CloudWatch log group for the Lambda function",
    "api_log_group_name": "Name of the CloudWatch log group for the API Gateway access logs",
    "tenant_isolation_enabled": "Whether Lambda tenant isolation mode is enabled",
}


class McpServer(Construct):
    """An MCP server on Lambda behind API Gateway, configured by the seed module's inputs.

    Attributes named like the seed's outputs (`api_id`, `lambda_role_arn`, ...) expose them.
    """

    def __init__(self, scope: Construct, id: str, props: McpServerProps):
        super().__init__(scope, id)
        self.props = props
        names = props.names
        self.function = McpFunction(
            self,
            "function",
            McpFunctionProps(
                names=names,
                image_uri=props.image_uri,
                kms_key_arn=props.kms_key_arn,
                subnet_ids=props.vpc_subnet_ids,
                security_group_ids=props.vpc_security_group_ids,
                memory_size=props.memory_size,
                timeout=props.timeout,
                reserved_concurrent_executions=props.reserved_concurrent_executions,
                environment_variables=props.environment_variables,
                log_retention_days=props.log_retention_days,
                enable_xray_tracing=props.enable_xray_tracing,
            ),
        )
        self.front_door = McpHttpApi(
            self,
            "http_api",
            McpHttpApiProps(
                names=names,
                function=self.function,
                kms_key_arn=props.kms_key_arn,
                log_retention_days=props.log_retention_days,
                throttle_rate_limit=props.throttle_rate_limit,
                throttle_burst_limit=props.throttle_burst_limit,
                route_throttle_overrides=props.route_throttle_overrides,
                integration_timeout_seconds=min(props.timeout, HTTP_API_MAX_INTEGRATION_TIMEOUT_S),
            ),
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
    def log_group_name(self) -> str:
        return self.function.log_group.name

    @property
    def api_log_group_name(self) -> str:
        return self.front_door.access_log_group_name

    @property
    def tenant_isolation_enabled(self) -> bool:
        return self.props.enable_tenant_isolation

    def outputs(self) -> dict[str, tuple[object, str]]:
        """Seed output name -> (value, description), for the stack to declare."""
        return {name: (getattr(self, name), text) for name, text in SEED_OUTPUTS.items()}
