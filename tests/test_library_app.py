"""examples/library-app: McpServer composed with a key, a VPC, a topic and a web ACL made in the
same app (the gates read its stack too: see GATED)."""

from __future__ import annotations

import json

from .conftest import library_app_module


def key_policy(synth) -> dict:
    (key,) = synth.resources("aws_kms_key").values()
    return json.loads(key["policy"])


def test_the_server_uses_the_app_s_resources_by_reference(library_app):
    key, topic = "${" + library_app.address("aws_kms_key") + ".arn}", "${aws_sns_topic.alarms.arn}"
    function = library_app.one("aws_lambda_function", function_name="platform-tools-staging")
    assert function["kms_key_arn"] == key
    assert all(s.startswith("${aws_subnet.") for s in function["vpc_config"]["subnet_ids"])
    assert library_app.one("aws_wafv2_web_acl_association")["web_acl_arn"] == "${aws_wafv2_web_acl.web_acl.arn}"
    assert {a["alarm_actions"][0] for a in library_app.resources("aws_cloudwatch_metric_alarm").values()} == {topic}
    assert library_app.resources("aws_sns_topic").keys() == {"alarms"}  # no second topic


def test_the_app_s_own_log_group_and_topic_are_in_the_key_policy(library_app):
    module = library_app_module()
    statements = {s["Sid"]: s for s in key_policy(library_app)["Statement"]}
    log_groups = statements["CloudWatchLogsEncryptsTheStackLogGroups"]["Condition"]["ArnEquals"]
    assert any(arn.endswith(":log-group:" + module.WAF_LOG_GROUP)
               for arn in log_groups["kms:EncryptionContext:aws:logs:arn"])  # fmt: skip
    topics = statements["CloudWatchAlarmsPublishToTheEncryptedTopic"]["Condition"]["StringEquals"]
    assert topics["kms:EncryptionContext:aws:sns:topicArn"].endswith(":" + module.ALARM_TOPIC)


def test_the_stack_asks_for_the_provider_versions_the_server_needs(library_app):
    assert library_app.json["terraform"]["required_providers"]["aws"]["version"] == ">= 6.26.0, < 7.0.0"
