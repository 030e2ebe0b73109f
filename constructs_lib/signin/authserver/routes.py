"""Where the facade answers: each (method, path) relative to its issuer and the endpoint that
answers it, which of them a front door sends it, and which answer browsers across origins."""

from __future__ import annotations

from .http import Response

# (method, path relative to the issuer) -> the endpoint. The stack routes these to the function
# (`/register` only with dcr; the protected-resource metadata only where API Gateway cannot
# answer it itself, the HTTP API), and so does the local front door.
ROUTES = {
    ("GET", "/.well-known/oauth-authorization-server"): "metadata",
    ("GET", "/.well-known/openid-configuration"): "metadata",
    ("GET", "/authorize"): "authorize",
    ("POST", "/consent"): "consent",
    ("GET", "/callback"): "callback",
    ("POST", "/token"): "token",
    ("POST", "/register"): "register",
    ("GET", "/.well-known/oauth-protected-resource"): "resource_metadata",
    ("GET", "/.well-known/oauth-protected-resource/mcp"): "resource_metadata",
}
# What a browser-based client (the MCP Inspector, a web app) reads with fetch: answered with
# `Access-Control-Allow-Origin: *` (no cookie or credential rides on these requests: the token
# endpoint authenticates the client by its code and verifier or secret), and their CORS
# preflight. /authorize, /consent and /callback are page navigations and get no CORS.
CORS_PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/token",
              "/register", "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")
ROUTES |= {("OPTIONS", path): "preflight" for path in CORS_PATHS}
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "WWW-Authenticate"}
REGISTER = ("POST", "/register")
RESOURCE_METADATA = tuple(route for route, name in ROUTES.items() if name == "resource_metadata")


def routes_for(registration: tuple[str, ...], kind: str) -> list[tuple[str, str]]:
    """The routes a front door of `kind` ("rest" or "http") sends the facade, relative to its
    base: `/register` only with dcr; the protected-resource metadata only where the API cannot
    answer it itself (the HTTP API); CORS preflight only where the API does not answer it itself
    (the REST API; the HTTP API answers from its CORS configuration)."""

    def served(method: str, path: str) -> bool:
        if path == REGISTER[1] and "dcr" not in registration:
            return False
        if path in (p for _, p in RESOURCE_METADATA):
            return kind == "http" and method != "OPTIONS"
        return method != "OPTIONS" or kind == "rest"

    return [route for route in ROUTES if served(*route)]
PREFLIGHT = Response(204, {"Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "3600",
                           "Access-Control-Allow-Headers": "authorization, content-type, mcp-protocol-version"}, b"")
