"""The sign-in facade's protocol (constructs_lib/signin/authserver/core.py), driven through
`AuthServer.handle` with a fake Cognito, a memory store and an injected clock.

Each security test shows a hostile request refused; the happy paths show what is allowed.
"""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from constructs_lib.signin.authserver.http import RepeatedParameter, Request, parse_query
from constructs_lib.signin.authserver.redirects import check_pattern, pattern_allows
from constructs_lib.signin.authserver.upstream import UpstreamError

from .test_authserver_helpers import (
    CIMD_ID, CLIENT_STATE, IP, ISSUER, OTHER_CIMD_ID, REDIRECT, UPSTREAM, UPSTREAM_SECRET, authorize_query,
    body, browser_cookie, consent_fields, document, get, location, make_env, pkce, post, redeem, request, sign_in,
)  # fmt: skip

DAY = 86400


@pytest.fixture
def env():
    return make_env()


def refresh(env, handle, client_id=CIMD_ID):
    return post(env, "/token", {"grant_type": "refresh_token", "refresh_token": handle, "client_id": client_id})


def register(env, ip=IP, **metadata):
    payload = {"redirect_uris": [REDIRECT], "client_name": "DCR Client", **metadata}
    return env.server.handle(request("POST", "/register", body=json.dumps(payload).encode(),
                                     headers={"content-type": "application/json"}, ip=ip))  # fmt: skip


def assert_error_page(response, status=400):
    """An HTML error page, never a redirect (RFC 6749 4.1.2.1)."""
    assert response.status == status
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")


# --- metadata and the happy paths ---


def test_metadata_describes_the_facade(env):
    for path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
        answer = get(env, path)
        meta = body(answer)
        assert answer.status == 200 and answer.headers["Cache-Control"] == "max-age=300"
        assert meta["issuer"] == ISSUER and meta["authorization_endpoint"] == f"{ISSUER}/authorize"
        assert meta["token_endpoint"] == f"{ISSUER}/token" and meta["registration_endpoint"] == f"{ISSUER}/register"
        assert meta["code_challenge_methods_supported"] == ["S256"]
        assert meta["client_id_metadata_document_supported"] is True
        assert meta["authorization_response_iss_parameter_supported"] is True
        assert meta["scopes_supported"] == ["mcp/invoke", "mcp/admin"]
    only_cimd = body(get(make_env(client_registration=("cimd",)), "/.well-known/oauth-authorization-server"))
    assert "registration_endpoint" not in only_cimd
    only_dcr = body(get(make_env(client_registration=("dcr",)), "/.well-known/oauth-authorization-server"))
    assert only_dcr["client_id_metadata_document_supported"] is False


def test_resource_metadata_names_the_facade_as_the_authorization_server(env):
    """Served where API Gateway cannot answer it itself (the HTTP API): the same document the
    REST API's static responses and the stack's metadata function write."""
    from constructs_lib.transport import protected_resource_metadata

    for path, resource in (("/.well-known/oauth-protected-resource", ISSUER),
                           ("/.well-known/oauth-protected-resource/mcp", f"{ISSUER}/mcp")):  # fmt: skip
        answer = get(env, path)
        assert answer.status == 200 and answer.headers["Cache-Control"] == "max-age=300"
        assert body(answer) == protected_resource_metadata(resource, ISSUER, ("mcp/invoke", "mcp/admin"), "MCP server")


def test_browser_clients_read_metadata_token_and_register_across_origins_and_nothing_else(env):
    preflight = env.server.handle(request("OPTIONS", "/token"))
    assert preflight.status == 204 and "content-type" in preflight.headers["Access-Control-Allow-Headers"]
    for path in ("/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource/mcp"):
        assert get(env, path).headers["Access-Control-Allow-Origin"] == "*"
    assert post(env, "/token", {"grant_type": "nonsense"}).headers["Access-Control-Allow-Origin"] == "*"
    # Page navigations carry no CORS: another origin cannot read a consent page or a code.
    assert "Access-Control-Allow-Origin" not in get(env, "/authorize", {"client_id": "x"}).headers
    assert env.server.handle(request("OPTIONS", "/authorize")).status == 404


def test_with_the_pool_s_issuer_the_metadata_lists_it_and_oidc_discovery_finds_its_keys():
    pool = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_people"
    env = make_env(upstream_issuer=pool)
    assert body(get(env, "/.well-known/oauth-protected-resource/mcp"))["authorization_servers"] == [ISSUER, pool]
    oidc = body(get(env, "/.well-known/openid-configuration"))
    assert oidc["jwks_uri"] == f"{pool}/.well-known/jwks.json"
    assert oidc["subject_types_supported"] == ["public"] and oidc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "jwks_uri" not in body(get(env, "/.well-known/oauth-authorization-server"))


def test_cimd_client_signs_in_and_gets_cognitos_access_token(env):
    code, verifier, _ = sign_in(env)
    answer = redeem(env, code, verifier)
    tokens = body(answer)
    assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    assert tokens["access_token"].startswith("cognito-access-1-") and tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "mcp/invoke" and tokens["expires_in"] == 3600
    # Cognito's refresh and id tokens stay with the facade; the client gets a handle.
    assert "id_token" not in tokens and "cognito" not in tokens["refresh_token"]
    assert ("exchange_code", env.upstream.calls[-1][1]) == env.upstream.calls[-1]


def test_consent_is_remembered_per_browser_and_client(env):
    _, _, cookie = sign_in(env)
    verifier, challenge = pkce()
    again = get(env, "/authorize", authorize_query(challenge), cookie=cookie)
    assert location(again)[0] == f"{UPSTREAM}/authorize"  # straight to Cognito
    # Another client, same browser: asked again.
    other = get(env, "/authorize", authorize_query(challenge, client_id=OTHER_CIMD_ID), cookie=cookie)
    assert other.status == 200 and b"Allow" in other.body
    # Same client, another browser: asked again.
    assert get(env, "/authorize", authorize_query(challenge)).status == 200
    # Same client and browser, more scopes (a step-up): asked again, naming the new scope.
    wider = get(env, "/authorize", authorize_query(challenge, scope="mcp/invoke mcp/admin"), cookie=cookie)
    assert wider.status == 200 and b"mcp/admin" in wider.body


def test_the_first_scope_is_always_granted(env):
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge, scope="mcp/admin"))
    assert b"mcp/invoke" in page.body and b"mcp/admin" in page.body
    page = get(env, "/authorize", authorize_query(challenge, scope=None))
    assert b"mcp/invoke" in page.body and b"mcp/admin" not in page.body


def test_secure_cookies_use_the_host_prefix(env):
    _, challenge = pkce()
    cookie = get(env, "/authorize", authorize_query(challenge)).cookies[0]
    assert cookie.startswith("__Host-mcp_browser=")
    assert all(part in cookie for part in ("; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"))
    local = make_env(issuer="http://127.0.0.1:3000/dev", resource="http://127.0.0.1:3000/dev/mcp")
    cookie = get(local, "/authorize", authorize_query(challenge, resource=None)).cookies[0]
    assert cookie.startswith("mcp_browser=") and "Secure" not in cookie


def test_cimd_documents_are_cached_and_failures_briefly(env):
    _, challenge = pkce()
    get(env, "/authorize", authorize_query(challenge))
    get(env, "/authorize", authorize_query(challenge))
    assert env.fetched == [CIMD_ID]
    env.clock.now += 301
    get(env, "/authorize", authorize_query(challenge))
    assert env.fetched == [CIMD_ID, CIMD_ID]
    missing = "https://client.example.test/missing.json"
    for _ in range(2):
        assert_error_page(get(env, "/authorize", authorize_query(challenge, client_id=missing)))
    assert env.fetched[-2:] == [CIMD_ID, missing]  # one fetch for both
    env.clock.now += 31
    assert_error_page(get(env, "/authorize", authorize_query(challenge, client_id=missing)))
    assert env.fetched[-1:] == [missing]


def test_client_credentials_pass_through_unchanged(env):
    machine = "Basic " + base64.b64encode(b"machine-client:machine-secret").decode()
    form = {"grant_type": "client_credentials", "scope": "mcp/invoke"}
    answer = post(env, "/token", form, headers={"authorization": machine})
    assert answer.status == 200 and body(answer)["access_token"] == "machine-token"
    assert env.upstream.calls[-1] == ("client_credentials", form, machine)


def test_unknown_paths_and_grants(env):
    assert get(env, "/nowhere").status == 404
    assert get(env, "/token").status == 404
    answer = post(env, "/token", {"grant_type": "password", "username": "a", "password": "b"})
    assert answer.status == 400 and body(answer)["error"] == "unsupported_grant_type"


# --- redirect URIs ---


def test_refused_redirect_uri_not_registered_by_the_cimd_client(env):
    _, challenge = pkce()
    answer = get(env, "/authorize", authorize_query(challenge, redirect_uri="http://127.0.0.1:43210/elsewhere"))
    assert_error_page(answer)
    assert b"not registered" in answer.body


def test_refused_redirect_uri_not_registered_by_the_dcr_client(env):
    client_id = body(register(env))["client_id"]
    _, challenge = pkce()
    answer = get(env, "/authorize", authorize_query(challenge, client_id=client_id,
                                                     redirect_uri="http://127.0.0.1:9/other"))  # fmt: skip
    assert_error_page(answer)
    # The registered one works.
    assert get(env, "/authorize", authorize_query(challenge, client_id=client_id)).status == 200


def test_refused_redirect_uri_registered_but_not_allowed_by_the_operator(env):
    hostile = "https://collector.example.test/cb"
    env.documents[CIMD_ID] = document(redirect_uris=[REDIRECT, hostile])
    _, challenge = pkce()
    answer = get(env, "/authorize", authorize_query(challenge, redirect_uri=hostile))
    assert_error_page(answer)
    assert b"not allow" in answer.body
    dcr = register(env, redirect_uris=[hostile], application_type="web")
    assert dcr.status == 400 and body(dcr)["error"] == "invalid_redirect_uri"
    # Once the operator allows the host, the same client may use it.
    allowed = make_env(allowed_redirect_uris=("https://collector.example.test/cb",))
    allowed.documents[CIMD_ID] = document(redirect_uris=[hostile])
    assert get(allowed, "/authorize", authorize_query(challenge, redirect_uri=hostile)).status == 200


@pytest.mark.parametrize("pattern, uri, allowed", [
    ("http://127.0.0.1:*/*", "http://127.0.0.1:5555/callback", True),
    ("http://127.0.0.1:*/*", "http://127.0.0.1/callback", True),
    ("http://localhost:*/*", "http://LOCALHOST:80/cb?x=1", True),
    ("http://[::1]:*/*", "http://[::1]:8080/cb", True),
    ("https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback", True),
    ("https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback/x", False),
    ("https://claude.ai/api/mcp/auth_callback", "https://claude.ai:8443/api/mcp/auth_callback", False),
    ("https://claude.ai/api/mcp/auth_callback", "http://claude.ai/api/mcp/auth_callback", False),
    ("https://claude.ai/api/*", "https://claude.ai/api/anything/here", True),
    ("https://claude.ai/api/*", "https://claude.ai/other", False),
    ("https://claude.ai/api/*", "https://claude.ai/api/../other", False),
    ("https://claude.ai/api/*", "https://claude.ai/api/%2e%2e/other", False),
    ("https://claude.ai/api/*", "https://evil.claude.ai/api/x", False),
    ("https://claude.ai/api/*", "https://claude.ai.evil.test/api/x", False),
    ("http://127.0.0.1:*/*", "http://127.0.0.1:5555@evil.test/cb", False),
    ("http://127.0.0.1:*/*", "http://user@127.0.0.1:5555/cb", False),
    ("http://127.0.0.1:*/*", "http://127.0.0.1:5555/cb#frag", False),
    ("http://127.0.0.1:*/*", "http://127.0.0.2:5555/cb", False),
    ("http://127.0.0.1:*/*", "http://127.0.0.1:notaport/cb", False),
    ("https://*.example.com/*", "https://a.example.com/cb", False),
])  # fmt: skip
def test_pattern_allows(pattern, uri, allowed):
    assert pattern_allows(pattern, uri) is allowed


def test_check_pattern_refuses_wildcard_hosts_and_plain_http_off_loopback():
    assert check_pattern("http://127.0.0.1:*/*") is None
    assert check_pattern("https://claude.ai/api/mcp/auth_callback") is None
    assert "loopback" in check_pattern("http://example.com/cb")
    assert "`*`" in check_pattern("https://*.example.com/cb")
    assert "`*`" in check_pattern("https://example.com/cb*")
    assert check_pattern("https://example.com/cb#x") is not None
    assert check_pattern("https://u@example.com/cb") is not None
    assert check_pattern("not a url") is not None
    # A private-use scheme (Cursor's) only as one exact URI; never a scheme a browser runs itself.
    assert check_pattern("cursor://anysphere.cursor-mcp/oauth/callback") is None
    assert "`*`" in check_pattern("cursor://anysphere.cursor-mcp/*")
    assert check_pattern("javascript://x/%0aalert(1)") is not None
    assert pattern_allows("cursor://anysphere.cursor-mcp/oauth/callback", "cursor://anysphere.cursor-mcp/oauth/callback")
    assert not pattern_allows("cursor://anysphere.cursor-mcp/oauth/callback", "cursor://anysphere.cursor-mcp/oauth/callback2")


def test_a_loopback_redirect_matches_its_registration_on_any_port(env):
    """RFC 8252 7.3: VS Code registers http://127.0.0.1/ and listens where a port is free."""
    answer = register(env, redirect_uris=["http://127.0.0.1/", "https://vscode.dev/redirect"],
                      grant_types=["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"])
    client = body(answer)
    # The operator's default patterns admit the loopback redirect only; the device grant is left out.
    assert answer.status == 201 and client["redirect_uris"] == ["http://127.0.0.1/"]
    assert client["grant_types"] == ["authorization_code", "refresh_token"]
    code, verifier, _ = sign_in(env, client_id=client["client_id"], redirect_uri="http://127.0.0.1:40123/")
    assert redeem(env, code, verifier, client_id=client["client_id"], redirect_uri="http://127.0.0.1:40123/").status == 200
    # Another path or host is still another redirect.
    _, challenge = pkce()
    for other in ("http://127.0.0.1:40123/elsewhere", "http://localhost:40123/"):
        query = authorize_query(challenge, client_id=client["client_id"], redirect_uri=other)
        assert_error_page(get(env, "/authorize", query))


# --- /authorize refusals ---


@pytest.mark.parametrize("overrides", [
    {"code_challenge_method": "plain"},
    {"code_challenge_method": None},
    {"code_challenge": None},
    {"code_challenge": "too-short"},
])  # fmt: skip
def test_refused_pkce_plain_or_missing(env, overrides):
    verifier, challenge = pkce()
    if overrides.get("code_challenge_method") == "plain":
        challenge = verifier[:43]
    answer = get(env, "/authorize", authorize_query(challenge, **overrides))
    url, query = location(answer)
    assert url == REDIRECT and query == {"error": "invalid_request", "state": CLIENT_STATE, "iss": ISSUER}
    assert not env.upstream.calls


def test_refused_missing_state(env):
    _, challenge = pkce()
    assert_error_page(get(env, "/authorize", authorize_query(challenge, state=None)))
    assert_error_page(get(env, "/authorize", authorize_query(challenge, state="")))


def test_refused_unknown_scope(env):
    _, challenge = pkce()
    _, query = location(get(env, "/authorize", authorize_query(challenge, scope="mcp/invoke aws/everything")))
    assert query["error"] == "invalid_scope"


def test_refused_other_response_type(env):
    _, challenge = pkce()
    _, query = location(get(env, "/authorize", authorize_query(challenge, response_type="token")))
    assert query["error"] == "unsupported_response_type"


def test_refused_resource_of_another_server_at_authorize(env):
    _, challenge = pkce()
    _, query = location(get(env, "/authorize", authorize_query(challenge, resource="https://other.example.test/mcp")))
    assert query["error"] == "invalid_target"
    assert get(env, "/authorize", authorize_query(challenge, resource=ISSUER)).status == 200


def test_refused_unknown_or_disabled_clients(env):
    _, challenge = pkce()
    assert_error_page(get(env, "/authorize", authorize_query(challenge, client_id="no-such-registration")))
    assert_error_page(get(env, "/authorize", authorize_query(challenge, client_id=None)))
    dcr_only = make_env(client_registration=("dcr",))
    assert_error_page(get(dcr_only, "/authorize", authorize_query(challenge)))
    assert dcr_only.fetched == []


def test_refused_repeated_query_parameter():
    assert parse_query("a=1&b=2") == {"a": "1", "b": "2"}
    with pytest.raises(RepeatedParameter):
        parse_query("client_id=a&redirect_uri=x&client_id=b")


def test_refused_repeated_form_parameter_at_token(env):
    code, verifier, _ = sign_in(env)
    form = f"grant_type=authorization_code&code={code}&code_verifier={verifier}&client_id={CIMD_ID}"
    form += f"&redirect_uri={REDIRECT}&code_verifier=other"
    answer = env.server.handle(request("POST", "/token", body=form.encode()))
    assert answer.status == 400 and body(answer)["error"] == "invalid_request"


# --- consent ---


def test_refused_consent_skipped(env):
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    txn, _ = consent_fields(page)
    # Straight to the callback with the transaction id, as if Cognito had sent the person back.
    answer = get(env, "/callback", {"state": txn, "code": "cognito-code"}, cookie=browser_cookie(page))
    assert_error_page(answer)
    assert b"not approved" in answer.body
    # And the transaction is gone: consenting now does not revive it.
    consent = post(env, "/consent", {"txn": txn, "csrf": consent_fields(page)[1], "decision": "allow"},
                   cookie=browser_cookie(page))  # fmt: skip
    assert_error_page(consent)


@pytest.mark.parametrize("case", ["wrong csrf", "no csrf", "another browser", "no cookie"])
def test_refused_consent_post_with_wrong_csrf_or_browser(env, case):
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    txn, csrf = consent_fields(page)
    cookie = browser_cookie(page)
    form = {"txn": txn, "csrf": csrf, "decision": "allow"}
    if case == "wrong csrf":
        form["csrf"] = csrf[:-2] + "xx"
    elif case == "no csrf":
        del form["csrf"]
    elif case == "another browser":
        cookie = browser_cookie(get(env, "/authorize", authorize_query(challenge)))
    else:
        cookie = None
    assert_error_page(post(env, "/consent", form, cookie=cookie), 403)
    assert not env.upstream.calls
    assert not [key for key in env.store._items if key.startswith("consent#")]


def test_refused_callback_in_another_browser(env):
    """A person lured to the Cognito link of someone else's consented transaction."""
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    txn, csrf = consent_fields(page)
    _, upstream_query = location(post(env, "/consent", {"txn": txn, "csrf": csrf, "decision": "allow"},
                                      cookie=browser_cookie(page)))  # fmt: skip
    victim = browser_cookie(get(env, "/authorize", authorize_query(challenge)))
    assert_error_page(get(env, "/callback", {"state": upstream_query["state"], "code": "c"}, cookie=victim), 403)
    assert_error_page(get(env, "/callback", {"state": upstream_query["state"], "code": "c"}))


def test_deny_sends_access_denied_to_the_client(env):
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    txn, csrf = consent_fields(page)
    url, query = location(post(env, "/consent", {"txn": txn, "csrf": csrf, "decision": "deny"},
                               cookie=browser_cookie(page)))  # fmt: skip
    assert url == REDIRECT and query == {"error": "access_denied", "state": CLIENT_STATE, "iss": ISSUER}


def test_cognito_error_goes_back_to_the_client(env):
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    txn, csrf = consent_fields(page)
    cookie = browser_cookie(page)
    _, upstream_query = location(post(env, "/consent", {"txn": txn, "csrf": csrf, "decision": "allow"}, cookie=cookie))
    _, query = location(get(env, "/callback", {"state": upstream_query["state"], "error": "<weird>"}, cookie=cookie))
    assert query == {"error": "access_denied", "state": CLIENT_STATE, "iss": ISSUER}


def test_consent_page_escapes_a_hostile_client_name(env):
    env.documents[CIMD_ID] = document(client_name="<script>alert('x')</script><img src=x onerror=alert(1)>")
    _, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge))
    html = page.body.decode()
    assert page.status == 200
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    csp = page.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https://login.example.test")
    assert "script-src" not in csp
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert REDIRECT in html and "127.0.0.1:43210" in html and CIMD_ID in html


# --- /token: codes ---


def test_refused_code_replay(env):
    code, verifier, _ = sign_in(env)
    first = redeem(env, code, verifier)
    assert first.status == 200
    replay = redeem(env, code, verifier)
    assert replay.status == 400 and body(replay) == {"error": "invalid_grant"}
    assert replay.headers["Cache-Control"] == "no-store"
    # What the first redemption issued is revoked (RFC 6749 4.1.2).
    assert body(refresh(env, body(first)["refresh_token"]))["error"] == "invalid_grant"


def test_refused_expired_code(env):
    code, verifier, _ = sign_in(env)
    env.clock.now += 61
    answer = redeem(env, code, verifier)
    assert answer.status == 400 and body(answer)["error"] == "invalid_grant"
    assert not [c for c in env.upstream.calls if c[0] == "exchange_code"]


def test_refused_wrong_verifier_and_the_code_is_burnt(env):
    code, verifier, _ = sign_in(env)
    other, _ = pkce()
    assert body(redeem(env, code, other))["error"] == "invalid_grant"
    assert body(redeem(env, code, verifier))["error"] == "invalid_grant"
    code, verifier, _ = sign_in(env)
    assert body(redeem(env, code, None))["error"] == "invalid_grant"


def test_refused_code_used_by_another_client(env):
    code, verifier, _ = sign_in(env)
    answer = redeem(env, code, verifier, client_id=OTHER_CIMD_ID)
    assert answer.status == 400 and body(answer)["error"] == "invalid_grant"


def test_refused_code_with_another_redirect_uri(env):
    code, verifier, _ = sign_in(env)
    answer = redeem(env, code, verifier, redirect_uri="http://127.0.0.1:43210/other")
    assert answer.status == 400 and body(answer)["error"] == "invalid_grant"
    code, verifier, _ = sign_in(env)
    assert body(redeem(env, code, verifier, redirect_uri=None))["error"] == "invalid_grant"


def test_refused_resource_of_another_server_at_token(env):
    code, verifier, _ = sign_in(env)
    answer = redeem(env, code, verifier, resource="https://other.example.test/mcp")
    assert answer.status == 400 and body(answer)["error"] == "invalid_target"
    code, verifier, _ = sign_in(env)
    assert redeem(env, code, verifier, resource=f"{ISSUER}/mcp").status == 200


def test_refused_unknown_client_at_token(env):
    code, verifier, _ = sign_in(env)
    answer = redeem(env, code, verifier, client_id="nobody")
    assert answer.status == 401 and body(answer)["error"] == "invalid_client"


# --- /token: refresh ---


def test_refresh_rotates_and_reuse_kills_the_family(env):
    code, verifier, _ = sign_in(env)
    first = body(redeem(env, code, verifier))["refresh_token"]
    rotated = refresh(env, first)
    second = body(rotated)["refresh_token"]
    assert rotated.status == 200 and second != first
    assert body(rotated)["access_token"].startswith("cognito-access-2-")
    assert env.upstream.calls[-1] == ("refresh", "cognito-refresh-1-SECRET")
    # The old handle comes back: refused, and the family dies with it, at Cognito too.
    assert body(refresh(env, first))["error"] == "invalid_grant"
    assert env.upstream.calls[-1] == ("revoke", "cognito-refresh-1-SECRET")
    assert body(refresh(env, second))["error"] == "invalid_grant"


def test_a_refresh_cognito_cannot_answer_keeps_the_handle_for_a_retry(env):
    code, verifier, _ = sign_in(env)
    handle = body(redeem(env, code, verifier))["refresh_token"]
    working = env.upstream.refresh

    def unavailable(token):
        raise UpstreamError(502, {"error": "temporarily_unavailable"})

    env.upstream.refresh = unavailable
    failed = refresh(env, handle)
    assert failed.status == 503 and body(failed)["error"] == "temporarily_unavailable"
    env.upstream.refresh = working
    retried = refresh(env, handle)  # the same handle: not a reuse, the family lives
    assert retried.status == 200 and refresh(env, body(retried)["refresh_token"]).status == 200


def test_refused_refresh_by_another_client(env):
    code, verifier, _ = sign_in(env)
    handle = body(redeem(env, code, verifier))["refresh_token"]
    assert body(refresh(env, handle, client_id=OTHER_CIMD_ID))["error"] == "invalid_grant"


def test_refused_refresh_asking_for_more_scope(env):
    code, verifier, _ = sign_in(env)
    handle = body(redeem(env, code, verifier))["refresh_token"]
    answer = post(env, "/token", {"grant_type": "refresh_token", "refresh_token": handle, "client_id": CIMD_ID,
                                  "scope": "mcp/admin"})  # fmt: skip
    assert body(answer)["error"] == "invalid_scope"


# --- DCR ---


def test_dcr_registers_a_public_native_client_that_signs_in(env):
    answer = register(env)
    client = body(answer)
    assert answer.status == 201 and answer.headers["Cache-Control"] == "no-store"
    assert client["application_type"] == "native" and client["token_endpoint_auth_method"] == "none"
    assert client["redirect_uris"] == [REDIRECT] and "client_secret" not in client
    code, verifier, _ = sign_in(env, client_id=client["client_id"])
    assert redeem(env, code, verifier, client_id=client["client_id"]).status == 200


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_dcr_confidential_client_authenticates(env, method):
    client = body(register(env, token_endpoint_auth_method=method))
    client_id, secret = client["client_id"], client["client_secret"]
    assert client["client_secret_expires_at"] == 0
    assert secret not in str(env.store._items)  # stored hashed
    code, verifier, _ = sign_in(env, client_id=client_id)
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": REDIRECT}  # fmt: skip

    def basic(s):
        return {"authorization": "Basic " + base64.b64encode(f"{client_id}:{s}".encode()).decode()}

    def attempt(s):
        if method == "client_secret_basic":
            return post(env, "/token", form, headers=basic(s))
        return post(env, "/token", {**form, "client_id": client_id, "client_secret": s})

    for refused in (attempt("not-the-secret"), post(env, "/token", {**form, "client_id": client_id})):
        assert refused.status == 401 and body(refused)["error"] == "invalid_client"
    # Authentication comes before the code is taken, so the refused attempts did not burn it.
    assert attempt(secret).status == 200


def test_refused_dcr_over_the_rate_limit(env):
    for _ in range(20):
        assert register(env).status == 201
    answer = register(env)
    assert answer.status == 429 and int(answer.headers["Retry-After"]) > 0
    assert register(env, ip="203.0.113.9").status == 201  # another address
    env.clock.now += 3600
    assert register(env).status == 201  # the next hour


def test_refused_dcr_web_client_with_plain_http_redirect(env):
    answer = register(env, application_type="web")
    assert answer.status == 400 and body(answer)["error"] == "invalid_redirect_uri"


@pytest.mark.parametrize("metadata", [
    {"redirect_uris": []},
    {"redirect_uris": "http://127.0.0.1:1/cb"},
    {"redirect_uris": ["https://evil.example.test/cb"]},
    {"redirect_uris": ["http://127.0.0.1:1/cb#x"]},
    {"application_type": "browser"},
    {"grant_types": ["client_credentials"]},
    {"grant_types": ["implicit"]},
    {"response_types": ["token"]},
    {"token_endpoint_auth_method": "private_key_jwt"},
    {"client_name": "x" * 201},
    {"client_name": ["not", "a", "string"]},
])  # fmt: skip
def test_refused_bad_dcr_metadata(env, metadata):
    answer = register(env, **metadata)
    assert answer.status == 400 and body(answer)["error"] in ("invalid_redirect_uri", "invalid_client_metadata")


def test_refused_dcr_garbage_and_when_disabled(env):
    for raw in (b"not json", b"[1, 2]", b"\xff\xfe", b"{" * 20000):
        answer = env.server.handle(request("POST", "/register", body=raw))
        assert answer.status == 400 and body(answer)["error"] in ("invalid_client_metadata", "invalid_request")
    assert register(make_env(client_registration=("cimd",))).status == 404


def test_dcr_registrations_expire_when_unused(env):
    client_id = body(register(env))["client_id"]
    _, challenge = pkce()
    for _ in range(3):  # used every 29 days: kept
        env.clock.now += 29 * DAY
        assert get(env, "/authorize", authorize_query(challenge, client_id=client_id)).status == 200
    env.clock.now += 31 * DAY
    assert_error_page(get(env, "/authorize", authorize_query(challenge, client_id=client_id)))


# --- logs ---


def test_nothing_secret_in_logs(env, caplog):
    caplog.set_level(logging.DEBUG)
    client = body(register(env, token_endpoint_auth_method="client_secret_post"))
    secrets_seen = [UPSTREAM_SECRET, client["client_secret"], "cognito-refresh-", "cognito-id-token"]
    verifier, challenge = pkce()
    page = get(env, "/authorize", authorize_query(challenge, client_id=client["client_id"]))
    cookie = browser_cookie(page)
    txn, csrf = consent_fields(page)
    _, upstream_query = location(post(env, "/consent", {"txn": txn, "csrf": csrf, "decision": "allow"}, cookie=cookie))
    env.upstream.challenges["cognito-code-SECRET"] = upstream_query["code_challenge"]
    _, query = location(get(env, "/callback", {"state": upstream_query["state"], "code": "cognito-code-SECRET"},
                            cookie=cookie))  # fmt: skip
    form = {"grant_type": "authorization_code", "code": query["code"], "code_verifier": verifier,
            "client_id": client["client_id"], "client_secret": client["client_secret"], "redirect_uri": REDIRECT}
    tokens = body(post(env, "/token", form))
    again = body(post(env, "/token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                      "client_id": client["client_id"], "client_secret": client["client_secret"]}))
    post(env, "/token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                         "client_id": client["client_id"], "client_secret": client["client_secret"]})  # reuse
    post(env, "/token", form)  # replay
    env.server.handle(Request("POST", "/token", {}, {}, b"\xff" + verifier.encode(), IP))
    secrets_seen += [verifier, challenge, cookie.split("=", 1)[1], txn, csrf, upstream_query["code_challenge"],
                     query["code"], tokens["access_token"], tokens["refresh_token"], again["refresh_token"],
                     again["access_token"], "cognito-code-SECRET"]  # fmt: skip
    assert caplog.records, "the flow logs what happened"
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in secrets_seen:
        assert secret not in text


# --- never a 5xx ---

_SERVER = make_env()
_, _CHALLENGE = pkce()
PARAMETERS = ["client_id", "redirect_uri", "state", "code", "code_challenge", "code_challenge_method", "scope",
              "resource", "response_type", "grant_type", "refresh_token", "code_verifier", "txn", "csrf",
              "decision", "client_secret", "error"]  # fmt: skip
VALUES = st.one_of(st.text(max_size=40), st.sampled_from([CIMD_ID, REDIRECT, "S256", "plain", "code", _CHALLENGE,
                   "authorization_code", "refresh_token", "client_credentials", "allow", "https://127.0.0.1/x"]))
PARAMS = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), VALUES, max_size=8)


ROUTES = st.sampled_from(sorted(_SERVER.server.routes))
ANY_ROUTE = st.tuples(st.one_of(st.sampled_from(["GET", "POST", "PUT", "get"]), st.text(max_size=8)),
                      st.one_of(st.sampled_from(["/", "", "/authorize/", "/TOKEN"]), st.text(max_size=30)))


@st.composite
def requests(draw):
    method, path = draw(st.one_of(ROUTES, ROUTES, ROUTES, ANY_ROUTE))  # mostly the real endpoints
    headers = draw(st.dictionaries(st.sampled_from(["cookie", "authorization", "content-type", "origin"]),
                                   st.one_of(st.text(max_size=60), st.just("Basic !!"),
                                             st.just("mcp_browser=x; __Host-mcp_browser=y"))))  # fmt: skip
    body = draw(st.one_of(st.binary(max_size=200), PARAMS.map(lambda d: urlencode(d).encode()),
                          st.just(b'{"redirect_uris": ["http://127.0.0.1:1/cb"]}')))  # fmt: skip
    return Request(method, path, draw(PARAMS), headers, body, draw(st.sampled_from(["", IP, "::1"])))


@hypothesis_settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_handle_never_raises_nor_answers_5xx(incoming):
    answer = _SERVER.server.handle(incoming)
    assert 200 <= answer.status < 500
