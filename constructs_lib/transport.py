"""What the MCP Streamable HTTP transport and its OAuth discovery ask of a front door.

The header table is per specification revision, so CORS allows and exposes the union and a
browser-based client of any revision completes its handshake. Sources: the MCP specification's
`basic/transports` and `basic/authorization` pages of each revision, and RFC 9728.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The OAuth scope every /mcp method requires: resource server `mcp`, scope `invoke`.
RESOURCE_SERVER = "mcp"
SCOPE_NAME = "invoke"
SCOPE = f"{RESOURCE_SERVER}/{SCOPE_NAME}"


@dataclass(frozen=True)
class TransportHeaders:
    """Headers a browser client sends (`request`) and must read (`response`), lowercase."""

    request: tuple[str, ...]
    response: tuple[str, ...]


_BASE = ("accept", "authorization", "content-type")
MCP_TRANSPORT_HEADERS: dict[str, TransportHeaders] = {
    # Sessions (Mcp-Session-Id) and resumable SSE streams (Last-Event-ID); 401 carries
    # WWW-Authenticate.
    "2025-03-26": TransportHeaders(
        request=(*_BASE, "last-event-id", "mcp-session-id"),
        response=("mcp-session-id", "www-authenticate"),
    ),
    # Adds MCP-Protocol-Version on every request after initialization.
    "2025-06-18": TransportHeaders(
        request=(*_BASE, "last-event-id", "mcp-protocol-version", "mcp-session-id"),
        response=("mcp-session-id", "www-authenticate"),
    ),
    # Same headers; 403 on a bad Origin, WWW-Authenticate carries scope and resource_metadata.
    "2025-11-25": TransportHeaders(
        request=(*_BASE, "last-event-id", "mcp-protocol-version", "mcp-session-id"),
        response=("mcp-session-id", "www-authenticate"),
    ),
    # Sessions and the GET stream are gone; Mcp-Method and Mcp-Name route requests
    # (Mcp-Param-<name> headers come from a server's own tool schemas: see
    # cors_extra_allow_headers).
    "2026-07-28": TransportHeaders(
        request=(*_BASE, "mcp-method", "mcp-name", "mcp-protocol-version"),
        response=("www-authenticate",),
    ),
}

CORS_ALLOW_HEADERS = tuple(sorted({h for r in MCP_TRANSPORT_HEADERS.values() for h in r.request}))
CORS_EXPOSE_HEADERS = tuple(sorted({h for r in MCP_TRANSPORT_HEADERS.values() for h in r.response}))
CORS_METHODS = ("DELETE", "GET", "OPTIONS", "POST")
CORS_MAX_AGE_S = 3600

# RFC 9728: the metadata of resource https://host/path is at
# https://host/.well-known/oauth-protected-resource/path; MCP clients try that, then the root.
WELL_KNOWN = ".well-known"
PROTECTED_RESOURCE = "oauth-protected-resource"
METADATA_PATHS = (f"/{WELL_KNOWN}/{PROTECTED_RESOURCE}", f"/{WELL_KNOWN}/{PROTECTED_RESOURCE}/mcp")


def protected_resource_metadata(
    resource: str, authorization_servers: str | tuple[str, ...], scopes: tuple[str, ...], name: str
) -> dict:
    """The RFC 9728 document for `resource` (which must equal the identifier it describes)."""
    servers = [authorization_servers] if isinstance(authorization_servers, str) else list(authorization_servers)
    return {
        "resource": resource,
        "authorization_servers": servers,
        "scopes_supported": list(scopes),
        "bearer_methods_supported": ["header"],
        "resource_name": name,
    }


def www_authenticate(metadata_url: str, scope: str, *, insufficient_scope: bool = False) -> str:
    """`WWW-Authenticate` of a 401 (or of a 403 for a token without the scope), RFC 6750/9728."""
    parts = ['error="insufficient_scope"'] if insufficient_scope else []
    parts += [f'scope="{scope}"', f'resource_metadata="{metadata_url}"']
    return "Bearer " + ", ".join(parts)


def metadata_json(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"))
