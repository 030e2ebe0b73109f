"""The IAM evaluator the tenancy tests ask questions of: each rule it applies, shown to hold."""

from __future__ import annotations

import pytest

from .iam_evaluator import allowed, session_allows

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"
TAG = "aws:PrincipalTag/tenant_id"


def allow(action="dynamodb:GetItem", resource=TABLE, **condition) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {"Statement": [{**statement, "Condition": condition} if condition else statement]}


def deny(action="dynamodb:*", resource="*") -> dict:
    return {"Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]}


def test_nothing_is_allowed_without_an_allow():
    assert not allowed([], "dynamodb:GetItem", TABLE, {})


def test_actions_and_resources_match_with_wildcards():
    policy = allow(action="dynamodb:Get*", resource="arn:aws:dynamodb:*:*:table/sess*")
    assert allowed([policy], "dynamodb:GetItem", TABLE, {})
    assert not allowed([policy], "dynamodb:PutItem", TABLE, {})
    assert not allowed([policy], "dynamodb:GetItem", TABLE.replace("sessions", "usage"), {})


def test_an_explicit_deny_wins_over_any_allow():
    assert not allowed([allow(), deny()], "dynamodb:GetItem", TABLE, {})


def test_a_session_needs_both_its_identity_policy_and_its_boundary():
    assert session_allows([allow()], allow(action="dynamodb:*"), "dynamodb:GetItem", TABLE, {})
    assert not session_allows([allow()], allow(action="s3:*"), "dynamodb:GetItem", TABLE, {})
    assert not session_allows([], allow(action="dynamodb:*"), "dynamodb:GetItem", TABLE, {})


def test_policy_variables_resolve_from_the_principal_s_tags():
    # As synthesized: OpenTofu's `$${` escape, which AWS receives as `${...}`.
    policy = allow(resource=TABLE + "/tenant/$${aws:PrincipalTag/tenant_id}")
    assert allowed([policy], "dynamodb:GetItem", TABLE + "/tenant/acme", {TAG: "acme"})
    assert not allowed([policy], "dynamodb:GetItem", TABLE + "/tenant/acme", {TAG: "globex"})
    assert not allowed([policy], "dynamodb:GetItem", TABLE + "/tenant/acme", {})


@pytest.mark.parametrize(
    "condition, context, expected",
    [
        ({"StringEquals": {TAG: "acme"}}, {TAG: "acme"}, True),
        ({"StringEquals": {TAG: "acme"}}, {TAG: "globex"}, False),
        ({"StringEquals": {TAG: "acme"}}, {}, False),
        ({"StringLike": {TAG: "ac*"}}, {TAG: "acme"}, True),
        ({"Null": {TAG: "false"}}, {TAG: "acme"}, True),
        ({"Null": {TAG: "false"}}, {}, False),
        ({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["acme"]}}, {"dynamodb:LeadingKeys": ["acme"]}, True),
        ({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["acme"]}}, {"dynamodb:LeadingKeys": ["acme", "b"]}, False),
        # IAM: ForAllValues over a key the request lacks is true; the tenancy tests rely on Null
        # conditions beside it, as the policies do.
        ({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["acme"]}}, {}, True),
    ],
)  # fmt: skip
def test_each_condition_operator_the_policies_use(condition, context, expected):
    assert allowed([allow(**condition)], "dynamodb:GetItem", TABLE, context) is expected


def test_an_operator_it_does_not_know_fails_loudly():
    with pytest.raises(AssertionError, match="does not know NumericLessThan"):
        allowed([allow(NumericLessThan={"aws:MultiFactorAuthAge": "300"})], "dynamodb:GetItem", TABLE,
                {"aws:MultiFactorAuthAge": "10"})
