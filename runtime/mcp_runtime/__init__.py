"""The reference MCP server for the stacks: an ASGI app on the official `mcp` SDK, run in Lambda
behind the Lambda Web Adapter (see Dockerfile) and locally behind `front_door`.

`mcp_runtime.app:app` is the one entry point, in the image and in tests.
"""

# The package's version (pyproject.toml says the same; a test checks): `serverInfo.version`.
__version__ = "0.1.0"
