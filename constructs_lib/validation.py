"""Shapes AWS accepts, as reusable pydantic types, and a way to report several problems at once.

Every message says what the value must look like, so the person reading
`prod.toml: vpc_id: ...` knows what to change.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import types
import typing
from typing import Annotated, Callable, Iterable

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

PARTITION = r"aws(?:-[a-z]+)*"
REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
ACCOUNT = r"\d{12}"


def shaped(pattern: str, what: str) -> AfterValidator:
    """Validator: the whole string matches `pattern`, else "must be <what>"."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {what} (got {value!r})")
        return value

    return AfterValidator(check)


def partition_of_region(region: str) -> str:
    """The partition whose ARNs name resources of `region` (GovCloud, China, isolated regions)."""
    for prefix, partition in (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"),
                              ("us-isob-", "aws-iso-b"), ("us-iso-", "aws-iso")):  # fmt: skip
        if region.startswith(prefix):
            return partition
    return "aws"


def region_of_arn(arn: str) -> str:
    """The region field of an ARN (empty for global services)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


RegionName = Annotated[str, shaped(REGION, "an AWS region name like us-east-1 or us-gov-west-1")]
VpcId = Annotated[str, shaped(r"vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a VPC id like vpc-0123456789abcdef0")]
SubnetId = Annotated[
    str, shaped(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a subnet id like subnet-0123456789abcdef0")
]
SecurityGroupId = Annotated[
    str, shaped(r"sg-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a security group id like sg-0123456789abcdef0")
]
KmsKeyArn = Annotated[
    str,
    shaped(
        rf"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/(?:mrk-[0-9a-f]{{32}}|[0-9a-f]{{8}}(?:-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}})",
        "a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<key-id> "
        "(CloudWatch Logs does not accept aliases)",
    ),
]
KmsKeyIdOrArn = Annotated[
    str,
    shaped(
        rf"(?:arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:(?:key|alias)/|alias/)?[A-Za-z0-9/_-]+",
        "a KMS key id, key ARN, alias ARN or alias/<name>",
    ),
]
SnsTopicArn = Annotated[
    str,
    shaped(
        rf"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:[A-Za-z0-9_-]{{1,256}}",
        "an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alarms",
    ),
]
WafWebAclArn = Annotated[
    str,
    shaped(
        rf"arn:{PARTITION}:wafv2:{REGION}:{ACCOUNT}:regional/webacl/[A-Za-z0-9_-]{{1,128}}/[0-9a-f-]{{36}}",
        "a regional WAFv2 web ACL ARN like "
        "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/<name>/<id>",
    ),
]
# Lambda pulls container images only from Amazon ECR, by tag or by digest.
EcrImageUri = Annotated[
    str,
    shaped(
        rf"{ACCOUNT}\.dkr\.ecr\.{REGION}\.amazonaws\.com(?:\.cn)?/"
        r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
        r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})",
        "an Amazon ECR image URI with a tag or digest, like "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/mcp-server:v1 (Lambda pulls images only from ECR)",
    ),
]
IamRoleArnPattern = Annotated[
    str,
    shaped(
        rf"arn:(?:{PARTITION}|\*):iam::(?:{ACCOUNT}|\*):role/[\w+=,.@/*?-]+",
        "an IAM role ARN pattern like arn:aws:iam::123456789012:role/<path>/*",
    ),
]
CognitoUserPoolId = Annotated[
    str, shaped(rf"{REGION}_[0-9A-Za-z]+", "a Cognito user pool id like us-east-1_AbCdEfGhI")
]
CognitoClientId = Annotated[
    str, shaped(r"[\w+]{1,128}", "a Cognito app client id (letters, digits, _ and +, at most 128)")
]


def _ipv4_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"must be an IPv4 CIDR block like 10.0.0.0/16 ({error})") from None
    # AWS accepts /16 to /28 for a VPC; the stack splits it into up to four subnets of at
    # least /26 (Lambda and interface endpoints each take addresses in every subnet).
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(f"must be /16 to /24 so it splits into private subnets (got /{network.prefixlen})")
    return value


Ipv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]


def region_of_image(uri: str) -> str:
    """The region of an ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/...`)."""
    return uri.split(".")[3]


Problem = tuple[tuple[str | int, ...], str]


def raise_problems(title: str, problems: Iterable[Problem], value: object = None) -> None:
    """Raise one ValidationError holding every (location, message) problem, if there are any.

    Raised from a model validator, pydantic nests these under the model's own location, so a
    cross-field rule reports the exact field it is about.
    """
    details = [
        InitErrorDetails(
            type=PydanticCustomError("invalid_combination", message), loc=loc, input=value
        )
        for loc, message in problems
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


# -- rules across fields, all reported at once ----------------------------------------------------

# Validation context under which models check their fields only (see `problems_despite`).
FIELDS_ONLY = "fields_only"


class UnknownValue(Exception):
    """A cross-field rule read a field whose own value failed validation."""


def cross_field(rule: Callable[..., list[Problem]]) -> Callable[..., list[Problem]]:
    """Mark a method of a `Schema` as a rule across fields: `rule(self) -> [(loc, message)]`.

    Keep each rule to one concern: when some fields fail their own checks, the rules that do
    not read them still run (`problems_despite`), so every problem is reported at once.
    """
    rule.cross_field_rule = True  # type: ignore[attr-defined]
    return rule


def cross_field_rules(model: type[BaseModel]) -> list[Callable[..., list[Problem]]]:
    """The model's rules, base classes' first, in the order they are written."""
    found: dict[str, Callable] = {}
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, "cross_field_rule", False):
                found[name] = value
    return list(found.values())


class Schema(BaseModel):
    """A strict model (unknown keys, wrong types and coercions are errors) whose `@cross_field`
    rules run after its fields validated, every problem raised in one ValidationError."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo):
        if not (info.context or {}).get(FIELDS_ONLY):
            raise_problems(type(self).__name__, self.cross_field_problems())
        return self

    def cross_field_problems(self) -> list[Problem]:
        return [problem for rule in cross_field_rules(type(self)) for problem in rule(self)]


def problems_despite(model: type[Schema], raw: dict, errors: list[dict]) -> list[Problem]:
    """The cross-field problems among the values of `raw` that validated, given the `errors`
    (pydantic's `ValidationError.errors()`) of the ones that did not.

    pydantic runs a model's rules only once every field is valid; this runs each rule that reads
    only valid values (a rule that reads a failed one is skipped), in nested tables too, so a
    file with a bad value and a bad combination reports both.
    """
    return _partial(model, raw, errors)[1]


def _partial(model: type[Schema], raw: dict, errors: list[dict]) -> tuple[Schema | None, list[Problem]]:
    """(the valid part of `raw` as a `model` whose failed fields raise UnknownValue, the
    problems its rules find)."""
    failed: dict[str, list[dict]] = {}
    for error in errors:
        if error["loc"]:
            failed.setdefault(error["loc"][0], []).append({**error, "loc": error["loc"][1:]})
    try:
        instance = _lenient(model).model_validate(
            {k: v for k, v in raw.items() if k not in failed}, context={FIELDS_ONLY: True}
        )
    except ValidationError:
        return None, []
    found: list[Problem] = []
    for key, sub_errors in failed.items():
        instance.__dict__.pop(key, None)
        field = model.model_fields.get(key) if isinstance(key, str) else None
        sub_model = _schema_of(field.annotation) if field else None
        if sub_model and isinstance(raw.get(key), dict) and all(e["loc"] for e in sub_errors):
            # A nested table with some bad values: its good values stay readable.
            sub_instance, sub_found = _partial(sub_model, raw[key], sub_errors)
            found += [((key, *loc), message) for loc, message in sub_found]
            if sub_instance is not None:
                instance.__dict__[key] = sub_instance
    for rule in cross_field_rules(model):
        try:
            found += rule(instance)
        except UnknownValue:
            continue
    return instance, found


@functools.cache
def _lenient(model: type[Schema]) -> type[Schema]:
    """`model` with its required fields optional, whose unset fields raise UnknownValue."""
    optional = {
        name: (field.annotation | None, None)
        for name, field in model.model_fields.items()
        if field.is_required()
    }
    lenient = create_model(f"Partial{model.__name__}", __base__=model, **optional)

    def __getattr__(self, name: str):
        if name in type(self).model_fields:
            raise UnknownValue(name)
        return BaseModel.__getattr__(self, name)

    lenient.__getattr__ = __getattr__
    return lenient


def _schema_of(annotation) -> type[Schema] | None:
    """The Schema class inside `X` or `X | None`, if any."""
    candidates = [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        candidates = list(typing.get_args(annotation))
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, Schema)), None)
