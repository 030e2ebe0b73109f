"""McpServerProps and McpServer as a library user meets them, in a cdktf app of their own:
references to resources made in the same app are accepted; literal values are checked; what
only the stack knows is checked at synth, naming the construct and the field."""

from __future__ import annotations

import dataclasses

import pytest
import cdktf

from constructs_lib import McpServer, McpServerProps, aws

from .conftest import MINIMAL, Synth, synth_construct

BASE = {k: MINIMAL[k] for k in ("name", "environment", "image_uri")}


def made_in_the_app(stack) -> dict:
    """Props naming a key, a VPC, subnets, a security group, a topic and a web ACL made here."""
    key = aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True)
    vpc = aws.vpc.Vpc(stack, "vpc", cidr_block="10.9.0.0/16")
    subnets = [aws.subnet.Subnet(stack, f"subnet{i}", vpc_id=vpc.id, cidr_block=f"10.9.{i}.0/24") for i in (1, 2)]
    group = aws.security_group.SecurityGroup(stack, "group", vpc_id=vpc.id, description="mcp")
    topic = aws.sns_topic.SnsTopic(stack, "topic", name="alarms", kms_master_key_id=key.arn)
    waf = aws.wafv2_web_acl
    acl = waf.Wafv2WebAcl(stack, "acl", name="acl", scope="REGIONAL",
                          default_action=waf.Wafv2WebAclDefaultAction(allow=waf.Wafv2WebAclDefaultActionAllow()),
                          visibility_config=waf.Wafv2WebAclVisibilityConfig(
                              cloudwatch_metrics_enabled=True, metric_name="acl", sampled_requests_enabled=True))  # fmt: skip
    return dict(kms_key_arn=key.arn, vpc_id=vpc.id, vpc_subnet_ids=[s.id for s in subnets],
                vpc_security_group_ids=[group.id], alarm_sns_topic_arn=topic.arn, waf_acl_arn=acl.arn)  # fmt: skip


def test_references_to_resources_made_in_the_app_are_accepted_and_used():
    def build(stack):
        McpServer(stack, "mcp", McpServerProps(**BASE, **made_in_the_app(stack)))

    synth = synth_construct(build)
    function = synth.one("aws_lambda_function", function_name="my-tools-dev")
    assert function["kms_key_arn"] == "${aws_kms_key.key.arn}"
    assert function["vpc_config"]["subnet_ids"] == ["${aws_subnet.subnet1.id}", "${aws_subnet.subnet2.id}"]
    assert function["vpc_config"]["security_group_ids"] == ["${aws_security_group.group.id}"]
    assert synth.one("aws_wafv2_web_acl_association")["web_acl_arn"] == "${aws_wafv2_web_acl.acl.arn}"
    alarms = synth.resources("aws_cloudwatch_metric_alarm").values()
    assert alarms and all(a["alarm_actions"] == ["${aws_sns_topic.topic.arn}"] for a in alarms)


def test_literal_values_are_still_checked_all_at_once():
    props = McpServerProps(**{**BASE, "memory_size": 64, "kms_key_arn": "alias/mine"})
    assert [loc for loc, _ in props.problems()] == [("memory_size",), ("kms_key_arn",)]
    with pytest.raises(ValueError) as raised:
        synth_construct(lambda stack: McpServer(stack, "mcp", props))
    assert str(raised.value).splitlines() == [
        "McpServer construct/mcp:",
        "memory_size: must be 128 to 10240 MB (Lambda's range) (got 64)",
        "kms_key_arn: must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<key-id> "
        "(CloudWatch Logs does not accept aliases) (got 'alias/mine')",
    ]


def test_a_literal_arn_in_another_region_than_the_provider_fails_synth_naming_construct_and_field():
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "west")
    aws.provider.AwsProvider(stack, "aws", region="us-west-2")
    McpServer(stack, "mcp", McpServerProps(**MINIMAL))
    with pytest.raises(Exception) as raised:
        Synth(stack)
    assert "west/mcp" in str(raised.value)
    assert "image_uri: Lambda needs the image in us-west-2 (the provider's region)" in str(raised.value)
    assert "kms_key_arn: must be in us-west-2 (the provider's region)" in str(raised.value)


def test_a_token_region_is_not_guessed():
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "any")
    region = aws.data_aws_region.DataAwsRegion(stack, "where")
    aws.provider.AwsProvider(stack, "aws", region=region.region)
    McpServer(stack, "mcp", McpServerProps(**MINIMAL))
    Synth(stack)  # no error: the region is known only when deployed


def test_tags_on_the_props_tag_what_the_server_creates():
    synth = synth_construct(lambda stack: McpServer(stack, "mcp", McpServerProps(**MINIMAL, tags={"team": "tools"})))
    for kind in ("aws_lambda_function", "aws_api_gateway_rest_api", "aws_cognito_user_pool", "aws_iam_role"):
        for resource in synth.resources(kind).values():
            assert resource["tags"]["team"] == "tools", kind


def test_props_are_frozen_and_replaced_whole():
    props = McpServerProps(**MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        props.memory_size = 1024  # type: ignore[misc]
    assert dataclasses.replace(props, memory_size=1024).memory_size == 1024
