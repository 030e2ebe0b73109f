"""`python -m mcp_runtime`: the image's entry point (uvicorn on the port the Lambda Web Adapter
forwards to), the same app the tests and `make serve` run."""

import os

import uvicorn


def main() -> None:
    port = int(os.environ.get("AWS_LWA_PORT") or os.environ.get("PORT") or "8080")
    host = os.environ.get("MCP_HOST", "127.0.0.1")
    uvicorn.run("mcp_runtime.app:app", host=host, port=port, log_level="info", lifespan="on")


if __name__ == "__main__":
    main()
