"""The sign-in facade's AWS edges: the DynamoDB store (on moto), the Lambda adapter for REST (1.0)
and HTTP API (2.0) events, the pre-token-generation trigger, and the Cognito client against a
loopback HTTP server standing in for /oauth2/token."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import boto3
import pytest

from constructs_lib.signin.authserver import lambda_handler, pre_token
from constructs_lib.signin.authserver.store import DynamoStore
from constructs_lib.signin.authserver.upstream import CognitoUpstream, UpstreamError

from .test_authserver_helpers import (
    Clock, REDIRECT, UPSTREAM_SECRET, body, make_env, make_settings, pkce, post, redeem, sign_in,
)  # fmt: skip

STATE_TABLE = "my-tools-dev-signin-state"


@pytest.fixture
def state_table(aws):
    """The facade's table as the stack creates it: hash key pk, TTL on expires_at."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=STATE_TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )  # fmt: skip
    dynamodb.update_time_to_live(TableName=STATE_TABLE,
                                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    return STATE_TABLE


# --- DynamoStore ---


def test_dynamo_store_take_is_single_use(state_table):
    store = DynamoStore(state_table)
    store.put("code", "abc", {"client_id": "c", "n": 1.5}, 60)
    assert store.get("code", "abc") == {"client_id": "c", "n": 1.5}
    assert store.take("code", "abc") == {"client_id": "c", "n": 1.5}
    assert store.take("code", "abc") is None
    assert store.get("code", "abc") is None
    item = boto3.client("dynamodb").scan(TableName=state_table)["Items"]
    assert item == []


def test_dynamo_store_items_carry_their_ttl_and_kind(state_table):
    clock = Clock()
    DynamoStore(state_table, clock=clock).put("pending", "k", {"a": "b"}, 600)
    [item] = boto3.client("dynamodb").scan(TableName=state_table)["Items"]
    assert item["pk"] == {"S": "pending#k"} and item["expires_at"] == {"N": str(int(clock.now) + 600)}


def test_dynamo_store_expired_items_are_none_before_ttl_deletes_them(state_table):
    clock = Clock()
    store = DynamoStore(state_table, clock=clock)
    store.put("code", "abc", {"x": 1}, 60)
    store.put("refresh", "r", {"x": 2}, 60)
    clock.now += 59
    assert store.get("code", "abc") == {"x": 1}
    store.touch("refresh", "r", 60)  # extended
    clock.now += 2
    assert store.get("code", "abc") is None and store.take("code", "abc") is None
    assert store.get("refresh", "r") == {"x": 2}
    store.touch("refresh", "missing", 60)  # nothing to extend, no error
    assert store.get("refresh", "missing") is None
    store.delete("refresh", "r")
    assert store.get("refresh", "r") is None


def test_dynamo_store_counts_with_dynamodb_s_atomic_add(state_table):
    """Concurrent increments are DynamoDB's to serialize (UpdateItem ADD returns the new value);
    moto serializes nothing, so the test checks the request and the counting, not the race."""
    store = DynamoStore(state_table)
    sent = []
    update = store.client.update_item
    store.client.update_item = lambda **kw: sent.append(kw) or update(**kw)
    assert [store.increment("rate", "ip#1", 3600) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert store.increment("rate", "ip#2", 3600) == 1
    assert all(kw["UpdateExpression"].startswith("ADD ") and kw["ReturnValues"] == "UPDATED_NEW" for kw in sent)


def test_whole_flow_on_dynamodb(state_table):
    env = make_env(store=DynamoStore(state_table))
    env.store.clock = env.clock
    code, verifier, _ = sign_in(env)
    assert redeem(env, code, verifier).status == 200
    assert body(redeem(env, code, verifier))["error"] == "invalid_grant"
    code, verifier, _ = sign_in(env)
    env.clock.now += 61
    assert body(redeem(env, code, verifier))["error"] == "invalid_grant"


# --- the Lambda adapter ---

ENV = {
    "ISSUER": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
    "UPSTREAM_AUTHORIZE_URL": "https://login.example.test/oauth2/authorize",
    "UPSTREAM_TOKEN_URL": "https://login.example.test/oauth2/token",
    "SCOPES": "mcp/invoke mcp/admin", "CLIENT_REGISTRATION": "cimd,dcr", "STATE_TABLE_NAME": STATE_TABLE,
}  # fmt: skip


@pytest.fixture
def lambda_env(state_table, monkeypatch):
    """The facade's environment: its client secret in Secrets Manager, DynamoDB, both on moto."""
    client = {"ClientId": "facade-client-id-0001", "ClientSecret": "upstream-secret-0123456789abcdef"}
    secret = boto3.client("secretsmanager").create_secret(Name="my-tools-dev/sign-in-client",
                                                          SecretString=client["ClientSecret"])  # fmt: skip
    for name, value in {**ENV, "CLIENT_SECRET_ARN": secret["ARN"], "UPSTREAM_CLIENT_ID": client["ClientId"]}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(lambda_handler, "_server", None)
    yield client
    monkeypatch.setattr(lambda_handler, "_server", None)


def v1(method, path, query=None, headers=None, body=None):
    return {
        "resource": "/{proxy+}", "httpMethod": method, "path": path, "headers": headers or {},
        "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query, "body": body, "isBase64Encoded": False,
        "requestContext": {"stage": "dev", "resourcePath": "/{proxy+}", "identity": {"sourceIp": "198.51.100.7"}},
    }  # fmt: skip


def v2(method, path, raw_query="", cookies=None, body=b"", headers=None):
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": raw_query,
        "headers": headers or {}, "body": base64.b64encode(body).decode(), "isBase64Encoded": True,
        "requestContext": {"stage": "dev", "http": {"method": method, "path": path, "sourceIp": "198.51.100.8"}},
    }  # fmt: skip
    if cookies:
        event["cookies"] = cookies
    return event


def test_lambda_reads_the_upstream_secret_from_its_own_secret(lambda_env):
    answer = lambda_handler.handler(v1("GET", "/dev/.well-known/oauth-authorization-server"), None)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["issuer"] == ENV["ISSUER"]
    assert lambda_handler._server.settings.upstream_client_secret == lambda_env["ClientSecret"]
    assert lambda_handler._server.settings.client_registration == ("cimd", "dcr")


def test_lambda_rest_v1_and_http_v2_events(lambda_env):
    registered = lambda_handler.handler(v2("POST", "/dev/register", body=json.dumps({"redirect_uris": [REDIRECT]}).encode(),
                                           headers={"Content-Type": "application/json"}), None)  # fmt: skip
    assert registered["statusCode"] == 201
    client_id = json.loads(registered["body"])["client_id"]
    _, challenge = pkce()
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "state": "s",
             "code_challenge": challenge, "code_challenge_method": "S256"}  # fmt: skip
    # REST (1.0): the stage is stripped from the path; the cookie comes back in multiValueHeaders.
    page = lambda_handler.handler(v1("GET", "/dev/authorize", {k: [v] for k, v in query.items()}), None)
    assert page["statusCode"] == 200 and page["headers"]["Content-Type"].startswith("text/html")
    [cookie] = page["multiValueHeaders"]["Set-Cookie"]
    assert cookie.startswith("__Host-mcp_browser=") and "cookies" not in page
    assert lambda_handler.handler(v1("GET", "/authorize", {k: [v] for k, v in query.items()}), None)["statusCode"] == 200
    html = page["body"]
    txn = html.split("name=txn value='")[1].split("'")[0]
    csrf = html.split("name=csrf value='")[1].split("'")[0]
    # HTTP API (2.0): cookies arrive in `cookies`, the body base64-encoded.
    form = urlencode({"txn": txn, "csrf": csrf, "decision": "allow"}).encode()
    consent = lambda_handler.handler(v2("POST", "/dev/consent", cookies=[cookie.split(";")[0]], body=form), None)
    assert consent["statusCode"] == 302
    assert consent["headers"]["Location"].startswith(ENV["UPSTREAM_AUTHORIZE_URL"] + "?")
    # A new browser on 2.0: its cookie comes back in `cookies`.
    page = lambda_handler.handler(v2("GET", "/dev/authorize", urlencode(query)), None)
    assert page["statusCode"] == 200 and page["cookies"][0].startswith("__Host-mcp_browser=")
    assert "multiValueHeaders" not in page


def test_lambda_refuses_repeated_query_parameters(lambda_env):
    answer = lambda_handler.handler(v2("GET", "/dev/authorize", "client_id=a&state=s&client_id=b"), None)
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["error"] == "invalid_request"
    answer = lambda_handler.handler(v1("GET", "/dev/authorize", {"client_id": ["a", "b"], "state": ["s"]}), None)
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["error"] == "invalid_request"


def test_request_from_event_paths():
    assert lambda_handler.request_from_event(v1("GET", "/dev")).path == "/"
    assert lambda_handler.request_from_event(v1("GET", "/devices/x")).path == "/devices/x"
    default = v2("GET", "/authorize")
    default["requestContext"]["stage"] = "$default"
    assert lambda_handler.request_from_event(default).path == "/authorize"
    request = lambda_handler.request_from_event(v2("GET", "/dev/callback", "a=1&b=", ["x=1", "y=2"]))
    assert request.query == {"a": "1", "b": ""} and request.headers["cookie"] == "x=1; y=2"
    assert request.source_ip == "198.51.100.8"


# --- the pre-token-generation trigger ---


def trigger_event(attributes):
    return {
        "version": "2", "triggerSource": "TokenGeneration_Authentication", "userName": "person",
        "request": {"userAttributes": attributes, "groupConfiguration": {}, "scopes": ["mcp/invoke"]},
        "response": {"claimsAndScopeOverrideDetails": None},
    }  # fmt: skip


def test_pre_token_adds_the_tenant_claim(monkeypatch):
    monkeypatch.setenv("TENANT_ATTRIBUTE", "custom:tenant_id")
    event = pre_token.handler(trigger_event({"sub": "u-1", "custom:tenant_id": "acme"}), None)
    overrides = event["response"]["claimsAndScopeOverrideDetails"]
    assert overrides["accessTokenGeneration"] == {"claimsToAddOrOverride": {"tenant_id": "acme"}}
    assert overrides["idTokenGeneration"] == {"claimsToAddOrOverride": {"tenant_id": "acme"}}
    assert pre_token.TENANT_CLAIM == "tenant_id"


@pytest.mark.parametrize("attributes", [{"sub": "u-1"}, {"sub": "u-1", "custom:tenant_id": ""},
                                        {"sub": "u-1", "tenant_id": "from-elsewhere"}])
def test_pre_token_adds_nothing_without_the_attribute(monkeypatch, attributes):
    monkeypatch.setenv("TENANT_ATTRIBUTE", "custom:tenant_id")
    event = pre_token.handler(trigger_event(attributes), None)
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}


@pytest.mark.parametrize("groups, withheld", [([], ["mcp/admin"]), (["admin"], None), (["mcp/admin", "admins"], ["mcp/admin"])])
def test_pre_token_withholds_a_gated_scope_from_people_outside_its_group(monkeypatch, groups, withheld):
    """Asking for mcp/admin is not having it: only members of the pool group `admin` keep it."""
    monkeypatch.setenv("TENANT_ATTRIBUTE", "custom:tenant_id")
    monkeypatch.setenv("GATED_SCOPES", "mcp/admin mcp/audit")
    event = trigger_event({"sub": "u-1"})
    event["request"] |= {"scopes": ["openid", "mcp/invoke", "mcp/admin"], "groupConfiguration": {"groupsToOverride": groups}}
    overrides = pre_token.handler(event, None)["response"]["claimsAndScopeOverrideDetails"]
    assert (overrides or {}).get("accessTokenGeneration", {}).get("scopesToSuppress") == withheld


# --- the Cognito client, against a loopback token endpoint ---


class TokenEndpoint(BaseHTTPRequestHandler):
    answers: list[tuple[int, bytes]] = []
    received: list[tuple[str, dict, dict]] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        self.received.append((self.path, dict(self.headers), form))
        status, payload = self.answers.pop(0)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def cognito():
    TokenEndpoint.answers, TokenEndpoint.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/oauth2"
    yield CognitoUpstream(make_settings(upstream_authorize_url=f"{base}/authorize", upstream_token_url=f"{base}/token")), TokenEndpoint
    server.shutdown()
    server.server_close()


TOKENS = {"access_token": "at", "id_token": "it", "refresh_token": "rt", "expires_in": 3600, "token_type": "Bearer"}


def test_upstream_authorize_url(cognito):
    upstream, _ = cognito
    url = upstream.authorize_url(state="txn-1", code_challenge="c" * 43, scope="mcp/invoke")
    parts = urlsplit(url)
    assert parts.path == "/oauth2/authorize"
    assert dict(parse_qsl(parts.query)) == {
        "response_type": "code", "client_id": "facade-client", "state": "txn-1", "scope": "mcp/invoke",
        "redirect_uri": "https://abc.execute-api.us-east-1.amazonaws.com/dev/callback",
        "code_challenge": "c" * 43, "code_challenge_method": "S256",
    }  # fmt: skip


def test_upstream_exchange_code_with_basic_auth(cognito):
    upstream, endpoint = cognito
    endpoint.answers.append((200, json.dumps(TOKENS).encode()))
    assert upstream.exchange_code("cognito-code", "v" * 43) == TOKENS
    path, headers, form = endpoint.received[0]
    assert path == "/oauth2/token"
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"facade-client:{UPSTREAM_SECRET}".encode()).decode()
    assert form == {"grant_type": "authorization_code", "client_id": "facade-client", "code": "cognito-code",
                    "code_verifier": "v" * 43,
                    "redirect_uri": "https://abc.execute-api.us-east-1.amazonaws.com/dev/callback"}  # fmt: skip


def test_upstream_revokes_at_cognito_s_revocation_endpoint(cognito):
    upstream, endpoint = cognito
    endpoint.answers += [(200, b""), (400, b'{"error": "unsupported_token_type"}')]
    upstream.revoke("cognito-refresh")
    upstream.revoke("cognito-refresh")  # a refusal is logged, not raised: the handles are dead anyway
    path, headers, form = endpoint.received[0]
    assert path == "/oauth2/revoke" and form == {"token": "cognito-refresh"}
    assert headers["Authorization"].startswith("Basic ")


def test_upstream_errors(cognito):
    upstream, endpoint = cognito
    endpoint.answers += [(400, b'{"error": "invalid_grant"}'), (500, b"<html>oops</html>")]
    with pytest.raises(UpstreamError) as refused:
        upstream.exchange_code("used-code", "v" * 43)
    assert (refused.value.status, refused.value.body) == (400, {"error": "invalid_grant"})
    with pytest.raises(UpstreamError) as broken:
        upstream.refresh("rt")
    assert (broken.value.status, broken.value.body) == (500, {})


def test_upstream_unreachable():
    upstream = CognitoUpstream(make_settings(upstream_token_url="http://127.0.0.1:9/oauth2/token"))
    with pytest.raises(UpstreamError) as unreachable:
        upstream.refresh("rt")
    assert unreachable.value.status == 502


def test_upstream_refresh(cognito):
    upstream, endpoint = cognito
    endpoint.answers.append((200, b'{"access_token": "at2", "expires_in": 3600}'))
    assert upstream.refresh("rt")["access_token"] == "at2"
    assert endpoint.received[0][2] == {"grant_type": "refresh_token", "client_id": "facade-client", "refresh_token": "rt"}


def test_upstream_client_credentials_pass_through(cognito):
    upstream, endpoint = cognito
    endpoint.answers += [(200, b'{"access_token": "m"}'), (401, b'{"error": "invalid_client"}')]
    machine = "Basic " + base64.b64encode(b"machine:secret").decode()
    form = {"grant_type": "client_credentials", "scope": "mcp/invoke"}
    assert upstream.client_credentials(form, machine) == (200, {"access_token": "m"})
    assert upstream.client_credentials(form, None) == (401, {"error": "invalid_client"})
    (_, first, sent), (_, second, _) = endpoint.received
    assert first["Authorization"] == machine and "Authorization" not in second and sent == form


def test_an_unavailable_state_table_is_a_503_not_the_client_s_fault(state_table):
    """DynamoDB throttling or an outage: 503 with Retry-After (a client retries, the 5xx alarm
    sees it), never the 400 that tells a client its request was wrong."""
    from botocore.exceptions import ClientError

    env = make_env(store=DynamoStore(state_table))

    def throttled(**_):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "GetItem")

    env.store.client.get_item = throttled
    answer = post(env, "/token", {"grant_type": "authorization_code", "code": "c", "client_id": "x"})
    assert answer.status == 503 and answer.headers["Retry-After"] == "5"

