"""The stack a construct is in: its partition, region, account and DNS suffix, each read once
per stack from a data source, so the same synthesized JSON works in any account and in GovCloud
(`aws-us-gov`)."""

from __future__ import annotations

from cdktf import TerraformStack
from constructs import Construct

from . import aws


def _stack_data(scope: Construct, id: str, factory):
    """The stack's one data source `id`, created on first use."""
    stack = TerraformStack.of(scope)
    return stack.node.try_find_child(id) or factory(stack, id)


def partition(scope: Construct) -> str:
    """`aws`, `aws-us-gov` or `aws-cn`."""
    return _stack_data(scope, "partition", aws.data_aws_partition.DataAwsPartition).partition


def dns_suffix(scope: Construct) -> str:
    """`amazonaws.com` (or the partition's own), for service principals and endpoints."""
    return _stack_data(scope, "partition", aws.data_aws_partition.DataAwsPartition).dns_suffix


def region(scope: Construct) -> str:
    """The provider's region."""
    return _stack_data(scope, "region", aws.data_aws_region.DataAwsRegion).region


def account_id(scope: Construct) -> str:
    """The account the stack deploys into."""
    return _stack_data(scope, "caller", aws.data_aws_caller_identity.DataAwsCallerIdentity).account_id


def via_service(scope: Construct, service: str) -> str:
    """`kms:ViaService` value of `service` in this stack's region (e.g. dynamodb.<region>.<suffix>)."""
    return f"{service}.{region(scope)}.{dns_suffix(scope)}"
