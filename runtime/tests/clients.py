"""The official clients, as a user runs them: the Python SDK in process, the TypeScript SDK in Node."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client

from constructs_lib.transport import SCOPE

from .conftest import ROOT, Deployment

TS_CLIENT = Path(__file__).resolve().parent / "ts_client.mjs"


class MemoryTokens:
    """Token storage for one client run."""

    def __init__(self):
        self.tokens = self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, info):
        self.client_info = info


def python_client(deployment: Deployment, tenant: str, mode: str, seconds: float = 40) -> dict:
    """Discover, authenticate, list tools, call whoami and the long tool; what it saw."""

    async def run() -> dict:
        auth = ClientCredentialsOAuthProvider(
            server_url=deployment.endpoint, storage=MemoryTokens(), client_id=tenant,
            client_secret=deployment.clients[tenant], scope=SCOPE, issuer=deployment.issuer.issuer,
        )  # fmt: skip
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(value, total, message):
            progress.append((value, total, message))

        async with httpx2.AsyncClient(auth=auth, timeout=120) as http:
            async with Client(streamable_http_client(deployment.endpoint, http_client=http), mode=mode) as client:
                tools = await client.list_tools()
                who = await client.call_tool("whoami", {})
                long = await client.call_tool("long_task", {"seconds": seconds, "steps": 4}, progress_callback=on_progress)
                return {
                    "metadata": auth.context.protected_resource_metadata.model_dump(mode="json"),
                    "protocol_version": client.protocol_version,
                    "tools": [t.name for t in tools.tools],
                    "whoami": json.loads(who.content[0].text),
                    "long_task": json.loads(long.content[0].text),
                    "progress": progress,
                }

    return asyncio.run(run())


def node() -> str:
    """The project's Node 22 (linked into .venv by make), else whatever `node` is on PATH."""
    project = ROOT / ".venv" / "bin" / "node"
    return str(project) if project.exists() else shutil.which("node") or "node"


def ts_client(deployment: Deployment, tenant: str, era: str) -> list[dict]:
    """The TypeScript client's JSON lines (it exits non-zero on any failure)."""
    env = {**os.environ, "NODE_NO_WARNINGS": "1"}
    run = subprocess.run(
        [node(), str(TS_CLIENT), deployment.endpoint, tenant, deployment.clients[tenant],
         deployment.issuer.issuer, era],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )  # fmt: skip
    events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0, (events, run.stderr[-2000:])
    return events
