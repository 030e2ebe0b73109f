"""The fixes of issue 19 and the hardened local front door, each shown where a client or an
attacker meets it: through the front door, or straight at the server as a forged `Invoke`
would reach it behind the Lambda Web Adapter."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import tomllib

import httpx2
import pytest
from mcp.server.mcpserver import Context

from constructs_lib.transport import SCOPE
from mcp_runtime import __version__
from mcp_runtime.app import create_server
from mcp_runtime.contract import LOOPBACK_HOSTS, LOOPBACK_ORIGINS, MAX_BODY_BYTES
from mcp_runtime.settings import Settings

from .conftest import ROOT, RUNTIME, SESSION_TABLE, TENANT_SETTINGS, USAGE_TABLE, free_port
from .test_streaming import events
from .test_contract import ACCEPT, INITIALIZE, LIST_TOOLS, MODERN_META, post, written

MODERN_LIST = {"jsonrpc": "2.0", "id": "list-1", "method": "tools/list", "params": {"_meta": MODERN_META}}
MODERN = {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list"}


def app_url(deployment) -> str:
    return deployment.gateway.app_url + "/mcp"


def forged(deployment, body, context: str | None, **headers) -> httpx2.Response:
    """Straight at the server, as an `Invoke` with a hand-made event reaches it."""
    sent = {"content-type": "application/json", "accept": ACCEPT, **MODERN, **headers}
    if context is not None:
        sent["x-amzn-request-context"] = context
    return httpx2.post(app_url(deployment), content=json.dumps(body), headers=sent, timeout=30)


def answer_of(answer: httpx2.Response) -> dict:
    """The JSON-RPC response, sent as JSON or as the last event of a stream."""
    return answer.json() if answer.headers["content-type"].startswith("application/json") else events(answer)[-1]


def claims(**values) -> str:
    return json.dumps({"authorizer": {"claims": values}})


@pytest.fixture
def deployment(aws, deploy):
    return deploy(**TENANT_SETTINGS)


# -- 1, 4: protocol versions -------------------------------------------------------------


def test_a_2025_03_26_client_is_offered_the_newest_handshake_revision(aws, deployment):
    asked = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": "2025-03-26"}}
    answer = post(deployment, asked)
    assert answer.status_code == 200 and '"protocolVersion":"2025-11-25"' in answer.text
    refused = post(deployment, LIST_TOOLS, **{"mcp-protocol-version": "2025-03-26"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert refused.json()["id"] == 2 and error["code"] == -32022 and error["data"]["requested"] == "2025-03-26"
    assert "2025-03-26" not in error["data"]["supported"]


def test_a_batch_is_refused_and_not_metered(aws, deployment):
    session = post(deployment, INITIALIZE).headers["mcp-session-id"]
    before = written(aws)[USAGE_TABLE]
    answer = post(deployment, [LIST_TOOLS, LIST_TOOLS], **{"mcp-protocol-version": "2025-11-25", "mcp-session-id": session})
    assert answer.status_code == 400 and "error" in answer.json()
    assert written(aws)[USAGE_TABLE] == before


# -- 2: ids ------------------------------------------------------------------------------


def test_every_error_the_server_writes_echoes_the_request_id(aws, deploy):
    deployment = deploy(origins=("https://app.example.com",), **TENANT_SETTINGS)
    foreign = post(deployment, MODERN_LIST, origin="https://evil.example.com", **MODERN)
    assert (foreign.status_code, foreign.json()["id"]) == (403, "list-1")
    no_session = post(deployment, LIST_TOOLS, **{"mcp-protocol-version": "2025-11-25"})
    assert (no_session.status_code, no_session.json()["id"]) == (400, 2)
    unknown = post(deployment, LIST_TOOLS, **{"mcp-protocol-version": "2025-11-25", "mcp-session-id": "nope"})
    assert (unknown.status_code, unknown.json()["id"]) == (404, 2)
    unreadable = post(deployment, b"{", origin="https://evil.example.com", **MODERN)
    assert (unreadable.status_code, unreadable.json()["id"]) == (403, None)


# -- 3: DNS rebinding --------------------------------------------------------------------


def test_a_host_the_server_does_not_serve_is_misdirected(aws, deploy):
    deployment = deploy()
    answer = post(deployment, MODERN_LIST, host="attacker.example", **MODERN)
    assert answer.status_code == 421 and answer.json()["id"] == "list-1"
    assert post(deployment, MODERN_LIST, **MODERN).status_code == 200  # 127.0.0.1:<port>


def test_locally_only_loopback_hosts_and_pages_are_served():
    local = Settings.from_environment({})
    assert local.allowed_hosts == LOOPBACK_HOSTS and local.allowed_origins == LOOPBACK_ORIGINS
    deployed = Settings.from_environment({"MCP_ALLOWED_HOSTS": "abc.execute-api.us-east-1.amazonaws.com,MCP.Example.com",
                                          "MCP_ALLOWED_ORIGINS": "*"})  # fmt: skip
    assert deployed.allowed_hosts == ("abc.execute-api.us-east-1.amazonaws.com", "mcp.example.com")
    assert deployed.allowed_origins == ("*",)  # the operator's explicit choice


# -- 5: no 500 for bad input ---------------------------------------------------------------


def test_a_body_nested_too_deep_is_a_parse_error(aws, deployment):
    for headers in ({}, MODERN):
        answer = post(deployment, b"[" * 1000 + b"]" * 1000, **headers)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == -32700


@pytest.mark.parametrize("context", [
    "[1, 2]", "not json", json.dumps({"authorizer": "x"}), json.dumps({"authorizer": {"claims": [1]}}),
    claims(client_id=7), claims(client_id={"a": 1}), claims(client_id="acme", scope=3),
])  # fmt: skip
def test_a_malformed_request_context_is_forbidden(aws, deploy, context):
    answer = forged(deploy(), MODERN_LIST, context)
    assert answer.status_code == 403 and answer.json()["id"] == "list-1"


@pytest.mark.parametrize("basic", ["Basic !!!", "Basic " + "gA==", "Basic bm8tY29sb24"])
def test_the_token_endpoint_answers_a_malformed_basic_header_with_401(deploy, basic):
    deployment = deploy()
    answer = httpx2.post(f"{deployment.base}/oauth2/token", headers={"authorization": basic},
                         data={"grant_type": "client_credentials"}, timeout=10)  # fmt: skip
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}


# -- 6, 7, 8 ----------------------------------------------------------------------------------


def test_a_refused_request_is_not_metered(aws, deployment):
    answer = post(deployment, MODERN_LIST, accept="text/plain", **MODERN)
    assert answer.status_code == 406
    assert written(aws) == {SESSION_TABLE: 0, USAGE_TABLE: 0}
    assert post(deployment, MODERN_LIST, **MODERN).status_code == 200
    assert written(aws)[USAGE_TABLE] == 1


def test_server_info_names_the_package_version(aws, deployment):
    project = tomllib.loads((RUNTIME / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]
    assert f'"serverInfo":{{"name":"mcp-server-reference","version":"{__version__}"}}' in post(deployment, INITIALIZE).text


@pytest.mark.parametrize("arguments", [{"seconds": math.inf}, {"seconds": 901}, {"seconds": -1}, {"steps": 0},
                                       {"steps": 101}, {"seconds": 179 + 60}])  # fmt: skip
def test_long_task_is_bounded(aws, deployment, arguments):
    call = {"jsonrpc": "2.0", "id": 9, "method": "tools/call",
            "params": {"name": "long_task", "arguments": arguments, "_meta": MODERN_META}}  # fmt: skip
    body = json.dumps(call).replace("Infinity", "1e999")  # JSON has no infinity; 1e999 parses as one
    answer = post(deployment, body, **{**MODERN, "mcp-method": "tools/call", "mcp-name": "long_task"})
    assert answer.status_code == 200
    result = answer_of(answer)
    assert result.get("error") or result["result"]["isError"], result


# -- tenant isolation: the claims' tenant is Lambda's tenant ---------------------------------


def test_a_forged_context_for_another_tenant_is_refused(aws, deployment):
    assert forged(deployment, MODERN_LIST, claims(client_id="acme", scope=SCOPE), **{"x-amz-tenant-id": "acme"}).status_code == 200
    for lambda_tenant in ("globex", None):
        headers = {"x-amz-tenant-id": lambda_tenant} if lambda_tenant else {}
        answer = forged(deployment, MODERN_LIST, claims(client_id="acme", scope=SCOPE), **headers)
        assert answer.status_code == 403 and answer.json()["id"] == "list-1"


@pytest.mark.parametrize("isolated", [True, False], ids=["tenant-isolation", "shared"])
def test_the_front_door_hands_client_headers_on_as_the_pinned_adapter_does(aws, deploy, isolated):
    def server(settings):
        seen = create_server(settings)

        @seen.tool()
        def headers(ctx: Context) -> dict:
            wanted = ("x-amz-tenant-id", "x-amzn-trace-id", "x-amzn-custom", "host")
            found = {k: v for k, v in (ctx.headers or {}).items() if k in wanted}
            found["claims"] = json.loads(ctx.headers["x-amzn-request-context"])["authorizer"]["claims"]["client_id"]
            found["deadline"] = "deadline" in json.loads(ctx.headers["x-amzn-lambda-context"])
            return found

        return seen

    deployment = deploy(server=server, **(TENANT_SETTINGS if isolated else {}))
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "headers", "arguments": {},
                                                                            "_meta": MODERN_META}}  # fmt: skip
    answer = post(deployment, call, **{**MODERN, "mcp-method": "tools/call", "mcp-name": "headers",
                                       "x-amzn-request-context": claims(client_id="globex"),
                                       "x-amzn-lambda-context": "{}", "x-amzn-custom": "kept",
                                       "x-amz-tenant-id": "globex"})  # fmt: skip
    seen = json.loads(answer_of(answer)["result"]["content"][0]["text"])
    assert seen["claims"] == "acme" and seen["deadline"]  # both context headers replaced
    assert seen["x-amzn-custom"] == "kept" and seen["host"] == deployment.base.removeprefix("http://")
    # Lambda's tenant id replaces the client's; without one, the adapter passes the client's on.
    assert seen["x-amz-tenant-id"] == ("acme" if isolated else "globex")


# -- the front door: limits and headers ----------------------------------------------------------


def test_a_body_over_api_gateway_s_limit_is_refused_before_it_is_buffered(aws, deploy):
    deployment = deploy()
    headers = {"authorization": f"Bearer {deployment.token('acme')}", "content-type": "application/json"}

    def chunks():  # no content-length: the limit applies while it streams
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    answer = httpx2.post(deployment.endpoint, content=chunks(), headers=headers, timeout=60)
    assert answer.status_code == 413 and answer.json() == {"message": "Request Too Long"}


def test_a_half_sent_request_times_out(aws, deploy):
    deployment = deploy()
    deployment.gateway.body_timeout_s = 0.5
    port = int(deployment.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((f"POST /dev/mcp HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
                      f"authorization: Bearer {deployment.token('acme')}\r\ncontent-length: 100\r\n\r\n{{").encode())  # fmt: skip
        assert sock.recv(65536).split(b" ", 2)[1] == b"408"


def test_one_date_and_one_server_header(aws, deploy):
    deployment = deploy()
    answer = post(deployment, MODERN_LIST, **MODERN)
    assert len(answer.headers.get_list("date")) == 1 and len(answer.headers.get_list("server")) <= 1


# -- make serve ---------------------------------------------------------------------------------


def serve(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "front_door", *args], cwd=RUNTIME, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": f"{ROOT}:{RUNTIME}", **(env or {})})  # fmt: skip


@pytest.mark.parametrize("taken", ["door", "app"])
def test_make_serve_fails_loudly_when_a_port_is_taken(taken):
    door, app = free_port(), free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", door if taken == "door" else app))
        holder.listen()
        run = serve("--port", str(door), "--app-port", str(app))
        out, err = run.communicate(timeout=60)
    assert run.returncode != 0 and "not available" in err
    assert "secret" not in out and "MCP endpoint" not in out


def test_make_serve_fails_loudly_when_the_server_does_not_come_up():
    run = serve("--port", str(free_port()), "--app-port", str(free_port()), env={"MCP_REQUEST_STATE_KEY": "short"})
    out, err = run.communicate(timeout=60)
    assert run.returncode != 0 and "the server exited" in err and "secret" not in out


def test_make_serve_stops_its_server_on_sigterm():
    door, app = free_port(), free_port()
    run = serve("--port", str(door), "--app-port", str(app))
    try:
        for line in run.stdout:
            if line.startswith("MCP endpoint"):
                break
        assert httpx2.get(f"http://127.0.0.1:{app}/healthz", timeout=10).status_code == 200
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=30)
    finally:
        run.kill()
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"http://127.0.0.1:{app}/healthz", timeout=5)
