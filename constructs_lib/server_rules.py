"""The rules `McpServerProps` must pass: what AWS rejects at apply time, and combinations it
cannot do, each named and small, each reading the fields it declares (see `checks.py`).

`region_rules` is separate: the region comes from where the props are deployed (the stack's
provider, or a configuration's `stack.region`), not from the props.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from .checks import Problem, Rule, is_token, resolved, rule, rules_of
from .checks import run_rules as _run
from .kms import DeploymentKey
from .limits import (
    COGNITO_CLIENT_ID,
    COGNITO_USER_POOL_ID,
    CORS_ORIGIN,
    ECR_IMAGE_URI,
    ENDPOINT_SERVICE,
    ENV_KEY,
    HEADER_NAME,
    IAM_ROLE_ARN_PATTERN,
    IMAGE_TAG,
    KMS_KEY_ARN,
    LAMBDA_ENV_MAX_BYTES,
    LAMBDA_MEMORY_MB,
    LAMBDA_RESERVED_ENV_KEYS,
    LAMBDA_TIMEOUT_S,
    LOG_RETENTION_DAYS,
    MAX_CREATED_AZS,
    MAX_USER_TAGS,
    MCP_ROUTE_KEYS,
    NAME,
    SECURITY_GROUP_ID,
    SNS_TOPIC_ARN,
    STACK_TAG_KEYS,
    SUBNET_ID,
    TAG_CHARS,
    TENANT_ID,
    TENANT_ID_MAX_LENGTH,
    VPC_ID,
    WAF_WEB_ACL_ARN,
    Shape,
    created_vpc_cidr_problem,
    partition_of_region,
    region_of_arn,
    region_of_image,
)
from .network import required_endpoints
from .transport import CORS_ALLOW_HEADERS
from .tvm import covers_path

if TYPE_CHECKING:
    from .props import McpServerProps

VPC_INPUTS = ("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids")
CREATED_VPC_INPUTS = ("vpc_cidr", "vpc_availability_zone_count", "vpc_interface_endpoints")
# Set by McpServer itself from other inputs.
MANAGED_ENV_KEYS = frozenset(
    {
        "AWS_LWA_INVOKE_MODE", "MCP_ALLOWED_ORIGINS", "SESSION_TABLE_NAME", "SESSION_TTL_SECONDS",
        "TENANT_ISOLATION_ENABLED", "TENANT_TAG_KEY", "TENANT_ROLE_ARN_PREFIX", "TENANT_TEMPLATE_ROLE_ARN",
        "TENANT_SESSION_SECONDS", "USAGE_TABLE_NAME", "USAGE_TTL_DAYS",
    }
)  # fmt: skip


def _shaped(field: str, value: str | None, shape: Shape) -> list[Problem]:
    problem = value is not None and shape.problem(resolved(value))
    return [((field,), problem)] if problem else []


def _each_shaped(field: str, values: Sequence[str] | None, shape: Shape, sizes: tuple[int, int] | None = None) -> list[Problem]:
    if values is None:
        return []
    values = list(resolved(values))
    found = []
    if sizes and not sizes[0] <= len(values) <= sizes[1]:
        found.append(((field,), f"list {sizes[0]} to {sizes[1]} items (got {len(values)})"))
    found += [((field, i), p) for i, v in enumerate(values) if (p := shape.problem(v))]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        found.append(((field,), f"listed more than once: {', '.join(duplicates)}"))
    return found


def _between(field: str, value: float, low: float, high: float | None, unit: str = "") -> list[Problem]:
    value = resolved(value)
    if value >= low and (high is None or value <= high):
        return []
    what = f"at least {low}" if high is None else f"{low} to {high}"
    return [((field,), f"must be {what}{unit} (got {value})")]


# -- single values ----------------------------------------------------------------------------


@rule("name")
def name_shape(p: McpServerProps) -> list[Problem]:
    return _shaped("name", p.name, NAME)


@rule("environment")
def environment_known(p: McpServerProps) -> list[Problem]:
    if resolved(p.environment) in ("dev", "staging", "prod"):
        return []
    return [(("environment",), f"must be dev, staging or prod (got {p.environment!r})")]


@rule("tags")
def tags_accepted(p: McpServerProps) -> list[Problem]:
    tags, found = dict(resolved(p.tags)), []
    if len(tags) > MAX_USER_TAGS:
        found.append((("tags",), f"at most {MAX_USER_TAGS} tags (AWS allows 50 per resource)"))
    for key, value in tags.items():
        if key in STACK_TAG_KEYS:
            found.append((("tags", key), "set by the stack on every resource; remove this tag"))
        elif not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            found.append((("tags", key), "tag keys are 1-128 characters and must not start with aws:"))
        elif not TAG_CHARS.fullmatch(key):
            found.append((("tags", key), "tag keys allow letters, digits, spaces and _ . : / = + - @"))
        if len(value) > 256 or not TAG_CHARS.fullmatch(value):
            found.append((("tags", key), "tag values are at most 256 letters, digits, spaces and _ . : / = + - @"))
    return found


@rule("image_uri")
def image_uri_shape(p: McpServerProps) -> list[Problem]:
    return _shaped("image_uri", p.image_uri, ECR_IMAGE_URI)


@rule("image_tag")
def image_tag_shape(p: McpServerProps) -> list[Problem]:
    return _shaped("image_tag", p.image_tag, IMAGE_TAG)


@rule("memory_size")
def memory_in_range(p: McpServerProps) -> list[Problem]:
    return _between("memory_size", p.memory_size, *LAMBDA_MEMORY_MB, " MB (Lambda's range)")


@rule("timeout")
def timeout_in_range(p: McpServerProps) -> list[Problem]:
    return _between("timeout", p.timeout, *LAMBDA_TIMEOUT_S, " s (Lambda's range)")


@rule("reserved_concurrent_executions")
def concurrency_reservable(p: McpServerProps) -> list[Problem]:
    return _between("reserved_concurrent_executions", p.reserved_concurrent_executions, -1, None, " (-1: unreserved)")


@rule("environment_variables")
def environment_accepted(p: McpServerProps) -> list[Problem]:
    variables, found = dict(resolved(p.environment_variables)), []
    for key in variables:
        if key in LAMBDA_RESERVED_ENV_KEYS:
            found.append((("environment_variables", key), "reserved by the Lambda runtime; choose another name"))
        elif key in MANAGED_ENV_KEYS:
            found.append((("environment_variables", key), "set by McpServer from its other inputs; remove it"))
        elif not ENV_KEY.fullmatch(key):
            found.append((("environment_variables", key), "Lambda requires a letter followed by at least one letter, digit or _"))
    size = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items())
    if size > LAMBDA_ENV_MAX_BYTES:
        found.append((("environment_variables",), f"{size} bytes in all; Lambda allows {LAMBDA_ENV_MAX_BYTES}"))
    return found


@rule("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids")
def network_ids_shaped(p: McpServerProps) -> list[Problem]:
    return (_shaped("vpc_id", p.vpc_id, VPC_ID)
            + _each_shaped("vpc_subnet_ids", p.vpc_subnet_ids, SUBNET_ID, (1, 16))
            + _each_shaped("vpc_security_group_ids", p.vpc_security_group_ids, SECURITY_GROUP_ID, (1, 5)))  # fmt: skip


@rule("kms_key_arn")
def key_arn_shape(p: McpServerProps) -> list[Problem]:
    if isinstance(p.kms_key_arn, DeploymentKey):
        return []
    return _shaped("kms_key_arn", p.kms_key_arn, KMS_KEY_ARN)


@rule("cognito_user_pool_id", "cognito_client_id")
def external_pool_ids_shaped(p: McpServerProps) -> list[Problem]:
    return (_shaped("cognito_user_pool_id", p.cognito_user_pool_id, COGNITO_USER_POOL_ID)
            + _shaped("cognito_client_id", p.cognito_client_id, COGNITO_CLIENT_ID))  # fmt: skip


@rule("waf_acl_arn", "alarm_sns_topic_arn")
def arns_shaped(p: McpServerProps) -> list[Problem]:
    return (_shaped("waf_acl_arn", p.waf_acl_arn, WAF_WEB_ACL_ARN)
            + _shaped("alarm_sns_topic_arn", p.alarm_sns_topic_arn, SNS_TOPIC_ARN))  # fmt: skip


@rule("route_throttle_overrides")
def known_routes(p: McpServerProps) -> list[Problem]:
    found = []
    for key, throttle in dict(resolved(p.route_throttle_overrides)).items():
        if key not in MCP_ROUTE_KEYS:
            found.append((("route_throttle_overrides", key), f"no such route; the MCP routes are {', '.join(MCP_ROUTE_KEYS)}"))
            continue
        found += [(("route_throttle_overrides", key, *loc), m) for loc, m in
                  _between("throttling_rate_limit", throttle.throttling_rate_limit, 0, None)
                  + _between("throttling_burst_limit", throttle.throttling_burst_limit, 0, None)]  # fmt: skip
    return found


@rule("throttle_rate_limit", "throttle_burst_limit")
def throttles_not_negative(p: McpServerProps) -> list[Problem]:
    return _between("throttle_rate_limit", p.throttle_rate_limit, 0, None) + _between(
        "throttle_burst_limit", p.throttle_burst_limit, 0, None
    )


@rule("cors_allowed_origins")
def origins_shaped(p: McpServerProps) -> list[Problem]:
    origins = list(resolved(p.cors_allowed_origins))
    found = _each_shaped("cors_allowed_origins", origins, CORS_ORIGIN, (1, 100))
    if "*" in origins and len(origins) > 1:
        found.append((("cors_allowed_origins",), "'*' already allows every origin; give either '*' or a list of origins"))
    return found


@rule("cors_extra_allow_headers")
def extra_headers_new(p: McpServerProps) -> list[Problem]:
    headers = list(resolved(p.cors_extra_allow_headers))
    lower = [h.lower() for h in headers]
    return [((("cors_extra_allow_headers", i)), problem) for i, h in enumerate(headers)
            if (problem := HEADER_NAME.problem(h))] + [
        (("cors_extra_allow_headers", i), f"{h!r} is already allowed for the MCP transport; remove it")
        for i, h in enumerate(headers) if h.lower() in CORS_ALLOW_HEADERS
    ] + [(("cors_extra_allow_headers", i), f"{h!r} is listed more than once")
         for i, h in enumerate(headers) if lower.index(h.lower()) != i]  # fmt: skip


@rule("session_ttl_seconds")
def session_ttl_positive(p: McpServerProps) -> list[Problem]:
    return _between("session_ttl_seconds", p.session_ttl_seconds, 1, None, " s")


@rule("ecr_image_tag_mutability", "front_door")
def choices_known(p: McpServerProps) -> list[Problem]:
    found = []
    if resolved(p.ecr_image_tag_mutability) not in ("IMMUTABLE", "MUTABLE"):
        found.append((("ecr_image_tag_mutability",), "must be IMMUTABLE or MUTABLE"))
    if p.front_door not in (None, "http", "rest"):
        found.append((("front_door",), "must be http or rest"))
    return found


@rule("log_retention_days")
def retention_accepted(p: McpServerProps) -> list[Problem]:
    if resolved(p.log_retention_days) in LOG_RETENTION_DAYS:
        return []
    allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
    return [(("log_retention_days",), f"CloudWatch Logs accepts only {allowed} (got {p.log_retention_days})")]


@rule("vpc_cidr", "vpc_availability_zone_count", "vpc_interface_endpoints")
def created_network_fits(p: McpServerProps) -> list[Problem]:
    cidr = created_vpc_cidr_problem(resolved(p.vpc_cidr))
    return ([(("vpc_cidr",), cidr)] if cidr else []) + _between(
        "vpc_availability_zone_count", p.vpc_availability_zone_count, 2, MAX_CREATED_AZS
    ) + _each_shaped("vpc_interface_endpoints", p.vpc_interface_endpoints, ENDPOINT_SERVICE)


@rule("tenants")
def tenants_declared_once(p: McpServerProps) -> list[Problem]:
    tenants, found = list(resolved(p.tenants)), []
    ids = [t.id for t in tenants]
    for i, tenant in enumerate(tenants):
        if problem := TENANT_ID.problem(tenant.id):
            found.append((("tenants", i, "id"), problem))
        elif len(tenant.id) > TENANT_ID_MAX_LENGTH:
            found.append((("tenants", i, "id"), f"at most {TENANT_ID_MAX_LENGTH} characters"))
        if ids.index(tenant.id) != i:
            found.append((("tenants", i, "id"), f"tenant {tenant.id!r} is declared more than once"))
        if tenant.quota_request_threshold is not None and tenant.quota_request_threshold < 1:
            found.append((("tenants", i, "quota_request_threshold"), "must be at least 1"))
    return found


@rule("token_vending_machine", "tenant_metering")
def companion_options(p: McpServerProps) -> list[Problem]:
    found = []
    for field in ("token_vending_machine", "tenant_metering"):
        options = getattr(p, field)
        if options is not None:
            found += [((field, *loc), m) for loc, m in options.problems()]
    return found


# -- combinations ---------------------------------------------------------------------------


@rule("name", "environment", "token_vending_machine", "tenant_metering", "enable_tenant_isolation", "enable_session_table")
def names_fit(p: McpServerProps) -> list[Problem]:
    if is_token(p.name) or NAME.problem(p.name):
        return []  # the name's own rule reports it; derived names would repeat it
    tenancy = p.vended_credentials is not None or p.tenant_metering is not None
    return [(("name",), problem) for problem in p.names.problems(tenancy=tenancy)]


@rule("image_uri", "image_tag", "enable_ecr_repository")
def image_given_or_built_here(p: McpServerProps) -> list[Problem]:
    if p.image_uri is None and not p.enable_ecr_repository:
        return [(("image_uri",), "required; add it to the file, or set enable_ecr_repository = true to "
                 "run image_tag from the repository this stack creates")]  # fmt: skip
    if p.image_uri is not None and p.image_tag != "latest":
        return [(("image_tag",), "only used when image_uri is omitted (the function then runs this tag "
                 "of the created repository); remove it or remove image_uri")]  # fmt: skip
    return []


@rule(*VPC_INPUTS, *CREATED_VPC_INPUTS, "network")
def network_given_whole(p: McpServerProps) -> list[Problem]:
    given = [f for f in VPC_INPUTS if getattr(p, f) is not None]
    found = []
    if given and len(given) < len(VPC_INPUTS):
        found += [((f,), "a given network needs all three of " + ", ".join(VPC_INPUTS)
                   + "; give all three, or none to have the stack create the VPC")
                  for f in VPC_INPUTS if f not in given]  # fmt: skip
    if given or p.network is not None:
        found += [((f,), "only used when the stack creates the VPC (no vpc_id given); remove it")
                  for f in CREATED_VPC_INPUTS if not _is_default(f, getattr(p, f))]  # fmt: skip
    if given and p.network is not None:
        found.append((("network",), "give a network or the vpc_* inputs, not both"))
    return found


@rule("network", "enable_session_table", "tenant_metering", "enable_xray_tracing", "token_vending_machine", "enable_tenant_isolation")
def network_reaches_what_the_features_call(p: McpServerProps) -> list[Problem]:
    if p.network is None:
        return []
    missing = [e.service for e in p.endpoints if e.service not in p.network.endpoints]
    if not missing:
        return []
    return [(("network",), f"has no endpoint for {', '.join(missing)}, which the enabled features "
             "call from the private subnets; create the network with NetworkProps(endpoints=props.endpoints)")]  # fmt: skip


@rule("vpc_interface_endpoints", "enable_session_table", "tenant_metering", "enable_xray_tracing", "token_vending_machine", "enable_tenant_isolation")
def endpoints_listed_once(p: McpServerProps) -> list[Problem]:
    built_in = {e.service: e.needed_for for e in required_endpoints(
        sessions=p.uses_dynamodb, tracing=p.enable_xray_tracing,
        tenant_credentials=p.vended_credentials is not None)}  # fmt: skip
    return [(("vpc_interface_endpoints", i), f"{service!r} is already created ({built_in[service]}); remove it")
            for i, service in enumerate(p.vpc_interface_endpoints) if service in built_in]  # fmt: skip


@rule("cognito_user_pool_id", "cognito_user_pool_endpoint", "cognito_client_id", "enable_auth")
def external_pool_whole(p: McpServerProps) -> list[Problem]:
    trio = ("cognito_user_pool_id", "cognito_user_pool_endpoint", "cognito_client_id")
    given = [f for f in trio if getattr(p, f) is not None]
    found = []
    if given and len(given) < len(trio):
        found += [((f,), "an external Cognito pool needs all three of " + ", ".join(trio)) for f in trio if f not in given]
    if given and not p.enable_auth:
        found += [((f,), "enable_auth is false, so the external pool would be ignored; remove it or set "
                   "enable_auth = true") for f in given]  # fmt: skip
    return found


@rule("cognito_user_pool_id", "cognito_user_pool_endpoint")
def pool_endpoint_matches(p: McpServerProps) -> list[Problem]:
    pool_id, endpoint = resolved(p.cognito_user_pool_id), resolved(p.cognito_user_pool_endpoint)
    if pool_id and endpoint is not None:
        expected = f"cognito-idp.{pool_id.split('_')[0]}.amazonaws.com/{pool_id}"
        if endpoint not in (expected, f"https://{expected}"):
            return [(("cognito_user_pool_endpoint",), f"must be {expected} for pool {pool_id}")]
    return []


@rule("front_door", "waf_acl_arn")
def http_api_cannot_take_waf(p: McpServerProps) -> list[Problem]:
    if p.front_door == "http" and p.waf_acl_arn:
        return [(("front_door",), 'AWS WAF cannot be associated with an HTTP API stage; use front_door = "rest" '
                 "(or leave front_door unset) to protect the API with waf_acl_arn")]  # fmt: skip
    return []


@rule("front_door", "enable_tenant_isolation")
def http_api_cannot_route_tenants(p: McpServerProps) -> list[Problem]:
    if p.front_door == "http" and p.enable_tenant_isolation:
        return [(("front_door",), "an HTTP API cannot set the X-Amz-Tenant-Id header that every invoke of a "
                 'tenant-isolated function needs; use front_door = "rest" (or leave it unset)')]  # fmt: skip
    return []


@rule("front_door", "response_streaming", "waf_acl_arn", "enable_tenant_isolation")
def http_api_cannot_stream(p: McpServerProps) -> list[Problem]:
    if p.response_streaming and p.resolved_front_door != "rest":
        return [(("response_streaming",), "an HTTP API cannot stream Lambda responses (it buffers them and "
                 'stops at 30 s); use front_door = "rest" or remove response_streaming')]  # fmt: skip
    return []


@rule("enable_tenant_isolation", "enable_auth")
def tenant_needs_verified_identity(p: McpServerProps) -> list[Problem]:
    if p.enable_tenant_isolation and not p.enable_auth:
        return [(("enable_tenant_isolation",), "the tenant is the client of the verified access token, so "
                 "tenant isolation needs enable_auth = true")]  # fmt: skip
    return []


@rule("token_vending_machine", "enable_tenant_isolation", "enable_session_table")
def vending_needs_tenant_sessions(p: McpServerProps) -> list[Problem]:
    if p.token_vending_machine is not None and not (p.enable_tenant_isolation and p.enable_session_table):
        return [(("token_vending_machine",), "vended credentials reach the tenant's own items in the session "
                 "table, keyed by the verified tenant; set enable_tenant_isolation = true and "
                 "enable_session_table = true")]  # fmt: skip
    return []


@rule("tenants", "token_vending_machine", "enable_tenant_isolation", "enable_session_table")
def tenants_need_vending(p: McpServerProps) -> list[Problem]:
    if p.tenants and p.vended_credentials is None:
        return [(("tenants",), "each tenant's role lives under the token vending machine's permission "
                 "boundary; set enable_tenant_isolation = true and enable_session_table = true (the "
                 "token vending machine then starts with its defaults)")]  # fmt: skip
    return []


@rule("tenants", "tenant_metering")
def tenant_quotas_need_metering(p: McpServerProps) -> list[Problem]:
    if p.tenant_metering is not None:
        return []
    return [(("tenants", i, "quota_request_threshold"), "quota alarms come from tenant metering; add a "
             "[tenant_metering] table") for i, t in enumerate(p.tenants) if t.quota_request_threshold is not None]  # fmt: skip


@rule("tenant_metering", "enable_auth")
def metering_needs_verified_identity(p: McpServerProps) -> list[Problem]:
    if p.tenant_metering is not None and not p.enable_auth:
        return [(("tenant_metering",), "tenant figures are keyed by the verified token's client; set enable_auth = true")]
    return []


@rule("token_vending_machine", "name", "environment")
def tenant_role_pattern_covers_tenant_roles(p: McpServerProps) -> list[Problem]:
    tvm = p.token_vending_machine
    pattern = resolved(tvm.tenant_role_arn_pattern) if tvm else None
    path = p.names.tenant_role_path
    if pattern is None or _bad_role_pattern(pattern) or covers_path(pattern, path):
        return []
    return [(("token_vending_machine", "tenant_role_arn_pattern"),
             f"does not cover role{path}*, where this stack puts tenant roles; use "
             f"arn:<partition>:iam::<account>:role{path}* (or a wider pattern), or remove it for that default")]  # fmt: skip


def _bad_role_pattern(pattern: str) -> bool:
    """A malformed pattern is reported by the vending machine's own rule."""
    return IAM_ROLE_ARN_PATTERN.problem(pattern) is not None


@rule("api_gateway_cloudwatch_role", "front_door", "waf_acl_arn", "enable_tenant_isolation")
def logging_role_only_for_rest(p: McpServerProps) -> list[Problem]:
    if p.api_gateway_cloudwatch_role and p.resolved_front_door != "rest":
        return [(("api_gateway_cloudwatch_role",), "only the REST API front door uses the account-level "
                 "logging role; remove it")]  # fmt: skip
    return []


RULES: list[Rule] = rules_of(globals())


def run_rules(rules: Sequence[Rule], props: McpServerProps, skip: Iterable[str] = ()) -> list[Problem]:
    return _run(rules, props, skip)


def _is_default(field: str, value: object) -> bool:
    """Whether `value` is the field's default (a list given for a default tuple counts)."""
    from dataclasses import MISSING, fields

    from .props import McpServerProps

    spec = next(f for f in fields(McpServerProps) if f.name == field)
    default = spec.default if spec.default is not MISSING else spec.default_factory()
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return value == default


# -- where the props are deployed -----------------------------------------------------------


def region_rules(p: McpServerProps, region: str, where: str, skip: Iterable[str] = ()) -> list[Problem]:
    """What must be in the deployment's `region`: Lambda pulls images from ECR in its own
    region; log groups, the function and alarms use keys, topics and web ACLs of theirs. Each
    field on its own, and only literal values (a token's region is known when deployed)."""
    skip, found = set(skip), []
    pool = p.cognito_user_pool_id
    located = {
        "image_uri": (p.image_uri, region_of_image),
        "kms_key_arn": (None if isinstance(p.kms_key_arn, DeploymentKey) else p.kms_key_arn, region_of_arn),
        "alarm_sns_topic_arn": (p.alarm_sns_topic_arn, region_of_arn),
        "waf_acl_arn": (p.waf_acl_arn, region_of_arn),
        "cognito_user_pool_id": (pool, lambda v: v.split("_")[0]),
    }
    shapes = {"image_uri": ECR_IMAGE_URI, "kms_key_arn": KMS_KEY_ARN, "alarm_sns_topic_arn": SNS_TOPIC_ARN,
              "waf_acl_arn": WAF_WEB_ACL_ARN, "cognito_user_pool_id": COGNITO_USER_POOL_ID}  # fmt: skip
    for field, (value, region_of) in located.items():
        if field in skip or not value or is_token(value) or shapes[field].problem(value):
            continue
        if region_of(value) != region:
            need = f"Lambda needs the image in {region}" if field == "image_uri" else f"must be in {region}"
            found.append(((field,), f"{need} ({where})"))
    tvm = p.token_vending_machine
    pattern = tvm.tenant_role_arn_pattern if tvm and "token_vending_machine" not in skip else None
    partition = partition_of_region(region)
    if pattern and not is_token(pattern) and not _bad_role_pattern(pattern) and pattern.split(":")[1] not in (partition, "*"):
        found.append((("token_vending_machine", "tenant_role_arn_pattern"),
                      f"must be in partition {partition}, where {region} ({where}) is"))
    return found


# -- warnings -------------------------------------------------------------------------------


def warnings(p: McpServerProps) -> list[tuple[str, str]]:
    found = []
    if p.token_vending_machine is None and p.vended_credentials is not None:
        found.append(("token_vending_machine",
            "tenant isolation with a session table: session items are reached only with "
            "tenant-scoped credentials, so the token vending machine is on with its "
            "defaults; add a [token_vending_machine] table to configure it"))  # fmt: skip
    if p.response_streaming and p.enable_tenant_isolation:
        found.append(("response_streaming",
            "streamed invokes of a tenant-isolated function: Lambda's InvokeWithResponseStream "
            "takes X-Amz-Tenant-Id, but AWS does not document API Gateway passing the mapped "
            "header on streaming integrations; check a tenant's invoke before you rely on it"))  # fmt: skip
    if not is_token(p.timeout) and p.timeout > p.integration_limit_seconds:
        api = "HTTP API" if p.resolved_front_door == "http" else "buffered REST API"
        limit = p.integration_limit_seconds
        found.append(("timeout",
            f"{p.timeout} s exceeds the {api}'s {limit} s integration limit: clients get a gateway "
            f"error after {limit} s while the function keeps running; alarm thresholds use {limit} s"))  # fmt: skip
    return found
