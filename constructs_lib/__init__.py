"""Constructs for a production MCP server on AWS Lambda, synthesized with CDKTF for OpenTofu.

`McpServer` composes the smaller constructs, each usable on its own with its own props.

Exports load on first use, so a leaf module such as `constructs_lib.transport` (the MCP and
OAuth constants the local front door shares with the stack) imports without cdktf.
"""

from __future__ import annotations

import importlib

from . import _node  # noqa: F401  (first: picks Node before cdktf starts jsii)

_EXPORTS = {
    "ACCESS_OUTPUTS": "outputs", "DeploymentKey": "kms", "DeploymentKeyProps": "kms",
    "EncryptedLogGroup": "logs", "ExternalPool": "auth", "FrontDoor": "front_door",
    "FrontDoorProps": "front_door", "ImageCode": "function", "ImageRepository": "registry",
    "ImageRepositoryProps": "registry", "ImportedRole": "iam", "KeyLike": "kms",
    "McpAuth": "auth", "McpAuthProps": "auth", "McpFunction": "function",
    "McpFunctionProps": "function", "McpHttpApi": "http_api", "McpHttpApiProps": "http_api",
    "McpRestApi": "rest_api", "McpRestApiProps": "rest_api", "McpServer": "mcp_server",
    "McpServerProps": "props", "METERING_OUTPUTS": "outputs", "MetadataFunction": "discovery",
    "MetadataFunctionProps": "discovery", "Metric": "monitoring", "Monitoring": "monitoring",
    "MonitoringProps": "monitoring", "Names": "naming", "Network": "network",
    "NetworkProps": "network", "RouteThrottle": "front_door", "SEED_OUTPUTS": "outputs",
    "ServiceRole": "iam", "SessionTable": "sessions", "SessionTableProps": "sessions",
    "Statement": "iam", "TENANT_CLIENT_OUTPUTS": "outputs", "TenantMetering": "metering",
    "TenantMeteringOptions": "metering", "TenantMeteringProps": "metering",
    "TenantOptions": "props", "TokenVendingMachine": "tvm", "TokenVendingMachineOptions": "tvm",
    "TokenVendingMachineProps": "tvm", "TVM_OUTPUTS": "outputs", "policy_document": "iam",
    "Endpoint": "network", "Grantable": "iam", "inline_policy": "iam", "KeyScope": "kms",
    "RestDeployment": "deployment", "Role": "iam", "TagResources": "tagging", "ZipCode": "function",
    "CustomDomain": "domain", "CustomDomainProps": "domain", "Dashboard": "dashboard",
    "DashboardProps": "dashboard", "HealthCheck": "health", "HealthCheckProps": "health",
    "ReleaseAlias": "release", "ReleaseAliasProps": "release", "OPERATIONS_OUTPUTS": "outputs",
    "ControlRule": "control_rules", "ControlRuleValidation": "control_rules", "skip_check": "compliance",
    "ControlEvidence": "control_report", "component_definition": "control_report",
    "PeopleSignIn": "auth", "SignIn": "signin.construct", "SignInProps": "signin.construct",
    "PreTokenTrigger": "signin.construct", "PreTokenTriggerProps": "signin.construct",
    "SIGN_IN_OUTPUTS": "outputs", "RequestStateKey": "request_state", "synth": "synthesis", "literal": "expressions",
}  # fmt: skip
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name == "aws":
        return importlib.import_module(".aws", __name__)
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
