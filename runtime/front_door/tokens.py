"""Cognito, locally: access tokens signed with a key made at start, for machine clients
(client credentials) and for people signed in through the managed-login stand-in."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from constructs_lib.signin.authserver.pre_token import TENANT_CLAIM  # as the stack's trigger stamps it


@dataclass
class TokenIssuer:
    issuer: str  # like Cognito's https://cognito-idp.<region>.amazonaws.com/<pool id>
    clients: dict[str, str]  # client id -> secret (each client is one tenant)
    scopes: tuple[str, ...]
    lifetime_s: int = 3600
    key_id: str = field(default_factory=lambda: secrets.token_hex(8))

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict:
        public = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.key_id, "alg": "RS256", "use": "sig"}]}

    def authenticate(self, client_id: str | None, secret: str | None) -> bool:
        expected = self.clients.get(client_id or "")
        return expected is not None and secrets.compare_digest(expected, secret or "")

    def issue(self, client_id: str, scopes: tuple[str, ...], lifetime_s: int | None = None) -> str:
        """An access token shaped like Cognito's for the client-credentials grant."""
        now = int(time.time())
        claims = {
            "sub": client_id, "client_id": client_id, "token_use": "access",
            "scope": " ".join(scopes), "auth_time": now, "iss": self.issuer,
            "exp": now + (self.lifetime_s if lifetime_s is None else lifetime_s), "iat": now,
            "version": 2, "jti": str(uuid.uuid4()),
        }  # fmt: skip
        return self._sign(claims)

    def issue_user(self, sub: str, username: str, client_id: str, scopes: tuple[str, ...],
                   tenant: str | None) -> str:  # fmt: skip
        """An access token shaped like Cognito's for a signed-in user of app client
        `client_id`; `tenant_id` is there only when the user has a tenant, as the stack's
        pre-token-generation trigger stamps it."""
        now = int(time.time())
        claims = {
            "sub": sub, "username": username, "client_id": client_id, "token_use": "access",
            "scope": " ".join(scopes), "auth_time": now, "iss": self.issuer,
            "exp": now + self.lifetime_s, "iat": now, "version": 2, "jti": str(uuid.uuid4()),
        }  # fmt: skip
        if tenant:
            claims[TENANT_CLAIM] = tenant
        return self._sign(claims)

    def _sign(self, claims: dict) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})

    def verify(self, token: str) -> dict:
        """The token's claims, as API Gateway's Cognito authorizer checks them; raises
        jwt.InvalidTokenError otherwise."""
        claims = jwt.decode(
            token, self._key.public_key(), algorithms=["RS256"], issuer=self.issuer,
            options={"require": ["exp", "iss", "client_id", "token_use"], "verify_aud": False},
        )  # fmt: skip
        if claims["token_use"] != "access":
            raise jwt.InvalidTokenError("not an access token")
        return claims
