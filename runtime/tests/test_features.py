"""Every MCP feature a server may use, through the local front door with the official Python
client in both eras (and the TypeScript client for resources, prompts and elicitation): what
crosses API Gateway and a stateless function, and what the handshake era cannot do there."""

from __future__ import annotations

import anyio
import pytest
from mcp.server.mcpserver import Context

from mcp_runtime.app import create_server

from .clients import ts_client
from .conftest import TENANT_SETTINGS
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


def test_a_handshake_era_server_request_is_refused_on_a_stateless_function(aws, deploy):
    # The client's answer would be another POST, to another invocation: the SDK refuses to ask.
    seen = features(deploy(**TENANT_SETTINGS), "acme", "legacy")
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
    events = {e["event"]: e for e in ts_client(deploy(**TENANT_SETTINGS), "globex", era, features=True)}
    assert events["resources"]["uris"] == ["info://about", "info://logo.png"]
    assert events["about"]["text"].startswith("# MCP server reference")
    assert events["logo"]["mimeType"] == "image/png" and events["logo"]["blob"]
    assert events["greeting"]["text"] == "Hallo"
    assert events["prompt"]["text"] == "Review this code (brief review):\n\nx = 1"
    assert events["completion"]["values"] == ["detailed"]
    if era == "2026-07-28":
        assert events["elicited"]["message"] == "Book a table for 4 at Chez Lambda?"
        assert events["booked"]["text"] == "Booked a table for 4 at Chez Lambda."
    else:
        assert "back-channel" in events["booked"]["error"]
