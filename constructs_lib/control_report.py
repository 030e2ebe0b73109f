"""The control report of a synthesized stack: for each NIST SP 800-53 rev. 5 control of the
seed's table (and those the rule pack adds), the resources that implement it (addresses), their
relevant parameters, the rules and Checkov checks that verify them, the recorded exceptions, and
what remains the customer's responsibility. As an OSCAL component definition and a Markdown
summary, both derived from the stack's JSON alone (a removed resource leaves the report).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .control_rules import RULES

OSCAL_VERSION = "1.1.2"
CATALOG = (
    "https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/"
    "NIST_SP-800-53_rev5_catalog.json"
)
NAMESPACE = "urn:mcp-lambda-constructs:oscal"
# The report changes only with the stack: no clock time in it (the SSP carries the dates).
LAST_MODIFIED = "2026-01-01T00:00:00+00:00"
REPORT_VERSION = "1"
_UUIDS = uuid.UUID("6d1c6f0e-2b1a-4f3e-9a57-0c0ffee00001")


@dataclass(frozen=True)
class ControlEvidence:
    control: str
    title: str
    implementation: str
    # Resource type -> the top-level arguments worth an assessor's reading.
    resources: Mapping[str, tuple[str, ...]]
    customer: str
    # Checks of other tools that verify the control here (beyond the rule pack's).
    verified_by: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    # Whether the control is reported for a stack (the sign-in controls only where people sign in).
    applies: Callable[[dict], bool] = lambda stack: True


def people_sign_in(stack: dict) -> bool:
    """Whether people sign in to the stack (an app client with the authorization code grant)."""
    clients = stack.get("resource", {}).get("aws_cognito_user_pool_client", {}).values()
    return any("code" in (c.get("allowed_oauth_flows") or ()) for c in clients)


CONTROLS: tuple[ControlEvidence, ...] = (
    ControlEvidence(
        "AC-6", "Least privilege",
        "One role per function; inline policies name actions and resources; tenant roles under a "
        "permission boundary confined to the tenant's items; resource policies pinned to the account.",
        {"aws_iam_role": ("name", "permissions_boundary"), "aws_iam_role_policy": ("name",),
         "aws_iam_policy": ("name",), "aws_lambda_permission": ("principal", "qualifier"),
         "aws_ecr_repository_policy": ("repository",)},
        "Who may assume the deployment and administration roles, and IAM administration of the key "
        "(its policy delegates to IAM): both are account-level and outside this stack.",
        ("parliament (identity policies)", "tests/test_resource_policies.py (resource policies)"),
    ),
    ControlEvidence(
        "AU-2", "Event logging",
        "API access logs, function logs and VPC flow logs in CloudWatch Logs.",
        {"aws_cloudwatch_log_group": ("name",), "aws_api_gateway_stage": ("stage_name",),
         "aws_apigatewayv2_stage": ("name",), "aws_flow_log": ("traffic_type",)},
        "Which events the organization reviews, and forwarding the logs to its SIEM.",
    ),
    ControlEvidence(
        "AU-3", "Content of audit records",
        "Structured JSON access records: request, time, source IP, route, status, latency, "
        "integration error and the verified client (tenant).",
        {"aws_api_gateway_stage": ("stage_name",), "aws_apigatewayv2_stage": ("name",)},
        "The server's own application log content (the image is the customer's).",
    ),
    ControlEvidence(
        "AU-11", "Audit record retention",
        "Log groups keep events for log_retention_days (365 or more unless a reason is recorded).",
        {"aws_cloudwatch_log_group": ("retention_in_days",)},
        "Retention beyond the log groups (archives) under the organization's records schedule.",
    ),
    ControlEvidence(
        "CM-7", "Least functionality",
        "Reserved concurrency, stage and per-route throttling, REST request validation, three MCP "
        "routes only.",
        {"aws_lambda_function": ("reserved_concurrent_executions",),
         "aws_api_gateway_method_settings": ("method_path",), "aws_apigatewayv2_stage": ("name",),
         "aws_api_gateway_request_validator": ("validate_request_parameters",)},
        "The image's own functionality: the tools it exposes are the customer's choice.",
    ),
    ControlEvidence(
        "CP-9", "System backup",
        "Point-in-time recovery on every table (35 days of continuous backups).",
        {"aws_dynamodb_table": ("name", "deletion_protection_enabled")},
        "Restore tests, and backups of data kept outside the tables.",
    ),
    ControlEvidence(
        "IA-2", "Identification and authentication (organizational users)",
        "Cognito OAuth 2.0 client credentials; every /mcp method or route needs a token with scope "
        "mcp/invoke, checked by API Gateway before the function runs.",
        {"aws_cognito_user_pool": ("name", "deletion_protection"),
         "aws_api_gateway_authorizer": ("type",), "aws_apigatewayv2_authorizer": ("authorizer_type",),
         "aws_api_gateway_method": ("http_method", "authorization"),
         "aws_apigatewayv2_route": ("route_key", "authorization_type")},
        "Issuing, distributing and rotating client secrets; users and MFA if a user sign-in flow is added.",
    ),
    ControlEvidence(
        "IA-8", "Identification and authentication (non-organizational users)",
        "Each tenant is an app client of the pool; its identity is the verified token's client_id.",
        {"aws_cognito_user_pool_client": ("name", "allowed_oauth_flows")},
        "Vetting the tenants before their app clients are declared.",
    ),
    ControlEvidence(
        "IA-2(1)", "Multi-factor authentication to privileged and non-privileged accounts",
        "People sign in through Cognito's managed login with a password and a TOTP app (user_mfa = "
        "required; IA-2(2) alike); machine clients use the client-credentials grant.",
        {"aws_cognito_user_pool": ("mfa_configuration", "user_pool_tier")},
        "Enrolling people's TOTP apps, and MFA in an external pool (cognito_user_pool_id).",
        applies=people_sign_in,
    ),
    ControlEvidence(
        "IA-5(1)", "Password-based authentication",
        "Passwords of 14 or more characters with all four character classes; temporary passwords "
        "expire after a day; only operators create people and recover accounts.",
        {"aws_cognito_user_pool": ("name",)},
        "Issuing temporary passwords out of band, and the policy of an external pool.",
        applies=people_sign_in,
    ),
    ControlEvidence(
        "AC-7", "Unsuccessful logon attempts",
        "Cognito locks a user out after repeated failed sign-ins, with a lockout that grows with "
        "each further failure (not configurable); the sign-in facade's registrations are rate-limited "
        "per source address.",
        {"aws_cognito_user_pool": ("name",)},
        "Reviewing locked-out accounts; threat protection (the Plus feature plan) if required.",
        applies=people_sign_in,
    ),
    ControlEvidence(
        "AU-12", "Audit record generation (the sign-in events of AU-2)",
        "The sign-in facade logs every authorization, consent, callback, token exchange and "
        "registration (outcome and client, never a code, token, secret or cookie) to its encrypted "
        "log group; CloudTrail records Cognito's own sign-in events.",
        {"aws_cloudwatch_log_group": ("name",)},
        "A CloudTrail trail that keeps Cognito's events, and reviewing them.",
        applies=people_sign_in,
    ),
    ControlEvidence(
        "SC-23", "Session authenticity",
        "Authorization codes are single-use, live 60 s and are bound to the client, the redirect URI "
        "and the PKCE (S256) verifier; state is required and iss is returned (RFC 9207); the consent "
        "form is CSRF-protected; refresh handles rotate and a reused one revokes its family.",
        {"aws_dynamodb_table": ("name",), "aws_cognito_user_pool_client": ("name", "allowed_oauth_flows")},
        "How people's MCP clients store their tokens.",
        applies=people_sign_in,
    ),
    ControlEvidence(
        "IR-4", "Incident handling",
        "Alarms notify an SNS topic (KMS-encrypted when created here), with e-mail subscriptions.",
        {"aws_sns_topic": ("name",), "aws_sns_topic_subscription": ("protocol",),
         "aws_cloudwatch_metric_alarm": ("alarm_name",)},
        "The incident response process behind the notifications, confirming e-mail subscriptions, "
        "and a topic given by alarm_sns_topic_arn (its owner's).",
    ),
    ControlEvidence(
        "SC-7", "Boundary protection",
        "Functions in private subnets without an internet route; egress only to VPC endpoints; "
        "API Gateway as the single entry (WAF on REST, default endpoint off with a custom domain); "
        "per-tenant execution environments with tenant isolation.",
        {"aws_lambda_function": ("function_name",), "aws_vpc": ("cidr_block",),
         "aws_vpc_endpoint": ("service_name", "vpc_endpoint_type"), "aws_security_group": ("name",),
         "aws_wafv2_web_acl_association": ("web_acl_arn",),
         "aws_api_gateway_rest_api": ("disable_execute_api_endpoint",),
         "aws_apigatewayv2_api": ("disable_execute_api_endpoint",)},
        "A given VPC's routes and network ACLs, and the rules of a web ACL given by waf_acl_arn.",
    ),
    ControlEvidence(
        "SC-8", "Transmission confidentiality and integrity",
        "API Gateway serves HTTPS only; custom domains negotiate TLS 1.2 or later, with mutual TLS "
        "when enabled; the provider calls FIPS endpoints where set.",
        {"aws_api_gateway_domain_name": ("domain_name", "security_policy"),
         "aws_apigatewayv2_domain_name": ("domain_name",), "aws_api_gateway_stage": ("stage_name",),
         "aws_apigatewayv2_stage": ("name",)},
        "Clients' TLS configuration, and the CAs of an mTLS truststore.",
    ),
    ControlEvidence(
        "SC-12", "Cryptographic key establishment and management",
        "A customer-managed KMS key with yearly rotation and a key policy naming its services.",
        {"aws_kms_key": ("enable_key_rotation", "deletion_window_in_days"), "aws_kms_alias": ("name",)},
        "A key given by kms_key_arn or replica_kms_key_arns: its policy and rotation are its owner's.",
    ),
    ControlEvidence(
        "SC-13", "Cryptographic protection",
        "AWS KMS (FIPS 140-validated HSMs) for every encryption at rest; FIPS endpoints for the "
        "provider's API calls where the stack sets them.",
        {"aws_kms_key": ("key_usage",)},
        "Cryptography inside the server image.",
    ),
    ControlEvidence(
        "SC-28", "Protection of information at rest",
        "The key encrypts the function's environment, every log group, table, topic and repository.",
        {"aws_lambda_function": ("kms_key_arn",), "aws_cloudwatch_log_group": ("kms_key_id",),
         "aws_dynamodb_table": ("name",), "aws_sns_topic": ("kms_master_key_id",),
         "aws_ecr_repository": ("name",)},
        "Data the server writes outside these resources.",
    ),
    ControlEvidence(
        "SI-4", "System monitoring",
        "X-Ray tracing, metric alarms, a dashboard and, when enabled, a Route 53 health check.",
        {"aws_lambda_function": ("function_name",), "aws_cloudwatch_metric_alarm": ("alarm_name", "threshold"),
         "aws_cloudwatch_dashboard": ("dashboard_name",), "aws_route53_health_check": ("fqdn", "resource_path")},
        "Watching the alarms and dashboard, and tuning thresholds to the workload.",
    ),
)  # fmt: skip


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUIDS, "/".join(parts)))


def _value(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return " ".join(text.split()) or "-"


def evidence(stack: dict) -> list[dict]:
    """Per control: its resources with parameters, rules, checks, exceptions, and what is left
    to the customer (plain data, shared by the OSCAL and Markdown forms)."""
    resources = stack.get("resource", {})
    found = []
    for control in (c for c in CONTROLS if c.applies(stack)):
        rules = [r for r in RULES if r.control == control.control]
        implementing, recorded = [], []
        for resource_type, arguments in control.resources.items():
            for logical_id, body in sorted(resources.get(resource_type, {}).items()):
                address = f"{resource_type}.{logical_id}"
                parameters = {a: _value(body[a]) for a in arguments if a in body}
                implementing.append({"address": address, "parameters": parameters})
                for rule in rules:
                    if rule.resource_type == resource_type and (exception := rule.exception(body)):
                        recorded.append({"address": address, "rule": rule.id, "check": exception[0],
                                         "reason": exception[1]})  # fmt: skip
        found.append({
            "control": control.control, "title": control.title, "implementation": control.implementation,
            "resources": implementing, "rules": [r.id for r in rules],
            "checks": sorted({c for r in rules for c in r.checkov}) + list(control.verified_by),
            "exceptions": recorded, "customer": control.customer,
        })  # fmt: skip
    return found


def _control_id(control: str) -> str:
    """OSCAL's id of a control: `ia-2`, and `ia-2.1` for the enhancement IA-2(1)."""
    return control.lower().replace("(", ".").replace(")", "")


def component_definition(stack: dict, stack_name: str) -> dict:
    """The OSCAL component definition (JSON) of the stack."""
    fips = any(p.get("use_fips_endpoint") for p in stack.get("provider", {}).get("aws", []))
    requirements = []
    for item in evidence(stack):
        props = [{"name": "implementing-resource", "ns": NAMESPACE, "value": r["address"],
                  **({"remarks": "; ".join(f"{k} = {v}" for k, v in r["parameters"].items())} if r["parameters"] else {})}
                 for r in item["resources"]]  # fmt: skip
        props += [{"name": "verified-by-rule", "ns": NAMESPACE, "value": rule} for rule in item["rules"]]
        props += [{"name": "verified-by", "ns": NAMESPACE, "value": check} for check in item["checks"]]
        props += [{"name": "recorded-exception", "ns": NAMESPACE, "value": f"{e['address']} {e['check']}",
                   "remarks": e["reason"]} for e in item["exceptions"]]  # fmt: skip
        requirement = {
            "uuid": _uuid(stack_name, item["control"]),
            "control-id": _control_id(item["control"]),
            "description": item["implementation"],
            "remarks": f"Customer responsibility: {item['customer']}",
        }
        if props:
            requirement["props"] = props
        requirements.append(requirement)
    return {"component-definition": {
        "uuid": _uuid(stack_name),
        "metadata": {
            "title": f"MCP server stack {stack_name}: NIST SP 800-53 rev. 5 controls",
            "last-modified": LAST_MODIFIED, "version": REPORT_VERSION, "oscal-version": OSCAL_VERSION,
            "props": [{"name": "fips-endpoints", "ns": NAMESPACE, "value": str(fips).lower()}],
        },
        "components": [{
            "uuid": _uuid(stack_name, "component"), "type": "service",
            "title": f"MCP server on AWS Lambda ({stack_name})",
            "description": "An MCP server on AWS Lambda behind API Gateway, as synthesized for OpenTofu.",
            "control-implementations": [{
                "uuid": _uuid(stack_name, "implementation"), "source": CATALOG,
                "description": "How this stack implements the controls, resource by resource.",
                "implemented-requirements": requirements,
            }],
        }],
    }}  # fmt: skip


def markdown(stack: dict, stack_name: str) -> str:
    """A short summary for reviewers: one row per control."""
    rows = [
        f"# Controls of {stack_name}", "",
        "Generated at synth from the stack's JSON; the OSCAL component definition beside it holds "
        "every resource address and parameter.", "",
        "| Control | Resources | Verified by | Recorded exceptions | Customer responsibility |",
        "|---|---:|---|---|---|",
    ]  # fmt: skip
    for item in evidence(stack):
        exceptions_text = "<br>".join(f"`{e['address']}` {e['check']}: {e['reason']}" for e in item["exceptions"])
        rows.append(
            f"| {item['control']} {item['title']} | {len(item['resources'])} | "
            f"{', '.join(item['rules'] + item['checks']) or '-'} | {exceptions_text or '-'} | {item['customer']} |"
        )
    return "\n".join(rows) + "\n"


REPORT_FILES = ("controls.oscal.json", "controls.md")


def write_reports(stack_file, stack_name: str) -> None:
    """Both forms beside a synthesized stack's cdk.tf.json."""
    stack = json.loads(stack_file.read_text(encoding="utf-8"))
    oscal, summary = (stack_file.parent / name for name in REPORT_FILES)
    oscal.write_text(json.dumps(component_definition(stack, stack_name), indent=2) + "\n", encoding="utf-8")
    summary.write_text(markdown(stack, stack_name), encoding="utf-8")
