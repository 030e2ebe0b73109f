"""The HTTP contract's constants, without dependencies, so the stack's tests can compare them
with what the front door allows and exposes (constructs_lib/transport.py)."""

# What a browser client must be allowed to read on the server's own responses.
EXPOSED_HEADERS = ("mcp-session-id", "www-authenticate")
SESSION_HEADER = "mcp-session-id"
PROTOCOL_VERSION_HEADER = "mcp-protocol-version"
MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
