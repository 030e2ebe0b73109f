"""FedRAMP evidence: the control rule pack (fails synth unless a reason is recorded), FIPS
endpoints, and the OSCAL control report written beside each stack."""

from __future__ import annotations

import copy
import json

import pytest
from trestle.oscal.component import ComponentDefinition

from constructs_lib import McpServer, McpServerProps, aws
from constructs_lib.compliance import skip_check
from constructs_lib.control_report import CONTROLS, component_definition, evidence, markdown
from constructs_lib.control_rules import RULES, violations

from .conftest import MINIMAL, rule_problems, synth_config, synth_construct

SEED_CONTROLS = {"AC-6", "AU-2", "AU-3", "CM-7", "IA-2", "IA-8", "IR-4", "SC-7", "SC-8", "SC-12", "SC-13", "SC-28", "SI-4"}
BASE = {k: MINIMAL[k] for k in ("name", "environment", "image_uri")}

# -- the rule pack ----------------------------------------------------------------------------

COMPLIANT = {
    "MCP-SC28-LOGS": {"kms_key_id": "k"}, "MCP-AU11-LOGS": {"retention_in_days": 365},
    "MCP-SC28-TABLE": {"server_side_encryption": {"enabled": True, "kms_key_arn": "k"}},
    "MCP-CP9-TABLE": {"point_in_time_recovery": {"enabled": True}},
    "MCP-SC28-TOPIC": {"kms_master_key_id": "k"},
    "MCP-SC28-ECR": {"encryption_configuration": [{"encryption_type": "KMS", "kms_key": "k"}]},
    "MCP-SC12-KEY": {"enable_key_rotation": True},
    "MCP-SC7-FUNCTION": {"vpc_config": {"subnet_ids": ["s"], "security_group_ids": ["g"]}},
    "MCP-SI4-FUNCTION": {"tracing_config": {"mode": "Active"}},
    "MCP-IA2-METHOD": {"http_method": "POST", "authorization": "COGNITO_USER_POOLS"},
    "MCP-IA2-ROUTE": {"authorization_type": "JWT"},
    "MCP-SC8-DOMAIN": {"security_policy": "TLS_1_2"},
    "MCP-IA2-MFA": {"mfa_configuration": "ON", "software_token_mfa_configuration": {"enabled": True}},
    "MCP-IA5-PASSWORD": {"password_policy": {"minimum_length": 14, "require_lowercase": True, "require_uppercase": True,
                                             "require_numbers": True, "require_symbols": True,
                                             "temporary_password_validity_days": 1}},
}  # fmt: skip
BROKEN = {
    "MCP-SC28-LOGS": {}, "MCP-AU11-LOGS": {"retention_in_days": 30},
    "MCP-SC28-TABLE": {"server_side_encryption": {"enabled": True}},
    "MCP-CP9-TABLE": {}, "MCP-SC28-TOPIC": {},
    "MCP-SC28-ECR": {"encryption_configuration": [{"encryption_type": "AES256"}]},
    "MCP-SC12-KEY": {"enable_key_rotation": False}, "MCP-SC7-FUNCTION": {},
    "MCP-SI4-FUNCTION": {"tracing_config": {"mode": "PassThrough"}},
    "MCP-IA2-METHOD": {"http_method": "POST", "authorization": "NONE"},
    "MCP-IA2-ROUTE": {"authorization_type": "NONE"}, "MCP-SC8-DOMAIN": {"security_policy": "TLS_1_0"},
    "MCP-IA2-MFA": {"mfa_configuration": "OPTIONAL", "software_token_mfa_configuration": {"enabled": True}},
    "MCP-IA5-PASSWORD": {"password_policy": {"minimum_length": 8, "require_lowercase": True, "require_uppercase": True,
                                             "require_numbers": True, "require_symbols": True,
                                             "temporary_password_validity_days": 1}},
}  # fmt: skip


def test_every_rule_names_a_control_and_is_tested_both_ways():
    assert {r.id for r in RULES} == set(COMPLIANT) == set(BROKEN)
    assert all(r.control.split("-")[0] in {"AC", "AU", "CM", "CP", "IA", "IR", "SC", "SI"} for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_passes_compliant_fails_broken_and_accepts_a_recorded_reason(rule):
    ours = lambda found: [r.id for r in found if r.id == rule.id]  # noqa: E731
    assert ours(violations(rule.resource_type, COMPLIANT[rule.id])) == []
    assert ours(violations(rule.resource_type, BROKEN[rule.id])) == [rule.id]
    for record in (rule.id, *rule.checkov):
        excused = {**BROKEN[rule.id], "//": {"checkov_skip": {record: "why"}}}
        assert ours(violations(rule.resource_type, excused)) == []


def test_log_groups_that_never_expire_keep_events_long_enough():
    assert [r.id for r in violations("aws_cloudwatch_log_group", {"kms_key_id": "k"})] == []
    assert [r.id for r in violations("aws_cloudwatch_log_group", {"kms_key_id": "k", "retention_in_days": 0})] == []


def test_a_pool_of_machine_clients_needs_no_mfa():
    """MFA off and no TOTP: nobody signs in with a password (client credentials only)."""
    assert [r.id for r in violations("aws_cognito_user_pool", {"mfa_configuration": "OFF", **COMPLIANT["MCP-IA5-PASSWORD"]})] == []


def test_preflight_is_not_an_open_method():
    assert violations("aws_api_gateway_method", {"http_method": "OPTIONS", "authorization": "NONE"}) == []


def user_topic(stack, reason: str | None = None):
    topic = aws.sns_topic.SnsTopic(stack, "plain_topic", name="plain")
    if reason:
        skip_check(topic, "CKV_AWS_26", reason)
    McpServer(stack, "mcp", McpServerProps(**BASE))


def test_a_violation_fails_synth_naming_the_control_and_the_resource_path():
    with pytest.raises(RuntimeError) as failed:
        synth_construct(user_topic)
    (line,) = [line.strip() for line in str(failed.value).splitlines() if "MCP-" in line]
    assert line.startswith("[construct] construct/plain_topic: SC-28 (MCP-SC28-TOPIC): topics are encrypted")
    assert "skip_check(resource, 'CKV_AWS_26', reason)" in line


def test_a_recorded_reason_passes_and_is_in_the_report():
    synth = synth_construct(lambda stack: user_topic(stack, "holds only public release notes"))
    (sc28,) = [e for e in evidence(synth.json) if e["control"] == "SC-28"]
    assert {"address": synth.address("aws_sns_topic", name="plain"), "rule": "MCP-SC28-TOPIC",
            "check": "CKV_AWS_26", "reason": "holds only public release notes"} in sc28["exceptions"]  # fmt: skip


def test_main_prints_a_broken_rule_and_exits_1(capsys):
    import main

    failure = RuntimeError("Error: Validation failed with the following errors:\n  [s] s/t: SC-28 (MCP-SC28-TOPIC): x\n\nIf you")
    assert main.report_synth_failure(failure) == 1
    assert capsys.readouterr().err == "[s] s/t: SC-28 (MCP-SC28-TOPIC): x\n"
    with pytest.raises(RuntimeError):
        main.report_synth_failure(RuntimeError("something else"))


# -- FIPS endpoints ---------------------------------------------------------------------------


def test_prod_calls_fips_endpoints_and_the_token_endpoint_is_cognitos_fips_host(shipped):
    prod = shipped["prod"].json
    assert prod["provider"]["aws"][0]["use_fips_endpoint"] is True
    assert ".auth-fips.${data.aws_region.region.region}.amazoncognito.com" in prod["output"]["oauth_token_endpoint"]["value"]
    for env in ("dev", "staging"):
        assert "use_fips_endpoint" not in shipped[env].json["provider"]["aws"][0]


def test_fips_in_a_region_without_fips_endpoints_fails_naming_the_services():
    problems = rule_problems({**MINIMAL, "image_uri": MINIMAL["image_uri"].replace("us-east-1", "eu-west-1"),
                              "kms_key_arn": MINIMAL["kms_key_arn"].replace("us-east-1", "eu-west-1"),
                              "stack": {"region": "eu-west-1", "fips_endpoints": True}})  # fmt: skip
    (message,) = [m for f, m in problems if f == "stack.fips_endpoints"]
    assert message.startswith("no FIPS endpoint in eu-west-1 for AWS STS (the account id), AWS Lambda (the function)")
    assert "Amazon API Gateway (the API)" in message and "(us-east-1, us-east-2, us-west-1, us-west-2)" in message


def test_fips_off_in_prod_is_a_choice_the_file_can_make():
    synth = synth_config(environment="prod", stack={"fips_endpoints": False})
    assert "use_fips_endpoint" not in synth.json["provider"]["aws"][0]


# -- the control report -----------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_oscal_component_definition_validates_and_covers_every_seed_control(shipped, environment):
    synth = shipped[environment]
    document = component_definition(synth.json, synth.stack.node.id)
    ComponentDefinition.model_validate(document["component-definition"])
    (component,) = document["component-definition"]["components"]
    requirements = component["control-implementations"][0]["implemented-requirements"]
    controls = {r["control-id"].upper() for r in requirements}
    assert SEED_CONTROLS | {"AU-11", "CP-9"} <= controls
    for requirement in requirements:
        has_resources = any(p["name"] == "implementing-resource" for p in requirement.get("props", []))
        assert has_resources or requirement["remarks"].startswith("Customer responsibility: ")
        assert requirement["remarks"].startswith("Customer responsibility: ")


def test_a_resource_removed_from_the_stack_disappears_from_the_report(shipped):
    stack = copy.deepcopy(shipped["staging"].json)
    table = next(a for a in stack["resource"]["aws_dynamodb_table"] if "sessions" in a)
    before = json.dumps(component_definition(stack, "s"))
    assert f"aws_dynamodb_table.{table}" in before
    del stack["resource"]["aws_dynamodb_table"][table]
    assert f"aws_dynamodb_table.{table}" not in json.dumps(component_definition(stack, "s"))


def test_report_lists_parameters_and_the_markdown_has_a_row_per_control(shipped):
    stack = shipped["prod"].json
    (sc12,) = [e for e in evidence(stack) if e["control"] == "SC-12"]
    summary = markdown(stack, "ai-tools-prod")
    assert len([line for line in summary.splitlines() if line.startswith("| ") and "|---" not in line]) == len([c for c in CONTROLS if c.applies(stack)]) + 1
    assert all(e["parameters"] for e in sc12["resources"]) or not sc12["resources"]


def test_main_writes_the_reports_beside_each_stack(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path), "MCP_CONFIG_DIR": str(ROOT / "examples" / "seed-minimal")}
    run = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    (stack_dir,) = (tmp_path / "stacks").iterdir()
    document = json.loads((stack_dir / "controls.oscal.json").read_text(encoding="utf-8"))
    ComponentDefinition.model_validate(document["component-definition"])
    assert (stack_dir / "controls.md").read_text(encoding="utf-8").startswith(f"# Controls of {stack_dir.name}")


# -- GovCloud ---------------------------------------------------------------------------------

GOV_KEY = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GOV = {**MINIMAL, "image_uri": "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/mcp-server:v1",
       "kms_key_arn": GOV_KEY, "stack": {"region": "us-gov-west-1"}}  # fmt: skip


def test_govcloud_with_tenant_isolation_fails_naming_the_gap_and_the_alternative():
    problems = rule_problems({**GOV, "enable_tenant_isolation": True, "enable_session_table": True})
    (message,) = [m for f, m in problems if f == "enable_tenant_isolation"]
    assert message.startswith("Lambda tenant isolation mode is not offered in us-gov-west-1")
    assert "deploy to a commercial region that has it, or turn it off" in message and "(stack.region)" in message


def test_govcloud_prod_synthesizes_with_fips_endpoints_and_cognitos_fips_host(gated):
    synth = gated["govcloud"]
    assert synth.json["provider"]["aws"][0] == {**synth.json["provider"]["aws"][0], "region": "us-gov-west-1",
                                                "use_fips_endpoint": True}  # fmt: skip
    assert ".auth-fips." in synth.json["output"]["oauth_token_endpoint"]["value"]
    assert synth.json["output"]["client_secret_command"]["value"].startswith("AWS_USE_FIPS_ENDPOINT=true aws cognito-idp")


def test_a_library_stack_in_govcloud_fails_at_synth_naming_the_construct():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "gov")
    aws.provider.AwsProvider(stack, "aws", region="us-gov-west-1")
    McpServer(stack, "mcp", McpServerProps(**BASE, enable_tenant_isolation=True))
    with pytest.raises(RuntimeError) as failed:
        Testing.full_synth(stack)
    assert "[gov/mcp] enable_tenant_isolation: Lambda tenant isolation mode is not offered in us-gov-west-1" in str(failed.value)


def test_govcloud_cannot_validate_a_certificate_in_a_route53_zone():
    problems = rule_problems({**GOV, "front_door": "rest", "custom_domain_name": "mcp.example.gov",
                              "route53_zone_id": "Z0123456789ABCDEFGHIJ"})  # fmt: skip
    (message,) = [m for f, m in problems if f == "route53_zone_id"]
    assert "Route 53 has no public hosted zones in us-gov-west-1" in message and "give acm_certificate_arn" in message
