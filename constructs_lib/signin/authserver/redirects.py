"""The operator's redirect URI patterns, and whether a client's redirect URI fits one.

A registered redirect URI is where the facade sends a code, so an attacker who can register
`https://evil.example/cb` could collect codes for people who click a link: the operator's
patterns are a second gate beside the client's own registration. Deliberately narrow: the host
is compared exactly and never wildcarded (a `*.example.com` would admit any subdomain
takeover); `*` only stands for a whole port (RFC 8252 7.3: loopback redirects use any port) or
for the rest of the path after a final `/`. Plain http only for loopback hosts (RFC 8252 8.3),
which never leave the person's machine. A private-use scheme (RFC 8252 7.1, such as Cursor's
`cursor://...`) is admitted only as one exact URI: any app on the machine can claim a scheme, so
the operator names each one on purpose.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, unquote, urlsplit

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORTS = {"http": 80, "https": 443}
PRIVATE_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
# Schemes a browser would run or read locally rather than hand to an app.
NEVER = ("javascript", "data", "file", "vbscript", "blob", "about")


class _Pattern(NamedTuple):
    scheme: str
    host: str
    port: int | None  # None: any port
    path: str
    prefix: bool  # the path ends in `/*`: any path under it


def _split(uri: str) -> SplitResult | None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return None
    return parts


def _parse(pattern: str) -> _Pattern | str:
    """The pattern, or the reason it is not one."""
    any_port = False
    scheme, sep, rest = pattern.partition("://")
    netloc, slash, path = rest.partition("/")
    if netloc.endswith(":*"):
        any_port, netloc = True, netloc[:-2]
    path = slash + path
    prefix = path.endswith("/*")
    if prefix:
        path = path[:-1]
    parts = _split(f"{scheme}://{netloc}{path}")
    if not sep or parts is None or not parts.hostname:
        return "not of the form scheme://host[:port|:*][/path]"
    if "*" in netloc or "*" in path:
        return "`*` only as the whole port or as a final path segment `/*`"
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment or "#" in pattern:
        return "no userinfo, query or fragment"
    if parts.scheme not in DEFAULT_PORTS:
        if not PRIVATE_SCHEME.fullmatch(parts.scheme) or parts.scheme in NEVER or any_port or prefix:
            return "http or https, or one exact private-use scheme URI (like cursor://host/path) without `*`"
        return _Pattern(parts.scheme, parts.hostname, None, parts.path or "/", False)
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        return "plain http only for loopback hosts (127.0.0.1, localhost, [::1])"
    port = None if any_port else (parts.port or DEFAULT_PORTS[parts.scheme])
    return _Pattern(parts.scheme, parts.hostname, port, parts.path or "/", prefix)


def check_pattern(pattern: str) -> str | None:
    """Why `pattern` is not an acceptable redirect URI pattern, or None when it is."""
    parsed = _parse(pattern)
    return parsed if isinstance(parsed, str) else None


def pattern_allows(pattern: str, uri: str) -> bool:
    parsed, parts = _parse(pattern), _split(uri)
    if isinstance(parsed, str) or parts is None or not parts.hostname:
        return False
    # A fragment cannot carry the code (RFC 6749 3.1.2); userinfo makes the host ambiguous.
    if "#" in uri or "@" in parts.netloc or "\\" in uri:
        return False
    if parsed.scheme not in DEFAULT_PORTS:
        return uri == pattern
    if parts.scheme != parsed.scheme or parts.hostname != parsed.host:
        return False
    if parsed.port is not None and (parts.port or DEFAULT_PORTS[parts.scheme]) != parsed.port:
        return False
    path = parts.path or "/"
    if not parsed.prefix:
        return path == parsed.path and not parts.query
    # Browsers resolve dot segments, so `/cb/../elsewhere` would leave the allowed prefix.
    segments = unquote(path).split("/")
    return path.startswith(parsed.path) and "." not in segments and ".." not in segments


def allowed(settings, uri: str) -> bool:
    """Whether any of the operator's patterns (`settings.allowed_redirect_uris`) admits `uri`."""
    return any(pattern_allows(p, uri) for p in settings.allowed_redirect_uris)


def registered(uri: str, uris: list[str]) -> bool:
    """Whether `uri` is one a client registered: exactly, or for a loopback redirect on any port
    (RFC 8252 7.3: a native app's loopback port is chosen when it runs, so it cannot register it)."""
    if uri in uris:
        return True
    key = _loopback_key(uri)
    return key is not None and any(_loopback_key(u) == key for u in uris)


def _loopback_key(uri: str) -> tuple | None:
    parts = _split(uri)
    if parts is None or parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, parts.path or "/", parts.query, parts.fragment
