"""Dynamic client registration (RFC 7591) for MCP hosts that do not publish a metadata
document: redirect URIs within the operator's patterns (`web` clients https only), a secret
only for confidential clients (shown once, stored hashed), registrations per source address
and hour limited.
"""

from __future__ import annotations

import json
import logging
import secrets

from .http import Request, Response, json_response
from .redirects import allowed
from .settings import Settings
from .store import Store
from .oauth import AUTH_METHODS, GRANT_TYPES, NO_STORE, OAuthError, digest

log = logging.getLogger("authserver")

HOUR = 3600
MAX_REGISTRATION_BYTES = 16384


def register(s: Settings, store: Store, now: float, request: Request) -> Response:
    """RFC 7591 dynamic registration, rate-limited per source address; the registration is
    stored and expires when unused (`AuthServer._client` extends it on each use)."""
    if "dcr" not in s.client_registration:
        return json_response(404, {"error": "not_found"})
    window = int(now // HOUR)
    count = store.increment("rate", f"register#{request.source_ip}#{window}", HOUR)
    if count > s.registrations_per_ip_per_hour:
        retry = str(int((window + 1) * HOUR - now) + 1)
        log.warning("registration rate limit reached for a source address")
        return json_response(429, {"error": "slow_down"}, {"Retry-After": retry, **NO_STORE})
    try:
        metadata = json.loads(request.body) if len(request.body) <= MAX_REGISTRATION_BYTES else None
    except ValueError:  # also UnicodeDecodeError
        metadata = None
    try:
        if not isinstance(metadata, dict):
            raise OAuthError("invalid_client_metadata")
        client = client_from_metadata(s, metadata, now)
    except OAuthError as exc:
        return json_response(exc.status, {"error": exc.error}, NO_STORE)
    answer = {key: value for key, value in client.items() if key != "secret_hash" and value is not None}
    if client["token_endpoint_auth_method"] != "none":
        answer["client_secret"] = secrets.token_urlsafe(32)  # shown once, stored hashed
        answer["client_secret_expires_at"] = 0
        client["secret_hash"] = digest(answer["client_secret"])
    store.put("client", client["client_id"], client, s.registration_ttl_s)
    log.info("client registered: %s (%s)", client["client_id"], client["application_type"])
    return json_response(201, answer, NO_STORE)

def client_from_metadata(s: Settings, metadata: dict, now: float) -> dict:
    """The client to store from RFC 7591 metadata (application_type from OIDC Registration)."""
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and len(u) <= 2000 for u in uris):
        raise OAuthError("invalid_redirect_uri")
    application_type = metadata.get("application_type", "native")
    if application_type not in ("native", "web"):
        raise OAuthError("invalid_client_metadata")
    # RFC 7591 3.2.1: the server may register fewer values than asked; the answer says which.
    # Desktop hosts list several redirects (VS Code, Cursor) of which the operator admits some.
    uris = [u for u in uris if allowed(s, u) and (application_type != "web" or u.startswith("https://"))]
    if not uris:  # none the operator admits (a web client's redirect is never plain http)
        raise OAuthError("invalid_redirect_uri")
    grant_types = metadata.get("grant_types", list(GRANT_TYPES))
    if isinstance(grant_types, list) and "authorization_code" in grant_types:
        # Grants this server does not offer (device_code, ...) are left out, not refused.
        grant_types = [g for g in GRANT_TYPES if g in grant_types]
    method = metadata.get("token_endpoint_auth_method", "none")
    name = metadata.get("client_name")
    if (not isinstance(grant_types, list) or not grant_types or any(g not in GRANT_TYPES for g in grant_types)
            or metadata.get("response_types", ["code"]) != ["code"] or method not in AUTH_METHODS
            or (name is not None and (not isinstance(name, str) or len(name) > 200))):  # fmt: skip
        raise OAuthError("invalid_client_metadata")
    return {
        "client_id": secrets.token_urlsafe(24), "client_id_issued_at": int(now),
        "client_name": name, "redirect_uris": uris, "application_type": application_type,
        "grant_types": grant_types, "response_types": ["code"], "token_endpoint_auth_method": method,
    }  # fmt: skip
