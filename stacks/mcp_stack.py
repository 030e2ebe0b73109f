"""One stack per environment: wires an environment's configuration to `McpServer`."""

from __future__ import annotations

import dataclasses

from cdktf import TerraformOutput, TerraformStack, Token
from constructs import Construct

from constructs_lib import McpServer, aws
from constructs_lib.expressions import literal

from . import opentofu
from .config import EnvironmentConfig

MANAGED_BY = "opentofu"
NULL = "${null}"


class McpStack(TerraformStack):
    """`<name>-<environment>`: provider, backend, optional state encryption, server, outputs."""

    def __init__(self, scope: Construct, config: EnvironmentConfig):
        super().__init__(scope, config.stack_name)
        settings = config.stack
        # The provider's registry address and versions come with the server (McpServer).
        opentofu.configure_backend(
            self, settings.backend, region=settings.region, stack_name=config.stack_name
        )
        if settings.state_encryption:
            opentofu.encrypt_state(self, settings.state_encryption, region=settings.region)

        provider = aws.provider
        provider.AwsProvider(
            self,
            "aws",
            region=settings.region,
            use_fips_endpoint=True if config.fips_endpoints else None,
            default_tags=[
                provider.AwsProviderDefaultTags(
                    tags={
                        "Name": config.name,
                        "Environment": config.environment,
                        "ManagedBy": MANAGED_BY,
                        **literal(dict(config.props.tags)),
                    }
                )
            ],
        )
        # The seed's tags are the provider's default tags (every resource, data included, once),
        # so the server is not asked to tag what it creates as well.
        self.server = McpServer(self, "mcp", dataclasses.replace(config.props, tags={}))
        for name, (value, description) in self.server.outputs().items():
            # The seed documents some outputs as null when their feature is off. The expression
            # form evaluates to null in OpenTofu; a JSON null breaks Checkov's parser.
            value = NULL if value is None else value
            if isinstance(value, dict):  # a map, passed as a token: cdktf's own walk of a
                value = Token.as_any(value)  # plain map trips a Node deprecation warning
            TerraformOutput(self, name, value=value, description=description)
