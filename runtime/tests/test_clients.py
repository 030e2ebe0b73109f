"""Both official clients, in both protocol eras, through the local front door: they find the
OAuth metadata through the 401 challenge (RFC 9728), get a token with the client-credentials
grant, list the tools, call one, and follow a long tool's progress through the streaming path."""

from __future__ import annotations

import pytest

from .clients import python_client, ts_client
from .conftest import TENANT_SETTINGS

ERAS = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}
TOOLS = ["echo", "add", "whoami", "long_task", "admin_stats", "forecast", "swatch", "log_steps", "book_table",
         "summarize"]


@pytest.mark.parametrize("mode", ERAS)
def test_the_official_python_client(aws, deploy, mode):
    deployment = deploy(**TENANT_SETTINGS)
    seen = python_client(deployment, "acme", mode)
    assert seen["metadata"]["resource"] == deployment.endpoint
    assert seen["metadata"]["authorization_servers"] == [deployment.issuer.issuer]
    assert seen["protocol_version"] == ERAS[mode]
    assert seen["tools"] == TOOLS
    assert seen["whoami"] == {"tenant": "acme", "protocol_version": ERAS[mode]}
    # 40 s of work: longer than any buffered front door allows, delivered as it happened.
    assert seen["long_task"] == {"seconds": 40, "steps": 4, "tenant": "acme"}
    assert seen["progress"] == [(float(i), 4.0, f"step {i} of 4") for i in range(1, 5)]


@pytest.mark.parametrize("era", ERAS)
def test_the_official_typescript_client(aws, deploy, era):
    deployment = deploy(**TENANT_SETTINGS)
    events = ts_client(deployment, "globex", era)
    by_kind = {}
    for event in events:
        by_kind.setdefault(event["event"], []).append(event)
    (metadata,) = by_kind["metadata"]
    assert metadata["status"] == 401
    assert metadata["url"] == deployment.endpoint.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    assert metadata["metadata"]["resource"] == deployment.endpoint
    assert by_kind["connected"] == [{"event": "connected", "protocolVersion": ERAS[era]}]
    assert by_kind["tools"][0]["names"] == TOOLS
    assert by_kind["whoami"][0]["result"] == {"tenant": "globex", "protocol_version": ERAS[era]}
    assert [(p["progress"], p["total"]) for p in by_kind["progress"]] == [(i, 4) for i in range(1, 5)]
    assert by_kind["long_task"][0]["result"] == {"seconds": 40, "steps": 4, "tenant": "globex"}

