"""Request state of 2026-07-28 multi-round-trip requests, protected against tampering.

A tool that asks the client something (elicitation, sampling) answers with an input-required
result carrying `requestState`; the client re-sends the request with its answers and that
state, and whichever execution environment receives it continues. The client holds the state,
so it is attacker-controlled: the SDK's `RequestStateBoundary` wraps it in an envelope bound to
the request (method, tool or prompt name, arguments), the principal and an expiry, and this
codec signs the envelope with HMAC-SHA256 (the standard library's `hmac`). The principal is the
verified tenant (identity.py), so one tenant cannot replay another's state.

The key is the stack's KMS HMAC key (`MCP_REQUEST_STATE_KMS_KEY`, with `request_state_kms_key`:
KMS computes the MAC, no secret leaves it), or `MCP_REQUEST_STATE_KEY` (at least 32 bytes), the
same in every execution environment, so any of them can continue a request; without either each
process makes a random key and a continuation that lands on another process is refused (the
client starts over). The state is signed, not encrypted: it carries only the client's own
answers back to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from mcp.server.mcpserver import InvalidRequestState, RequestStateSecurity

from .identity import MalformedContext, identity_from
from .settings import Settings

PREFIX = "h1."  # names the format; bound under the signature with the payload
STATE_TTL_S = 600.0
MIN_KEY_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


class HmacStateCodec:
    """`payload` -> `h1.<payload>.<HMAC-SHA256(h1.<payload>)>`, base64url."""

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the request-state key needs at least {MIN_KEY_BYTES} bytes, not {len(key)}")
        self._key = key

    def _tag(self, signed: str) -> bytes:
        return hmac.new(self._key, signed.encode(), hashlib.sha256).digest()

    def seal(self, payload: bytes) -> str:
        signed = PREFIX + _b64(payload)
        return f"{signed}.{_b64(self._tag(signed))}"

    def unseal(self, token: str) -> bytes:
        signed, _, tag = token.rpartition(".")
        if not signed.startswith(PREFIX):
            raise InvalidRequestState("malformed")
        try:
            payload, given = _unb64(signed[len(PREFIX):]), _unb64(tag)
        except ValueError:
            raise InvalidRequestState("malformed") from None
        if not hmac.compare_digest(given, self._tag(signed)):
            raise InvalidRequestState("signature")
        return payload


class KmsMacCodec(HmacStateCodec):
    """The same seal with the MAC from a KMS HMAC key (HMAC is deterministic: computing it again
    verifies it, so `kms:GenerateMac` is the only permission). KMS takes at most 4,096 bytes, so
    the MAC is over the SHA-256 of the sealed text."""

    def __init__(self, key_id: str, client: Any = None):
        if client is None:
            import boto3

            client = boto3.client("kms")
        self._key_id, self._client = key_id, client

    def _tag(self, signed: str) -> bytes:
        digest = hashlib.sha256(signed.encode()).digest()
        return self._client.generate_mac(KeyId=self._key_id, MacAlgorithm="HMAC_SHA_256", Message=digest)["Mac"]


def codec_for(settings: Settings) -> HmacStateCodec:
    """An operator's key first, then the stack's KMS key, else one for this process alone."""
    if settings.request_state_key:
        return HmacStateCodec(settings.request_state_key.encode())
    if settings.request_state_kms_key:
        return KmsMacCodec(settings.request_state_kms_key)
    return HmacStateCodec(secrets.token_bytes(32))


def request_state_security(settings: Settings) -> RequestStateSecurity:

    def tenant(ctx: Any) -> str | None:
        """The principal the state is bound to: the verified tenant (None: auth off)."""
        headers = getattr(ctx.request, "headers", None) or {}
        try:
            return identity_from(headers, settings.sign_in_client_id).tenant
        except MalformedContext:
            return None

    return RequestStateSecurity(codec=codec_for(settings), ttl=STATE_TTL_S, bind_principal=tenant)
