"""One grant shape: `grant_*(grantee)` on the resource, returning the policy it added to the
grantee, which may be a role of this library, a role made elsewhere, or a construct with one."""

from __future__ import annotations

import json

import pytest

from constructs_lib import (
    ImportedRole,
    Names,
    ServiceRole,
    SessionTable,
    SessionTableProps,
    TenantMetering,
    TenantMeteringProps,
    TokenVendingMachine,
    TokenVendingMachineProps,
)

from .conftest import synth_construct

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NAMES = Names("tools", "dev")


def make_grantee(stack, kind: str):
    if kind == "service role":
        return ServiceRole(stack, "role", role_name="worker", service="lambda.amazonaws.com", description="w")
    return ImportedRole(stack, "role", name="platform-worker", arn="arn:aws:iam::123456789012:role/platform-worker")


def sessions(stack, role):
    return SessionTable(stack, "sessions", SessionTableProps(table_name="s", kms_key=KEY)).grant_read_write(role)


def metering(stack, role):
    return TenantMetering(stack, "metering", TenantMeteringProps(names=NAMES, kms_key=KEY, function=role)).grant


def vending(stack, role):
    table = SessionTable(stack, "sessions", SessionTableProps(table_name="s", kms_key=KEY, partition_by_tenant=True))
    props = TokenVendingMachineProps(names=NAMES, function_role=role, session_table=table)
    return TokenVendingMachine(stack, "tvm", props).sts_policy


# grant -> (what makes it, an action it must add)
GRANTS = {
    "SessionTable.grant_read_write": (sessions, "dynamodb:PutItem"),
    "TenantMetering.grant_record_usage": (metering, "dynamodb:UpdateItem"),
    "TokenVendingMachine.grant_assume_tenant_roles": (vending, "sts:AssumeRole"),
}


@pytest.mark.parametrize("kind", ["service role", "imported role"])
@pytest.mark.parametrize("grant", sorted(GRANTS))
def test_a_grant_adds_one_policy_to_the_grantee_and_returns_it(grant, kind):
    make, action = GRANTS[grant]
    returned = {}

    def build(stack):
        returned["policy"] = make(stack, make_grantee(stack, kind))

    synth = synth_construct(build)
    role = "platform-worker" if kind == "imported role" else "${" + synth.address("aws_iam_role", name="worker")
    added = [
        p for p in synth.resources("aws_iam_role_policy").values()
        if p["role"].startswith(role) and action in json.dumps(json.loads(p["policy"]))
    ]  # fmt: skip
    assert len(added) == 1
    assert returned["policy"].terraform_resource_type == "aws_iam_role_policy"
