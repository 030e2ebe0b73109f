"""IAM roles for AWS services, with grants instead of hand-written policies at call sites."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from cdktf import TerraformStack
from constructs import Construct

from . import aws


@dataclass(frozen=True)
class Statement:
    """One policy statement. In identity policies (no `principals`) actions are always named:
    `*` actions are never written. Resource policies (key policies) name their principals;
    trust policies name principals and no resources."""

    sid: str
    actions: Sequence[str]
    resources: Sequence[str]
    conditions: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    effect: str = "Allow"
    principals: Mapping[str, str | Sequence[str]] | None = None

    def render(self) -> dict:
        if self.principals is None and any("*" in action for action in self.actions):
            raise ValueError(f"statement {self.sid}: wildcard actions are not allowed")
        body: dict = {"Sid": self.sid, "Effect": self.effect}
        if self.principals is not None:
            body["Principal"] = dict(self.principals)
        body["Action"] = sorted(self.actions)
        if self.resources or self.principals is None:
            body["Resource"] = list(self.resources)
        if self.conditions:
            body["Condition"] = {k: dict(v) for k, v in self.conditions.items()}
        return body


def policy_document(*statements: Statement) -> str:
    """An IAM policy document as JSON text (tokens inside it resolve at synth)."""
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [s.render() for s in statements]}, indent=2
    )


def _stack_data(scope: Construct, id: str, factory):
    """The stack's one data source `id`, created on first use."""
    stack = TerraformStack.of(scope)
    return stack.node.try_find_child(id) or factory(stack, id)


def partition(scope: Construct) -> str:
    """`aws`, `aws-us-gov` or `aws-cn`: read once per stack, so ARNs work in GovCloud too."""
    return _stack_data(scope, "partition", aws.data_aws_partition.DataAwsPartition).partition


def dns_suffix(scope: Construct) -> str:
    """`amazonaws.com` (or the partition's own), for service principals and endpoints."""
    return _stack_data(scope, "partition", aws.data_aws_partition.DataAwsPartition).dns_suffix


def region(scope: Construct) -> str:
    """The provider's region, read once per stack."""
    return _stack_data(scope, "region", aws.data_aws_region.DataAwsRegion).region


def via_service(scope: Construct, service: str) -> str:
    """`kms:ViaService` value of `service` in this stack's region (e.g. dynamodb.<region>.<suffix>)."""
    return f"{service}.{region(scope)}.{dns_suffix(scope)}"


def account_id(scope: Construct) -> str:
    """This account's id, read once per stack."""
    return _stack_data(scope, "caller", aws.data_aws_caller_identity.DataAwsCallerIdentity).account_id


class ServiceRole(Construct):
    """A role that one AWS service principal assumes, plus managed policies and grants."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        role_name: str,
        service: str,
        managed_policies: Sequence[str] = (),
        description: str = "",
        trust_conditions: Mapping[str, Mapping[str, object]] | None = None,
    ):
        super().__init__(scope, id)
        self.role = aws.iam_role.IamRole(
            self,
            "role",
            name=role_name,
            description=description or None,
            assume_role_policy=_trust_policy(service, trust_conditions),
        )
        self.attachments = [
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self,
                f"managed_{policy.rsplit('/', 1)[-1]}",
                role=self.role.name,
                policy_arn=f"arn:{partition(self)}:iam::aws:policy/{policy}",
            )
            for policy in managed_policies
        ]
        self.policies: list = []

    @property
    def arn(self) -> str:
        return self.role.arn

    @property
    def name(self) -> str:
        return self.role.name

    def grant(self, policy_name: str, *statements: Statement):
        """Add an inline policy named `policy_name` holding `statements`."""
        policy = inline_policy(
            self, f"policy_{policy_name}", role=self.role.id, name=policy_name, statements=statements
        )
        self.policies.append(policy)
        return policy


def inline_policy(
    scope: Construct, id: str, *, role: str, name: str, statements: Sequence[Statement]
):
    """An inline policy on a role given by name (a role another construct owns)."""
    return aws.iam_role_policy.IamRolePolicy(
        scope, id, name=name, role=role, policy=policy_document(*statements)
    )


def _trust_policy(service: str, conditions: Mapping[str, Mapping[str, object]] | None) -> str:
    statement: dict = {
        "Sid": "AssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if conditions:
        statement["Condition"] = {k: dict(v) for k, v in conditions.items()}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)
