"""`McpServer`: the whole MCP server deployment, composed from one construct per AWS concern.

It reads as its architecture, one phase each: foundations (the key, the network), data (sessions,
the image repository), compute (the function and its grants), the front door (auth, the API),
observability (alarms), tenancy (tenant clients, the token vending machine, metering).
"""

from __future__ import annotations

import dataclasses

import jsii
from cdktf import Annotations, Aspects, TerraformStack
from constructs import Construct, IValidation

from .auth import SCOPE, ExternalPool, McpAuth, McpAuthProps, PeopleSignIn
from .checks import format_problems
from .control_rules import apply_control_rules
from .context import provider_region, require_aws_provider, uses_fips_endpoints
from .dashboard import Dashboard, DashboardProps
from .discovery import MetadataFunction, MetadataFunctionProps
from .domain import CustomDomain, CustomDomainProps
from .expressions import literal
from .function import ImageCode, McpFunction, McpFunctionProps
from .health import HealthCheck, HealthCheckProps
from .http_api import McpHttpApi, McpHttpApiProps
from .kms import DeploymentKey, DeploymentKeyProps, KeyLike
from .limits import ROUTE53_METRICS_REGION, partition_of_region
from .metering import FILTER_PATTERNS, TENANT_DIMENSION, TenantMetering, TenantMeteringProps
from .monitoring import Monitoring, MonitoringProps
from .network import Network, NetworkProps
from .outputs import SeedOutputs
from .props import McpServerProps
from .references import attribute_values, default_policy_key
from .registry import ImageRepository, ImageRepositoryProps
from .release import ReleaseAlias, ReleaseAliasProps
from .request_state import RequestStateKey
from .rest_api import McpRestApi, McpRestApiProps
from .server_rules import region_rules
from .sessions import SessionTable, SessionTableProps
from .signin.construct import PreTokenTrigger, PreTokenTriggerProps, SignIn, SignInProps
from .tagging import TagResources
from .tvm import TokenVendingMachine, TokenVendingMachineProps, vended_credentials_environment


class McpServer(Construct, SeedOutputs):
    """An MCP server on Lambda behind API Gateway, configured by the seed module's inputs.

    Props that AWS would reject raise ValueError, every problem listed; what can only be known
    at synth (the provider's region) is a validation that fails synth naming this construct.
    Attributes named like the seed's outputs (`api_id`, `lambda_role_arn`, ...) expose them.
    """

    def __init__(self, scope: Construct, id: str, props: McpServerProps):
        super().__init__(scope, id)
        given_key = props.kms_key_arn
        # A resource given where an ARN or id is expected stands for its attribute.
        props, problems = attribute_values(props)
        problems = problems or props.problems()
        if problems:
            raise ValueError(f"McpServer {self.node.path}:\n{format_problems(problems)}")
        # Validated as given; from here on every string of the props is a literal in the stack
        # (an OpenTofu `${...}` or `%{...}` in a value stays text), except tokens: references
        # are tokens, never strings written with `${`.
        self.props = props = literal(props)
        self.names = props.names
        require_aws_provider(self)
        self.production = props.environment == "prod"
        for field, message in props.warnings():
            Annotations.of(self).add_warning(f"{field}: {message}")
        if default_policy_key(self, given_key) is not None:
            Annotations.of(self).add_warning(
                "kms_key_arn: a KmsKey with AWS's default key policy: CloudWatch Logs cannot use it, so "
                "creating the log groups fails (and alarms to a topic under it are dropped); pass a "
                "DeploymentKey, or give the key the statements of constructs_lib.kms.key_policy_statements")  # fmt: skip
        self._foundations()
        self._data()
        self._compute()
        self._front_door()
        self._observability()
        self._tenancy()
        if props.tags:
            Aspects.of(self).add(TagResources(props.tags))
        apply_control_rules(TerraformStack.of(self))
        self.node.add_validation(_InTheProviderRegion(self))

    def _foundations(self) -> None:
        """The key and the network: given, or created (`from zero`)."""
        props, names = self.props, self.names
        self.key: DeploymentKey | None = None
        if isinstance(props.kms_key_arn, DeploymentKey):
            self.key = props.kms_key_arn
        elif props.kms_key_arn is None:
            self.key = DeploymentKey(self, "key", DeploymentKeyProps(names=names, prevent_destroy=self.production))
        self.kms_key: KeyLike = self.key or props.kms_key_arn
        self.network = props.network
        if props.vpc_id:
            self.subnet_ids, self.security_group_ids = props.vpc_subnet_ids, props.vpc_security_group_ids
            return
        if self.network is None:
            self.network = Network(self, "network", NetworkProps(
                names=names, cidr=props.vpc_cidr, availability_zone_count=props.vpc_availability_zone_count,
                endpoints=props.endpoints, kms_key=self.kms_key, log_retention_days=props.log_retention_days,
            ))  # fmt: skip
        self.subnet_ids, self.security_group_ids = self.network.subnet_ids, self.network.security_group_ids

    def _data(self) -> None:
        """Session items and the image repository."""
        props, names = self.props, self.names
        self.sessions = None
        if props.enable_session_table:
            self.sessions = SessionTable(self, "sessions", SessionTableProps(
                table_name=names.session_table, kms_key=self.kms_key,
                partition_by_tenant=props.enable_tenant_isolation, deletion_protection=self.production,
                replicas=props.table_replicas,
            ))  # fmt: skip
        self.repository, self.pull_policy = None, None
        if props.enable_ecr_repository:
            self.repository = ImageRepository(self, "registry", ImageRepositoryProps(
                repository_name=names.repository, kms_key=self.kms_key,
                image_tag_mutability=props.ecr_image_tag_mutability, scan_on_push=props.ecr_scan_on_push,
                # Images are build outputs; dev's repository goes with its stack.
                force_delete=props.environment == "dev", replicas=props.image_replicas,
            ))  # fmt: skip
            self.pull_policy = self.repository.grant_pull(names.function)

    def _compute(self) -> None:
        """The function, what its code is told, and what it may reach."""
        props, names = self.props, self.names
        image = props.image_uri
        if image is None:  # the function runs an image pushed to the repository created here
            image = f"{self.repository.url}:{props.image_tag}"
        self.function = McpFunction(self, "function", McpFunctionProps(
            function_name=names.function, role_name=names.function_role,
            log_group_name=names.function_log_group, code=ImageCode(image), kms_key=self.kms_key,
            subnet_ids=self.subnet_ids, security_group_ids=self.security_group_ids,
            memory_size=props.memory_size, timeout=props.timeout,
            reserved_concurrent_executions=props.reserved_concurrent_executions,
            environment_variables={**props.environment_variables, **self._runtime_environment()},
            log_retention_days=props.log_retention_days, enable_xray_tracing=props.enable_xray_tracing,
            tenant_isolation=props.enable_tenant_isolation, publish=props.enable_canary_deployment,
            # Lambda checks that it may pull the image when the function is created.
            depends_on=[self.pull_policy] if self.pull_policy and props.image_uri is None else [],
        ))  # fmt: skip
        # What the front door invokes: the function, or the alias of a canary release.
        self.release = None
        if props.enable_canary_deployment:
            self.release = ReleaseAlias(self, "release", ReleaseAliasProps(
                function=self.function, name=props.canary_alias_name, stable_version=props.canary_version,
                canary_weight=props.canary_weight,
            ))  # fmt: skip
        self.invoked = self.release or self.function
        self.request_state_key = None
        if props.request_state_kms_key:
            self.request_state_key = RequestStateKey(self, "request_state", names=names,
                                                     prevent_destroy=self.production)  # fmt: skip
            self.request_state_key.grant_seal(self.function)
            self.function.add_environment(MCP_REQUEST_STATE_KMS_KEY=self.request_state_key.arn)
        # A tenant-partitioned table is reached only with vended tenant credentials (tenancy).
        if self.sessions and not self.sessions.partitioned:
            self.sessions.grant_read_write(self.function)

    def _runtime_environment(self) -> dict[str, str]:
        """What the server's code is told (the runtime contract in the README)."""
        props, names = self.props, self.names
        env = {
            "TENANT_ISOLATION_ENABLED": str(props.enable_tenant_isolation).lower(),
            # The origins the server's own responses allow (CORS, and 403 for others).
            "MCP_ALLOWED_ORIGINS": ",".join(props.cors_allowed_origins),
            # How the front door invokes the function: the Lambda Web Adapter in the reference
            # image must answer in the same mode.
            "AWS_LWA_INVOKE_MODE": "response_stream" if props.streams_responses else "buffered",
        }
        if self.sessions:
            env["SESSION_TABLE_NAME"] = self.sessions.name
            env["SESSION_TTL_SECONDS"] = str(props.session_ttl_seconds)
        if tvm := props.vended_credentials:
            env |= vended_credentials_environment(self, names, template_role=tvm.enable_template_role,
                                                  session_seconds=tvm.tenant_session_duration)  # fmt: skip
        if metering := props.tenant_metering:
            env |= {"USAGE_TABLE_NAME": names.usage_table, "USAGE_TTL_DAYS": str(metering.usage_ttl_days)}
        return env

    def _front_door(self) -> None:
        """Cognito, then the REST API (WAF, tenants, streaming) or the HTTP API."""
        props, names = self.props, self.names
        self.auth, self.pre_token, people = None, None, None
        if props.enable_user_sign_in:
            self.pre_token = PreTokenTrigger(self, "pre_token", PreTokenTriggerProps(
                names=names, kms_key=self.kms_key, tenant_attribute=props.user_tenant_attribute,
                subnet_ids=self.subnet_ids, security_group_ids=self.security_group_ids,
                log_retention_days=props.log_retention_days, enable_xray_tracing=props.enable_xray_tracing,
                gated_scopes=props.scopes[1:],
            ))  # fmt: skip
            people = PeopleSignIn(props.user_mfa, props.user_tenant_attribute, self.pre_token.function_arn)
        if props.enable_auth:
            external = None
            if props.cognito_user_pool_id:
                external = ExternalPool(props.cognito_user_pool_id, props.cognito_user_pool_endpoint or "",
                                        props.cognito_client_id or "")  # fmt: skip
            self.auth = McpAuth(self, "auth", McpAuthProps(
                names=names, external=external, deletion_protection=self.production,
                extra_scopes=tuple(props.oauth_scopes), people=None if external else people,
            ))  # fmt: skip
        if self.pre_token:
            self.pre_token.allow_pool(self.auth.user_pool_arn)
        shared = dict(
            names=names, function=self.invoked, kms_key=self.kms_key, log_retention_days=props.log_retention_days,
            throttle_rate_limit=props.throttle_rate_limit, throttle_burst_limit=props.throttle_burst_limit,
            route_throttle_overrides=props.route_throttle_overrides,
            integration_timeout_seconds=props.effective_timeout_seconds, auth=self.auth,
            cors_allowed_origins=tuple(props.cors_allowed_origins), cors_allow_headers=props.cors_allow_headers,
            custom_domain_name=props.custom_domain_name, scopes=props.scopes,
            own_authorization_server=props.enable_user_sign_in,
        )  # fmt: skip
        self.metadata = None
        if props.resolved_front_door == "rest":
            self.front_door = McpRestApi(self, "rest_api", McpRestApiProps(
                **shared, response_streaming=props.streams_responses,
                tenant_isolation=props.enable_tenant_isolation, waf_acl_arn=props.waf_acl_arn,
                enable_xray_tracing=props.enable_xray_tracing,
                create_cloudwatch_role=props.manages_api_gateway_account,
            ))  # fmt: skip
        else:
            self._http_api(shared)
        self.domain = None
        if props.custom_domain_name:
            self.domain = CustomDomain(self, "domain", CustomDomainProps(
                domain_name=props.custom_domain_name, kind=props.resolved_front_door,
                api_id=self.front_door.api_id, stage_name=self.front_door.stage_reference,
                certificate_arn=props.acm_certificate_arn, zone_id=props.route53_zone_id,
                truststore_uri=props.mtls_truststore_uri if props.enable_mtls else None,
                truststore_version=props.mtls_truststore_version,
            ))  # fmt: skip
        # DNS rebinding: the Host names the server answers to (the function exists before the
        # API, so its own host is added now).
        hosts = [self.front_door.default_host, *([props.custom_domain_name] if props.custom_domain_name else [])]
        self.function.add_environment(MCP_ALLOWED_HOSTS=",".join(hosts))
        self.sign_in = None
        if props.enable_user_sign_in:
            self._sign_in()

    def _sign_in(self) -> None:
        """The authorization server people's clients sign in through, on the API's own URL;
        the server learns which client is the people's (their tenant is a claim, not the client)."""
        props = self.props
        self.sign_in = SignIn(self, "sign_in", SignInProps(
            names=self.names, auth=self.auth, front_door=self.front_door, kms_key=self.kms_key,
            scopes=props.scopes, client_registration=tuple(props.client_registration),
            allowed_redirect_uris=tuple(props.allowed_redirect_uris),
            managed_login_host=props.cognito_user_pool_domain,
            front_door_kind=props.resolved_front_door,
            log_retention_days=props.log_retention_days, enable_xray_tracing=props.enable_xray_tracing,
            deletion_protection=self.production,
        ))  # fmt: skip
        self.front_door.accept_client(self.sign_in.client_id)
        self.function.add_environment(SIGN_IN_CLIENT_ID=self.sign_in.client_id)

    def _http_api(self, shared: dict) -> None:
        """The HTTP API, and the function serving its discovery documents."""
        props, names = self.props, self.names
        if self.auth and not props.enable_user_sign_in:  # else the sign-in facade serves the metadata
            self.metadata = MetadataFunction(self, "metadata", MetadataFunctionProps(
                names=names, authorization_server=self.auth.issuer, scopes=(SCOPE,), kms_key=self.kms_key,
                subnet_ids=self.subnet_ids, security_group_ids=self.security_group_ids,
                log_retention_days=props.log_retention_days, enable_xray_tracing=props.enable_xray_tracing,
            ))  # fmt: skip
        self.front_door = McpHttpApi(self, "http_api", McpHttpApiProps(
            **shared, metadata_function=self.metadata.function if self.metadata else None))  # fmt: skip

    def _observability(self) -> None:
        """Alarms to the given topic or one created under the key, the people it mails, the
        dashboard, and the endpoint's health check."""
        props, names, door = self.props, self.names, self.front_door
        tables = {"sessions": names.session_table} if props.enable_session_table else {}
        if props.tenant_metering:
            tables["usage"] = names.usage_table
        self.monitoring = Monitoring(self, "monitoring", MonitoringProps(
            names=names, kms_key=self.kms_key, function_name=self.function.function_name,
            function_dimensions=self.invoked.metric_dimensions,
            api_server_errors=door.server_errors, api_latency=door.latency,
            api_client_errors=door.client_errors, api_requests=door.requests,
            client_error_rate_percent=props.alarm_4xx_rate_percent,
            effective_timeout_s=props.effective_timeout_seconds,
            reserved_concurrent_executions=props.reserved_concurrent_executions, tables=tables,
            alarm_topic_arn=props.alarm_sns_topic_arn, notification_emails=props.notification_emails,
            actions_enabled=props.alarm_actions_enabled,
        ))  # fmt: skip
        metering = props.tenant_metering
        self.dashboard = Dashboard(self, "dashboard", DashboardProps(
            names=names, function_dimensions=self.invoked.metric_dimensions, function_name=self.function.function_name,
            api_requests=door.requests, api_client_errors=door.client_errors, api_server_errors=door.server_errors,
            api_latency=door.latency, tables=tables,
            tenant_namespace=metering.metric_namespace if metering else None,
            tenant_metrics=tuple(FILTER_PATTERNS), tenant_dimension=TENANT_DIMENSION,
        ))  # fmt: skip
        self.health_check = None
        if props.enable_health_check:
            self._health_check()

    def _health_check(self) -> None:
        """Route 53 checks the URL clients use; its alarm lives where Route 53's metrics are."""
        props, door = self.props, self.front_door
        here = provider_region(self)
        metrics_region = ROUTE53_METRICS_REGION.get(partition_of_region(here) if here else "aws", "us-east-1")
        if props.custom_domain_name:
            fqdn, path = props.custom_domain_name, props.health_check_path
        else:
            fqdn, path = door.default_host, door.default_base_path + props.health_check_path
        self.health_check = HealthCheck(self, "health", HealthCheckProps(
            names=self.names, fqdn=fqdn, path=path, failure_threshold=props.health_check_failure_threshold,
            metrics_region=metrics_region,
            # An alarm notifies topics of its own region only.
            alarm_topic_arn=self.monitoring.topic_arn if here == metrics_region else None,
            notification_emails=props.notification_emails, actions_enabled=props.alarm_actions_enabled,
            prevent_key_destroy=self.production,
        ))  # fmt: skip

    def _tenancy(self) -> None:
        """Each declared tenant's app client, the token vending machine and metering."""
        props, names = self.props, self.names
        self.tenant_clients = {
            t.id: self.auth.add_client(f"tenant_{t.id}", names.tenant_client(t.id))
            for t in props.tenants
            if self.auth
        }
        self.tvm = None
        if (options := props.vended_credentials) and self.sessions:
            self.tvm = TokenVendingMachine(self, "tvm", TokenVendingMachineProps(
                names=names, function_role=self.function.role, session_table=self.sessions, options=options))  # fmt: skip
            for tenant, client in self.tenant_clients.items():
                self.tvm.add_tenant(tenant, client.id)
        self.metering = None
        if options := props.tenant_metering:
            # One alarm topic per deployment unless metering is given its own.
            options = dataclasses.replace(options, alarm_sns_topic_arn=options.alarm_sns_topic_arn or self.monitoring.topic_arn)
            self.metering = TenantMetering(self, "metering", TenantMeteringProps(
                names=names, kms_key=self.kms_key, function=self.function,
                api_log_group_name=self.front_door.access_log_group_name, options=options,
                actions_enabled=props.alarm_actions_enabled, deletion_protection=self.production,
                replicas=props.table_replicas,
            ))  # fmt: skip
            for t in props.tenants:
                self.metering.add_tenant(t.id, self.tenant_clients[t.id].id, t.quota_request_threshold)


@jsii.implements(IValidation)
class _InTheProviderRegion:
    """The key, topic, web ACL, image and pool named by literal ARNs are in the region of the
    stack's AWS provider (known only once the construct is in a stack with a provider)."""

    def __init__(self, server: McpServer):
        self.server = server

    def validate(self) -> list[str]:
        stack = TerraformStack.of(self.server)
        region = provider_region(stack)
        if not region:
            return []
        fips = ("the provider's use_fips_endpoint",) if uses_fips_endpoints(stack) else None
        # cdktf prefixes each line with this construct's path.
        return format_problems(region_rules(self.server.props, region, "the provider's region", fips=fips)).splitlines()
