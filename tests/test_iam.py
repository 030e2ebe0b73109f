"""IAM as a reviewer reads it: parliament on every identity policy (AWS managed ones included),
no `*` action anywhere, no wildcard account or partition in any policy, on every gated stack."""

from __future__ import annotations

import json
import re

import parliament
import pytest
from parliament import config as parliament_config

from .conftest import EXAMPLES, GATED, LIBRARY_APP, ROOT

POLICY_FIELDS = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_ecr_repository_policy": "policy",
}
SEVERITY_ORDER = ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]


def policies(stack: dict):
    for resource_type, field in POLICY_FIELDS.items():
        for logical_id, body in stack.get("resource", {}).get(resource_type, {}).items():
            yield f"{resource_type}.{logical_id}", json.loads(body[field])


# AWS managed policies, by the name after `:policy/` (tests/data/managed_policies.json).
MANAGED = {k: v for k, v in json.loads((ROOT / "tests" / "data" / "managed_policies.json").read_text()).items()
           if k != "//"}  # fmt: skip
MANAGED_ARN = re.compile(r"arn:[^:]+:iam::aws:policy/(.+)")


def managed_policies(stack: dict):
    """(attachment address, document) of every AWS managed policy the stack attaches."""
    for logical_id, body in stack.get("resource", {}).get("aws_iam_role_policy_attachment", {}).items():
        name = MANAGED_ARN.fullmatch(body["policy_arn"])
        assert name, f"{logical_id}: {body['policy_arn']} is not an AWS managed policy"
        assert name.group(1) in MANAGED, f"add the document of {name.group(1)} to tests/data/managed_policies.json"
        yield f"aws_iam_role_policy_attachment.{logical_id}", MANAGED[name.group(1)]


# What a reference to each resource's ARN looks like once applied.
ARN_SHAPES = {
    "aws_dynamodb_table": "arn:aws:dynamodb:us-east-1:123456789012:table/{id}",
    "aws_lambda_function": "arn:aws:lambda:us-east-1:123456789012:function:{id}",
    "aws_cloudwatch_log_group": "arn:aws:logs:us-east-1:123456789012:log-group:{id}",
    "aws_kms_key": "arn:aws:kms:us-east-1:123456789012:key/{id}",
    "aws_cognito_user_pool": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_{id}",
    "aws_secretsmanager_secret": "arn:aws:secretsmanager:us-east-1:123456789012:secret:{id}-AbCdEf",
}


def concrete(document: dict) -> str:
    """Replace interpolations with ARNs of the referenced type, so parliament can match them."""
    text = json.dumps(document)
    text = re.sub(r"\$\{data\.aws_partition\.partition\.partition\}", "aws", text)
    text = re.sub(r"\$\{data\.aws_partition\.partition\.dns_suffix\}", "amazonaws.com", text)
    text = re.sub(r"\$\{data\.aws_region\.region\.region\}", "us-east-1", text)
    text = re.sub(r"\$\{data\.aws_caller_identity\.caller\.account_id\}", "123456789012", text)

    def arn(match: re.Match) -> str:
        resource_type, logical_id = match.group(1), match.group(2)
        assert resource_type in ARN_SHAPES, f"add an ARN shape for {resource_type}"
        return ARN_SHAPES[resource_type].format(id=logical_id)

    text = re.sub(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_]+)\.arn\}", arn, text)
    # A tenant's app client id, and IAM policy variables as AWS receives them (OpenTofu turns
    # the escaped `$${` into `${`).
    text = re.sub(r"\$\{aws_cognito_user_pool_client\.([A-Za-z0-9_]+)\.id\}", r"client\1", text)
    # The function's subnets and security group (its network-interface statement).
    text = re.sub(r"\$\{aws_subnet\.[A-Za-z0-9_]+\.id\}", "subnet-0123456789abcdef0", text)
    text = re.sub(r"\$\{aws_security_group\.[A-Za-z0-9_]+\.id\}", "sg-0123456789abcdef0", text)
    # A subnet's ARN as its data source reads it (the owner's account: here, this one).
    text = re.sub(r"\$\{data\.aws_subnet\.[A-Za-z0-9_]+\.arn\}",
                  "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0", text)
    text = text.replace("$${aws:", "${aws:")
    assert "${" not in text.replace("${aws:", ""), text
    return text


@pytest.mark.parametrize("environment", GATED)
def test_parliament_finds_nothing_at_medium_or_above(gated, environment):
    findings = []
    stack = gated[environment].json
    for address, document in [*policies(stack), *managed_policies(stack)]:
        if any("Principal" in statement for statement in document["Statement"]):
            continue  # trust and resource policies: parliament reads identity policies
        analysed = parliament.analyze_policy_string(concrete(document))
        findings += [
            f"{address}: {finding.issue} {finding.detail}"
            for finding in analysed.findings
            if at_least_medium(finding)
        ]
    assert findings == []


def at_least_medium(finding) -> bool:
    severity = parliament_config.get(finding.issue, {}).get("severity", "MEDIUM")
    return SEVERITY_ORDER.index(severity) >= SEVERITY_ORDER.index("MEDIUM")


def test_the_parliament_gate_can_fail():
    mismatched = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:s3:::bucket"}]}
    analysed = parliament.analyze_policy_string(json.dumps(mismatched))
    assert any(at_least_medium(f) for f in analysed.findings)


@pytest.mark.parametrize("environment", GATED)
def test_no_wildcard_actions(gated, environment):
    stack = gated[environment].json
    for address, document in [*policies(stack), *managed_policies(stack)]:
        for statement in document["Statement"]:
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            assert not [a for a in actions if "*" in a], address


def test_the_policy_reader_sees_every_inline_policy(shipped):
    addresses = [a for a, _ in policies(shipped["prod"].json)]
    assert any(a.startswith("aws_iam_role_policy.") for a in addresses)
    assert any(a.startswith("aws_ecr_repository_policy.") for a in addresses)
    tenant = [a for a, _ in policies(shipped["staging"].json)]
    assert any(a.startswith("aws_iam_policy.") for a in tenant)  # the tenant boundary


# -- no wildcard account or partition, in any policy, at any severity --------------------------

# Every argument holding a policy document, identity or resource (trust, key, endpoint, ...).
ALL_POLICY_FIELDS = {
    **POLICY_FIELDS, "aws_kms_key": "policy", "aws_vpc_endpoint": "policy", "aws_sns_topic": "policy",
    "aws_sns_topic_policy": "policy", "aws_cloudwatch_log_resource_policy": "policy_document",
    "aws_api_gateway_rest_api": "policy",
}  # fmt: skip
# The partition and account fields of an ARN as the stacks write them: a literal, or the stack's
# own partition and account read from data sources (or a reference to a resource of the stack).
PARTITIONS = re.compile(r"aws(?:-[a-z]+)*|\$\{data\.aws_partition\.partition\.partition\}")
ACCOUNTS = re.compile(r"|\d{12}|aws|\$\{data\.aws_caller_identity\.caller\.account_id\}")
ARN_TEXT = re.compile(r"arn:(\$\{[^}]*\}|[^:]*):[^:]*:(\$\{[^}]*\}|[^:]*):(\$\{[^}]*\}|[^:]*)")


def all_policies(stack: dict):
    for resource_type, field in ALL_POLICY_FIELDS.items():
        for logical_id, body in stack.get("resource", {}).get(resource_type, {}).items():
            if field in body:
                yield f"{resource_type}.{logical_id}", json.loads(body[field])
    yield from managed_policies(stack)


def wildcard_arns(document: dict) -> list[str]:
    """Each ARN in the document (resources, principals, condition values) whose partition or
    account is a wildcard: it would reach every account's (or partition's) resources."""
    found = []
    for match in ARN_TEXT.finditer(json.dumps(document)):
        partition, account = match.group(1), match.group(3)
        if not PARTITIONS.fullmatch(partition) or not ACCOUNTS.fullmatch(account):
            found.append(match.group(0))
    return found


@pytest.mark.parametrize("environment", GATED)
def test_no_policy_names_a_wildcard_account_or_partition(gated, environment):
    found = [f"{address}: {arn}" for address, document in all_policies(gated[environment].json)
             for arn in wildcard_arns(document)]  # fmt: skip
    assert found == []


@pytest.mark.parametrize(
    "arn",
    ["arn:*:iam::*:role/*", "arn:aws:iam::*:role/tenants/*", "arn:aws:lambda:us-east-1:?23456789012:function:x",
     "arn:${data.aws_partition.partition.partition}:sts::*:assumed-role/x"],
)  # fmt: skip
def test_the_wildcard_gate_can_fail(arn):
    document = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [arn]}]}
    assert len(wildcard_arns(document)) == 1
    assert wildcard_arns({"Statement": [{"Resource": "arn:aws:iam::123456789012:role/x"}]}) == []


def test_every_example_and_the_library_app_are_gated():
    directories = {d.name for d in (ROOT / "examples").iterdir() if d.is_dir() and not d.name.startswith(("_", "."))}
    assert directories == {*EXAMPLES, LIBRARY_APP}
    assert set(GATED) == {"dev", "staging", "prod", *EXAMPLES, LIBRARY_APP}


def test_managed_policies_are_read_by_the_gates(shipped):
    read = [address for address, _ in managed_policies(shipped["prod"].json)]
    assert read and all(a.startswith("aws_iam_role_policy_attachment.") for a in read)
