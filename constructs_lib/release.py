"""Canary releases: an alias the front door invokes, splitting traffic between a known-good
published version and the newest one."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Token
from constructs import Construct

from . import aws
from .function import McpFunction
from .iam import ServiceRole


@dataclass(frozen=True, kw_only=True)
class ReleaseAliasProps:
    function: McpFunction  # created with publish=True
    name: str = "live"
    # The published version that keeps (1 - canary_weight) of the traffic while the newest
    # version is tried. None: the newest version takes all traffic.
    stable_version: str | None = None
    # The newest version's share, 0 to 1 (with stable_version).
    canary_weight: float = 0


class ReleaseAlias(Construct):
    """A Lambda alias whose primary version is `stable_version` (or the newest), with the
    newest published version weighted in. It stands where the function would for a front door:
    the same `invoke_arn`, `function_arn`, `add_permission` and metric dimensions, qualified by
    the alias."""

    def __init__(self, scope: Construct, id: str, props: ReleaseAliasProps):
        super().__init__(scope, id)
        self.target = props.function
        newest = props.function.version
        routing = None
        if props.stable_version and props.canary_weight > 0:
            # The newest version is known only when deployed, so the map is built then.
            routing = aws.lambda_alias.LambdaAliasRoutingConfig(
                additional_version_weights=Token.as_number_map(Fn.zipmap([newest], [props.canary_weight]))
            )
        self.alias_name = props.name
        self.alias = aws.lambda_alias.LambdaAlias(
            self,
            "alias",
            name=props.name,
            description="The version the front door invokes (canary releases)",
            function_name=props.function.function_name,
            function_version=props.stable_version or newest,
            routing_config=routing,
        )

    @property
    def function_name(self) -> str:
        return self.target.function_name

    @property
    def function_arn(self) -> str:
        """The alias's ARN: the function's, qualified by the alias name."""
        return self.alias.arn

    @property
    def invoke_arn(self) -> str:
        return self.alias.invoke_arn

    @property
    def role(self) -> ServiceRole:
        return self.target.role

    @property
    def grant_principal(self) -> ServiceRole:
        return self.target.role

    @property
    def metric_dimensions(self) -> dict[str, str]:
        """Lambda publishes an alias's invocation metrics under `Resource` = `<function>:<alias>`."""
        return {"FunctionName": self.target.function_name, "Resource": f"{self.target.function_name}:{self.alias_name}"}

    def add_permission(self, id: str, *, principal: str, source_arn: str):
        """`principal` may invoke the alias (not the function's other versions)."""
        return self.target.add_permission(id, principal=principal, source_arn=source_arn, qualifier=self.alias_name)
