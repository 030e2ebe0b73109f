"""The stack a construct is in: its partition, region, account and DNS suffix, each read once
per stack from a data source, so the same synthesized JSON works in any account and in GovCloud
(`aws-us-gov`)."""

from __future__ import annotations

import os

import jsii
from cdktf import Aspects, IAspect, TerraformBackend, TerraformStack
from constructs import Construct, IConstruct

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


# The provider's full registry address: cdktf writes `source = "aws"`, which OpenTofu reads as
# `registry.opentofu.org/hashicorp/aws` only by its legacy default; users and scanners expect it
# spelled out.
AWS_PROVIDER_SOURCE = "hashicorp/aws"
# Where a stack without a backend keeps its state: beside the stack, a path relative to it.
LOCAL_STATE = "terraform.tfstate"


def require_aws_provider(scope: Construct) -> None:
    """What every stack holding these constructs needs, whoever builds the stack: the AWS
    provider by its full registry address, in the versions the constructs' arguments need
    (the bindings would otherwise pin the 6.25.0 they were built from), and, when the app sets
    no backend, local state beside the stack instead of cdktf's default, an absolute path of
    the machine that synthesized it."""
    stack = TerraformStack.of(scope)
    stack.add_override("terraform.required_providers.aws.source", AWS_PROVIDER_SOURCE)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)
    if stack not in _RELATIVE_STATE:
        _RELATIVE_STATE.add(stack)
        Aspects.of(stack).add(_RelativeDefaultState(stack))


_RELATIVE_STATE: set[TerraformStack] = set()


@jsii.implements(IAspect)
class _RelativeDefaultState:
    """cdktf adds a `LocalBackend` at synth when a stack has none, with the path
    `<current directory>/terraform.<stack>.tfstate`; that path would be written into the stack
    (and differ from machine to machine). Aspects run after that, so this one finds the
    default backend and points it beside the stack. A backend the app configured is left
    alone."""

    def __init__(self, stack: TerraformStack):
        self.stack = stack

    def visit(self, node: IConstruct) -> None:
        if node is not self.stack:
            return
        for child in self.stack.node.children:
            if not TerraformBackend.is_backend(child):
                continue
            path = child.to_terraform().get("terraform", {}).get("backend", {}).get("local", {}).get("path")
            # cdktf's default: the directory jsii started in, then `terraform.<stack>.tfstate`.
            if path and os.path.isabs(path) and os.path.basename(path) == f"terraform.{self.stack.node.id}.tfstate":
                self.stack.add_override("terraform.backend.local.path", LOCAL_STATE)


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
