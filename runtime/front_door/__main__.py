"""`make serve`: the reference server (`python -m mcp_runtime`, as in the image) behind the local
front door, on 127.0.0.1, with one local client per tenant; with `--sign-in`, also the sign-in
facade and a stand-in for Cognito's managed login, so a person can sign in from a real client.

It fails loudly (exit 1, a reason on stderr, no banner and no secret) when either port is taken
or the server does not come up, and the server child never outlives it (SIGTERM, SIGINT or an
error all stop the child)."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import uvicorn

from constructs_lib.signin.authserver import MemoryStore
from constructs_lib.signin.authserver.redirects import check_pattern
from constructs_lib.signin.authserver.settings import DEFAULT_REDIRECT_PATTERNS
from constructs_lib.transport import SCOPE

from mcp_runtime.contract import LOOPBACK_ORIGINS

from .gateway import GatewaySettings, create_gateway
from .managed_login import User
from .sign_in import SignIn, local_sign_in
from .tokens import TokenIssuer

# The reference server's admin_stats tool needs it (mcp_runtime.tools.TOOL_SCOPES).
DEFAULT_EXTRA_SCOPES = ("mcp/admin",)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m front_door", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="the front door's port")
    parser.add_argument("--app-port", type=int, default=8080, help="the server's port")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--tenant", action="append", default=[], metavar="CLIENT_ID",
                        help="an app client (one tenant); repeat for more (default: local-client)")  # fmt: skip
    parser.add_argument("--client-secret", help="the app clients' secret (default: a new one at every start)")
    parser.add_argument("--buffered", action="store_true", help="buffer responses (29 s) instead of streaming")
    parser.add_argument("--timeout", type=float, default=180, help="the function's timeout in seconds")
    parser.add_argument("--origin", action="append", default=[],
                        help="allowed browser origin, http://host:* for any port (default: loopback pages)")  # fmt: skip
    sign_in = parser.add_argument_group("sign-in for people")
    sign_in.add_argument("--sign-in", action="store_true", help="serve the sign-in facade and a managed-login stand-in")
    sign_in.add_argument("--user", action="append", default=[], type=_user, metavar="NAME:PASSWORD[:TENANT]",
                         help="a user; repeat for more (default: local-user, tenant local-client)")  # fmt: skip
    sign_in.add_argument("--scope", action="append", default=[], help=(
        f"a scope besides {SCOPE}; repeat for more (default: {' '.join(DEFAULT_EXTRA_SCOPES)})"))  # fmt: skip
    sign_in.add_argument("--redirect-pattern", action="append", default=[], type=_redirect_pattern,
                         help="an allowed client redirect URI pattern (default: loopback, any port)")  # fmt: skip
    args = parser.parse_args()

    # uvicorn re-raises SIGTERM after its own shutdown; as an exception it unwinds through the
    # `finally` below, which stops the server child.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        door = _listen(args.port)
        _listen(args.app_port).close()  # the server binds it next; taken now is an error now
    except OSError as error:
        raise SystemExit(f"front_door: {error}") from None
    origins = tuple(args.origin) or LOOPBACK_ORIGINS
    clients = {client: args.client_secret or secrets.token_urlsafe(24) for client in args.tenant or ["local-client"]}
    base = f"http://127.0.0.1:{args.port}"
    issuer = TokenIssuer(issuer=f"{base}/local-pool", clients=clients, scopes=(SCOPE,))
    people = _sign_in(args, base, issuer) if args.sign_in else None
    env = {**os.environ, "AWS_LWA_PORT": str(args.app_port), "MCP_ALLOWED_ORIGINS": ",".join(origins)}
    if people:
        env["SIGN_IN_CLIENT_ID"] = people.login.client_id
    server = subprocess.Popen([sys.executable, "-m", "mcp_runtime"], env=env)
    try:
        _wait_for(f"http://127.0.0.1:{args.app_port}/healthz", server)
        if server.poll() is not None:  # another process answered; ours could not bind
            raise SystemExit(f"front_door: the server exited with {server.returncode}")
        settings = GatewaySettings(
            app_url=f"http://127.0.0.1:{args.app_port}", stage=args.stage, allowed_origins=origins,
            streaming=not args.buffered, function_timeout_s=args.timeout,
        )  # fmt: skip
        endpoint = f"{base}/{args.stage}/mcp"
        print(f"MCP endpoint   {endpoint}\nToken endpoint {base}/oauth2/token   (scope {SCOPE})")
        for client, secret in clients.items():
            print(f"Client         {client}   secret {secret}")
        if people:
            print(f"Issuer         {people.issuer}   (sign-in for people; scopes {' '.join(people.scopes)})")
            for user in people.login.users.values():
                print(f"User           {user.username}   password {user.password}   tenant {user.tenant or '(none)'}")
            print(f"MFA code       {people.login.mfa_code}   (stands in for the authenticator app)")
            print(f"\nclaude mcp add --transport http local-mcp {endpoint}\n", flush=True)
        else:
            client, secret = next(iter(clients.items()))
            print(
                "\nTOKEN=$(curl -s -u " f"{client}:{secret} -d grant_type=client_credentials {base}/oauth2/token | jq -r .access_token)\n"
                f'claude mcp add --transport http local-mcp {endpoint} --header "Authorization: Bearer $TOKEN"\n',
                flush=True,
            )  # fmt: skip
        config = uvicorn.Config(create_gateway(settings, issuer, people), log_level="info",
                                timeout_keep_alive=5, date_header=True, server_header=False)  # fmt: skip
        uvicorn.Server(config).run(sockets=[door])
    finally:
        door.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


def _exit_on_signal(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)


def _listen(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (OSError when the port is taken)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # still refuses a port someone listens on
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise OSError(f"127.0.0.1:{port} is not available ({error.strerror})") from None
    return sock


def _sign_in(args: argparse.Namespace, base: str, issuer: TokenIssuer) -> SignIn:
    """The facade on a MemoryStore (its state lasts as long as the process), the stand-in's
    users and one MFA code for this run."""
    users = tuple(args.user) or (User("local-user", secrets.token_urlsafe(9), "local-client"),)
    return local_sign_in(
        base, args.stage, issuer, users, mfa_code=f"{secrets.randbelow(10**6):06d}",
        upstream_secret=secrets.token_urlsafe(32), store=MemoryStore(),
        scopes=(SCOPE, *(args.scope or DEFAULT_EXTRA_SCOPES)),
        redirect_patterns=tuple(args.redirect_pattern) or DEFAULT_REDIRECT_PATTERNS,
    )  # fmt: skip


def _user(spec: str) -> User:
    name, _, rest = spec.partition(":")
    password, _, tenant = rest.partition(":")
    if not name or not password:
        raise argparse.ArgumentTypeError(f"a user is NAME:PASSWORD[:TENANT], not {spec!r}")
    return User(name, password, tenant or None)


def _redirect_pattern(pattern: str) -> str:
    """The stack's synth-time rule for `allowed_redirect_uris`, applied at start."""
    if reason := check_pattern(pattern):
        raise argparse.ArgumentTypeError(f"{pattern}: {reason}")
    return pattern


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"front_door: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"front_door: the server did not answer {url} in {seconds} s")


if __name__ == "__main__":
    sys.exit(main())
