"""The server's side of the HTTP contract, around the official SDK's Streamable HTTP transport.

Behind the front door (API Gateway, or `front_door` locally) every request reaches this app
with the verified request context. The app:

- answers a foreign `Origin` with 403, an unsupported `MCP-Protocol-Version` with 400 and a
  method it does not offer with 405, and puts CORS headers on its own responses (behind a REST
  API, API Gateway answers only the preflight and its own errors);
- takes the tenant from the verified request context (`identity.py`), never from the client;
- refuses a tool call whose token lacks the tool's scope (`tools.TOOL_SCOPES`) with 403
  `insufficient_scope`, naming the scopes, so the client can step up;
- serves 2026-07-28 requests statelessly, and handshake-era clients with sessions kept in the
  session table (`sessions.py`, through tenant credentials with isolation); a GET stream needs
  a connection the function cannot hold between invocations, so GET is 405 in both eras;
- records usage per tenant (`metering.py`).
Nothing is written for a request it refuses.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Mapping
from urllib.parse import urlsplit

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import tools
from .contract import EXPOSED_HEADERS, HEALTH_PATH, MCP_PATH, PROTOCOL_VERSION_HEADER, SESSION_HEADER
from .credentials import TenantCredentials
from .identity import Identity, identity_from, request_context_of
from .metering import UsageRecorder
from .sessions import SessionStore
from .settings import Settings

logger = logging.getLogger("mcp_runtime")

SUPPORTED_VERSIONS = (*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS)
INVALID_REQUEST, INTERNAL_ERROR = -32600, -32603
# The scope every request to /mcp carries (the front door's authorizer requires it).
INVOKE_SCOPE = "mcp/invoke"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def jsonrpc_error(status: int, message: str, code: int = INVALID_REQUEST, headers: dict | None = None,
                  request_id: Any = None) -> Response:  # fmt: skip
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)


def resource_metadata_url(headers: Mapping[str, str]) -> str:
    """The RFC 9728 metadata URL of `/mcp`, from the verified request context (not the Host
    header, which the client chooses): the public path of `/mcp` (`/{stage}/mcp` on the default
    endpoint, the mapped path on a custom domain) with the metadata path before `mcp`."""
    context = request_context_of(headers)
    domain = context.get("domainName", "")
    path = context.get("path") or (context.get("http") or {}).get("path") or MCP_PATH  # REST, HTTP API
    scheme = "http" if urlsplit(f"//{domain}").hostname in LOOPBACK_HOSTS else "https"
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
        # land on another execution environment); sessions live in the table instead.
        self.manager = StreamableHTTPSessionManager(server._lowlevel_server, stateless=True)

    # -- the checks every request passes --------------------------------------------------

    def origin_allowed(self, origin: str | None) -> bool:
        return not origin or "*" in self.settings.allowed_origins or origin in self.settings.allowed_origins

    def with_cors(self, send: Send, origin: str | None) -> Send:
        allowed = "*" if "*" in self.settings.allowed_origins else origin if self.origin_allowed(origin) else None

        async def cors_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if allowed:
                    headers.append((b"access-control-allow-origin", allowed.encode()))
                headers.append((b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()))
                headers.append((b"vary", b"Origin"))
                message = {**message, "headers": headers}
            await send(message)

        return cors_send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        origin = request.headers.get("origin")
        send = self.with_cors(send, origin)
        if not self.origin_allowed(origin):
            return await jsonrpc_error(403, f"Forbidden: origin {origin} is not allowed")(scope, receive, send)
        if request.method == "OPTIONS":
            return await Response(status_code=204, headers={
                "access-control-allow-methods": "DELETE, GET, OPTIONS, POST",
                "access-control-allow-headers": request.headers.get("access-control-request-headers", "*"),
                "access-control-max-age": "3600"})(scope, receive, send)  # fmt: skip
        if request.method not in ("POST", "GET", "DELETE"):
            return await self.not_allowed(scope, receive, send)
        version = request.headers.get(PROTOCOL_VERSION_HEADER)
        if version is not None and version not in SUPPORTED_VERSIONS:
            return await jsonrpc_error(
                400, f"Bad Request: unsupported protocol version {version}; supported: {', '.join(SUPPORTED_VERSIONS)}"
            )(scope, receive, send)
        identity = identity_from(request.headers, self.settings.sign_in_client_id)
        tenant = identity.tenant
        if self.settings.tenant_isolation and tenant is None:
            return await jsonrpc_error(403, "Forbidden: no verified tenant in the request context")(scope, receive, send)
        if request.method == "POST" and (refusal := self.scope_refusal(request, identity, await request.body())):
            return await refusal(scope, receive, send)
        try:
            if version in MODERN_PROTOCOL_VERSIONS:
                await self.modern(request, tenant, scope, send)
            else:
                await self.handshake_era(request, tenant, scope, send)
        except PermissionError as error:
            logger.error("tenant credentials: %s", error)
            await jsonrpc_error(403, "Forbidden: no credentials for this tenant", INTERNAL_ERROR)(scope, receive, send)

    def scope_refusal(self, request: Request, identity: Identity, body: bytes) -> Response | None:
        """403 `insufficient_scope` for a call of a tool whose scope the token lacks (the body
        is read again from Starlette's cache by the handlers)."""
        message = _message(body)
        if not isinstance(message, dict) or message.get("method") != "tools/call":
            return None
        name = (message.get("params") or {}).get("name")
        needed = self.tool_scopes.get(name) if isinstance(name, str) else None
        if needed is None or needed in identity.scopes:
            return None
        challenge = (f'Bearer error="insufficient_scope", scope="{INVOKE_SCOPE} {needed}", '
                     f'resource_metadata="{resource_metadata_url(request.headers)}"')  # fmt: skip
        return jsonrpc_error(403, f"Forbidden: the tool {name} needs the scope {needed}",
                             headers={"www-authenticate": challenge}, request_id=message.get("id"))  # fmt: skip

    async def not_allowed(self, scope: Scope, receive: Receive, send: Send) -> None:
        allow = "POST, DELETE" if self.sessions else "POST"
        await jsonrpc_error(405, "Method Not Allowed", headers={"allow": allow})(scope, receive, send)

    # -- 2026-07-28: one self-contained POST per request ----------------------------------

    async def modern(self, request: Request, tenant: str | None, scope: Scope, send: Send) -> None:
        body = await request.body() if request.method == "POST" else b""
        await self.meter(tenant, _message(body))
        await self.manager.handle_request(scope, _replay(body, request.receive), send)

    # -- 2025-06-18 / 2025-11-25: initialize, then Mcp-Session-Id ------------------------

    async def handshake_era(self, request: Request, tenant: str | None, scope: Scope, send: Send) -> None:
        receive = request.receive
        session_id = request.headers.get(SESSION_HEADER)
        if request.method == "GET" or (request.method == "DELETE" and not self.sessions):
            return await self.not_allowed(scope, receive, send)
        if request.method == "DELETE":
            if not session_id or not await self.find(tenant, session_id):
                return await jsonrpc_error(404, "Session not found")(scope, receive, send)
            await anyio.to_thread.run_sync(self.sessions.delete, tenant, session_id)
            return await Response(status_code=200)(scope, receive, send)

        body = await request.body()
        message = _message(body)
        if message is None:  # not JSON-RPC: the SDK answers with the JSON-RPC error
            return await self.manager.handle_request(scope, _replay(body, receive), send)
        if self.sessions:
            if message.get("method") == "initialize":
                send = self.opening_session(tenant, message, send)
            elif not session_id:
                return await jsonrpc_error(400, "Bad Request: Mcp-Session-Id header is required")(scope, receive, send)
            elif not await self.find(tenant, session_id):
                return await jsonrpc_error(404, "Session not found")(scope, receive, send)
        await self.meter(tenant, message)
        await self.manager.handle_request(scope, _replay(body, receive), send)

    async def find(self, tenant: str | None, session_id: str) -> bool:
        return await anyio.to_thread.run_sync(self.sessions.get, tenant, session_id) is not None

    def opening_session(self, tenant: str | None, message: dict, send: Send) -> Send:
        """Once the SDK accepts `initialize`, store the session and name it in the response."""
        requested = (message.get("params") or {}).get("protocolVersion")

        async def session_send(msg: Message) -> None:
            if msg["type"] == "http.response.start" and msg["status"] == 200:
                session = await anyio.to_thread.run_sync(self.sessions.create, tenant, requested)
                msg = {**msg, "headers": [*msg.get("headers", []), (SESSION_HEADER.encode(), session.session_id.encode())]}
            await send(msg)

        return session_send

    async def meter(self, tenant: str | None, message: Any) -> None:
        """Count a JSON-RPC request (not a notification) of a verified tenant."""
        if not (self.usage and tenant and isinstance(message, dict) and "id" in message):
            return
        try:
            await anyio.to_thread.run_sync(self.usage.record, tenant)
        except Exception:  # usage is a figure, not a gate: the request is served
            logger.exception("usage record for tenant %s failed", tenant)


def _message(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the SDK, then waits for disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def create_app(settings: Settings | None = None, server: MCPServer | None = None,
               tool_scopes: Mapping[str, str] = tools.TOOL_SCOPES) -> Starlette:  # fmt: skip
    """The app; `tool_scopes` names the scope each of the server's tools needs beyond mcp/invoke."""
    settings = settings or Settings.from_environment()
    server = server or tools.register(MCPServer(name="mcp-server-reference"), settings)
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
