"""Resources where a prop names one, and values of the wrong type as field errors.

A CDK user passes what they hold: `kms_key_arn=key` (a `KmsKey`), `vpc_subnet_ids=[a, b]`
(`Subnet`s). Each field that names an AWS resource takes the resource's attribute (the key's
`arn`, a subnet's `id`); any other value that is not text is a field error naming what the field
wants, never a TypeError from deep inside a rule or jsii.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from typing import TYPE_CHECKING, Any, Mapping

from cdktf import DefaultTokenResolver, StringConcat, TerraformStack, Tokenization
from constructs import Construct

from .checks import Problem, is_token
from .kms import DeploymentKey

if TYPE_CHECKING:
    from .props import McpServerProps

# Field -> the attribute of a resource given for it (its items, for lists and maps).
ATTRIBUTE_OF = {
    "kms_key_arn": "arn", "alarm_sns_topic_arn": "arn", "waf_acl_arn": "arn", "acm_certificate_arn": "arn",
    "vpc_id": "id", "vpc_subnet_ids": "id", "vpc_security_group_ids": "id", "route53_zone_id": "zone_id",
    "cognito_user_pool_id": "id", "cognito_client_id": "id", "cognito_user_pool_endpoint": "endpoint",
    "replica_kms_key_arns": "arn",
}  # fmt: skip


def _text_kinds(annotation: Any) -> set[str]:
    """Which of `str`, `list` (a sequence of str) and `map` (a mapping to str) a field takes."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = set()
    for option in typing.get_args(annotation) if union else (annotation,):
        origin, args = typing.get_origin(option), typing.get_args(option)
        if option is str:
            kinds.add("str")
        elif origin in (collections.abc.Sequence, list, tuple) and args[:1] == (str,):
            kinds.add("list")
        elif origin in (collections.abc.Mapping, dict) and args[1:] == (str,):
            kinds.add("map")
    return kinds


def _one(field: str, value: Any, where: tuple) -> tuple[Any, list[Problem]]:
    if value is None or isinstance(value, str):
        return value, []
    attribute = ATTRIBUTE_OF.get(field)
    if attribute and isinstance(value, Construct):
        found = getattr(value, attribute, None)
        if isinstance(found, str):
            return found, []
    what = f"text or a resource with `.{attribute}`" if attribute else "text"
    return value, [(where, f"must be {what} (got a {type(value).__name__})")]


def attribute_values(props: McpServerProps) -> tuple[McpServerProps, list[Problem]]:
    """`props` with each given resource replaced by its attribute, and a field error for each
    value that is neither text nor such a resource (tokens are text)."""
    from .props import McpServerProps

    hints = typing.get_type_hints(McpServerProps)
    changes, found = {}, []
    for f in dataclasses.fields(props):
        value = getattr(props, f.name)
        if f.name == "kms_key_arn" and isinstance(value, DeploymentKey):
            continue
        kinds = _text_kinds(f.metadata.get("config_type", hints[f.name]))
        if not kinds or is_token(value):
            continue
        if "list" in kinds and isinstance(value, (list, tuple)):
            pairs = [_one(f.name, v, (f.name, i)) for i, v in enumerate(value)]
            new, problems = type(value)(v for v, _ in pairs), [p for _, ps in pairs for p in ps]
        elif "map" in kinds and isinstance(value, Mapping):
            pairs = {k: _one(f.name, v, (f.name, str(k))) for k, v in value.items()}
            new, problems = {k: v for k, (v, _) in pairs.items()}, [p for _, ps in pairs.values() for p in ps]
            problems += [((f.name,), f"keys must be text (got a {type(k).__name__})") for k in value if not isinstance(k, str)]
        elif "str" in kinds:
            new, problems = _one(f.name, value, (f.name,))
        elif value is not None:
            what = "a list" if "list" in kinds else "a mapping"
            new, problems = value, [((f.name,), f"must be {what} of text (got a {type(value).__name__})")]
        else:
            continue
        found += problems
        if new is not value:
            changes[f.name] = new
    return (dataclasses.replace(props, **changes) if changes else props), found


def default_policy_key(scope: Construct, value: Any) -> Any:
    """The `aws_kms_key` resource `value` is (or whose ARN it references), when that key keeps
    AWS's default key policy (no `policy` set); else None."""
    keys = [value] if getattr(value, "terraform_resource_type", None) == "aws_kms_key" else []
    if isinstance(value, str) and is_token(value):
        stack = TerraformStack.of(scope)

        def resolve(token: str) -> Any:
            return Tokenization.resolve(token, scope=stack, preparing=False, resolver=DefaultTokenResolver(StringConcat()))

        wanted = resolve(value)
        keys = [c for c in stack.node.find_all() if getattr(c, "terraform_resource_type", None) == "aws_kms_key"
                and resolve(c.arn) == wanted]  # fmt: skip
    return next((k for k in keys if k.policy_input is None), None)
