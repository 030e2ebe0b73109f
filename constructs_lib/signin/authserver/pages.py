"""The two HTML pages a person may see: the consent page and the error page.

The consent page is the confused-deputy guard (MCP security best practices): the facade talks to
Cognito as one static client, so without it any registered client could ride a person's
existing Cognito session. It names the client, where the code will go and what it may do.
Everything shown is client-controlled text, so all of it goes through `html.escape`; the CSP
allows no script at all, and form submissions only to the facade, Cognito (the redirect after
Allow) and the client's redirect origin (the redirect after Deny): Chrome applies form-action
to the redirects that follow a submission.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from .http import Response, html_response
from .settings import Settings

_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[A-Za-z0-9.:\[\]-]+")

STYLE = ("body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;"
         "line-height:1.5}code{word-break:break-all}button{font-size:1rem;margin-right:1rem}")  # fmt: skip


def _origin(url: str) -> str:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin if _ORIGIN.fullmatch(origin) else ""


def _headers(form_action: str = "'none'") -> dict[str, str]:
    return {
        "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}",
        "X-Frame-Options": "DENY",  # no clickjacking of the Allow button
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            f"<meta name=viewport content='width=device-width'><style>{STYLE}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")  # fmt: skip


def consent(settings: Settings, *, client_id: str, client_name: str | None, redirect_uri: str,
            scopes: list[str], txn: str, csrf: str) -> Response:  # fmt: skip
    # A name is whatever the client wrote: a metadata document's is vouched for by its host only,
    # and a registered client's by nobody, so the page says which.
    vouched = urlsplit(client_id).hostname if "://" in client_id else None
    name = f"{client_name or vouched} (from {vouched})" if vouched else f"{client_name or client_id} (unverified name)"
    host = urlsplit(redirect_uri).netloc
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    body = (
        f"<p><strong>{escape(name)}</strong> wants to use the MCP server <code>{escape(settings.resource)}</code>"
        f" as you.</p>"
        f"<p>Client: <code>{escape(client_id)}</code></p>"
        f"<p>After you sign in, you will be sent to <strong>{escape(host)}</strong>"
        f" (<code>{escape(redirect_uri)}</code>).</p>"
        f"<p>It asks for:</p><ul>{items}</ul>"
        f"<p>Allow only if you started this from {escape(name)} yourself.</p>"
        f"<form method=post action='{escape(settings.issuer)}/consent'>"
        f"<input type=hidden name=txn value='{escape(txn)}'>"
        f"<input type=hidden name=csrf value='{escape(csrf)}'>"
        f"<button type=submit name=decision value=allow>Allow</button>"
        f"<button type=submit name=decision value=deny>Deny</button></form>"
    )
    sources = " ".join(o for o in ("'self'", _origin(settings.upstream_authorize_url), _origin(redirect_uri)) if o)
    return html_response(200, _page(f"Allow {name}?", body), _headers(sources))


def error(status: int, title: str, detail: str) -> Response:
    """For errors that must not go back to the client (RFC 6749 4.1.2.1: its redirect URI is not
    trusted) or cannot (no state to echo)."""
    return html_response(status, _page(title, f"<p>{escape(detail)}</p>"), _headers())
