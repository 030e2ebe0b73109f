"""What the stack tells the facade, through its environment.

The upstream client secret is not an environment variable (it would show in the function's
configuration to anyone with lambda:GetFunctionConfiguration): the Lambda handler reads it
from Cognito at cold start and passes it to `from_environment`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

DAY = 86400
# RFC 8252 7.3: native apps receive the code on a loopback port chosen at run time.
DEFAULT_REDIRECT_PATTERNS = ("http://127.0.0.1:*/*", "http://localhost:*/*", "http://[::1]:*/*")
REGISTRATION_KINDS = ("cimd", "dcr")


@dataclass(frozen=True)
class Settings:
    issuer: str  # no trailing slash; includes the stage
    resource: str  # the MCP endpoint, f"{issuer}/mcp"
    upstream_authorize_url: str  # Cognito's https://<domain>/oauth2/authorize
    upstream_token_url: str  # Cognito's https://<domain>/oauth2/token
    upstream_client_id: str  # the facade's confidential Cognito app client
    upstream_client_secret: str
    scopes: tuple[str, ...]  # the first is the one every token needs
    client_registration: tuple[str, ...] = REGISTRATION_KINDS
    allowed_redirect_uris: tuple[str, ...] = DEFAULT_REDIRECT_PATTERNS
    secure_cookies: bool | None = None  # None: True when the issuer is https
    state_table_name: str = ""
    resource_name: str = "MCP server"  # the protected-resource metadata's resource_name
    # The Cognito pool's issuer (its tokens' `iss`): the metadata lists it beside the facade, so
    # machine clients configured with it keep finding it, and its JWKS verifies the tokens.
    upstream_issuer: str = ""
    code_ttl_s: int = 60
    pending_ttl_s: int = 600
    consent_ttl_s: int = 30 * DAY
    refresh_ttl_s: int = 30 * DAY
    registration_ttl_s: int = 30 * DAY  # a registration expires after this long unused
    registrations_per_ip_per_hour: int = 20
    cimd_max_bytes: int = 5120
    cimd_timeout_s: float = 3.0
    cimd_cache_s: int = 300
    cimd_failure_cache_s: int = 30

    def __post_init__(self) -> None:
        if self.secure_cookies is None:
            object.__setattr__(self, "secure_cookies", self.issuer.startswith("https://"))

    @property
    def browser_cookie(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and host-only,
        # so a sibling subdomain cannot plant one (RFC 6265bis 4.1.3.2).
        return "__Host-mcp_browser" if self.secure_cookies else "mcp_browser"

    @classmethod
    def from_environment(cls, env: Mapping[str, str], upstream_client_secret: str) -> Settings:
        issuer = env["ISSUER"].rstrip("/")
        return cls(
            issuer=issuer,
            resource=env.get("RESOURCE") or f"{issuer}/mcp",
            upstream_authorize_url=env["UPSTREAM_AUTHORIZE_URL"],
            upstream_token_url=env["UPSTREAM_TOKEN_URL"],
            upstream_client_id=env["UPSTREAM_CLIENT_ID"],
            upstream_client_secret=upstream_client_secret,
            scopes=tuple(env["SCOPES"].split()),
            client_registration=tuple(k.strip() for k in env.get("CLIENT_REGISTRATION", "").split(",") if k.strip()),
            allowed_redirect_uris=tuple(env.get("ALLOWED_REDIRECT_URIS", "").split()) or DEFAULT_REDIRECT_PATTERNS,
            state_table_name=env.get("STATE_TABLE_NAME", ""),
            resource_name=env.get("RESOURCE_NAME") or "MCP server",
            upstream_issuer=env.get("UPSTREAM_ISSUER", "").rstrip("/"),
        )
