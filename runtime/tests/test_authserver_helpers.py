"""Shared pieces of the sign-in facade's tests (no tests here): settings, a clock, a recording
fake of Cognito, and a browser played by hand through `AuthServer.handle`."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from constructs_lib.signin.authserver.cimd import ClientMetadataError
from constructs_lib.signin.authserver.core import AuthServer, s256
from constructs_lib.signin.authserver.http import Request, Response
from constructs_lib.signin.authserver.settings import Settings
from constructs_lib.signin.authserver.store import MemoryStore
from constructs_lib.signin.authserver.upstream import UpstreamError

ISSUER = "https://abc.execute-api.us-east-1.amazonaws.com/dev"
UPSTREAM = "https://login.example.test/oauth2"
UPSTREAM_SECRET = "facade-upstream-secret-0123456789"
CIMD_ID = "https://client.example.test/mcp/client.json"
OTHER_CIMD_ID = "https://other.example.test/client.json"
REDIRECT = "http://127.0.0.1:43210/callback"
CLIENT_STATE = "client-state-42"
IP = "198.51.100.7"


def make_settings(**overrides) -> Settings:
    values = dict(
        issuer=ISSUER, resource=f"{ISSUER}/mcp", upstream_authorize_url=f"{UPSTREAM}/authorize",
        upstream_token_url=f"{UPSTREAM}/token", upstream_client_id="facade-client",
        upstream_client_secret=UPSTREAM_SECRET, scopes=("mcp/invoke", "mcp/admin"),
    )  # fmt: skip
    return Settings(**{**values, **overrides})


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeUpstream:
    """Cognito as the facade sees it; checks the facade's own PKCE like Cognito would."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.challenges: dict[str, str] = {}  # Cognito code -> the challenge of its authorize
        self.issued = 0

    def authorize_url(self, state, code_challenge, scope):
        self.calls.append(("authorize_url", scope))
        self.last_challenge = code_challenge
        return f"{UPSTREAM}/authorize?" + urlencode({"state": state, "code_challenge": code_challenge})

    def _tokens(self):
        self.issued += 1
        return {"access_token": f"cognito-access-{self.issued}-{secrets.token_hex(8)}", "expires_in": 3600,
                "token_type": "Bearer", "id_token": "cognito-id-token-SECRET",
                "refresh_token": f"cognito-refresh-{self.issued}-SECRET"}  # fmt: skip

    def exchange_code(self, code, code_verifier):
        self.calls.append(("exchange_code", code))
        if s256(code_verifier) != self.challenges.get(code):
            raise UpstreamError(400, {"error": "invalid_grant"})
        return self._tokens()

    def refresh(self, refresh_token):
        self.calls.append(("refresh", refresh_token))
        return {k: v for k, v in self._tokens().items() if k != "refresh_token"}

    def revoke(self, refresh_token):
        self.calls.append(("revoke", refresh_token))

    def client_credentials(self, form, authorization_header):
        self.calls.append(("client_credentials", dict(form), authorization_header))
        return 200, {"access_token": "machine-token", "token_type": "Bearer", "expires_in": 3600}


def document(client_id: str = CIMD_ID, **fields) -> dict:
    return {"client_id": client_id, "redirect_uris": [REDIRECT], "client_name": "Test Client", **fields}


@dataclass
class Env:
    server: AuthServer
    store: MemoryStore
    clock: Clock
    upstream: FakeUpstream
    documents: dict[str, dict]
    fetched: list[str] = field(default_factory=list)


def make_env(store=None, **settings) -> Env:
    clock = Clock()
    store = store if store is not None else MemoryStore(clock=clock)
    upstream = FakeUpstream()
    documents = {CIMD_ID: document(), OTHER_CIMD_ID: document(OTHER_CIMD_ID, client_name="Other")}
    fetched: list[str] = []

    def fetch(url, _settings):
        fetched.append(url)
        if url not in documents:
            raise ClientMetadataError("client metadata answered HTTP 404")
        return documents[url]

    server = AuthServer(make_settings(**settings), store, upstream, fetch_document=fetch, clock=clock)
    return Env(server, store, clock, upstream, documents, fetched)


def request(method: str, path: str, query=None, *, cookie=None, body=b"", headers=None, ip=IP) -> Request:
    all_headers = {**({"cookie": cookie} if cookie else {}), **(headers or {})}
    return Request(method, path, dict(query or {}), all_headers, body, ip)


def get(env: Env, path: str, query=None, **kw) -> Response:
    return env.server.handle(request("GET", path, query, **kw))


def post(env: Env, path: str, form: dict, **kw) -> Response:
    headers = {"content-type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
    return env.server.handle(request("POST", path, body=urlencode(form).encode(), headers=headers, **kw))


def location(response: Response) -> tuple[str, dict[str, str]]:
    """(URL without query, query) of a redirect."""
    assert response.status == 302, (response.status, response.body[:300])
    url = response.headers["Location"]
    return url.split("?")[0], dict(parse_qsl(urlsplit(url).query))


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def authorize_query(challenge: str, **overrides) -> dict[str, str]:
    query = {"response_type": "code", "client_id": CIMD_ID, "redirect_uri": REDIRECT, "state": CLIENT_STATE,
             "code_challenge": challenge, "code_challenge_method": "S256", "scope": "mcp/invoke",
             "resource": f"{ISSUER}/mcp"}  # fmt: skip
    return {k: v for k, v in {**query, **overrides}.items() if v is not None}


def consent_fields(response: Response) -> tuple[str, str]:
    html = response.body.decode()
    return (re.search(r"name=txn value='([^']+)'", html).group(1),
            re.search(r"name=csrf value='([^']+)'", html).group(1))  # fmt: skip


def browser_cookie(response: Response) -> str:
    return response.cookies[0].split(";")[0]


def sign_in(env: Env, client_id: str = CIMD_ID, redirect_uri: str = REDIRECT, cookie: str | None = None,
            **query) -> tuple[str, str, str]:  # fmt: skip
    """The person's whole browser journey; (the client's code, its verifier, the browser cookie)."""
    verifier, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge, client_id=client_id, redirect_uri=redirect_uri, **query),
               cookie=cookie)  # fmt: skip
    if page.status == 200:
        cookie = cookie or browser_cookie(page)
        txn, csrf = consent_fields(page)
        page = post(env, "/consent", {"txn": txn, "csrf": csrf, "decision": "allow"}, cookie=cookie)
    url, upstream_query = location(page)
    assert url == f"{UPSTREAM}/authorize"
    cognito_code = f"cognito-code-{secrets.token_hex(4)}"
    env.upstream.challenges[cognito_code] = upstream_query["code_challenge"]
    back = get(env, "/callback", {"state": upstream_query["state"], "code": cognito_code}, cookie=cookie)
    url, client_query = location(back)
    assert url == redirect_uri
    assert client_query["state"] == CLIENT_STATE and client_query["iss"] == ISSUER
    return client_query["code"], verifier, cookie


def redeem(env: Env, code: str, verifier: str, **overrides) -> Response:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "client_id": CIMD_ID,
            "redirect_uri": REDIRECT, **overrides}  # fmt: skip
    return post(env, "/token", {k: v for k, v in form.items() if v is not None})


def body(response: Response) -> dict:
    return json.loads(response.body)
