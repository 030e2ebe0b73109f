"""Fetching Client ID Metadata Documents (constructs_lib/signin/authserver/cimd.py).

The address policy is tested with an injected resolver (no DNS); the transport against a TLS
server on 127.0.0.1 with a self-signed certificate for the document's host name, reached by
injecting `open_connection` (the resolver answers a public address, as the real host would).
"""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from constructs_lib.signin.authserver.cimd import ClientMetadataError, fetch_client_document

from .test_authserver_helpers import REDIRECT, make_settings

HOST = "client.example.test"
URL = f"https://{HOST}/mcp/client.json"
PUBLIC = "93.184.215.14"


def resolver(*addresses):
    def resolve(host, port, family=0, type=0, *rest):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


def never_connect(*args):
    raise AssertionError("connected although the address policy refuses")


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.1.2.3", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.10", "::1", "::", "fe80::1", "fd00:ec2::254",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2002:7f00:1::", "ff0e::1",
    # NAT64 (RFC 6052, RFC 8215) of the metadata address and a private one.
    "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",
])  # fmt: skip
def test_refused_non_public_address(address):
    with pytest.raises(ClientMetadataError, match="non-public address"):
        fetch_client_document(URL, make_settings(), resolve=resolver(address), open_connection=never_connect)


def test_a_name_server_that_does_not_answer_is_a_refusal_within_the_deadline():
    gate = threading.Event()

    def stalled(*_):
        gate.wait(5)
        return []

    try:
        with pytest.raises(ClientMetadataError, match="does not resolve"):
            fetch_client_document(URL, make_settings(cimd_timeout_s=0.2), resolve=stalled, open_connection=never_connect)
    finally:
        gate.set()


def test_refused_host_resolving_to_one_public_and_one_private_address():
    for addresses in ((PUBLIC, "10.1.2.3"), ("10.1.2.3", PUBLIC), (PUBLIC, "fd00:ec2::254")):
        with pytest.raises(ClientMetadataError, match="non-public address"):
            fetch_client_document(URL, make_settings(), resolve=resolver(*addresses), open_connection=never_connect)


@pytest.mark.parametrize("url", ["https://127.0.0.1/client.json", "https://[::1]/client.json",
                                 "https://169.254.169.254/latest/meta-data", "https://[::ffff:7f00:1]/c.json"])
def test_refused_literal_non_public_address(url):
    # Numeric hosts: getaddrinfo answers without DNS.
    with pytest.raises(ClientMetadataError, match="non-public address"):
        fetch_client_document(url, make_settings(), open_connection=never_connect)


@pytest.mark.parametrize("url, reason", [
    (f"http://{HOST}/mcp/client.json", "https"),
    (f"https://user:pw@{HOST}/client.json", "userinfo"),
    (f"https://{HOST}/client.json#frag", "fragment"),
    (f"https://{HOST}/", "path"),
    (f"https://{HOST}", "path"),
    (f"https://{HOST}/a/../client.json", "dot segments"),
    (f"https://{HOST}/client.json\r\nX: y", "valid URL"),
    (f"https://{HOST}:99999/client.json", "valid URL"),
])  # fmt: skip
def test_refused_bad_document_url(url, reason):
    with pytest.raises(ClientMetadataError, match=reason):
        fetch_client_document(url, make_settings(), resolve=resolver(PUBLIC), open_connection=never_connect)


def test_unresolvable_host_is_refused():
    def fail(*args):
        raise socket.gaierror("no such host")

    with pytest.raises(ClientMetadataError, match="does not resolve"):
        fetch_client_document(URL, make_settings(), resolve=fail, open_connection=never_connect)


# --- the transport, against a loopback TLS server ---


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))  # fmt: skip
    directory = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))  # fmt: skip
    return directory


class TLSServer:
    """Answers each connection with `respond(request_bytes, connection)` on 127.0.0.1."""

    def __init__(self, certificate, respond):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
        self.respond = respond
        self.requests: list[bytes] = []
        self.release = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(raw, server_side=True) as conn:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    self.requests.append(data)
                    self.respond(self, conn)
            except OSError:
                pass

    def close(self):
        self.release.set()
        self.listener.close()


@pytest.fixture
def serve(certificate):
    servers = []

    def start(respond):
        servers.append(TLSServer(certificate, respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def fetch(server, certificate, url=URL, **settings):
    connected = []

    def open_connection(address, port, timeout):
        connected.append((address, port))
        return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)

    context = ssl.create_default_context(cafile=str(certificate / "cert.pem"))
    document = fetch_client_document(url, make_settings(**{"cimd_timeout_s": 0.5, **settings}),
                                     resolve=resolver(PUBLIC), open_connection=open_connection, ssl_context=context)
    assert connected == [(PUBLIC, 443)]  # the vetted address, pinned
    return document


def answer(status_line: str, payload: bytes, extra: str = ""):
    def respond(server, conn):
        conn.sendall(f"HTTP/1.1 {status_line}\r\nContent-Type: application/json\r\n{extra}"
                     f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)  # fmt: skip

    return respond


def good_document(**fields):
    return json.dumps({"client_id": URL, "client_name": "Good", "redirect_uris": [REDIRECT], **fields}).encode()


def test_fetches_a_good_document_from_the_pinned_address(serve, certificate):
    server = serve(answer("200 OK", good_document()))
    assert fetch(server, certificate) == {"client_id": URL, "client_name": "Good", "redirect_uris": [REDIRECT]}
    request_line, *headers = server.requests[0].decode().split("\r\n")
    assert request_line == "GET /mcp/client.json HTTP/1.0"
    assert f"Host: {HOST}" in headers  # and SNI + certificate name: the handshake verified HOST


def test_refused_certificate_for_another_name(serve, certificate):
    server = serve(answer("200 OK", good_document()))
    with pytest.raises(ClientMetadataError, match="could not be fetched"):
        fetch(server, certificate, url="https://other.example.test/client.json")


def test_refused_oversized_document(serve, certificate):
    server = serve(answer("200 OK", good_document(padding="x" * 6000)))
    with pytest.raises(ClientMetadataError, match="larger than 5120 bytes"):
        fetch(server, certificate)
    # The limit is the setting's.
    assert fetch(server, certificate, cimd_max_bytes=10000)["client_id"] == URL


def test_refused_slow_document(serve, certificate):
    def stall(server, conn):
        server.release.wait(5)

    server = serve(stall)
    started = time.monotonic()
    with pytest.raises(ClientMetadataError, match="timed out"):
        fetch(server, certificate)
    assert time.monotonic() - started < 2


def test_refused_trickling_document_at_the_total_deadline(serve, certificate):
    def trickle(server, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
        for byte in good_document():
            if server.release.wait(0.1):
                return
            conn.sendall(bytes([byte]))

    server = serve(trickle)
    started = time.monotonic()
    with pytest.raises(ClientMetadataError, match="timed out"):
        fetch(server, certificate)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "307 Temporary Redirect"])
def test_refused_redirect(serve, certificate, status):
    server = serve(answer(status, b"", "Location: https://169.254.169.254/latest/meta-data/\r\n"))
    with pytest.raises(ClientMetadataError, match="redirects are not followed"):
        fetch(server, certificate)
    assert len(server.requests) == 1


def test_refused_document_whose_client_id_differs_from_its_url(serve, certificate):
    for other in (URL + "?x=1", "https://client.example.test/other.json", None):
        server = serve(answer("200 OK", good_document(client_id=other)))
        with pytest.raises(ClientMetadataError, match="differs from its URL"):
            fetch(server, certificate)


@pytest.mark.parametrize("payload, reason", [
    (b"not json", "not JSON"),
    (b"[1]", "not a JSON object"),
    (good_document(redirect_uris=[]), "redirect_uris"),
    (good_document(redirect_uris=[1]), "redirect_uris"),
    (good_document(client_name={"x": 1}), "client_name"),
    (good_document(token_endpoint_auth_method="private_key_jwt"), "public clients"),
])  # fmt: skip
def test_refused_malformed_document(serve, certificate, payload, reason):
    server = serve(answer("200 OK", payload))
    with pytest.raises(ClientMetadataError, match=reason):
        fetch(server, certificate)


def test_refused_error_status(serve, certificate):
    server = serve(answer("404 Not Found", good_document()))
    with pytest.raises(ClientMetadataError, match="HTTP 404"):
        fetch(server, certificate)
