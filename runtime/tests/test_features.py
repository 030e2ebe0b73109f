"""Every MCP feature a server may use, through the local front door with the official Python
client in both eras (and the TypeScript client for resources, prompts and elicitation): what
crosses API Gateway and a stateless function, and what the handshake era cannot do there."""

from __future__ import annotations

import anyio
import pytest
from mcp.server.mcpserver import Context

from mcp_runtime.app import create_server

from mcp_runtime.relay import sdk_lifespan_state
from mcp_runtime.sessions import SessionStore

from .clients import ts_client
from .conftest import SESSION_TABLE, TENANT_SETTINGS
from .feature_client import cancelled_call, features

ERAS = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("mode", ERAS)
def test_resources_prompts_completion_and_tool_content_in_both_eras(aws, deploy, mode):
    seen = features(deploy(**TENANT_SETTINGS), "acme", mode)
    assert seen["protocol_version"] == ERAS[mode]
    assert seen["resources"] == ["info://about", "info://logo.png"]
    assert seen["templates"] == ["greeting://{language}"]
    assert seen["about"] == ("text/markdown", "# MCP server reference")
    assert seen["logo"] == ("image/png", PNG)  # binary: a blob
    assert seen["greeting"] == "Bonjour"
    assert seen["unknown_language"]["code"] == -32602 and "no greeting in 'xx'" in seen["unknown_language"]["message"]
    assert seen["unknown_resource"] == {"code": -32602, "message": "Unknown resource: nothing://here"}
    assert seen["prompt"] == [("user", "Review this code (security review):\n\nprint(1)")]
    assert seen["prompt_arguments"] == [("code", True), ("style", False)]
    assert seen["completions"] == (["detailed"], ["en", "es"])
    assert seen["structured"] == {"city": "Lisbon", "celsius": 21.5, "conditions": "sunny"}
    assert seen["output_schema"] == ["celsius", "city", "conditions"]
    assert seen["image"] == ("image", "image/png", PNG)
    assert seen["logged"] == "logged 2 steps"


def test_logging_reaches_a_handshake_era_client_on_the_call_s_stream(aws, deploy):
    seen = features(deploy(**TENANT_SETTINGS), "acme", "legacy")
    assert seen["logs"] == [("info", "step 1 of 2"), ("info", "step 2 of 2")]
    assert seen["server_version"] == "0.1.0"


def test_elicitation_and_sampling_are_input_required_results_in_2026(aws, deploy):
    seen = features(deploy(**TENANT_SETTINGS), "acme", "2026-07-28")
    assert seen["asked"] == ["Book a table for 2 at Chez Lambda?"]
    assert seen["booked"] == (False, "Booked a table for 2 at Chez Lambda. Notes: window seat")
    assert seen["sampled"] == ["Summarize in one line:\na long text"]
    assert seen["summary"] == (False, "A summary.")


def test_a_declined_elicitation_is_the_tool_s_to_answer(aws, deploy):
    seen = features(deploy(**TENANT_SETTINGS), "acme", "2026-07-28", decline=True)
    assert seen["booked"] == (False, "Not booked (decline).")


def test_a_handshake_era_server_request_is_refused_without_a_session_table(aws, deploy):
    # The client's answer would be another POST, to another invocation, with nowhere to meet
    # the asking call: the SDK refuses to ask.
    seen = features(deploy(), "acme", "legacy")
    assert seen["asked"] == [] and seen["booked"] is None
    assert seen["ask_refused"]["code"] == -32600
    assert "no back-channel for server-initiated requests" in seen["ask_refused"]["message"]


@pytest.mark.parametrize("mode", ERAS)
def test_cancelling_a_call_ends_it_on_the_server(aws, deploy, mode):
    events: list[str] = []

    def server(settings):
        watched = create_server(settings)

        @watched.tool()
        async def watch(ctx: Context) -> str:
            events.append("started")
            try:
                for step in range(1000):
                    await ctx.report_progress(step, 1000)
                    await anyio.sleep(0.05)
            except anyio.get_cancelled_exc_class():
                events.append("cancelled")
                raise
            events.append("finished")
            return "done"

        return watched

    deployment = deploy(server=server, **TENANT_SETTINGS)
    # The client saw the first report, cancelled, and its connection still serves.
    assert cancelled_call(deployment, "acme", mode, tool="watch") == [0.0, "acme"]
    assert _eventually(lambda: "cancelled" in events), events
    assert "finished" not in events


def _eventually(check, tries: int = 200) -> bool:
    """Polls `check` (the server's thread records what happened after the client left)."""
    import time

    for _ in range(tries):
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.mark.parametrize("era", ERAS)
def test_the_typescript_client_reads_resources_gets_prompts_and_answers_elicitation(aws, deploy, era):
    # A longer (scaled) function timeout: the 2025 era's answer is relayed while the call streams.
    deployment = deploy(function_timeout_s=900, **TENANT_SETTINGS)
    events = {e["event"]: e for e in ts_client(deployment, "globex", era, features=True)}
    assert events["resources"]["uris"] == ["info://about", "info://logo.png"]
    assert events["about"]["text"].startswith("# MCP server reference")
    assert events["logo"]["mimeType"] == "image/png" and events["logo"]["blob"]
    assert events["greeting"]["text"] == "Hallo"
    assert events["prompt"]["text"] == "Review this code (brief review):\n\nx = 1"
    assert events["completion"]["values"] == ["detailed"]
    # 2026-07-28: an input-required result; 2025: asked in the call's stream, relayed (relay.py).
    assert events["elicited"]["message"] == "Book a table for 4 at Chez Lambda?"
    assert events["booked"]["text"] == "Booked a table for 4 at Chez Lambda."


# -- 2025 era: asking the client while the call's POST is open (relay.py) ----------------------
# The client's answer is a POST of its own; `answers_elsewhere` sends it to a second app
# instance (another execution environment), which relays it through the session table.
RELAY = dict(TENANT_SETTINGS, answers_elsewhere=True, function_timeout_s=900)


def test_handshake_era_elicitation_and_sampling_reach_the_open_post_from_another_instance(aws, deploy):
    deployment = deploy(**RELAY)
    seen = features(deployment, "acme", "legacy")
    assert seen["protocol_version"] == "2025-11-25"
    assert seen["asked"] == ["Book a table for 2 at Chez Lambda?"]
    assert seen["booked"] == (False, "Booked a table for 2 at Chez Lambda. Notes: window seat")
    assert seen["sampled"] == ["Summarize in one line:\na long text"]
    assert seen["summary"] == (False, "A summary.")
    # Both answers reached the second instance only; the calls were served by the first.
    assert [m for i, m in deployment.received if i == 1] == ["answer", "answer"]
    assert ("answer" not in [m for i, m in deployment.received if i == 0])
    assert (0, "tools/call") in deployment.received
    # No answer item stays in the table (the client has deleted its session, too).
    items = aws.client("dynamodb").scan(TableName=SESSION_TABLE)["Items"]
    assert all("#answer#" not in item["session_id"]["S"] for item in items)


def test_handshake_era_declined_elicitation_through_the_relay(aws, deploy):
    seen = features(deploy(**RELAY), "acme", "legacy", decline=True)
    assert seen["booked"] == (False, "Not booked (decline).")


def test_an_answer_for_another_tenant_s_session_an_unknown_session_or_a_forged_id_is_refused(aws, deploy):
    deployment = deploy(**RELAY)
    seen = anyio.run(_answers_refused, deployment)
    assert seen["asked"] == "Book a table for 3 at Chez Lambda?"
    assert seen["refused"] == [
        (404, "r-forged-by-globex-0000", "Session not found"),  # acme's session, globex's token
        (400, seen["token"], "Bad Request: no request of this session awaits an answer with this id"),  # globex's own
        (404, seen["token"], "Session not found"),  # no such session
        (400, "r-AAAAAAAAAAAAAAAAAAAAAA", "Bad Request: no request of this session awaits an answer with this id"),
        (400, 0, "Bad Request: no request of this session awaits an answer with this id"),  # the SDK's own id
        (400, 7, "Bad Request: no request of this session awaits an answer with this id"),
    ]
    assert seen["answered"] == 202
    assert seen["result"] == "Booked a table for 3 at Chez Lambda. Notes: the real answer"
    assert seen["again"] == 400  # spent: an answer is delivered once


ACCEPT = "application/json, text/event-stream"


async def _answers_refused(deployment, oversized: str | None = None) -> dict:
    """By hand, as a 2025-11-25 client: a call that elicits, wrong answers while it waits, the
    right one; what each got. With `oversized`, one answer that big instead, then the call's end."""
    import json

    import httpx2

    seen: dict = {"refused": []}

    def headers(tenant: str, session: str | None = None) -> dict:
        return {"authorization": f"Bearer {deployment.token(tenant)}", "accept": ACCEPT,
                "content-type": "application/json", "mcp-protocol-version": "2025-11-25",
                **({"mcp-session-id": session} if session else {})}  # fmt: skip

    async with httpx2.AsyncClient(timeout=60) as http:
        async def initialize(tenant: str) -> str:
            hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {"form": {}}},
                "clientInfo": {"name": "by-hand", "version": "1"}}}  # fmt: skip
            opened = await http.post(deployment.endpoint, json=hello, headers=headers(tenant))
            session = opened.headers["mcp-session-id"]
            done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            assert (await http.post(deployment.endpoint, json=done, headers=headers(tenant, session))).status_code == 202
            return session

        async def answer(tenant: str, session: str, rid, notes: str):
            body = {"jsonrpc": "2.0", "id": rid, "result": {"action": "accept", "content": {"confirm": True, "notes": notes}}}
            return await http.post(deployment.endpoint, json=body, headers=headers(tenant, session))

        acme, globex = await initialize("acme"), await initialize("globex")
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "book_table", "arguments": {"restaurant": "Chez Lambda", "party": 3}}}  # fmt: skip
        async with http.stream("POST", deployment.endpoint, json=call, headers=headers("acme", acme)) as stream:
            lines = stream.aiter_lines()
            async for line in lines:
                if line.startswith("data:") and line[5:].strip():
                    asked = json.loads(line[5:])
                    break
            assert asked["method"] == "elicitation/create"
            seen["asked"], seen["token"] = asked["params"]["message"], asked["id"]
            if oversized is not None:
                big = await answer("acme", acme, asked["id"], oversized)
                seen["refused"].append((big.status_code, big.json()["id"], big.json()["error"]["message"]))
                malformed = await answer("acme", "x" * 2000, asked["id"], "forged")
                seen["malformed"] = malformed.status_code
                async for line in lines:
                    if line.startswith("data:") and line[5:].strip():
                        result = json.loads(line[5:])
                        if result.get("id") == 2:
                            seen["result"] = json.dumps(result)
                            return seen
            wrong = [("globex", acme, "r-forged-by-globex-0000"), ("globex", globex, asked["id"]),
                     ("acme", "0" * 32, asked["id"]), ("acme", acme, "r-AAAAAAAAAAAAAAAAAAAAAA"),
                     ("acme", acme, 0), ("acme", acme, 7)]  # fmt: skip
            for tenant, session, rid in wrong:
                refused = await answer(tenant, session, rid, "forged")
                seen["refused"].append((refused.status_code, refused.json()["id"], refused.json()["error"]["message"]))
            seen["answered"] = (await answer("acme", acme, asked["id"], "the real answer")).status_code
            async for line in lines:
                if line.startswith("data:") and line[5:].strip():
                    result = json.loads(line[5:])
                    if result.get("id") == 2:
                        seen["result"] = result["result"]["content"][0]["text"]
                        break
        seen["again"] = (await answer("acme", acme, asked["id"], "again")).status_code
    return seen


def test_the_sdk_internal_the_relay_uses():
    """relay.py reads the SDK session manager's lifespan state (no public accessor): this fails
    loudly if the SDK renames or drops it, or stops handing the lifespan's value there."""
    import contextlib

    from mcp.server.mcpserver import MCPServer

    marker = {"lifespan": "state"}

    @contextlib.asynccontextmanager
    async def lifespan(_server):
        yield marker

    server = MCPServer(name="probe", lifespan=lifespan)
    server.streamable_http_app(stateless_http=True)

    async def probe():
        async with server.session_manager.run():
            return sdk_lifespan_state(server.session_manager)

    assert anyio.run(probe) is marker


def test_an_answer_item_is_not_a_session(aws):
    from mcp_runtime.settings import Settings

    store = SessionStore(Settings(session_table=SESSION_TABLE, tenant_isolation=False, region="us-east-1"))
    aws.client("dynamodb").delete_table(TableName=SESSION_TABLE)
    aws.client("dynamodb").create_table(
        TableName=SESSION_TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}])  # fmt: skip
    session = store.create("acme", "2025-11-25", {"capabilities": {"sampling": {}}})
    store.open_answer("acme", session.session_id, "r-x", 60)
    assert store.get("acme", session.session_id + "#answer#r-x") is None
    assert store.get("acme", session.session_id).client == {"capabilities": {"sampling": {}}}
    assert not store.deliver_answer("globex", session.session_id, "r-x", {"result": {}})  # another tenant's
    assert store.deliver_answer("acme", session.session_id, "r-x", {"result": {}})
    assert not store.deliver_answer("acme", session.session_id, "r-x", {"result": {}})  # once
    assert store.take_answer("globex", session.session_id, "r-x") is None
    assert store.take_answer("acme", session.session_id, "r-x") == {"result": {}}


def test_behind_a_buffering_front_door_the_sdk_refuses_to_ask_at_once(aws, deploy):
    """A question on a buffered response never reaches the client: rather than wait out the
    invocation, the call is refused as without a session table."""
    # The server knows the front door's mode from AWS_LWA_INVOKE_MODE (streams=False: buffered).
    seen = features(deploy(streams=False, **TENANT_SETTINGS), "acme", "legacy")
    assert seen["asked"] == [] and seen["ask_refused"]["code"] == -32600
    from mcp_runtime.settings import Settings

    assert not Settings.from_environment({"AWS_LWA_INVOKE_MODE": "buffered"}).streams
    assert Settings.from_environment({"AWS_LWA_INVOKE_MODE": "response_stream"}).streams


def test_a_poll_that_fails_does_not_end_the_call(aws, deploy, monkeypatch):
    """The table throttles once: the call keeps waiting and the answer still arrives."""
    from botocore.exceptions import ClientError

    failures = []
    take = SessionStore.take_answer

    def flaky(self, *args):
        if not failures:
            failures.append(1)
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "GetItem")
        return take(self, *args)

    monkeypatch.setattr(SessionStore, "take_answer", flaky)
    seen = features(deploy(**RELAY), "acme", "legacy")
    assert failures and seen["booked"] == (False, "Booked a table for 2 at Chez Lambda. Notes: window seat")


def test_an_answer_too_large_to_relay_ends_the_waiting_call_and_a_malformed_session_id_is_not_found(aws, deploy):
    seen = anyio.run(_answers_refused, deploy(**RELAY), "x" * 400_000)
    assert seen["refused"][-1][0] == 413
    assert "too large to relay" in seen["result"]
    assert seen["malformed"] == 404
