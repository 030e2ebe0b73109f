"""The tenant identity, and the policy statements that confine a tenant's credentials to it.

One tenant identity everywhere: the `client_id` of the verified access token (one Cognito app
client per tenant). It arrives at the function as `X-Amz-Tenant-Id`, is logged as `clientId`,
keys the session and usage tables as `tenant_id`, and is the value of the `tenant_id` session
tag on vended credentials. `TENANT_ID` is that one name.
"""

from __future__ import annotations

from typing import Sequence

from .iam import Statement

TENANT_ID = "tenant_id"

# IAM policy variable: the tenant of the calling session. Written with `$${` because OpenTofu
# reads `${...}` in any JSON string as an interpolation; `$${` is its escape for a literal `${`.
SESSION_TENANT = f"$${{aws:PrincipalTag/{TENANT_ID}}}"
PRINCIPAL_TAG = f"aws:PrincipalTag/{TENANT_ID}"
REQUEST_TAG = f"aws:RequestTag/{TENANT_ID}"

# DynamoDB actions whose every request names its partition keys, so `dynamodb:LeadingKeys`
# confines them. Scan and PartiQL statements carry no leading keys and cannot be confined.
LEADING_KEY_ACTIONS = (
    "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
    "dynamodb:UpdateItem",
)  # fmt: skip
DEFAULT_TENANT_ACTIONS = (
    "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
    "dynamodb:UpdateItem",
)  # fmt: skip

# Actions no tenant session may take, whatever a role's own policy says: they would let it
# widen its own permissions or step into another role.
PRIVILEGE_ESCALATION_ACTIONS = (
    "iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachRolePolicy",
    "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreatePolicy",
    "iam:CreatePolicyVersion", "iam:CreateRole", "iam:CreateUser", "iam:DeletePolicy",
    "iam:DeletePolicyVersion", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
    "iam:DeleteUserPermissionsBoundary", "iam:DetachRolePolicy", "iam:PassRole",
    "iam:PutGroupPolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy", "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy", "iam:UpdateLoginProfile", "sts:AssumeRole",
    "sts:GetFederationToken", "sts:TagSession",
)  # fmt: skip


def tenant_items(
    sid: str, *, table_arn: str, actions: Sequence[str], tenant: str = SESSION_TENANT
) -> Statement:
    """Item actions on `table_arn`, only on partition keys equal to `tenant`.

    Both `Null` conditions matter: `ForAllValues` is true when a request has no leading keys
    at all (a Scan), and a session without the tenant tag must get nothing.
    """
    conditions: dict = {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [tenant]},
        "Null": {"dynamodb:LeadingKeys": "false", PRINCIPAL_TAG: "false"},
    }
    if tenant != SESSION_TENANT:
        conditions["StringEquals"] = {PRINCIPAL_TAG: tenant}
    return Statement(sid=sid, actions=actions, resources=[table_arn], conditions=conditions)


def tenant_table_key(sid: str, *, key_arn: str, actions: Sequence[str], via: str) -> Statement:
    """The table's KMS key, only as DynamoDB uses it on a tagged tenant session's behalf."""
    return Statement(
        sid=sid,
        actions=actions,
        resources=[key_arn],
        conditions={
            "StringEquals": {"kms:ViaService": via},
            "Null": {PRINCIPAL_TAG: "false"},
        },
    )


def deny_escalation() -> Statement:
    return Statement(
        sid="DenyPrivilegeEscalation",
        effect="Deny",
        actions=PRIVILEGE_ESCALATION_ACTIONS,
        resources=["*"],
    )
