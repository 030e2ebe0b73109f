"""The HTTP contract's constants, without dependencies, so the stack's tests can compare them
with what the front door allows and exposes (constructs_lib/transport.py), and the local front
door can apply the same Origin rule as the server."""

from __future__ import annotations

from urllib.parse import urlsplit

# What a browser client must be allowed to read on the server's own responses.
EXPOSED_HEADERS = ("mcp-session-id", "www-authenticate")
SESSION_HEADER = "mcp-session-id"
PROTOCOL_VERSION_HEADER = "mcp-protocol-version"
MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
# Lambda's own tenant id, as the Lambda Web Adapter (1.x) sets it from the invocation.
TENANT_ID_HEADER = "x-amz-tenant-id"
# Where nothing else is configured, only this machine: host names, and page origins on any port.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
LOOPBACK_ORIGINS = tuple(f"http://{host}:*" for host in LOOPBACK_HOSTS)
# API Gateway's payload limit (REST and HTTP APIs): larger requests never reach a function.
MAX_BODY_BYTES = 10 * 1024 * 1024


def origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """No Origin (not a browser), `*`, a listed origin, or a listed `scheme://host:*`."""
    if not origin or "*" in allowed or origin in allowed:
        return True
    scheme_host, _, port = origin.rpartition(":")
    return port.isdigit() and f"{scheme_host}:*" in allowed


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """The Host header names one of `allowed` (any port)."""
    try:
        name = urlsplit(f"//{host}").hostname if host else None
    except ValueError:
        return False
    if name is None:
        return False
    name = f"[{name}]" if ":" in name else name
    return name.lower() in allowed
