"""Resource policies (who may use a resource) admit only this account: each grant names principals
of this account, or carries a condition that pins the caller, source or encryption context to it.

The parliament gate (test_iam.py) reads identity policies; this reads the other kind: repository,
key, endpoint, topic and trust policies, and Lambda permissions.
"""

from __future__ import annotations

import json
import re

import pytest

from .test_iam import POLICY_FIELDS as IDENTITY_POLICIES

from .conftest import GATED

ACCOUNT = "${data.aws_caller_identity.caller.account_id}"
RESOURCE_POLICIES = {
    "aws_ecr_repository_policy": "policy",
    "aws_kms_key": "policy",
    "aws_vpc_endpoint": "policy",
    "aws_sns_topic": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_iam_role": "assume_role_policy",
    "aws_cloudwatch_log_resource_policy": "policy_document",
    "aws_api_gateway_rest_api": "policy",
}
# Arguments named like a policy that are not access policies.
NOT_ACCESS_POLICIES = {
    ("aws_ecr_lifecycle_policy", "policy"), ("aws_cognito_user_pool", "password_policy"),
    ("aws_api_gateway_domain_name", "security_policy"),  # the TLS policy
}  # fmt: skip
# Condition keys whose value is an account id, and keys whose values are ARNs (which name one).
ACCOUNT_KEYS = {k.lower() for k in (
    "aws:SourceAccount", "aws:SourceOwner", "aws:PrincipalAccount", "aws:ResourceAccount",
    "kms:CallerAccount",
)}  # fmt: skip
ARN_KEYS = {k.lower() for k in (
    "aws:SourceArn", "aws:PrincipalArn", "kms:EncryptionContext:aws:logs:arn",
    "kms:EncryptionContext:aws:sns:topicArn",
)}  # fmt: skip


def _values(value) -> list:
    return value if isinstance(value, list) else [value]


def of_this_account(value: str) -> bool:
    """An ARN with this account's id, or a reference to a resource this stack creates."""
    return ACCOUNT in value or bool(re.match(r"\$\{aws_[a-z0-9_]+\.[A-Za-z0-9_]+\.[a-z_]+\}", value))


def unpinned(statement: dict, *, trust: bool = False) -> str | None:
    """Why an Allow statement admits principals outside this account, or None."""
    if statement.get("Effect") != "Allow":
        return None
    principal = statement.get("Principal", {})
    principal = {"AWS": principal} if isinstance(principal, str) else principal
    conditions = {k: v for block in statement.get("Condition", {}).values() for k, v in block.items()}
    # Condition keys are case-insensitive.
    pinned = any(
        (key.lower() in ACCOUNT_KEYS and all(v == ACCOUNT for v in _values(value)))
        or (key.lower() in ARN_KEYS and all(of_this_account(v) for v in _values(value)))
        for key, value in conditions.items()
    )
    for kind, who in principal.items():
        for one in _values(who):
            if kind == "AWS" and one != "*":
                if not of_this_account(one):
                    return f"principal {one} is not of this account"
            elif kind == "Service" and trust:
                # A service uses a role only when a principal of the role's own account passes
                # it (iam:PassRole), so a service trust is confined to this account already.
                continue
            elif not pinned:
                return f"{kind} principal {one} with no condition naming this account"
    return None


def findings(stack: dict) -> list[str]:
    found = []
    for kind, resources in stack.get("resource", {}).items():
        for logical, body in resources.items():
            address = f"{kind}.{logical}"
            if kind == "aws_lambda_permission":
                source = body.get("source_arn", "")
                if not (of_this_account(source) or body.get("source_account") == ACCOUNT):
                    found.append(f"{address}: invoked from {source or 'anywhere'}")
                continue
            field = RESOURCE_POLICIES.get(kind)
            if field and field in body:
                for statement in json.loads(body[field])["Statement"]:
                    why = unpinned(statement, trust=kind == "aws_iam_role")
                    if why:
                        found.append(f"{address}: {statement.get('Sid', '?')}: {why}")
    return found


@pytest.mark.parametrize("environment", GATED)
def test_every_resource_policy_admits_only_this_account(gated, environment):
    assert findings(gated[environment].json) == []


@pytest.mark.parametrize("environment", GATED)
def test_every_policy_argument_is_read_by_one_gate(gated, environment):
    """A new kind of policy must be added to this check or to parliament's, not slip past both."""
    for kind, resources in gated[environment].json["resource"].items():
        for body in resources.values():
            for argument in body:
                if argument.endswith(("policy", "policy_document")):
                    known = (RESOURCE_POLICIES.get(kind) == argument or IDENTITY_POLICIES.get(kind) == argument
                             or (kind, argument) in NOT_ACCESS_POLICIES)  # fmt: skip
                    assert known, f"{kind}.{argument}: add it to a policy gate"


def test_the_check_reads_each_kind_of_resource_policy(shipped):
    read = {k for env in ("dev", "prod") for k in shipped[env].json["resource"] if k in RESOURCE_POLICIES}
    assert {"aws_ecr_repository_policy", "aws_kms_key", "aws_vpc_endpoint", "aws_iam_role"} <= read


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        # The repository policy this check was written for: any account's same-named function.
        ({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ["ecr:BatchGetImage"],
          "Condition": {"StringLike": {"aws:sourceArn": "arn:*:lambda:*:*:function:my-tools-dev"}}},
         "Service principal lambda.amazonaws.com with no condition naming this account"),
        ({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ["ecr:BatchGetImage"],
          "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:us-east-1:*:function:x"}}},
         "Service principal lambda.amazonaws.com with no condition naming this account"),
        ({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
         "AWS principal * with no condition naming this account"),
        ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "kms:*"},
         "principal arn:aws:iam::210987654321:root is not of this account"),
    ],
)  # fmt: skip
def test_the_check_fails_on_a_grant_outside_the_account(statement, why):
    assert unpinned(statement) == why


def test_the_check_accepts_what_pins_the_account():
    assert unpinned({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}) is None  # fmt: skip
    assert unpinned({"Effect": "Allow", "Principal": {"AWS": "${aws_iam_role.fn_role_1234.arn}"},
                     "Action": "sts:AssumeRole"}, trust=True) is None  # fmt: skip
    assert unpinned({"Effect": "Deny", "Principal": "*", "Action": "*"}) is None
