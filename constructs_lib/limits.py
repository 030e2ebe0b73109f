"""What AWS and MCP accept, in one leaf module: value shapes, numeric limits, the MCP routes.

Every check of the constructs reads its limits from here, and every message says what a value
must look like, so `prod.toml: vpc_id: ...` (or a construct's error) says what to change.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from .checks import shown

PARTITION = r"aws(?:-[a-z]+)*"
REGION = r"[a-z]{2,4}(?:-[a-z]+)+-\d"
ACCOUNT = r"\d{12}"


@dataclass(frozen=True)
class Shape:
    """A string AWS accepts, and how to describe it to whoever wrote something else."""

    pattern: str
    what: str

    def problem(self, value: str) -> str | None:
        if isinstance(value, str) and re.fullmatch(self.pattern, value):
            return None
        return f"must be {self.what} (got {shown(value)})"


REGION_NAME = Shape(REGION, "an AWS region name like us-east-1 or us-gov-west-1")
VPC_ID = Shape(r"vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a VPC id like vpc-0123456789abcdef0")
SUBNET_ID = Shape(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a subnet id like subnet-0123456789abcdef0")
SECURITY_GROUP_ID = Shape(r"sg-[0-9a-f]{8}(?:[0-9a-f]{9})?", "a security group id like sg-0123456789abcdef0")
KMS_KEY_ARN = Shape(
    rf"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/(?:mrk-[0-9a-f]{{32}}|[0-9a-f]{{8}}(?:-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}})",
    "a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<key-id> "
    "(CloudWatch Logs does not accept aliases)",
)
KMS_KEY_ID_OR_ARN = Shape(
    rf"(?:arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:(?:key|alias)/|alias/)?[A-Za-z0-9/_-]+",
    "a KMS key id, key ARN, alias ARN or alias/<name>",
)
SNS_TOPIC_ARN = Shape(
    rf"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:[A-Za-z0-9_-]{{1,256}}",
    "an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alarms",
)
WAF_WEB_ACL_ARN = Shape(
    rf"arn:{PARTITION}:wafv2:{REGION}:{ACCOUNT}:regional/webacl/[A-Za-z0-9_-]{{1,128}}/[0-9a-f-]{{36}}",
    "a regional WAFv2 web ACL ARN like arn:aws:wafv2:us-east-1:123456789012:regional/webacl/<name>/<id>",
)
# Lambda pulls container images only from Amazon ECR, by tag or by digest.
ECR_IMAGE_URI = Shape(
    rf"{ACCOUNT}\.dkr\.ecr\.{REGION}\.amazonaws\.com(?:\.cn)?/"
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})",
    "an Amazon ECR image URI with a tag or digest, like "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/mcp-server:v1 (Lambda pulls images only from ECR)",
)
IMAGE_TAG = Shape(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "an image tag like v1 (at most 128 characters)")
# The partition and the account are written out: `arn:*:iam::*:role/*` would let the function
# assume every role, in every account, that trusts this account.
IAM_ROLE_ARN_PATTERN = Shape(
    rf"arn:{PARTITION}:iam::{ACCOUNT}:role/[\w+=,.@/*?-]+",
    "an IAM role ARN pattern naming this stack's partition and account, like "
    "arn:aws:iam::123456789012:role/<path>/* (no wildcard in either: it would reach other accounts' roles)",
)
COGNITO_USER_POOL_ID = Shape(rf"{REGION}_[0-9A-Za-z]+", "a Cognito user pool id like us-east-1_AbCdEfGhI")
COGNITO_CLIENT_ID = Shape(r"[\w+]{1,128}", "a Cognito app client id (letters, digits, _ and +, at most 128)")
ENDPOINT_SERVICE = Shape(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", "an AWS service endpoint name like sts or ecr.api")
HEADER_NAME = Shape(r"[A-Za-z0-9-]{1,64}", "an HTTP header name (letters, digits and -)")
CORS_ORIGIN = Shape(
    r"\*|https?://(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?",
    "'*' or an origin like https://app.example.com (scheme and host, no path or trailing /)",
)
NAME = Shape(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", "lowercase letters, digits and single hyphens, starting with a letter")
TENANT_ID = Shape(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", "lowercase letters, digits and single hyphens")
TENANT_ID_MAX_LENGTH = 32
METRIC_NAMESPACE = Shape(r"[^:*$]{1,255}", "a CloudWatch namespace without : * or $")


def partition_of_region(region: str) -> str:
    """The partition whose ARNs name resources of `region` (GovCloud, China, isolated regions)."""
    for prefix, partition in (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"), ("us-isob-", "aws-iso-b"),
                              ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f"),
                              ("eusc-", "aws-eusc")):  # fmt: skip
        if region.startswith(prefix):
            return partition
    return "aws"


def region_of_arn(arn: str) -> str:
    """The region field of an ARN (empty for global services)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def region_of_image(uri: str) -> str:
    """The region of an ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/...`)."""
    return uri.split(".")[3]


def created_vpc_cidr_problem(value: str) -> str | None:
    """AWS accepts /16 to /28 for a VPC; the stack splits it into up to four subnets of at least
    /26 (Lambda and interface endpoints each take addresses in every subnet)."""
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        return f"must be an IPv4 CIDR block like 10.0.0.0/16 ({error})"
    if not 16 <= network.prefixlen <= 24:
        return f"must be /16 to /24 so it splits into private subnets (got /{network.prefixlen})"
    return None


# -- Lambda ---------------------------------------------------------------------------------

LAMBDA_MEMORY_MB = (128, 10240)
LAMBDA_TIMEOUT_S = (1, 900)
# Lambda rejects these keys in a function's environment: the runtime sets them.
LAMBDA_RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip
# All keys and values together at most 4 KB.
LAMBDA_ENV_MAX_BYTES = 4096
ENV_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")

# -- API Gateway and MCP --------------------------------------------------------------------

# Hard integration timeouts, in seconds, by how the front door integrates the function: the HTTP
# API (30), the REST API buffering the response (29, the default quota), the REST API streaming
# it (response transfer mode STREAM, since November 2025: up to 15 minutes, Lambda's own limit).
FRONT_DOOR_LIMIT_S = {"http": 30, "rest": 29, "rest-stream": 900}
IntegrationMode = Literal["http", "rest", "rest-stream"]
FrontDoorKind = Literal["http", "rest"]

# Route keys of the MCP endpoint (Streamable HTTP transport): JSON-RPC requests, the SSE stream,
# session termination.
MCP_ROUTE_KEYS = ("POST /mcp", "GET /mcp", "DELETE /mcp")

# -- CloudWatch Logs, tags, the created network, vended sessions ----------------------------

# PutRetentionPolicy accepts only these values.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
# Tags the stack sets on every resource; a user tag with one of these keys would be overwritten.
STACK_TAG_KEYS = ("Name", "Environment", "ManagedBy")
# AWS allows 50 tags per resource; keep room for the stack's own and the FedRAMP control tag.
MAX_USER_TAGS = 45
# AWS: Unicode letters, digits, separators (\p{Z}: spaces, not tabs or line breaks) and _ . : / = + - @.
TAG_CHARS = re.compile(r"[\w .:/=+\-@\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*")

DEFAULT_VPC_CIDR = "10.0.0.0/16"
MAX_CREATED_AZS = 4

# The function's own credentials come from an assumed role, so a vended tenant session is role
# chaining, which STS limits to one hour.
MIN_SESSION_S, MAX_CHAINED_SESSION_S = 900, 3600

# -- custom domains, releases, other regions (operations) -----------------------------------

DOMAIN_NAME = Shape(
    r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    "a lowercase DNS name like mcp.example.com (no scheme, path or trailing dot)",
)
ACM_CERTIFICATE_ARN = Shape(
    rf"arn:{PARTITION}:acm:{REGION}:{ACCOUNT}:certificate/[0-9a-f]{{8}}(?:-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}}",
    "an ACM certificate ARN like arn:aws:acm:us-east-1:123456789012:certificate/<id>",
)
ROUTE53_ZONE_ID = Shape(r"Z[A-Z0-9]{1,31}", "a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ")
# API Gateway reads the truststore from S3 (s3://bucket/key); object versions are opaque strings.
S3_OBJECT_URI = Shape(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+", "an S3 object URI like s3://bucket/truststore.pem")
S3_OBJECT_VERSION = Shape(r"[A-Za-z0-9._-]{1,1024}", "an S3 object version id")
# Lambda alias names: letters, digits, - and _, not only digits (that would read as a version).
LAMBDA_ALIAS_NAME = Shape(r"(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}", "1-128 letters, digits, - or _, not all digits")
LAMBDA_VERSION = Shape(r"[1-9][0-9]*", "a published version number like 3 ($LATEST cannot take weighted traffic)")
EMAIL = Shape(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address like oncall@example.com")
HEALTH_CHECK_PATH = Shape(r"/[\x21-\x7e]{0,254}", "a path starting with / (at most 255 characters)")
# Route 53 health checks: 1 to 10 consecutive failures flip the status.
HEALTH_CHECK_FAILURES = (1, 10)
# Route 53 publishes health check metrics only in this region of each partition.
ROUTE53_METRICS_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1"}
