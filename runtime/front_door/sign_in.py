"""Sign-in for people, locally: the stack's authorization-server facade
(`constructs_lib.signin.authserver`, the same code as the facade's Lambda) under the stage, in
front of the managed-login stand-in (`managed_login.py`), which it reaches as it reaches
Cognito: `CognitoUpstream` over HTTP, with its own confidential app client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import anyio
from starlette.requests import Request
from starlette.responses import Response

from constructs_lib.signin import authserver
from constructs_lib.signin.authserver.routes import routes_for
from constructs_lib.signin.authserver.http import RepeatedParameter, invalid_request, parse_query
from constructs_lib.signin.authserver.settings import DEFAULT_REDIRECT_PATTERNS, REGISTRATION_KINDS

from .managed_login import ManagedLogin, User
from .tokens import TokenIssuer

# The facade's routes, relative to its issuer (`/{stage}`), as the REST API routes them (the
# front door answers the protected-resource metadata itself, as the REST API does).
FACADE_ROUTES = tuple(routes_for(("cimd", "dcr"), "rest"))
UPSTREAM_CLIENT_ID = "local-sign-in"


@dataclass
class SignIn:
    facade: authserver.AuthServer
    login: ManagedLogin
    issuer: str  # the facade's: the authorization server the protected-resource metadata names
    scopes: tuple[str, ...]  # the resource server's; the first is the one every token needs

    async def handle(self, request: Request, stage: str) -> Response:
        """A facade route: the Starlette request as the facade's own, its answer back. The
        facade is synchronous and calls the stand-in over HTTP on this same server, so it runs
        in a worker thread while the event loop keeps serving."""
        try:
            query = parse_query(request.url.query)
        except RepeatedParameter:
            answer = invalid_request()
        else:
            mine = authserver.Request(
                method=request.method, path=request.url.path.removeprefix(f"/{stage}"), query=query,
                headers=dict(request.headers), body=await request.body(),
                source_ip=request.client.host if request.client else "127.0.0.1",
            )  # fmt: skip
            answer = await anyio.to_thread.run_sync(self.facade.handle, mine)
        response = Response(answer.body, status_code=answer.status, headers=answer.headers)
        for cookie in answer.cookies:
            response.headers.append("set-cookie", cookie)
        return response


def local_sign_in(
    base: str, stage: str, tokens: TokenIssuer, users: tuple[User, ...], mfa_code: str, upstream_secret: str,
    store: authserver.store.Store, scopes: tuple[str, ...], *,
    client_registration: tuple[str, ...] = REGISTRATION_KINDS,
    redirect_patterns: tuple[str, ...] = DEFAULT_REDIRECT_PATTERNS, fetch_document: Callable | None = None,
) -> SignIn:  # fmt: skip
    """The facade at `{base}/{stage}` and the stand-in at `{base}/oauth2/...`, wired as the stack
    wires the facade to Cognito; `fetch_document` replaces the CIMD fetch (tests)."""
    issuer = f"{base}/{stage}"
    settings = authserver.Settings(
        issuer=issuer, resource=f"{issuer}/mcp", upstream_authorize_url=f"{base}/oauth2/authorize",
        upstream_token_url=f"{base}/oauth2/token", upstream_client_id=UPSTREAM_CLIENT_ID,
        upstream_client_secret=upstream_secret, scopes=scopes, client_registration=client_registration,
        allowed_redirect_uris=redirect_patterns, upstream_issuer=tokens.issuer,
    )  # fmt: skip
    options = {"fetch_document": fetch_document} if fetch_document else {}
    facade = authserver.AuthServer(settings, store, authserver.CognitoUpstream(settings), **options)
    login = ManagedLogin(tokens, UPSTREAM_CLIENT_ID, upstream_secret, f"{issuer}/callback", users, mfa_code, scopes)
    return SignIn(facade, login, issuer, scopes)
