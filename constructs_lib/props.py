"""`McpServerProps`: the seed module's inputs, with the seed's names, types and defaults.

Every field is validated against what AWS accepts, so a value `tofu apply` would reject fails at
synth with the field named. Field descriptions feed the README's inputs table.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from .naming import NAME_PATTERN, Names
from .network import Endpoint, required_endpoints
from .tenancy import DEFAULT_TENANT_ACTIONS, LEADING_KEY_ACTIONS
from .tvm import (
    MAX_CHAINED_SESSION_S,
    MIN_SESSION_S,
    action_problems,
    covers_path,
    duration_problem,
)
from .transport import CORS_ALLOW_HEADERS
from .validation import (
    CognitoClientId,
    CognitoUserPoolId,
    EcrImageUri,
    IamRoleArnPattern,
    Ipv4Cidr,
    KmsKeyArn,
    SecurityGroupId,
    SnsTopicArn,
    SubnetId,
    VpcId,
    WafWebAclArn,
    Schema,
    cross_field,
    raise_problems,
    shaped,
)

Environment = Literal["dev", "staging", "prod"]

# The VPC the stack creates when no vpc_* inputs are given.
DEFAULT_VPC_CIDR = "10.0.0.0/16"
MAX_CREATED_AZS = 4
VPC_INPUTS = ("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids")
CREATED_VPC_INPUTS = ("vpc_cidr", "vpc_availability_zone_count", "vpc_interface_endpoints")

# Hard integration timeouts, in seconds, by how the front door integrates the function: the HTTP
# API (30), the REST API buffering the response (29, the default quota), the REST API streaming
# it (response transfer mode STREAM, since November 2025: up to 15 minutes, Lambda's own limit).
FRONT_DOOR_LIMIT_S = {"http": 30, "rest": 29, "rest-stream": 900}
IntegrationMode = Literal["http", "rest", "rest-stream"]

# Route keys of the MCP endpoint (Streamable HTTP transport): JSON-RPC requests, the SSE stream,
# session termination.
MCP_ROUTE_KEYS = ("POST /mcp", "GET /mcp", "DELETE /mcp")

# CloudWatch Logs PutRetentionPolicy accepts only these values.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Lambda rejects these keys in a function's environment: the runtime sets them.
LAMBDA_RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip
# Set by McpServer itself from other inputs.
MANAGED_ENV_KEYS = frozenset(
    {
        "AWS_LWA_INVOKE_MODE", "MCP_ALLOWED_ORIGINS", "SESSION_TABLE_NAME", "SESSION_TTL_SECONDS",
        "TENANT_ISOLATION_ENABLED", "TENANT_TAG_KEY", "TENANT_ROLE_ARN_PREFIX", "TENANT_TEMPLATE_ROLE_ARN", "TENANT_SESSION_SECONDS", "USAGE_TABLE_NAME", "USAGE_TTL_DAYS",
    }
)  # fmt: skip
# Lambda: all keys and values together at most 4 KB.
LAMBDA_ENV_MAX_BYTES = 4096

# Tags the stack sets on every resource; a user tag with one of these keys would be overwritten.
STACK_TAG_KEYS = ("Name", "Environment", "ManagedBy")
# AWS allows 50 tags per resource; keep room for the stack's own and the FedRAMP control tag.
MAX_USER_TAGS = 45
_TAG_CHARS = re.compile(r"[\w\s.:/=+\-@]*")


class RouteThrottle(Schema):
    """Throttling for one route, overriding the stage defaults."""

    throttling_rate_limit: float = Field(ge=0, description="Steady-state requests per second.")
    throttling_burst_limit: int = Field(ge=0, description="Maximum burst of requests.")


EndpointService = Annotated[
    str,
    shaped(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", "an AWS service endpoint name like sts or ecr.api"),
]
ImageTag = Annotated[
    str, shaped(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "an image tag like v1 (at most 128 characters)")
]
HeaderName = Annotated[
    str, shaped(r"[A-Za-z0-9-]{1,64}", "an HTTP header name (letters, digits and -)")
]
CorsOrigin = Annotated[
    str,
    shaped(
        r"\*|https?://(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?",
        "'*' or an origin like https://app.example.com (scheme and host, no path or trailing /)",
    ),
]


class TokenVendingMachineSettings(Schema):
    """`[token_vending_machine]`: the seed TVM module's inputs the stack does not wire itself."""

    tags: dict[str, str] = Field(
        default_factory=dict, description="More tags on the boundary and the tenant roles"
    )
    allowed_actions: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TENANT_ACTIONS),
        min_length=1,
        description=(
            "Session-table item actions a tenant session may take, each confined to the "
            "tenant's own partition key (" + ", ".join(LEADING_KEY_ACTIONS) + ")"
        ),
    )
    enable_template_role: bool = Field(
        default=True,
        description="Create the template tenant role, which serves any tenant by its session tag",
    )
    tenant_session_duration: int = Field(
        default=3600,
        description=(
            f"Seconds a vended tenant session lasts, {MIN_SESSION_S} to {MAX_CHAINED_SESSION_S} "
            "(STS limits chained role sessions to one hour)"
        ),
    )
    tenant_role_arn_pattern: IamRoleArnPattern | None = Field(
        default=None,
        description=(
            "Roles the function may assume for tenants (the seed's input). It must cover "
            "`role/<name>-<environment>/tenants/*`, where the stack puts tenant roles "
            "(default: exactly that, in this account)"
        ),
    )

    @field_validator("allowed_actions")
    @classmethod
    def _confinable(cls, actions: list[str]) -> list[str]:
        raise_problems("allowed_actions", [((i,), m) for i, m in action_problems(actions)], actions)
        return actions

    @field_validator("tenant_session_duration")
    @classmethod
    def _chained(cls, seconds: int) -> int:
        problem = duration_problem(seconds)
        if problem:
            raise ValueError(problem)
        return seconds


class TenantMeteringSettings(Schema):
    """`[tenant_metering]`: the seed metering module's inputs the stack does not wire itself."""

    tags: dict[str, str] = Field(
        default_factory=dict, description="More tags on the usage table, topic and alarms"
    )
    metric_namespace: Annotated[
        str, shaped(r"[^:*$]{1,255}", "a CloudWatch namespace without : * or $")
    ] = Field(default="MCP/TenantMetering", description="CloudWatch namespace of the tenant metrics")
    usage_ttl_days: int = Field(
        default=90, ge=1, le=3650, description="Days a usage record is kept (DynamoDB TTL)"
    )
    enable_quota_alarm: bool = Field(
        default=True, description="Alarm when a tenant's requests in a period reach its quota"
    )
    quota_request_threshold: int = Field(
        default=10000, ge=1, description="Requests per quota period (a tenant may set its own)"
    )
    quota_alarm_period: int = Field(
        default=86400, ge=60, description="Quota period in seconds (a multiple of 60)"
    )
    quota_alarm_evaluation_periods: int = Field(
        default=1, ge=1, description="Quota periods evaluated together"
    )
    error_rate_threshold: float = Field(
        default=50, gt=0, le=100, description="Percentage of a tenant's requests failing with 5xx"
    )
    alarm_sns_topic_arn: SnsTopicArn | None = Field(
        default=None,
        description="Topic for the metering alarms (default: the server's alarm topic)",
    )

    @cross_field
    def _one_minute_periods(self) -> list:
        if self.quota_alarm_period % 60:
            return [(("quota_alarm_period",),
                "must be a multiple of 60: the metrics come from log metric filters, which "
                "publish at one-minute resolution")]  # fmt: skip
        return []

    @cross_field
    def _alarm_window(self) -> list:
        period = self.quota_alarm_period
        window = period * self.quota_alarm_evaluation_periods
        limit = 86400 if period < 3600 else 604800
        if window > limit:
            return [(("quota_alarm_evaluation_periods",),
                f"quota_alarm_period x quota_alarm_evaluation_periods is {window} s; CloudWatch "
                f"allows {limit} s for a period {'under' if period < 3600 else 'of at least'} one hour")]  # fmt: skip
        return []


TenantId = Annotated[
    str,
    shaped(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", "lowercase letters, digits and single hyphens"),
    Field(max_length=32),
]


class TenantSettings(Schema):
    """`[[tenants]]`: one tenant: its app client, its role under the boundary, its alarms."""

    id: TenantId = Field(description="Tenant name in resource names, at most 32 characters")
    quota_request_threshold: int | None = Field(
        default=None,
        ge=1,
        description="This tenant's quota (default: tenant_metering.quota_request_threshold)",
    )


class McpServerProps(Schema):
    """Inputs of `McpServer`: the seed module's Inputs table, same names, types and defaults."""

    name: Annotated[
        str,
        shaped(NAME_PATTERN, "lowercase letters, digits and single hyphens, starting with a letter"),
    ] = Field(description="Name identifier for the MCP server resources")
    environment: Environment = Field(description="Deployment environment (dev, staging, or prod)")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Additional tags to apply to all resources"
    )
    image_uri: EcrImageUri | None = Field(
        default=None,
        json_schema_extra={"required": "yes, unless enable_ecr_repository"},
        description=(
            "ECR image URI for the Lambda function container image (required unless "
            "enable_ecr_repository: then the function runs `image_tag` from that repository)"
        ),
    )
    memory_size: int = Field(
        default=512,
        ge=128,
        le=10240,
        description="Amount of memory in MB allocated to the Lambda function",
    )
    timeout: int = Field(
        default=180,
        ge=1,
        le=900,
        description="Maximum execution time in seconds for the Lambda function",
    )
    reserved_concurrent_executions: int = Field(
        default=-1,
        ge=-1,
        description="Reserved concurrent executions for the Lambda function (-1 for unreserved)",
    )
    environment_variables: dict[str, str] = Field(
        default_factory=dict, description="Environment variables to pass to the Lambda function"
    )
    vpc_id: VpcId | None = Field(
        default=None,
        description=(
            "ID of the VPC where the Lambda function will run (null: the stack creates a VPC "
            "with private subnets and endpoints, see Network)"
        ),
    )
    vpc_subnet_ids: Annotated[list[SubnetId], Field(min_length=1, max_length=16)] | None = Field(
        default=None,
        description="List of private subnet IDs for the Lambda function VPC configuration",
    )
    vpc_security_group_ids: (
        Annotated[list[SecurityGroupId], Field(min_length=1, max_length=5)] | None
    ) = Field(
        default=None,
        description="List of security group IDs for the Lambda function VPC configuration",
    )
    kms_key_arn: KmsKeyArn | None = Field(
        default=None,
        description=(
            "ARN of the KMS key used to encrypt environment variables, logs, and data at rest "
            "(null: the stack creates a key with rotation and the key policy its services need)"
        ),
    )
    enable_auth: bool = Field(
        default=True,
        description="Enable Cognito JWT authentication for the API Gateway (FedRAMP IA-2)",
    )
    enable_tenant_isolation: bool = Field(
        default=False,
        description=(
            "Enable Lambda tenant isolation mode for per-tenant Firecracker VM isolation "
            "(FedRAMP SC-7)"
        ),
    )
    cognito_user_pool_id: CognitoUserPoolId | None = Field(
        default=None,
        description="ID of an external Cognito user pool (skips creating internal pool)",
    )
    cognito_user_pool_endpoint: str | None = Field(
        default=None, description="Endpoint of the external Cognito user pool"
    )
    cognito_client_id: CognitoClientId | None = Field(
        default=None, description="Client ID from the external Cognito user pool"
    )
    route_throttle_overrides: dict[str, RouteThrottle] = Field(
        default_factory=dict,
        description="Per-route throttling overrides (keys are route keys like 'POST /mcp')",
    )
    throttle_rate_limit: float = Field(
        default=100, ge=0, description="API Gateway throttle rate limit (requests per second)"
    )
    throttle_burst_limit: int = Field(
        default=50,
        ge=0,
        description="API Gateway throttle burst limit (maximum concurrent requests)",
    )
    cors_allowed_origins: list[CorsOrigin] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="List of allowed CORS origins for the API Gateway",
    )
    cors_extra_allow_headers: list[HeaderName] = Field(
        default_factory=list,
        description=(
            "Request headers to allow beyond the MCP transport's own (for example the "
            "`Mcp-Param-<name>` headers a server's tool schemas declare)"
        ),
    )
    waf_acl_arn: WafWebAclArn | None = Field(
        default=None,
        description="ARN of the WAF v2 Web ACL to associate with the API Gateway stage",
    )
    enable_session_table: bool = Field(
        default=False, description="Enable DynamoDB table for MCP session management"
    )
    session_ttl_seconds: int = Field(
        default=3600, gt=0, description="TTL in seconds for session records in DynamoDB"
    )
    enable_ecr_repository: bool = Field(
        default=False,
        description="Enable creation of an ECR repository for the MCP server container image",
    )
    ecr_image_tag_mutability: Literal["IMMUTABLE", "MUTABLE"] = Field(
        default="IMMUTABLE",
        description=(
            "Tag mutability setting for the ECR repository (IMMUTABLE recommended for production)"
        ),
    )
    ecr_scan_on_push: bool = Field(
        default=True, description="Enable image vulnerability scanning on push to ECR"
    )
    log_retention_days: int = Field(
        default=30, description="Number of days to retain CloudWatch log events"
    )
    enable_xray_tracing: bool = Field(
        default=True,
        description="Enable AWS X-Ray active tracing for the Lambda function (FedRAMP SI-4)",
    )
    alarm_sns_topic_arn: SnsTopicArn | None = Field(
        default=None,
        description=(
            "ARN of an existing SNS topic for CloudWatch alarm notifications "
            "(creates a new topic if null)"
        ),
    )
    alarm_actions_enabled: bool = Field(
        default=True, description="Enable alarm actions for CloudWatch metric alarms"
    )

    # -- beyond the seed ----------------------------------------------------------------------
    image_tag: ImageTag = Field(
        default="latest",
        description=(
            "With enable_ecr_repository and no image_uri: the tag of the created repository "
            "the function runs (push it before the function is created, see Deploying)"
        ),
    )
    front_door: Literal["http", "rest"] | None = Field(
        default=None,
        description=(
            "API Gateway flavour: `http` (HTTP API) or `rest` (REST API). Default: `rest` when "
            "`waf_acl_arn` or `enable_tenant_isolation` is set (the HTTP API supports neither), "
            "else `http`"
        ),
    )
    response_streaming: bool | None = Field(
        default=None,
        description=(
            "REST API only: stream the function's responses (STREAM transfer mode, integration "
            "timeout up to the function's timeout, 15 minutes at most). null: on, except with "
            "tenant isolation (see Front doors)"
        ),
    )
    vpc_cidr: Ipv4Cidr = Field(
        default=DEFAULT_VPC_CIDR,
        description=(
            "Created VPC only: its IPv4 range, /16 to /24, split into one private subnet per "
            "availability zone"
        ),
    )
    vpc_availability_zone_count: int = Field(
        default=2,
        ge=2,
        le=MAX_CREATED_AZS,
        description="Created VPC only: availability zones (one private subnet each), 2 to 4",
    )
    api_gateway_cloudwatch_role: bool | None = Field(
        default=None,
        description=(
            "REST API only: manage API Gateway's account-level CloudWatch Logs role, without "
            "which a REST stage with access logs is rejected (one setting per account and "
            "region; null: managed by every REST stack; set false where another stack manages "
            "it, see Front doors)"
        ),
    )

    vpc_interface_endpoints: list[EndpointService] = Field(
        default_factory=list,
        description=(
            "Created VPC only: more interface endpoints, for AWS APIs the server's own code "
            "calls (for example `sts`, `kms`, `secretsmanager`); the VPC has no internet route"
        ),
    )

    token_vending_machine: TokenVendingMachineSettings | None = Field(
        default=None,
        description=(
            "Present: vend tenant-scoped credentials (needs enable_tenant_isolation and "
            "enable_session_table); table below"
        ),
    )
    tenant_metering: TenantMeteringSettings | None = Field(
        default=None,
        description="Present: usage table, per-tenant metrics and alarms; table below",
    )
    tenants: list[TenantSettings] = Field(
        default_factory=list,
        description="Declared tenants (`[[tenants]]`, needs token_vending_machine); table below",
    )

    # -- single-field rules -------------------------------------------------------------------

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        problems = []
        if len(tags) > MAX_USER_TAGS:
            problems.append(((), f"at most {MAX_USER_TAGS} tags (AWS allows 50 per resource)"))
        for key, value in tags.items():
            if key in STACK_TAG_KEYS:
                problems.append(((key,), "set by the stack on every resource; remove this tag"))
            elif not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
                problems.append(((key,), "tag keys are 1-128 characters and must not start with aws:"))
            elif not _TAG_CHARS.fullmatch(key):
                problems.append(((key,), "tag keys allow letters, digits, spaces and _ . : / = + - @"))
            if len(value) > 256 or not _TAG_CHARS.fullmatch(value):
                problems.append(
                    ((key,), "tag values are at most 256 letters, digits, spaces and _ . : / = + - @")
                )
        raise_problems("tags", problems, tags)
        return tags

    @field_validator("environment_variables")
    @classmethod
    def _environment_variables(cls, variables: dict[str, str]) -> dict[str, str]:
        problems = []
        for key in variables:
            if key in LAMBDA_RESERVED_ENV_KEYS:
                problems.append(((key,), "reserved by the Lambda runtime; choose another name"))
            elif key in MANAGED_ENV_KEYS:
                problems.append(((key,), "set by McpServer from its other inputs; remove it"))
            elif not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]+", key):
                problems.append(
                    ((key,), "Lambda requires a letter followed by at least one letter, digit or _")
                )
        size = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items())
        if size > LAMBDA_ENV_MAX_BYTES:
            problems.append(((), f"{size} bytes in all; Lambda allows {LAMBDA_ENV_MAX_BYTES}"))
        raise_problems("environment_variables", problems, variables)
        return variables

    @field_validator(
        "vpc_subnet_ids", "vpc_security_group_ids", "cors_allowed_origins", "vpc_interface_endpoints"
    )
    @classmethod
    def _no_duplicates(cls, values: list[str] | None) -> list[str] | None:
        duplicates = sorted({v for v in values or () if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"listed more than once: {', '.join(duplicates)}")
        return values

    @field_validator("cors_extra_allow_headers")
    @classmethod
    def _new_headers(cls, headers: list[str]) -> list[str]:
        lower = [h.lower() for h in headers]
        raise_problems(
            "cors_extra_allow_headers",
            [((i,), f"{h!r} is already allowed for the MCP transport; remove it")
             for i, h in enumerate(headers) if h.lower() in CORS_ALLOW_HEADERS]
            + [((i,), f"{h!r} is listed more than once")
               for i, h in enumerate(headers) if lower.index(h.lower()) != i],
            headers,
        )  # fmt: skip
        return headers

    @field_validator("cors_allowed_origins")
    @classmethod
    def _wildcard_alone(cls, origins: list[str]) -> list[str]:
        if "*" in origins and len(origins) > 1:
            raise ValueError("'*' already allows every origin; give either '*' or a list of origins")
        return origins

    @field_validator("route_throttle_overrides")
    @classmethod
    def _known_routes(cls, overrides: dict[str, RouteThrottle]) -> dict[str, RouteThrottle]:
        raise_problems(
            "route_throttle_overrides",
            [
                ((key,), f"no such route; the MCP routes are {', '.join(MCP_ROUTE_KEYS)}")
                for key in overrides
                if key not in MCP_ROUTE_KEYS
            ],
            overrides,
        )
        return overrides

    @field_validator("tenants")
    @classmethod
    def _unique_tenants(cls, tenants: list[TenantSettings]) -> list[TenantSettings]:
        ids = [t.id for t in tenants]
        raise_problems(
            "tenants",
            [((i, "id"), f"tenant {t!r} is declared more than once") for i, t in enumerate(ids)
             if ids.index(t) != i],
            tenants,
        )  # fmt: skip
        return tenants

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
            raise ValueError(f"CloudWatch Logs accepts only {allowed} (got {days})")
        return days

    # -- rules across fields (each one concern, so a failed field skips only its own rules) ---

    @cross_field
    def _names_fit(self) -> list:
        tenancy = self.vended_credentials is not None or self.tenant_metering is not None
        return [(("name",), p) for p in self.names.problems(tenancy=tenancy)]

    @cross_field
    def _image_given_or_built_here(self) -> list:
        if self.image_uri is None and not self.enable_ecr_repository:
            return [(("image_uri",),
                "required; add it to the file, or set enable_ecr_repository = true to run "
                "image_tag from the repository this stack creates")]  # fmt: skip
        if self.image_uri is not None and "image_tag" in self.model_fields_set:
            return [(("image_tag",),
                "only used when image_uri is omitted (the function then runs this tag of the "
                "created repository); remove it or remove image_uri")]  # fmt: skip
        return []

    @cross_field
    def _network_given_whole(self) -> list:
        given = [f for f in VPC_INPUTS if getattr(self, f) is not None]
        problems = []
        if given and len(given) < len(VPC_INPUTS):
            problems += [
                ((f,), "a given network needs all three of " + ", ".join(VPC_INPUTS)
                 + "; give all three, or none to have the stack create the VPC")
                for f in VPC_INPUTS
                if f not in given
            ]  # fmt: skip
        if given:
            problems += [
                ((f,), "only used when the stack creates the VPC (no vpc_id given); remove it")
                for f in CREATED_VPC_INPUTS
                if f in self.model_fields_set
            ]
        return problems

    @cross_field
    def _endpoints_listed_once(self) -> list:
        built_in = {
            e.service: e.needed_for
            for e in required_endpoints(
                sessions=self.enable_session_table or self.tenant_metering is not None,
                tracing=self.enable_xray_tracing,
                tenant_credentials=self.vended_credentials is not None,
            )
        }
        return [
            (("vpc_interface_endpoints", i),
             f"{service!r} is already created ({built_in[service]}); remove it")
            for i, service in enumerate(self.vpc_interface_endpoints)
            if service in built_in
        ]  # fmt: skip

    @cross_field
    def _external_pool_whole(self) -> list:
        trio = ("cognito_user_pool_id", "cognito_user_pool_endpoint", "cognito_client_id")
        given = [f for f in trio if getattr(self, f) is not None]
        problems = []
        if given and len(given) < len(trio):
            problems += [
                ((f,), "an external Cognito pool needs all three of " + ", ".join(trio))
                for f in trio
                if f not in given
            ]
        if given and not self.enable_auth:
            problems += [
                ((f,), "enable_auth is false, so the external pool would be ignored; "
                 "remove it or set enable_auth = true")
                for f in given
            ]  # fmt: skip
        return problems

    @cross_field
    def _pool_endpoint_matches(self) -> list:
        pool_id, endpoint = self.cognito_user_pool_id, self.cognito_user_pool_endpoint
        if pool_id and endpoint is not None:
            region = pool_id.split("_")[0]
            expected = f"cognito-idp.{region}.amazonaws.com/{pool_id}"
            if endpoint not in (expected, f"https://{expected}"):
                return [(("cognito_user_pool_endpoint",), f"must be {expected} for pool {pool_id}")]
        return []

    @cross_field
    def _http_api_cannot_take_waf(self) -> list:
        if self.front_door == "http" and self.waf_acl_arn:
            return [(("front_door",),
                "AWS WAF cannot be associated with an HTTP API stage; use front_door = \"rest\" "
                "(or leave front_door unset) to protect the API with waf_acl_arn")]
        return []

    @cross_field
    def _http_api_cannot_route_tenants(self) -> list:
        if self.front_door == "http" and self.enable_tenant_isolation:
            return [(("front_door",),
                "an HTTP API cannot set the X-Amz-Tenant-Id header that every invoke of a "
                "tenant-isolated function needs; use front_door = \"rest\" (or leave it unset)")]
        return []

    @cross_field
    def _http_api_cannot_stream(self) -> list:
        if self.response_streaming and self.resolved_front_door != "rest":
            return [(("response_streaming",),
                "an HTTP API cannot stream Lambda responses (it buffers them and stops at 30 s); "
                "use front_door = \"rest\" or remove response_streaming")]
        return []

    @cross_field
    def _tenant_needs_verified_identity(self) -> list:
        if self.enable_tenant_isolation and not self.enable_auth:
            return [(("enable_tenant_isolation",),
                "the tenant is the client of the verified access token, so tenant isolation "
                "needs enable_auth = true")]
        return []

    @cross_field
    def _vending_needs_tenant_sessions(self) -> list:
        if self.token_vending_machine is not None and not (
            self.enable_tenant_isolation and self.enable_session_table
        ):
            return [(("token_vending_machine",),
                "vended credentials reach the tenant's own items in the session table, keyed "
                "by the verified tenant; set enable_tenant_isolation = true and "
                "enable_session_table = true")]  # fmt: skip
        return []

    @cross_field
    def _tenants_need_vending(self) -> list:
        if self.tenants and self.vended_credentials is None:
            return [(("tenants",),
                "each tenant's role lives under the token vending machine's permission "
                "boundary; set enable_tenant_isolation = true and enable_session_table = true "
                "(the token vending machine then starts with its defaults)")]  # fmt: skip
        return []

    @cross_field
    def _tenant_quotas_need_metering(self) -> list:
        if self.tenant_metering is not None:
            return []
        return [
            (("tenants", i, "quota_request_threshold"),
             "quota alarms come from tenant metering; add a [tenant_metering] table")
            for i, t in enumerate(self.tenants) if t.quota_request_threshold is not None
        ]  # fmt: skip

    @cross_field
    def _metering_needs_verified_identity(self) -> list:
        if self.tenant_metering is not None and not self.enable_auth:
            return [(("tenant_metering",),
                "tenant figures are keyed by the verified token's client; set enable_auth = true")]
        return []

    @cross_field
    def _tenant_role_pattern_covers_tenant_roles(self) -> list:
        tvm = self.token_vending_machine
        pattern = tvm.tenant_role_arn_pattern if tvm else None
        if pattern is None or covers_path(pattern, self.names.tenant_role_path):
            return []
        return [(("token_vending_machine", "tenant_role_arn_pattern"),
            f"does not cover role{self.names.tenant_role_path}*, where this stack puts tenant "
            f"roles; use arn:<partition>:iam::<account>:role{self.names.tenant_role_path}* (or "
            "a wider pattern), or remove it for that default")]  # fmt: skip

    @cross_field
    def _logging_role_only_for_rest(self) -> list:
        if self.api_gateway_cloudwatch_role and self.resolved_front_door != "rest":
            return [(("api_gateway_cloudwatch_role",),
                "only the REST API front door uses the account-level logging role; remove it")]
        return []

    @property
    def vended_credentials(self) -> TokenVendingMachineSettings | None:
        """The token vending machine in effect: as configured, or with its defaults when
        tenant isolation partitions the session table (only vended credentials reach it)."""
        if self.token_vending_machine is not None:
            return self.token_vending_machine
        if self.enable_tenant_isolation and self.enable_session_table:
            return TokenVendingMachineSettings()
        return None

    @property
    def resolved_front_door(self) -> Literal["http", "rest"]:
        """The front door in effect: the user's choice, else REST where HTTP cannot work."""
        if self.front_door:
            return self.front_door
        return "rest" if (self.waf_acl_arn or self.enable_tenant_isolation) else "http"

    @property
    def manages_api_gateway_account(self) -> bool:
        """Whether this deployment sets API Gateway's account-level CloudWatch role."""
        if self.api_gateway_cloudwatch_role is not None:
            return self.api_gateway_cloudwatch_role
        return self.resolved_front_door == "rest"

    @property
    def streams_responses(self) -> bool:
        """Whether the REST API streams the function's responses. With tenant isolation it
        does so only when asked: the Lambda API takes X-Amz-Tenant-Id on streamed invokes, but
        AWS does not document API Gateway passing it there."""
        if self.resolved_front_door != "rest":
            return False
        if self.response_streaming is not None:
            return self.response_streaming
        return not self.enable_tenant_isolation

    @property
    def integration_mode(self) -> IntegrationMode:
        if self.resolved_front_door == "http":
            return "http"
        return "rest-stream" if self.streams_responses else "rest"

    @property
    def integration_limit_seconds(self) -> int:
        """The front door's hard integration timeout: 30 s (HTTP API), 29 s (REST API,
        buffered), 900 s (REST API, streamed)."""
        return FRONT_DOOR_LIMIT_S[self.integration_mode]

    @property
    def effective_timeout_seconds(self) -> int:
        """How long a client request can really run: the shorter of the two limits."""
        return min(self.timeout, self.integration_limit_seconds)

    def warnings(self) -> list[tuple[str, str]]:
        """(field, message) for values AWS accepts but that do not do what they seem to, and
        for choices the construct made that the configuration did not spell out."""
        found = []
        if self.token_vending_machine is None and self.vended_credentials is not None:
            found.append(("token_vending_machine",
                "tenant isolation with a session table: session items are reached only with "
                "tenant-scoped credentials, so the token vending machine is on with its "
                "defaults; add a [token_vending_machine] table to configure it"))  # fmt: skip
        if self.response_streaming and self.enable_tenant_isolation:
            found.append(("response_streaming",
                "streamed invokes of a tenant-isolated function: Lambda's InvokeWithResponseStream "
                "takes X-Amz-Tenant-Id, but AWS does not document API Gateway passing the mapped "
                "header on streaming integrations; check a tenant's invoke before you rely on it"))  # fmt: skip
        if self.timeout > self.integration_limit_seconds:
            api = "HTTP API" if self.resolved_front_door == "http" else "buffered REST API"
            found.append(("timeout",
                f"{self.timeout} s exceeds the {api}'s {self.integration_limit_seconds} s "
                "integration limit: clients get a gateway error after "
                f"{self.integration_limit_seconds} s while the function keeps running; "
                f"alarm thresholds use {self.integration_limit_seconds} s"))  # fmt: skip
        return found

    @property
    def endpoints(self) -> list[Endpoint]:
        """The VPC endpoints the enabled features need (created with the VPC)."""
        return required_endpoints(
            sessions=self.enable_session_table or self.tenant_metering is not None,
            tracing=self.enable_xray_tracing,
            tenant_credentials=self.vended_credentials is not None,
            extra_interfaces=self.vpc_interface_endpoints,
        )

    @property
    def cors_allow_headers(self) -> tuple[str, ...]:
        """Request headers CORS allows: the MCP transport's, then the configured extras."""
        return (*CORS_ALLOW_HEADERS, *(h.lower() for h in self.cors_extra_allow_headers))

    @property
    def names(self) -> Names:
        """Physical names derived from `name` and `environment`."""
        return Names(self.name, self.environment)
