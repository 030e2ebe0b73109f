"""The multi-tenant platform read as a security reviewer reads it.

The IAM evaluator (tests/iam_evaluator.py) applies IAM's rules to the synthesized policies, so
the tests can ask what tenant A's session reaches, and assert that nothing reaches tenant B.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.iam_evaluator import allowed, as_list, session_allows
from tests.conftest import MINIMAL, ROOT, Synth, synth_config, synth_file, synth_from_zero
from tests.test_config import problems_of, seed_minimal, write
from tests.test_iam import policies

TENANTS = {"acme": None, "globex": 20000}
STAGING_PREFIX = "ai-tools-staging"


def policy(text: str) -> dict:
    return json.loads(text)


def client_ref(synth: Synth, tenant: str) -> str:
    """The tenant identity: the `${...id}` reference to the tenant's app client."""
    address = synth.address("aws_cognito_user_pool_client", name=f"{STAGING_PREFIX}-tenant-{tenant}")
    return "${" + address + ".id}"


def boundary(synth: Synth) -> dict:
    return policy(synth.one("aws_iam_policy")["policy"])


def role_of(synth: Synth, name: str) -> tuple[str, dict]:
    logical = next(k for k, r in synth.resources("aws_iam_role").items() if r["name"] == name)
    return logical, synth.resources("aws_iam_role")[logical]


def inline_policies(synth: Synth, logical_role: str) -> list[dict]:
    ref = "${aws_iam_role." + logical_role + ".id}"
    ref_name = "${aws_iam_role." + logical_role + ".name}"
    return [
        policy(p["policy"])
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] in (ref, ref_name)
    ]


# -- tenant A's session, as a reviewer asks about it --------------------------------------------


@pytest.fixture(scope="module")
def staging(shipped) -> Synth:
    return shipped["staging"]


@pytest.fixture(scope="module")
def tables(staging):
    sessions = "${" + staging.address("aws_dynamodb_table", name=f"{STAGING_PREFIX}-sessions") + ".arn}"
    usage = "${" + staging.address("aws_dynamodb_table", name=f"{STAGING_PREFIX}-tenant-usage") + ".arn}"
    return {"sessions": sessions, "usage": usage}


def tenant_session(staging, tenant: str):
    """(identity policies, boundary, context) of the session the function gets for `tenant`."""
    tag = client_ref(staging, tenant)
    logical, _ = role_of(staging, tag)
    return inline_policies(staging, logical), boundary(staging), {"aws:PrincipalTag/tenant_id": tag}


@pytest.mark.parametrize("role", ["acme", "template"])
def test_tenant_a_reaches_its_own_items_and_not_b(staging, tables, role):
    a, b = client_ref(staging, "acme"), client_ref(staging, "globex")
    if role == "template":
        logical, _ = role_of(staging, f"{STAGING_PREFIX}-tenant-template")
        identity, bound, context = inline_policies(staging, logical), boundary(staging), {
            "aws:PrincipalTag/tenant_id": a
        }
    else:
        identity, bound, context = tenant_session(staging, "acme")
    table = tables["sessions"]
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"):
        assert session_allows(identity, bound, action, table, {**context, "dynamodb:LeadingKeys": [a]})
        assert not session_allows(identity, bound, action, table, {**context, "dynamodb:LeadingKeys": [b]})
        assert not session_allows(
            identity, bound, action, table, {**context, "dynamodb:LeadingKeys": [a, b]}
        )
    # No leading keys in the request (ForAllValues alone would be true), a Scan, the session
    # index, the usage table: nothing.
    assert not session_allows(identity, bound, "dynamodb:Query", table, context)
    assert not session_allows(identity, bound, "dynamodb:Scan", table, context)
    assert not session_allows(identity, bound, "dynamodb:Query", f"{table}/index/session_id-index", {
        **context, "dynamodb:LeadingKeys": [a]})  # fmt: skip
    assert not session_allows(identity, bound, "dynamodb:GetItem", tables["usage"], {
        **context, "dynamodb:LeadingKeys": [a]})  # fmt: skip
    # Without the tenant tag, nothing at all.
    untagged = {"dynamodb:LeadingKeys": [a]}
    assert not session_allows(identity, bound, "dynamodb:GetItem", table, untagged)


def test_tenant_a_cannot_escalate_or_step_into_another_role(staging):
    identity, bound, context = tenant_session(staging, "acme")
    globex_role = "arn:aws:iam::123456789012:role/ai-tools-staging/tenants/globex"
    for action in ("sts:AssumeRole", "sts:TagSession", "iam:PassRole", "iam:PutRolePolicy",
                   "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion"):  # fmt: skip
        assert not session_allows(identity, bound, action, globex_role, context), action
        assert not allowed([bound], action, globex_role, context), action  # the boundary denies


def test_a_tenant_role_trusts_only_the_function_and_only_its_own_tenant(staging):
    function_role = "${" + staging.address("aws_iam_role", name=f"{STAGING_PREFIX}-lambda") + ".arn}"
    a, b = client_ref(staging, "acme"), client_ref(staging, "globex")
    _, role = role_of(staging, a)
    trust = policy(role["assume_role_policy"])
    assert {s["Principal"]["AWS"] for s in trust["Statement"]} == {function_role}
    for action in ("sts:AssumeRole", "sts:TagSession"):
        assert allowed([trust], action, "", {"aws:RequestTag/tenant_id": a, "aws:TagKeys": ["tenant_id"]})
        assert not allowed([trust], action, "", {"aws:RequestTag/tenant_id": b})
        assert not allowed([trust], action, "", {})  # the tenant tag is required
    assert not allowed([trust], "sts:TagSession", "", {
        "aws:RequestTag/tenant_id": a, "aws:TagKeys": ["tenant_id", "admin"]})  # fmt: skip
    _, template = role_of(staging, f"{STAGING_PREFIX}-tenant-template")
    template_trust = policy(template["assume_role_policy"])
    assert allowed([template_trust], "sts:AssumeRole", "", {"aws:RequestTag/tenant_id": "undeclared-client"})
    assert not allowed([template_trust], "sts:AssumeRole", "", {"aws:RequestTag/tenant_id": ""})
    assert not allowed([template_trust], "sts:AssumeRole", "", {})


def test_the_template_role_serves_no_declared_tenant(staging):
    """A declared tenant is served by its own role only: were the template to accept its tag, its
    role would isolate nothing (issue 20, item 10)."""
    _, template = role_of(staging, f"{STAGING_PREFIX}-tenant-template")
    trust = policy(template["assume_role_policy"])
    for tenant in TENANTS:
        context = {"aws:RequestTag/tenant_id": client_ref(staging, tenant), "aws:TagKeys": ["tenant_id"]}
        for action in ("sts:AssumeRole", "sts:TagSession"):
            assert not allowed([trust], action, "", context), (tenant, action)
    undeclared = {"aws:RequestTag/tenant_id": "undeclared-client", "aws:TagKeys": ["tenant_id"]}
    assert allowed([trust], "sts:AssumeRole", "", undeclared)
    assert allowed([trust], "sts:TagSession", "", undeclared)


def test_without_declared_tenants_the_template_trust_is_unchanged():
    synth = synth_config(**TENANT_CONFIG)
    (template,) = [r for r in synth.resources("aws_iam_role").values() if r["name"].endswith("-tenant-template")]
    assert "Deny" not in template["assume_role_policy"]


def test_the_function_may_assume_only_tenant_roles_with_the_tenant_tag(staging):
    logical, _ = role_of(staging, f"{STAGING_PREFIX}-lambda")
    (sts,) = [p for p in inline_policies(staging, logical) if "sts:AssumeRole" in json.dumps(p)]
    tenant_role = "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.caller.account_id}:role/ai-tools-staging/tenants/abc"
    other_role = tenant_role.replace("/ai-tools-staging/tenants/abc", "/admin")
    assert allowed([sts], "sts:AssumeRole", tenant_role, {})
    assert not allowed([sts], "sts:AssumeRole", other_role, {})
    assert allowed([sts], "sts:TagSession", tenant_role, {"aws:RequestTag/tenant_id": "abc", "aws:TagKeys": ["tenant_id"]})
    assert not allowed([sts], "sts:TagSession", tenant_role, {"aws:RequestTag/tenant_id": "abc", "aws:TagKeys": ["tenant_id", "x"]})
    assert not allowed([sts], "sts:TagSession", other_role, {"aws:RequestTag/tenant_id": "abc"})


def test_the_function_role_has_no_path_to_session_items(staging, tables):
    logical, _ = role_of(staging, f"{STAGING_PREFIX}-lambda")
    function_policies = json.dumps(inline_policies(staging, logical))
    assert tables["sessions"].removesuffix(".arn}") not in function_policies
    assert "LeadingKeys" not in function_policies
    # The only managed policy attached to it is AWS's X-Ray one (its logs and network
    # permissions are inline, scoped to its own log group and subnets).
    attached = {
        a["policy_arn"].rsplit("/", 1)[-1]
        for a in staging.resources("aws_iam_role_policy_attachment").values()
        if a["role"] == "${aws_iam_role." + logical + ".name}"
    }
    assert attached == {"AWSXRayDaemonWriteAccess"}


# -- what the synthesized policies must and must not contain -----------------------------------


def test_one_tenant_tag_key_everywhere(staging):
    text = staging.text
    keys = set(re.findall(r"aws:(?:PrincipalTag|RequestTag|ResourceTag)/([\w-]+)", text))
    assert keys == {"tenant_id"}
    role_tags = {k for r in staging.resources("aws_iam_role").values() for k in (r.get("tags") or {})}
    assert role_tags <= {"tenant_id"}
    assert "tenant-id" not in text


def test_no_condition_compares_a_tag_with_itself(staging):
    for address, document in policies(staging.json):
        for statement in document["Statement"]:
            for block in statement.get("Condition", {}).values():
                for key, value in block.items():
                    assert not any(f"{{{key}}}" in v for v in as_list(value)), (address, key)


def test_leading_keys_only_on_tenant_tagged_credentials(staging):
    boundary_arn = "${" + staging.address("aws_iam_policy") + ".arn}"
    bounded = {k for k, r in staging.resources("aws_iam_role").items()
               if r.get("permissions_boundary") == boundary_arn}  # fmt: skip
    for address, document in policies(staging.json):
        for statement in document["Statement"]:
            if "dynamodb:LeadingKeys" not in json.dumps(statement):
                continue
            assert statement["Condition"]["Null"]["aws:PrincipalTag/tenant_id"] == "false", address
            if address.startswith("aws_iam_role_policy."):
                role = staging.resources("aws_iam_role_policy")[address.split(".", 1)[1]]["role"]
                assert role.split(".")[1] in bounded, address


def test_a_bounded_role_and_an_app_client_per_declared_tenant(staging):
    boundary_arn = "${" + staging.address("aws_iam_policy") + ".arn}"
    for tenant in TENANTS:
        client = staging.one("aws_cognito_user_pool_client", name=f"{STAGING_PREFIX}-tenant-{tenant}")
        assert client["allowed_oauth_flows"] == ["client_credentials"]
        assert client["allowed_oauth_scopes"] == ["mcp/invoke"]
        assert client["user_pool_id"] == "us-east-1_AbCdEfGhI"  # the external pool
        _, role = role_of(staging, client_ref(staging, tenant))
        assert role["permissions_boundary"] == boundary_arn
        assert role["path"] == "/ai-tools-staging/tenants/"
        assert role["max_session_duration"] == 3600
    tenant_roles = [r for r in staging.resources("aws_iam_role").values() if "path" in r]
    assert len(tenant_roles) == 1 + len(TENANTS)  # the template and one per tenant


def test_policy_variables_are_escaped_for_opentofu(staging):
    assert "$${aws:PrincipalTag/tenant_id}" in staging.text
    # An unescaped `${aws:` would be an OpenTofu interpolation and fail at plan.
    assert not re.search(r"(?<!\$)\$\{aws:", staging.text)


def test_adding_a_tenant_changes_no_other_resource(tmp_path):
    base = staging_with_tenants(tmp_path / "a", ["acme", "globex"])
    more = staging_with_tenants(tmp_path / "b", ["acme", "globex", "initech"])
    changed, added = [], []
    for resource_type, resources in more.json["resource"].items():
        for logical, body in resources.items():
            before = base.resources(resource_type).get(logical)
            if before is None:
                added.append(f"{resource_type}.{logical}")
            elif before != body:
                changed.append(f"{resource_type}.{logical}")
    # The template role's trust names the declared tenants it refuses; nothing else changes.
    template = more.address("aws_iam_role", name="ai-tools-staging-tenant-template")
    assert changed == [template]
    assert more.one("aws_iam_role", name="ai-tools-staging-tenant-template")["assume_role_policy"].count(
        "aws_cognito_user_pool_client.") == 3
    assert added and all("initech" in a for a in added)
    assert {a.split(".")[0] for a in added} == {
        "aws_cognito_user_pool_client", "aws_iam_role", "aws_iam_role_policy",
        "aws_cloudwatch_metric_alarm",
    }


def staging_with_tenants(directory, tenants: list[str]) -> Synth:
    """The shipped staging file with its `[[tenants]]` replaced by `tenants`."""
    directory.mkdir()
    text = (STAGING_FILE).read_text(encoding="utf-8")
    text = text[: text.index("[[tenants]]")] + "".join(f'[[tenants]]\nid = "{t}"\n' for t in tenants)
    path = directory / "staging.toml"
    path.write_text(text, encoding="utf-8")
    return synth_file(path)


STAGING_FILE = ROOT / "config" / "staging.toml"


# -- metering --------------------------------------------------------------------------------


def test_usage_table_is_keyed_by_tenant_and_period_with_ttl_pitr_and_kms(staging):
    table = staging.one("aws_dynamodb_table", name=f"{STAGING_PREFIX}-tenant-usage")
    assert (table["hash_key"], table["range_key"]) == ("tenant_id", "period")
    assert table["global_secondary_index"][0]["name"] == "period-index"
    assert table["global_secondary_index"][0]["hash_key"] == "period"
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": MINIMAL["kms_key_arn"]}


def test_the_function_writes_usage_by_grant_without_scan_or_delete(staging):
    logical, _ = role_of(staging, f"{STAGING_PREFIX}-lambda")
    usage = "${" + staging.address("aws_dynamodb_table", name=f"{STAGING_PREFIX}-tenant-usage") + ".arn}"
    policies = inline_policies(staging, logical)
    assert allowed(policies, "dynamodb:UpdateItem", usage, {})
    assert not allowed(policies, "dynamodb:Scan", usage, {})
    assert not allowed(policies, "dynamodb:DeleteItem", usage, {})


def test_metric_filters_read_the_tenant_from_the_access_log(staging):
    log_group = "${" + staging.address("aws_cloudwatch_log_group", name=f"/aws/apigateway/{STAGING_PREFIX}/access") + ".name}"
    filters = staging.resources("aws_cloudwatch_log_metric_filter").values()
    assert {f["metric_transformation"]["name"] for f in filters} == {"RequestCount", "ErrorCount"}
    for f in filters:
        assert f["log_group_name"] == log_group
        assert f["metric_transformation"]["dimensions"] == {"TenantId": "$.clientId"}
        assert f["metric_transformation"]["namespace"] == "MCP/TenantMetering"
        assert "default_value" not in f["metric_transformation"]
    stage = staging.one("aws_api_gateway_stage")
    assert json.loads(stage["access_log_settings"]["format"])["clientId"] == (
        "$context.authorizer.claims.client_id"
    )


def test_the_http_api_access_log_carries_the_tenant_too():
    stage = synth_config().one("aws_apigatewayv2_stage")
    assert json.loads(stage["access_log_settings"]["format"])["clientId"] == (
        "$context.authorizer.claims.client_id"
    )


def test_each_tenant_has_quota_and_error_rate_alarms_with_its_threshold(staging):
    alarms = staging.resources("aws_cloudwatch_metric_alarm").values()
    topic = staging.json["output"]["sns_topic_arn"]["value"]
    for tenant, own in TENANTS.items():
        quota = next(a for a in alarms if a["alarm_name"] == f"{STAGING_PREFIX}-tenant-{tenant}-quota")
        assert quota["threshold"] == (own or 5000)  # staging's default
        assert quota["dimensions"] == {"TenantId": client_ref(staging, tenant)}
        assert (quota["period"], quota["statistic"]) == (86400, "Sum")
        rate = next(a for a in alarms if a["alarm_name"] == f"{STAGING_PREFIX}-tenant-{tenant}-error-rate")
        assert rate["threshold"] == 50
        assert rate["alarm_actions"] == [topic]  # the server's alarm topic
        assert any("FILL(errors, 0)" in q.get("expression", "") for q in rate["metric_query"])


def test_companion_outputs_are_stack_outputs(staging):
    outputs = staging.json["output"]
    assert outputs["tvm_permission_boundary_name"]["value"].endswith(".name}")
    assert outputs["metering_metric_namespace"]["value"] == "MCP/TenantMetering"
    assert outputs["metering_request_count_metric_filter_name"]["value"].startswith(
        "${aws_cloudwatch_log_metric_filter."
    )


def test_the_function_learns_where_tenant_credentials_come_from(staging):
    env = staging.one("aws_lambda_function")["environment"]["variables"]
    assert env["TENANT_TAG_KEY"] == "tenant_id"
    assert env["TENANT_ROLE_ARN_PREFIX"].endswith(":role/ai-tools-staging/tenants/")
    assert env["TENANT_TEMPLATE_ROLE_ARN"].endswith("/tenants/ai-tools-staging-tenant-template")
    assert env["TENANT_SESSION_SECONDS"] == "900"
    assert env["USAGE_TABLE_NAME"] == f"{STAGING_PREFIX}-tenant-usage"


TENANT_CONFIG = dict(
    enable_tenant_isolation=True, enable_session_table=True, token_vending_machine={}
)


def test_without_the_template_role_only_declared_tenants_are_served():
    synth = synth_config(**{**TENANT_CONFIG, "token_vending_machine": {"enable_template_role": False}})
    assert [r["name"] for r in synth.resources("aws_iam_role").values() if "path" in r] == []
    env = synth.one("aws_lambda_function")["environment"]["variables"]
    assert "TENANT_TEMPLATE_ROLE_ARN" not in env
    assert synth.json["output"]["tvm_template_role_arn"]["value"] == "${null}"


def test_a_created_vpc_gets_the_sts_endpoint_for_vended_credentials():
    synth = synth_from_zero(**TENANT_CONFIG)
    services = {
        s["service"]: s["service_type"]
        for s in synth.json.get("data", {}).get("aws_vpc_endpoint_service", {}).values()
    }
    assert services["sts"] == "Interface" and services["dynamodb"] == "Gateway"


def test_sessions_without_tenant_isolation_keep_the_function_grant():
    synth = synth_config(enable_session_table=True)
    assert "SessionItems" in json.dumps([p["policy"] for p in synth.resources("aws_iam_role_policy").values()])


# -- configuration rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "extra", "expected"),
    [
        ({}, "[token_vending_machine]\n",
         "dev.toml: token_vending_machine: vended credentials reach the tenant's own items"),
        ({}, '[[tenants]]\nid = "acme"\n',
         "dev.toml: tenants: each tenant's role lives under the token vending machine's"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\ntenant_role_arn_pattern = "arn:aws:iam::123456789012:role/mcp-tenant-*"\n',
         "dev.toml: token_vending_machine.tenant_role_arn_pattern: does not cover "
         "role/my-tools-dev/tenants/*, where this stack puts tenant roles"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\ntenant_role_arn_pattern = "arn:aws:iam::123456789012:role/my-tools-dev/tenants"\n',
         "dev.toml: token_vending_machine.tenant_role_arn_pattern: does not cover"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\ntenant_role_arn_pattern = "arn:aws:iam::123456789012:user/*"\n',
         "dev.toml: token_vending_machine.tenant_role_arn_pattern: must be an IAM role ARN pattern"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\ntenant_role_arn_pattern = "arn:aws-us-gov:iam::123456789012:role/*"\n',
         "dev.toml: token_vending_machine.tenant_role_arn_pattern: must be in partition aws, where "
         "us-east-1 (stack.region) is"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\n[[tenants]]\nid = "acme"\nquota_request_threshold = 5\n',
         "dev.toml: tenants[0].quota_request_threshold: quota alarms come from tenant metering"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         "[token_vending_machine]\ntenant_session_duration = 7200\n",
         "dev.toml: token_vending_machine.tenant_session_duration: must be 900 to 3600: the "
         "function's own credentials are a role session"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\nallowed_actions = ["dynamodb:Scan"]\n',
         "dev.toml: token_vending_machine.allowed_actions[0]: 'dynamodb:Scan' cannot be confined"),
        ({"enable_tenant_isolation": True, "enable_session_table": True},
         '[token_vending_machine]\n[[tenants]]\nid = "acme"\n[[tenants]]\nid = "acme"\n',
         "dev.toml: tenants[1].id: tenant 'acme' is declared more than once"),
        ({}, "[tenant_metering]\nquota_alarm_period = 90\n",
         "dev.toml: tenant_metering.quota_alarm_period: must be a multiple of 60"),
        ({}, "[tenant_metering]\nquota_alarm_period = 86400\nquota_alarm_evaluation_periods = 8\n",
         "dev.toml: tenant_metering.quota_alarm_evaluation_periods: quota_alarm_period x "
         "quota_alarm_evaluation_periods is 691200 s; CloudWatch allows 604800 s"),
        ({}, '[tenant_metering]\nmetric_namespace = "MCP:Tenants"\n',
         "dev.toml: tenant_metering.metric_namespace: must be a CloudWatch namespace"),
        ({"enable_tenant_isolation": True, "enable_session_table": True, "vpc_interface_endpoints": ["sts"]},
         "[token_vending_machine]\n",
         "dev.toml: vpc_interface_endpoints[0]: 'sts' is already created (token_vending_machine"),
    ],
)  # fmt: skip
def test_tenancy_rules_name_the_field_and_the_fix(tmp_path, values, extra, expected):
    minimal = seed_minimal()
    if "vpc_interface_endpoints" in values:
        minimal = {k: v for k, v in minimal.items() if not k.startswith("vpc_")}
    problems = problems_of(write(tmp_path, "dev", {**minimal, **values}, extra))
    assert any(p.startswith(expected) for p in problems), problems


def test_an_unknown_tenant_key_is_an_error(tmp_path):
    extra = '[token_vending_machine]\n[[tenants]]\nid = "acme"\nquota = 5\n'
    values = {**seed_minimal(), "enable_tenant_isolation": True, "enable_session_table": True}
    assert problems_of(write(tmp_path, "dev", values, extra)) == ["dev.toml: tenants[0].quota: unknown key"]


# -- the seed's own multi-tenant example, as the seed writes it ------------------------------


SEED_MULTI_TENANT = ROOT / "examples" / "seed-multi-tenant" / "prod.toml"


@pytest.fixture(scope="module")
def seed_multi_tenant() -> Synth:
    return synth_file(SEED_MULTI_TENANT)


def test_the_seed_multi_tenant_example_turns_vending_on_and_says_so_once(seed_multi_tenant):
    assert "[token_vending_machine]" not in SEED_MULTI_TENANT.read_text(encoding="utf-8").split("#")[0]
    said = [w for w in seed_multi_tenant.warnings() if w.startswith("token_vending_machine:")]
    assert said == [
        "token_vending_machine: tenant isolation with a session table: session items are reached "
        "only with tenant-scoped credentials, so the token vending machine is on with its "
        "defaults; add a [token_vending_machine] table to configure it"
    ]
    names = {r["name"] for r in seed_multi_tenant.resources("aws_iam_role").values()}
    assert "ai-tools-prod-tenant-template" in names
    assert seed_multi_tenant.one("aws_iam_policy")["name"] == "ai-tools-prod-tenant-boundary"


def test_the_seed_multi_tenant_example_keeps_sessions_away_from_the_function_role(seed_multi_tenant):
    logical, _ = role_of(seed_multi_tenant, "ai-tools-prod-lambda")
    text = json.dumps(inline_policies(seed_multi_tenant, logical))
    assert "aws_dynamodb_table" not in text and "sts:AssumeRole" in text


def test_a_configured_vending_machine_is_not_announced(staging):
    assert not [w for w in staging.warnings() if w.startswith("token_vending_machine:")]


@pytest.mark.parametrize(
    "pattern",
    ["arn:aws:iam::123456789012:role/my-tools-dev/tenants/*", "arn:aws:iam::123456789012:role/*",
     "arn:aws:iam::123456789012:role/my-tools-*", "arn:aws:iam::123456789012:role/*/tenants/*"],
)  # fmt: skip
def test_a_tenant_role_pattern_that_covers_the_tenant_path_is_the_function_s_reach(pattern):
    synth = synth_config(**{**TENANT_CONFIG, "token_vending_machine": {"tenant_role_arn_pattern": pattern}})
    sts = next(
        json.loads(p["policy"]) for p in synth.resources("aws_iam_role_policy").values()
        if p["name"] == "my-tools-dev-tenant-sts"
    )  # fmt: skip
    assert {tuple(s["Resource"]) for s in sts["Statement"]} == {(pattern,)}
