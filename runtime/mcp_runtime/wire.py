"""What the server writes itself, before the SDK sees a request: reading the body within the
limit, the JSON-RPC id to echo, and JSON-RPC error responses.

Every error this server writes echoes the request's id when the body could be read as a
JSON-RPC request, and `null` only when it could not (the SDK does the same for its own).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

from .contract import MAX_BODY_BYTES

PARSE_ERROR, INVALID_REQUEST, INTERNAL_ERROR = -32700, -32600, -32603
UNSUPPORTED_PROTOCOL_VERSION = -32022
NOT_JSON = object()  # a body that is not JSON (or nested too deep to read)


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused (TooLarge) as soon as it passes `limit`: never buffered beyond it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return NOT_JSON


def request_id(message: Any) -> Any:
    """The id to echo: a JSON-RPC request's (string or number), else None."""
    if isinstance(message, dict):
        rid = message.get("id")
        if isinstance(rid, (str, int)) and not isinstance(rid, bool):
            return rid
    return None


def jsonrpc_error(status: int, message: str, code: int = INVALID_REQUEST, *, request_id: Any = None,
                  headers: dict | None = None, data: Any = None) -> Response:  # fmt: skip
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    body = {"jsonrpc": "2.0", "id": request_id, "error": error}
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the SDK, then waits for disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
