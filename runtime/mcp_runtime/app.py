"""The server's side of the HTTP contract, around the official SDK's Streamable HTTP transport.

Behind the front door (API Gateway, or `front_door` locally) every request reaches this app
with the verified request context. The app:

- answers a `Host` it does not serve with 421 and a foreign `Origin` with 403 (DNS rebinding),
  a method it does not offer with 405, a body over API Gateway's limit with 413, and puts CORS
  headers on its own responses (behind a REST API, API Gateway answers only the preflight and
  its own errors); every error it writes echoes the request's id (wire.py);
- takes the tenant from the verified request context (`identity.py`), never from the client,
  refuses a context it cannot read (403), and with tenant isolation a tenant that is not
  Lambda's own tenant id for the invocation (403: a direct `Invoke` with a forged context);
- refuses a tool call whose token lacks the tool's scope (`tools.TOOL_SCOPES`) with 403
  `insufficient_scope`, naming the scopes, so the client can step up;
- serves 2026-07-28 requests statelessly, and handshake-era clients with sessions kept in the
  session table (`sessions.py`, through tenant credentials with isolation); with sessions, a
  handshake-era call may ask the client (elicitation, sampling) while its POST is open: the
  client's answer, a POST to any invocation, is relayed through the table (`relay.py`); a GET stream needs
  a connection the function cannot hold between invocations, so GET is 405 in both eras;
  2025-03-26 (which requires JSON-RPC batches) is not offered: `initialize` asking for it is
  answered with the newest handshake revision, a request naming it with -32022;
- records usage per tenant (`metering.py`) for each request the SDK accepts.
Nothing is written for a request it refuses. Unsupported versions, malformed JSON-RPC and the
protocol itself are the SDK's (reached through `MCPServer.streamable_http_app`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from typing import Any, Mapping

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import __version__, features, tools
from .contract import (EXPOSED_HEADERS, HEALTH_PATH, LOOPBACK_HOSTS, MAX_BODY_BYTES, MCP_PATH, PROTOCOL_VERSION_HEADER,
                       SESSION_HEADER, TENANT_ID_HEADER, host_allowed, origin_allowed)  # fmt: skip
from .credentials import TenantCredentials
from .identity import Identity, MalformedContext, identity_from, request_context_of
from .metering import UsageRecorder
from .relay import RelayedCall, is_answer, remaining_s, valid_answer
from .request_state import request_state_security
from .sessions import Session, SessionStore
from .settings import Settings
from .wire import (INTERNAL_ERROR, UNSUPPORTED_PROTOCOL_VERSION, TooLarge, jsonrpc_error, parse, read_body,
                   replay, request_id)  # fmt: skip

logger = logging.getLogger("mcp_runtime")
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MAX_ANSWER_BYTES = 350_000

NOT_OFFERED = ("2025-03-26",)  # requires JSON-RPC batches, which this server does not serve
HANDSHAKE_VERSIONS = tuple(v for v in HANDSHAKE_PROTOCOL_VERSIONS if v not in NOT_OFFERED)
SUPPORTED_VERSIONS = (*HANDSHAKE_VERSIONS, *MODERN_PROTOCOL_VERSIONS)
# The scope every request to /mcp carries (the front door's authorizer requires it).
INVOKE_SCOPE = "mcp/invoke"
SERVER_NAME = "mcp-server-reference"


def resource_metadata_url(headers: Mapping[str, str]) -> str:
    """The RFC 9728 metadata URL of `/mcp`, from the verified request context (not the Host
    header, which the client chooses): the public path of `/mcp` (`/{stage}/mcp` on the default
    endpoint, the mapped path on a custom domain) with the metadata path before `mcp`."""
    context = request_context_of(headers)
    domain = str(context.get("domainName") or "")
    http = context.get("http") if isinstance(context.get("http"), dict) else {}
    path = str(context.get("path") or http.get("path") or MCP_PATH)  # REST, HTTP API
    scheme = "http" if host_allowed(domain, LOOPBACK_HOSTS) else "https"
    return f"{scheme}://{domain}{path.removesuffix(MCP_PATH)}/.well-known/oauth-protected-resource{MCP_PATH}"


class McpEndpoint:
    """ASGI endpoint of `/mcp`: the contract checks, sessions and metering, then the SDK."""

    def __init__(self, server: MCPServer, settings: Settings, sessions: SessionStore | None,
                 usage: UsageRecorder | None, tool_scopes: Mapping[str, str] | None = None):  # fmt: skip
        self.settings = settings
        self.tool_scopes = tool_scopes or {}
        self.sessions = sessions
        self.usage = usage
        # Stateless: nothing of a request outlives it in this process (another invocation may
        # land on another execution environment); sessions live in the table instead. Host and
        # Origin are checked here, so that the refusal is a JSON-RPC error with the request's id.
        server.streamable_http_app(
            stateless_http=True, max_request_body_size=MAX_BODY_BYTES,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )  # fmt: skip
        self.manager = server.session_manager

    def with_cors(self, send: Send, origin: str | None) -> Send:
        allowed = self.settings.allowed_origins
        echoed = "*" if "*" in allowed else origin if origin and origin_allowed(origin, allowed) else None

        async def cors_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if echoed:
                    headers.append((b"access-control-allow-origin", echoed.encode()))
                headers.append((b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()))
                headers.append((b"vary", b"Origin"))
                message = {**message, "headers": headers}
            await send(message)

        return cors_send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        send = self.with_cors(send, request.headers.get("origin"))
        message: Any = None
        if request.method == "POST":
            try:
                body = await read_body(request)
            except TooLarge:
                return await jsonrpc_error(413, f"Payload Too Large: the limit is {MAX_BODY_BYTES} bytes")(
                    scope, receive, send)  # fmt: skip
            message = parse(body)
        else:
            body = b""
        rid = request_id(message)
        answer = self.refusal(request, message, rid)
        if answer is None and request.method == "OPTIONS":
            answer = Response(status_code=204, headers={
                "access-control-allow-methods": "DELETE, GET, OPTIONS, POST",
                "access-control-allow-headers": request.headers.get("access-control-request-headers", "*"),
                "access-control-max-age": "3600"})  # fmt: skip
        if answer is not None:
            return await answer(scope, receive, send)
        tenant = identity_from(request.headers, self.settings.sign_in_client_id).tenant
        version = request.headers.get(PROTOCOL_VERSION_HEADER)
        try:
            if version in MODERN_PROTOCOL_VERSIONS:
                await self.serve(scope, body, message, tenant, receive, send)
            elif version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS:
                await self.manager.handle_request(scope, replay(body, receive), send)  # the SDK's -32022
            else:
                await self.handshake_era(request, body, message, tenant, scope, send)
        except PermissionError as error:
            logger.error("tenant credentials: %s", error)
            await jsonrpc_error(403, "Forbidden: no credentials for this tenant", INTERNAL_ERROR,
                                request_id=rid)(scope, receive, send)  # fmt: skip

    # -- the checks every request passes --------------------------------------------------

    def refusal(self, request: Request, message: Any, rid: Any) -> Response | None:
        """The answer to a request this server refuses before the SDK sees it, else None."""
        settings, headers = self.settings, request.headers
        if not host_allowed(headers.get("host"), settings.allowed_hosts):
            return jsonrpc_error(421, f"Misdirected Request: this server does not serve {headers.get('host')}",
                                 request_id=rid)  # fmt: skip
        origin = headers.get("origin")
        if not origin_allowed(origin, settings.allowed_origins):
            return jsonrpc_error(403, f"Forbidden: origin {origin} is not allowed", request_id=rid)
        if request.method == "OPTIONS":
            return None
        version = headers.get(PROTOCOL_VERSION_HEADER)
        if request.method != "POST" and (request.method != "DELETE" or not self.deletes(version)):
            return self.not_allowed(version, rid)
        if version in NOT_OFFERED:
            return jsonrpc_error(400, f"Unsupported protocol version: {version}", UNSUPPORTED_PROTOCOL_VERSION,
                                 request_id=rid, data={"supported": list(SUPPORTED_VERSIONS), "requested": version})  # fmt: skip
        try:
            identity = identity_from(headers, settings.sign_in_client_id)
        except MalformedContext as error:
            logger.warning("refused a request context: %s", error)
            return jsonrpc_error(403, "Forbidden: the request context is malformed", request_id=rid)
        if settings.tenant_isolation:
            if identity.tenant is None:
                return jsonrpc_error(403, "Forbidden: no verified tenant in the request context", request_id=rid)
            if headers.get(TENANT_ID_HEADER) != identity.tenant:
                logger.warning("tenant %r of the claims is not Lambda's tenant id %r", identity.tenant,
                               headers.get(TENANT_ID_HEADER))  # fmt: skip
                return jsonrpc_error(403, "Forbidden: the verified tenant is not this invocation's tenant",
                                     request_id=rid)  # fmt: skip
        return self.scope_refusal(request, identity, message, rid)

    def scope_refusal(self, request: Request, identity: Identity, message: Any, rid: Any) -> Response | None:
        """403 `insufficient_scope` for a call of a tool whose scope the token lacks."""
        if not isinstance(message, dict) or message.get("method") != "tools/call":
            return None
        params = message.get("params")
        name = params.get("name") if isinstance(params, dict) else None
        needed = self.tool_scopes.get(name) if isinstance(name, str) else None
        if needed is None or needed in identity.scopes:
            return None
        challenge = (f'Bearer error="insufficient_scope", scope="{INVOKE_SCOPE} {needed}", '
                     f'resource_metadata="{resource_metadata_url(request.headers)}"')  # fmt: skip
        return jsonrpc_error(403, f"Forbidden: the tool {name} needs the scope {needed}",
                             headers={"www-authenticate": challenge}, request_id=rid)  # fmt: skip

    def deletes(self, version: str | None) -> bool:
        """DELETE ends a handshake-era session (2026-07-28 has none)."""
        return bool(self.sessions) and version not in MODERN_PROTOCOL_VERSIONS

    def not_allowed(self, version: str | None, rid: Any = None) -> Response:
        allow = "POST, DELETE" if self.deletes(version) else "POST"
        return jsonrpc_error(405, "Method Not Allowed", headers={"allow": allow}, request_id=rid)

    # -- 2025-06-18 / 2025-11-25: initialize, then Mcp-Session-Id ------------------------

    async def handshake_era(self, request: Request, body: bytes, message: Any, tenant: str | None,
                            scope: Scope, send: Send) -> None:  # fmt: skip
        receive, rid = request.receive, request_id(message)
        session_id = request.headers.get(SESSION_HEADER)
        if request.method == "DELETE":
            if not session_id or not await self.find(tenant, session_id):
                return await jsonrpc_error(404, "Session not found")(scope, receive, send)
            await anyio.to_thread.run_sync(self.sessions.delete, tenant, session_id)
            return await Response(status_code=200)(scope, receive, send)
        if not isinstance(message, dict):  # not one JSON-RPC message: the SDK answers the error
            return await self.manager.handle_request(scope, replay(body, receive), send)
        session = None
        if message.get("method") == "initialize":
            body, requested = self.offered(message)
            if self.sessions:
                send = self.opening_session(tenant, requested, self.declared(message), send)
        elif self.sessions and not session_id:
            return await jsonrpc_error(400, "Bad Request: Mcp-Session-Id header is required",
                                       request_id=rid)(scope, receive, send)  # fmt: skip
        elif self.sessions and not (session := await self.find(tenant, session_id)):
            return await jsonrpc_error(404, "Session not found", request_id=rid)(scope, receive, send)
        if session is not None and is_answer(message):
            return await self.relay_answer(tenant, session, message, rid, scope, receive, send)
        # Only a streamed response carries a question to the client while the call waits; behind
        # a buffering front door the SDK refuses to ask (-32600), as without a session table.
        if session is not None and "method" in message and "id" in message and self.settings.streams:
            version = request.headers.get(PROTOCOL_VERSION_HEADER) or session.protocol_version or HANDSHAKE_VERSIONS[-1]
            call = RelayedCall(self.manager, self.sessions, tenant, session, version, remaining_s(request.headers))
            return await self.serve(scope, body, message, tenant, receive, send, handler=call)
        await self.serve(scope, body, message, tenant, receive, send)

    async def relay_answer(self, tenant: str | None, session: Session, message: dict, rid: Any, scope: Scope,
                           receive: Receive, send: Send) -> None:  # fmt: skip
        """The client's answer to a request a call of this session sent it (relay.py): into
        the session's open answer item, for the invocation streaming that call; 202."""
        if len(json.dumps(message)) > MAX_ANSWER_BYTES:  # a table item holds 400 KB
            too_large = {"jsonrpc": "2.0", "id": message.get("id"),
                         "error": {"code": -32600, "message": "the client's answer was too large to relay"}}  # fmt: skip
            await anyio.to_thread.run_sync(self.sessions.deliver_answer, tenant, session.session_id,
                                           message.get("id"), too_large)  # the waiting call ends now
            return await jsonrpc_error(413, "Payload Too Large: an answer is relayed up to 350 KB",
                                       request_id=rid)(scope, receive, send)  # fmt: skip
        delivered = valid_answer(message) and await anyio.to_thread.run_sync(
            self.sessions.deliver_answer, tenant, session.session_id, message["id"], message)  # fmt: skip
        if not delivered:
            logger.warning("refused an answer with id %r: no request of session %s awaits it", rid, session.session_id)
            return await jsonrpc_error(400, "Bad Request: no request of this session awaits an answer with this id",
                                       request_id=rid)(scope, receive, send)  # fmt: skip
        await Response(status_code=202)(scope, receive, send)

    @staticmethod
    def offered(message: dict) -> tuple[bytes, str | None]:
        """The initialize request as the SDK should see it: a revision this server does not
        offer is replaced by none, so the SDK answers with its newest handshake revision."""
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        requested = params.get("protocolVersion")
        if requested in NOT_OFFERED:
            message = {**message, "params": {**params, "protocolVersion": "unsupported"}}
            requested = HANDSHAKE_VERSIONS[-1]
        return json.dumps(message).encode(), requested if isinstance(requested, str) else None

    @staticmethod
    def declared(message: dict) -> dict | None:
        """What the client declares in `initialize` that later requests' servers need."""
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        client = {key: params[key] for key in ("capabilities", "clientInfo") if isinstance(params.get(key), dict)}
        return client or None

    async def find(self, tenant: str | None, session_id: str) -> Session | None:
        if not SESSION_ID.fullmatch(session_id):  # ours are uuid hex; anything else is no key to look up
            return None
        return await anyio.to_thread.run_sync(self.sessions.get, tenant, session_id)

    def opening_session(self, tenant: str | None, requested: str | None, client: dict | None, send: Send) -> Send:
        """Once the SDK accepts `initialize`, store the session and name it in the response."""

        async def session_send(msg: Message) -> None:
            if msg["type"] == "http.response.start" and msg["status"] == 200:
                session = await anyio.to_thread.run_sync(self.sessions.create, tenant, requested, client)
                msg = {**msg, "headers": [*msg.get("headers", []), (SESSION_HEADER.encode(), session.session_id.encode())]}
            await send(msg)

        return session_send

    # -- both eras: the SDK, metering what it accepts -------------------------------------

    async def serve(self, scope: Scope, body: bytes, message: Any, tenant: str | None, receive: Receive,
                    send: Send, handler: Any = None) -> None:  # fmt: skip
        counted = self.usage and tenant and isinstance(message, dict) and "id" in message and "method" in message

        async def metered_send(msg: Message) -> None:
            if counted and msg["type"] == "http.response.start" and 200 <= msg["status"] < 300:
                await self.meter(tenant)
            await send(msg)

        await (handler or self.manager.handle_request)(scope, replay(body, receive), metered_send)

    async def meter(self, tenant: str) -> None:
        """Count a JSON-RPC request (not a notification) the SDK accepted."""
        try:
            await anyio.to_thread.run_sync(self.usage.record, tenant)
        except Exception:  # usage is a figure, not a gate: the request is served
            logger.exception("usage record for tenant %s failed", tenant)


def create_server(settings: Settings) -> MCPServer:
    """The example server: tools (tools.py) and every other feature (features.py)."""
    server = MCPServer(name=SERVER_NAME, version=__version__,
                       request_state_security=request_state_security(settings))  # fmt: skip
    return features.register(tools.register(server, settings))


def create_app(settings: Settings | None = None, server: MCPServer | None = None,
               tool_scopes: Mapping[str, str] = tools.TOOL_SCOPES) -> Starlette:  # fmt: skip
    """The app; `tool_scopes` names the scope each of the server's tools needs beyond mcp/invoke."""
    settings = settings or Settings.from_environment()
    server = server or create_server(settings)
    credentials = TenantCredentials(settings) if settings.vends_credentials else None
    sessions = SessionStore(settings, credentials) if settings.session_table else None
    usage = UsageRecorder(settings) if settings.usage_table else None
    endpoint = McpEndpoint(server, settings, sessions, usage, tool_scopes)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        async with endpoint.manager.run():
            yield

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route(HEALTH_PATH, health), Route(MCP_PATH, endpoint)], lifespan=lifespan)
    app.state.endpoint = endpoint
    return app


def __getattr__(name: str):
    # `mcp_runtime.app:app`, built on first use so importing the module has no side effects.
    if name == "app":
        globals()["app"] = value = create_app()
        return value
    raise AttributeError(name)
