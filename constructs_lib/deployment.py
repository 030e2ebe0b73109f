"""A REST API deployment that redeploys when, and only when, what it deploys changes.

A deployment is a snapshot: API Gateway serves a changed method only once it is deployed
again. Each method, integration or response the deployment is made with (`deployed`) or given later
(`RestDeployment.add`, by this library or by a user) feeds both the deployment's `triggers`
(rendered at synth, so later additions count) and its `depends_on`.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Sequence

import jsii
from cdktf import IAnyProducer, IResolvable, IResolveContext, Lazy, TerraformResource, TerraformResourceLifecycle, Token
from constructs import Construct

from . import aws

# Arguments that say how OpenTofu manages a resource, not what API Gateway deploys.
META_ARGUMENTS = frozenset(
    {"//", "connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioner"}
)
_REFERENCE = re.compile(r"(?<!\$)\$\{([^{}]+)\}")


@jsii.implements(IAnyProducer)
class _Triggers:
    """One entry for the configuration of the deployed resources and one for each value it
    references. The configuration is hashed at synth from exactly what is written for each
    resource (overrides included); the referenced values (ids, the function's invoke ARN) are
    read by OpenTofu. Hashing whole resource objects instead changes on the first refresh,
    because the provider reads back unset arguments as empty values, so the plan after a clean
    apply would replace the deployment."""

    def __init__(self, resources: list[TerraformResource]):
        self.resources = resources
        self._produced: tuple[int, dict[str, str]] | None = None

    def produce(self, context: IResolveContext) -> dict[str, str]:
        # cdktf resolves a stack more than once per synth, after the tree is complete; what
        # was produced for the same resources is produced again without asking jsii.
        if self._produced and self._produced[0] == len(self.resources):
            return self._produced[1]
        written = {}
        for body in context.resolve([r.to_terraform() for r in self.resources]):
            ((kind, resources),) = body["resource"].items()
            ((logical, arguments),) = resources.items()
            written[f"{kind}.{logical}"] = {k: v for k, v in arguments.items() if k not in META_ARGUMENTS}
        text = json.dumps(written, sort_keys=True, separators=(",", ":"))
        references = sorted(set(_REFERENCE.findall(text)))
        triggers = {
            "configuration": hashlib.sha256(text.encode()).hexdigest(),
            **{reference: "${" + reference + "}" for reference in references},
        }
        self._produced = (len(self.resources), triggers)
        return triggers


@jsii.implements(IResolvable)
class _Address:
    """A resource as `depends_on` names it (`type.name`), as cdktf writes its own."""

    def __init__(self, resource: TerraformResource):
        self.resource = resource

    @property
    def creation_stack(self) -> list[str]:
        return []

    def resolve(self, context: IResolveContext) -> str:
        context.suppress_braces = True
        return self.resource.fqn

    def to_string(self) -> str:
        return self.resource.node.path


class RestDeployment(aws.api_gateway_deployment.ApiGatewayDeployment):
    """`aws_api_gateway_deployment` of `rest_api_id` over the resources added to it."""

    def __init__(self, scope: Construct, id: str, *, rest_api_id: str, deployed: Sequence[TerraformResource] = ()):
        self.deployed: list[TerraformResource] = list(deployed)
        super().__init__(
            scope,
            id,
            rest_api_id=rest_api_id,
            triggers=Token.as_string_map(Lazy.any_value(_Triggers(self.deployed))),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=self.deployed or None,
        )

    def add(self, *resources: TerraformResource) -> None:
        """Deploy `resources` (methods, integrations, responses) with this deployment too: they
        join its triggers and its dependencies."""
        self.deployed.extend(resources)
        self.depends_on = [*(self.depends_on or []), *(Token.as_string(_Address(r)) for r in resources)]
