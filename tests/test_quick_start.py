"""The README's path without an AWS account, run as written: every command of its quick start is
exercised here, except `claude mcp add` (another program's; what it is given is checked)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest

from .conftest import ROOT

SECTION = "## Without an AWS account"
# The commands this file runs; a new command in the quick start fails the first test until it
# is exercised here too.
EXERCISED = {"make synth", "make serve", "TOKEN=$(curl", "make serve SERVE_ARGS=--sign-in"}
NOT_RUN = {"claude mcp add"}


def quick_start() -> list[str]:
    """The section's commands, continuation lines joined, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#.*$", "", command).strip()
            if command and not command.startswith("#"):
                commands.append(re.sub(r"\s+", " ", command))
    return commands


def test_every_quick_start_command_is_exercised():
    commands = quick_start()
    assert commands
    for command in commands:
        assert any(command.startswith(known) for known in EXERCISED | NOT_RUN), command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_synth_writes_every_shipped_stack(tmp_path):
    run = subprocess.run(["make", "synth", f"SYNTH_OUT={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert {p.name for p in (tmp_path / "stacks").iterdir()} == {"my-tools-dev", "ai-tools-staging", "ai-tools-prod"}


def serving(*args: str) -> tuple[subprocess.Popen, list[str], int]:
    """`make serve` on free ports, up to its `claude mcp add` line: the process, its banner, its port."""
    door, app = free_port(), free_port()
    serve_args = " ".join([*args, "--port", str(door), "--app-port", str(app)])
    process = subprocess.Popen(["make", "--no-print-directory", "serve", f"SERVE_ARGS={serve_args}"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    banner = []
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("claude mcp add"):
            break
    return process, banner, door


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def readme_command(prefix: str) -> str:
    return next(c for c in quick_start() if c.startswith(prefix))


@pytest.mark.skipif(sys.platform != "linux", reason="the project's machines")
def test_make_serve_then_the_readme_s_token_and_a_tool_list():
    process, banner, port = serving()
    try:
        (client,) = [line.split() for line in banner if line.startswith("Client ")]
        secret = client[client.index("secret") + 1]
        command = readme_command("TOKEN=$(curl").replace("<secret>", secret).replace(":3000", f":{port}")
        token = subprocess.run(["bash", "-c", f"{command} && printf %s \"$TOKEN\""], capture_output=True, text=True,
                               timeout=60).stdout  # fmt: skip
        assert token.count(".") == 2  # a JWT
        listed = subprocess.run(
            ["curl", "-s", "-H", f"Authorization: Bearer {token}", "-H", "content-type: application/json",
             "-H", "accept: application/json, text/event-stream", "-H", "mcp-protocol-version: 2026-07-28",
             "-H", "mcp-method: tools/list",
             "-d", json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
                               "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                                    "io.modelcontextprotocol/clientCapabilities": {}}}}),
             f"http://127.0.0.1:{port}/dev/mcp"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert '"whoami"' in listed.stdout
        # What the README hands Claude Code is what the banner prints, on the port it serves.
        assert readme_command("claude mcp add").startswith(banner[-1].replace(f":{port}", ":3000").split(" --header")[0])
    finally:
        stop(process)


def test_make_serve_with_sign_in_prints_a_person_and_a_header_free_client_line():
    process, banner, port = serving("--sign-in")
    try:
        assert any(line.startswith("User ") for line in banner) and any(line.startswith("MFA code") for line in banner)
        assert banner[-1] == f"claude mcp add --transport http local-mcp http://127.0.0.1:{port}/dev/mcp"
        metadata = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/dev/.well-known/oauth-authorization-server"],
                                  capture_output=True, text=True, timeout=60).stdout  # fmt: skip
        assert json.loads(metadata)["issuer"] == f"http://127.0.0.1:{port}/dev"
    finally:
        stop(process)
