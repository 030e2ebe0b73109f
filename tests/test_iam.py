"""IAM as a reviewer reads it: parliament on every policy, no `*` action anywhere."""

from __future__ import annotations

import json
import re

import parliament
import pytest
from parliament import config as parliament_config

from .conftest import GATED

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
    text = text.replace("$${aws:", "${aws:")
    assert "${" not in text.replace("${aws:", ""), text
    return text


@pytest.mark.parametrize("environment", GATED)
def test_parliament_finds_nothing_at_medium_or_above(gated, environment):
    findings = []
    for address, document in policies(gated[environment].json):
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
    for address, document in policies(gated[environment].json):
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
