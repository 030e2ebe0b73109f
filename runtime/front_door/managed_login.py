"""Cognito's managed login, stood in on 127.0.0.1, for the sign-in facade to talk to.

The stack's facade sends a person to Cognito's `/oauth2/authorize` with its own confidential app
client, Cognito signs the person in (password, then MFA) and redirects to the facade's callback
with a code, which the facade redeems at `/oauth2/token` with HTTP Basic client authentication
and its PKCE verifier. This module answers those same requests with the same parameters, so the
facade runs here unchanged (`CognitoUpstream` over real HTTP): a user directory given at start,
a login form, an MFA form whose TOTP code is one fixed code printed at start (a wrong one is
refused), single-use codes bound to the PKCE challenge, and refresh tokens. Access tokens are
Cognito's user tokens (`TokenIssuer.issue_user`), so the local authorizer verifies them as it
verifies a machine's; no ID token is issued, since the facade never passes one on.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .tokens import TokenIssuer

CODE_TTL_S = 300  # Cognito's authorization codes last five minutes
LOGIN_TTL_S = 600
REFRESH_TTL_S = 30 * 86400  # Cognito's default refresh-token validity
# What Cognito grants a user besides the resource server's scopes.
OIDC_SCOPES = ("openid", "email", "profile")
PAGE_HEADERS = {"cache-control": "no-store", "x-frame-options": "DENY",
                "content-security-policy": "default-src 'none'; form-action 'self'"}  # fmt: skip


@dataclass(frozen=True)
class User:
    username: str
    password: str
    tenant: str | None = None  # the user pool's tenant attribute; None: no tenant data
    sub: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class _Grant:
    """What a code or refresh token stands for."""

    user: User
    scopes: tuple[str, ...]
    expires_at: float
    redirect_uri: str = ""
    code_challenge: str = ""


class ManagedLogin:
    """`/oauth2/authorize`, its login and MFA forms, and the user grants of `/oauth2/token`, for
    one app client (the facade's) whose only redirect URI is `callback_url`."""

    def __init__(self, issuer: TokenIssuer, client_id: str, client_secret: str, callback_url: str,
                 users: tuple[User, ...], mfa_code: str, scopes: tuple[str, ...]):  # fmt: skip
        self.issuer = issuer
        self.client_id, self.client_secret = client_id, client_secret
        self.callback_url = callback_url
        self.users = {user.username: user for user in users}
        self.mfa_code = mfa_code
        self.scopes = scopes
        # Sign-ins under way, codes and refresh tokens; one event loop, so no lock.
        self._logins: dict[str, dict] = {}
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}

    def routes(self) -> list[Route]:
        return [
            Route("/oauth2/authorize", self.authorize, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/login/mfa", self.mfa, methods=["POST"]),
        ]

    # -- the browser's side ---------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        # Cognito shows an error page, not a redirect, for an unknown client or redirect URI.
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != self.callback_url:
            return _page("Error", "<p>invalid_request: unknown client or redirect_uri mismatch</p>", 400)
        scopes = tuple((query.get("scope") or " ".join(self.scopes)).split())
        error = (
            "unsupported_response_type" if query.get("response_type") != "code"
            else "invalid_request" if not query.get("code_challenge") or query.get("code_challenge_method") != "S256"
            else "invalid_scope" if not set(scopes) <= {*self.scopes, *OIDC_SCOPES}
            else None
        )  # fmt: skip
        if error:
            return self._back(error=error, state=query.get("state"))
        login_id = secrets.token_urlsafe(24)
        self._logins[login_id] = {
            "scopes": scopes, "state": query.get("state"), "challenge": query["code_challenge"],
            "expires_at": time.time() + LOGIN_TTL_S, "user": None,
        }  # fmt: skip
        return self._login_form(login_id)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        login_id, pending = self._pending(form.get("login"))
        if pending is None:
            return _page("Error", "<p>This sign-in has expired. Start again from your application.</p>", 400)
        user = self.users.get(str(form.get("username", "")))
        if user is None or not _same(user.password, str(form.get("password", ""))):
            return self._login_form(login_id, "Incorrect username or password.")
        pending["user"] = user
        return self._mfa_form(login_id)

    async def mfa(self, request: Request) -> Response:
        form = await request.form()
        login_id, pending = self._pending(form.get("login"))
        if pending is None or pending["user"] is None:
            return _page("Error", "<p>This sign-in has expired. Start again from your application.</p>", 400)
        if not _same(self.mfa_code, str(form.get("code", ""))):
            return self._mfa_form(login_id, "Invalid code received for user.")
        del self._logins[login_id]
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Grant(pending["user"], pending["scopes"], time.time() + CODE_TTL_S,
                                   self.callback_url, pending["challenge"])  # fmt: skip
        return self._back(code=code, state=pending["state"])

    def _pending(self, login_id) -> tuple[str, dict | None]:
        login_id = str(login_id or "")
        pending = self._logins.get(login_id)
        if pending is not None and pending["expires_at"] < time.time():
            del self._logins[login_id]
            pending = None
        return login_id, pending

    def _back(self, **params: str | None) -> Response:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return RedirectResponse(f"{self.callback_url}?{query}", status_code=302, headers={"cache-control": "no-store"})

    def _login_form(self, login_id: str, error: str = "") -> Response:
        return _page("Sign in", _form("/login", login_id, error, (
            '<label>Username <input name="username" autocomplete="username" required></label>'
            '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>'
        )))  # fmt: skip

    def _mfa_form(self, login_id: str, error: str = "") -> Response:
        return _page("Multi-factor authentication", _form("/login/mfa", login_id, error, (
            '<label>Code from your authenticator app <input name="code" inputmode="numeric" '
            'autocomplete="one-time-code" pattern="[0-9]{6}" required></label>'
        )))  # fmt: skip

    # -- the facade's side: the token endpoint's user grants --------------------------------

    def token(self, form: dict[str, str], client_id: str | None, secret: str | None) -> Response:
        """The `authorization_code` and `refresh_token` grants of `/oauth2/token`."""
        if client_id != self.client_id or not _same(self.client_secret, secret or ""):
            return _token_error("invalid_client", 401)
        if form.get("grant_type") == "authorization_code":
            grant = self._codes.pop(form.get("code") or "", None)  # single use
            if (grant is None or grant.expires_at < time.time() or form.get("redirect_uri") != grant.redirect_uri
                    or not _same(_s256(form.get("code_verifier") or ""), grant.code_challenge)):  # fmt: skip
                return _token_error("invalid_grant")
            refresh_token = secrets.token_urlsafe(48)
            self._refresh[refresh_token] = _Grant(grant.user, grant.scopes, time.time() + REFRESH_TTL_S)
            return self._tokens(grant, refresh_token=refresh_token)
        grant = self._refresh.get(form.get("refresh_token") or "")
        if grant is None or grant.expires_at < time.time():
            return _token_error("invalid_grant")
        return self._tokens(grant)  # Cognito keeps the refresh token (no rotation by default)

    def _tokens(self, grant: _Grant, **extra: str) -> Response:
        user = grant.user
        access = self.issuer.issue_user(user.sub, user.username, self.client_id, grant.scopes, user.tenant)
        body = {"access_token": access, "token_type": "Bearer", "expires_in": self.issuer.lifetime_s, **extra}
        return JSONResponse(body, headers={"cache-control": "no-store"})


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _token_error(error: str, status: int = 400) -> Response:
    return JSONResponse({"error": error}, status_code=status, headers={"cache-control": "no-store"})


def _form(action: str, login_id: str, error: str, fields: str) -> str:
    problem = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return (f'{problem}<form method="post" action="{action}">'
            f'<input type="hidden" name="login" value="{html.escape(login_id)}">{fields}'
            '<button type="submit">Sign in</button></form>')  # fmt: skip


def _page(title: str, body: str, status: int = 200) -> Response:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}<p><small>Local stand-in for Cognito's managed login.</small></p></body></html>",
        status_code=status, headers=PAGE_HEADERS,
    )  # fmt: skip
