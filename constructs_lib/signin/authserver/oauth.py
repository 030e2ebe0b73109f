"""What the facade's endpoints share: RFC 6749 errors, the hashes it keys secrets by, PKCE."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


class OAuthError(Exception):
    """An RFC 6749 5.2 error at the token or registration endpoint."""

    def __init__(self, error: str, status: int = 400):
        super().__init__(error)
        self.error, self.status = error, status
