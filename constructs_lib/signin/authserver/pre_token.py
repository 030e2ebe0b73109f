"""Cognito's pre-token-generation trigger (event version 2): what a person's tokens hold.

- The tenant. A machine client's tenant is its `client_id`; a person's is a user pool attribute
  the operator sets (TENANT_ATTRIBUTE, e.g. `custom:tenant_id`), which people cannot write when
  the app client's write attributes exclude it. Version 2 of the event is what lets a trigger
  customize the ACCESS token (the one the authorizers read), not only the id token. A person
  without the attribute gets no claim, so no tenant's data.
- The scopes beyond `mcp/invoke` (GATED_SCOPES, e.g. `mcp/admin`): any client may ask for them,
  so asking is not having. A person keeps `mcp/<name>` only as a member of the pool group
  `<name>`; otherwise the scope is suppressed and the tools that need it answer
  `insufficient_scope`.

Nothing the client sends is read: only the pool's own attributes and groups.
"""

from __future__ import annotations

import os
from typing import Any

TENANT_CLAIM = "tenant_id"


def group_of(scope: str) -> str:
    """The pool group that holds a gated scope: `mcp/admin` -> `admin`."""
    return scope.split("/", 1)[-1]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event.get("request") or {}
    tenant = (request.get("userAttributes") or {}).get(os.environ["TENANT_ATTRIBUTE"])
    groups = set((request.get("groupConfiguration") or {}).get("groupsToOverride") or ())
    gated = os.environ.get("GATED_SCOPES", "").split()
    withheld = [s for s in request.get("scopes") or () if s in gated and group_of(s) not in groups]
    response = event.get("response") or {}
    overrides = response.get("claimsAndScopeOverrideDetails") or {}
    access = dict(overrides.get("accessTokenGeneration") or {})
    if tenant:
        access["claimsToAddOrOverride"] = {TENANT_CLAIM: tenant}
        identity = overrides.get("idTokenGeneration") or {}
        overrides["idTokenGeneration"] = {**identity, "claimsToAddOrOverride": {TENANT_CLAIM: tenant}}
    if withheld:
        access["scopesToSuppress"] = withheld
    if access:
        overrides["accessTokenGeneration"] = access
        response["claimsAndScopeOverrideDetails"] = overrides
        event["response"] = response
    return event
