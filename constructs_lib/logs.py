"""CloudWatch log groups: always KMS-encrypted, always with a retention (FedRAMP AU-2, AU-11, SC-28)."""

from __future__ import annotations

from constructs import Construct

from . import aws
from .compliance import skip_check
from .kms import KeyLike, allow_log_group, key_arn

# FedRAMP AU-11 (and Checkov CKV_AWS_338) want a year of logs.
ONE_YEAR_DAYS = 365


class EncryptedLogGroup(Construct):
    """A log group encrypted with `key` that keeps events `retention_days` days.

    The key's policy must let `logs.<region>.amazonaws.com` use it, or creation fails: a
    created key (`DeploymentKey`) learns of the log group here; a given key must allow it.
    """

    def __init__(self, scope: Construct, id: str, *, name: str, retention_days: int, key: KeyLike):
        super().__init__(scope, id)
        # The plain name (not a token): the key policy names the log group's ARN.
        self.log_group_name = name
        allow_log_group(key, name)
        self.log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "log_group",
            name=name,
            retention_in_days=retention_days,
            kms_key_id=key_arn(key),
        )
        if retention_days < ONE_YEAR_DAYS:
            skip_check(
                self.log_group,
                "CKV_AWS_338",
                f"log_retention_days = {retention_days} is this environment's choice; set 365 "
                "or more where FedRAMP AU-11 applies",
            )

    @property
    def name(self) -> str:
        return self.log_group.name

    @property
    def arn(self) -> str:
        return self.log_group.arn
