"""Shapes AWS accepts, as reusable pydantic types, and a way to report several problems at once.

Every message says what the value must look like, so the person reading
`prod.toml: vpc_id: ...` knows what to change.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Iterable

from pydantic import AfterValidator, ValidationError
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
