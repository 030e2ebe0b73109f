"""The rules `McpServerProps` must pass: the single values (`value_rules`) and here the
combinations AWS cannot do, each named and small, reading the fields it declares.

`region_rules` is separate: the region comes from where the props are deployed (the stack's
provider, or a configuration's `stack.region`), not from the props.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from .checks import Problem, Rule, is_token, resolved, rule, rules_of
from .checks import run_rules as _run
from .kms import DeploymentKey
from .limits import (
    ACM_CERTIFICATE_ARN,
    COGNITO_USER_POOL_ID,
    ECR_IMAGE_URI,
    IAM_ROLE_ARN_PATTERN,
    KMS_KEY_ARN,
    NAME,
    REGION_NAME,
    ROUTE53_METRICS_REGION,
    SNS_TOPIC_ARN,
    WAF_WEB_ACL_ARN,
    partition_of_region,
    region_of_arn,
    region_of_image,
)
from .network import required_endpoints
from .tvm import covers_path
from .operations_rules import RULES as OPERATIONS_RULES
from .regions import fips_problems, partition_problems
from .signin.rules import RULES as SIGN_IN_RULES
from .signin.rules import warnings as sign_in_warnings
from .value_rules import CREATED_VPC_INPUTS, VPC_INPUTS, is_default
from .value_rules import RULES as VALUE_RULES

if TYPE_CHECKING:
    from .props import McpServerProps


# -- combinations ---------------------------------------------------------------------------


@rule("name", "environment", "token_vending_machine", "tenant_metering", "enable_tenant_isolation", "enable_session_table",
      "enable_user_sign_in")
def names_fit(p: McpServerProps) -> list[Problem]:
    if is_token(p.name) or NAME.problem(p.name):
        return []  # the name's own rule reports it; derived names would repeat it
    tenancy = p.vended_credentials is not None or p.tenant_metering is not None
    return [(("name",), problem) for problem in p.names.problems(tenancy=tenancy, sign_in=p.enable_user_sign_in)]


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
                  for f in CREATED_VPC_INPUTS if not is_default(f, getattr(p, f))]  # fmt: skip
    if given and p.network is not None:
        found.append((("network",), "give a network or the vpc_* inputs, not both"))
    return found


@rule("network", "enable_session_table", "tenant_metering", "enable_xray_tracing", "token_vending_machine", "enable_tenant_isolation",
      "request_state_kms_key")
def network_reaches_what_the_features_call(p: McpServerProps) -> list[Problem]:
    if p.network is None:
        return []
    missing = [e.service for e in p.endpoints if e.service not in p.network.endpoints]
    if not missing:
        return []
    return [(("network",), f"has no endpoint for {', '.join(missing)}, which the enabled features "
             "call from the private subnets; create the network with NetworkProps(endpoints=props.endpoints)")]  # fmt: skip


@rule("vpc_interface_endpoints", "enable_session_table", "tenant_metering", "enable_xray_tracing", "token_vending_machine",
      "enable_tenant_isolation", "request_state_kms_key")
def endpoints_listed_once(p: McpServerProps) -> list[Problem]:
    built_in = {e.service: e.needed_for for e in required_endpoints(
        sessions=p.uses_dynamodb, tracing=p.enable_xray_tracing,
        tenant_credentials=p.vended_credentials is not None, request_state=p.request_state_kms_key)}  # fmt: skip
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


RULES: list[Rule] = VALUE_RULES + rules_of(globals()) + OPERATIONS_RULES + SIGN_IN_RULES


def run_rules(rules: Sequence[Rule], props: McpServerProps, skip: Iterable[str] = ()) -> list[Problem]:
    return _run(rules, props, skip)


# -- where the props are deployed -----------------------------------------------------------


def region_rules(p: McpServerProps, region: str, where: str, skip: Iterable[str] = (),
                 fips: tuple[str, ...] | None = None) -> list[Problem]:  # fmt: skip
    """What must be in the deployment's `region`: Lambda pulls images from ECR in its own
    region; log groups, the function and alarms use keys, topics and web ACLs of theirs. Each
    field on its own, and only literal values (a token's region is known when deployed). With
    FIPS endpoints on (`fips` names the setting), each service called needs one there."""
    skip, found = set(skip), []
    found += [(loc, f"{m} ({where})") for loc, m in partition_problems(p, region) if loc[0] not in skip]
    if fips:
        found += fips_problems(p, region, fips)
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
    certificate = p.acm_certificate_arn
    if ("acm_certificate_arn" not in skip and certificate and not is_token(certificate)
            and not ACM_CERTIFICATE_ARN.problem(certificate) and region_of_arn(certificate) != region):  # fmt: skip
        found.append((("acm_certificate_arn",), f"a regional custom domain needs a certificate in {region} ({where})"))
    for field in ("replica_regions", "ecr_replication_regions"):
        values = getattr(p, field)
        if field in skip or is_token(values):
            continue
        for index, replica in enumerate(values):
            if replica == region:
                found.append(((field, index), f"is the stack's own region ({where}); list other regions"))
            elif not REGION_NAME.problem(replica) and partition_of_region(replica) != partition_of_region(region):
                found.append(((field, index), f"is in another partition than {region} ({where}); replicas stay in "
                              "their partition"))  # fmt: skip
    if p.enable_health_check and "enable_health_check" not in skip and partition_of_region(region) not in ROUTE53_METRICS_REGION:
        found.append((("enable_health_check",), f"Route 53 health checks are not offered in {region}'s partition "
                      f"({where}); remove it"))  # fmt: skip
    tvm = p.token_vending_machine
    pattern = tvm.tenant_role_arn_pattern if tvm and "token_vending_machine" not in skip else None
    partition = partition_of_region(region)
    if pattern and not is_token(pattern) and not _bad_role_pattern(pattern) and pattern.split(":")[1] != partition:
        found.append((("token_vending_machine", "tenant_role_arn_pattern"),
                      f"must be in partition {partition}, where {region} ({where}) is"))
    return found


# -- warnings -------------------------------------------------------------------------------


def warnings(p: McpServerProps) -> list[tuple[str, str]]:
    found = sign_in_warnings(p)
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
    if p.image_replica_regions:
        found.append(("enable_ecr_replication",
            "the registry's replication configuration is one per account and region: this stack "
            "replaces whatever another stack or person configured there"))  # fmt: skip
    if p.enable_mtls and p.acm_certificate_arn:
        found.append(("enable_mtls",
            "mutual TLS needs an RSA (not ECDSA), ACM-issued public certificate on the domain; "
            "an imported or private-CA certificate also needs an ownership verification "
            "certificate, which this stack does not set"))  # fmt: skip
    if not is_token(p.timeout) and p.timeout > p.integration_limit_seconds:
        api = "HTTP API" if p.resolved_front_door == "http" else "buffered REST API"
        limit = p.integration_limit_seconds
        found.append(("timeout",
            f"{p.timeout} s exceeds the {api}'s {limit} s integration limit: clients get a gateway "
            f"error after {limit} s while the function keeps running; alarm thresholds use {limit} s"))  # fmt: skip
    return found
