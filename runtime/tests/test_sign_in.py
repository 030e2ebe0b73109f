"""Sign-in for people, end to end through the local front door: the official clients find the
facade through the protected-resource metadata, register (by a client metadata document or by
DCR), send the person through consent, the managed-login stand-in (password, then MFA) and
back, and call tools with the person's Cognito access token; the person's tenant comes from the
user pool, never from the client. Machine clients keep working beside them."""

from __future__ import annotations

import json

import httpx2
import pytest

from mcp_runtime.app import resource_metadata_url
from mcp_runtime.identity import identity_from

from .clients import REDIRECT_URI, Browser, python_client, python_sign_in_client, ts_sign_in_client
from .conftest import SIGN_IN_SCOPES, STAGE, USAGE_TABLE, USERS
from .test_clients import ERAS
from .test_contract import ACCEPT, MODERN_META

ADA, BOB = USERS  # ada's tenant is acme; bob has none
CLIENT_DOCUMENT_URL = "https://client.example/mcp/client.json"
SIGN_IN_PAGES = ["Sign in", "Multi-factor authentication"]
NO_TENANT_DATA = dict(region="us-east-1")  # no tenant isolation, sessions or metering


def client_document(redirect_uri: str) -> dict:
    return {"client_id": CLIENT_DOCUMENT_URL, "client_name": "Python e2e", "redirect_uris": [redirect_uri]}

# The consent page's headline: a metadata document's name is vouched for by its host only, a
# registered client's by nobody.
CIMD_CONSENT = "Allow Python e2e (from client.example)?"
DCR_CONSENT = "Allow Python e2e (unverified name)?"


@pytest.mark.parametrize("mode", ERAS)
def test_a_person_signs_in_with_a_client_metadata_document(deploy_sign_in, mode):
    deployment = deploy_sign_in(documents={CLIENT_DOCUMENT_URL: client_document(REDIRECT_URI)})
    seen = python_sign_in_client(deployment, ADA, mode, client_metadata_url=CLIENT_DOCUMENT_URL)
    assert seen["metadata"]["authorization_servers"] == [deployment.sign_in.issuer, deployment.issuer.issuer]
    assert seen["metadata"]["scopes_supported"] == list(SIGN_IN_SCOPES)
    assert seen["client_id"] == CLIENT_DOCUMENT_URL
    assert seen["pages"] == [CIMD_CONSENT, *SIGN_IN_PAGES]
    assert seen["protocol_version"] == ERAS[mode]
    assert "whoami" in seen["tools"] and "admin_stats" in seen["tools"]
    assert seen["results"]["whoami"] == {"tenant": "acme", "protocol_version": ERAS[mode]}


@pytest.mark.parametrize("mode", ERAS)
def test_a_person_signs_in_with_dynamic_client_registration(deploy_sign_in, mode):
    deployment = deploy_sign_in()  # no document: the SDK registers instead
    seen = python_sign_in_client(deployment, ADA, mode)
    assert not seen["client_id"].startswith("https://")
    assert seen["pages"] == [DCR_CONSENT, *SIGN_IN_PAGES]
    assert seen["results"]["whoami"] == {"tenant": "acme", "protocol_version": ERAS[mode]}
    # The facade's own refresh handle, never Cognito's refresh token, reaches the client.
    assert seen["tokens"].refresh_token and seen["tokens"].scope == "mcp/invoke"


def test_a_person_without_a_tenant_has_no_tenant_data(deploy_sign_in):
    seen = python_sign_in_client(deploy_sign_in(**NO_TENANT_DATA), BOB, "2026-07-28")
    assert seen["results"]["whoami"]["tenant"] is None


def test_with_tenant_isolation_a_person_without_a_tenant_is_refused(deploy_sign_in):
    deployment = deploy_sign_in()
    answer = call(deployment, user_token(deployment, BOB, SIGN_IN_SCOPES), "whoami")
    assert answer.status_code == 403
    assert "no verified tenant" in answer.json()["error"]["message"]


def test_consent_is_asked_once_per_browser_and_client(deploy_sign_in):
    deployment = deploy_sign_in(documents={CLIENT_DOCUMENT_URL: client_document(REDIRECT_URI)})
    browser = Browser(ADA)
    for _ in range(2):
        python_sign_in_client(deployment, ADA, "2026-07-28", client_metadata_url=CLIENT_DOCUMENT_URL, browser=browser)
    assert browser.pages == [CIMD_CONSENT, *SIGN_IN_PAGES, *SIGN_IN_PAGES]
    # Another browser (another person, or a page an attacker opened) is asked again.
    another = python_sign_in_client(deployment, ADA, "2026-07-28", client_metadata_url=CLIENT_DOCUMENT_URL)
    assert another["pages"] == [CIMD_CONSENT, *SIGN_IN_PAGES]


def test_a_tool_needing_a_scope_the_token_lacks_is_insufficient_scope(aws, deploy_sign_in):
    deployment = deploy_sign_in()
    answer = call(deployment, user_token(deployment, ADA, ("mcp/invoke",)), "admin_stats", request_id=7)
    assert answer.status_code == 403
    metadata = f"{deployment.base}/{STAGE}/.well-known/oauth-protected-resource/mcp"
    assert answer.headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", scope="mcp/invoke mcp/admin", resource_metadata="{metadata}"'
    )
    assert answer.json()["id"] == 7 and "mcp/admin" in answer.json()["error"]["message"]
    assert aws.client("dynamodb").scan(TableName=USAGE_TABLE)["Count"] == 0  # nothing metered
    allowed = call(deployment, user_token(deployment, ADA, SIGN_IN_SCOPES), "admin_stats")
    assert allowed.status_code == 200 and '"tenant\\": \\"acme\\"' in allowed.text


def test_the_python_client_steps_up_to_the_scope_a_tool_needs(deploy_sign_in):
    deployment = deploy_sign_in()
    seen = python_sign_in_client(deployment, ADA, "2026-07-28", tools=("whoami", "admin_stats"))
    assert seen["results"]["admin_stats"]["tenant"] == "acme"
    assert set(seen["tokens"].scope.split()) == {"mcp/invoke", "mcp/admin"}
    # Consent for each set of scopes: the step-up to mcp/admin asks the person again.
    assert seen["pages"] == [DCR_CONSENT, *SIGN_IN_PAGES, DCR_CONSENT, *SIGN_IN_PAGES]


def test_the_typescript_client_signs_a_person_in_with_dcr(deploy_sign_in):
    deployment = deploy_sign_in()
    events = {event["event"]: event for event in ts_sign_in_client(deployment, ADA, "legacy")}
    assert events["signed_in"]["pages"] == ["Allow TypeScript e2e (unverified name)?", *SIGN_IN_PAGES]
    assert not events["signed_in"]["client_id"].startswith("https://")
    assert "whoami" in events["tools"]["names"]
    assert events["whoami"]["result"] == {"tenant": "acme", "protocol_version": ERAS["legacy"]}


@pytest.mark.parametrize("issuer", ["pool", "facade"])
def test_a_machine_client_still_works_with_sign_in_on(deploy_sign_in, issuer):
    """The metadata lists the facade first and the pool second: a machine client configured with
    the pool's issuer (as before sign-in) finds it, and one that takes the facade gets its
    client-credentials request passed on to Cognito."""
    deployment = deploy_sign_in()
    expected = deployment.issuer.issuer if issuer == "pool" else deployment.sign_in.issuer
    seen = python_client(deployment, "acme", "2026-07-28", seconds=1, issuer=expected)
    assert seen["metadata"]["authorization_servers"] == [deployment.sign_in.issuer, deployment.issuer.issuer]
    assert seen["whoami"] == {"tenant": "acme", "protocol_version": "2026-07-28"}


def test_a_refreshed_token_works_and_a_used_refresh_handle_does_not(deploy_sign_in):
    deployment = deploy_sign_in()
    seen = python_sign_in_client(deployment, ADA, "2026-07-28")
    handle = seen["tokens"].refresh_token
    form = {"grant_type": "refresh_token", "refresh_token": handle, "client_id": seen["client_id"]}
    token_endpoint = f"{deployment.sign_in.issuer}/token"
    refreshed = httpx2.post(token_endpoint, data=form)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != handle  # rotated
    assert call(deployment, refreshed.json()["access_token"], "whoami").status_code == 200
    assert httpx2.post(token_endpoint, data=form).json()["error"] == "invalid_grant"


def test_a_person_s_tenant_is_their_tenant_claim_and_a_machine_s_its_client_id():
    def context(**claims) -> dict[str, str]:
        return {"x-amzn-request-context": json.dumps({"authorizer": {"claims": claims}})}

    person, people = context(client_id="sign-in", tenant_id="acme", scope="mcp/invoke"), "sign-in"
    assert identity_from(person, people).tenant == "acme"
    assert identity_from(person, people).scopes == {"mcp/invoke"}
    assert identity_from(context(client_id="sign-in"), people).tenant is None  # never the client_id
    assert identity_from(context(client_id="globex", tenant_id="acme"), people).tenant == "globex"
    assert identity_from(person, None).tenant == "sign-in"  # sign-in off: every client is a tenant


def test_the_insufficient_scope_challenge_names_the_public_metadata_url():
    def context(**fields) -> dict[str, str]:
        return {"x-amzn-request-context": json.dumps(fields)}

    path = "/.well-known/oauth-protected-resource/mcp"
    default = context(domainName="abc.execute-api.us-east-1.amazonaws.com", stage="dev", path="/dev/mcp")
    assert resource_metadata_url(default) == f"https://abc.execute-api.us-east-1.amazonaws.com/dev{path}"
    custom = context(domainName="mcp.example.com", stage="dev", path="/mcp")  # mapped at the domain's root
    assert resource_metadata_url(custom) == f"https://mcp.example.com{path}"
    http_api = context(domainName="abc.execute-api.us-east-1.amazonaws.com", stage="$default", http={"path": "/mcp"})
    assert resource_metadata_url(http_api) == f"https://abc.execute-api.us-east-1.amazonaws.com{path}"


# -- raw requests, as a client with a given token sends them --------------------------------


def user_token(deployment, user, scopes) -> str:
    """A person's access token as Cognito (the stand-in) issues it through the facade's client."""
    login = deployment.sign_in.login
    return deployment.issuer.issue_user(user.sub, user.username, login.client_id, tuple(scopes), user.tenant)


def call(deployment, token: str, tool: str, request_id: int = 1) -> httpx2.Response:
    body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": tool, "arguments": {}, "_meta": MODERN_META}}  # fmt: skip
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json", "accept": ACCEPT,
               "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": tool}  # fmt: skip
    return httpx2.post(deployment.endpoint, content=json.dumps(body), headers=headers, timeout=30)
