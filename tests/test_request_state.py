"""`request_state_kms_key`: one KMS HMAC key seals the request state of input-required results,
so any execution environment can continue a request; off by default (stacks unchanged)."""

from __future__ import annotations

import json

from .conftest import synth_config, synth_from_zero


def test_the_key_is_an_hmac_key_the_function_may_only_mac_with():
    synth = synth_from_zero(request_state_kms_key=True)
    keys = {a: k for a, k in synth.resources("aws_kms_key").items() if k.get("key_usage") == "GENERATE_VERIFY_MAC"}
    ((address, key),) = keys.items()
    assert key["customer_master_key_spec"] == "HMAC_256"
    assert "rotates no HMAC key" in key["//"]["checkov_skip"]["MCP-SC12-KEY"]
    (alias,) = [a for a in synth.resources("aws_kms_alias").values() if a["name"].endswith("-request-state")]
    assert alias["target_key_id"] == f"${{aws_kms_key.{address}.key_id}}"
    function = synth.one("aws_lambda_function", function_name="my-tools-dev")
    assert function["environment"]["variables"]["MCP_REQUEST_STATE_KMS_KEY"] == f"${{aws_kms_key.{address}.arn}}"
    (policy,) = [json.loads(p["policy"]) for p in synth.resources("aws_iam_role_policy").values()
                 if p["name"] == "request-state"]  # fmt: skip
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["kms:GenerateMac"] and statement["Resource"] == [f"${{aws_kms_key.{address}.arn}}"]
    assert statement["Condition"] == {"StringEquals": {"kms:MacAlgorithm": "HMAC_SHA_256"}}
    # From the private subnets, KMS is reached through its endpoint.
    services = [e["service_name"] for e in synth.resources("aws_vpc_endpoint").values()]
    assert any("mcp_network_kms_service" in s for s in services)


def test_off_by_default():
    synth = synth_config()
    assert all(k.get("key_usage") != "GENERATE_VERIFY_MAC" for k in synth.resources("aws_kms_key").values())
    assert "MCP_REQUEST_STATE_KMS_KEY" not in synth.one("aws_lambda_function", function_name="my-tools-dev")["environment"]["variables"]
