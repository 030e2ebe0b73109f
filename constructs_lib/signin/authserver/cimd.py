"""Fetching a Client ID Metadata Document: the client_id is an https URL of a JSON document.

Any MCP host can name any URL as its client_id, so this fetch is a server-side request an
attacker chooses (SSRF). From inside AWS the prize is the instance metadata service
(169.254.169.254, fd00:ec2::254), VPC-internal services and loopback. So:
- https only, a real path, no userinfo or fragment (the CIMD draft's rules for the URL);
- every address the host resolves to must be globally routable (`ipaddress.is_global`, also
  for IPv4 embedded in IPv6), or the fetch is refused: one private answer among public ones
  is how DNS rebinding aims at the inside;
- the connection goes to the vetted address itself, with SNI, certificate name and Host taken
  from the URL, so DNS cannot answer differently between the check and the connect;
- redirects are not followed (a 3xx could point anywhere, including inside);
- a small size limit and one deadline over connect, handshake and read, so a slow or huge
  document cannot hold the function (HTTP/1.0 is spoken so no chunked framing is needed).
The caller caches good documents; failures are not cached.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any, Callable
from urllib.parse import urlsplit

from .settings import Settings

MAX_HEADER_BYTES = 8192


class ClientMetadataError(Exception):
    """The document cannot be used; the message is the reason (shown, escaped, to the person)."""


# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are an IPv4 address, which a NAT64
# gateway would reach; `ipaddress` calls these global whatever the address inside.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = []
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]) if a]
        if any(ip in network for network in NAT64):
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(a.is_global and not a.is_multicast for a in [ip, *embedded])


def check_url(url: str) -> tuple[str, int, str]:
    """(host, port, path-and-query) of an acceptable document URL, or ClientMetadataError."""
    try:
        if not url.isascii() or not url.isprintable() or " " in url:  # it becomes a request line
            raise ValueError
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise ClientMetadataError("client_id is not a valid URL") from None
    if parts.scheme != "https":
        raise ClientMetadataError("client_id must be an https URL")
    if "@" in parts.netloc or "#" in url or not parts.hostname:
        raise ClientMetadataError("client_id must not have userinfo or a fragment")
    segments = parts.path.split("/")
    if parts.path in ("", "/") or "." in segments or ".." in segments:
        raise ClientMetadataError("client_id must have a path without dot segments")
    return parts.hostname, port, parts.path + (f"?{parts.query}" if parts.query else "")


def _within(resolve: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    """`resolve` that gives up after `seconds`: getaddrinfo has no timeout of its own, and a slow
    name server chosen by whoever names the URL would otherwise hold the function."""

    def resolve_in_time(*args: Any) -> Any:
        pool = ThreadPoolExecutor(max_workers=1)
        try:
            return pool.submit(resolve, *args).result(timeout=seconds)
        except FuturesTimeout:
            raise OSError("name resolution timed out") from None
        finally:
            pool.shutdown(wait=False)

    return resolve_in_time


def vetted_address(host: str, port: int, resolve: Callable[..., Any]) -> str:
    try:
        answers = resolve(host, port, 0, socket.SOCK_STREAM)
        addresses = [answer[4][0] for answer in answers]
    except (OSError, UnicodeError):
        raise ClientMetadataError("client_id host does not resolve") from None
    if not addresses:
        raise ClientMetadataError("client_id host does not resolve")
    if not all(_public(a) for a in addresses):
        raise ClientMetadataError("client_id host has a non-public address")
    return addresses[0]


def _default_open(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


def _get(host: str, port: int, target: str, address: str, settings: Settings,
         open_connection: Callable[..., socket.socket], context: ssl.SSLContext) -> bytes:
    """The raw response, read until the server closes or the limit is passed."""
    deadline = time.monotonic() + settings.cimd_timeout_s
    limit = MAX_HEADER_BYTES + settings.cimd_max_bytes + 1
    authority = (f"[{host}]" if ":" in host else host) + ("" if port == 443 else f":{port}")
    request = (f"GET {target} HTTP/1.0\r\nHost: {authority}\r\nAccept: application/json\r\n"
               "User-Agent: mcp-signin\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    raw = bytearray()
    with open_connection(address, port, settings.cimd_timeout_s) as sock:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        with context.wrap_socket(sock, server_hostname=host) as tls:  # one deadline for the handshake
            tls.sendall(request)
            while len(raw) < limit:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                tls.settimeout(remaining)
                chunk = tls.recv(65536)
                if not chunk:
                    break
                raw += chunk
    return bytes(raw)


def _parse(raw: bytes, settings: Settings) -> Any:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep or len(head) > MAX_HEADER_BYTES:
        raise ClientMetadataError("client metadata response is malformed")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    if 300 <= status < 400:
        raise ClientMetadataError("client metadata: redirects are not followed")
    if status != 200:
        raise ClientMetadataError(f"client metadata answered HTTP {status}")
    if len(body) > settings.cimd_max_bytes:
        raise ClientMetadataError(f"client metadata document is larger than {settings.cimd_max_bytes} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        raise ClientMetadataError("client metadata document is not JSON") from None


def validate(url: str, document: Any) -> dict:
    """The fields the facade uses, from a document that describes `url`."""
    if not isinstance(document, dict):
        raise ClientMetadataError("client metadata document is not a JSON object")
    if document.get("client_id") != url:
        raise ClientMetadataError("client metadata document's client_id differs from its URL")
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise ClientMetadataError("client metadata document needs redirect_uris, a list of strings")
    name = document.get("client_name")
    if name is not None and not isinstance(name, str):
        raise ClientMetadataError("client metadata document's client_name is not a string")
    # The facade cannot verify private_key_jwt: such a client is refused, not silently downgraded.
    if document.get("token_endpoint_auth_method", "none") != "none":
        raise ClientMetadataError("only public clients (token_endpoint_auth_method none) are supported")
    return {"client_id": url, "redirect_uris": uris, "client_name": name}


def fetch_client_document(
    url: str,
    settings: Settings,
    *,
    resolve: Callable[..., Any] = socket.getaddrinfo,
    open_connection: Callable[..., socket.socket] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> dict:
    host, port, target = check_url(url)
    address = vetted_address(host, port, _within(resolve, settings.cimd_timeout_s))
    try:
        raw = _get(host, port, target, address, settings, open_connection or _default_open,
                   ssl_context or ssl.create_default_context())  # fmt: skip
    except (OSError, ssl.SSLError) as exc:  # TimeoutError and socket.timeout are OSErrors
        reason = "timed out" if isinstance(exc, TimeoutError) else "could not be fetched"
        raise ClientMetadataError(f"client metadata document {reason}") from None
    return validate(url, _parse(raw, settings))
