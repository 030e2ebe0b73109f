"""A Lambda function of the deployment in private subnets, with its role and its logs: the MCP
server (a container image) or the small functions the stack itself ships (a .zip package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from cdktf import ITerraformDependable
from constructs import Construct

from . import aws
from .compliance import GENERATED_CODE, NO_CODE_SIGNING, NO_DLQ, skip_check
from .context import account_id, partition, region
from .iam import ServiceRole, Statement
from .kms import KeyLike, key_arn
from .logs import EncryptedLogGroup

# The encryption context under which Lambda encrypts a function's environment variables.
ENVIRONMENT_CONTEXT = "kms:EncryptionContext:aws:lambda:FunctionArn"


@dataclass(frozen=True)
class ImageCode:
    """A container image in Amazon ECR."""

    uri: str


@dataclass(frozen=True)
class ZipCode:
    """A .zip package beside the stack (a `TerraformAsset` path) and its base64 SHA-256."""

    path: str
    sha256: str
    handler: str
    runtime: str


@dataclass(frozen=True, kw_only=True)
class McpFunctionProps:
    """What `McpFunction` needs. Defaults are the seed's."""

    function_name: str
    role_name: str
    log_group_name: str
    code: ImageCode | ZipCode
    kms_key: KeyLike
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    memory_size: int = 512
    timeout: int = 180
    reserved_concurrent_executions: int = -1
    environment_variables: Mapping[str, str] = field(default_factory=dict)
    log_retention_days: int = 30
    enable_xray_tracing: bool = True
    # Lambda tenant isolation (PER_TENANT): every invoke must carry X-Amz-Tenant-Id.
    tenant_isolation: bool = False
    # Publish a version on every change of code or configuration (canary releases).
    publish: bool = False
    # Empty subnet_ids: the function runs outside any VPC, for this stated reason (Checkov's
    # CKV_AWS_117 record).
    outside_vpc_reason: str | None = None
    # What must exist before the function is created, beyond its role and log group.
    depends_on: Sequence[ITerraformDependable] = ()


class McpFunction(Construct):
    """Lambda function with a least-privilege role and an encrypted log group, in private subnets.

    The role may write to the function's own log group, manage the network interfaces of its
    subnets (in a VPC), write X-Ray traces when tracing is on, and decrypt with the given key
    only what Lambda encrypted for this function (its environment variables).
    """

    def __init__(self, scope: Construct, id: str, props: McpFunctionProps):
        super().__init__(scope, id)
        in_vpc = bool(props.subnet_ids)
        # X-Ray's actions take no resource (IAM requires `*` for them), so AWS's own policy
        # for them is as narrow as an inline one, and AWS keeps it current.
        self.role = ServiceRole(
            self,
            "role",
            role_name=props.role_name,
            service="lambda.amazonaws.com",
            managed_policies=["AWSXRayDaemonWriteAccess"] if props.enable_xray_tracing else [],
            description=f"Execution role of the {props.function_name} function",
        )
        self.role.add_to_policy("kms", self._environment_key(props))
        self.log_group = EncryptedLogGroup(
            self,
            "logs",
            name=props.log_group_name,
            retention_days=props.log_retention_days,
            key=props.kms_key,
        )
        # Instead of AWS's AWSLambdaBasicExecutionRole / AWSLambdaVPCAccessExecutionRole, whose
        # log actions reach every log group of the account (`*`) and which would let the role
        # create log groups: streams and events in this function's group only (it exists
        # before the function, so no logs:CreateLogGroup).
        self.role.add_to_policy(
            "logs",
            Statement(
                sid="WriteOwnLogGroup",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.arn, f"{self.log_group.arn}:*"],
            ),
        )
        if in_vpc:
            self.role.add_to_policy("network", *self._network_interfaces(props))
        lf = aws.lambda_function
        self._environment = dict(props.environment_variables)
        self.function = lf.LambdaFunction(
            self,
            "function",
            function_name=props.function_name,
            role=self.role.arn,
            **_code_arguments(props.code),
            memory_size=props.memory_size,
            timeout=props.timeout,
            publish=True if props.publish else None,
            reserved_concurrent_executions=props.reserved_concurrent_executions,
            kms_key_arn=key_arn(props.kms_key),
            environment=lf.LambdaFunctionEnvironment(variables=dict(props.environment_variables))
            if props.environment_variables
            else None,
            vpc_config=lf.LambdaFunctionVpcConfig(
                subnet_ids=list(props.subnet_ids),
                security_group_ids=list(props.security_group_ids),
            )
            if in_vpc
            else None,
            tracing_config=lf.LambdaFunctionTracingConfig(
                mode="Active" if props.enable_xray_tracing else "PassThrough"
            ),
            tenancy_config=lf.LambdaFunctionTenancyConfig(tenant_isolation_mode="PER_TENANT")
            if props.tenant_isolation
            else None,
            logging_config=lf.LambdaFunctionLoggingConfig(
                log_format="JSON", log_group=self.log_group.name
            ),
            # The log group and the role's permissions must exist before the first invoke.
            depends_on=[
                self.log_group.log_group,
                *self.role.attachments,
                *self.role.policies,
                *props.depends_on,
            ],
        )

        skip_check(self.function, "CKV_AWS_116", NO_DLQ)
        if not in_vpc:
            skip_check(self.function, "CKV_AWS_117", props.outside_vpc_reason or "no subnets given")
        if not props.enable_xray_tracing:
            skip_check(self.function, "CKV_AWS_50", "enable_xray_tracing = false in this environment")
        skip_check(
            self.function,
            "CKV_AWS_272",
            NO_CODE_SIGNING if isinstance(props.code, ImageCode) else GENERATED_CODE,
        )

    def _environment_key(self, props: McpFunctionProps) -> Statement:
        """`kms:Decrypt` on the key, only with the encryption context Lambda uses for this
        function's environment variables (`aws:lambda:FunctionArn`): the role cannot decrypt
        anything else encrypted under the deployment's key. The ARN is built from the name,
        not read from the function, which depends on this policy. `:*` admits the function's
        versions and aliases (AWS does not document whether a published version's context
        carries its qualifier); it names no other function."""
        function_arn = f"arn:{partition(self)}:lambda:{region(self)}:{account_id(self)}:function:{props.function_name}"
        return Statement(
            sid="DecryptOwnEnvironment",
            actions=["kms:Decrypt"],
            resources=[key_arn(props.kms_key)],
            conditions={"StringLike": {ENVIRONMENT_CONTEXT: [function_arn, f"{function_arn}:*"]}},
        )

    def _network_interfaces(self, props: McpFunctionProps) -> list[Statement]:
        """What Lambda does with the role to attach the function to its subnets (AWS's
        AWSLambdaVPCAccessExecutionRole, scoped): create interfaces only in the function's
        subnets and security groups, and delete or re-address interfaces of this account and
        region. Lambda's guide warns that DeleteNetworkInterface needs every interface id it
        may create (they are made on the fly), so `network-interface/*`. A subnet's ARN is read
        from the subnet: in a VPC shared through AWS RAM (common in landing zones) the subnet
        belongs to the VPC owner's account, not this one."""
        ec2 = f"arn:{partition(self)}:ec2:{region(self)}:{account_id(self)}"
        subnets = [aws.data_aws_subnet.DataAwsSubnet(self, f"subnet_{i}", id=s).arn for i, s in enumerate(props.subnet_ids)]
        return [
            Statement(
                sid="CreateInterfacesInOwnSubnets",
                actions=["ec2:CreateNetworkInterface"],
                resources=[f"{ec2}:network-interface/*", *subnets,
                           *(f"{ec2}:security-group/{g}" for g in props.security_group_ids)],
            ),  # fmt: skip
            Statement(
                sid="ManageOwnInterfaces",
                actions=["ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"],
                resources=[f"{ec2}:network-interface/*"],
            ),
            # IAM supports no resource for the Describe actions: they work only on `*`.
            Statement(
                sid="DescribeInterfacesAndSubnets",
                actions=["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
                resources=["*"],
            ),
        ]

    def add_environment(self, **variables: str) -> None:
        """More variables for the function's code (values known only once later constructs
        exist, such as an app client's id)."""
        self._environment.update(variables)
        self.function.put_environment(variables=dict(self._environment))

    @property
    def function_arn(self) -> str:
        return self.function.arn

    @property
    def function_name(self) -> str:
        return self.function.function_name

    @property
    def invoke_arn(self) -> str:
        return self.function.invoke_arn

    @property
    def version(self) -> str:
        """The newest published version (with `publish`), else `$LATEST`."""
        return self.function.version

    @property
    def metric_dimensions(self) -> dict[str, str]:
        """The dimensions of this function's invocation metrics."""
        return {"FunctionName": self.function_name}

    @property
    def grant_principal(self) -> ServiceRole:
        """The function's role: what grants to the function add to."""
        return self.role

    def add_permission(self, id: str, *, principal: str, source_arn: str, qualifier: str | None = None):
        """A resource policy statement: `principal` (a service) may invoke the function (or
        its alias or version `qualifier`), only from `source_arn`."""
        return aws.lambda_permission.LambdaPermission(
            self,
            f"invoke_{id}",
            function_name=self.function.function_name,
            qualifier=qualifier,
            action="lambda:InvokeFunction",
            principal=principal,
            source_arn=source_arn,
        )


def _code_arguments(code: ImageCode | ZipCode) -> dict:
    if isinstance(code, ImageCode):
        return {"package_type": "Image", "image_uri": code.uri}
    return {
        "package_type": "Zip",
        "filename": code.path,
        "source_code_hash": code.sha256,
        "handler": code.handler,
        "runtime": code.runtime,
    }
