"""The facade's Lambda entry point, behind either front door's API Gateway.

REST APIs send proxy events of format 1.0, HTTP APIs of format 2.0; both become one `Request`.
Paths are made relative to the issuer by dropping the stage (`/dev/authorize` -> `/authorize`).
Cookies go back as `multiValueHeaders["Set-Cookie"]` (1.0: a `headers` map holds one value per
name) or as `cookies` (2.0). Settings, the DynamoDB store and the upstream client secret are
read once per execution environment: the secret comes from its own Secrets Manager secret
(CLIENT_SECRET_ARN), so it is never in the function's configuration.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import boto3

from .core import AuthServer
from .http import RepeatedParameter, Request, Response, invalid_request, parse_query, single_values
from .settings import Settings
from .store import DynamoStore
from .upstream import CognitoUpstream

_server: AuthServer | None = None


def build_server(env: dict[str, str] | os._Environ = os.environ) -> AuthServer:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=env["CLIENT_SECRET_ARN"])["SecretString"]
    settings = Settings.from_environment(env, secret)
    return AuthServer(settings, DynamoStore(settings.state_table_name), CognitoUpstream(settings))


def _relative(path: str, stage: str | None) -> str:
    prefix = f"/{stage}"
    if stage and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix):]
    return path or "/"


def request_from_event(event: dict[str, Any]) -> Request:
    """The facade's request; raises RepeatedParameter for a repeated query key."""
    context = event.get("requestContext") or {}
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if event.get("version") == "2.0":
        if event.get("cookies"):
            headers["cookie"] = "; ".join(event["cookies"])
        return Request(
            method=context["http"]["method"], path=_relative(event["rawPath"], context.get("stage")),
            query=parse_query(event.get("rawQueryString") or ""), headers=headers, body=raw,
            source_ip=context["http"].get("sourceIp", ""),
        )  # fmt: skip
    return Request(
        method=event["httpMethod"], path=_relative(event["path"], context.get("stage")),
        query=single_values(event.get("multiValueQueryStringParameters")), headers=headers, body=raw,
        source_ip=(context.get("identity") or {}).get("sourceIp", ""),
    )  # fmt: skip


def proxy_response(event: dict[str, Any], response: Response) -> dict[str, Any]:
    answer = {"statusCode": response.status, "headers": response.headers,
              "body": response.body.decode(), "isBase64Encoded": False}  # fmt: skip
    if response.cookies:
        if event.get("version") == "2.0":
            answer["cookies"] = response.cookies
        else:
            answer["multiValueHeaders"] = {"Set-Cookie": response.cookies}
    return answer


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _server
    if _server is None:
        _server = build_server()
    try:
        request = request_from_event(event)
    except RepeatedParameter:  # RFC 6749 3.1
        return proxy_response(event, invalid_request())
    return proxy_response(event, _server.handle(request))
