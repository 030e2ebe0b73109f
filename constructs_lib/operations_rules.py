"""The rules of the upstream module's later inputs (custom domain, canary releases, replicas,
health check, notifications): the combinations AWS cannot do. Their single values are in
`value_rules`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .checks import Problem, Rule, resolved, rule, rules_of
from .value_rules import is_default

if TYPE_CHECKING:
    from .props import McpServerProps


# -- the upstream module's later inputs ------------------------------------------------------

DOMAIN_INPUTS = ("acm_certificate_arn", "route53_zone_id", "enable_mtls", "mtls_truststore_uri", "mtls_truststore_version")
CANARY_INPUTS = ("canary_alias_name", "canary_version", "canary_weight")
HEALTH_INPUTS = ("health_check_path", "health_check_failure_threshold")


def _unused(p: McpServerProps, fields: Sequence[str], needs: str) -> list[Problem]:
    return [((f,), f"only used with {needs}; remove it or set {needs}")
            for f in fields if not is_default(f, getattr(p, f))]  # fmt: skip


@rule("custom_domain_name", *DOMAIN_INPUTS)
def domain_whole(p: McpServerProps) -> list[Problem]:
    if not p.custom_domain_name:
        return _unused(p, DOMAIN_INPUTS, "custom_domain_name")
    found = []
    if not p.acm_certificate_arn and not p.route53_zone_id:
        found.append((("custom_domain_name",), "needs a certificate: give acm_certificate_arn, or route53_zone_id "
                      "for the stack to request one from ACM and validate it there"))  # fmt: skip
    if p.enable_mtls and not p.mtls_truststore_uri:
        found.append((("mtls_truststore_uri",), "required with enable_mtls: API Gateway reads the trusted "
                      "CAs (a PEM bundle) from S3"))  # fmt: skip
    if not p.enable_mtls:
        found += [((f,), "only used with enable_mtls = true; remove it or enable mTLS")
                  for f in ("mtls_truststore_uri", "mtls_truststore_version") if getattr(p, f) is not None]  # fmt: skip
    return found


@rule("enable_canary_deployment", *CANARY_INPUTS)
def canary_whole(p: McpServerProps) -> list[Problem]:
    if not p.enable_canary_deployment:
        return _unused(p, CANARY_INPUTS, "enable_canary_deployment")
    if resolved(p.canary_weight) > 0 and p.canary_version is None:
        return [(("canary_weight",), "the newest version takes this share from canary_version, the version "
                 "that keeps the rest; set canary_version (the version now serving, see the lambda_version "
                 "output) or set canary_weight = 0")]  # fmt: skip
    return []


@rule("enable_global_table", "replica_regions", "replica_kms_key_arns", "enable_session_table", "tenant_metering",
      "enable_ecr_replication", "ecr_replication_regions", "enable_ecr_repository")  # fmt: skip
def replicas_whole(p: McpServerProps) -> list[Problem]:
    found = []
    if p.enable_global_table:
        if not p.replica_regions:
            found.append((("replica_regions",), "enable_global_table needs at least one replica region"))
        if not p.uses_dynamodb:
            found.append((("enable_global_table",), "there is no table to replicate; set enable_session_table = "
                          "true or add [tenant_metering]"))  # fmt: skip
    elif p.replica_regions and not p.enable_ecr_replication:
        found.append((("replica_regions",), "only used with enable_global_table or enable_ecr_replication; "
                      "remove it or enable one"))  # fmt: skip
    if p.enable_ecr_replication:
        if not p.enable_ecr_repository:
            found.append((("enable_ecr_replication",), "replicates the repository the stack creates; set "
                          "enable_ecr_repository = true (replicate an image you bring where it is built)"))  # fmt: skip
        if not p.image_replica_regions:
            found.append((("ecr_replication_regions",), "enable_ecr_replication needs regions: list them here "
                          "or in replica_regions"))  # fmt: skip
    elif p.ecr_replication_regions:
        found.append((("ecr_replication_regions",), "only used with enable_ecr_replication = true; remove it"))
    regions = list(resolved(p.replica_regions)) if p.enable_global_table else []
    regions += [r for r in p.image_replica_regions if r not in regions]
    keys = dict(resolved(p.replica_kms_key_arns))
    found += [(("replica_kms_key_arns",), f"no key for {region}: each replica is encrypted with a customer-managed "
               f"key of its own region; add {region} = \"arn:...:kms:{region}:...\"") for region in regions if region not in keys]  # fmt: skip
    found += [(("replica_kms_key_arns", region), "no replica in this region; remove it") for region in keys if region not in regions]
    return found


@rule("enable_health_check", *HEALTH_INPUTS, "enable_auth", "enable_mtls", "custom_domain_name")
def health_check_whole(p: McpServerProps) -> list[Problem]:
    if not p.enable_health_check:
        return _unused(p, HEALTH_INPUTS, "enable_health_check")
    if p.enable_mtls and p.custom_domain_name:
        return [(("enable_health_check",), "Route 53 health checkers present no client certificate, so a "
                 "domain with mutual TLS refuses them (and the default endpoint is disabled); check the "
                 "endpoint from a client of your own, or remove one of the two")]  # fmt: skip
    if not p.enable_auth and p.health_check_path.startswith("/.well-known/"):
        return [(("health_check_path",), "the protected-resource metadata is served only with enable_auth; "
                 "give a path the server answers without a token")]  # fmt: skip
    return []


@rule("alarm_notification_email", "alarm_sns_topic_arn")
def emails_need_our_topic(p: McpServerProps) -> list[Problem]:
    if p.notification_emails and p.alarm_sns_topic_arn:
        return [(("alarm_notification_email",), "subscribes to the topic the stack creates, and alarm_sns_topic_arn "
                 "replaces it; subscribe the addresses to that topic where it is managed, or remove one of the two")]  # fmt: skip
    return []


RULES: list[Rule] = rules_of(globals())
