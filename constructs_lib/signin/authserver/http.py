"""The facade's own request and response, independent of API Gateway's event formats.

The Lambda adapter (REST v1 and HTTP API v2 events) and the local front door both translate to
these, so `core.AuthServer` is one code path everywhere. Paths are relative to the issuer: the
adapters strip the stage.

RFC 6749 3.1 and 3.2: request parameters must not be sent more than once. A repeated key would
let two components read different values (one the first, one the last), so `parse_query`
refuses it outright (`RepeatedParameter`, answered 400 invalid_request).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import parse_qsl


class RepeatedParameter(ValueError):
    """A query or form key sent more than once (RFC 6749 3.1): the request is refused."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case keys
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)  # full Set-Cookie values


def parse_query(raw: str) -> dict[str, str]:
    """`a=1&b=2` -> {"a": "1", "b": "2"}; a repeated key raises `RepeatedParameter`."""
    pairs = parse_qsl(raw, keep_blank_values=True)
    result = dict(pairs)
    if len(result) != len(pairs):
        raise RepeatedParameter("a parameter is repeated")
    return result


def single_values(multi: dict[str, list[str]] | None) -> dict[str, str]:
    """API Gateway REST's `multiValueQueryStringParameters` -> one value per key, or refused."""
    result = {}
    for key, values in (multi or {}).items():
        if len(values) != 1:
            raise RepeatedParameter("a parameter is repeated")
        result[key] = values[0]
    return result


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(obj).encode())


def redirect(url: str, cookies: Iterable[str] = ()) -> Response:
    # no-store: an authorization response carries a code or a transaction id in its Location.
    return Response(302, {"Location": url, "Cache-Control": "no-store"}, b"", list(cookies))


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, html.encode())


def invalid_request() -> Response:
    """The answer to anything unparseable (never a 5xx: the client sent it, not us)."""
    return json_response(400, {"error": "invalid_request"}, {"Cache-Control": "no-store"})


def cookie(request: Request, name: str) -> str | None:
    """The value of the request's cookie `name` (None when absent or empty)."""
    for part in request.headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None
