"""The local stack behind `make run`: embedded PostgreSQL, NATS and SMTP, the four services,
Caddy serving them all at one origin (https://localhost:8443, its own local CA), a demo
event, and tokens. DATABASE_URL, NATS_URL and SMTP_URL point it at real servers."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
import uvloop
from aiosmtpd.controller import Controller

from cnk import embedded, keyfile, proxy, staff
from shared.auth import issue_token
from shared.config import DEFAULT_PORTS, SERVICES

DATA = keyfile.DATA_DIR
DEMO_SLUG = "innhub-open-day"
DEMO_ADMIN = "admin@cnk.local"
SIGN_IN_LINK = re.compile(r"https?://\S+/office/sign-in/link\?\S+")
HTTPS_PORT = int(os.environ.get("CNK_HTTPS_PORT") or 8443)
HTTP_PORT = int(os.environ.get("CNK_HTTP_PORT") or 8080)
ORIGIN = f"https://localhost:{HTTPS_PORT}"
# Caddy on this machine is the proxy in front of the services.
LOCAL_PROXIES = "127.0.0.1/32,::1/128"


# Services whose work nobody waits for at a screen (issuing tickets, sending email) run
# at a lower CPU priority on the one machine of `make run`, so a registration burst or a
# door rush is answered first and the emails follow a moment later.
BACKGROUND = ("tickets", "notifications")


BACKGROUND_NICE = 19


def _background() -> None:
    os.nice(BACKGROUND_NICE)
    # With autogroup scheduling (most Linux desktops and servers), each session is
    # scheduled as one group and a process's own nice only counts inside its group; the
    # children run in sessions of their own, so the group's nice is the one that matters.
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text(str(BACKGROUND_NICE))


def log(message: str) -> None:
    print(f"[cnk] {message}", flush=True)


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    with embedded.postgres_server(DATA / "pg") as uri:
        # pgserver's psql runs as its own system user; asyncpg does the admin work here.
        asyncio.run(_prepare(uri, "cnk"))
        yield uri.replace("/postgres?", "/cnk?")


async def _prepare(uri: str, name: str) -> None:
    conn = await asyncpg.connect(uri)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
        # A new 16 MB WAL segment is written full of zeros before use, by the backend that
        # needs it, while every commit waits: in a door rush (30-90 MB of WAL) 50-100 ms
        # with every scanner held, once or twice a rush. Without the zeros, creating one
        # takes no time. Disk space is then taken as WAL is written, as on copy-on-write
        # file systems, for which PostgreSQL has the setting; durability is the same.
        await conn.execute("ALTER SYSTEM SET wal_init_zero = off")
        # After each checkpoint, a page's first change writes the whole page to the WAL:
        # a rush right after one wrote 72-74 MB of WAL, two and a half times as much as
        # the next (28-31 MB), the scans' indexes being keyed by random ids. Every 30
        # minutes instead of PostgreSQL's 5 (the usual advice for busy databases; crash
        # recovery replays a little more).
        await conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


@contextlib.contextmanager
def embedded_nats() -> Iterator[str]:
    port = int(os.environ.get("CNK_NATS_PORT", "4223"))
    with embedded.nats_server(DATA / "nats", port, log=DATA / "nats.log") as url:
        yield url


class MailFolder:
    """An SMTP handler that saves each message as an .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        rcpt = envelope.rcpt_tos[0].replace("@", "_at_") if envelope.rcpt_tos else "unknown"
        path = self.folder / f"{stamp}-{rcpt}-{uuid.uuid4().hex[:6]}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        log(f"mail to {', '.join(envelope.rcpt_tos)} saved as {path}")
        # The .eml is quoted-printable: a back-office sign-in link is printed as it is.
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",)) if message.is_multipart() else None
        link = SIGN_IN_LINK.search(body.get_content()) if body is not None else None
        if link:
            log(f"sign-in link for {', '.join(envelope.rcpt_tos)}: {link[0]}")
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def embedded_smtp() -> Iterator[str]:
    port = embedded.free_port(int(os.environ.get("CNK_SMTP_PORT", "2525")))
    # uvloop under aiosmtpd's own loop: about a tenth less CPU per email than asyncio's,
    # on the same cores as the services during the mail benchmark.
    controller = Controller(
        MailFolder(DATA / "mail"), hostname="127.0.0.1", port=port, loop=uvloop.new_event_loop()
    )
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def service_ports() -> dict[str, int]:
    ports = {}
    for service in SERVICES:
        port = int(os.environ.get(f"{service.upper()}_PORT", DEFAULT_PORTS[service]))
        _check_free(port, service, f"{service.upper()}_PORT")
        ports[service] = port
    _check_free(HTTPS_PORT, "the HTTPS origin", "CNK_HTTPS_PORT")
    _check_free(HTTP_PORT, "the HTTP redirect", "CNK_HTTP_PORT")
    return ports


def _check_free(port: int, what: str, variable: str) -> None:
    if not embedded.port_free(port):
        raise RuntimeError(
            f"port {port} for {what} is taken (another `make run`?); stop it or set {variable}"
        )


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = msgspec.json.encode(body) if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, msgspec.json.decode(response.read())
    except urllib.error.HTTPError as e:
        return e.code, msgspec.json.decode(e.read() or b"{}")


def wait_ready(procs: dict[str, subprocess.Popen[bytes]], ports: dict[str, int]) -> None:
    deadline = time.monotonic() + 90
    pending = set(procs)
    while pending:
        for service in sorted(pending):
            if procs[service].poll() is not None:
                raise RuntimeError(f"{service} exited during start-up (see its log above)")
            with contextlib.suppress(OSError, urllib.error.URLError, msgspec.DecodeError):
                status, _ = http("GET", f"http://127.0.0.1:{ports[service]}/readyz")
                if status == 200:
                    pending.discard(service)
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after 90 s: {', '.join(sorted(pending))}")
        time.sleep(0.2)


def _demo_session(
    slug: str, pl: str, en: str, room: str, day_start: datetime, hour: int, capacity: int
) -> dict[str, Any]:
    starts = day_start + timedelta(hours=hour)
    return {
        "slug": slug,
        "name": {"pl": pl, "en": en},
        "room": room,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1, minutes=30)).isoformat(),
        "capacity": capacity,
    }


def create_demo_event(registration_url: str, organizer: str) -> None:
    if http("GET", f"{registration_url}/api/v1/events/{DEMO_SLUG}")[0] == 200:
        return
    warsaw = ZoneInfo("Europe/Warsaw")
    day = (datetime.now(UTC) + timedelta(days=21)).astimezone(warsaw).date()
    starts = datetime(day.year, day.month, day.day, 9, 0, tzinfo=warsaw)
    status, body = http(
        "POST",
        f"{registration_url}/api/v1/events",
        {
            "slug": DEMO_SLUG,
            "name": {"pl": "Dzień otwarty Erasmus+ InnHUB", "en": "Erasmus+ InnHUB Open Day"},
            "kind": "conference",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=8)).isoformat(),
            "venue": "Centrum Nowoczesnego Kształcenia PB, ul. Zwierzyniecka 16, Białystok",
            "capacity": 200,
            "sessions": [
                _demo_session("ws-robotics", "Robotyka", "Robotics", "A1.12", starts, 2, 20),
                _demo_session("ws-3d-print", "Druk 3D", "3D printing", "A1.14", starts, 2, 15),
                _demo_session(
                    "talk-erasmus",
                    "Erasmus+ w praktyce",
                    "Erasmus+ in practice",
                    "Aula",
                    starts,
                    5,
                    200,
                ),
            ],
        },
        organizer,
    )
    if status != 201:
        raise RuntimeError(f"could not create the demo event: {status} {body}")


def banner(
    ports: dict[str, int], infra: dict[str, str], root_ca: Path, organizer: str, door: str
) -> str:
    mailbox = f"{DATA / 'mail'}/" if infra["own_smtp"] else f"the mailbox of {infra['smtp']}"
    mail_note = f"   (mail saved to {DATA / 'mail'}/)" if infra["own_smtp"] else ""
    debug = "  ".join(f"{s} :{p}" for s, p in ports.items())
    return f"""
cnk-events is ready at {ORIGIN}   (http://localhost:{HTTP_PORT} redirects there)
Ctrl-C stops everything.

  events (public)   {ORIGIN}/
  back office       {ORIGIN}/office/sign-in   enter {DEMO_ADMIN} (an admin); the one-time
                    sign-in link arrives as an email in {mailbox}
  door scanner      {ORIGIN}/door   (sign in with the DOOR_TOKEN below)
  live dashboard    {ORIGIN}/dashboard/{DEMO_SLUG}   (with the ORGANIZER_TOKEN)
  certificates      {ORIGIN}/verify
  API               {ORIGIN}/api/v1/events

The certificate is from Caddy's local CA: trust {root_ca}
in the browser (or accept the warning once); curl --cacert {root_ca} ...

  PostgreSQL     {infra["database"]}
  NATS           {infra["nats"]}
  SMTP           {infra["smtp"]}{mail_note}
  services, for debugging, on their own ports: {debug}

Tokens (also in {DATA / "tokens.env"}; more with .venv/bin/cnk token):
ORGANIZER_TOKEN={organizer}
DOOR_TOKEN={door}
"""


def start_proxy(stack: contextlib.ExitStack, ports: dict[str, int]) -> Path:
    """Caddy at the origin in front of the services; its local CA's root certificate."""
    site = proxy.local_site(
        {s: [f"127.0.0.1:{p}"] for s, p in ports.items()},
        https_port=HTTPS_PORT,
        http_port=HTTP_PORT,
        storage=(DATA / "caddy").resolve(),
    )
    return stack.enter_context(
        embedded.caddy_server(
            proxy.caddyfile(site), DATA / "caddy", HTTPS_PORT, log=DATA / "caddy.log"
        )
    )


def main() -> int:
    log(f"starting cnk-events at {ORIGIN} ...")
    DATA.mkdir(parents=True, exist_ok=True)
    private, public = keyfile.ensure_local_key()
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    with contextlib.ExitStack() as stack:
        try:
            ports = service_ports()
            database = os.environ.get("DATABASE_URL") or stack.enter_context(embedded_postgres())
            nats_url = os.environ.get("NATS_URL") or stack.enter_context(embedded_nats())
            own_smtp = not os.environ.get("SMTP_URL")
            smtp_url = os.environ.get("SMTP_URL") or stack.enter_context(embedded_smtp())
        except RuntimeError as e:
            log(f"cannot start: {e}")
            return 1
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "NATS_URL": nats_url,
            "SMTP_URL": smtp_url,
            "STAFF_TOKEN_PUBLIC_KEY": public,
            "LOG_FORMAT": os.environ.get("LOG_FORMAT", "console"),
            "PUBLIC_URL": os.environ.get("PUBLIC_URL", ORIGIN),
            "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", LOCAL_PROXIES),
            **{f"{s.upper()}_PORT": str(p) for s, p in ports.items()},
        }
        procs: dict[str, subprocess.Popen[bytes]] = {}
        for service in SERVICES:
            # Own session: Ctrl-C reaches only this supervisor, which stops the children
            # in order instead of everything dying at once.
            procs[service] = subprocess.Popen(
                [sys.executable, "-m", f"services.{service}"],
                env=env,
                start_new_session=True,
                preexec_fn=_background if service in BACKGROUND else None,
            )
            stack.callback(embedded.stop_process, procs[service])
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            wait_ready(procs, ports)
            organizer, _ = issue_token(
                private,
                role="organizer",
                events=["*"],
                subject="local organizer",
                ttl_seconds=30 * 86400,
            )
            door, _ = issue_token(
                private, role="door", events=["*"], subject="local door", ttl_seconds=30 * 86400
            )
            create_demo_event(f"http://127.0.0.1:{ports['registration']}", organizer)
            asyncio.run(staff.add(database, DEMO_ADMIN, "admin", None, "Local admin", "en"))
            root_ca = start_proxy(stack, ports)
        except RuntimeError as e:
            log(f"cannot start: {e}")
            return 1
        (DATA / "tokens.env").write_text(f"ORGANIZER_TOKEN={organizer}\nDOOR_TOKEN={door}\n")
        # For tools run beside the stack (the benchmarks check the database directly).
        (DATA / "stack.env").write_text(
            f"DATABASE_URL={database}\nNATS_URL={nats_url}\nORIGIN={ORIGIN}\nCA={root_ca}\n"
        )
        infra = {
            "database": database,
            "nats": nats_url,
            "smtp": smtp_url,
            "own_smtp": "yes" if own_smtp else "",
        }
        print(banner(ports, infra, root_ca, organizer, door), flush=True)
        while not stopping:
            for service, proc in procs.items():
                if proc.poll() is not None:
                    log(f"{service} stopped unexpectedly (exit {proc.returncode}); stopping all")
                    stopping = True
            time.sleep(0.3)
        log("stopping")
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
