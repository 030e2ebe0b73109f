"""The official clients, as a user runs them: the Python SDK in process, the TypeScript SDK in Node."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from constructs_lib.transport import SCOPE
from front_door.managed_login import User

from .conftest import MFA_CODE, ROOT, Deployment

TS_CLIENT = Path(__file__).resolve().parent / "ts_client.mjs"
TS_SIGN_IN_CLIENT = Path(__file__).resolve().parent / "ts_sign_in_client.mjs"
# Where a native MCP host listens for the code (RFC 8252 loopback); nothing needs to listen
# here, since the test's browser stops at this redirect.
REDIRECT_URI = "http://127.0.0.1:33418/callback"


class MemoryTokens:
    """Token storage for one client run."""

    def __init__(self):
        self.tokens = self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, info):
        self.client_info = info



def machine_auth(deployment: Deployment, tenant: str, issuer: str | None = None) -> ClientCredentialsOAuthProvider:
    """The SDK's client-credentials provider for one tenant's app client (the pool's issuer
    unless another is named)."""
    return ClientCredentialsOAuthProvider(
        server_url=deployment.endpoint, storage=MemoryTokens(), client_id=tenant,
        client_secret=deployment.clients[tenant], scope=SCOPE, issuer=issuer or deployment.issuer.issuer,
    )  # fmt: skip

def python_client(deployment: Deployment, tenant: str, mode: str, seconds: float = 40,
                  issuer: str | None = None) -> dict:  # fmt: skip
    """Discover, authenticate, list tools, call whoami and the long tool; what it saw. `issuer`:
    the authorization server the client is configured with (default: the user pool)."""

    async def run() -> dict:
        auth = machine_auth(deployment, tenant, issuer)
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(value, total, message):
            progress.append((value, total, message))

        async with httpx2.AsyncClient(auth=auth, timeout=120) as http:
            async with Client(streamable_http_client(deployment.endpoint, http_client=http), mode=mode) as client:
                tools = await client.list_tools()
                who = await client.call_tool("whoami", {})
                long = await client.call_tool("long_task", {"seconds": seconds, "steps": 4}, progress_callback=on_progress)
                return {
                    "metadata": auth.context.protected_resource_metadata.model_dump(mode="json"),
                    "protocol_version": client.protocol_version,
                    "tools": [t.name for t in tools.tools],
                    "whoami": json.loads(who.content[0].text),
                    "long_task": json.loads(long.content[0].text),
                    "progress": progress,
                }

    return asyncio.run(run())


def node() -> str:
    """The project's Node 22 (linked into .venv by make), else whatever `node` is on PATH."""
    project = ROOT / ".venv" / "bin" / "node"
    return str(project) if project.exists() else shutil.which("node") or "node"


def ts_client(deployment: Deployment, tenant: str, era: str, features: bool = False) -> list[dict]:
    """The TypeScript client's JSON lines (it exits non-zero on any failure); `features`: the
    resources, prompt and elicitation run instead of the tools run."""
    env = {**os.environ, "NODE_NO_WARNINGS": "1"}
    run = subprocess.run(
        [node(), str(TS_CLIENT), deployment.endpoint, tenant, deployment.clients[tenant],
         deployment.issuer.issuer, era, *(["features"] if features else [])],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )  # fmt: skip
    events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0, (events, run.stderr[-2000:])
    return events


class _Form(HTMLParser):
    """A page's title and its (one) form: action, hidden fields and the names of all fields."""

    def __init__(self, page: str):
        super().__init__()
        self.title, self.action, self.hidden, self.names = "", "", {}, set()
        self._in_title = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_title = tag == "title"
        if tag == "form":
            self.action = attrs.get("action") or ""
        elif tag in ("input", "button") and attrs.get("name"):
            self.names.add(attrs["name"])
            if attrs.get("type") == "hidden":
                self.hidden[attrs["name"]] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


class Browser:
    """A person at a browser, for the SDK's redirect and callback handlers: it follows
    redirects and fills in each page's form (consent: allow; login; MFA) until the
    authorization server sends it to the client's redirect URI, whose code it hands back."""

    def __init__(self, user: User, redirect_uri: str = REDIRECT_URI, mfa_code: str = MFA_CODE):
        self.cookies = httpx2.Cookies()  # kept from one sign-in to the next, as a browser does
        self.redirect_uri = redirect_uri
        self.answers = {"username": user.username, "password": user.password, "code": mfa_code, "decision": "allow"}
        self.pages: list[str] = []  # titles of the pages it filled in
        self.result: AuthorizationCodeResult | None = None

    async def visit(self, url: str) -> None:
        async with httpx2.AsyncClient(timeout=30, cookies=self.cookies) as http:
            await self._follow(http, await http.get(url))
            self.cookies = http.cookies

    async def _follow(self, http: httpx2.AsyncClient, response: httpx2.Response) -> None:
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(self.redirect_uri):
                    query = dict(parse_qsl(urlsplit(location).query))
                    assert "code" in query, f"the authorization server refused: {query}"
                    self.result = AuthorizationCodeResult(code=query["code"], state=query.get("state"),
                                                          iss=query.get("iss"))  # fmt: skip
                    return
                response = await http.get(location)
            else:
                assert response.status_code == 200, (response.status_code, response.text)
                form = _Form(response.text)
                self.pages.append(form.title)
                fields = {**form.hidden, **{k: v for k, v in self.answers.items() if k in form.names}}
                response = await http.post(urljoin(str(response.url), form.action), data=fields)
        raise AssertionError(f"no redirect to the client after {self.pages}")

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


def python_sign_in_client(deployment: Deployment, user: User, mode: str, client_metadata_url: str | None = None,
                          tools: tuple[str, ...] = ("whoami",), browser: Browser | None = None) -> dict:  # fmt: skip
    """A person signs in with the SDK's authorization-code provider (CIMD when
    `client_metadata_url` is given and the server takes it, else DCR), lists the tools and
    calls `tools`; what it saw."""
    browser = browser or Browser(user)

    async def run() -> dict:
        storage = MemoryTokens()
        auth = OAuthClientProvider(
            server_url=deployment.endpoint, storage=storage, client_metadata_url=client_metadata_url,
            client_metadata=OAuthClientMetadata(redirect_uris=[REDIRECT_URI], client_name="Python e2e"),
            redirect_handler=browser.visit, callback_handler=browser.callback,
        )  # fmt: skip
        async with httpx2.AsyncClient(auth=auth, timeout=60) as http:
            async with Client(streamable_http_client(deployment.endpoint, http_client=http), mode=mode) as client:
                listed = await client.list_tools()
                called = {name: await client.call_tool(name, {}) for name in tools}
                return {
                    "protocol_version": client.protocol_version,
                    "metadata": auth.context.protected_resource_metadata.model_dump(mode="json"),
                    "client_id": storage.client_info.client_id,
                    "tokens": storage.tokens,
                    "tools": [t.name for t in listed.tools],
                    "results": {name: json.loads(result.content[0].text) for name, result in called.items()},
                    "pages": browser.pages,
                }

    return asyncio.run(run())


def ts_sign_in_client(deployment: Deployment, user: User, era: str) -> list[dict]:
    """The TypeScript client signing a person in with DCR (it exits non-zero on any failure)."""
    env = {**os.environ, "NODE_NO_WARNINGS": "1"}
    run = subprocess.run(
        [node(), str(TS_SIGN_IN_CLIENT), deployment.endpoint, user.username, user.password, MFA_CODE,
         REDIRECT_URI, era],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )  # fmt: skip
    events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0, (events, run.stderr[-2000:])
    return events
