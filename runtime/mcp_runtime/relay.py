"""Server-initiated requests (elicitation, sampling) in the handshake era, on a function.

In 2025-06-18 / 2025-11-25 a tool asks the client in the stream of the call's own POST, and
the client answers with a separate POST carrying the session id. Behind API Gateway that POST
is another invocation, most likely in another execution environment, while the asking one is
still streaming. So the two meet in the session table (sessions.py):

- the asking invocation serves its POST with the SDK's per-request transport and a dispatcher
  that may send requests on it (`RelayedCall`); each request it sends to the client gets an
  unguessable id (`token`), and an open answer item under the session, before it is sent;
- the invocation that receives the client's JSON-RPC response (no `method`) checks the session
  is the caller's tenant's, fills that item once (`deliver`) and answers 202; no open item:
  400, nothing is delivered;
- the asking invocation polls the item (bounded interval; at most the invocation's remaining
  time) and hands the answer, under the dispatcher's own id, to its SDK session: the tool goes
  on and its result streams on the still-open POST. No answer in time: the call gets a
  JSON-RPC error for that request, and the item is closed.

After the POST has closed nothing can reach the client (no GET stream on a function): the
SDK refuses such a request, as the README's contract table says.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
import re
import secrets
import time
from typing import Any, Mapping

import anyio
from mcp.server.connection import Connection
from mcp.server.runner import serve_connection
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.jsonrpc_dispatcher import JSONRPCDispatcher
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCError, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse, jsonrpc_message_adapter
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from .sessions import Session, SessionStore

logger = logging.getLogger("mcp_runtime")

LAMBDA_CONTEXT_HEADER = "x-amzn-lambda-context"  # the adapter's copy of the invocation's context
LAMBDA_MAX_TIMEOUT_S = 900.0  # without a deadline (a local server): Lambda's longest invocation
POLL_FIRST_S, POLL_MAX_S = 0.05, 1.0  # the asking call polls the table, backing off to 1 s
MARGIN_S = 1.0  # left of the invocation to answer "no answer" before Lambda ends it
ANSWER_TTL_MARGIN_S = 60  # an answer item outlives its wait by this, then DynamoDB removes it
NO_ANSWER = -32001  # the JSON-RPC error a tool gets when the client did not answer in time
TOKEN = re.compile(r"^r-[A-Za-z0-9_-]{22}$")


def new_token() -> str:
    return "r-" + secrets.token_urlsafe(16)


def is_answer(message: Any) -> bool:
    """A JSON-RPC response or error from the client (not a request or notification)."""
    return isinstance(message, dict) and "method" not in message and "id" in message and (
        "result" in message or "error" in message)  # fmt: skip


def valid_answer(message: dict) -> bool:
    """An answer whose id this server could have sent, in the shape of a JSON-RPC response."""
    if not isinstance(message.get("id"), str) or not TOKEN.fullmatch(message["id"]):
        return False
    try:
        return isinstance(jsonrpc_message_adapter.validate_python(message), JSONRPCResponse | JSONRPCError)
    except ValidationError:
        return False


def remaining_s(headers: Mapping[str, str]) -> float:
    """Seconds this invocation may wait: its `deadline` (epoch ms) less a margin, else Lambda's
    longest invocation; never more than that."""
    try:
        deadline = json.loads(headers.get(LAMBDA_CONTEXT_HEADER) or "{}").get("deadline")
    except (ValueError, AttributeError):
        deadline = None
    if not isinstance(deadline, (int, float)) or isinstance(deadline, bool) or not math.isfinite(deadline):
        return LAMBDA_MAX_TIMEOUT_S
    left = deadline / 1000 - time.time()
    return max(0.0, min(LAMBDA_MAX_TIMEOUT_S, left - min(MARGIN_S, left / 10)))


def sdk_lifespan_state(manager: StreamableHTTPSessionManager) -> Any:
    """THE ONE SDK INTERNAL this module touches: the server lifespan's state, which the SDK's
    session manager enters once (in `run()`) and hands every per-request server it builds.
    The SDK offers no public accessor, and `RelayedCall` builds its per-request server the
    same way the manager's stateless path does (but allowing requests to the client), so it
    must hand over the same state. `tests/test_features.py::test_the_sdk_internal_the_relay_uses`
    fails if the attribute disappears."""
    if not hasattr(manager, "_lifespan_state"):
        raise RuntimeError("mcp SDK changed: StreamableHTTPSessionManager._lifespan_state is gone (see relay.py)")
    return manager._lifespan_state


class _Inbox:
    """What the dispatcher reads: the transport's messages (with their sender's contextvars, as
    the SDK's own streams carry them) and the answers the relay hands in."""

    def __init__(self) -> None:
        self._send, self._receive = anyio.create_memory_object_stream[tuple[contextvars.Context, Any]](math.inf)
        self.last_context: contextvars.Context | None = None

    async def forward(self, source: Any) -> None:
        try:
            async for item in source:
                await self._send.send((getattr(source, "last_context", None) or contextvars.copy_context(), item))
        except (anyio.ClosedResourceError, anyio.EndOfStream):
            pass
        finally:
            self._send.close()  # the transport closed: the dispatcher sees the end

    def hand_in(self, message: JSONRPCResponse | JSONRPCError) -> None:
        try:
            self._send.send_nowait((contextvars.copy_context(), SessionMessage(message)))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            logger.info("an answer arrived after the call ended")

    async def receive(self) -> Any:
        context, item = await self._receive.receive()
        self.last_context = context
        return item

    def __aiter__(self) -> _Inbox:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self._receive.close()

    async def __aenter__(self) -> _Inbox:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


class _Outbox:
    """What the dispatcher writes: requests to the client leave under a token of their own (the
    dispatcher numbers them per POST, so two calls of a session would collide), with an answer
    item opened first; a cancellation names the token too."""

    def __init__(self, inner: Any, call: RelayedCall) -> None:
        self.inner, self.call = inner, call

    async def send(self, item: SessionMessage) -> None:
        message = item.message
        if isinstance(message, JSONRPCRequest):
            token = await self.call.ask(message.id)
            item = SessionMessage(message.model_copy(update={"id": token}), metadata=item.metadata)
        elif isinstance(message, JSONRPCNotification) and message.method == "notifications/cancelled":
            params = dict(message.params or {})
            token = self.call.tokens_by_id.get(params.get("requestId"))
            if token is not None:
                item = SessionMessage(message.model_copy(update={"params": {**params, "requestId": token}}),
                                      metadata=item.metadata)  # fmt: skip
        await self.inner.send(item)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def __aenter__(self) -> _Outbox:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


class RelayedCall:
    """One handshake-era POST of a session, served so that its handlers may ask the client."""

    def __init__(self, manager: StreamableHTTPSessionManager, sessions: SessionStore, tenant: str | None,
                 session: Session, protocol_version: str, wait_s: float):  # fmt: skip
        self.manager, self.sessions, self.tenant, self.session = manager, sessions, tenant, session
        self.protocol_version = protocol_version
        self.deadline = time.monotonic() + wait_s
        self.inbox = _Inbox()
        self.tokens_by_id: dict[Any, str] = {}
        self._pollers: anyio.abc.TaskGroup | None = None

    async def ask(self, request_id: Any) -> str:
        """Before a request reaches the client: its token, its open answer item, its poller."""
        token = new_token()
        ttl = int(max(0.0, self.deadline - time.monotonic())) + ANSWER_TTL_MARGIN_S
        await anyio.to_thread.run_sync(self.sessions.open_answer, self.tenant, self.session.session_id, token, ttl)
        self.tokens_by_id[request_id] = token
        assert self._pollers is not None
        self._pollers.start_soon(self.await_answer, request_id, token)
        return token

    async def await_answer(self, request_id: Any, token: str) -> None:
        take = self.sessions.take_answer
        interval = POLL_FIRST_S
        try:
            while time.monotonic() < self.deadline:
                try:
                    answer = await anyio.to_thread.run_sync(take, self.tenant, self.session.session_id, token)
                except Exception as error:  # throttled, credentials: the next poll may pass; the call goes on
                    logger.warning("polling for an answer failed: %s", type(error).__name__)
                    answer = None
                if answer is not None:
                    message = jsonrpc_message_adapter.validate_python({**answer, "id": request_id})
                    return self.inbox.hand_in(message)
                await anyio.sleep(min(interval, max(0.0, self.deadline - time.monotonic())))
                interval = min(POLL_MAX_S, interval * 1.5)
            self.inbox.hand_in(jsonrpc_message_adapter.validate_python({
                "jsonrpc": "2.0", "id": request_id,
                "error": {"code": NO_ANSWER, "message": "the client did not answer within the invocation's time"}}))  # fmt: skip
        finally:
            self.tokens_by_id.pop(request_id, None)
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.sessions.close_answer, self.tenant, self.session.session_id, token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = self.session.client or {}
        # As the manager's stateless path builds it (no session id on the transport, a
        # born-ready connection), except that requests to the client are allowed: the
        # dispatcher's default reads that from the transport, which allows them on an SSE
        # stream. Host and Origin are checked before (app.py).
        transport = StreamableHTTPServerTransport(
            mcp_session_id=None, security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))

        async def run_server(*, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
            async with transport.connect() as (read_stream, write_stream), anyio.create_task_group() as group:
                self._pollers = group
                group.start_soon(self.inbox.forward, read_stream)
                task_status.started()
                dispatcher = JSONRPCDispatcher(self.inbox, _Outbox(write_stream, self),
                                               inline_methods=frozenset({"initialize"}))  # fmt: skip
                connection = Connection.from_envelope(self.protocol_version, client.get("clientInfo"),
                                                      client.get("capabilities"))  # fmt: skip
                try:
                    await serve_connection(self.manager.app, dispatcher, connection=connection,
                                           lifespan_state=sdk_lifespan_state(self.manager))  # fmt: skip
                except Exception:
                    logger.exception("relayed call crashed")
                group.cancel_scope.cancel()  # the pollers of a call that ended

        async with anyio.create_task_group() as group:
            await group.start(run_server)
            try:
                await transport.handle_request(scope, receive, send)
            finally:
                with anyio.CancelScope(shield=True):
                    await transport.terminate()
