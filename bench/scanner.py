"""A door scanner as the rush benchmark drives it: one keep-alive HTTP/1.1 connection,
one request at a time, each answer read whole before the next request goes.

Why not aiohttp's client: 32 of them cost about 0.4 ms of CPU per scan, as much as
PostgreSQL's part of a scan, on the same two cores as the system measured. This one
writes each request as bytes and reads the answer with httptools (the C parser behind
uvicorn): about a tenth of that, so the figure is the system's and not the client's.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import httptools


class _Answer(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: Any = None  # uvloop's transports are no asyncio.Transport
        self.body: list[bytes] = []
        self.waiting: asyncio.Future[tuple[int, bytes]] | None = None
        self.lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(ConnectionError(f"bad answer: {e}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("connection closed"))

    def _fail(self, error: Exception) -> None:
        self.lost = error
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(error)

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result((self.parser.get_status_code(), b"".join(self.body)))
        self.body = []


class Scanner:
    """POSTs bodies (JSON unless told otherwise) to one URL over one connection."""

    def __init__(
        self, url: str, headers: dict[str, str], content_type: str = "application/json"
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 80
        lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += [f"Content-Type: {content_type}", "Content-Length: "]
        self.head = "\r\n".join(lines).encode()
        self.answer: _Answer | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """The status and body of the answer to ``body``."""
        if self.answer is None or self.answer.lost is not None:
            loop = asyncio.get_running_loop()
            _, self.answer = await loop.create_connection(_Answer, self.host, self.port)
        answer = self.answer
        assert answer.transport is not None
        answer.waiting = asyncio.get_running_loop().create_future()
        answer.transport.write(b"%s%d\r\n\r\n%s" % (self.head, len(body), body))
        return await answer.waiting

    def close(self) -> None:
        if self.answer is not None and self.answer.transport is not None:
            self.answer.transport.close()
