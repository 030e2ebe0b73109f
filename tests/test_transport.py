"""MCP clients on both front doors: CORS per spec revision, RFC 9728 discovery, OAuth challenges,
and the timeout rules of each front door."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from unittest import mock

import pytest

from constructs_lib.discovery import HANDLER_SOURCE
from constructs_lib.packaging import package
from constructs_lib.handlers import protected_resource_metadata as handler
from constructs_lib.limits import FRONT_DOOR_LIMIT_S
from constructs_lib.transport import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, MCP_TRANSPORT_HEADERS

from .conftest import MINIMAL, props_of, rule_problems, synth_config

WELL_KNOWN = ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]


# -- CORS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("revision", sorted(MCP_TRANSPORT_HEADERS))
def test_both_front_doors_allow_and_expose_every_header_of_each_revision(revision):
    headers = MCP_TRANSPORT_HEADERS[revision]
    cors = synth_config().one("aws_apigatewayv2_api")["cors_configuration"]
    assert set(headers.request) <= set(cors["allow_headers"])
    assert set(headers.response) <= set(cors["expose_headers"])
    rest = synth_config(front_door="rest")
    preflight = [r for a, r in rest.resources("aws_api_gateway_integration_response").items()
                 if "options" in a][0]["response_parameters"]  # fmt: skip
    allowed = preflight["method.response.header.Access-Control-Allow-Headers"].strip("'").split(",")
    assert set(headers.request) <= set(allowed)
    for response in rest.resources("aws_api_gateway_gateway_response").values():
        exposed = response["response_parameters"]["gatewayresponse.header.Access-Control-Expose-Headers"]
        assert set(headers.response) <= set(exposed.strip("'").split(","))


def test_the_latest_revision_adds_method_and_name_headers():
    assert {"mcp-method", "mcp-name"} <= set(MCP_TRANSPORT_HEADERS["2026-07-28"].request)
    assert set(CORS_EXPOSE_HEADERS) == {"mcp-session-id", "www-authenticate"}


def test_extra_headers_are_allowed_on_both_front_doors():
    extra = ["Mcp-Param-Region"]
    cors = synth_config(cors_extra_allow_headers=extra).one("aws_apigatewayv2_api")["cors_configuration"]
    assert cors["allow_headers"] == [*CORS_ALLOW_HEADERS, "mcp-param-region"]
    rest = synth_config(front_door="rest", cors_extra_allow_headers=extra)
    assert "mcp-param-region" in rest.text


@pytest.mark.parametrize("headers", [["Mcp-Session-Id"], ["X-A", "x-a"], ["bad header"]])
def test_extra_headers_that_are_duplicates_or_malformed_are_rejected(headers):
    problems = rule_problems({**MINIMAL, "cors_extra_allow_headers": headers})
    assert problems and all(field.startswith("cors_extra_allow_headers") for field, _ in problems)


# -- protected resource metadata ----------------------------------------------------------


def test_http_api_serves_both_metadata_paths_without_auth_from_the_metadata_function():
    synth = synth_config()
    routes = {r["route_key"]: r for r in synth.resources("aws_apigatewayv2_route").values()}
    integration = synth.address("aws_apigatewayv2_integration", timeout_milliseconds=5000)
    for path in WELL_KNOWN:
        route = routes[f"GET {path}"]
        assert route["authorization_type"] == "NONE"
        assert route["target"] == f"integrations/${{{integration}.id}}"
    function = synth.one("aws_lambda_function", function_name="my-tools-dev-prm")
    assert function["package_type"] == "Zip" and function["runtime"] == "python3.13"
    assert function["environment"]["variables"]["SCOPES"] == "mcp/invoke"
    assert function["environment"]["variables"]["AUTHORIZATION_SERVER"].startswith(
        "https://${aws_cognito_user_pool."
    )
    assert synth.has("aws_lambda_permission", {"function_name": "${aws_lambda_function."
                     + synth.address("aws_lambda_function", function_name="my-tools-dev-prm").split(".")[1]
                     + ".function_name}"})  # fmt: skip


@pytest.mark.parametrize(
    "path, resource",
    [("/.well-known/oauth-protected-resource", "https://abc.execute-api.us-east-1.amazonaws.com"),
     ("/.well-known/oauth-protected-resource/mcp",
      "https://abc.execute-api.us-east-1.amazonaws.com/mcp")],
)  # fmt: skip
def test_metadata_handler_names_the_resource_of_the_path_and_the_issuer(path, resource):
    env = {"AUTHORIZATION_SERVER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X",
           "SCOPES": "mcp/invoke", "RESOURCE_NAME": "MCP server t"}  # fmt: skip
    event = {"rawPath": path, "requestContext": {"domainName": "abc.execute-api.us-east-1.amazonaws.com"}}
    with mock.patch.dict(os.environ, env):
        response = handler.handler(event, None)
    assert response["statusCode"] == 200
    document = json.loads(response["body"])
    assert document == {
        "resource": resource,
        "authorization_servers": [env["AUTHORIZATION_SERVER"]],
        "scopes_supported": ["mcp/invoke"],
        "bearer_methods_supported": ["header"],
        "resource_name": "MCP server t",
    }


def test_metadata_package_is_reproducible_and_holds_the_handler_alone():
    first, second = (package({HANDLER_SOURCE.name: HANDLER_SOURCE}) for _ in range(2))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["protected_resource_metadata.py"]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_rest_api_answers_metadata_itself_with_the_issuer_and_the_resource():
    synth = synth_config(front_door="rest")
    paths = sorted(r["path_part"] for r in synth.resources("aws_api_gateway_resource").values())
    assert paths == [".well-known", "mcp", "mcp", "oauth-protected-resource"]
    templates = [r["response_templates"]["application/json"]
                 for a, r in synth.resources("aws_api_gateway_integration_response").items()
                 if "metadata" in a]  # fmt: skip
    assert len(templates) == 2
    resources = sorted(json.loads(t)["resource"] for t in templates)
    assert resources == ["https://$context.domainName/$context.stage",
                         "https://$context.domainName/$context.stage/mcp"]  # fmt: skip
    for template in templates:
        document = json.loads(template)
        assert document["authorization_servers"][0].startswith("https://${aws_cognito_user_pool.")
        assert document["scopes_supported"] == ["mcp/invoke"]
    methods = [m for m in synth.resources("aws_api_gateway_method").values()
               if m["authorization"] == "NONE" and m["http_method"] == "GET"]  # fmt: skip
    assert len(methods) == 2


def test_auth_off_serves_no_metadata_and_no_challenges():
    for front_door in ("http", "rest"):
        synth = synth_config(front_door=front_door, enable_auth=False)
        assert "oauth-protected-resource" not in synth.text
        assert "WWW-Authenticate" not in synth.text
        assert len(synth.resources("aws_lambda_function")) == 1


# -- 401 / 403 -----------------------------------------------------------------------------


def test_rest_401_and_403_carry_the_challenge_with_resource_metadata():
    synth = synth_config(front_door="rest")
    responses = {r["response_type"]: r for r in synth.resources("aws_api_gateway_gateway_response").values()}
    assert sorted(responses) == ["ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"]
    url = ("https://${aws_api_gateway_rest_api.mcp_rest_api_0DA528B8.id}.execute-api."
           "${data.aws_region.region.region}.${data.aws_partition.partition.dns_suffix}"
           "/dev/.well-known/oauth-protected-resource/mcp")  # fmt: skip
    unauthorized = responses["UNAUTHORIZED"]
    assert unauthorized["status_code"] == "401"
    assert unauthorized["response_parameters"]["gatewayresponse.header.WWW-Authenticate"] == (
        f"'Bearer scope=\"mcp/invoke\", resource_metadata=\"{url}\"'"
    )
    denied = responses["ACCESS_DENIED"]
    assert denied["status_code"] == "403"
    assert denied["response_parameters"]["gatewayresponse.header.WWW-Authenticate"] == (
        f"'Bearer error=\"insufficient_scope\", scope=\"mcp/invoke\", resource_metadata=\"{url}\"'"
    )


def test_gateway_errors_carry_the_configured_origin_or_any_for_a_list():
    one = synth_config(front_door="rest", cors_allowed_origins=["https://app.example.com"])
    many = synth_config(front_door="rest", cors_allowed_origins=["https://a.example.com", "https://b.example.com"])
    key = "gatewayresponse.header.Access-Control-Allow-Origin"
    assert {r["response_parameters"][key] for r in one.resources("aws_api_gateway_gateway_response").values()} == {
        "'https://app.example.com'"}  # fmt: skip
    assert {r["response_parameters"][key] for r in many.resources("aws_api_gateway_gateway_response").values()} == {
        "'*'"}  # fmt: skip


# -- REST deployments: redeployed when, and only when, what they deploy changes -----------------


def rest_triggers(**overrides) -> dict[str, str]:
    return synth_config(front_door="rest", **overrides).one("aws_api_gateway_deployment")["triggers"]


def test_the_redeployment_trigger_holds_no_whole_resource():
    """A whole resource object reads back differently after the first refresh (unset arguments
    become empty values), which replaced the deployment on the plan after a clean apply."""
    synth = synth_config(front_door="rest")
    deployment = synth.one("aws_api_gateway_deployment")
    triggers = deployment["triggers"]
    assert re.fullmatch(r"[0-9a-f]{64}", triggers.pop("configuration"))
    for key, value in triggers.items():
        assert value == "${" + key + "}"
        assert re.fullmatch(r"(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_]+\.[a-z_]+", key), key
    # Every value a deployed resource references is watched (a replaced authorizer or function
    # changes what the stage serves without changing any deployed argument).
    for address in deployment["depends_on"]:
        kind, logical = address.split(".")
        body = json.dumps({k: v for k, v in synth.resources(kind)[logical].items() if k != "depends_on"})
        assert set(re.findall(r"(?<!\$)\$\{([^{}]+)\}", body)) <= set(triggers), address
    assert "aws_lambda_function.mcp_function_76AE6CB1.arn" in triggers  # the streaming URI


def test_what_the_stage_serves_changes_the_trigger():
    base = rest_triggers()["configuration"]
    assert rest_triggers(cors_allowed_origins=["https://app.example.com"])["configuration"] != base
    assert rest_triggers(cors_extra_allow_headers=["Mcp-Param-Region"])["configuration"] != base
    assert rest_triggers(enable_tenant_isolation=True)["configuration"] != base


def test_what_the_stage_does_not_serve_leaves_the_trigger_alone():
    base = rest_triggers()
    assert rest_triggers(memory_size=2048) == base
    assert rest_triggers(throttle_rate_limit=7, log_retention_days=365) == base
    assert rest_triggers(route_throttle_overrides={"POST /mcp": {
        "throttling_rate_limit": 5, "throttling_burst_limit": 5}}) == base  # fmt: skip


def test_an_override_added_after_construction_redeploys():
    from cdktf import Testing

    from stacks.config import parse_environment
    from stacks.mcp_stack import McpStack

    from .conftest import Synth

    def configuration(tweak) -> str:
        stack = McpStack(Testing.app(), parse_environment({**MINIMAL, "front_door": "rest"}))
        tweak(stack.server.front_door)
        return Synth(stack).one("aws_api_gateway_deployment")["triggers"]["configuration"]

    untouched = configuration(lambda door: None)
    assert configuration(lambda door: door.methods["POST /mcp"].add_override("api_key_required", True)) != untouched


# -- timeouts, one test per rule, across both front doors -----------------------------------

# (front door settings, integration mode) for each way the function is integrated.
DOORS = {
    "http": ({"front_door": "http"}, "http"),
    "rest": ({"front_door": "rest", "response_streaming": False}, "rest"),
    "rest-stream": ({"front_door": "rest"}, "rest-stream"),
}
COMBINATIONS = [(door, timeout) for door in DOORS for timeout in (1, 10, 29, 30, 31, 180, 900)]


def _mcp_timeouts(synth, door):
    if door == "http":
        integrations = synth.resources("aws_apigatewayv2_integration")
    else:
        integrations = synth.resources("aws_api_gateway_integration")
    return {i["timeout_milliseconds"] for a, i in integrations.items()
            if "metadata" not in a and i.get("type") != "MOCK"}  # fmt: skip


def _alarm(synth, suffix):
    return synth.one("aws_cloudwatch_metric_alarm", alarm_name=f"my-tools-dev-{suffix}")["threshold"]


@pytest.fixture(scope="module")
def timing():
    return {(d, t): synth_config(**DOORS[d][0], timeout=t) for d, t in COMBINATIONS}


@pytest.mark.parametrize("door, timeout", COMBINATIONS)
def test_integration_timeout_is_the_shorter_of_function_and_front_door(timing, door, timeout):
    limit = FRONT_DOOR_LIMIT_S[door]
    assert _mcp_timeouts(timing[door, timeout], door) == {min(timeout, limit) * 1000}


@pytest.mark.parametrize("door, timeout", COMBINATIONS)
def test_duration_alarm_fires_before_the_request_can_time_out(timing, door, timeout):
    effective_ms = min(timeout, FRONT_DOOR_LIMIT_S[door]) * 1000
    threshold = _alarm(timing[door, timeout], "lambda-duration")
    assert threshold == int(effective_ms * 0.8) and threshold < timeout * 1000


@pytest.mark.parametrize("door, timeout", COMBINATIONS)
def test_latency_alarm_is_below_the_integration_timeout(timing, door, timeout):
    (integration_ms,) = _mcp_timeouts(timing[door, timeout], door)
    threshold = _alarm(timing[door, timeout], "api-latency")
    assert threshold == int(integration_ms * 0.9) and threshold < integration_ms


@pytest.mark.parametrize("door, timeout", COMBINATIONS)
def test_a_timeout_beyond_the_front_door_warns_and_only_then(door, timeout):
    props = props_of(**DOORS[door][0], timeout=timeout)
    warned = [f for f, _ in props.warnings()] == ["timeout"]
    assert warned == (timeout > FRONT_DOOR_LIMIT_S[door])


# -- streaming: the REST API streams the function's responses ---------------------------------


STREAMING_URI = re.compile(
    r"arn:\$\{data\.aws_partition\.partition\.partition\}:apigateway:\$\{data\.aws_region\.region\.region\}"
    r":lambda:path/2021-11-15/functions/\$\{aws_lambda_function\.mcp_function_[0-9A-F]+\.arn\}"
    r"/response-streaming-invocations"
)


def _lambda_integrations(synth) -> list[dict]:
    return [i for i in synth.resources("aws_api_gateway_integration").values() if i["type"] == "AWS_PROXY"]


def _invoke_mode(synth) -> str:
    return synth.one("aws_lambda_function", function_name="my-tools-dev")["environment"]["variables"]["AWS_LWA_INVOKE_MODE"]


def test_the_rest_api_streams_with_the_function_s_timeout():
    synth = synth_config(front_door="rest", timeout=180)
    integrations = _lambda_integrations(synth)
    assert len(integrations) == 3
    for integration in integrations:
        assert integration["response_transfer_mode"] == "STREAM"
        assert STREAMING_URI.fullmatch(integration["uri"]), integration["uri"]
        assert integration["timeout_milliseconds"] == 180_000
    # MOCK integrations (preflight, metadata) answer from API Gateway itself.
    assert all("response_transfer_mode" not in i for i in synth.resources("aws_api_gateway_integration").values()
               if i["type"] == "MOCK")  # fmt: skip
    assert _invoke_mode(synth) == "response_stream"
    # The seed's default timeout no longer outlives the front door.
    props = props_of(front_door="rest")
    assert props.warnings() == []


def test_buffered_front_doors_tell_the_image_to_buffer():
    assert _invoke_mode(synth_config()) == "buffered"
    buffered = synth_config(front_door="rest", response_streaming=False)
    assert _invoke_mode(buffered) == "buffered"
    for integration in _lambda_integrations(buffered):
        assert "response_transfer_mode" not in integration
        assert integration["uri"].endswith(".invoke_arn}")


TENANTS_ON = dict(enable_tenant_isolation=True, enable_session_table=True)


def test_tenant_isolation_buffers_unless_streaming_is_asked_for():
    props = props_of(**TENANTS_ON)
    assert props.integration_mode == "rest" and props.effective_timeout_seconds == 29
    asked = props_of(**TENANTS_ON, response_streaming=True)
    assert asked.integration_mode == "rest-stream"
    assert [f for f, _ in asked.warnings()] == ["token_vending_machine", "response_streaming"]
    synth = synth_config(**TENANTS_ON, response_streaming=True)
    for integration in _lambda_integrations(synth):
        assert integration["response_transfer_mode"] == "STREAM"
        assert integration["request_parameters"] == {
            "integration.request.header.X-Amz-Tenant-Id": "context.authorizer.claims.client_id"}  # fmt: skip


def test_an_http_api_cannot_stream(tmp_path):
    from .test_config import problems_of, seed_minimal, write

    problems = problems_of(write(tmp_path, "dev", {**seed_minimal(), "front_door": "http", "response_streaming": True}))
    assert problems == [
        "dev.toml: response_streaming: an HTTP API cannot stream Lambda responses (it buffers them and "
        'stops at 30 s); use front_door = "rest" or remove response_streaming'
    ]
