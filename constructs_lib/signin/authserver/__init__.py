"""The authorization-server facade in front of Cognito's managed login (OAuth 2.1 for MCP hosts).

Lambda code, zipped as-is: the standard library and boto3 only, relative imports only (it is
`constructs_lib.signin.authserver` to the local front door and tests, `authserver` in Lambda).
`core.AuthServer` holds the protocol; `lambda_handler` and the local front door adapt their
requests to `http.Request`. The facade never reads Cognito's tokens: they pass through opaque.
"""

from __future__ import annotations

from .core import AuthServer
from .http import Request, Response
from .settings import Settings
from .store import DynamoStore, MemoryStore
from .upstream import CognitoUpstream

__all__ = ["AuthServer", "CognitoUpstream", "DynamoStore", "MemoryStore", "Request", "Response", "Settings"]
