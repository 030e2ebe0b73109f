"""Cognito's pre-token-generation trigger (event version 2): a person's tenant into their tokens.

A machine client's tenant is its `client_id`; a person's is a user pool attribute the operator
sets (TENANT_ATTRIBUTE, e.g. `custom:tenant_id`), which users cannot write when the app client's
write attributes exclude it. Version 2 of the event is what lets a trigger customize the ACCESS
token (the one the authorizers read), not only the id token. Nothing the client sends is read,
and a user without the attribute gets no claim, so no tenant's data.
"""

from __future__ import annotations

import os
from typing import Any

TENANT_CLAIM = "tenant_id"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    tenant = attributes.get(os.environ["TENANT_ATTRIBUTE"])
    if tenant:
        response = event.get("response") or {}
        overrides = response.get("claimsAndScopeOverrideDetails") or {}
        for token in ("accessTokenGeneration", "idTokenGeneration"):
            overrides[token] = {**(overrides.get(token) or {}), "claimsToAddOrOverride": {TENANT_CLAIM: tenant}}
        response["claimsAndScopeOverrideDetails"] = overrides
        event["response"] = response
    return event
