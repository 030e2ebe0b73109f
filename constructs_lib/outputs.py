"""The outputs of a deployment: the seed module's, under their names, and what lies beyond them.
`McpServer` exposes each as an attribute; a stack declares them (`outputs()`)."""

from __future__ import annotations

# The seed module's outputs, by name, with their descriptions (README and stack outputs).
SEED_OUTPUTS: dict[str, str] = {
    "mcp_endpoint_url": "Full URL of the MCP JSON-RPC endpoint (POST/GET/DELETE /mcp)",
    "api_id": "ID of the API Gateway API (HTTP API, or REST API when that is the front door)",
    "api_endpoint": (
        "Base endpoint URL of the API (REST API: the stage's invoke URL; with custom_domain_name: the domain's)"
    ),
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
# Beyond the seed: what operating the deployment needs (the upstream module's later outputs
# `lambda_version` and `canary_alias_arn` among them), declared with their features.
OPERATIONS_OUTPUTS: dict[str, str] = {
    "dashboard_name": "Name of the CloudWatch dashboard of the deployment",
}
CANARY_OUTPUTS: dict[str, str] = {
    "lambda_version": "Newest published version of the function (the canary while canary_version is set)",
    "canary_alias_arn": "ARN of the alias the front door invokes",
}
DOMAIN_OUTPUTS: dict[str, str] = {
    "custom_domain_target": (
        "Regional API Gateway host name the custom domain's DNS record points to (alias A or CNAME)"
    ),
}
HEALTH_OUTPUTS: dict[str, str] = {
    "health_check_id": "ID of the Route 53 health check of the endpoint",
}
SIGN_IN_OUTPUTS: dict[str, str] = {
    "authorization_server_url": (
        "Issuer of the sign-in authorization server people's MCP clients discover (RFC 8414 metadata "
        "under it)"
    ),
    "sign_in_client_id": "App client id of the sign-in authorization server in the Cognito pool",
    "sign_in_table_name": "Name of the DynamoDB table of the sign-in state",
    "pre_token_function_arn": (
        "ARN of the pre-token-generation trigger (attach it to an external pool, event version V2_0)"
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



class SeedOutputs:
    """The output attributes of `McpServer` (those the seed documents as null are None when
    the feature is off)."""

    # -- the seed's outputs ---------------------------------------------------------------

    @property
    def mcp_endpoint_url(self) -> str:
        return self.front_door.mcp_endpoint_url

    @property
    def api_id(self) -> str:
        return self.front_door.api_id

    @property
    def api_endpoint(self) -> str:
        return self.front_door.public_base_url

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
    def dashboard_name(self) -> str:
        return self.dashboard.name

    @property
    def lambda_version(self) -> str:
        return self.function.version

    @property
    def canary_alias_arn(self) -> str | None:
        return self.release.function_arn if self.release else None

    @property
    def custom_domain_target(self) -> str | None:
        return self.domain.target_domain_name if self.domain else None

    @property
    def health_check_id(self) -> str | None:
        return self.health_check.check.id if self.health_check else None

    @property
    def authorization_server_url(self) -> str | None:
        return self.sign_in.issuer if self.sign_in else None

    @property
    def sign_in_client_id(self) -> str | None:
        return self.sign_in.client_id if self.sign_in else None

    @property
    def sign_in_table_name(self) -> str | None:
        return self.sign_in.table.name if self.sign_in else None

    @property
    def pre_token_function_arn(self) -> str | None:
        return self.pre_token.function_arn if self.pre_token else None

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
        found |= {n: (getattr(self, n), t) for n, t in OPERATIONS_OUTPUTS.items()}
        for present, table in ((self.release, CANARY_OUTPUTS), (self.domain, DOMAIN_OUTPUTS),
                               (self.health_check, HEALTH_OUTPUTS), (self.sign_in, SIGN_IN_OUTPUTS)):  # fmt: skip
            if present:
                found |= {n: (getattr(self, n), t) for n, t in table.items()}
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
