"""The outgoing HTTP transport (core/http.py) against small real servers: framing,
keep-alive, servers that close, malformed answers, timeouts and TLS verification."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.http import StreamTransport
from core.settings import Settings
from intake.captcha import CaptchaResult, verify_captcha
from tests.conftest import free_port

JSON = b'{"success": true, "hostname": "ouen.test"}'
Reply = Callable[[bytes], bytes | None]  # request bytes -> raw answer, None: close silently


def with_length(body: bytes = JSON, extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n%s\r\n%s" % (len(body), extra, body))


class Server:
    """Answers each request on a connection with `reply`; counts connections."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.reply(request)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if answer.startswith(b"HTTP/1.0") or b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client or the test's end closed it
        writer.close()


@asynccontextmanager
async def serving(
    reply: Reply, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[Server, str]]:
    server = Server(reply)
    port = free_port()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", port, ssl=ssl_context)
    scheme = "https" if ssl_context else "http"
    try:
        yield server, f"{scheme}://127.0.0.1:{port}/siteverify"
    finally:
        listener.close()
        for writer in server.writers:
            writer.close()


async def post(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.post(url, data={"secret": "s", "response": "pass"},
                             timeout=httpx.Timeout(2.0, connect=1.0))


async def test_keeps_one_connection_for_calls_in_a_row() -> None:
    async with serving(lambda _: with_length()) as (server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        for _ in range(3):
            response = await post(client, url)
            assert response.status_code == 200 and response.json()["success"] is True
    assert server.connections == 1 and len(server.requests) == 3
    first = server.requests[0]
    assert first.startswith(b"POST /siteverify HTTP/1.1\r\n")
    assert b"\r\ncontent-length: 22\r\n" in first.lower()
    assert first.endswith(b"\r\n\r\nsecret=s&response=pass")


async def test_reads_chunked_answers_and_drops_trailers() -> None:
    chunked = (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
               b"a;ext=1\r\n" + JSON[:10] + b"\r\n" + b"%x\r\n" % (len(JSON) - 10)
               + JSON[10:] + b"\r\n0\r\nx-trailer: 1\r\n\r\n")
    async with serving(lambda _: chunked) as (server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        assert (await post(client, url)).json()["hostname"] == "ouen.test"
        assert (await post(client, url)).json()["success"] is True
    assert server.connections == 1


async def test_answer_delimited_by_close_and_connection_close_are_not_reused() -> None:
    answers = [b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n" + JSON,
               with_length(extra=b"connection: close\r\n")]

    def reply(_: bytes) -> bytes | None:
        return answers[0] if len(server.requests) % 2 else answers[1]

    async with serving(reply) as (server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        for _ in range(4):  # the server closes after each of these answers
            response = await post(client, url)
            assert response.json()["success"] is True
    assert server.connections == 4


async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    async with serving(lambda _: with_length()) as (server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        assert (await post(client, url)).status_code == 200
        for writer in server.writers:
            writer.close()
        await asyncio.sleep(0.05)  # the FIN reaches the idle connection
        assert (await post(client, url)).status_code == 200
    assert server.connections == 2


@pytest.mark.parametrize("answer", [
    b"SMTP ready\r\n\r\n",
    b"HTTP/1.1 2x0 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    b"HTTP/1.1 200 OK\r\ncontent-length: -5\r\n\r\n",
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n{}",  # then the server closes
])
async def test_malformed_or_cut_answers_are_protocol_errors(answer: bytes) -> None:
    async with serving(lambda _: answer) as (server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        task = asyncio.create_task(post(client, url))
        await asyncio.sleep(0.1)
        for writer in server.writers:
            writer.close()
        with pytest.raises(httpx.RemoteProtocolError):
            await task


async def test_slow_answer_times_out_and_captcha_fails_closed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("intake.captcha.TIMEOUT", httpx.Timeout(0.3, connect=1.0))
    async with serving(lambda _: b"") as (_server, url), \
            httpx.AsyncClient(transport=StreamTransport()) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(url, data={"a": "b"}, timeout=httpx.Timeout(0.3, connect=1.0))
        configured = settings.with_changes(captcha="hcaptcha", hcaptcha_verify_url=url,
                                           hcaptcha_secret="s", hcaptcha_sitekey="k")
        outcome = await verify_captcha(configured, client, "pass", "192.0.2.1")
    assert outcome is CaptchaResult.UNAVAILABLE


async def test_nothing_listening_is_a_connect_error() -> None:
    async with httpx.AsyncClient(transport=StreamTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await post(client, f"http://127.0.0.1:{free_port()}/siteverify")


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return server, cert_file


async def test_tls_certificates_are_verified(tmp_path: Path) -> None:
    server_context, cert_file = _self_signed(tmp_path)
    async with serving(lambda _: with_length(), server_context) as (server, url):
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            with pytest.raises(httpx.ConnectError):  # not signed by a trusted authority
                await post(client, url)
        trusting = ssl.create_default_context(cafile=str(cert_file))
        async with httpx.AsyncClient(transport=StreamTransport(trusting)) as client:
            assert (await post(client, url)).json()["success"] is True
            assert (await post(client, url)).status_code == 200
    assert server.connections == 1  # the refused handshake never became a connection
