"""Sign-in for people (`enable_user_sign_in`): what the stack adds on each front door, what it
leaves alone, and every input AWS or a client would trip over refused at synth."""

from __future__ import annotations

import ast
import io
import json
import sys
import zipfile

import pytest

from constructs_lib.control_report import component_definition, evidence
from constructs_lib.signin.construct import AUTHSERVER, OUTSIDE_VPC_REASON, PUBLIC_REASON, package

from .conftest import rule_problems, synth_config, MINIMAL

SIGN_IN = {"enable_user_sign_in": True}
EXTERNAL = {
    "cognito_user_pool_id": "us-east-1_AbCdEfGhI",
    "cognito_user_pool_endpoint": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
    "cognito_client_id": "1example23456789",
}


@pytest.fixture(scope="module")
def rest():
    return synth_config(front_door="rest", oauth_scopes=["admin"], **SIGN_IN)


@pytest.fixture(scope="module")
def http():
    return synth_config(front_door="http", user_mfa="optional", client_registration=["cimd"], **SIGN_IN)


def functions(synth) -> dict[str, dict]:
    return {f["function_name"]: f for f in synth.resources("aws_lambda_function").values()}


def test_the_facade_runs_outside_the_vpc_for_a_stated_reason_and_is_told_its_issuer(rest):
    facade = functions(rest)["my-tools-dev-signin"]
    assert "vpc_config" not in facade
    assert facade["//"]["checkov_skip"]["CKV_AWS_117"] == OUTSIDE_VPC_REASON
    assert facade["handler"] == "authserver.lambda_handler.handler" and facade["runtime"] == "python3.13"
    env = facade["environment"]["variables"]
    api = "${aws_api_gateway_rest_api.mcp_rest_api_0DA528B8.id}"
    assert env["ISSUER"].startswith(f"https://{api}.execute-api.") and env["ISSUER"].endswith("/dev")
    assert env["RESOURCE"] == env["ISSUER"] + "/mcp"
    assert env["SCOPES"] == "mcp/invoke mcp/admin" and env["CLIENT_REGISTRATION"] == "cimd,dcr"
    assert env["ALLOWED_REDIRECT_URIS"] == "http://127.0.0.1:*/* http://localhost:*/* http://[::1]:*/*"
    assert env["UPSTREAM_TOKEN_URL"].endswith(".amazoncognito.com/oauth2/token")
    # The client secret is read from its own secret at cold start, never put in a variable.
    assert env["CLIENT_SECRET_ARN"] == "${aws_secretsmanager_secret.mcp_sign_in_client_secret_212826B1.arn}"
    assert set(env) - {"CLIENT_SECRET_ARN"} == {n for n in env if "SECRET" not in n}
    assert env["UPSTREAM_ISSUER"] == "https://${aws_cognito_user_pool.mcp_auth_pool_1570827E.endpoint}"


def test_the_trigger_runs_in_the_private_subnets_and_only_cognito_of_this_pool_invokes_it(rest):
    trigger = functions(rest)["my-tools-dev-pretoken"]
    assert trigger["vpc_config"]["subnet_ids"] == MINIMAL["vpc_subnet_ids"]
    assert trigger["handler"] == "authserver.pre_token.handler"
    assert trigger["environment"]["variables"] == {"TENANT_ATTRIBUTE": "custom:tenant_id", "GATED_SCOPES": "mcp/admin"}
    (permission,) = [p for p in rest.resources("aws_lambda_permission").values()
                     if p["principal"] == "cognito-idp.amazonaws.com"]  # fmt: skip
    assert permission["source_arn"] == "${aws_cognito_user_pool.mcp_auth_pool_1570827E.arn}"


def test_the_pool_requires_totp_and_stamps_the_tenant_with_a_version_2_trigger(rest):
    (pool,) = rest.resources("aws_cognito_user_pool").values()
    assert pool["mfa_configuration"] == "ON"
    assert pool["software_token_mfa_configuration"] == {"enabled": True}
    assert pool["user_pool_tier"] == "ESSENTIALS"  # access-token customization needs it
    assert pool["lambda_config"]["pre_token_generation_config"]["lambda_version"] == "V2_0"
    assert [(a["name"], a["mutable"]) for a in pool["schema"]] == [("tenant_id", True)]
    assert pool["admin_create_user_config"] == {"allow_admin_create_user_only": True}


def test_the_facade_client_uses_the_code_grant_and_the_machine_client_is_unchanged(rest):
    clients = {c["name"]: c for c in rest.resources("aws_cognito_user_pool_client").values()}
    people, machine = clients["my-tools-dev-sign-in"], clients["my-tools-dev-client"]
    assert people["allowed_oauth_flows"] == ["code"]
    assert people["allowed_oauth_scopes"] == ["openid", "mcp/invoke", "mcp/admin"]
    assert people["callback_urls"] == ["https://${aws_api_gateway_rest_api.mcp_rest_api_0DA528B8.id}.execute-api."
                                       "${data.aws_region.region.region}.${data.aws_partition.partition.dns_suffix}/dev/callback"]
    # A person cannot change their own tenant: nothing but email is writable through the client.
    assert people["write_attributes"] == ["email"]
    assert machine["allowed_oauth_flows"] == ["client_credentials"]
    assert machine["allowed_oauth_scopes"] == ["mcp/invoke", "mcp/admin"]
    (server,) = rest.resources("aws_cognito_resource_server").values()
    assert [s["scope_name"] for s in server["scope"]] == ["invoke", "admin"]
    # A person keeps mcp/admin only as a member of the group admin (the trigger withholds it).
    assert [g["name"] for g in rest.resources("aws_cognito_user_group").values()] == ["admin"]
    assert people["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]  # no sign-in around consent


def test_rest_routes_are_public_proxies_each_permission_pinned_to_its_route(rest):
    methods = {m["resource_id"]: m for m in rest.resources("aws_api_gateway_method").values()
               if m.get("authorization") == "NONE" and m["http_method"] != "OPTIONS"
               and "checkov_skip" in m.get("//", {}) and m["//"]["checkov_skip"].get("CKV_AWS_59") == PUBLIC_REASON}  # fmt: skip
    paths = {r["path_part"] for r in rest.resources("aws_api_gateway_resource").values()}
    assert {"authorize", "consent", "callback", "token", "register", "oauth-authorization-server",
            "openid-configuration"} <= paths  # fmt: skip
    assert len(methods) == 7
    sources = sorted(p["source_arn"].split("/*/", 1)[1] for p in rest.resources("aws_lambda_permission").values()
                     if "sign_in" in p["function_name"])  # fmt: skip
    assert sources == ["GET/.well-known/oauth-authorization-server", "GET/.well-known/openid-configuration",
                       "GET/authorize", "GET/callback",
                       # CORS preflight for browser-based clients: the REST API answers none itself.
                       "OPTIONS/.well-known/oauth-authorization-server", "OPTIONS/.well-known/openid-configuration",
                       "OPTIONS/register", "OPTIONS/token", "POST/consent", "POST/register", "POST/token"]  # fmt: skip


def test_rest_metadata_names_the_api_itself_first_and_the_pool_for_machine_clients(rest):
    templates = [r["response_templates"]["application/json"]
                 for r in rest.resources("aws_api_gateway_integration_response").values()
                 if "oauth-protected-resource" not in str(r) and "authorization_servers" in str(r)]  # fmt: skip
    document = json.loads(templates[0])
    assert document["authorization_servers"] == ["https://$context.domainName/$context.stage",
                                                 "https://${aws_cognito_user_pool.mcp_auth_pool_1570827E.endpoint}"]
    assert document["scopes_supported"] == ["mcp/invoke", "mcp/admin"]


def test_the_server_learns_which_client_is_the_people_s(rest):
    server = functions(rest)["my-tools-dev"]["environment"]["variables"]
    assert server["SIGN_IN_CLIENT_ID"] == "${aws_cognito_user_pool_client.mcp_auth_sign_in_client_BAD1B7AC.id}"


def test_the_state_table_expires_items_and_the_facade_reaches_only_it(rest):
    (table,) = [t for t in rest.resources("aws_dynamodb_table").values() if t["name"] == "my-tools-dev-sign-in"]
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"]["kms_key_arn"] == MINIMAL["kms_key_arn"]
    (document,) = [json.loads(p["policy"]) for p in rest.resources("aws_iam_role_policy").values() if p["name"] == "sign-in"]
    policy = {s["Sid"]: s for s in document["Statement"]}
    assert set(policy["SignInState"]["Action"]) == {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                                                    "dynamodb:UpdateItem"}  # fmt: skip
    assert policy["ReadOwnClientSecret"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert policy["ReadOwnClientSecret"]["Resource"] == ["${aws_secretsmanager_secret.mcp_sign_in_client_secret_212826B1.arn}"]


def test_sign_in_outputs_are_declared(rest):
    assert {"authorization_server_url", "sign_in_client_id", "sign_in_table_name",
            "pre_token_function_arn"} <= set(rest.json["output"])  # fmt: skip


def test_http_api_the_facade_serves_the_metadata_and_the_authorizer_accepts_people(http):
    routes = {r["route_key"]: r for r in http.resources("aws_apigatewayv2_route").values()}
    assert "POST /register" not in routes  # client_registration = ["cimd"]
    assert not [key for key in routes if key.startswith("OPTIONS")]  # the HTTP API's CORS answers preflight
    assert {"GET /authorize", "POST /token", "GET /.well-known/oauth-protected-resource",
            "GET /.well-known/oauth-protected-resource/mcp"} <= set(routes)  # fmt: skip
    assert "my-tools-dev-prm" not in functions(http)
    (authorizer,) = http.resources("aws_apigatewayv2_authorizer").values()
    assert authorizer["jwt_configuration"]["audience"] == [
        "${aws_cognito_user_pool_client.mcp_auth_client_FB7CDBFB.id}",
        "${aws_cognito_user_pool_client.mcp_auth_sign_in_client_BAD1B7AC.id}",
    ]
    env = functions(http)["my-tools-dev-signin"]["environment"]["variables"]
    assert env["ISSUER"].startswith("https://${aws_apigatewayv2_api.") and env["CLIENT_REGISTRATION"] == "cimd"


def test_optional_mfa_is_recorded_as_an_exception_of_the_rule_pack(http):
    (pool,) = http.resources("aws_cognito_user_pool").values()
    assert pool["mfa_configuration"] == "OPTIONAL"
    assert "user_mfa = optional" in pool["//"]["checkov_skip"]["MCP-IA2-MFA"]


def test_an_external_pool_gets_the_client_and_the_trigger_but_is_not_changed():
    synth = synth_config(front_door="rest", cognito_user_pool_domain="login.example.com", **EXTERNAL, **SIGN_IN)
    assert not synth.resources("aws_cognito_user_pool")
    (client,) = synth.resources("aws_cognito_user_pool_client").values()
    assert client["user_pool_id"] == EXTERNAL["cognito_user_pool_id"] and client["allowed_oauth_flows"] == ["code"]
    env = functions(synth)["my-tools-dev-signin"]["environment"]["variables"]
    assert env["UPSTREAM_AUTHORIZE_URL"] == "https://login.example.com/oauth2/authorize"
    # What the stack cannot do in another's pool is said at synth.
    (warning,) = [w for w in synth.warnings() if w.startswith("cognito_user_pool_domain")]
    assert "MFA" in warning and "V2_0" in warning and "custom:tenant_id" in warning
    (permission,) = [p for p in synth.resources("aws_lambda_permission").values()
                     if p["principal"] == "cognito-idp.amazonaws.com"]  # fmt: skip
    assert permission["source_arn"].endswith(":userpool/us-east-1_AbCdEfGhI")


def test_sign_in_off_writes_exactly_what_it_wrote_before():
    assert synth_config(enable_user_sign_in=False).text == synth_config().text


@pytest.mark.parametrize("values, expected", [
    ({"enable_auth": False, **SIGN_IN}, ("enable_user_sign_in", "set enable_auth = true")),
    ({"client_registration": ["cimd", "oidc"], **SIGN_IN}, ("client_registration[1]", "'cimd' or 'dcr'")),
    ({"allowed_redirect_uris": ["http://app.example.com/callback"], **SIGN_IN}, ("allowed_redirect_uris[0]", "only for loopback hosts")),
    ({"allowed_redirect_uris": ["https://*.example.com/cb"], **SIGN_IN}, ("allowed_redirect_uris[0]", "")),
    ({"allowed_redirect_uris": [], **SIGN_IN}, ("allowed_redirect_uris", "at least one")),
    ({"user_tenant_attribute": "custom:tenant", **SIGN_IN}, ("user_tenant_attribute", "without the custom: prefix")),
    ({"user_tenant_attribute": "a-very-long-attribute-name", **SIGN_IN}, ("user_tenant_attribute", "1 to 20")),
    ({"oauth_scopes": ["invoke"]}, ("oauth_scopes[0]", "already a scope")),
    ({"oauth_scopes": ["two words"]}, ("oauth_scopes[0]", "without space")),
    ({"user_mfa": "optional"}, ("user_mfa", "only used with enable_user_sign_in")),
    ({"enable_tenant_isolation": True, "front_door": "rest", **SIGN_IN}, ("enable_user_sign_in", "Lambda authorizer")),
    ({**EXTERNAL, **SIGN_IN}, ("cognito_user_pool_domain", "required with enable_user_sign_in and an external pool")),
    ({"cognito_user_pool_domain": "login.example.com", **SIGN_IN}, ("cognito_user_pool_domain", "only for an external pool")),
])  # fmt: skip
def test_bad_sign_in_inputs_are_named(values, expected):
    problems = rule_problems({**MINIMAL, **values})
    field, text = expected
    assert any(f == field and text in m for f, m in problems), problems


def test_the_package_holds_the_facade_alone_and_imports_only_what_lambda_has():
    first, second = package(), package()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith("authserver/") and n.endswith(".py") for n in names)
        assert {"authserver/lambda_handler.py", "authserver/pre_token.py", "authserver/core.py"} <= set(names)
        imported = set()
        for name in names:
            for node in ast.walk(ast.parse(archive.read(name))):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported.add(node.module.split(".")[0])
    assert imported - {"__future__"} <= set(sys.stdlib_module_names) | {"boto3", "botocore"}
    assert len(names) == len([p for p in AUTHSERVER.rglob("*.py") if "__pycache__" not in p.parts])


def test_the_control_report_covers_sign_in_only_where_people_sign_in(rest):
    controls = {e["control"] for e in evidence(rest.json)}
    assert {"IA-2(1)", "IA-5(1)", "AC-7", "AU-12", "SC-23"} <= controls
    ids = {r["control-id"] for r in component_definition(rest.json, "s")["component-definition"]["components"][0]
           ["control-implementations"][0]["implemented-requirements"]}  # fmt: skip
    assert {"ia-2.1", "ia-5.1", "sc-23"} <= ids
    assert "IA-2(1)" not in {e["control"] for e in evidence(synth_config().json)}
