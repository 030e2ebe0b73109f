"""The HTTP contract on bad input and unoffered methods: each refusal says why, in the status the
specification names, and writes nothing (no session item, no usage record, no AWS call)."""

from __future__ import annotations

import json

import httpx2
import pytest

from .conftest import SESSION_TABLE, TENANT_SETTINGS, USAGE_TABLE

ACCEPT = "application/json, text/event-stream"
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}  # fmt: skip
LIST_TOOLS = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}
MODERN = {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list"}
# What every 2026-07-28 request carries in place of the initialize handshake.
MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientCapabilities": {}}  # fmt: skip


def post(deployment, body, token=None, tenant="acme", **headers):
    token = deployment.token(tenant) if token is None else token
    sent = {"content-type": "application/json", "accept": ACCEPT, **headers}
    if token:
        sent["authorization"] = f"Bearer {token}"
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx2.post(deployment.endpoint, content=content, headers=sent, timeout=30)


def request(deployment, method, tenant="acme", **headers):
    headers = {"authorization": f"Bearer {deployment.token(tenant)}", "accept": ACCEPT, **headers}
    return httpx2.request(method, deployment.endpoint, headers=headers, timeout=30)


def written(aws) -> dict[str, int]:
    dynamodb = aws.client("dynamodb")
    return {t: dynamodb.scan(TableName=t)["Count"] for t in (SESSION_TABLE, USAGE_TABLE)}


@pytest.fixture
def deployment(aws, deploy):
    return deploy(origins=("https://app.example.com",), **TENANT_SETTINGS)


def test_no_token_gets_the_challenge_that_names_the_metadata(aws, aws_calls, deployment):
    answer = post(deployment, INITIALIZE, token="")
    assert answer.status_code == 401
    metadata = deployment.endpoint.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert answer.headers["www-authenticate"] == f'Bearer scope="mcp/invoke", resource_metadata="{metadata}"'
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
    assert post(deployment, INITIALIZE, token="not-a-jwt").status_code == 401
    assert not aws_calls and written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


def test_a_token_without_the_scope_is_forbidden_with_insufficient_scope(aws, deployment):
    answer = post(deployment, INITIALIZE, token=deployment.token("acme", scopes=()))
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"].startswith('Bearer error="insufficient_scope", scope="mcp/invoke"')
    assert written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


def test_a_foreign_origin_is_forbidden(aws, aws_calls, deployment):
    answer = post(deployment, INITIALIZE, origin="https://evil.example.com")
    assert answer.status_code == 403
    assert answer.json()["error"]["message"].startswith("Forbidden: origin https://evil.example.com")
    assert "access-control-allow-origin" not in answer.headers
    assert not aws_calls and written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


def test_an_unsupported_protocol_version_is_a_bad_request(aws, aws_calls, deployment):
    # As a 2026-07-28 client probes: -32022 naming what is served, with the request's id, so
    # that the client picks a served revision instead of falling back to the handshake.
    meta = {**MODERN_META, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}
    probe = {"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"_meta": meta}}
    answer = post(deployment, probe, **{"mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list"})
    assert answer.status_code == 400
    assert answer.json() == {"jsonrpc": "2.0", "id": 5, "error": {
        "code": -32022, "message": "Unsupported protocol version",
        "data": {"supported": ["2026-07-28"], "requested": "2099-01-01"}}}  # fmt: skip
    assert not aws_calls and written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


@pytest.mark.parametrize("headers", [{}, MODERN], ids=["handshake-era", "2026-07-28"])
def test_malformed_json_rpc_is_a_json_rpc_error(aws, aws_calls, deployment, headers):
    answer = post(deployment, b'{"jsonrpc": "2.0", "id": 1, "method": ', **headers)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == -32700  # parse error
    assert not aws_calls and written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


def test_a_request_naming_no_session_is_refused_in_the_handshake_era(aws, deployment):
    answer = post(deployment, LIST_TOOLS, **{"mcp-protocol-version": "2025-11-25"})
    assert answer.status_code == 400
    assert written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}


def test_get_is_not_offered_in_either_era(deployment):
    modern = request(deployment, "GET", **MODERN)
    assert modern.status_code == 405 and modern.headers["allow"] == "POST"
    legacy = request(deployment, "GET", **{"mcp-protocol-version": "2025-11-25"})
    assert legacy.status_code == 405 and "POST" in legacy.headers["allow"]
    assert request(deployment, "DELETE", **MODERN).status_code == 405


def test_delete_ends_a_handshake_era_session(aws, deployment):
    opened = post(deployment, INITIALIZE)
    session = opened.headers["mcp-session-id"]
    assert opened.headers["access-control-expose-headers"] == "mcp-session-id, www-authenticate"
    headers = {"mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    assert post(deployment, LIST_TOOLS, **headers).status_code == 200
    assert request(deployment, "DELETE", **headers).status_code == 200
    assert post(deployment, LIST_TOOLS, **headers).status_code == 404


def test_without_a_session_table_delete_is_not_offered(deploy):
    deployment = deploy()
    answer = request(deployment, "DELETE", **{"mcp-protocol-version": "2025-11-25"})
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert "mcp-session-id" not in post(deployment, INITIALIZE).headers  # served statelessly
