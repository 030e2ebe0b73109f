"""Constructs for a production MCP server on AWS Lambda, synthesized with CDKTF for OpenTofu.

`McpServer` composes the smaller constructs, each usable on its own with its own props.
"""

from . import _node  # noqa: F401  (first: picks Node before cdktf starts jsii)
from .function import McpFunction, McpFunctionProps
from .http_api import McpHttpApi, McpHttpApiProps
from .iam import ServiceRole, Statement
from .logs import EncryptedLogGroup
from .mcp_server import SEED_OUTPUTS, McpServer
from .naming import Names
from .props import McpServerProps, RouteThrottle

__all__ = [
    "EncryptedLogGroup",
    "McpFunction",
    "McpFunctionProps",
    "McpHttpApi",
    "McpHttpApiProps",
    "McpServer",
    "McpServerProps",
    "Names",
    "RouteThrottle",
    "SEED_OUTPUTS",
    "ServiceRole",
    "Statement",
]
