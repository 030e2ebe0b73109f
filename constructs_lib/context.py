"""The stack a construct is in: its partition, region, account and DNS suffix, each read once
per stack from a data source, so the same synthesized JSON works in any account and in GovCloud
(`aws-us-gov`)."""

from __future__ import annotations

from cdktf import TerraformStack
from constructs import Construct

from . import aws
from .checks import is_token

# The bindings are 6.25.0. Streaming REST integrations with a timeout above 29 s validate from
# 6.26.0 (hashicorp/terraform-provider-aws#45482, up to 900000 ms with STREAM); 7.x may break.
AWS_PROVIDER_VERSION = ">= 6.26.0, < 7.0.0"


# stack -> {"<data source>.<attribute>": token}: each value read over jsii once per stack;
# and each scope's stack, looked up once.
_VALUES: dict[TerraformStack, dict[str, str]] = {}
_STACK_OF: dict[Construct, TerraformStack] = {}


def _stack_value(scope: Construct, source_id: str, factory, attribute: str) -> str:
    """`attribute` of the stack's one data source `source_id`, created on first use."""
    stack = _STACK_OF.get(scope) or _STACK_OF.setdefault(scope, TerraformStack.of(scope))
    values = _VALUES.setdefault(stack, {})
    key = f"{source_id}.{attribute}"
    if key not in values:
        source = stack.node.try_find_child(source_id) or factory(stack, source_id)
        values[key] = getattr(source, attribute)
    return values[key]


def partition(scope: Construct) -> str:
    """`aws`, `aws-us-gov` or `aws-cn`."""
    return _stack_value(scope, "partition", aws.data_aws_partition.DataAwsPartition, "partition")


def dns_suffix(scope: Construct) -> str:
    """`amazonaws.com` (or the partition's own), for service principals and endpoints."""
    return _stack_value(scope, "partition", aws.data_aws_partition.DataAwsPartition, "dns_suffix")


def region(scope: Construct) -> str:
    """The provider's region."""
    return _stack_value(scope, "region", aws.data_aws_region.DataAwsRegion, "region")


def account_id(scope: Construct) -> str:
    """The account the stack deploys into."""
    return _stack_value(scope, "caller", aws.data_aws_caller_identity.DataAwsCallerIdentity, "account_id")


def via_service(scope: Construct, service: str) -> str:
    """`kms:ViaService` value of `service` in this stack's region (e.g. dynamodb.<region>.<suffix>)."""
    return f"{service}.{region(scope)}.{dns_suffix(scope)}"


def require_aws_provider(scope: Construct) -> None:
    """The versions of the AWS provider the constructs' arguments need, in the stack's
    `required_providers` (the bindings would otherwise pin the 6.25.0 they were built from)."""
    TerraformStack.of(scope).add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)


_PROVIDER: dict[TerraformStack, object] = {}


def default_provider(scope: Construct):
    """The stack's AWS provider without an alias (None when there is none yet), found once."""
    stack = _STACK_OF.get(scope) or _STACK_OF.setdefault(scope, TerraformStack.of(scope))
    if stack not in _PROVIDER:
        for child in stack.node.children:
            if getattr(child, "terraform_resource_type", None) == "aws" and not getattr(child, "alias", None):
                _PROVIDER[stack] = child
                break
    return _PROVIDER.get(stack)


def provider_region(scope: Construct) -> str | None:
    """The region the stack's default AWS provider names, when it is a literal (None when the
    provider takes it from the environment or a token)."""
    value = getattr(default_provider(scope), "region", None)
    return None if not value or is_token(value) else value


def uses_fips_endpoints(scope: Construct) -> bool:
    """Whether the stack's AWS provider calls FIPS endpoints (`use_fips_endpoint = true`)."""
    return getattr(default_provider(scope), "use_fips_endpoint", None) is True
