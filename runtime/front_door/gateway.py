"""The REST API and Cognito of a stack, emulated on 127.0.0.1 (see the package docstring)."""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import AsyncIterator
from urllib.parse import parse_qs

import anyio
import httpx2
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from constructs_lib.transport import (
    CORS_ALLOW_HEADERS,
    CORS_EXPOSE_HEADERS,
    CORS_MAX_AGE_S,
    CORS_METHODS,
    METADATA_PATHS,
    SCOPE,
    protected_resource_metadata,
    www_authenticate,
)

from constructs_lib.signin.authserver.pre_token import TENANT_CLAIM
from mcp_runtime.contract import LOOPBACK_ORIGINS, origin_allowed
from mcp_runtime.wire import TooLarge, read_body

from .sign_in import FACADE_ROUTES, SignIn
from .tokens import TokenIssuer

# What the pinned Lambda Web Adapter (1.x, see runtime/Dockerfile) does with request headers:
# it replaces any client-sent copy of these two with its own, built from the event; it sets
# `x-amz-tenant-id` from Lambda's tenant id when the invocation has one (tenant isolation),
# replacing a client's, and passes a client's through when it has none; every other header,
# `x-amzn-*` included, reaches the app as the client sent it (Host too, as API Gateway got it).
CONTEXT_HEADERS = ("x-amzn-request-context", "x-amzn-lambda-context")
TENANT_HEADER = "x-amz-tenant-id"
HOP_BY_HOP = ("content-length", "connection", "transfer-encoding", "keep-alive")
# The app's own; this server writes one of each.
REWRITTEN = ("date", "server")
# API Gateway's buffered REST integration limit (the default quota).
BUFFERED_LIMIT_S = 29.0
# How long a client may take to send its body (a slow or half-sent request is answered 408).
BODY_TIMEOUT_S = 30.0
TOKEN_BODY_BYTES = 64 * 1024


@dataclass
class GatewaySettings:
    app_url: str  # the server, e.g. http://127.0.0.1:8080
    stage: str = "dev"
    allowed_origins: tuple[str, ...] = LOOPBACK_ORIGINS
    streaming: bool = True  # the REST integration's STREAM transfer mode
    function_timeout_s: float = 180.0
    time_scale: float = 1.0  # scales the integration limits with the server's own knob
    name: str = "MCP server (local)"
    # Lambda tenant isolation: the REST API maps the token's client_id to the invocation's
    # tenant id, which the adapter hands the app as `x-amz-tenant-id`.
    tenant_isolation: bool = False
    body_timeout_s: float = BODY_TIMEOUT_S
    # TEST ONLY (no such thing in API Gateway): a second app instance that receives every
    # POST whose body is a JSON-RPC response (a client's answer to a server-initiated request),
    # so a test proves the answer reaches another execution environment than the asking call.
    answers_app_url: str | None = None

    @property
    def function_timeout_s_scaled(self) -> float:
        return self.function_timeout_s * self.time_scale

    @property
    def integration_timeout_s(self) -> float:
        limit = self.function_timeout_s if self.streaming else min(self.function_timeout_s, BUFFERED_LIMIT_S)
        return limit * self.time_scale


def _is_answer(body: bytes) -> bool:
    """A JSON-RPC response (for the test-only `answers_app_url`)."""
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


class Gateway:
    def __init__(self, settings: GatewaySettings, issuer: TokenIssuer, sign_in: SignIn | None = None):
        self.settings = settings
        self.issuer = issuer
        self.sign_in = sign_in
        self.http = httpx2.AsyncClient(timeout=httpx2.Timeout(None))

    # -- URLs as the stack builds them: the stage is the first path segment --------------

    def base(self, request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}/{self.settings.stage}"

    def metadata_url(self, request: Request) -> str:
        return self.base(request) + METADATA_PATHS[1]

    # -- CORS, as the stack's MOCK integrations and gateway responses set it ------------

    def allow_origin(self, request: Request, echo_listed: bool = True) -> dict[str, str]:
        origins = self.settings.allowed_origins
        if len(origins) == 1 and not origins[0].endswith(":*"):
            return {"access-control-allow-origin": origins[0]}
        origin = request.headers.get("origin")
        if echo_listed:  # MOCK integrations echo a listed origin
            return {"access-control-allow-origin": origin} if origin and origin_allowed(origin, origins) else {}
        return {"access-control-allow-origin": "*"}  # gateway responses cannot choose

    def gateway_response(self, request: Request, status: int, message: str, **headers: str) -> Response:
        return JSONResponse({"message": message}, status_code=status, headers={
            **self.allow_origin(request, echo_listed=False),
            "access-control-expose-headers": ",".join(CORS_EXPOSE_HEADERS), **headers})  # fmt: skip

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=204, headers={
            **self.allow_origin(request), "vary": "Origin",
            "access-control-allow-headers": ",".join(CORS_ALLOW_HEADERS),
            "access-control-allow-methods": ",".join(CORS_METHODS),
            "access-control-max-age": str(CORS_MAX_AGE_S)})  # fmt: skip

    async def metadata(self, request: Request) -> Response:
        suffix = request.url.path.removeprefix(f"/{self.settings.stage}{METADATA_PATHS[0]}")
        # With sign-in, the facade first (people's clients take the first) and the pool still
        # (machine clients configured with its issuer match it), as the stack writes it.
        server, scopes = ((self.sign_in.issuer, self.issuer.issuer), self.sign_in.scopes) if self.sign_in \
            else (self.issuer.issuer, (SCOPE,))
        document = protected_resource_metadata(self.base(request) + suffix, server, scopes, self.settings.name)
        return JSONResponse(document, headers={**self.allow_origin(request), "vary": "Origin",
                                               "cache-control": "max-age=300"})  # fmt: skip

    # -- the Cognito authorizer ----------------------------------------------------------

    def authorize(self, request: Request) -> dict | Response:
        """The verified claims, or the gateway response the stack sends."""
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else header.strip()
        challenge = www_authenticate(self.metadata_url(request), SCOPE)
        if not token:
            return self.gateway_response(request, 401, "Unauthorized", **{"www-authenticate": challenge})
        try:
            claims = self.issuer.verify(token)
        except jwt.InvalidTokenError:
            return self.gateway_response(request, 401, "Unauthorized", **{"www-authenticate": challenge})
        if SCOPE not in claims.get("scope", "").split():
            insufficient = www_authenticate(self.metadata_url(request), SCOPE, insufficient_scope=True)
            return self.gateway_response(request, 403, "Forbidden", **{"www-authenticate": insufficient})
        return claims

    # -- the Lambda proxy integration, as the Lambda Web Adapter hands it to the app -----

    def request_context(self, request: Request, claims: dict) -> dict:
        now = time.time()
        return {
            "resourcePath": "/mcp", "httpMethod": request.method, "path": f"/{self.settings.stage}/mcp",
            "stage": self.settings.stage, "requestId": str(uuid.uuid4()), "apiId": "local",
            "domainName": request.url.netloc, "protocol": "HTTP/1.1",
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": request.client.host if request.client else "127.0.0.1"},
            # REST API Cognito authorizers pass every claim as a string.
            "authorizer": {"claims": {k: str(v) for k, v in claims.items()}},
        }  # fmt: skip

    async def mcp(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return await self.preflight(request)
        if request.method not in ("POST", "GET", "DELETE"):
            return self.gateway_response(request, 403, "Missing Authentication Token")
        claims = self.authorize(request)
        if isinstance(claims, Response):
            return claims
        try:
            with anyio.fail_after(self.settings.body_timeout_s):
                body = await read_body(request)
        except TooLarge:
            return self.gateway_response(request, 413, "Request Too Long")
        except TimeoutError:
            return self.gateway_response(request, 408, "Request Timeout")
        limit, started = self.settings.integration_timeout_s, time.monotonic()
        app_url = self.settings.answers_app_url if self.settings.answers_app_url and _is_answer(body) \
            else self.settings.app_url
        upstream = self.http.build_request(
            request.method, app_url.rstrip("/") + "/mcp", params=request.query_params,
            headers=self.adapter_headers(request, claims, deadline_s=time.time() + self.settings.function_timeout_s_scaled),
            content=body,
        )  # fmt: skip
        try:
            with anyio.fail_after(limit):
                answer = await self.http.send(upstream, stream=True)
        except TimeoutError:
            return self.gateway_response(request, 504, "Endpoint request timed out")
        except httpx2.TransportError:
            return self.gateway_response(request, 502, "Internal server error")
        out_headers = {k: v for k, v in answer.headers.items() if k not in HOP_BY_HOP + REWRITTEN}
        if not self.settings.streaming:
            try:  # buffered: the whole response, within the integration limit
                with anyio.fail_after(max(0.0, limit - (time.monotonic() - started))):
                    body = await answer.aread()
            except TimeoutError:
                await answer.aclose()
                return self.gateway_response(request, 504, "Endpoint request timed out")
            return Response(body, status_code=answer.status_code, headers=out_headers)
        remaining = max(0.0, limit - (time.monotonic() - started))
        return StreamingResponse(self._stream(answer, remaining), status_code=answer.status_code, headers=out_headers)

    def lambda_tenant(self, claims: dict) -> str | None:
        """The invocation's tenant id: the REST API maps the token's client_id; a person's
        tenant claim with sign-in, as a tenant-normalizing Lambda authorizer would (the stack
        does not yet combine sign-in with tenant isolation)."""
        if self.sign_in and claims.get("client_id") == self.sign_in.login.client_id:
            return claims.get(TENANT_CLAIM)
        return claims.get("client_id")

    def adapter_headers(self, request: Request, claims: dict, deadline_s: float) -> list[tuple[str, str]]:
        """The request's headers as the adapter hands them to the app (see CONTEXT_HEADERS)."""
        tenant = self.lambda_tenant(claims) if self.settings.tenant_isolation else None
        dropped = HOP_BY_HOP + CONTEXT_HEADERS + ((TENANT_HEADER,) if tenant else ())
        headers = [(k, v) for k, v in request.headers.items() if k not in dropped]
        lambda_context = {
            "request_id": str(uuid.uuid4()), "deadline": int(deadline_s * 1000),
            "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:local",
            "xray_trace_id": None, "client_context": None, "identity": None, "tenant_id": tenant,
        }  # fmt: skip
        headers += [("x-amzn-request-context", json.dumps(self.request_context(request, claims))),
                    ("x-amzn-lambda-context", json.dumps(lambda_context))]  # fmt: skip
        if tenant:
            headers.append((TENANT_HEADER, tenant))
        return headers

    async def _stream(self, answer: httpx2.Response, limit: float) -> AsyncIterator[bytes]:
        """The response as it arrives; the stream ends at the integration timeout."""
        with anyio.move_on_after(limit):
            async for chunk in answer.aiter_raw():
                yield chunk
        await answer.aclose()

    # -- sign-in for people: the facade, under the stage -----------------------------------

    async def facade(self, request: Request) -> Response:
        return await self.sign_in.handle(request, self.settings.stage)

    # -- Cognito's endpoints -------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        try:
            form = parse_qs((await read_body(request, TOKEN_BODY_BYTES)).decode("utf-8", "replace"))
        except TooLarge:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        value = lambda key: (form.get(key) or [None])[0]  # noqa: E731
        client_id, secret = value("client_id"), value("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(basic[6:], validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
                return JSONResponse({"error": "invalid_client"}, status_code=401)
        if self.sign_in and value("grant_type") in ("authorization_code", "refresh_token"):
            return self.sign_in.login.token({key: values[0] for key, values in form.items()}, client_id, secret)
        if not self.issuer.authenticate(client_id, secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if value("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        scopes = tuple((value("scope") or " ".join(self.issuer.scopes)).split())
        if not set(scopes) <= set(self.issuer.scopes):
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        token = self.issuer.issue(client_id, scopes)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": self.issuer.lifetime_s})

    def token_endpoint(self, request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}/oauth2/token"

    async def openid_configuration(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer.issuer, "token_endpoint": self.token_endpoint(request),
            "authorization_endpoint": f"{request.url.scheme}://{request.url.netloc}/oauth2/authorize",
            "jwks_uri": f"{self.issuer.issuer}/.well-known/jwks.json",
            "response_types_supported": ["code", "token"], "scopes_supported": list(self.issuer.scopes),
            "grant_types_supported": ["client_credentials",
                                      *(("authorization_code", "refresh_token") if self.sign_in else ())],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })  # fmt: skip

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(self.issuer.jwks())

    async def aclose(self) -> None:
        await self.http.aclose()


def create_gateway(settings: GatewaySettings, issuer: TokenIssuer, sign_in: SignIn | None = None) -> Starlette:
    """The front door; with `sign_in`, also the facade and Cognito's managed login (stood in)."""
    gateway = Gateway(settings, issuer, sign_in)
    pool = issuer.issuer.rstrip("/").rsplit("/", 1)[-1]
    stage = settings.stage
    routes = [
        Route(f"/{stage}/mcp", gateway.mcp, methods=["GET", "POST", "DELETE", "OPTIONS", "PUT", "PATCH"]),
        *[Route(f"/{stage}{path}", gateway.metadata, methods=["GET"]) for path in METADATA_PATHS],
        Route("/oauth2/token", gateway.token, methods=["POST"]),
        Route(f"/{pool}/.well-known/openid-configuration", gateway.openid_configuration),
        Route(f"/.well-known/openid-configuration/{pool}", gateway.openid_configuration),
        Route(f"/.well-known/oauth-authorization-server/{pool}", gateway.openid_configuration),
        Route(f"/{pool}/.well-known/jwks.json", gateway.jwks),
    ]
    if sign_in:
        routes += [Route(f"/{stage}{path}", gateway.facade, methods=[method]) for method, path in FACADE_ROUTES]
        routes += sign_in.login.routes()

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await gateway.aclose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway
    return app
