"""What AWS offers where, for the features of a deployment: FIPS endpoints by service and
region, and features that a partition (GovCloud) lacks. Data with sources; the rules that read
it are `fips_problems` and `partition_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import difflib

from .checks import Problem, shown
from .limits import REGION_NAME, partition_of_region

if TYPE_CHECKING:
    from .props import McpServerProps

# Every region of every partition. Source: the AWS SDK's endpoint data (botocore 1.44.8,
# data/endpoints.json, `partitions[].regions`); tests/test_regions.py fails when the installed
# SDK knows a region this table lacks. A name of the right shape that is not here (us-east-9)
# is a typo, and every resource of the stack would fail to create there.
REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "aws-iso": ("us-iso-east-1", "us-iso-west-1"),
    "aws-iso-b": ("us-isob-east-1", "us-isob-west-1"),
    "aws-iso-e": ("eu-isoe-west-1",),
    "aws-iso-f": ("us-isof-east-1", "us-isof-south-1"),
    "aws-eusc": ("eusc-de-east-1",),
}  # fmt: skip


def region_problem(value: str) -> str | None:
    """Why `value` is not an AWS region (its shape, or no partition has it), or None."""
    if problem := REGION_NAME.problem(value):
        return problem
    partition = partition_of_region(value)
    if value in REGIONS.get(partition, ()):
        return None
    close = difflib.get_close_matches(value, REGIONS.get(partition, ()), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{shown(value)} is not a region of the {partition} partition{hint}"


US = ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
CANADA = ("ca-central-1", "ca-west-1")
GOVCLOUD = ("us-gov-east-1", "us-gov-west-1")
_MOST_COMMERCIAL = (
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-7", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1",
)  # fmt: skip

# Regions where each service the provider calls has a FIPS endpoint. Source: the AWS SDK's
# endpoint data (botocore 1.44.8, data/endpoints.json: endpoints or service defaults with a
# variant tagged "fips"), corrected where AWS's own pages say more (FIPS_SOURCES). IAM and
# Route 53 are global services with FIPS endpoints in both partitions.
FIPS_REGIONS: dict[str, frozenset[str]] = {
    "lambda": frozenset({*US, *GOVCLOUD}),
    "apigateway": frozenset({*US, *CANADA, *GOVCLOUD}),
    "cognito-idp": frozenset({*US, *GOVCLOUD}),
    "dynamodb": frozenset({*US, *CANADA, *GOVCLOUD}),
    "ecr": frozenset({*US, *CANADA, *GOVCLOUD, *_MOST_COMMERCIAL, "ap-east-2", "ap-southeast-6"}),
    "kms": frozenset({*US, *CANADA, *GOVCLOUD, *_MOST_COMMERCIAL}),
    "logs": frozenset({*US, *CANADA, *GOVCLOUD}),
    "monitoring": frozenset({*US, *GOVCLOUD}),
    "sns": frozenset({*US, *GOVCLOUD, "ca-west-1"}),
    "wafv2": frozenset({*US, *CANADA, *GOVCLOUD, *_MOST_COMMERCIAL}),
    "sts": frozenset({*US, *GOVCLOUD}),
    "ec2": frozenset({*US, *CANADA, *GOVCLOUD}),
    "acm": frozenset({*US, *CANADA, *GOVCLOUD}),
}
FIPS_SOURCES = {
    "cognito-idp": "docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html: Cognito in "
                   "GovCloud uses FIPS endpoints only, cognito-idp-fips.us-gov-west-1 and -east-1",
    "apigateway": "the SDKs' endpoint rules resolve apigateway-fips.us-gov-<west|east>-1 with UseFIPS, and a "
                  "copy of the GovCloud endpoint page lists it; AWS's current pages do not confirm the host "
                  "(the GovCloud API Gateway page says APIs there are FIPS-compliant by default)",
}  # fmt: skip
# Regions whose Cognito user pool domains have a FIPS host (<domain>.auth-fips.<region>.
# amazoncognito.com). Sources: the Public Suffix List's Amazon Cognito section (us-east-1,
# us-east-2, us-gov-west-1) and the GovCloud guide above (us-gov-east-1).
COGNITO_AUTH_FIPS_REGIONS = frozenset({"us-east-1", "us-east-2", *GOVCLOUD})

SERVICE_NAMES = {
    "lambda": "AWS Lambda", "apigateway": "Amazon API Gateway", "cognito-idp": "Amazon Cognito",
    "dynamodb": "Amazon DynamoDB", "ecr": "Amazon ECR", "kms": "AWS KMS", "logs": "CloudWatch Logs",
    "monitoring": "CloudWatch", "sns": "Amazon SNS", "wafv2": "AWS WAF", "sts": "AWS STS",
    "ec2": "Amazon EC2 (VPC)", "acm": "AWS Certificate Manager",
}  # fmt: skip


def services_called(p: McpServerProps) -> dict[str, str]:
    """The regional services the AWS provider calls to deploy these props, and why."""
    called = {
        "sts": "the account id", "lambda": "the function", "logs": "the log groups",
        "monitoring": "the alarms and dashboard", "apigateway": "the API",
    }  # fmt: skip
    if p.kms_key_arn is None:
        called["kms"] = "the created key"
    if p.alarm_sns_topic_arn is None or p.tenant_metering is not None:
        called["sns"] = "the alarm topic"
    if p.vpc_id is None and p.network is None:
        called["ec2"] = "the created network"
    if p.enable_auth:
        called["cognito-idp"] = "the user pool and app clients"
    if p.uses_dynamodb:
        called["dynamodb"] = "the tables"
    if p.enable_ecr_repository:
        called["ecr"] = "the image repository"
    if p.waf_acl_arn:
        called["wafv2"] = "the web ACL association"
    if p.custom_domain_name and not p.acm_certificate_arn:
        called["acm"] = "the domain's certificate"
    return called


def fips_problems(p: McpServerProps, region: str, setting: tuple[str, ...]) -> list[Problem]:
    """With FIPS endpoints on (`setting` names where), every service the stack calls needs one
    in `region`: the provider would otherwise fail to connect at apply time."""
    called = services_called(p)
    missing = [(s, why) for s, why in called.items() if region not in FIPS_REGIONS[s]]
    if not missing:
        return []
    names = ", ".join(f"{SERVICE_NAMES[s]} ({why})" for s, why in missing)
    # Regions of the same partition (moving to GovCloud is not a region change).
    usable = sorted(r for r in set.intersection(*(set(FIPS_REGIONS[s]) for s in called))
                    if partition_of_region(r) == partition_of_region(region))  # fmt: skip
    return [(setting, f"no FIPS endpoint in {region} for {names}; deploy to a region where all have one "
             f"({', '.join(usable) or 'none'}) or turn FIPS endpoints off")]  # fmt: skip


# Features of the stack that AWS does not offer in some regions: (field, feature, regions
# without it, the alternative). Sources in the README's GovCloud table (PARTITION_FEATURES).
TENANT_ISOLATION_MISSING = ("us-gov-east-1", "us-gov-west-1", "ap-southeast-6", "cn-north-1", "cn-northwest-1")


def partition_problems(p: McpServerProps, region: str) -> list[Problem]:
    """Features the props use that AWS does not offer in `region`."""
    found = []
    if p.custom_domain_name and not p.acm_certificate_arn and region in GOVCLOUD:
        found.append((("route53_zone_id",), f"the stack would request the certificate from ACM and validate it "
                      f"in this zone, but Route 53 has no public hosted zones in {region} (GovCloud) and ACM "
                      "cannot validate through a private one; validate or import the certificate with DNS "
                      "outside GovCloud and give acm_certificate_arn"))  # fmt: skip
    if p.enable_tenant_isolation and region in TENANT_ISOLATION_MISSING:
        found.append((("enable_tenant_isolation",), f"Lambda tenant isolation mode is not offered in {region}; "
                      "deploy to a commercial region that has it, or turn it off (the token vending machine "
                      "still confines each tenant's data, but tenants then share execution environments)"))  # fmt: skip
    return found


# The README's table: feature, where it is missing or how it differs in GovCloud, what the stack
# does about it, and the source.
PARTITION_FEATURES: tuple[tuple[str, str, str, str], ...] = (
    ("Lambda tenant isolation mode", "not offered in GovCloud (nor in Asia Pacific (New Zealand) or China)",
     "synth error on `enable_tenant_isolation`",
     "[Lambda: tenant isolation, Supported AWS Regions](https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation.html); "
     "AWS's 19 Nov 2025 announcement as quoted by [TechBrief AI](https://www.techbriefai.com/posts/aws-lambda-introduces-tenant-isolation-mode-for-multi-tenant-applications): "
     "\"all commercial AWS Regions except for Asia Pacific (New Zealand), AWS GovCloud (US), and China Regions\""),
    ("API Gateway REST response streaming", "offered", "streams as elsewhere",
     "[What's New, 19 Nov 2025](https://aws.amazon.com/about-aws/whats-new/2025/11/api-gateway-response-streaming-rest-apis): "
     "\"available in all AWS Regions, including the AWS GovCloud (US) Regions\""),
    ("API Gateway HTTP APIs", "offered (inferred: the page lists HTTP API limits in both regions; private "
     "integrations, which the stack does not use, are limited)", "not checked",
     "[API Gateway in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-abp.html)"),
    ("API Gateway custom domains and mutual TLS", "Regional domains only; mTLS endpoints take no ECDSA server "
     "certificate", "domains are Regional; a certificate the stack requests is RSA 2048",
     "[API Gateway in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-abp.html)"),
    ("Route 53 public hosted zones", "not offered (private DNS and health checks are)",
     "synth error when the stack would validate a certificate in `route53_zone_id`: give `acm_certificate_arn`",
     "[Route 53 in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-r53.html); "
     "ACM cannot validate through a private zone ([ACM domain validation](https://docs.aws.amazon.com/acm/latest/userguide/domain-ownership-validation.html))"),
    ("DynamoDB global tables", "offered, version 2019.11.21 (replicas), not the legacy API", "replicas on the table",
     "[DynamoDB global tables](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html): "
     "\"available in all Regions where DynamoDB is available\""),
    ("ECR cross-region replication", "no AWS statement found either way", "not checked",
     "[ECR in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-ecr.html) lists no such limit"),
    ("Cognito user pools and their prefix domain", "offered; FIPS endpoints only, hosted domains on `auth-fips`",
     "the token endpoint output uses `auth-fips` in GovCloud",
     "[Cognito in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html)"),
    ("Cognito custom domains", "not offered", "not used: the stack creates a prefix domain",
     "[Cognito in AWS GovCloud (US)](https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html)"),
    ("FIPS endpoints of the services the stack calls", "all of them, in both GovCloud regions; API Gateway's "
     "`apigateway-fips` host unconfirmed by a current AWS page", "`stack.fips_endpoints` works there",
     "botocore 1.44.8 `data/endpoints.json`; for API Gateway, the SDKs' endpoint rules; for Cognito, the GovCloud Cognito page"),
    ("Route 53 health check metrics", "published in us-gov-west-1 (inferred: AWS does not document it; "
     "the SDK signs GovCloud Route 53 calls for us-gov-west-1)", "the health alarm, topic and key go to us-gov-west-1",
     "botocore 1.44.8 `data/endpoints.json`, `route53` in `aws-us-gov`"),
)  # fmt: skip
