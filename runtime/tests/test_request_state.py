"""The request state of 2026-07-28 multi-round-trip requests: signed with HMAC-SHA256 under the
deployment's key, bound to the request, the tenant and an expiry, so a client (or another
tenant) cannot alter or replay it; any process with the key continues the request."""

from __future__ import annotations

import json

import pytest
from mcp.server.mcpserver import InvalidRequestState

from mcp_runtime.request_state import HmacStateCodec

from .conftest import TENANT_SETTINGS
from .test_contract import MODERN_META, post
from .test_hardening import answer_of

KEY = "k" * 32
HEADERS = {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "book_table"}
CAPABLE = {**MODERN_META, "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}}
ARGUMENTS = {"restaurant": "Chez Lambda", "party": 2}


def call(deployment, tenant="acme", arguments=ARGUMENTS, **more) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "book_table", "arguments": arguments, "_meta": CAPABLE, **more}}  # fmt: skip
    return answer_of(post(deployment, body, tenant=tenant, **HEADERS))


def answered(first: dict) -> dict:
    (key,) = first["result"]["inputRequests"]
    return {key: {"action": "accept", "content": {"confirm": True}}}


def test_the_codec_refuses_any_change_and_any_other_key():
    codec = HmacStateCodec(KEY.encode())
    token = codec.seal(b'{"s": "state"}')
    assert codec.unseal(token) == b'{"s": "state"}'
    signed, _, tag = token.rpartition(".")
    for forged in (signed[:-2] + "AA." + tag, signed + "." + tag[:-2] + "AA", "v1." + token, token + "="):
        with pytest.raises(InvalidRequestState):
            codec.unseal(forged)
    with pytest.raises(InvalidRequestState):
        HmacStateCodec(b"x" * 32).unseal(token)
    with pytest.raises(ValueError):
        HmacStateCodec(b"short")


def test_another_process_with_the_key_continues_the_request(aws, deploy):
    first_process, second_process = deploy(request_state_key=KEY), deploy(request_state_key=KEY)
    first = call(first_process)
    assert first["result"]["resultType"] == "input_required" and first["result"]["requestState"].startswith("h1.")
    done = call(second_process, inputResponses=answered(first), requestState=first["result"]["requestState"])
    assert done["result"]["content"][0]["text"] == "Booked a table for 2 at Chez Lambda."
    # Without the shared key, another process cannot verify the state.
    stranger = deploy()
    refused = call(stranger, inputResponses=answered(first), requestState=first["result"]["requestState"])
    assert refused["error"]["code"] == -32602 and refused["id"] == 1


def test_with_the_stack_s_kms_key_any_process_continues_and_no_secret_is_needed(aws, deploy, aws_calls):
    """`request_state_kms_key`: each process asks KMS for the MAC of one HMAC key; a state sealed
    with another key is refused."""
    import boto3

    kms = boto3.client("kms")
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    first_process, second_process = deploy(request_state_kms_key=key), deploy(request_state_kms_key=key)
    first = call(first_process)
    done = call(second_process, inputResponses=answered(first), requestState=first["result"]["requestState"])
    assert done["result"]["content"][0]["text"] == "Booked a table for 2 at Chez Lambda."
    macs = [c for c in aws_calls if c[:2] == ("kms", "GenerateMac")]
    assert macs and all(c[2]["KeyId"] == key and c[2]["MacAlgorithm"] == "HMAC_SHA_256" for c in macs)
    other = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    refused = call(deploy(request_state_kms_key=other), inputResponses=answered(first),
                   requestState=first["result"]["requestState"])  # fmt: skip
    assert refused["error"]["code"] == -32602


@pytest.mark.parametrize("change", ["tenant", "arguments", "state"])
def test_a_state_is_bound_to_its_tenant_request_and_bytes(aws, deploy, change):
    deployment = deploy(request_state_key=KEY, **TENANT_SETTINGS)
    first = call(deployment)
    state = first["result"]["requestState"]
    tenant, arguments = ("globex", ARGUMENTS) if change == "tenant" else ("acme", ARGUMENTS)
    if change == "arguments":
        arguments = {**ARGUMENTS, "party": 20}
    if change == "state":
        payload, _, tag = state.rpartition(".")
        state = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB") + "." + tag
    answer = call(deployment, tenant=tenant, arguments=arguments, inputResponses=answered(first), requestState=state)
    assert answer["error"] == {"code": -32602, "message": "Invalid or expired requestState",
                               "data": {"reason": "invalid_request_state"}}, json.dumps(answer)  # fmt: skip
