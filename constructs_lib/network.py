"""The network a deployment gets when no VPC is given: private subnets, no internet (SC-7).

No internet gateway, no NAT: the function reaches AWS only through the VPC endpoints its
features need (`required_endpoints`), and its security group allows nothing else. Flow logs go
to an encrypted log group (AU-2, SI-4); the VPC's default security group allows no traffic.

What needs which endpoint, from AWS's documentation: Lambda delivers the function's logs and
pulls its image outside the VPC, and DynamoDB, SNS and Logs call KMS themselves, so only the
API calls the function's own code makes need endpoints. X-Ray is included with tracing because
AWS does not document that traces leave without one.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal, Sequence

from cdktf import Fn, TerraformResourceLifecycle
from constructs import Construct

from . import aws
from .context import account_id, partition, region
from .iam import ServiceRole, Statement, policy_document
from .kms import KeyLike
from .logs import EncryptedLogGroup
from .naming import Names

HTTPS = 443
ZONE_LETTERS = "abcdef"


@dataclass(frozen=True)
class Endpoint:
    """A VPC endpoint the function needs, and the feature that needs it."""

    service: str
    kind: Literal["Gateway", "Interface"]
    needed_for: str


def required_endpoints(
    *,
    sessions: bool,
    tracing: bool,
    tenant_credentials: bool = False,
    request_state: bool = False,
    extra_interfaces: Sequence[str] = (),
) -> list[Endpoint]:
    """The endpoints of the enabled features (the README lists them all for a given VPC)."""
    found = []
    if sessions:
        found.append(Endpoint(
            "dynamodb", "Gateway", "enable_session_table or tenant_metering: item reads and writes"
        ))  # fmt: skip
    if tracing:
        found.append(Endpoint("xray", "Interface", "enable_xray_tracing: trace segments"))
    if tenant_credentials:
        found.append(Endpoint("sts", "Interface", "token_vending_machine: AssumeRole for tenant credentials"))
    if request_state:
        found.append(Endpoint("kms", "Interface", "request_state_kms_key: GenerateMac for request state"))
    found += [Endpoint(s, "Interface", "vpc_interface_endpoints") for s in extra_interfaces]
    return found


def private_subnet_cidrs(cidr: str, count: int) -> list[str]:
    """`count` equal subnets from the first quarters of `cidr` (room left for more zones)."""
    network = ipaddress.IPv4Network(cidr)
    return [str(s) for s in list(network.subnets(prefixlen_diff=2))[:count]]


@dataclass(frozen=True, kw_only=True)
class NetworkProps:
    names: Names
    cidr: str
    availability_zone_count: int
    endpoints: Sequence[Endpoint]
    kms_key: KeyLike
    log_retention_days: int


class Network(Construct):
    """VPC, one private subnet per zone, the function's security group, endpoints, flow logs."""

    def __init__(self, scope: Construct, id: str, props: NetworkProps):
        super().__init__(scope, id)
        self.names = names = props.names
        zones = aws.data_aws_availability_zones.DataAwsAvailabilityZones(
            self,
            "zones",
            state="available",
            filter=[
                # A closed set of the region's zones (a to f), so a zone AWS adds later never
                # enters it; subnets also ignore later changes of their zone.
                aws.data_aws_availability_zones.DataAwsAvailabilityZonesFilter(
                    name="zone-name", values=[f"{region(self)}{letter}" for letter in ZONE_LETTERS]
                ),
                # Regional zones only: Local and Wavelength Zones lack most endpoint services.
                aws.data_aws_availability_zones.DataAwsAvailabilityZonesFilter(
                    name="opt-in-status", values=["opt-in-not-required"]
                ),
            ],
        )
        self.vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=props.cidr,
            # Interface endpoints' private DNS names need both.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": names.vpc},
        )
        aws.default_security_group.DefaultSecurityGroup(
            self, "default_security_group", vpc_id=self.vpc.id, tags={"Name": f"{names.vpc}-default"}
        )
        self.route_table = aws.route_table.RouteTable(
            self, "private", vpc_id=self.vpc.id, tags={"Name": f"{names.vpc}-private"}
        )
        self.subnets = []
        for index, cidr in enumerate(private_subnet_cidrs(props.cidr, props.availability_zone_count)):
            subnet = aws.subnet.Subnet(
                self,
                f"private_{index}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=Fn.element(zones.names, index),
                map_public_ip_on_launch=False,
                tags={"Name": f"{names.vpc}-private-{index}"},
                lifecycle=TerraformResourceLifecycle(ignore_changes=["availability_zone"]),
            )
            aws.route_table_association.RouteTableAssociation(
                self, f"private_{index}_routes", subnet_id=subnet.id, route_table_id=self.route_table.id
            )
            self.subnets.append(subnet)

        sg = aws.security_group.SecurityGroup
        self.function_security_group = sg(
            self,
            "function",
            name=names.security_group("function"),
            description="MCP server function: HTTPS to its VPC endpoints only",
            vpc_id=self.vpc.id,
            tags={"Name": names.security_group("function")},
        )
        self.endpoints = {}
        interfaces = [e for e in props.endpoints if e.kind == "Interface"]
        if interfaces:
            self.endpoint_security_group = sg(
                self,
                "endpoints",
                name=names.security_group("endpoints"),
                description="Interface endpoints: HTTPS from the MCP server function",
                vpc_id=self.vpc.id,
                tags={"Name": names.security_group("endpoints")},
            )
            aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
                self, "endpoints_from_function", security_group_id=self.endpoint_security_group.id,
                description="HTTPS from the MCP server function", ip_protocol="tcp",
                from_port=HTTPS, to_port=HTTPS,
                referenced_security_group_id=self.function_security_group.id,
            )  # fmt: skip
            self._egress("to_endpoints", "HTTPS to the interface endpoints",
                         referenced_security_group_id=self.endpoint_security_group.id)  # fmt: skip
        for endpoint in props.endpoints:
            self.endpoints[endpoint.service] = self._endpoint(endpoint)
        self._flow_logs(props)

    def _egress(self, id: str, description: str, **target) -> None:
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self, id, security_group_id=self.function_security_group.id, description=description,
            ip_protocol="tcp", from_port=HTTPS, to_port=HTTPS, **target,
        )  # fmt: skip

    def _endpoint(self, endpoint: Endpoint):
        key = endpoint.service.replace(".", "_").replace("-", "_")
        service = aws.data_aws_vpc_endpoint_service.DataAwsVpcEndpointService(
            self, f"{key}_service", service=endpoint.service, service_type=endpoint.kind
        )
        gateway = endpoint.kind == "Gateway"
        created = aws.vpc_endpoint.VpcEndpoint(
            self,
            f"{key}_endpoint",
            vpc_id=self.vpc.id,
            service_name=service.service_name,
            vpc_endpoint_type=endpoint.kind,
            route_table_ids=[self.route_table.id] if gateway else None,
            subnet_ids=None if gateway else [s.id for s in self.subnets],
            security_group_ids=None if gateway else [self.endpoint_security_group.id],
            private_dns_enabled=None if gateway else True,
            policy=self._endpoint_policy(),
            tags={"Name": f"{self.names.vpc}-{endpoint.service}"},
        )
        if gateway:
            self._egress(f"to_{key}", f"HTTPS to {endpoint.service} (gateway endpoint)",
                         prefix_list_id=created.prefix_list_id)  # fmt: skip
        return created

    def _endpoint_policy(self) -> str:
        """Data perimeter: only this account's principals, and only on this account's resources
        (a stolen session cannot move data to a table or role of another account through the
        endpoint). `aws:ResourceAccount` is `IfExists`: AWS leaves it out of the request
        context of actions that name no resource (X-Ray's PutTraceSegments, for one), which a
        plain StringEquals would deny; where the request names a resource, it must be ours."""
        account = account_id(self)
        return policy_document(
            Statement(
                sid="OnlyThisAccountsPrincipalsAndResources", principals="*", actions="*", resources="*",
                conditions={"StringEquals": {"aws:PrincipalAccount": account},
                            "StringEqualsIfExists": {"aws:ResourceAccount": account}},
            )
        )  # fmt: skip

    def _flow_logs(self, props: NetworkProps) -> None:
        names = props.names
        self.flow_log_group = EncryptedLogGroup(
            self, "flow_log_group", name=names.flow_log_group,
            retention_days=props.log_retention_days, key=props.kms_key,
        )  # fmt: skip
        arn_prefix = f"arn:{partition(self)}"
        account = account_id(self)
        role = ServiceRole(
            self,
            "flow_log_role",
            role_name=names.flow_log_role,
            service="vpc-flow-logs.amazonaws.com",
            description=f"Delivers the {names.vpc} VPC's flow logs",
            # Confused-deputy guard: only flow logs of this account assume it.
            trust_conditions={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {
                    "aws:SourceArn": f"{arn_prefix}:ec2:{region(self)}:{account}:vpc-flow-log/*"
                },
            },
        )
        group_arn = self.flow_log_group.arn
        role.add_to_policy(
            "flow_logs",
            Statement(
                sid="WriteFlowLogs",
                actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                resources=[group_arn, f"{group_arn}:*"],
            ),
        )
        self.flow_log = aws.flow_log.FlowLog(
            self,
            "flow_log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group_arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            depends_on=role.policies,
        )

    @property
    def subnet_ids(self) -> list[str]:
        return [s.id for s in self.subnets]

    @property
    def security_group_ids(self) -> list[str]:
        return [self.function_security_group.id]
