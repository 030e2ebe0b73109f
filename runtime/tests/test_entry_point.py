"""The image's entry point, `python -m mcp_runtime`, in a virtualenv with the image's
requirements: it listens where the Lambda Web Adapter forwards, answers the adapter's
readiness check, and serves MCP with no AWS feature configured (dev without tables)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx2

from .conftest import RUNTIME, free_port
from .test_contract import MODERN_META


def test_python_dash_m_mcp_runtime_serves_the_adapter(tmp_path):
    port = free_port()
    env = {**os.environ, "AWS_LWA_PORT": str(port), "PYTHONPATH": str(RUNTIME)}
    env.pop("SESSION_TABLE_NAME", None)
    server = subprocess.Popen([sys.executable, "-m", "mcp_runtime"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx2.get(base + "/healthz", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "no answer"
                time.sleep(0.2)
        assert health.status_code == 200
        answer = httpx2.post(base + "/mcp", timeout=10, headers={
            "content-type": "application/json", "accept": "application/json, text/event-stream",
            "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list"},
            content=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {
                "_meta": MODERN_META}}))  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert "long_task" in answer.text
    finally:
        server.terminate()
        server.wait(timeout=10)
