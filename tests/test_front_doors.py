"""Both front doors, auth, sessions, registry and alarms, per feature."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import MINIMAL, ROOT, props_of, rule_problems, synth_config

WAF = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/mcp/a1b2c3d4-5678-90ab-cdef-1234567890ab"
POOL = {
    "cognito_user_pool_id": "us-east-1_AbCdEfGhI",
    "cognito_user_pool_endpoint": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
    "cognito_client_id": "1a2b3c4d5e6f7g8h9i0j",
}


# -- choosing the front door ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "http"),
        ({"waf_acl_arn": WAF}, "rest"),
        ({"enable_tenant_isolation": True}, "rest"),
        ({"front_door": "rest"}, "rest"),
    ],
)
def test_front_door_is_rest_where_http_cannot_work(settings, expected):
    assert props_of(**settings).resolved_front_door == expected


@pytest.mark.parametrize(
    ("settings", "limitation"),
    [
        ({"waf_acl_arn": WAF}, "AWS WAF cannot be associated with an HTTP API stage"),
        ({"enable_tenant_isolation": True}, "an HTTP API cannot set the X-Amz-Tenant-Id header"),
    ],
)
def test_forcing_the_http_api_names_the_limitation_and_the_alternative(settings, limitation):
    ((field, message),) = rule_problems({**MINIMAL, "front_door": "http", **settings})
    assert field == "front_door"
    assert limitation in message and 'front_door = "rest"' in message


def test_tenant_isolation_needs_auth():
    problems = rule_problems({**MINIMAL, "enable_tenant_isolation": True, "enable_auth": False})
    assert problems[0][0] == "enable_tenant_isolation"


# -- auth -------------------------------------------------------------------------------------


def test_internal_pool_issues_client_credentials_tokens_with_the_mcp_scope():
    synth = synth_config(environment="prod")
    assert synth.has("aws_cognito_user_pool", {"name": "my-tools-prod", "deletion_protection": "ACTIVE"})
    assert synth.has("aws_cognito_resource_server", {"identifier": "mcp", "scope": [{"scope_name": "invoke"}]})
    client = synth.one("aws_cognito_user_pool_client")
    assert client["allowed_oauth_flows"] == ["client_credentials"]
    assert client["allowed_oauth_scopes"] == ["mcp/invoke"] and client["generate_secret"] is True
    domain = synth.one("aws_cognito_user_pool_domain")["domain"]
    assert domain == "my-tools-prod-${data.aws_caller_identity.caller.account_id}"


def test_http_routes_require_the_scope_from_the_pool_issuer():
    synth = synth_config()
    routes = synth.resources("aws_apigatewayv2_route").values()
    mcp = [r for r in routes if r["route_key"].endswith(" /mcp")]
    assert len(mcp) == 3 and {r["authorization_type"] for r in mcp} == {"JWT"}
    assert all(r["authorization_scopes"] == ["mcp/invoke"] for r in mcp)
    # Only the discovery documents are open.
    assert sorted(r["route_key"] for r in routes if r["authorization_type"] == "NONE") == [
        "GET /.well-known/oauth-protected-resource",
        "GET /.well-known/oauth-protected-resource/mcp",
    ]
    jwt = synth.one("aws_apigatewayv2_authorizer")["jwt_configuration"]
    assert jwt["issuer"].startswith("https://${aws_cognito_user_pool.")
    assert len(jwt["audience"]) == 1


def test_external_pool_creates_no_pool_and_trusts_the_given_client():
    synth = synth_config(**POOL)
    assert synth.resources("aws_cognito_user_pool") == {}
    jwt = synth.one("aws_apigatewayv2_authorizer")["jwt_configuration"]
    assert jwt == {
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
        "audience": ["1a2b3c4d5e6f7g8h9i0j"],
    }
    outputs = synth.json["output"]
    assert outputs["cognito_user_pool_id"]["value"] == "${null}"
    assert outputs["cognito_client_id"]["value"] == "${null}"
    assert outputs["cognito_user_pool_endpoint"]["value"] == POOL["cognito_user_pool_endpoint"]


def test_auth_off_means_open_routes_and_null_cognito_outputs():
    synth = synth_config(enable_auth=False)
    assert {r["authorization_type"] for r in synth.resources("aws_apigatewayv2_route").values()} == {"NONE"}
    assert synth.resources("aws_apigatewayv2_authorizer") == {}
    assert synth.json["output"]["cognito_user_pool_endpoint"]["value"] == "${null}"


def test_http_api_cors_allows_the_mcp_headers():
    cors = synth_config(cors_allowed_origins=["https://app.example.com"]).one("aws_apigatewayv2_api")[
        "cors_configuration"
    ]
    assert cors["allow_origins"] == ["https://app.example.com"]
    assert {"mcp-session-id", "mcp-protocol-version", "authorization"} <= set(cors["allow_headers"])
    assert "mcp-session-id" in cors["expose_headers"]


# -- REST API ---------------------------------------------------------------------------------


def test_rest_api_methods_use_the_cognito_authorizer_with_the_scope():
    synth = synth_config(waf_acl_arn=WAF)
    methods = {m["http_method"]: m for m in synth.resources("aws_api_gateway_method").values()
               if m["resource_id"].startswith("${aws_api_gateway_resource.mcp_rest_api_mcp_")}  # fmt: skip
    assert sorted(methods) == ["DELETE", "GET", "OPTIONS", "POST"]
    for verb in ("DELETE", "GET", "POST"):
        assert methods[verb]["authorization"] == "COGNITO_USER_POOLS"
        assert methods[verb]["authorization_scopes"] == ["mcp/invoke"]
    assert methods["OPTIONS"]["authorization"] == "NONE"
    assert synth.has("aws_api_gateway_authorizer", {"type": "COGNITO_USER_POOLS"})


def test_waf_is_associated_with_the_rest_stage():
    synth = synth_config(waf_acl_arn=WAF)
    (stage_id,) = synth.resources("aws_api_gateway_stage")
    association = synth.one("aws_wafv2_web_acl_association")
    assert association == {
        **association,
        "web_acl_arn": WAF,
        "resource_arn": f"${{aws_api_gateway_stage.{stage_id}.arn}}",
    }


def test_tenant_id_comes_from_the_verified_token_never_from_the_client():
    synth = synth_config(enable_tenant_isolation=True)
    assert synth.one("aws_lambda_function")["tenancy_config"] == {"tenant_isolation_mode": "PER_TENANT"}
    for integration in synth.resources("aws_api_gateway_integration").values():
        if integration["type"] != "AWS_PROXY":
            continue
        assert integration["request_parameters"] == {
            "integration.request.header.X-Amz-Tenant-Id": "context.authorizer.claims.client_id"
        }
    # No method accepts a client-supplied tenant header.
    for method in synth.resources("aws_api_gateway_method").values():
        assert "tenant" not in json.dumps(method.get("request_parameters", {})).lower()


def test_buffered_rest_integration_timeout_is_capped_at_29_seconds():
    synth = synth_config(front_door="rest", response_streaming=False, timeout=300)
    timeouts = {i["timeout_milliseconds"] for i in synth.resources("aws_api_gateway_integration").values()
                if i["type"] == "AWS_PROXY"}  # fmt: skip
    assert timeouts == {29000}


def test_rest_stage_traces_logs_and_throttles_per_method():
    overrides = {"POST /mcp": {"throttling_rate_limit": 50, "throttling_burst_limit": 25}}
    synth = synth_config(front_door="rest", route_throttle_overrides=overrides)
    stage = synth.one("aws_api_gateway_stage")
    assert stage["xray_tracing_enabled"] is True
    assert "clientId" in json.loads(stage["access_log_settings"]["format"])
    settings = {s["method_path"]: s["settings"] for s in synth.resources("aws_api_gateway_method_settings").values()}
    assert settings["*/*"]["throttling_rate_limit"] == 100
    assert settings["mcp/POST"]["throttling_burst_limit"] == 25


def test_a_rest_stack_sets_the_account_logging_role_its_access_logs_need():
    synth = synth_config(front_door="rest")
    account = synth.one("aws_api_gateway_account")
    role = synth.one("aws_iam_role", name="my-tools-dev-apigw-logs")
    assert "apigateway.amazonaws.com" in role["assume_role_policy"]
    assert account["cloudwatch_role_arn"] == "${" + synth.address("aws_iam_role", name="my-tools-dev-apigw-logs") + ".arn}"
    # The stage (access logs) is created only once the account has the role.
    assert synth.address("aws_api_gateway_account") in synth.one("aws_api_gateway_stage")["depends_on"]
    (settings,) = [s for s in synth.resources("aws_api_gateway_method_settings").values()]
    assert settings["settings"]["logging_level"] == "ERROR"


def test_a_rest_stack_can_leave_the_account_logging_role_to_another_stack():
    synth = synth_config(front_door="rest", api_gateway_cloudwatch_role=False)
    assert synth.resources("aws_api_gateway_account") == {}
    assert "CKV2_AWS_4" in synth.one("aws_api_gateway_stage")["//"]["checkov_skip"]


def test_an_http_stack_has_no_account_logging_role():
    assert synth_config().resources("aws_api_gateway_account") == {}


# -- sessions, registry, alarms ---------------------------------------------------------------


def test_session_table_and_its_grant():
    synth = synth_config(enable_session_table=True)
    table = synth.one("aws_dynamodb_table")
    assert table["billing_mode"] == "PAY_PER_REQUEST" and table["hash_key"] == "session_id"
    assert table["ttl"] == {"attribute_name": "ttl", "enabled": True}
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": MINIMAL["kms_key_arn"]}
    policies = [json.loads(p["policy"]) for p in synth.resources("aws_iam_role_policy").values()]
    (grant,) = [p for p in policies if p["Statement"][0]["Sid"] == "SessionItems"]
    assert "dynamodb:DeleteTable" not in grant["Statement"][0]["Action"]
    env = synth.one("aws_lambda_function", function_name="my-tools-dev")["environment"]["variables"]
    assert env["SESSION_TABLE_NAME"].startswith("${aws_dynamodb_table.")


def test_tenant_sessions_are_keyed_by_tenant_then_session():
    table = synth_config(
        enable_session_table=True, enable_tenant_isolation=True, token_vending_machine={}
    ).one("aws_dynamodb_table")
    assert (table["hash_key"], table["range_key"]) == ("tenant_id", "session_id")
    assert table["global_secondary_index"][0]["hash_key"] == "session_id"


def test_ecr_repository_is_encrypted_scanned_and_pulled_by_lambda_only():
    synth = synth_config(enable_ecr_repository=True)
    repository = synth.one("aws_ecr_repository")
    assert repository["encryption_configuration"] == [
        {"encryption_type": "KMS", "kms_key": MINIMAL["kms_key_arn"]}
    ]  # a plain dict here would have been silently emptied
    assert repository["image_scanning_configuration"] == {"scan_on_push": True}
    policy = json.loads(synth.one("aws_ecr_repository_policy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    # This account's function (and its versions and aliases), not a same-named one elsewhere.
    function = (
        "arn:${data.aws_partition.partition.partition}:lambda:${data.aws_region.region.region}:"
        "${data.aws_caller_identity.caller.account_id}:function:my-tools-dev"
    )
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": [function, function + ":*"]}}
    # Images are kept when the stack goes, except in dev (MINIMAL is dev).
    assert repository["force_delete"] is True
    staging = synth_config(enable_ecr_repository=True, environment="staging")
    assert "force_delete" not in staging.one("aws_ecr_repository")


# -- the first deploy: the repository, then the image, then the rest --------------------------


def references(body) -> set[str]:
    """Addresses a resource body refers to (`${type.name.attr}`, `${data.type.name.attr}`)."""
    text = json.dumps(body)
    found = set(re.findall(r"(?<!\$)\$\{((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_]+)", text))
    return found | set(body.get("depends_on", []))


def closure(synth, address: str) -> set[str]:
    """What `tofu apply -target=<address>` creates: the address and all it depends on."""
    found, pending = set(), [address]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        parts = current.split(".")
        body = (synth.json["data"][parts[1]][parts[2]] if parts[0] == "data"
                else synth.json["resource"][parts[0]][parts[1]])  # fmt: skip
        pending += references(body)
    return found


def test_dev_runs_its_image_from_the_repository_it_creates(shipped):
    dev = shipped["dev"]
    repository = dev.address("aws_ecr_repository")
    function = dev.one("aws_lambda_function", function_name="my-tools-dev")
    assert function["image_uri"] == "${" + repository + ".repository_url}:v1"
    # Lambda checks at creation that it may pull the image.
    assert dev.address("aws_ecr_repository_policy") in function["depends_on"]


def test_the_first_phase_creates_the_repository_and_its_key_only(shipped):
    dev = shipped["dev"]
    created = {a for a in closure(dev, dev.address("aws_ecr_repository")) if not a.startswith("data.")}
    assert created == {dev.address("aws_ecr_repository"), dev.address("aws_kms_key")}


def test_the_readme_s_first_phase_targets_the_repository(shipped):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"tofu apply -target={shipped['dev'].address('aws_ecr_repository')}" in readme


@pytest.mark.parametrize(
    ("settings", "duration_ms", "latency_ms"),
    [
        ({"timeout": 10}, 8000, 9000),
        ({"timeout": 300}, 24000, 27000),  # HTTP API: 30 s takes effect
        ({"timeout": 300, "front_door": "rest", "response_streaming": False}, 23200, 26100),  # 29 s
        ({"timeout": 300, "front_door": "rest"}, 240000, 270000),  # streamed: the function's own
    ],
)
def test_alarm_thresholds_follow_the_timeout_in_effect(settings, duration_ms, latency_ms):
    alarms = {a["alarm_name"]: a for a in synth_config(**settings).resources("aws_cloudwatch_metric_alarm").values()}
    # The seed's five and the client-error rate (no reservation, no table: nothing more).
    assert len(alarms) == 6
    assert alarms["my-tools-dev-lambda-duration"]["threshold"] == duration_ms
    assert alarms["my-tools-dev-api-latency"]["threshold"] == latency_ms


def test_alarms_go_to_the_given_topic_or_a_created_encrypted_one():
    created = synth_config()
    topic = created.one("aws_sns_topic")
    assert topic["kms_master_key_id"] == MINIMAL["kms_key_arn"]
    given = "arn:aws:sns:us-east-1:123456789012:ops"
    synth = synth_config(alarm_sns_topic_arn=given, alarm_actions_enabled=False)
    assert synth.resources("aws_sns_topic") == {}
    for alarm in synth.resources("aws_cloudwatch_metric_alarm").values():
        assert alarm["alarm_actions"] == [given] and alarm["actions_enabled"] is False
    assert synth.json["output"]["sns_topic_arn"]["value"] == given


def test_timeout_beyond_the_front_door_warns_naming_the_field():
    props = props_of(timeout=300, front_door="rest", response_streaming=False)
    ((field, message),) = props.warnings()
    assert field == "timeout" and "29 s integration limit" in message
    assert props_of(timeout=20).warnings() == []
