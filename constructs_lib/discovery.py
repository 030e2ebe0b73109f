"""The function that serves OAuth protected-resource metadata (RFC 9728) behind the HTTP API.

An HTTP API has no static (MOCK) responses, so a small function the stack ships answers its
two well-known routes; the REST API answers them itself (see `McpRestApi`). The package is
built at synth from `handlers/protected_resource_metadata.py` (see `packaging`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from constructs import Construct

from .function import McpFunction, McpFunctionProps, ZipCode
from .kms import KeyLike
from .naming import Names
from .packaging import package, stage

HANDLER_SOURCE = Path(__file__).resolve().parent / "handlers" / "protected_resource_metadata.py"
RUNTIME = "python3.13"


@dataclass(frozen=True, kw_only=True)
class MetadataFunctionProps:
    names: Names
    authorization_server: str
    scopes: Sequence[str]
    kms_key: KeyLike
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    log_retention_days: int = 30
    enable_xray_tracing: bool = True


class MetadataFunction(Construct):
    """`GET /.well-known/oauth-protected-resource[/mcp]` for the HTTP API."""

    def __init__(self, scope: Construct, id: str, props: MetadataFunctionProps):
        super().__init__(scope, id)
        names = props.names
        staged = stage(self, "package", package({HANDLER_SOURCE.name: HANDLER_SOURCE}), "mcp-prm")
        self.function = McpFunction(
            self,
            "function",
            McpFunctionProps(
                function_name=names.metadata_function,
                role_name=names.metadata_function_role,
                log_group_name=names.metadata_function_log_group,
                code=ZipCode(
                    path=staged.path,
                    sha256=staged.sha256,
                    handler=f"{HANDLER_SOURCE.stem}.handler",
                    runtime=RUNTIME,
                ),
                kms_key=props.kms_key,
                subnet_ids=props.subnet_ids,
                security_group_ids=props.security_group_ids,
                memory_size=128,
                timeout=3,
                environment_variables={
                    "AUTHORIZATION_SERVER": props.authorization_server,
                    "SCOPES": " ".join(props.scopes),
                    "RESOURCE_NAME": f"MCP server {names.prefix}",
                },
                log_retention_days=props.log_retention_days,
                enable_xray_tracing=props.enable_xray_tracing,
            ),
        )
