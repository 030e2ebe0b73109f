"""Who is calling: the tenant the front door verified, never anything the client sends.

Behind API Gateway the Lambda Web Adapter hands the app each request with the proxy event's
request context in the `x-amzn-request-context` header, which it sets itself from the event
(a client cannot supply it). The REST API's Cognito authorizer puts the verified token's claims
under `authorizer.claims`, the HTTP API's JWT authorizer under `authorizer.jwt.claims`. The
tenant is the token's `client_id`: the value the REST API also maps to `X-Amz-Tenant-Id`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

REQUEST_CONTEXT_HEADER = "x-amzn-request-context"


@dataclass(frozen=True)
class Identity:
    tenant: str | None  # None: the front door verified no token (auth off)
    request_id: str | None = None


def claims_of(request_context: Mapping) -> Mapping:
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims")
    if claims is None:
        claims = (authorizer.get("jwt") or {}).get("claims")
    return claims or {}


def identity_from(headers: Mapping[str, str]) -> Identity:
    raw = headers.get(REQUEST_CONTEXT_HEADER)
    if not raw:
        return Identity(tenant=None)
    try:
        context = json.loads(raw)
    except ValueError:
        return Identity(tenant=None)
    tenant = claims_of(context).get("client_id")
    return Identity(tenant=tenant or None, request_id=context.get("requestId"))
