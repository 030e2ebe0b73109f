"""`McpServerProps`: the seed module's inputs, with the seed's names and defaults, as construct props.

Any field that names an AWS resource may be a token (an attribute of something made in the same
app), and the key and the network may be constructs of this library. The rules (`server_rules`)
check only what is known at synth, and `McpServer` refuses props they find a problem in. Each
field's `doc` feeds the README's inputs table; a configuration file maps onto these props
(`stacks/schema.py`), so defaults are defined here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping, Sequence

from .checks import Problem, doc
from .front_door import RouteThrottle
from .kms import DeploymentKey
from .limits import DEFAULT_VPC_CIDR, FRONT_DOOR_LIMIT_S, FrontDoorKind, IntegrationMode
from .metering import TenantMeteringOptions
from .naming import Names
from .network import Endpoint, Network, required_endpoints
from .signin.authserver.settings import DEFAULT_REDIRECT_PATTERNS
from .transport import CORS_ALLOW_HEADERS, RESOURCE_SERVER, SCOPE
from .tvm import TokenVendingMachineOptions

# Any lowercase name (`qa`, `eu-prod`): it is part of every resource name. The app's
# configuration files are named dev, staging or prod (stacks/config.py); `prod` turns on what
# production needs (deletion protection, FIPS endpoints by default, kept keys).
Environment = str


@dataclass(frozen=True)
class TenantOptions:
    """One declared tenant (`[[tenants]]`): its app client, its role under the boundary, its alarms."""

    id: str = field(metadata=doc("Tenant name in resource names, at most 32 characters"))
    quota_request_threshold: int | None = field(default=None, metadata=doc(
        "This tenant's quota (default: tenant_metering.quota_request_threshold)"))  # fmt: skip


# Fields that only a program can set (a construct is not a configuration value).
CONSTRUCT_ONLY = {"config": False}


@dataclass(frozen=True, kw_only=True)
class McpServerProps:
    """Inputs of `McpServer`: the seed module's Inputs table, same names, types and defaults."""

    name: str = field(metadata=doc("Name identifier for the MCP server resources"))
    environment: Environment = field(metadata=doc(
        "Deployment environment (dev, staging, or prod; a library app may name others, lowercase)"))  # fmt: skip
    tags: Mapping[str, str] = field(default_factory=dict, metadata=doc("Additional tags to apply to all resources"))
    image_uri: str | None = field(default=None, metadata=doc(
        "ECR image URI for the Lambda function container image (required unless "
        "enable_ecr_repository: then the function runs `image_tag` from that repository)",
        required="yes, unless enable_ecr_repository"))  # fmt: skip
    memory_size: int = field(default=512, metadata=doc("Amount of memory in MB allocated to the Lambda function"))
    timeout: int = field(default=180, metadata=doc("Maximum execution time in seconds for the Lambda function"))
    reserved_concurrent_executions: int = field(default=-1, metadata=doc(
        "Reserved concurrent executions for the Lambda function (-1 for unreserved)"))  # fmt: skip
    environment_variables: Mapping[str, str] = field(default_factory=dict, metadata=doc(
        "Environment variables to pass to the Lambda function"))  # fmt: skip
    vpc_id: str | None = field(default=None, metadata=doc(
        "ID of the VPC where the Lambda function will run (null: the stack creates a VPC with "
        "private subnets and endpoints, see Network)"))  # fmt: skip
    vpc_subnet_ids: Sequence[str] | None = field(default=None, metadata=doc(
        "List of private subnet IDs for the Lambda function VPC configuration"))  # fmt: skip
    vpc_security_group_ids: Sequence[str] | None = field(default=None, metadata=doc(
        "List of security group IDs for the Lambda function VPC configuration"))  # fmt: skip
    kms_key_arn: str | DeploymentKey | None = field(default=None, metadata=doc(
        "ARN of the KMS key used to encrypt environment variables, logs, and data at rest "
        "(null: the stack creates a key with rotation and the key policy its services need)",
        config_type=str | None))  # fmt: skip
    enable_auth: bool = field(default=True, metadata=doc(
        "Enable Cognito JWT authentication for the API Gateway (FedRAMP IA-2)"))  # fmt: skip
    enable_tenant_isolation: bool = field(default=False, metadata=doc(
        "Enable Lambda tenant isolation mode for per-tenant Firecracker VM isolation (FedRAMP SC-7)"))  # fmt: skip
    cognito_user_pool_id: str | None = field(default=None, metadata=doc(
        "ID of an external Cognito user pool (skips creating internal pool)"))  # fmt: skip
    cognito_user_pool_endpoint: str | None = field(default=None, metadata=doc("Endpoint of the external Cognito user pool"))
    cognito_client_id: str | None = field(default=None, metadata=doc("Client ID from the external Cognito user pool"))
    route_throttle_overrides: Mapping[str, RouteThrottle] = field(default_factory=dict, metadata=doc(
        "Per-route throttling overrides (keys are route keys like 'POST /mcp')"))  # fmt: skip
    throttle_rate_limit: float = field(default=100, metadata=doc("API Gateway throttle rate limit (requests per second)"))
    throttle_burst_limit: int = field(default=50, metadata=doc(
        "API Gateway throttle burst limit (maximum concurrent requests)"))  # fmt: skip
    cors_allowed_origins: Sequence[str] = field(default=("*",), metadata=doc(
        "List of allowed CORS origins for the API Gateway"))  # fmt: skip
    cors_extra_allow_headers: Sequence[str] = field(default=(), metadata=doc(
        "Request headers to allow beyond the MCP transport's own (for example the "
        "`Mcp-Param-<name>` headers a server's tool schemas declare)"))  # fmt: skip
    waf_acl_arn: str | None = field(default=None, metadata=doc(
        "ARN of the WAF v2 Web ACL to associate with the API Gateway stage"))  # fmt: skip
    enable_session_table: bool = field(default=False, metadata=doc("Enable DynamoDB table for MCP session management"))
    session_ttl_seconds: int = field(default=3600, metadata=doc("TTL in seconds for session records in DynamoDB"))
    enable_ecr_repository: bool = field(default=False, metadata=doc(
        "Enable creation of an ECR repository for the MCP server container image"))  # fmt: skip
    ecr_image_tag_mutability: Literal["IMMUTABLE", "MUTABLE"] = field(default="IMMUTABLE", metadata=doc(
        "Tag mutability setting for the ECR repository (IMMUTABLE recommended for production)"))  # fmt: skip
    ecr_scan_on_push: bool = field(default=True, metadata=doc("Enable image vulnerability scanning on push to ECR"))
    log_retention_days: int = field(default=30, metadata=doc("Number of days to retain CloudWatch log events"))
    enable_xray_tracing: bool = field(default=True, metadata=doc(
        "Enable AWS X-Ray active tracing for the Lambda function (FedRAMP SI-4)"))  # fmt: skip
    alarm_sns_topic_arn: str | None = field(default=None, metadata=doc(
        "ARN of an existing SNS topic for CloudWatch alarm notifications (creates a new topic if null)"))  # fmt: skip
    alarm_actions_enabled: bool = field(default=True, metadata=doc("Enable alarm actions for CloudWatch metric alarms"))

    # -- beyond the seed ----------------------------------------------------------------------
    image_tag: str = field(default="latest", metadata=doc(
        "With enable_ecr_repository and no image_uri: the tag of the created repository the "
        "function runs (push it before the function is created, see Deploying)"))  # fmt: skip
    front_door: FrontDoorKind | None = field(default=None, metadata=doc(
        "API Gateway flavour: `http` (HTTP API) or `rest` (REST API). Default: `rest` when "
        "`waf_acl_arn` or `enable_tenant_isolation` is set (the HTTP API supports neither), else `http`"))  # fmt: skip
    response_streaming: bool | None = field(default=None, metadata=doc(
        "REST API only: stream the function's responses (STREAM transfer mode, integration "
        "timeout up to the function's timeout, 15 minutes at most). null: on, except with "
        "tenant isolation (see Front doors)"))  # fmt: skip
    vpc_cidr: str = field(default=DEFAULT_VPC_CIDR, metadata=doc(
        "Created VPC only: its IPv4 range, /16 to /24, split into one private subnet per availability zone"))  # fmt: skip
    vpc_availability_zone_count: int = field(default=2, metadata=doc(
        "Created VPC only: availability zones (one private subnet each), 2 to 4"))  # fmt: skip
    api_gateway_cloudwatch_role: bool | None = field(default=None, metadata=doc(
        "REST API only: manage API Gateway's account-level CloudWatch Logs role, without which a "
        "REST stage with access logs is rejected (one setting per account and region; null: "
        "managed by every REST stack; set false where another stack manages it, see Front doors)"))  # fmt: skip
    vpc_interface_endpoints: Sequence[str] = field(default=(), metadata=doc(
        "Created VPC only: more interface endpoints, for AWS APIs the server's own code calls "
        "(for example `sts`, `kms`, `secretsmanager`); the VPC has no internet route"))  # fmt: skip
    token_vending_machine: TokenVendingMachineOptions | None = field(default=None, metadata=doc(
        "Present: vend tenant-scoped credentials (needs enable_tenant_isolation and "
        "enable_session_table); table below"))  # fmt: skip
    tenant_metering: TenantMeteringOptions | None = field(default=None, metadata=doc(
        "Present: usage table, per-tenant metrics and alarms; table below"))  # fmt: skip
    tenants: Sequence[TenantOptions] = field(default=(), metadata=doc(
        "Declared tenants (`[[tenants]]`, needs token_vending_machine); table below"))  # fmt: skip
    # -- the upstream module's later inputs: custom domain, canary, regions, notifications -----
    custom_domain_name: str | None = field(default=None, metadata=doc(
        "A DNS name clients reach the API at (regional custom domain, TLS 1.2, the stage mapped at "
        "the root); the default execute-api endpoint is then disabled"))  # fmt: skip
    acm_certificate_arn: str | None = field(default=None, metadata=doc(
        "With custom_domain_name: an ACM certificate for it in the stack's region (null: the stack "
        "requests one and validates it in route53_zone_id)"))  # fmt: skip
    route53_zone_id: str | None = field(default=None, metadata=doc(
        "With custom_domain_name: the public hosted zone of the domain, for its alias record (and "
        "the certificate's validation record)"))  # fmt: skip
    enable_mtls: bool = field(default=False, metadata=doc(
        "With custom_domain_name: require client certificates issued by a CA in the truststore (mutual TLS)"))  # fmt: skip
    mtls_truststore_uri: str | None = field(default=None, metadata=doc(
        "With enable_mtls: the PEM bundle of trusted CAs, s3://bucket/key, in a bucket of the stack's region"))  # fmt: skip
    mtls_truststore_version: str | None = field(default=None, metadata=doc(
        "With enable_mtls: the truststore object's S3 version (a versioned bucket; null: the latest)"))  # fmt: skip
    enable_canary_deployment: bool = field(default=False, metadata=doc(
        "Publish a version on every change and invoke it through an alias (canary_alias_name)"))  # fmt: skip
    canary_alias_name: str = field(default="live", metadata=doc("Name of the alias the front door invokes"))
    canary_version: str | None = field(default=None, metadata=doc(
        "The published version that keeps 1 - canary_weight of the traffic while the newest "
        "version is tried (null: the newest version takes all traffic)"))  # fmt: skip
    canary_weight: float = field(default=0, metadata=doc(
        "Share of the traffic, 0 to 1, the newest version takes while canary_version is set"))  # fmt: skip
    enable_global_table: bool = field(default=False, metadata=doc(
        "Replicate the session and usage tables to replica_regions (DynamoDB global tables)"))  # fmt: skip
    replica_regions: Sequence[str] = field(default=(), metadata=doc(
        "Regions of the table replicas (and, with enable_ecr_replication and no "
        "ecr_replication_regions, of the image replicas)"))  # fmt: skip
    replica_kms_key_arns: Mapping[str, str] = field(default_factory=dict, metadata=doc(
        "A KMS key ARN per replica region (table replicas and image replicas are encrypted with "
        "their region's key)"))  # fmt: skip
    enable_ecr_replication: bool = field(default=False, metadata=doc(
        "Replicate the created ECR repository's images to ecr_replication_regions"))  # fmt: skip
    ecr_replication_regions: Sequence[str] = field(default=(), metadata=doc(
        "Regions the images replicate to (default: replica_regions)"))  # fmt: skip
    enable_health_check: bool = field(default=False, metadata=doc(
        "A Route 53 HTTPS health check of the public endpoint, with an alarm"))  # fmt: skip
    health_check_path: str = field(default="/.well-known/oauth-protected-resource", metadata=doc(
        "Path the health check requests; it must answer 2xx or 3xx without a token"))  # fmt: skip
    health_check_failure_threshold: int = field(default=3, metadata=doc(
        "Consecutive failed checks (1 to 10) before the endpoint counts as unhealthy"))  # fmt: skip
    alarm_notification_email: str | Sequence[str] | None = field(default=None, metadata=doc(
        "E-mail address (or list) subscribed to the alarm topic the stack creates; each must "
        "confirm AWS's mail"))  # fmt: skip
    alarm_4xx_rate_percent: float = field(default=10, metadata=doc(
        "The API's client-error (4xx) rate, in percent of requests over 5 minutes, that alarms"))  # fmt: skip

    request_state_kms_key: bool = field(default=False, metadata=doc(
        "A KMS HMAC key seals the request state of 2026-07-28 input-required results (elicitation, "
        "sampling), so any execution environment can continue a request (without it each one signs "
        "with its own random key and a continuation elsewhere starts over); a created VPC gets a "
        "KMS endpoint"))  # fmt: skip

    # -- sign-in for people (constructs_lib.signin) -----------------------------------------
    enable_user_sign_in: bool = field(default=False, metadata=doc(
        "People sign in from their MCP clients (authorization code with PKCE, MFA) through an "
        "authorization server the stack deploys in front of Cognito's managed login; needs enable_auth"))  # fmt: skip
    user_mfa: Literal["required", "optional"] = field(default="required", metadata=doc(
        "With enable_user_sign_in, in a created pool: `required` (every person signs in with a TOTP "
        "app, FedRAMP IA-2(1)/(2)) or `optional`"))  # fmt: skip
    client_registration: Sequence[Literal["cimd", "dcr"]] = field(default=("cimd", "dcr"), metadata=doc(
        "With enable_user_sign_in: how MCP clients register: `cimd` (Client ID Metadata Document, "
        "the client_id is an https URL) and `dcr` (RFC 7591 dynamic registration); empty: only app "
        "clients the operator creates in the pool"))  # fmt: skip
    allowed_redirect_uris: Sequence[str] = field(default=DEFAULT_REDIRECT_PATTERNS, metadata=doc(
        "With enable_user_sign_in: the redirect URIs a client may register, as patterns (`*` as the "
        "whole port or the last path segment); the default admits loopback redirects only "
        "(RFC 8252); add hosted clients' https callbacks one by one"))  # fmt: skip
    user_tenant_attribute: str = field(default="tenant_id", metadata=doc(
        "With enable_user_sign_in: the user pool's custom attribute (without `custom:`) naming a "
        "person's tenant; stamped into the access token as `tenant_id`"))  # fmt: skip
    oauth_scopes: Sequence[str] = field(default=(), metadata=doc(
        "Scopes beyond `invoke` on the resource server `mcp` (`admin` becomes `mcp/admin`), for "
        "tools that need more than the right to call the server"))  # fmt: skip
    cognito_user_pool_domain: str | None = field(default=None, metadata=doc(
        "With enable_user_sign_in and an external pool: the host of its managed login "
        "(`<prefix>.auth.<region>.amazoncognito.com` or its custom domain)"))  # fmt: skip

    # A network of this library's own, made in the same app (instead of the three vpc_* inputs).
    network: Network | None = field(default=None, metadata={**doc("A created network"), **CONSTRUCT_ONLY})

    # -- what the rules find ------------------------------------------------------------------

    def problems(self, skip: Iterable[str] = ()) -> list[Problem]:
        """(location, reason) for every value AWS would reject or combination it cannot do;
        rules that read a field in `skip`, or a token, are skipped."""
        from .server_rules import RULES, run_rules

        return run_rules(RULES, self, skip)

    def warnings(self) -> list[tuple[str, str]]:
        """(field, message) for values AWS accepts but that do not do what they seem to, and
        for choices the construct made that the props did not spell out."""
        from .server_rules import warnings

        return warnings(self)

    # -- what follows from the inputs ---------------------------------------------------------

    @property
    def scopes(self) -> tuple[str, ...]:
        """The resource server's scopes in full: `mcp/invoke` first, then the extra ones."""
        return (SCOPE, *(f"{RESOURCE_SERVER}/{s}" for s in self.oauth_scopes))

    @property
    def names(self) -> Names:
        """Physical names derived from `name` and `environment`."""
        return Names(self.name, self.environment)

    @property
    def vended_credentials(self) -> TokenVendingMachineOptions | None:
        """The token vending machine in effect: as given, or with its defaults when tenant
        isolation partitions the session table (only vended credentials reach it)."""
        if self.token_vending_machine is not None:
            return self.token_vending_machine
        if self.enable_tenant_isolation and self.enable_session_table:
            return TokenVendingMachineOptions()
        return None

    @property
    def resolved_front_door(self) -> FrontDoorKind:
        """The front door in effect: the one asked for, else REST where HTTP cannot work."""
        if self.front_door:
            return self.front_door
        return "rest" if (self.waf_acl_arn or self.enable_tenant_isolation) else "http"

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

    @property
    def manages_api_gateway_account(self) -> bool:
        """Whether this deployment sets API Gateway's account-level CloudWatch role."""
        if self.api_gateway_cloudwatch_role is not None:
            return self.api_gateway_cloudwatch_role
        return self.resolved_front_door == "rest"

    @property
    def uses_dynamodb(self) -> bool:
        return self.enable_session_table or self.tenant_metering is not None

    @property
    def endpoints(self) -> list[Endpoint]:
        """The VPC endpoints the enabled features need (created with the VPC)."""
        return required_endpoints(
            sessions=self.uses_dynamodb,
            tracing=self.enable_xray_tracing,
            tenant_credentials=self.vended_credentials is not None,
            request_state=self.request_state_kms_key,
            extra_interfaces=self.vpc_interface_endpoints,
        )

    @property
    def notification_emails(self) -> tuple[str, ...]:
        emails = self.alarm_notification_email
        if emails is None:
            return ()
        return (emails,) if isinstance(emails, str) else tuple(emails)

    @property
    def table_replicas(self) -> dict[str, str]:
        """Replica region -> key, for the global tables."""
        if not self.enable_global_table:
            return {}
        return {r: self.replica_kms_key_arns.get(r, "") for r in self.replica_regions}

    @property
    def image_replica_regions(self) -> tuple[str, ...]:
        if not self.enable_ecr_replication:
            return ()
        return tuple(self.ecr_replication_regions or self.replica_regions)

    @property
    def image_replicas(self) -> dict[str, str]:
        return {r: self.replica_kms_key_arns.get(r, "") for r in self.image_replica_regions}

    @property
    def cors_allow_headers(self) -> tuple[str, ...]:
        """Request headers CORS allows: the MCP transport's, then the configured extras."""
        return (*CORS_ALLOW_HEADERS, *(h.lower() for h in self.cors_extra_allow_headers))
