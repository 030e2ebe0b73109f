"""The rules of single `McpServerProps` values: what AWS rejects at apply time, each named and
small, reading the fields it declares (see `checks.py`). Combinations are in `server_rules`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

from .checks import Problem, Rule, resolved, rule, rules_of
from .kms import DeploymentKey
from .limits import (
    ACM_CERTIFICATE_ARN,
    COGNITO_CLIENT_ID,
    COGNITO_USER_POOL_ID,
    CORS_ORIGIN,
    DOMAIN_NAME,
    ECR_IMAGE_URI,
    EMAIL,
    ENDPOINT_SERVICE,
    ENV_KEY,
    HEADER_NAME,
    HEALTH_CHECK_FAILURES,
    HEALTH_CHECK_PATH,
    IMAGE_TAG,
    KMS_KEY_ARN,
    LAMBDA_ALIAS_NAME,
    LAMBDA_ENV_MAX_BYTES,
    LAMBDA_MEMORY_MB,
    LAMBDA_RESERVED_ENV_KEYS,
    LAMBDA_TIMEOUT_S,
    LAMBDA_VERSION,
    LOG_RETENTION_DAYS,
    MAX_CREATED_AZS,
    MAX_USER_TAGS,
    MCP_ROUTE_KEYS,
    NAME,
    ROUTE53_ZONE_ID,
    S3_OBJECT_URI,
    S3_OBJECT_VERSION,
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
    region_of_arn,
)
from .regions import region_problem
from .transport import CORS_ALLOW_HEADERS

if TYPE_CHECKING:
    from .props import McpServerProps


VPC_INPUTS = ("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids")
CREATED_VPC_INPUTS = ("vpc_cidr", "vpc_availability_zone_count", "vpc_interface_endpoints")
# Set by McpServer itself from other inputs.
MANAGED_ENV_KEYS = frozenset(
    {
        "AWS_LWA_INVOKE_MODE", "MCP_ALLOWED_ORIGINS", "SESSION_TABLE_NAME", "SESSION_TTL_SECONDS",
        "TENANT_ISOLATION_ENABLED", "TENANT_TAG_KEY", "TENANT_ROLE_ARN_PREFIX", "TENANT_TEMPLATE_ROLE_ARN",
        "TENANT_SESSION_SECONDS", "USAGE_TABLE_NAME", "USAGE_TTL_DAYS", "SIGN_IN_CLIENT_ID", "MCP_ALLOWED_HOSTS",
        "MCP_REQUEST_STATE_KMS_KEY",
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
    if not math.isfinite(value):  # jsii cannot pass inf or nan on, and no AWS setting takes them
        return [((field,), f"must be a finite number (got {value})")]
    if value >= low and (high is None or value <= high):
        return []
    what = f"at least {low}" if high is None else f"{low} to {high}"
    return [((field,), f"must be {what}{unit} (got {value})")]


# -- single values ----------------------------------------------------------------------------


@rule("name")
def name_shape(p: McpServerProps) -> list[Problem]:
    return _shaped("name", p.name, NAME)


@rule("environment")
def environment_named(p: McpServerProps) -> list[Problem]:
    # Any name a resource name can carry (`<name>-<environment>`); the configuration files of
    # the app are named dev, staging or prod, and that rule is theirs (stacks/config.py).
    return _shaped("environment", p.environment, NAME)


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


# -- the upstream module's later inputs ------------------------------------------------------


@rule("custom_domain_name", "acm_certificate_arn", "route53_zone_id", "mtls_truststore_uri", "mtls_truststore_version")
def domain_values_shaped(p: McpServerProps) -> list[Problem]:
    return (_shaped("custom_domain_name", p.custom_domain_name, DOMAIN_NAME)
            + _shaped("acm_certificate_arn", p.acm_certificate_arn, ACM_CERTIFICATE_ARN)
            + _shaped("route53_zone_id", p.route53_zone_id, ROUTE53_ZONE_ID)
            + _shaped("mtls_truststore_uri", p.mtls_truststore_uri, S3_OBJECT_URI)
            + _shaped("mtls_truststore_version", p.mtls_truststore_version, S3_OBJECT_VERSION))  # fmt: skip


@rule("canary_alias_name", "canary_version", "canary_weight")
def canary_values_accepted(p: McpServerProps) -> list[Problem]:
    return (_shaped("canary_alias_name", p.canary_alias_name, LAMBDA_ALIAS_NAME)
            + _shaped("canary_version", p.canary_version, LAMBDA_VERSION)
            + _between("canary_weight", p.canary_weight, 0, 1, " (a share of the traffic)"))  # fmt: skip


@rule("replica_regions", "ecr_replication_regions", "replica_kms_key_arns")
def replica_values_shaped(p: McpServerProps) -> list[Problem]:
    found = (_each_region("replica_regions", p.replica_regions)
             + _each_region("ecr_replication_regions", p.ecr_replication_regions))  # fmt: skip
    for region, arn in dict(resolved(p.replica_kms_key_arns)).items():
        if problem := region_problem(region):
            found.append((("replica_kms_key_arns", region), f"keys are regions: {problem}"))
        elif problem := KMS_KEY_ARN.problem(resolved(arn)):
            found.append((("replica_kms_key_arns", region), problem))
        elif region_of_arn(arn) != region:
            found.append((("replica_kms_key_arns", region), f"a key in {region_of_arn(arn)}; a replica in "
                          f"{region} needs a key of {region} (KMS keys are regional)"))  # fmt: skip
    return found


def _each_region(field: str, regions: Sequence[str]) -> list[Problem]:
    """Each a region of a partition (the shape alone admits us-east-9), listed once."""
    regions = list(resolved(regions))
    found = [((field, i), problem) for i, r in enumerate(regions) if (problem := region_problem(r))]
    duplicates = sorted({r for r in regions if regions.count(r) > 1})
    return found + ([((field,), f"listed more than once: {', '.join(duplicates)}")] if duplicates else [])


@rule("health_check_path", "health_check_failure_threshold")
def health_check_values_accepted(p: McpServerProps) -> list[Problem]:
    return (_shaped("health_check_path", p.health_check_path, HEALTH_CHECK_PATH)
            + _between("health_check_failure_threshold", p.health_check_failure_threshold, *HEALTH_CHECK_FAILURES))  # fmt: skip


@rule("alarm_notification_email", "alarm_4xx_rate_percent")
def notification_values_accepted(p: McpServerProps) -> list[Problem]:
    emails = resolved(p.alarm_notification_email)
    if isinstance(emails, str):
        found = _shaped("alarm_notification_email", emails, EMAIL)
    else:
        found = _each_shaped("alarm_notification_email", emails, EMAIL)
    rate = resolved(p.alarm_4xx_rate_percent)
    if not 0 < rate <= 100:
        found.append((("alarm_4xx_rate_percent",), f"must be above 0 and at most 100 (got {rate})"))
    return found


def is_default(field: str, value: object) -> bool:
    """Whether `value` is the field's default (a list given for a default tuple counts)."""
    from dataclasses import MISSING, fields

    from .props import McpServerProps

    spec = next(f for f in fields(McpServerProps) if f.name == field)
    default = spec.default if spec.default is not MISSING else spec.default_factory()
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return value == default


RULES: list[Rule] = rules_of(globals())
