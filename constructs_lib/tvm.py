"""Token vending machine: tenant-scoped credentials for the function, from STS (AC-6, SC-7).

The function assumes a tenant role with the session tag `tenant_id` = the verified tenant (the
token's `client_id`). What that session can reach is the intersection of the role's own policy
and the permission boundary, and both name only items whose partition key is that tenant:

    function role --sts:AssumeRole + sts:TagSession(tenant_id=T)--> tenant role (path /<prefix>/tenants/)
        trust:      only the function role, only with tenant_id = T (its own T; for the template
                    any T but a declared tenant's, whose own role serves it)
        boundary:   items with LeadingKeys = ${aws:PrincipalTag/tenant_id}; deny IAM/STS escalation
        own policy: items with LeadingKeys = T (template: the session tag)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import jsii
from cdktf import IResolveContext, IStringProducer, Lazy, Op, Precondition, TerraformResourceLifecycle
from constructs import Construct

from . import aws
from .checks import Problem, doc, is_token, resolved, rule, rules_of, run_rules
from .context import account_id, partition
from .iam import Grantable, Role, Statement, inline_policy, policy_document
from .kms import KeyLike, key_arn
from .limits import IAM_ROLE_ARN_PATTERN, MAX_CHAINED_SESSION_S, MIN_SESSION_S
from .naming import Names
from .sessions import SessionTable
from .tenancy import (
    DEFAULT_TENANT_ACTIONS,
    LEADING_KEY_ACTIONS,
    REQUEST_TAG,
    TENANT_ID,
    deny_escalation,
)


@dataclass(frozen=True)
class TokenVendingMachineOptions:
    """The seed TVM module's inputs that a deployment does not wire itself (`[token_vending_machine]`)."""

    tags: Mapping[str, str] = field(default_factory=dict, metadata=doc("More tags on the boundary and the tenant roles"))
    allowed_actions: Sequence[str] = field(default=DEFAULT_TENANT_ACTIONS, metadata=doc(
        "Session-table item actions a tenant session may take, each confined to the tenant's own "
        "partition key (" + ", ".join(LEADING_KEY_ACTIONS) + ")"))  # fmt: skip
    enable_template_role: bool = field(default=True, metadata=doc(
        "Create the template tenant role, which serves any tenant by its session tag"))  # fmt: skip
    tenant_session_duration: int = field(default=3600, metadata=doc(
        f"Seconds a vended tenant session lasts, {MIN_SESSION_S} to {MAX_CHAINED_SESSION_S} "
        "(STS limits chained role sessions to one hour)"))  # fmt: skip
    tenant_role_arn_pattern: str | None = field(default=None, metadata=doc(
        "Roles the function may assume for tenants (the seed's input). It must cover "
        "`role/<name>-<environment>/tenants/*`, where the stack puts tenant roles (default: "
        "exactly that, in this account)"))  # fmt: skip

    @rule("allowed_actions")
    def _confinable_actions(self) -> list[Problem]:
        actions = list(resolved(self.allowed_actions))
        if not actions:
            return [(("allowed_actions",), "list at least one action")]
        return [
            (("allowed_actions", i), f"{a!r} cannot be confined to one tenant's items with "
             "dynamodb:LeadingKeys; use item actions: " + ", ".join(LEADING_KEY_ACTIONS))
            for i, a in enumerate(actions) if a not in LEADING_KEY_ACTIONS
        ] + [(("allowed_actions", i), f"{a!r} is listed more than once")
             for i, a in enumerate(actions) if actions.index(a) != i]  # fmt: skip

    @rule("tenant_session_duration")
    def _chained_session(self) -> list[Problem]:
        if MIN_SESSION_S <= resolved(self.tenant_session_duration) <= MAX_CHAINED_SESSION_S:
            return []
        return [(("tenant_session_duration",),
            f"must be {MIN_SESSION_S} to {MAX_CHAINED_SESSION_S}: the function's own credentials "
            "are a role session, so a tenant session is a chained role session, which STS limits "
            "to one hour")]  # fmt: skip

    @rule("tenant_role_arn_pattern")
    def _pattern_shape(self) -> list[Problem]:
        pattern = resolved(self.tenant_role_arn_pattern)
        problem = pattern and IAM_ROLE_ARN_PATTERN.problem(pattern)
        return [(("tenant_role_arn_pattern",), problem)] if problem else []

    def problems(self, skip: Iterable[str] = ()) -> list[Problem]:
        return run_rules(rules_of(vars(type(self))), self, skip)


@dataclass(frozen=True, kw_only=True)
class TokenVendingMachineProps:
    names: Names
    # The role that vends: it may assume the tenant roles, which trust only it.
    function_role: Role
    # The tenant data the vended credentials reach.
    session_table: SessionTable
    options: TokenVendingMachineOptions = field(default_factory=TokenVendingMachineOptions)
    # Key of the tenant data (default: the session table's).
    kms_key: KeyLike | None = None


def covers_path(pattern: str, role_path: str) -> bool:
    """Whether an IAM role ARN pattern matches every role under `role_path`, whatever its name:
    the pattern ends in `*`, and what comes before matches `role<role_path>` or a prefix of it
    (IAM wildcards: `*` any characters, `/` included, `?` one)."""
    resource = pattern.split(":", 5)[-1]
    if not resource.endswith("*"):
        return False
    head = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in resource[:-1]
    )
    target = "role" + role_path
    return any(re.fullmatch(head, target[:end]) for end in range(len(target) + 1))


def tenant_role_arn_prefix(scope: Construct, names: Names) -> str:
    """ARN of a tenant role without its name: append the tenant (the app client id)."""
    return f"arn:{partition(scope)}:iam::{account_id(scope)}:role{names.tenant_role_path}"


def vended_credentials_environment(
    scope: Construct, names: Names, *, template_role: bool, session_seconds: int
) -> dict[str, str]:
    """What the function's code needs to vend credentials (set as environment variables)."""
    prefix = tenant_role_arn_prefix(scope, names)
    env = {
        "TENANT_TAG_KEY": TENANT_ID,
        "TENANT_ROLE_ARN_PREFIX": prefix,
        "TENANT_SESSION_SECONDS": str(session_seconds),
    }
    if template_role:
        env["TENANT_TEMPLATE_ROLE_ARN"] = prefix + names.tenant_template_role
    return env


class TokenVendingMachine(Construct):
    """The permission boundary, the function's STS policy, the template role, tenant roles."""

    def __init__(self, scope: Construct, id: str, props: TokenVendingMachineProps):
        super().__init__(scope, id)
        options = props.options
        problems = options.problems()
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason in problems))
        self.props, self.options = props, options
        names = props.names
        self.actions = tuple(sorted(set(options.allowed_actions)))
        self.key_arn = key_arn(props.kms_key) if props.kms_key else props.session_table.kms_key_arn
        self.boundary = aws.iam_policy.IamPolicy(
            self,
            "boundary",
            name=names.tenant_boundary,
            description="Permission boundary of MCP tenant roles: own tenant's items only",
            policy=policy_document(
                *props.session_table.tenant_statements(self.actions, key_arn=self.key_arn),
                deny_escalation(),
            ),
            tags=dict(options.tags) or None,
        )
        self.sts_policy = self.grant_assume_tenant_roles(props.function_role)
        self.template_role = None
        if options.enable_template_role:
            self.template_role = self._role(
                "template",
                name=names.tenant_template_role,
                description="MCP tenant template: the session's tenant_id tag decides the tenant",
                tenant=None,
            )
        self.tenant_roles: dict[str, object] = {}
        # tenant -> its client id, which the template role refuses (see `_template_trust`).
        self.tenant_ids: dict[str, str] = {}

    def grant_assume_tenant_roles(self, grantee: Grantable):
        """Let `grantee` assume tenant roles, tagging the session with the tenant and nothing else."""
        pattern = self.options.tenant_role_arn_pattern or tenant_role_arn_prefix(self, self.props.names) + "*"
        tagged = {"ForAllValues:StringEquals": {"aws:TagKeys": [TENANT_ID]}}
        policy = inline_policy(
            self,
            "sts",
            role=grantee.grant_principal.name,
            name=self.props.names.tenant_sts_policy,
            statements=[
                Statement(sid="AssumeTenantRoles", actions=["sts:AssumeRole"], resources=[pattern]),
                Statement(
                    sid="TagTenantSessions",
                    actions=["sts:TagSession"],
                    resources=[pattern],
                    conditions={"StringLike": {REQUEST_TAG: "?*"}, **tagged},
                ),
            ],
        )
        given = self.options.tenant_role_arn_pattern
        if given and not is_token(given):
            # The pattern's rule wants this partition and a written-out account; which account
            # deploys is known only when planning, so the plan fails on any other (a pattern
            # naming another account would let the function assume that account's roles).
            pattern_account = given.split(":")[4]
            policy.lifecycle = TerraformResourceLifecycle(precondition=[Precondition(
                condition=Op.eq(account_id(self), pattern_account),
                error_message=f"token_vending_machine.tenant_role_arn_pattern names account {pattern_account}, "
                              "not the account this stack deploys to; tenant roles are this account's",
            )])  # fmt: skip
        return policy

    def add_tenant(self, tenant: str, client_id: str):
        """The role of one declared tenant: only `client_id`'s items, only with that tag."""
        role = self._role(
            f"tenant_{tenant}",
            name=client_id,
            description=f"MCP tenant {tenant}",
            tenant=client_id,
        )
        self.tenant_roles[tenant] = role
        self.tenant_ids[tenant] = client_id
        return role

    def _role(self, id: str, *, name: str, description: str, tenant: str | None):
        p = self.props
        function_role_arn = p.function_role.arn
        # The template admits any non-empty tenant; a tenant's role only its own.
        required = {"StringEquals": {REQUEST_TAG: tenant}} if tenant else {"StringLike": {REQUEST_TAG: "?*"}}
        trust = [
            Statement(
                sid="FunctionAssumesForOneTenant",
                principals={"AWS": function_role_arn},
                actions=["sts:AssumeRole"],
                resources=(),
                conditions=required,
            ),
            Statement(
                sid="FunctionTagsTheTenant",
                principals={"AWS": function_role_arn},
                actions=["sts:TagSession"],
                resources=(),
                conditions={**required, "ForAllValues:StringEquals": {"aws:TagKeys": [TENANT_ID]}},
            ),
        ]
        # The template's trust is written at synth, once every declared tenant is known.
        trust_policy = policy_document(*trust) if tenant else Lazy.string_value(_TemplateTrust(self, trust))
        role = aws.iam_role.IamRole(
            self,
            id,
            name=name,
            path=p.names.tenant_role_path,
            description=description,
            assume_role_policy=trust_policy,
            permissions_boundary=self.boundary.arn,
            max_session_duration=MAX_CHAINED_SESSION_S,
            tags={**self.options.tags, **({TENANT_ID: tenant} if tenant else {})} or None,
        )
        statements = p.session_table.tenant_statements(
            self.actions, key_arn=self.key_arn, **({"tenant": tenant} if tenant else {})
        )
        inline_policy(self, f"{id}_items", role=role.id, name="tenant-items", statements=statements)
        return role

    # -- the seed module's outputs ------------------------------------------------------------

    @property
    def sts_policy_name(self) -> str:
        return self.sts_policy.name

    @property
    def permission_boundary_arn(self) -> str:
        return self.boundary.arn

    @property
    def permission_boundary_name(self) -> str:
        return self.boundary.name

    @property
    def template_role_arn(self) -> str | None:
        return self.template_role.arn if self.template_role else None

    @property
    def template_role_name(self) -> str | None:
        return self.template_role.name if self.template_role else None


@jsii.implements(IStringProducer)
class _TemplateTrust:
    """The template role's trust policy: any tenant by its session tag, except a declared
    tenant. A declared tenant has a role of its own (its own tag, its own items, its own
    alarms); were the template to serve it as well, that role would isolate nothing, since the
    function could reach the same items through the template. The refusal is an explicit deny,
    which no allow can outweigh."""

    def __init__(self, tvm: TokenVendingMachine, allows: list[Statement]):
        self.tvm, self.allows = tvm, allows

    def produce(self, context: IResolveContext) -> str:
        declared = [self.tvm.tenant_ids[t] for t in sorted(self.tvm.tenant_ids)]
        if not declared:
            return policy_document(*self.allows)
        refuse = Statement(
            sid="NotForDeclaredTenants",
            effect="Deny",
            principals={"AWS": "*"},
            actions=["sts:AssumeRole", "sts:TagSession"],
            conditions={"StringEquals": {REQUEST_TAG: declared}},
        )
        return policy_document(*self.allows, refuse)
