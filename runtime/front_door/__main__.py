"""`make serve`: the reference server (`python -m mcp_runtime`, as in the image) behind the local
front door, on 127.0.0.1, with one local client per tenant."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
import urllib.request

import uvicorn

from constructs_lib.transport import SCOPE

from .gateway import GatewaySettings, create_gateway
from .tokens import TokenIssuer


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m front_door", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="the front door's port")
    parser.add_argument("--app-port", type=int, default=8080, help="the server's port")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--tenant", action="append", default=[], metavar="CLIENT_ID",
                        help="an app client (one tenant); repeat for more (default: local-client)")  # fmt: skip
    parser.add_argument("--buffered", action="store_true", help="buffer responses (29 s) instead of streaming")
    parser.add_argument("--timeout", type=float, default=180, help="the function's timeout in seconds")
    parser.add_argument("--origin", action="append", default=[], help="allowed browser origin (default: *)")
    args = parser.parse_args()

    origins = tuple(args.origin) or ("*",)
    clients = {client: secrets.token_urlsafe(24) for client in args.tenant or ["local-client"]}
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "AWS_LWA_PORT": str(args.app_port), "MCP_ALLOWED_ORIGINS": ",".join(origins)}
    server = subprocess.Popen([sys.executable, "-m", "mcp_runtime"], env=env)
    try:
        _wait_for(f"http://127.0.0.1:{args.app_port}/healthz", server)
        issuer = TokenIssuer(issuer=f"{base}/local-pool", clients=clients, scopes=(SCOPE,))
        settings = GatewaySettings(
            app_url=f"http://127.0.0.1:{args.app_port}", stage=args.stage, allowed_origins=origins,
            streaming=not args.buffered, function_timeout_s=args.timeout,
        )  # fmt: skip
        endpoint = f"{base}/{args.stage}/mcp"
        print(f"MCP endpoint   {endpoint}\nToken endpoint {base}/oauth2/token   (scope {SCOPE})")
        for client, secret in clients.items():
            print(f"Client         {client}   secret {secret}")
        client, secret = next(iter(clients.items()))
        print(
            "\nTOKEN=$(curl -s -u " f"{client}:{secret} -d grant_type=client_credentials {base}/oauth2/token | jq -r .access_token)\n"
            f'claude mcp add --transport http local-mcp {endpoint} --header "Authorization: Bearer $TOKEN"\n',
            flush=True,
        )  # fmt: skip
        uvicorn.run(create_gateway(settings, issuer), host="127.0.0.1", port=args.port, log_level="info")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} in {seconds} s")


if __name__ == "__main__":
    sys.exit(main())
