"""DeploymentKey: the key policy admits what registered with the key, whenever it registered."""

from __future__ import annotations

import json

from constructs_lib import DeploymentKey, DeploymentKeyProps, EncryptedLogGroup, Names

from .conftest import synth_construct

NAMES = Names("tools", "dev")


def key_policy(synth) -> dict:
    (key,) = synth.resources("aws_kms_key").values()
    return json.loads(key["policy"])


def statement(policy: dict, sid: str) -> dict:
    (found,) = [s for s in policy["Statement"] if s["Sid"] == sid]
    return found


def logged_groups(synth) -> list[str]:
    logs = statement(key_policy(synth), "CloudWatchLogsEncryptsTheStackLogGroups")
    return [arn.rsplit(":log-group:", 1)[1] for arn in logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]]


def test_a_log_group_added_under_the_key_after_it_is_made_is_in_its_policy():
    def build(stack):
        key = DeploymentKey(stack, "key", DeploymentKeyProps(names=NAMES))
        EncryptedLogGroup(stack, "first", name="/tools/first", retention_days=365, key=key)
        EncryptedLogGroup(stack, "users", name="/users/own", retention_days=365, key=key)

    assert logged_groups(synth_construct(build)) == ["/tools/first", "/users/own"]


def test_alarm_topics_are_admitted_for_cloudwatch_only_when_registered():
    def without(stack):
        key = DeploymentKey(stack, "key", DeploymentKeyProps(names=NAMES))
        EncryptedLogGroup(stack, "logs", name="/tools/logs", retention_days=365, key=key)

    def with_topic(stack):
        DeploymentKey(stack, "key", DeploymentKeyProps(names=NAMES)).allow_alarm_topic("alarms")

    assert [s["Sid"] for s in key_policy(synth_construct(without))["Statement"]] == [
        "AccountAdministersKeyThroughIam", "CloudWatchLogsEncryptsTheStackLogGroups"
    ]  # fmt: skip
    alarms = statement(key_policy(synth_construct(with_topic)), "CloudWatchAlarmsPublishToTheEncryptedTopic")
    assert alarms["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"].endswith(":alarms")


def test_a_key_for_another_region_names_that_region_and_no_log_group_unless_one_registers():
    def elsewhere(stack):
        key = DeploymentKey(stack, "key", DeploymentKeyProps(names=NAMES, region="us-gov-west-1"))
        key.allow_alarm_topic("alarms")

    synth = synth_construct(elsewhere)
    assert synth.one("aws_kms_key", region="us-gov-west-1") and synth.one("aws_kms_alias", region="us-gov-west-1")
    policy = key_policy(synth)
    assert [s["Sid"] for s in policy["Statement"]] == [
        "AccountAdministersKeyThroughIam", "CloudWatchAlarmsPublishToTheEncryptedTopic"]  # fmt: skip
    topic = statement(policy, "CloudWatchAlarmsPublishToTheEncryptedTopic")
    assert ":sns:us-gov-west-1:" in topic["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"]


def test_a_log_group_under_a_given_key_uses_it_and_changes_no_policy():
    given = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    synth = synth_construct(lambda stack: EncryptedLogGroup(stack, "logs", name="/x", retention_days=365, key=given))
    assert synth.resources("aws_kms_key") == {}
    assert synth.one("aws_cloudwatch_log_group", name="/x")["kms_key_id"] == given


def test_a_production_key_survives_a_mistaken_destroy():
    synth = synth_construct(lambda stack: DeploymentKey(stack, "key", DeploymentKeyProps(names=NAMES, prevent_destroy=True)))
    (key,) = synth.resources("aws_kms_key").values()
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert key["enable_key_rotation"] is True
