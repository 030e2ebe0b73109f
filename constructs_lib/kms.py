"""The deployment's customer-managed KMS key and the key policy its services need (SC-12, SC-13, SC-28).

`key_policy_statements` is the one source of the key policy: the created key carries exactly
its statements, and the README lists them (with placeholders) for a key given as `kms_key_arn`.

Why each statement, from AWS's documentation:
- CloudWatch Logs encrypts with the key as `logs.<region>.amazonaws.com`; without a statement
  for it, creating a log group with `kms_key_id` fails. The statement is confined to the
  log groups that use the key by the `kms:EncryptionContext:aws:logs:arn` condition.
- CloudWatch alarms publishing to an SNS topic encrypted with the key need
  `cloudwatch.amazonaws.com` to generate and decrypt data keys; without it SNS drops the
  notification and only the alarm history shows it. Confined to the topics by SNS's
  `aws:sns:topicArn` encryption context.
- Lambda (environment variables), DynamoDB, ECR and SNS publishers in the account use the key
  through grants they create with the caller's IAM permissions; the account statement lets IAM
  policies grant those, and the roles here get them by grant (`kms:ViaService` where the
  service calls on the role's behalf).

The created key learns what needs it where that is created: every `EncryptedLogGroup` and alarm
topic under the key registers itself, and the policy is rendered at synth, so a log group a user
adds later is covered as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import jsii
from cdktf import IResolveContext, IStringProducer, Lazy, TerraformResourceLifecycle
from constructs import Construct

from . import aws
from .context import account_id, dns_suffix, partition, region, via_service
from .iam import Statement, policy_document
from .naming import Names

# Each statement's purpose, in the order the policy lists them.
KEY_USAGE_BY_LOGS = (
    "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
)  # fmt: skip
KEY_USAGE_BY_ALARMS = ("kms:Decrypt", "kms:GenerateDataKey")
DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class KeyScope:
    """Where the key is used and who uses it: plain strings or tokens, or README placeholders."""

    partition: str
    account: str
    region: str
    dns_suffix: str
    log_group_names: Sequence[str]
    alarm_topic_names: Sequence[str] = ()  # SNS topics for alarms encrypted with this key

    def log_group_arn(self, name: str) -> str:
        return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{name}"

    def topic_arn(self, name: str) -> str:
        return f"arn:{self.partition}:sns:{self.region}:{self.account}:{name}"


def key_policy_statements(scope: KeyScope) -> list[tuple[Statement, str]]:
    """(statement, what needs it) for every statement the deployment key's policy holds."""
    found = [
        (
            Statement(
                sid="AccountAdministersKeyThroughIam",
                principals={"AWS": f"arn:{scope.partition}:iam::{scope.account}:root"},
                # AWS's default key policy statement: IAM policies in the account decide who
                # administers and uses the key; without it the key can become unmanageable.
                actions=["kms:*"],
                resources=["*"],
            ),
            "always (IAM delegation: Lambda, DynamoDB, ECR and SNS use the key through grants)",
        ),
    ]
    if scope.log_group_names:  # a key made for another region may hold no log group
        arns = [scope.log_group_arn(n) for n in scope.log_group_names]
        found.append(
            (
                Statement(
                    sid="CloudWatchLogsEncryptsTheStackLogGroups",
                    principals={"Service": f"logs.{scope.region}.{scope.dns_suffix}"},
                    actions=KEY_USAGE_BY_LOGS,
                    resources=["*"],
                    conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arns}},
                ),
                "always (every log group of the stack is encrypted with the key)",
            )
        )
    if scope.alarm_topic_names:
        topics = [scope.topic_arn(n) for n in scope.alarm_topic_names]
        found.append(
            (
                Statement(
                    sid="CloudWatchAlarmsPublishToTheEncryptedTopic",
                    principals={"Service": f"cloudwatch.{scope.dns_suffix}"},
                    actions=KEY_USAGE_BY_ALARMS,
                    resources=["*"],
                    conditions={
                        "StringEquals": {
                            "kms:EncryptionContext:aws:sns:topicArn": topics[0] if len(topics) == 1 else topics
                        }
                    },
                ),
                "when the stack creates the alarm topic (no alarm_sns_topic_arn)",
            )
        )
    return found


@dataclass(frozen=True, kw_only=True)
class DeploymentKeyProps:
    names: Names
    # Production keys outlive a mistaken `tofu destroy`: the data they encrypt would be lost.
    prevent_destroy: bool = False
    # Another region than the provider's (KMS keys are regional), for what lives there.
    region: str | None = None


class DeploymentKey(Construct):
    """A symmetric key with yearly rotation and an alias, whose policy admits exactly the log
    groups and alarm topics registered with it (`allow_log_group`, `allow_alarm_topic`)."""

    def __init__(self, scope: Construct, id: str, props: DeploymentKeyProps):
        super().__init__(scope, id)
        self.names = props.names
        self.region = props.region
        self.log_group_names: set[str] = set()
        self.alarm_topic_names: set[str] = set()
        self.key = aws.kms_key.KmsKey(
            self,
            "key",
            description=f"Encrypts the {props.names.prefix} MCP server's logs, data and alarms",
            enable_key_rotation=True,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=Lazy.string_value(_KeyPolicy(self)),
            region=props.region,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True)
            if props.prevent_destroy
            else None,
        )
        self.alias = aws.kms_alias.KmsAlias(
            self, "alias", name=f"alias/{props.names.prefix}", target_key_id=self.key.key_id, region=props.region
        )

    @property
    def arn(self) -> str:
        return self.key.arn

    def allow_log_group(self, name: str) -> None:
        """CloudWatch Logs may use the key for the log group `name` (a plain name)."""
        self.log_group_names.add(name)

    def allow_alarm_topic(self, name: str) -> None:
        """CloudWatch alarms may publish to the topic `name`, encrypted with the key."""
        self.alarm_topic_names.add(name)

    def scope(self) -> KeyScope:
        return KeyScope(
            partition=partition(self),
            account=account_id(self),
            region=self.region or region(self),
            dns_suffix=dns_suffix(self),
            log_group_names=sorted(self.log_group_names),
            alarm_topic_names=sorted(self.alarm_topic_names),
        )


@jsii.implements(IStringProducer)
class _KeyPolicy:
    """The key policy, rendered at synth from what registered with the key by then."""

    def __init__(self, key: DeploymentKey):
        self.key = key

    def produce(self, context: IResolveContext) -> str:
        return policy_document(*(s for s, _ in key_policy_statements(self.key.scope())))


# A key the deployment uses: one it creates, or the ARN (or token) of one made elsewhere, whose
# policy is then its owner's (the README lists what it must allow).
KeyLike = Union[DeploymentKey, str]


def key_arn(key: KeyLike) -> str:
    return key.arn if isinstance(key, DeploymentKey) else key


def key_through(scope: Construct, sid: str, key: KeyLike, service: str, actions: Sequence[str]) -> Statement:
    """`actions` on `key`, only as `service` (dynamodb, secretsmanager, ...) uses it on the
    caller's behalf (`kms:ViaService`): the role cannot use the key directly."""
    return Statement(sid=sid, actions=actions, resources=[key_arn(key)],
                     conditions={"StringEquals": {"kms:ViaService": via_service(scope, service)}})  # fmt: skip


def allow_log_group(key: KeyLike, name: str) -> None:
    if isinstance(key, DeploymentKey):
        key.allow_log_group(name)


def allow_alarm_topic(key: KeyLike, name: str) -> None:
    if isinstance(key, DeploymentKey):
        key.allow_alarm_topic(name)
