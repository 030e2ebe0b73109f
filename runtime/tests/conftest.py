"""The reference server behind the local front door, on 127.0.0.1, with AWS emulated by moto.

Each deployment runs the app (`mcp_runtime.app`, the image's entry point) and the front door in
threads of this process, so moto's in-process AWS serves the app's STS and DynamoDB calls and
a test can see every call the app makes (`aws_calls`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parent.parent
ROOT = RUNTIME.parent
sys.path[:0] = [str(RUNTIME), str(ROOT)]  # the runtime, and constructs_lib.transport

# Before boto3 reads them: moto's fake account, in one region.
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1")  # fmt: skip
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(proxy, None)

import boto3  # noqa: E402
import uvicorn  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402

from constructs_lib.transport import SCOPE  # noqa: E402
from constructs_lib.signin.authserver import DynamoStore  # noqa: E402
from constructs_lib.signin.authserver.cimd import ClientMetadataError, validate  # noqa: E402
from front_door.gateway import GatewaySettings, create_gateway  # noqa: E402
from front_door.managed_login import User  # noqa: E402
from front_door.sign_in import SignIn, local_sign_in  # noqa: E402
from front_door.tokens import TokenIssuer  # noqa: E402
from mcp_runtime.app import create_app  # noqa: E402
from mcp_runtime.settings import Settings  # noqa: E402

ACCOUNT = "123456789012"
STAGE = "dev"
SESSION_TABLE, USAGE_TABLE = "my-tools-dev-sessions", "my-tools-dev-tenant-usage"
TENANT_PATH = "/my-tools-dev/tenants/"
ROLE_PREFIX = f"arn:aws:iam::{ACCOUNT}:role{TENANT_PATH}"
TEMPLATE_ROLE = ROLE_PREFIX + "my-tools-dev-tenant-template"
# The example tools sleep 1 % of their stated time; the front door scales its limits alike.
TIME_SCALE = 0.01
# Sign-in for people: the facade's state table, the resource server's scopes, the user pool.
SIGN_IN_TABLE = "my-tools-dev-sign-in"
SIGN_IN_SCOPES = (SCOPE, "mcp/admin")
MFA_CODE = "424242"
USERS = (User("ada", "correct horse", "acme"), User("bob", "battery staple"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """An ASGI app under uvicorn in a thread, on 127.0.0.1."""

    def __init__(self, app, port: int):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Deployment:
    endpoint: str
    issuer: TokenIssuer
    settings: Settings
    gateway: GatewaySettings
    base: str
    sign_in: SignIn | None = None
    served: list = field(default_factory=list)
    # With `answers_elsewhere`: what each app instance received, (instance, method or "answer").
    received: list = field(default_factory=list)

    @property
    def clients(self) -> dict[str, str]:
        return self.issuer.clients

    def token(self, tenant: str, scopes: tuple[str, ...] = (SCOPE,)) -> str:
        return self.issuer.issue(tenant, scopes)


@pytest.fixture
def aws():
    """moto's AWS with the stack's session table (tenant-partitioned) and usage table."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=SESSION_TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"},
                       {"AttributeName": "session_id", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"},
                                  {"AttributeName": "session_id", "AttributeType": "S"}],
        )  # fmt: skip
        dynamodb.create_table(
            TableName=USAGE_TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"},
                       {"AttributeName": "period", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"},
                                  {"AttributeName": "period", "AttributeType": "S"}],
        )  # fmt: skip
        yield boto3.session.Session()


@pytest.fixture
def aws_calls(monkeypatch):
    """Every AWS API call the app makes: (service, operation, params, access key, response)."""
    calls: list[tuple[str, str, dict, str, dict]] = []
    original = BaseClient._make_api_call

    def spy(self, operation, params):
        response = original(self, operation, params)
        key = self._request_signer._credentials.access_key
        calls.append((self.meta.service_model.service_name, operation, params, key, response))
        return response

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return calls


TENANT_SETTINGS = dict(
    session_table=SESSION_TABLE, tenant_isolation=True, tenant_role_arn_prefix=ROLE_PREFIX,
    tenant_template_role_arn=TEMPLATE_ROLE, tenant_session_seconds=900, usage_table=USAGE_TABLE,
    usage_ttl_days=90, region="us-east-1",
)  # fmt: skip


def _recording(app, index: int, received: list):
    """The app, noting what each POST to /mcp carried: (instance, method, or "answer")."""

    async def recording(scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        received.append((index, parsed.get("method", "answer") if isinstance(parsed, dict) else None))
        sent = False

        async def replayed():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(scope, replayed, send)

    return recording


@pytest.fixture
def deploy():
    """`deploy(tenants, streaming=True, **settings)`: the server behind the front door."""
    running: list[Served] = []

    def start(tenants=("acme", "globex"), streaming: bool = True, origins=("*",), sign_in=None, server=None,
              answers_elsewhere: bool = False, function_timeout_s: float = 180, **settings) -> Deployment:  # fmt: skip
        """`sign_in(base, issuer) -> SignIn`: people sign in too (see `deploy_sign_in`);
        `server(settings) -> MCPServer`: another server than the reference one;
        `answers_elsewhere`: a second app instance (another execution environment) receives
        every client answer to a server-initiated request (the gateway's test-only option)."""
        app_port, door_port, answers_port = free_port(), free_port(), free_port()
        received: list = []
        base = f"http://127.0.0.1:{door_port}"
        issuer = TokenIssuer(issuer=f"{base}/local-pool", clients={t: f"secret-{t}" for t in tenants}, scopes=(SCOPE,))
        people = sign_in(base, issuer) if sign_in else None
        app_settings = Settings(time_scale=TIME_SCALE, allowed_origins=tuple(origins),
                                sign_in_client_id=people.login.client_id if people else None, **settings)  # fmt: skip
        instances = [(app_port, 0)] + ([(answers_port, 1)] if answers_elsewhere else [])
        for port, index in instances:
            app = create_app(app_settings, server(app_settings) if server else None)
            running.append(Served(_recording(app, index, received) if answers_elsewhere else app, port))
        gateway = GatewaySettings(app_url=f"http://127.0.0.1:{app_port}", stage=STAGE, allowed_origins=tuple(origins),
                                  streaming=streaming, function_timeout_s=function_timeout_s, time_scale=TIME_SCALE,
                                  tenant_isolation=app_settings.tenant_isolation,
                                  answers_app_url=f"http://127.0.0.1:{answers_port}" if answers_elsewhere else None)  # fmt: skip
        running.append(Served(create_gateway(gateway, issuer, people), door_port))
        return Deployment(f"{base}/{STAGE}/mcp", issuer, app_settings, gateway, base, people, received=received)

    yield start
    for served in reversed(running):
        served.stop()


@pytest.fixture
def deploy_sign_in(aws, deploy):
    """`deploy_sign_in(documents={}, **settings)`: a deployment (tenant-isolated unless
    `settings` say otherwise) with sign-in for `USERS`; the facade keeps its state in a DynamoDB
    table (moto) and reads a client's metadata document from `documents` (URL -> document)
    instead of the network."""
    aws.client("dynamodb").create_table(
        TableName=SIGN_IN_TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )  # fmt: skip

    def start(documents: dict[str, dict] | None = None, **settings) -> Deployment:
        def fetch_document(url: str, _settings, **_options) -> dict:
            if url not in (documents or {}):
                raise ClientMetadataError("client metadata document could not be fetched")
            return validate(url, documents[url])

        def sign_in(base: str, issuer: TokenIssuer) -> SignIn:
            return local_sign_in(base, STAGE, issuer, USERS, MFA_CODE, "upstream-secret",
                                 DynamoStore(SIGN_IN_TABLE), SIGN_IN_SCOPES, fetch_document=fetch_document)  # fmt: skip

        return deploy(sign_in=sign_in, **(settings or TENANT_SETTINGS))

    return start
