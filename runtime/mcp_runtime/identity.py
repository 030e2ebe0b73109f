"""Who is calling: the tenant the front door verified, never anything the client sends.

Behind API Gateway the Lambda Web Adapter hands the app each request with the proxy event's
request context in the `x-amzn-request-context` header, which it sets itself from the event
(a client cannot supply it). The REST API's Cognito authorizer puts the verified token's claims
under `authorizer.claims`, the HTTP API's JWT authorizer under `authorizer.jwt.claims`.

A machine client's tenant is the token's `client_id`: the value the REST API also maps to
`X-Amz-Tenant-Id`. A person signs in through the sign-in facade's one app client
(`SIGN_IN_CLIENT_ID`), so that `client_id` names no tenant; a person's tenant is the `tenant_id`
claim the stack's pre-token-generation trigger stamps from the user pool, and a person without
one has no tenant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

REQUEST_CONTEXT_HEADER = "x-amzn-request-context"
TENANT_CLAIM = "tenant_id"


@dataclass(frozen=True)
class Identity:
    tenant: str | None  # None: no verified token (auth off), or a person without a tenant
    request_id: str | None = None
    scopes: frozenset[str] = frozenset()  # the token's scopes


def claims_of(request_context: Mapping) -> Mapping:
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims")
    if claims is None:
        claims = (authorizer.get("jwt") or {}).get("claims")
    return claims or {}


def request_context_of(headers: Mapping[str, str]) -> Mapping:
    """The proxy event's request context, or {} when there is none."""
    try:
        context = json.loads(headers.get(REQUEST_CONTEXT_HEADER) or "{}")
    except ValueError:
        return {}
    return context if isinstance(context, dict) else {}


def identity_from(headers: Mapping[str, str], sign_in_client_id: str | None = None) -> Identity:
    """The caller; `sign_in_client_id` is the facade's app client (None: sign-in is off)."""
    context = request_context_of(headers)
    claims = claims_of(context)
    client_id = claims.get("client_id") or None
    tenant = claims.get(TENANT_CLAIM) if sign_in_client_id and client_id == sign_in_client_id else client_id
    scopes = frozenset(str(claims.get("scope") or "").split())
    return Identity(tenant=tenant or None, request_id=context.get("requestId"), scopes=scopes)
