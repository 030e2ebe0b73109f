"""A custom domain for the API: a regional domain name with TLS 1.2, optionally mutual TLS, the
API's stage mapped at its root, and, given a Route 53 zone, the certificate and DNS records.

Mapped at the root, the RFC 9728 documents are at `https://<domain>/.well-known/...`, where
clients derive them from the endpoint `https://<domain>/mcp`; the stage's path disappears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from . import aws

TLS_POLICY = "TLS_1_2"


@dataclass(frozen=True, kw_only=True)
class CustomDomainProps:
    domain_name: str
    kind: Literal["rest", "http"]
    api_id: str
    stage_name: str
    # A certificate for domain_name in the API's region; None: the stack requests one from ACM
    # and validates it with a record in `zone_id`.
    certificate_arn: str | None = None
    # The public hosted zone of the domain: the alias record (and the validation record).
    zone_id: str | None = None
    # Mutual TLS: a PEM bundle of the CAs whose client certificates are accepted, in S3.
    truststore_uri: str | None = None
    truststore_version: str | None = None


class CustomDomain(Construct):
    """Regional custom domain name, base path mapping at the root, DNS alias and certificate."""

    def __init__(self, scope: Construct, id: str, props: CustomDomainProps):
        super().__init__(scope, id)
        self.certificate_arn = props.certificate_arn or self._certificate(props)
        if props.kind == "rest":
            self._rest(props)
        else:
            self._http(props)
        self.record = None
        if props.zone_id:
            r = aws.route53_record
            self.record = r.Route53Record(
                self, "alias", zone_id=props.zone_id, name=props.domain_name, type="A",
                alias=r.Route53RecordAlias(name=self.target_domain_name, zone_id=self.target_zone_id,
                                           evaluate_target_health=False),
            )  # fmt: skip

    def _rest(self, props: CustomDomainProps) -> None:
        d = aws.api_gateway_domain_name
        self.domain = d.ApiGatewayDomainName(
            self, "domain", domain_name=props.domain_name, regional_certificate_arn=self.certificate_arn,
            endpoint_configuration=d.ApiGatewayDomainNameEndpointConfiguration(types=["REGIONAL"]),
            security_policy=TLS_POLICY,
            mutual_tls_authentication=d.ApiGatewayDomainNameMutualTlsAuthentication(
                truststore_uri=props.truststore_uri, truststore_version=props.truststore_version)
            if props.truststore_uri else None,
        )  # fmt: skip
        self.target_domain_name = self.domain.regional_domain_name
        self.target_zone_id = self.domain.regional_zone_id
        # An empty base path maps the stage at the domain's root.
        self.mapping = aws.api_gateway_base_path_mapping.ApiGatewayBasePathMapping(
            self, "mapping", api_id=props.api_id, stage_name=props.stage_name, domain_name=self.domain.domain_name
        )

    def _http(self, props: CustomDomainProps) -> None:
        d = aws.apigatewayv2_domain_name
        self.domain = d.Apigatewayv2DomainName(
            self, "domain", domain_name=props.domain_name,
            domain_name_configuration=d.Apigatewayv2DomainNameDomainNameConfiguration(
                certificate_arn=self.certificate_arn, endpoint_type="REGIONAL", security_policy=TLS_POLICY),
            mutual_tls_authentication=d.Apigatewayv2DomainNameMutualTlsAuthentication(
                truststore_uri=props.truststore_uri, truststore_version=props.truststore_version)
            if props.truststore_uri else None,
        )  # fmt: skip
        configuration = self.domain.domain_name_configuration
        self.target_domain_name = configuration.target_domain_name
        self.target_zone_id = configuration.hosted_zone_id
        self.mapping = aws.apigatewayv2_api_mapping.Apigatewayv2ApiMapping(
            self, "mapping", api_id=props.api_id, stage=props.stage_name, domain_name=self.domain.domain_name
        )

    def _certificate(self, props: CustomDomainProps) -> str:
        """A public ACM certificate, DNS-validated in the zone; the domain waits for it."""
        certificate = aws.acm_certificate.AcmCertificate(
            self, "certificate", domain_name=props.domain_name, validation_method="DNS",
            # mTLS endpoints take no ECDSA server certificate.
            key_algorithm="RSA_2048" if props.truststore_uri else None,
            # A renewed or changed certificate is in place before the old one goes.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )  # fmt: skip
        option = certificate.domain_validation_options.get(0)
        record = aws.route53_record.Route53Record(
            self, "validation", zone_id=props.zone_id, name=option.resource_record_name,
            type=option.resource_record_type, records=[option.resource_record_value], ttl=300,
            allow_overwrite=True,
        )  # fmt: skip
        validation = aws.acm_certificate_validation.AcmCertificateValidation(
            self, "validated", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn]
        )
        self.certificate = certificate
        return validation.certificate_arn

    @property
    def url(self) -> str:
        return f"https://{self.domain.domain_name}"
