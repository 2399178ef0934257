"""The transport behind our one outgoing HTTP client (hCaptcha's siteverify).

httpx stays the client: requests, responses, timeouts and its exceptions are httpx's. Its
default transport (httpcore on anyio) cost 1.1 ms of CPU per siteverify call on one
connection and 3.5 ms with 32 calls at once, measured on the intake benchmark's machine —
more than the rest of a form submission. This transport speaks HTTP/1.1 over asyncio
streams and keeps idle connections for reuse. TLS verifies certificates and host names
against certifi's roots, as httpx does. It handles what a JSON API needs: one request with
a body, a response with a length, chunked or up to the close, keep-alive; no proxies, no
HTTP/2, no streaming."""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field

import certifi
import httpx

KEEPALIVE_SECONDS = 5.0
MAX_IDLE_PER_ORIGIN = 64
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = field(default_factory=time.monotonic)

    def usable(self) -> bool:
        """Not closed by the peer while idle (the loop has seen its FIN) and not too old."""
        return (not self.reader.at_eof() and not self.writer.is_closing()
                and time.monotonic() - self.idle_since < KEEPALIVE_SECONDS)

    def close(self) -> None:
        self.writer.close()


Origin = tuple[str, str, int]


class ProtocolError(Exception):
    """The server's answer is not HTTP/1.x as we understand it."""


def _parse_head(raw: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Status, version and headers of a response head (ending in an empty line)."""
    lines = raw[:-4].split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise ProtocolError("not an HTTP/1.x status line")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
            raise ProtocolError("malformed header line")
        headers.append((name, value.strip()))
    return int(code), version, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A chunked body (RFC 9112 §7.1), trailers read and dropped."""
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise ProtocolError("bad chunk size") from exc
        if size < 0:
            raise ProtocolError("bad chunk size")
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return b"".join(parts)
        total += size
        if total > MAX_RESPONSE_BYTES:
            raise ProtocolError("response too large")
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError("chunk not followed by CRLF")


class StreamTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams with a keep-alive pool per origin."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context or ssl.create_default_context(cafile=certifi.where())
        self._idle: dict[Origin, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        connect_timeout = timeouts.get("connect")
        read_timeout = timeouts.get("read")
        origin = (request.url.scheme, request.url.host, request.url.port
                  or (443 if request.url.scheme == "https" else 80))
        if origin[0] not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {origin[0]!r}", request=request)
        body = await request.aread()
        connection = await self._checkout(origin, connect_timeout, request)
        try:
            async with asyncio.timeout(read_timeout):
                response, reusable = await self._exchange(connection, request, body)
        except TimeoutError as exc:
            connection.close()
            raise httpx.ReadTimeout("timed out waiting for the response", request=request) from exc
        except (OSError, ProtocolError, ValueError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError) as exc:
            connection.close()
            raise httpx.RemoteProtocolError(type(exc).__name__, request=request) from exc
        except BaseException:
            connection.close()
            raise
        if reusable:
            self._checkin(origin, connection)
        else:
            connection.close()
        return response

    async def _checkout(
        self, origin: Origin, connect_timeout: float | None, request: httpx.Request
    ) -> _Connection:
        idle = self._idle.get(origin, [])
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()
        scheme, host, port = origin
        try:
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._ssl if scheme == "https" else None,
                    server_hostname=host if scheme == "https" else None,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out connecting", request=request) from exc
        except OSError as exc:  # refused, unreachable, TLS verification (ssl.SSLError)
            raise httpx.ConnectError(type(exc).__name__, request=request) from exc
        return _Connection(reader, writer)

    def _checkin(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= MAX_IDLE_PER_ORIGIN:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def _exchange(
        self, connection: _Connection, request: httpx.Request, body: bytes
    ) -> tuple[httpx.Response, bool]:
        # httpx has validated the method, target and headers; h11's checks cost more than
        # the rest of the call, so the request is written directly.
        head = [b"%s %s HTTP/1.1\r\n" % (request.method.encode(), request.url.raw_path)]
        length_given = False
        for name, value in request.headers.raw:
            lowered = name.lower()
            if lowered == b"transfer-encoding":
                continue
            length_given = length_given or lowered == b"content-length"
            head.append(b"%s: %s\r\n" % (name, value))
        if not length_given:
            head.append(b"content-length: %d\r\n" % len(body))
        head.append(b"\r\n")
        connection.writer.write(b"".join(head) + body)
        await connection.writer.drain()
        reader = connection.reader
        while True:
            status, version, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            if status >= 200:
                break  # 1xx answers precede the real one
        fields = {k.lower(): v for k, v in headers}
        close = (version != b"HTTP/1.1"
                 or b"close" in fields.get(b"connection", b"").lower())
        if request.method == "HEAD" or status in (204, 304):
            content = b""
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            content = await _read_chunked(reader)
        elif b"content-length" in fields:
            size = int(fields[b"content-length"])
            if not 0 <= size <= MAX_RESPONSE_BYTES:
                raise ProtocolError("bad content-length")
            content = await reader.readexactly(size)
        else:  # delimited by the server closing the connection
            content = await reader.read(MAX_RESPONSE_BYTES + 1)
            while len(content) <= MAX_RESPONSE_BYTES and not reader.at_eof():
                content += await reader.read(MAX_RESPONSE_BYTES + 1 - len(content))
            if len(content) > MAX_RESPONSE_BYTES:
                raise ProtocolError("response too large")
            close = True
        response = httpx.Response(status, headers=headers, content=content, request=request)
        return response, not close

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
