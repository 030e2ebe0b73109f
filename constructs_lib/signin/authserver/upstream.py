"""Cognito's managed login and token endpoint, as the facade's one upstream client.

The facade is a confidential app client of the user pool: it authenticates to /oauth2/token
with HTTP Basic (RFC 6749 2.3.1: id and secret form-encoded, then base64), and runs its own
PKCE (S256) with Cognito, so a Cognito code leaked from the callback is useless without the
facade's verifier. `Upstream` is the contract the local front door's stand-in also meets.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from typing import Callable, Protocol
from urllib.parse import quote, urlencode

from .settings import Settings

# Well inside the function's 15 s, so a slow Cognito is an answer (503), not a killed invocation.
TIMEOUT_S = 5


class UpstreamError(Exception):
    """Cognito refused (or could not be reached: status 502)."""

    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.status = status
        self.body = body


class Upstream(Protocol):
    def authorize_url(self, state: str, code_challenge: str, scope: str) -> str: ...
    def exchange_code(self, code: str, code_verifier: str) -> dict: ...
    def refresh(self, refresh_token: str) -> dict: ...
    def client_credentials(self, form: dict, authorization_header: str | None) -> tuple[int, dict]: ...
    def revoke(self, refresh_token: str) -> None: ...


class CognitoUpstream:
    def __init__(self, settings: Settings, urlopen: Callable = urllib.request.urlopen):
        self.settings = settings
        self.urlopen = urlopen
        self.callback = f"{settings.issuer}/callback"

    def authorize_url(self, state: str, code_challenge: str, scope: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.settings.upstream_client_id,
            "redirect_uri": self.callback,
            "state": state,
            "scope": scope,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.settings.upstream_authorize_url}?{urlencode(query)}"

    def _basic(self) -> str:
        s = self.settings
        pair = f"{quote(s.upstream_client_id, safe='')}:{quote(s.upstream_client_secret, safe='')}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def _post(self, form: dict, authorization: str | None, url: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(
            url or self.settings.upstream_token_url, data=urlencode(form).encode(), headers=headers, method="POST"
        )
        try:
            with self.urlopen(request, timeout=TIMEOUT_S) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read())
            except ValueError:
                body = {}
            return error.code, body if isinstance(body, dict) else {}
        except (OSError, ValueError):
            return 502, {"error": "temporarily_unavailable"}

    def _tokens(self, form: dict) -> dict:
        status, body = self._post(form, self._basic())
        if status != 200 or "access_token" not in body:
            raise UpstreamError(status, body)
        return body

    def exchange_code(self, code: str, code_verifier: str) -> dict:
        return self._tokens({
            "grant_type": "authorization_code", "client_id": self.settings.upstream_client_id,
            "redirect_uri": self.callback, "code": code, "code_verifier": code_verifier,
        })  # fmt: skip

    def refresh(self, refresh_token: str) -> dict:
        return self._tokens({
            "grant_type": "refresh_token", "client_id": self.settings.upstream_client_id,
            "refresh_token": refresh_token,
        })  # fmt: skip

    def client_credentials(self, form: dict, authorization_header: str | None) -> tuple[int, dict]:
        """A machine client's own request, unchanged: Cognito authenticates it, not the facade."""
        return self._post(form, authorization_header)

    def revoke(self, refresh_token: str) -> None:
        """Cognito's revocation endpoint (beside its token endpoint): the refresh token and the
        access tokens issued from it stop working. Best effort: a failure is logged, not raised."""
        url = self.settings.upstream_token_url.removesuffix("/token") + "/revoke"
        status, _ = self._post({"token": refresh_token}, self._basic(), url)
        if status != 200:
            logging.getLogger("authserver").warning("upstream revocation answered HTTP %s", status)

