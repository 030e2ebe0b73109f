"""What the stack tells the function, through its environment (see the README's contract table)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from .contract import LOOPBACK_HOSTS, LOOPBACK_ORIGINS

# The variables the stack sets on the function that this server reads (the stack's tests check
# both lists agree); AWS_LWA_INVOKE_MODE is read by the Lambda Web Adapter.
STACK_VARIABLES = (
    "SESSION_TABLE_NAME", "SESSION_TTL_SECONDS", "TENANT_ISOLATION_ENABLED", "TENANT_TAG_KEY",
    "TENANT_ROLE_ARN_PREFIX", "TENANT_TEMPLATE_ROLE_ARN", "TENANT_SESSION_SECONDS",
    "USAGE_TABLE_NAME", "USAGE_TTL_DAYS", "MCP_ALLOWED_ORIGINS", "SIGN_IN_CLIENT_ID", "MCP_ALLOWED_HOSTS",
    "MCP_REQUEST_STATE_KMS_KEY",
)  # fmt: skip
ADAPTER_VARIABLES = ("AWS_LWA_INVOKE_MODE",)
# Set by the operator (`environment_variables`), not the stack: it is a secret.
REQUEST_STATE_KEY_VARIABLE = "MCP_REQUEST_STATE_KEY"


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


@dataclass(frozen=True)
class Settings:
    # Whether the front door streams responses (AWS_LWA_INVOKE_MODE, which the stack sets to match
    # it): a server-initiated request of the 2025 era reaches the client only on a stream.
    streams: bool = True
    # Sessions of the handshake-era revisions; no table: those clients are served statelessly.
    session_table: str | None = None
    session_ttl_seconds: int = 3600
    # Tenant isolation: the session table is keyed tenant_id + session_id and reached only with
    # credentials vended for the request's tenant.
    tenant_isolation: bool = False
    tenant_tag_key: str = "tenant_id"
    tenant_role_arn_prefix: str | None = None
    tenant_template_role_arn: str | None = None
    tenant_session_seconds: int = 3600
    # Metering: one usage item per tenant per day.
    usage_table: str | None = None
    usage_ttl_days: int = 90
    # Sign-in for people: the facade's app client; its tokens carry a person's tenant in the
    # `tenant_id` claim (see identity.py). None: sign-in is off.
    sign_in_client_id: str | None = None
    # CORS and the Origin check: "*" (the operator's explicit choice) or the allowed browser
    # origins; `http://host:*` allows any port. Unset: loopback pages only.
    allowed_origins: tuple[str, ...] = LOOPBACK_ORIGINS
    # DNS rebinding: the Host names this server answers to (the stack names the API's own host
    # and the custom domain). Unset: loopback only (`make serve`, `python -m mcp_runtime`).
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    # Seals the request state of 2026-07-28 multi-round-trip requests (request_state.py); every
    # execution environment must share it to continue another's request. None: a key per process.
    request_state_key: str | None = field(default=None, repr=False)
    # Or the KMS HMAC key the stack makes for it (request_state_kms_key): no secret anywhere.
    request_state_kms_key: str | None = None
    # Test knob: scales the example tools' sleeping (the code path stays the same).
    time_scale: float = 1.0
    region: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def vends_credentials(self) -> bool:
        return self.tenant_isolation and bool(self.tenant_role_arn_prefix or self.tenant_template_role_arn)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        origins = _listed(env.get("MCP_ALLOWED_ORIGINS"))
        hosts = _listed(env.get("MCP_ALLOWED_HOSTS"))
        return cls(
            session_table=env.get("SESSION_TABLE_NAME") or None,
            session_ttl_seconds=int(env.get("SESSION_TTL_SECONDS", "3600")),
            tenant_isolation=_flag(env.get("TENANT_ISOLATION_ENABLED")),
            tenant_tag_key=env.get("TENANT_TAG_KEY", "tenant_id"),
            tenant_role_arn_prefix=env.get("TENANT_ROLE_ARN_PREFIX") or None,
            tenant_template_role_arn=env.get("TENANT_TEMPLATE_ROLE_ARN") or None,
            tenant_session_seconds=int(env.get("TENANT_SESSION_SECONDS", "3600")),
            usage_table=env.get("USAGE_TABLE_NAME") or None,
            usage_ttl_days=int(env.get("USAGE_TTL_DAYS", "90")),
            sign_in_client_id=env.get("SIGN_IN_CLIENT_ID") or None,
            allowed_origins=origins or LOOPBACK_ORIGINS,
            allowed_hosts=tuple(h.lower() for h in hosts) or LOOPBACK_HOSTS,
            request_state_key=env.get(REQUEST_STATE_KEY_VARIABLE) or None,
            request_state_kms_key=env.get("MCP_REQUEST_STATE_KMS_KEY") or None,
            streams=env.get("AWS_LWA_INVOKE_MODE", "response_stream") != "buffered",
            time_scale=float(env.get("MCP_TIME_SCALE", "1")),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        )
