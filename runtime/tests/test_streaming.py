"""A tool call longer than the buffered REST API's 29 s completes only through the streaming
front door. Time runs at 1 % (TIME_SCALE) for the server's sleeps and the front door's limits
alike: the code path is the one a deployed stack takes, only faster."""

from __future__ import annotations

import json

import httpx2

from .test_contract import ACCEPT, MODERN_META

LONG_CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
    "name": "long_task", "arguments": {"seconds": 40, "steps": 4}, "_meta": {"progressToken": "p1", **MODERN_META}}}  # fmt: skip
HEADERS = {"content-type": "application/json", "accept": ACCEPT, "mcp-protocol-version": "2026-07-28",
           "mcp-method": "tools/call", "mcp-name": "long_task"}  # fmt: skip


def call(deployment) -> httpx2.Response:
    headers = {**HEADERS, "authorization": f"Bearer {deployment.token('acme')}"}
    return httpx2.post(deployment.endpoint, content=json.dumps(LONG_CALL), headers=headers, timeout=60)


def events(answer: httpx2.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in answer.text.splitlines() if line.startswith("data:")]


def test_a_40_second_call_streams_its_progress_and_result(deploy):
    answer = call(deploy(streaming=True))
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/event-stream"
    messages = events(answer)
    assert [m["params"]["progress"] for m in messages[:-1]] == [1, 2, 3, 4]
    assert messages[-1]["id"] == 7
    assert json.loads(messages[-1]["result"]["content"][0]["text"])["seconds"] == 40


def test_the_same_call_times_out_behind_a_buffering_front_door(deploy):
    deployment = deploy(streaming=False)
    assert deployment.gateway.integration_timeout_s == 29 * deployment.gateway.time_scale
    answer = call(deployment)
    assert answer.status_code == 504
    assert answer.json() == {"message": "Endpoint request timed out"}
