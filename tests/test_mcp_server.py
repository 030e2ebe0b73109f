"""McpServer slice: function, role, logs and the HTTP API front door."""

from __future__ import annotations

import json

from .conftest import MINIMAL, synth_config

KEY = MINIMAL["kms_key_arn"]
ROLE_ID = "${aws_iam_role.mcp_function_role_00D47CF8.id}"
MCP_ROUTES = ["DELETE /mcp", "GET /mcp", "POST /mcp"]


def policy(resource: dict) -> dict:
    return json.loads(resource["policy"])


# -- function ----------------------------------------------------------------------------------


def test_function_is_a_container_image_in_the_private_subnets():
    synth = synth_config(memory_size=1024, timeout=60, reserved_concurrent_executions=5)
    assert synth.has(
        "aws_lambda_function",
        {
            "function_name": "my-tools-dev",
            "package_type": "Image",
            "image_uri": MINIMAL["image_uri"],
            "memory_size": 1024,
            "timeout": 60,
            "reserved_concurrent_executions": 5,
            "kms_key_arn": KEY,
            "vpc_config": {
                "subnet_ids": MINIMAL["vpc_subnet_ids"],
                "security_group_ids": MINIMAL["vpc_security_group_ids"],
            },
            "tracing_config": {"mode": "Active"},
            "logging_config": {"log_format": "JSON"},
        },
    )


def test_function_defaults_are_the_seed_defaults():
    function = synth_config().one("aws_lambda_function", function_name="my-tools-dev")
    assert (function["memory_size"], function["timeout"]) == (512, 180)
    assert function["reserved_concurrent_executions"] == -1
    assert function["environment"] == {"variables": {
        "TENANT_ISOLATION_ENABLED": "false", "MCP_ALLOWED_ORIGINS": "*", "AWS_LWA_INVOKE_MODE": "buffered",
        # The API's own host, for the server's Host check (DNS rebinding).
        "MCP_ALLOWED_HOSTS": "${aws_apigatewayv2_api.mcp_http_api_D16EB2EA.id}.execute-api."
                             "${data.aws_region.region.region}.${data.aws_partition.partition.dns_suffix}"}}  # fmt: skip


def test_environment_variables_are_passed_and_encrypted():
    synth = synth_config(environment_variables={"LOG_LEVEL": "info"})
    assert synth.has(
        "aws_lambda_function",
        {"environment": {"variables": {"LOG_LEVEL": "info"}}, "kms_key_arn": KEY},
    )


def test_xray_off_means_pass_through_and_no_xray_policy():
    synth = synth_config(enable_xray_tracing=False)
    assert synth.one("aws_lambda_function", function_name="my-tools-dev")["tracing_config"] == {"mode": "PassThrough"}
    arns = [a["policy_arn"] for a in synth.resources("aws_iam_role_policy_attachment").values()]
    assert not any("XRay" in arn for arn in arns)


def test_function_logs_to_its_own_encrypted_log_group_created_first():
    synth = synth_config(log_retention_days=365)
    assert synth.has(
        "aws_cloudwatch_log_group",
        {"name": "/aws/lambda/my-tools-dev", "retention_in_days": 365, "kms_key_id": KEY},
    )
    function = synth.one("aws_lambda_function", function_name="my-tools-dev")
    log_groups = synth.resources("aws_cloudwatch_log_group")
    (address,) = [a for a, r in log_groups.items() if r["name"] == "/aws/lambda/my-tools-dev"]
    assert f"aws_cloudwatch_log_group.{address}" in function["depends_on"]
    assert function["logging_config"]["log_group"] == f"${{aws_cloudwatch_log_group.{address}.name}}"


# -- role --------------------------------------------------------------------------------------


def test_role_is_assumed_by_lambda_only():
    role = synth_config().one("aws_iam_role", name="my-tools-dev-lambda")
    assert role["name"] == "my-tools-dev-lambda"
    trust = json.loads(role["assume_role_policy"])
    assert trust["Statement"] == [
        {
            "Sid": "AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_managed_policies_use_the_partition_of_the_account():
    synth = synth_config()
    arns = sorted({a["policy_arn"] for a in synth.resources("aws_iam_role_policy_attachment").values()})
    assert arns == ["arn:${data.aws_partition.partition.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"]
    assert list(synth.json["data"]["aws_partition"]) == ["partition"]


FUNCTION_ARN = ("arn:${data.aws_partition.partition.partition}:lambda:${data.aws_region.region.region}:"
                "${data.aws_caller_identity.caller.account_id}:function:my-tools-dev")  # fmt: skip


def test_kms_policy_allows_decrypt_on_the_given_key_only():
    inline = synth_config().one("aws_iam_role_policy", name="kms", role=ROLE_ID)
    assert policy(inline)["Statement"] == [
        {
            "Sid": "DecryptOwnEnvironment",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [KEY],
            # Only what Lambda encrypted for this function (issue 20, item 7).
            "Condition": {"StringLike": {"kms:EncryptionContext:aws:lambda:FunctionArn": [
                FUNCTION_ARN, FUNCTION_ARN + ":*"]}},
        }
    ]


# -- HTTP API ----------------------------------------------------------------------------------


def test_http_api_has_the_three_mcp_routes_on_one_lambda_integration():
    synth = synth_config()
    assert synth.has("aws_apigatewayv2_api", {"name": "my-tools-dev", "protocol_type": "HTTP"})
    integration = synth.address("aws_apigatewayv2_integration", payload_format_version="2.0",
                                timeout_milliseconds=30000)  # fmt: skip
    routes = [r for r in synth.resources("aws_apigatewayv2_route").values()
              if r["route_key"].endswith(" /mcp")]  # fmt: skip
    assert sorted(r["route_key"] for r in routes) == MCP_ROUTES
    target = f"integrations/${{{integration}.id}}"
    assert {r["target"] for r in routes} == {target}
    assert synth.has(
        "aws_apigatewayv2_integration",
        {"integration_type": "AWS_PROXY", "payload_format_version": "2.0"},
    )


def test_integration_timeout_follows_the_function_up_to_the_http_api_limit():
    for timeout, expected in ((10, 10000), (300, 30000)):
        integrations = synth_config(timeout=timeout).resources("aws_apigatewayv2_integration")
        mcp = [i for a, i in integrations.items() if "metadata" not in a]
        assert [i["timeout_milliseconds"] for i in mcp] == [expected]


def test_default_stage_throttles_and_writes_json_access_logs():
    synth = synth_config(throttle_rate_limit=200, throttle_burst_limit=100)
    stage = synth.one("aws_apigatewayv2_stage")
    assert stage["name"] == "$default" and stage["auto_deploy"] is True
    assert stage["default_route_settings"] == {
        "throttling_rate_limit": 200,
        "throttling_burst_limit": 100,
        "detailed_metrics_enabled": True,
    }
    fields = json.loads(stage["access_log_settings"]["format"])
    assert {"requestId", "sourceIp", "routeKey", "status", "integrationError"} <= set(fields)
    assert synth.has(
        "aws_cloudwatch_log_group",
        {"name": "/aws/apigateway/my-tools-dev/access", "retention_in_days": 30, "kms_key_id": KEY},
    )
    assert "route_settings" not in stage


def test_route_throttle_overrides_become_route_settings():
    overrides = {"POST /mcp": {"throttling_rate_limit": 50, "throttling_burst_limit": 25}}
    stage = synth_config(route_throttle_overrides=overrides).one("aws_apigatewayv2_stage")
    assert stage["route_settings"] == [
        {
            "route_key": "POST /mcp",
            "throttling_rate_limit": 50,
            "throttling_burst_limit": 25,
            "detailed_metrics_enabled": True,
        }
    ]
    # the routes exist before settings name them
    assert len(stage["depends_on"]) == len(synth_config().resources("aws_apigatewayv2_route"))


def test_only_this_api_may_invoke_the_function_on_the_mcp_path():
    synth = synth_config()
    (api_address,) = synth.resources("aws_apigatewayv2_api")
    assert synth.has(
        "aws_lambda_permission",
        {
            "action": "lambda:InvokeFunction",
            "principal": "apigateway.amazonaws.com",
            "source_arn": f"${{aws_apigatewayv2_api.{api_address}.execution_arn}}/*/*/mcp",
        },
    )


def test_endpoint_outputs_point_at_the_mcp_path():
    outputs = synth_config().json["output"]
    assert outputs["mcp_endpoint_url"]["value"].endswith(".api_endpoint}/mcp")
    assert outputs["tenant_isolation_enabled"]["value"] is False
