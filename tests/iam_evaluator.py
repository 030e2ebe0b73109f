"""A minimal IAM policy evaluator, so tests can ask what a session reaches instead of matching
policy text: identity policies AND the permission boundary, explicit deny wins, and the
condition operators the synthesized policies use (an unknown operator fails loudly).

Policies are read as synthesized: `$${aws:PrincipalTag/...}` (OpenTofu's escape) is the policy
variable AWS receives, resolved from the request context.
"""

from __future__ import annotations

import fnmatch
import re


def as_list(v):
    """A policy value as a list (IAM takes one value or a list)."""
    return v if isinstance(v, list) else [v]


def _resolve(value: str, context: dict) -> str:
    # `$${` is OpenTofu's escape: AWS receives `${aws:PrincipalTag/tenant_id}`.
    return re.sub(
        r"\$\$\{(aws:PrincipalTag/[\w-]+)\}", lambda m: context.get(m.group(1), "\0missing"), value
    )


def _condition_holds(operator: str, key: str, expected, context: dict) -> bool:
    actual = context.get(key)
    wanted = [_resolve(v, context) for v in as_list(expected)]
    if operator == "Null":
        return (actual is None) == (str(expected) == "true")
    if operator.startswith("ForAllValues:"):
        op = operator.split(":", 1)[1]
        return all(_condition_holds(op, key, expected, {**context, key: a}) for a in actual or [])
    if actual is None:
        return False
    if operator == "StringEquals":
        return any(a in wanted for a in as_list(actual))
    if operator == "StringLike":
        return any(fnmatch.fnmatchcase(a, w) for a in as_list(actual) for w in wanted)
    raise AssertionError(f"the evaluator does not know {operator}")


def _matches(statement: dict, action: str, resource: str, context: dict) -> bool:
    if not any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"])):
        return False
    if "Resource" in statement and not any(
        fnmatch.fnmatchcase(resource, _resolve(r, context)) for r in as_list(statement["Resource"])
    ):
        return False
    return all(
        _condition_holds(op, key, expected, context)
        for op, block in statement.get("Condition", {}).items()
        for key, expected in block.items()
    )


def allowed(policies: list[dict], action: str, resource: str, context: dict) -> bool:
    statements = [s for p in policies for s in p["Statement"]]
    if any(s["Effect"] == "Deny" and _matches(s, action, resource, context) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _matches(s, action, resource, context) for s in statements)


def session_allows(identity: list[dict], bound: dict, action, resource, context) -> bool:
    """A role session: its identity policies AND its permission boundary must allow."""
    return allowed(identity, action, resource, context) and allowed([bound], action, resource, context)
