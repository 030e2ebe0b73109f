"""DynamoDB table for MCP sessions: on-demand, TTL, point-in-time recovery, KMS (SC-28)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from constructs import Construct

from . import aws
from .context import via_service
from .iam import Grantable, Statement
from .kms import KeyLike, key_arn, key_through
from .tenancy import SESSION_TENANT, TENANT_ID, tenant_items, tenant_table_key

TTL_ATTRIBUTE = "ttl"
SESSION_KEY = "session_id"
TENANT_KEY = TENANT_ID
SESSION_INDEX = "session_id-index"

# DynamoDB calls KMS with the caller's permissions to use a customer-managed table key.
TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
READ_WRITE_ACTIONS = (
    "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
    "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class SessionTableProps:
    table_name: str
    kms_key: KeyLike
    partition_by_tenant: bool = False
    deletion_protection: bool = False
    # Global table: a replica in each of these regions, encrypted with the key given for it.
    replicas: Mapping[str, str] = field(default_factory=dict)


def replica_arguments(replicas: Mapping[str, str], deletion_protection: bool) -> dict:
    """A table's arguments for a global table (version 2019.11.21) with a replica in each
    region of `replicas`, encrypted with that region's key (a customer-managed key is regional,
    and DynamoDB needs one per replica when the table uses one). Replicas need the table's
    stream with new and old images; they keep point-in-time recovery, tags and protection."""
    if not replicas:
        return {}
    t = aws.dynamodb_table
    return {
        "stream_enabled": True,
        "stream_view_type": "NEW_AND_OLD_IMAGES",
        "replica": [
            t.DynamodbTableReplica(
                region_name=region, kms_key_arn=key, point_in_time_recovery=True,
                propagate_tags=True, deletion_protection_enabled=deletion_protection or None,
            )  # fmt: skip
            for region, key in sorted(replicas.items())
        ],
    }


class SessionTable(Construct):
    """Sessions keyed by `session_id`, or by `tenant_id` + `session_id` with a `session_id` index.

    A tenant-partitioned table is meant to be reached through tenant credentials
    (`tenant_statements`), not by the function's own role.
    """

    def __init__(self, scope: Construct, id: str, props: SessionTableProps):
        super().__init__(scope, id)
        self.kms_key_arn = key_arn(props.kms_key)
        self.partitioned = props.partition_by_tenant
        t = aws.dynamodb_table
        keys = [TENANT_KEY, SESSION_KEY] if props.partition_by_tenant else [SESSION_KEY]
        self.table = t.DynamodbTable(
            self,
            "table",
            name=props.table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=keys[0],
            range_key=keys[1] if len(keys) > 1 else None,
            attribute=[t.DynamodbTableAttribute(name=k, type="S") for k in keys],
            global_secondary_index=[
                t.DynamodbTableGlobalSecondaryIndex(
                    name=SESSION_INDEX, hash_key=SESSION_KEY, projection_type="ALL"
                )
            ]
            if props.partition_by_tenant
            else None,
            ttl=t.DynamodbTableTtl(attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery=t.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=t.DynamodbTableServerSideEncryption(
                enabled=True, kms_key_arn=self.kms_key_arn
            ),
            deletion_protection_enabled=props.deletion_protection,
            **replica_arguments(props.replicas, props.deletion_protection),
        )

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def arn(self) -> str:
        return self.table.arn

    def grant_read_write(self, grantee: Grantable):
        """Item-level reads and writes on the table and its indexes; no table management. The
        table's key only through DynamoDB. Returns the policy it added."""
        if self.partitioned:
            raise ValueError(
                "a tenant-partitioned session table is reached only with tenant credentials; "
                "use tenant_statements() in the tenants' policies instead"
            )
        return grantee.grant_principal.add_to_policy(
            "sessions",
            Statement(
                sid="SessionItems",
                actions=READ_WRITE_ACTIONS,
                resources=[self.table.arn, f"{self.table.arn}/index/*"],
            ),
            key_through(self, "SessionTableKeyThroughDynamoDb", self.kms_key_arn, "dynamodb", TABLE_KEY_ACTIONS),
        )

    def tenant_statements(
        self, actions: tuple[str, ...], tenant: str = SESSION_TENANT, key_arn: str | None = None
    ) -> list[Statement]:
        """What one tenant's credentials may do: `actions` on items whose `tenant_id` is
        `tenant` (default: the calling session's tenant tag), and the key through DynamoDB.
        The `session_id` index is not included: it is keyed by session, so `LeadingKeys`
        cannot confine it."""
        return [
            tenant_items("TenantSessionItems", table_arn=self.table.arn, actions=actions, tenant=tenant),
            tenant_table_key(
                "TenantSessionKeyThroughDynamoDb",
                key_arn=key_arn or self.kms_key_arn,
                actions=TABLE_KEY_ACTIONS,
                via=via_service(self, "dynamodb"),
            ),
        ]
