"""IAM: one statement builder for every policy document (identity, resource, trust and key
policies), roles for AWS services, and the grantee that `grant_*` methods take.

A grant lives on the resource it is about (`table.grant_read_write(function)`): the resource
knows which actions and keys it needs; the grantee supplies the role (`grant_principal`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

from constructs import Construct

from . import aws
from .context import partition


@dataclass(frozen=True)
class Statement:
    """One policy statement, rendered as written: a string action or resource stays a string,
    a list becomes a sorted (actions) or ordered (resources) list. Identity policies (no
    `principals`) never name a `*` action. Resource and key policies name their principals
    (`"*"` or a mapping); trust policies name principals and no resources."""

    sid: str
    actions: str | Sequence[str]
    resources: str | Sequence[str] = ()
    conditions: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    effect: str = "Allow"
    principals: str | Mapping[str, str | Sequence[str]] | None = None

    def render(self) -> dict:
        actions = [self.actions] if isinstance(self.actions, str) else list(self.actions)
        if self.principals is None and any("*" in action for action in actions):
            raise ValueError(f"statement {self.sid}: wildcard actions are not allowed")
        body: dict = {"Sid": self.sid, "Effect": self.effect}
        if self.principals is not None:
            body["Principal"] = self.principals if isinstance(self.principals, str) else dict(self.principals)
        body["Action"] = self.actions if isinstance(self.actions, str) else sorted(self.actions)
        if isinstance(self.resources, str):
            body["Resource"] = self.resources
        elif self.resources or self.principals is None:
            body["Resource"] = list(self.resources)
        if self.conditions:
            body["Condition"] = {k: dict(v) for k, v in self.conditions.items()}
        return body


def policy_document(*statements: Statement) -> str:
    """A policy document as JSON text (tokens inside it resolve at synth)."""
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [s.render() for s in statements]}, indent=2
    )


class Role(Protocol):
    """What a grant needs of a role: its name, its ARN, and a place for inline policies."""

    @property
    def name(self) -> str: ...

    @property
    def arn(self) -> str: ...

    def add_to_policy(self, policy_name: str, *statements: Statement): ...


class Grantable(Protocol):
    """Whatever `grant_*` methods grant to: a role, or a construct that has one."""

    @property
    def grant_principal(self) -> Role: ...


def inline_policy(scope: Construct, id: str, *, role: str, name: str, statements: Sequence[Statement]):
    """An inline policy on the role named `role` (a name, or a token of one)."""
    return aws.iam_role_policy.IamRolePolicy(
        scope, id, name=name, role=role, policy=policy_document(*statements)
    )


class ServiceRole(Construct):
    """A role that one AWS service principal assumes, plus managed policies and inline grants."""

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
        trust = Statement(
            sid="AssumeRole", principals={"Service": service}, actions="sts:AssumeRole",
            conditions=trust_conditions or {},
        )  # fmt: skip
        self.role = aws.iam_role.IamRole(
            self, "role", name=role_name, description=description or None,
            assume_role_policy=policy_document(trust),
        )  # fmt: skip
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

    @property
    def grant_principal(self) -> ServiceRole:
        return self

    def add_to_policy(self, policy_name: str, *statements: Statement):
        """Add an inline policy named `policy_name` holding `statements`; returns it."""
        policy = inline_policy(
            self, f"policy_{policy_name}", role=self.role.id, name=policy_name, statements=statements
        )
        self.policies.append(policy)
        return policy


class ImportedRole(Construct):
    """A role made elsewhere (the seed's companion modules take one by name and ARN)."""

    def __init__(self, scope: Construct, id: str, *, name: str, arn: str):
        super().__init__(scope, id)
        self._name, self._arn = name, arn
        self.policies: list = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def arn(self) -> str:
        return self._arn

    @property
    def grant_principal(self) -> ImportedRole:
        return self

    def add_to_policy(self, policy_name: str, *statements: Statement):
        policy = inline_policy(self, f"policy_{policy_name}", role=self._name, name=policy_name, statements=statements)
        self.policies.append(policy)
        return policy
