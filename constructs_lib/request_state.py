"""The KMS key that seals the request state of 2026-07-28 multi-round-trip requests.

A tool that asks the client something (elicitation, sampling) answers with an input-required
result whose `requestState` the client sends back; whichever execution environment receives it
continues, so all of them must verify one seal. An HMAC key in KMS gives them one without a
secret anywhere: the function asks KMS for the MAC (`kms:GenerateMac`, HMAC-SHA-256; HMAC is
deterministic, so computing it again verifies it) and the key material never leaves KMS. AWS KMS
rotates no HMAC key automatically; the state it seals lives minutes, so a key is replaced, not
rotated.
"""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from . import aws
from .compliance import skip_check
from .context import account_id, partition
from .iam import Grantable, Statement, policy_document
from .naming import Names

MAC_ALGORITHM = "HMAC_SHA_256"


class RequestStateKey(Construct):
    """An HMAC_256 key (GENERATE_VERIFY_MAC) administered through IAM, with an alias."""

    def __init__(self, scope: Construct, id: str, *, names: Names, prevent_destroy: bool = False):
        super().__init__(scope, id)
        root = f"arn:{partition(self)}:iam::{account_id(self)}:root"
        self.key = aws.kms_key.KmsKey(
            self, "key", description=f"Seals MCP request state of {names.prefix}",
            customer_master_key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC", deletion_window_in_days=7,
            policy=policy_document(Statement(sid="AccountAdministersKeyThroughIam", principals={"AWS": root},
                                             actions=["kms:*"], resources=["*"])),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )  # fmt: skip
        # Checkov does not ask an HMAC key to rotate; the rule pack does, so the reason is its.
        skip_check(self.key, "MCP-SC12-KEY", "AWS KMS rotates no HMAC key automatically; the state it seals lives "
                   "minutes, so the key is replaced instead")  # fmt: skip
        aws.kms_alias.KmsAlias(self, "alias", name=names.request_state_key_alias, target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        return self.key.arn

    def grant_seal(self, grantee: Grantable):
        """MACs with this key and its one algorithm; no other use of it."""
        return grantee.grant_principal.add_to_policy("request-state", Statement(
            sid="SealRequestState", actions=["kms:GenerateMac"], resources=[self.key.arn],
            conditions={"StringEquals": {"kms:MacAlgorithm": MAC_ALGORITHM}},
        ))  # fmt: skip
