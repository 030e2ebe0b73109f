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

A context the server cannot read as the front door writes it (not an object, claims that are
not one, a `client_id` or tenant that is not a string) is `MalformedContext`: refused (403),
never guessed at. With tenant isolation, Lambda's own tenant id (`X-Amz-Tenant-Id`, which the
adapter sets from the invocation and a client cannot choose) must name the same tenant, so a
direct `Invoke` with a forged request context is refused too (app.py).
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


class MalformedContext(ValueError):
    """The request context is not what a front door writes."""


def _object(value: object, what: str) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedContext(f"{what} is not an object")
    return value


def _text(value: object, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedContext(f"{what} is not a string")
    return value


def claims_of(request_context: Mapping) -> Mapping:
    authorizer = _object(request_context.get("authorizer"), "authorizer")
    claims = authorizer.get("claims")
    if claims is None:
        claims = _object(authorizer.get("jwt"), "authorizer.jwt").get("claims")
    return _object(claims, "claims")


def request_context_of(headers: Mapping[str, str]) -> Mapping:
    """The proxy event's request context, {} when there is none; MalformedContext when it
    is not a JSON object."""
    raw = headers.get(REQUEST_CONTEXT_HEADER)
    if raw is None:
        return {}
    try:
        return _object(json.loads(raw), "the request context")
    except (ValueError, RecursionError):
        raise MalformedContext("the request context is not JSON") from None


def identity_from(headers: Mapping[str, str], sign_in_client_id: str | None = None) -> Identity:
    """The caller; `sign_in_client_id` is the facade's app client (None: sign-in is off).
    Raises MalformedContext."""
    context = request_context_of(headers)
    claims = claims_of(context)
    client_id = _text(claims.get("client_id"), "client_id")
    person = bool(sign_in_client_id) and client_id == sign_in_client_id
    tenant = _text(claims.get(TENANT_CLAIM), TENANT_CLAIM) if person else client_id
    scopes = frozenset((_text(claims.get("scope"), "scope") or "").split())
    request_id = context.get("requestId")
    return Identity(tenant=tenant, request_id=request_id if isinstance(request_id, str) else None, scopes=scopes)
