"""Constructs for a production MCP server on AWS Lambda, synthesized with CDKTF for OpenTofu.

`McpServer` composes the smaller constructs, each usable on its own with its own props.
"""

from . import _node  # noqa: F401  (first: picks Node before cdktf starts jsii)
from .auth import ExternalPool, McpAuth, McpAuthProps
from .front_door import FrontDoor
from .function import McpFunction, McpFunctionProps
from .http_api import McpHttpApi, McpHttpApiProps
from .iam import ServiceRole, Statement
from .logs import EncryptedLogGroup
from .mcp_server import (
    ACCESS_OUTPUTS,
    METERING_OUTPUTS,
    SEED_OUTPUTS,
    TENANT_CLIENT_OUTPUTS,
    TVM_OUTPUTS,
    McpServer,
)
from .metering import TenantMetering, TenantMeteringProps
from .monitoring import Metric, Monitoring, MonitoringProps
from .naming import Names
from .props import McpServerProps, RouteThrottle
from .registry import ImageRepository, ImageRepositoryProps
from .rest_api import McpRestApi, McpRestApiProps
from .sessions import SessionTable, SessionTableProps
from .tvm import TokenVendingMachine, TokenVendingMachineProps

__all__ = [
    "ACCESS_OUTPUTS", "TENANT_CLIENT_OUTPUTS", "EncryptedLogGroup", "ExternalPool", "FrontDoor", "ImageRepository", "ImageRepositoryProps",
    "McpAuth", "McpAuthProps", "McpFunction", "McpFunctionProps", "McpHttpApi", "McpHttpApiProps",
    "McpRestApi", "McpRestApiProps", "McpServer", "McpServerProps", "METERING_OUTPUTS", "Metric",
    "Monitoring", "MonitoringProps", "Names", "RouteThrottle", "SEED_OUTPUTS", "ServiceRole",
    "SessionTable", "SessionTableProps", "Statement", "TenantMetering", "TenantMeteringProps",
    "TokenVendingMachine", "TokenVendingMachineProps", "TVM_OUTPUTS",
]  # fmt: skip
