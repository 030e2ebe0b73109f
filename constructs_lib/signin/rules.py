"""The rules of the sign-in inputs: each small, named after what it checks, reading the fields
it declares (see `checks.py`). They join `McpServerProps`' rules (`server_rules.RULES`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..checks import Problem, resolved, rule, rules_of
from ..limits import DOMAIN_NAME
from .authserver.redirects import check_pattern
from .authserver.settings import REGISTRATION_KINDS

if TYPE_CHECKING:
    from ..props import McpServerProps

SIGN_IN_INPUTS = ("user_mfa", "client_registration", "allowed_redirect_uris", "user_tenant_attribute",
                  "cognito_user_pool_domain")  # fmt: skip
# Cognito custom attribute names: 1 to 20 characters (kept to letters, digits and _ here, so the
# name reads the same in the attribute, the trigger's variable and the README).
TENANT_ATTRIBUTE = re.compile(r"[A-Za-z0-9_]{1,20}")
# Cognito scope names: printable ASCII without space, `"` or `\`, 1 to 256 characters.
SCOPE_NAME = re.compile(r'[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]{1,256}')
# Custom scopes per resource server (one is `invoke`).
MAX_EXTRA_SCOPES = 99


@rule("enable_user_sign_in", "enable_auth")
def sign_in_needs_auth(p: McpServerProps) -> list[Problem]:
    if p.enable_user_sign_in and not p.enable_auth:
        return [(("enable_user_sign_in",), "people sign in to the Cognito pool that enable_auth creates or names; "
                 "set enable_auth = true")]  # fmt: skip
    return []


@rule("enable_user_sign_in", *SIGN_IN_INPUTS)
def sign_in_inputs_need_sign_in(p: McpServerProps) -> list[Problem]:
    from ..value_rules import is_default

    if p.enable_user_sign_in:
        return []
    return [((f,), "only used with enable_user_sign_in = true; remove it or turn sign-in on")
            for f in SIGN_IN_INPUTS if not is_default(f, resolved(getattr(p, f)))]  # fmt: skip


@rule("client_registration")
def registration_kinds_known(p: McpServerProps) -> list[Problem]:
    kinds, found = list(resolved(p.client_registration)), []
    for i, kind in enumerate(kinds):
        if kind not in REGISTRATION_KINDS:
            found.append((("client_registration", i), f"must be one of {', '.join(REGISTRATION_KINDS)} "
                          f"(got {kind!r})"))  # fmt: skip
        elif kind in kinds[:i]:
            found.append((("client_registration", i), f"{kind!r} is listed twice; list it once"))
    return found


@rule("allowed_redirect_uris")
def redirect_patterns_safe(p: McpServerProps) -> list[Problem]:
    patterns = list(resolved(p.allowed_redirect_uris))
    if not patterns:
        return [(("allowed_redirect_uris",), "no client could sign in; list at least one pattern (the default "
                 "admits loopback redirects)")]  # fmt: skip
    return [(("allowed_redirect_uris", i), reason) for i, pattern in enumerate(patterns)
            if (reason := check_pattern(pattern))]  # fmt: skip


@rule("user_tenant_attribute")
def tenant_attribute_named(p: McpServerProps) -> list[Problem]:
    name = resolved(p.user_tenant_attribute)
    if name.startswith("custom:"):
        return [(("user_tenant_attribute",), f"give the name without the custom: prefix ({name[7:]!r})")]
    if not TENANT_ATTRIBUTE.fullmatch(name):
        return [(("user_tenant_attribute",), "must be 1 to 20 letters, digits or _ (a Cognito custom attribute "
                 f"name; got {name!r})")]  # fmt: skip
    return []


@rule("oauth_scopes")
def extra_scopes_named(p: McpServerProps) -> list[Problem]:
    scopes, found = list(resolved(p.oauth_scopes)), []
    if len(scopes) > MAX_EXTRA_SCOPES:
        found.append((("oauth_scopes",), f"a resource server holds 100 scopes, one of them invoke; list at most "
                      f"{MAX_EXTRA_SCOPES}"))  # fmt: skip
    for i, scope in enumerate(scopes):
        if not SCOPE_NAME.fullmatch(scope):
            found.append((("oauth_scopes", i), "must be a Cognito scope name: 1 to 256 printable ASCII characters "
                          f'without space, " or \\ (got {scope!r})'))  # fmt: skip
        elif scope == "invoke" or scope in scopes[:i]:
            found.append((("oauth_scopes", i), f"{scope!r} is already a scope of the resource server; remove it"))
    return found


@rule("enable_user_sign_in", "enable_tenant_isolation")
def sign_in_without_tenant_isolation(p: McpServerProps) -> list[Problem]:
    if p.enable_user_sign_in and p.enable_tenant_isolation:
        return [(("enable_user_sign_in",), "with tenant isolation the REST API maps X-Amz-Tenant-Id from one fixed "
                 "claim, the token's client_id, which for people is the sign-in client, not their tenant, and a "
                 "Cognito authorizer cannot choose between the two; until a Lambda authorizer normalizes the tenant, "
                 "serve people from a deployment without enable_tenant_isolation (their tenant still reaches the "
                 "server as the tenant_id claim)")]  # fmt: skip
    return []


@rule("enable_user_sign_in", "cognito_user_pool_id", "cognito_user_pool_domain")
def managed_login_host_known(p: McpServerProps) -> list[Problem]:
    domain = p.cognito_user_pool_domain
    if p.enable_user_sign_in and p.cognito_user_pool_id and domain is None:
        return [(("cognito_user_pool_domain",), "required with enable_user_sign_in and an external pool: the host "
                 "of its managed login, where people sign in")]  # fmt: skip
    if domain is not None and not p.cognito_user_pool_id:
        return [(("cognito_user_pool_domain",), "only for an external pool; the created pool's domain is made here")]
    if domain is not None and (problem := DOMAIN_NAME.problem(resolved(domain))):
        return [(("cognito_user_pool_domain",), problem)]
    return []


RULES = rules_of(globals())


def warnings(p: McpServerProps) -> list[tuple[str, str]]:
    """What AWS accepts with sign-in but does not do what it seems to."""
    if not p.enable_user_sign_in:
        return []
    found = []
    if p.cognito_user_pool_id:
        found.append(("cognito_user_pool_domain",
            f"an external pool is its owner's: require MFA there, attach the pre_token_function_arn output as "
            f"its pre-token-generation trigger (event version V2_0), and let no app client write "
            f"custom:{p.user_tenant_attribute} (a person who can write it chooses their tenant)"))  # fmt: skip
    if p.tenant_metering is not None:
        found.append(("tenant_metering",
            "the access log's clientId is the sign-in client for every person, so the per-tenant metric "
            "filters count all people as one client; the usage table counts each person's tenant"))  # fmt: skip
    return found
