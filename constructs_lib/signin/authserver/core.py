"""The authorization server MCP hosts talk to, in front of Cognito (OAuth 2.1 with PKCE).

The flow, for a person in a browser:
1. GET /authorize from the MCP host. The client is identified by its metadata document (CIMD) or
   its DCR registration; its redirect URI must be registered by it AND allowed by the operator.
   The facade keeps a pending transaction and its own PKCE verifier for Cognito.
2. Consent, once per browser and client: the facade is one static Cognito client, so without
   this page any client could ride a person's Cognito session (confused deputy). A browser
   cookie binds the transaction to the browser that consented.
3. Cognito's managed login (MFA there), back to GET /callback with the transaction as `state`.
   The callback must come to the same browser, or a person lured to an attacker's Cognito link
   would deliver their code to the attacker's client.
4. The facade issues its own short-lived, single-use code, bound to client, redirect URI and
   the client's PKCE challenge; POST /token redeems it for Cognito's access token. Cognito's
   refresh token stays in the facade behind a rotating handle (RFC 9700 4.14: reuse of a used
   handle revokes the whole family).

Stored keys of secrets (transactions, codes, handles, browser ids) are their sha256, and nothing
secret is logged. `handle` never raises: a client's garbage is its 400, never our 5xx.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import secrets
import time
from dataclasses import replace
from typing import Callable
from urllib.parse import unquote

from . import pages, registration
from .cimd import ClientMetadataError, fetch_client_document
from .http import Request, RepeatedParameter, Response, cookie, invalid_request, json_response, parse_query, redirect
from .oauth import AUTH_METHODS, GRANT_TYPES, NO_STORE, OAuthError, digest, s256, same, with_query
from .redirects import allowed, registered
from .routes import CORS, CORS_PATHS, PREFLIGHT, ROUTES
from .settings import Settings
from .store import Store
from .upstream import Upstream, UpstreamError

log = logging.getLogger("authserver")

# RFC 7636 4.1 and 4.2: a verifier is 43-128 unreserved characters; an S256 challenge is the
# base64url of a 32-byte digest, 43 characters.
VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_CLIENT_ID = 1024  # it is part of DynamoDB keys (at most 2048 bytes)
CALLBACK_ERRORS = ("access_denied", "invalid_scope", "temporarily_unavailable", "server_error")


def consent_key(browser: str, client_id: str, scope: str) -> str:
    """One browser, one client, one set of scopes: a step-up asks the person again."""
    return f"{browser}#{client_id}#{' '.join(sorted(scope.split()))}"


class AuthServer:
    def __init__(self, settings: Settings, store: Store, upstream: Upstream,
                 fetch_document: Callable[[str, Settings], dict] = fetch_client_document,
                 clock: Callable[[], float] = time.time):  # fmt: skip
        self.settings = settings
        self.store = store
        self.upstream = upstream
        self.fetch_document = fetch_document
        self.clock = clock
        self.routes = {route: getattr(self, name) for route, name in ROUTES.items()}

    def handle(self, request: Request) -> Response:
        route = self.routes.get((request.method.upper(), request.path))
        try:
            answer = json_response(404, {"error": "not_found"}) if route is None else route(request)
        except Exception as exc:  # noqa: BLE001 (the type only: a message could hold a secret)
            if type(exc).__module__.startswith("botocore"):  # DynamoDB, not the client: retry later
                log.error("state store unavailable: %s", type(exc).__name__)
                answer = json_response(503, {"error": "temporarily_unavailable"}, {**NO_STORE, "Retry-After": "5"})
            else:
                log.warning("refused a request: %s", type(exc).__name__)
                answer = invalid_request()
        if request.path in CORS_PATHS:
            answer = replace(answer, headers={**answer.headers, **CORS})
        return answer

    def preflight(self, request: Request) -> Response:
        return PREFLIGHT

    def _form(self, request: Request) -> dict[str, str]:
        try:
            return parse_query(request.body.decode("utf-8"))
        except (RepeatedParameter, UnicodeDecodeError):
            raise OAuthError("invalid_request") from None

    def _browser(self, request: Request) -> str | None:
        return cookie(request, self.settings.browser_cookie)

    def _cookie(self, browser: str) -> str:
        # Lax: sent on the top-level navigation back from Cognito, not on a cross-site POST.
        s = self.settings
        cookie = f"{s.browser_cookie}={browser}; Path=/; Max-Age={s.consent_ttl_s}; HttpOnly; SameSite=Lax"
        return cookie + ("; Secure" if s.secure_cookies else "")

    def _client(self, client_id: str) -> tuple[dict | None, str]:
        """The client's registration (client_id, redirect_uris, client_name, ...), or why not."""
        s = self.settings
        if not client_id or len(client_id) > MAX_CLIENT_ID:
            return None, "client_id is missing or too long"
        if "://" in client_id:
            if "cimd" not in s.client_registration:
                return None, "client metadata documents are not accepted here"
            document = self.store.get("cimd", client_id)
            if document is None:
                # A failure is remembered briefly too: anyone can name any URL here, and each
                # fetch holds the function for up to cimd_timeout_s.
                failed = self.store.get("cimd-failed", client_id)
                if failed is not None:
                    return None, failed["reason"]
                try:
                    document = self.fetch_document(client_id, s)
                except ClientMetadataError as exc:
                    log.info("client metadata refused for %s: %s", client_id[:200], exc)
                    self.store.put("cimd-failed", client_id, {"reason": str(exc)}, s.cimd_failure_cache_s)
                    return None, str(exc)
                self.store.put("cimd", client_id, document, s.cimd_cache_s)
            return document, ""
        if "dcr" not in s.client_registration:
            return None, "unknown client"
        registration = self.store.get("client", client_id)
        if registration is None:
            return None, "unknown client (registrations expire when unused)"
        self.store.touch("client", client_id, s.registration_ttl_s)
        return registration, ""

    def _resource_ok(self, resource: str | None) -> bool:
        return resource is None or resource in (self.settings.resource, self.settings.issuer)

    def _to_upstream(self, txn: str, pending: dict) -> Response:
        return redirect(self.upstream.authorize_url(state=txn, code_challenge=s256(pending["verifier"]),
                                                    scope=pending["scope"]))  # fmt: skip

    # --- endpoints ---

    def metadata(self, request: Request) -> Response:
        s, base = self.settings, self.settings.issuer
        document = {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "scopes_supported": list(s.scopes),
            "client_id_metadata_document_supported": "cimd" in s.client_registration,
            "authorization_response_iss_parameter_supported": True,
        }
        if "dcr" in s.client_registration:
            document["registration_endpoint"] = f"{base}/register"
        if request.path.endswith("/openid-configuration") and s.upstream_issuer:
            # Read there as OpenID provider metadata (clients whose issuer has a path find
            # nothing else under a REST stage): the fields OIDC Discovery requires. The tokens are
            # Cognito's, signed with the pool's keys; the facade issues no ID token.
            document |= {"jwks_uri": f"{s.upstream_issuer}/.well-known/jwks.json",
                         "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}  # fmt: skip
        return json_response(200, document, {"Cache-Control": "max-age=300"})

    def resource_metadata(self, request: Request) -> Response:
        """RFC 9728: the metadata of the API's base URL, or of `/mcp` at the suffixed path
        (section 3.3: `resource` is the identifier the path describes), naming this server."""
        s = self.settings
        document = {
            "resource": s.resource if request.path.endswith("/mcp") else s.issuer,
            "authorization_servers": [s.issuer, *([s.upstream_issuer] if s.upstream_issuer else [])],
            "scopes_supported": list(s.scopes),
            "bearer_methods_supported": ["header"],
            "resource_name": s.resource_name,
        }
        return json_response(200, document, {"Cache-Control": "max-age=300"})

    def authorize(self, request: Request) -> Response:
        s, q = self.settings, request.query
        client, reason = self._client(q.get("client_id", ""))
        if client is None:
            return pages.error(400, "Unknown client", reason)
        redirect_uri = q.get("redirect_uri", "")
        if not isinstance(client.get("redirect_uris"), list) or not registered(redirect_uri, client["redirect_uris"]):
            return pages.error(400, "Redirect URI not registered", "The client did not register this redirect URI.")
        if not allowed(self.settings, redirect_uri):
            return pages.error(400, "Redirect URI not allowed", "This server does not allow this redirect URI.")
        state = q.get("state")
        if not state:
            return pages.error(400, "Missing state", "The client sent no state parameter, which is required.")

        def refuse(error: str) -> Response:
            return redirect(with_query(redirect_uri, {"error": error, "state": state, "iss": s.issuer}))

        if q.get("response_type") != "code":
            return refuse("unsupported_response_type")
        if q.get("code_challenge_method") != "S256" or not CHALLENGE.fullmatch(q.get("code_challenge", "")):
            return refuse("invalid_request")  # PKCE S256 only (OAuth 2.1)
        requested = q.get("scope", "").split()
        if any(scope not in s.scopes for scope in requested):
            return refuse("invalid_scope")
        if not self._resource_ok(q.get("resource")):
            return refuse("invalid_target")

        browser = self._browser(request)
        new_browser = None if browser else secrets.token_urlsafe(32)
        browser = browser or new_browser
        client_id = client["client_id"]
        scope = " ".join(dict.fromkeys([s.scopes[0], *requested]))  # the first scope always
        txn = secrets.token_urlsafe(32)
        pending = {
            "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
            "code_challenge": q["code_challenge"], "resource": q.get("resource"), "scope": scope,
            "csrf": secrets.token_urlsafe(32), "verifier": secrets.token_urlsafe(48), "browser": digest(browser),
            "consented": self.store.get("consent", consent_key(digest(browser), client_id, scope)) is not None,
        }  # fmt: skip
        self.store.put("pending", digest(txn), pending, s.pending_ttl_s)
        log.info("authorize: client %s, consented before: %s", client_id[:200], pending["consented"])
        if pending["consented"]:
            return self._to_upstream(txn, pending)
        page = pages.consent(s, client_id=client_id, client_name=client.get("client_name"), redirect_uri=redirect_uri,
                             scopes=pending["scope"].split(), txn=txn, csrf=pending["csrf"])  # fmt: skip
        return replace(page, cookies=[self._cookie(new_browser)] if new_browser else [])

    def consent(self, request: Request) -> Response:
        form = self._form(request)
        txn = form.get("txn", "")
        pending = self.store.get("pending", digest(txn))
        if pending is None:
            return pages.error(400, "Sign-in expired", "Start again from your MCP client.")
        browser = self._browser(request) or ""
        if not same(form.get("csrf", ""), pending["csrf"]) or not same(digest(browser), pending["browser"]):
            log.warning("consent refused: csrf or browser mismatch for client %s", pending["client_id"][:200])
            return pages.error(403, "Forbidden", "This consent form was not shown to this browser.")
        decision = form.get("decision")
        if decision == "deny":
            self.store.delete("pending", digest(txn))
            log.info("consent denied for client %s", pending["client_id"][:200])
            back = {"error": "access_denied", "state": pending["state"], "iss": self.settings.issuer}
            return redirect(with_query(pending["redirect_uri"], back))
        if decision != "allow":
            return pages.error(400, "No decision", "Choose Allow or Deny.")
        self.store.put("consent", consent_key(pending["browser"], pending["client_id"], pending["scope"]), {},
                       self.settings.consent_ttl_s)  # fmt: skip
        self.store.put("pending", digest(txn), {**pending, "consented": True}, self.settings.pending_ttl_s)
        log.info("consent given for client %s", pending["client_id"][:200])
        return self._to_upstream(txn, pending)

    def callback(self, request: Request) -> Response:
        q = request.query
        pending = self.store.take("pending", digest(q.get("state", "")))
        if pending is None:
            return pages.error(400, "Sign-in expired", "Unknown or expired sign-in. Start again from your MCP client.")
        if not pending["consented"]:
            log.warning("callback refused: consent skipped for client %s", pending["client_id"][:200])
            return pages.error(400, "Consent missing", "This sign-in was not approved on the consent page.")
        if not same(digest(self._browser(request) or ""), pending["browser"]):
            log.warning("callback refused: another browser for client %s", pending["client_id"][:200])
            return pages.error(403, "Forbidden", "This sign-in was started in another browser.")
        back = {"state": pending["state"], "iss": self.settings.issuer}
        if "error" in q or not q.get("code"):
            error = q.get("error") if q.get("error") in CALLBACK_ERRORS else "access_denied"
            log.info("callback: upstream error for client %s", pending["client_id"][:200])
            return redirect(with_query(pending["redirect_uri"], {"error": error, **back}))
        code = secrets.token_urlsafe(32)
        bound = ("client_id", "redirect_uri", "code_challenge", "scope", "resource", "verifier")
        item = {key: pending[key] for key in bound}
        self.store.put("code", digest(code), {**item, "upstream_code": q["code"]}, self.settings.code_ttl_s)
        log.info("callback: code issued for client %s", pending["client_id"][:200])
        return redirect(with_query(pending["redirect_uri"], {"code": code, **back}))

    def token(self, request: Request) -> Response:
        try:
            form = self._form(request)
            grant = form.get("grant_type")
            if grant == "client_credentials":
                status, body = self.upstream.client_credentials(form, request.headers.get("authorization"))
                return json_response(status, body, NO_STORE)
            if grant not in GRANT_TYPES:
                raise OAuthError("unsupported_grant_type")
            client_id = self._authenticate(request, form)
            if not self._resource_ok(form.get("resource")):
                raise OAuthError("invalid_target")
            if grant == "authorization_code":
                return self._redeem_code(form, client_id)
            return self._refresh(form, client_id)
        except OAuthError as exc:
            headers = {**NO_STORE, **({"WWW-Authenticate": "Basic"} if exc.status == 401 else {})}
            return json_response(exc.status, {"error": exc.error}, headers)

    def _authenticate(self, request: Request, form: dict[str, str]) -> str:
        """The client_id of the client making the request (RFC 6749 2.3), or invalid_client."""
        secret = form.get("client_secret")
        client_id = form.get("client_id")
        method = "client_secret_post" if secret is not None else "none"
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                basic_id, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError("invalid_client", 401) from None
            if method != "none" or (client_id is not None and client_id != unquote(basic_id)):
                raise OAuthError("invalid_request")  # one authentication method per request (RFC 6749 2.3)
            client_id, secret, method = unquote(basic_id), unquote(secret), "client_secret_basic"
        client, _ = self._client(client_id or "")
        if client is None:
            raise OAuthError("invalid_client", 401)
        if client.get("token_endpoint_auth_method", "none") != method:
            raise OAuthError("invalid_client", 401)
        if method != "none" and not same(digest(secret or ""), client["secret_hash"]):
            raise OAuthError("invalid_client", 401)
        return client["client_id"]

    def _redeem_code(self, form: dict[str, str], client_id: str) -> Response:
        code_key = digest(form.get("code", ""))
        item = self.store.take("code", code_key)
        if item is None:
            used = self.store.get("code", f"used#{code_key}")
            if used is not None:  # replay: revoke what the first redemption issued (RFC 6749 4.1.2)
                self._revoke(used["family"])
                log.warning("code replayed for client %s: its refresh family is revoked", client_id[:200])
            raise OAuthError("invalid_grant")
        verifier = form.get("code_verifier", "")
        if client_id != item["client_id"] or form.get("redirect_uri") != item["redirect_uri"]:
            raise OAuthError("invalid_grant")
        if not VERIFIER.fullmatch(verifier) or not same(s256(verifier), item["code_challenge"]):
            raise OAuthError("invalid_grant")
        family = secrets.token_urlsafe(16)
        self.store.put("code", f"used#{code_key}", {"family": family}, self.settings.code_ttl_s * 10)
        try:
            tokens = self.upstream.exchange_code(item["upstream_code"], item["verifier"])
        except UpstreamError as exc:
            log.warning("upstream refused the code for client %s (HTTP %s)", client_id[:200], exc.status)
            raise OAuthError("invalid_grant") from None
        self.store.put("refresh", f"family#{family}", {"client_id": client_id}, self.settings.refresh_ttl_s)
        log.info("token issued for client %s", client_id[:200])
        return self._tokens(tokens, {"client_id": client_id, "family": family, "scope": item["scope"],
                                     "resource": item["resource"]})  # fmt: skip

    def _refresh(self, form: dict[str, str], client_id: str) -> Response:
        handle_key = digest(form.get("refresh_token", ""))
        item = self.store.take("refresh", handle_key)
        if item is None:
            used = self.store.get("refresh", f"used#{handle_key}")
            if used is not None:  # a rotated handle came back: someone holds a copy (RFC 9700 4.14.2)
                self._revoke(used["family"])
                log.warning("refresh token reused for client %s: its family is revoked", client_id[:200])
            raise OAuthError("invalid_grant")
        self.store.put("refresh", f"used#{handle_key}", {"family": item["family"]}, self.settings.refresh_ttl_s)
        if self.store.get("refresh", f"family#{item['family']}") is None or client_id != item["client_id"]:
            self._revoke(item["family"])
            raise OAuthError("invalid_grant")
        if any(scope not in item["scope"].split() for scope in form.get("scope", "").split()):
            raise OAuthError("invalid_scope")  # RFC 6749 6: never more than first granted
        try:
            tokens = self.upstream.refresh(item["upstream_refresh"])
        except UpstreamError as exc:
            if exc.status >= 500:  # Cognito failed, not the grant: the handle stays good for a retry
                self.store.delete("refresh", f"used#{handle_key}")
                self.store.put("refresh", handle_key, item, self.settings.refresh_ttl_s)
                log.warning("upstream unavailable for a refresh of client %s (HTTP %s)", client_id[:200], exc.status)
                raise OAuthError("temporarily_unavailable", 503) from None
            log.warning("upstream refused a refresh for client %s (HTTP %s)", client_id[:200], exc.status)
            raise OAuthError("invalid_grant") from None
        self.store.touch("refresh", f"family#{item['family']}", self.settings.refresh_ttl_s)
        log.info("token refreshed for client %s", client_id[:200])
        return self._tokens(tokens, item)

    def _revoke(self, family: str) -> None:
        """End a family: its handles stop working here, and Cognito's refresh token behind them
        is revoked there (best effort: the handles are dead either way)."""
        record = self.store.take("refresh", f"family#{family}")
        if record and record.get("upstream_refresh"):
            self.upstream.revoke(record["upstream_refresh"])

    def _tokens(self, tokens: dict, grant: dict) -> Response:
        """Cognito's access token, and a new facade handle for Cognito's refresh token, which stays
        here with the grant (client_id, family, scope, resource). Cognito's id token is not passed
        on: the client asked for access to the MCP server, not for the person's identity."""
        answer = {"access_token": tokens["access_token"], "token_type": "Bearer",
                  "expires_in": tokens.get("expires_in", 3600), "scope": grant["scope"]}  # fmt: skip
        # Cognito returns a new refresh token only with its own rotation on; else the old one stays.
        upstream_refresh = tokens.get("refresh_token") or grant.get("upstream_refresh")
        if upstream_refresh:
            handle = secrets.token_urlsafe(32)
            self.store.put("refresh", digest(handle), {**grant, "upstream_refresh": upstream_refresh},
                           self.settings.refresh_ttl_s)  # fmt: skip
            # The family knows Cognito's token, to revoke it if a handle is ever reused.
            self.store.put("refresh", f"family#{grant['family']}",
                           {"client_id": grant["client_id"], "upstream_refresh": upstream_refresh},
                           self.settings.refresh_ttl_s)  # fmt: skip
            answer["refresh_token"] = handle
        return json_response(200, answer, NO_STORE)

    def register(self, request: Request) -> Response:
        return registration.register(self.settings, self.store, self.clock(), request)
