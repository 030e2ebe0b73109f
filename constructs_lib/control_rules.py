"""A rule pack over the constructed tree, cdk-nag style: each rule names the NIST SP 800-53
rev. 5 control it verifies and the Checkov checks that verify the same, and fails synth (a
validation error naming the resource's path) unless the resource records why the rule does
not apply (`compliance.skip_check`, under the rule's id or one of its Checkov ids: the same
records that feed the Checkov baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import jsii
from cdktf import TerraformResource, TerraformStack
from constructs import IValidation

from .compliance import exceptions


@dataclass(frozen=True)
class ControlRule:
    id: str
    control: str
    resource_type: str
    checkov: tuple[str, ...]
    requirement: str
    check: Callable[[dict], bool]

    def exception(self, body: dict) -> tuple[str, str] | None:
        """(id, reason) of the record that exempts this resource, if any."""
        recorded = exceptions(body)
        return next(((i, recorded[i]) for i in (self.id, *self.checkov) if i in recorded), None)


def _block(body: dict, name: str) -> dict:
    value = body.get(name) or {}
    return value[0] if isinstance(value, list) and value else value if isinstance(value, dict) else {}


def _strong_passwords(policy: dict) -> bool:
    classes = ("require_lowercase", "require_uppercase", "require_numbers", "require_symbols")
    return (policy.get("minimum_length") or 0) >= 14 and all(policy.get(c) is True for c in classes) \
        and 0 < (policy.get("temporary_password_validity_days") or 0) <= 7


RULES: tuple[ControlRule, ...] = (
    ControlRule("MCP-SC28-LOGS", "SC-28", "aws_cloudwatch_log_group", ("CKV_AWS_158",),
                "log groups are encrypted with a customer-managed KMS key", lambda b: bool(b.get("kms_key_id"))),
    ControlRule("MCP-AU11-LOGS", "AU-11", "aws_cloudwatch_log_group", ("CKV_AWS_338",),
                "log groups keep events at least 365 days (unset or 0: never expire)",
                lambda b: b.get("retention_in_days") in (None, 0) or b["retention_in_days"] >= 365),
    ControlRule("MCP-SC28-TABLE", "SC-28", "aws_dynamodb_table", ("CKV_AWS_119",),
                "tables are encrypted with a customer-managed KMS key",
                lambda b: bool(_block(b, "server_side_encryption").get("kms_key_arn"))),
    ControlRule("MCP-CP9-TABLE", "CP-9", "aws_dynamodb_table", ("CKV_AWS_28",),
                "tables have point-in-time recovery", lambda b: _block(b, "point_in_time_recovery").get("enabled") is True),
    ControlRule("MCP-SC28-TOPIC", "SC-28", "aws_sns_topic", ("CKV_AWS_26",),
                "topics are encrypted with a KMS key", lambda b: bool(b.get("kms_master_key_id"))),
    ControlRule("MCP-SC28-ECR", "SC-28", "aws_ecr_repository", ("CKV_AWS_136",),
                "repositories are encrypted with a KMS key",
                lambda b: _block(b, "encryption_configuration").get("encryption_type") == "KMS"),
    ControlRule("MCP-SC12-KEY", "SC-12", "aws_kms_key", ("CKV_AWS_7",),
                "keys rotate yearly", lambda b: b.get("enable_key_rotation") is True),
    ControlRule("MCP-SC7-FUNCTION", "SC-7", "aws_lambda_function", ("CKV_AWS_117",),
                "functions run in the VPC's private subnets", lambda b: bool(_block(b, "vpc_config").get("subnet_ids"))),
    ControlRule("MCP-SI4-FUNCTION", "SI-4", "aws_lambda_function", ("CKV_AWS_50",),
                "functions are traced with X-Ray", lambda b: _block(b, "tracing_config").get("mode") == "Active"),
    ControlRule("MCP-IA2-METHOD", "IA-2", "aws_api_gateway_method", ("CKV_AWS_59",),
                "API methods require an authorizer (CORS preflight excepted)",
                lambda b: b.get("authorization") not in (None, "NONE") or b.get("http_method") == "OPTIONS"),
    ControlRule("MCP-IA2-ROUTE", "IA-2", "aws_apigatewayv2_route", ("CKV_AWS_309",),
                "API routes require an authorizer", lambda b: b.get("authorization_type") not in (None, "NONE")),
    ControlRule("MCP-IA2-MFA", "IA-2(1)", "aws_cognito_user_pool", (),
                "user pools people sign in to require MFA (a pool with MFA off and no TOTP serves "
                "machine clients only)",
                lambda b: b.get("mfa_configuration") == "ON" or not b.get("software_token_mfa_configuration")),
    ControlRule("MCP-IA5-PASSWORD", "IA-5(1)", "aws_cognito_user_pool", (),
                "passwords have 14 or more characters of all four classes and temporary ones expire",
                lambda b: _strong_passwords(_block(b, "password_policy"))),
    ControlRule("MCP-SC8-DOMAIN", "SC-8", "aws_api_gateway_domain_name", ("CKV_AWS_206",),
                "custom domains negotiate TLS 1.2 or later", lambda b: b.get("security_policy") == "TLS_1_2"),
)  # fmt: skip
RULES_BY_TYPE: dict[str, list[ControlRule]] = {}
for _rule in RULES:
    RULES_BY_TYPE.setdefault(_rule.resource_type, []).append(_rule)


def violations(resource_type: str, body: dict) -> list[ControlRule]:
    """The rules a resource's synthesized configuration breaks without a recorded reason."""
    return [r for r in RULES_BY_TYPE.get(resource_type, ()) if not r.check(body) and not r.exception(body)]


# Resource class -> its Terraform type (a static read over jsii, once per class).
_TYPE_OF: dict[type, str | None] = {}


def _resource_type(node: object) -> str | None:
    cls = type(node)
    if cls not in _TYPE_OF:
        _TYPE_OF[cls] = cls.TF_RESOURCE_TYPE if issubclass(cls, TerraformResource) else None
    return _TYPE_OF[cls]


@jsii.implements(IValidation)
class ControlRuleValidation:
    """The rule pack over every resource of a stack, as one validation of the stack: its
    construct tree is read once and only the resources a rule reads are rendered (an aspect
    would call back into Python for every node)."""

    def __init__(self, stack: TerraformStack):
        self.stack = stack

    def validate(self) -> list[str]:
        found = []
        for node in self.stack.node.find_all():
            resource_type = _resource_type(node)
            if resource_type not in RULES_BY_TYPE:
                continue
            (body,) = node.to_terraform()["resource"][resource_type].values()
            for broken in violations(resource_type, body):
                found.append(
                    f"{node.node.path}: {broken.control} ({broken.id}): {broken.requirement}; fix it, or "
                    f"record why it does not apply: skip_check(resource, {(broken.checkov or (broken.id,))[0]!r}, reason)"
                )
        return found


def apply_control_rules(stack: TerraformStack) -> None:
    """Add the rule pack to `stack`, once however many constructs ask."""
    if not getattr(stack, "_control_rules_applied", False):
        stack._control_rules_applied = True
        stack.node.add_validation(ControlRuleValidation(stack))
