"""Session-wide real servers and per-test apps built by the services' own factories."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from shared.auth import generate_keypair, issue_token
from shared.config import Settings
from tests import infra

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")


@dataclasses.dataclass(frozen=True)
class Infra:
    database_url: str
    nats_url: str
    smtp_url: str
    mailbox: infra.Mailbox
    staff_private_key: str
    staff_public_key: str

    def settings(self, service: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = dict(
            service=service,
            database_url=self.database_url,
            nats_url=self.nats_url,
            staff_token_public_key=self.staff_public_key,
            smtp_url=self.smtp_url,
            mail_from="CNK Events <events@cnk.test>",
            outbox_poll_seconds=0.5,
            log_format="console",
            max_deliver=3,
            registration_rate_limit=0,
            verify_rate_limit=0,
            # The reminder scheduler runs only where a test asks for it: the events of
            # other tests must not mail reminders into their mailboxes.
            reminder_hours=0,
            # The PDF worker's rest between uploaded files is a throttle no test measures.
            verify_rest_factor=0,
            verify_min_rest_seconds=0.01,
        )
        values.update(overrides)
        return Settings(**values)

    def token(self, role: str = "organizer", events: list[str] | None = None, **kw: Any) -> str:
        token, _ = issue_token(
            self.staff_private_key,
            role=role,
            events=events or ["*"],
            **kw,  # type: ignore[arg-type]
        )
        return token

    def env(self) -> dict[str, str]:
        """Environment for running a service as a separate process."""
        return {
            "DATABASE_URL": self.database_url,
            "NATS_URL": self.nats_url,
            "SMTP_URL": self.smtp_url,
            "STAFF_TOKEN_PUBLIC_KEY": self.staff_public_key,
            "MAIL_FROM": "CNK Events <events@cnk.test>",
            "LOG_FORMAT": "console",
            "REGISTRATION_RATE_LIMIT": "0",
            "VERIFY_RATE_LIMIT": "0",
        }


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    with contextlib.ExitStack() as stack:
        db_server = infra.env_or_none("DATABASE_URL") or stack.enter_context(
            infra.postgres_server(tmp_path_factory.mktemp("pg"))
        )
        database_url = stack.enter_context(infra.fresh_database(db_server))
        # One NATS server for every pytest-xdist worker would not do: the apps of each
        # worker's tests would take each other's events (a durable consumer is named after
        # its service). A PostgreSQL server is fine, each worker has a database of its own.
        shared_nats = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") == "1"
        nats_url = (shared_nats and infra.env_or_none("NATS_URL")) or stack.enter_context(
            infra.nats_server(tmp_path_factory.mktemp("nats"))
        )
        smtp_url, mailbox = stack.enter_context(infra.smtp_server())
        private, public = generate_keypair()
        yield Infra(database_url, nats_url, smtp_url, mailbox, private, public)


AppClient = Callable[..., Awaitable[TestClient]]  # type: ignore[type-arg]


@pytest.fixture
async def service_client(
    servers: Infra, aiohttp_client: Any
) -> AsyncIterator[Callable[..., Awaitable[TestClient]]]:  # type: ignore[type-arg]
    """``await service_client("tickets")``: that service's app on a real port."""

    async def make(service: str, **overrides: Any) -> TestClient:  # type: ignore[type-arg]
        module = importlib.import_module(f"services.{service}.app")
        return await aiohttp_client(module.create_app(servers.settings(service, **overrides)))

    yield make


@pytest.fixture(scope="module")
async def module_client(
    servers: Infra,
) -> AsyncIterator[Callable[[str], Awaitable[TestClient]]]:  # type: ignore[type-arg]
    """``await module_client("tickets")``: that service's app with the suite's settings, one
    for the whole test module. For tests whose requests leave nothing in the app that the
    next test could see (refusals of bad input, say); a test that needs settings of its own,
    cookies or a fresh app's state takes ``service_client``'s."""
    clients: dict[str, TestClient] = {}  # type: ignore[type-arg]

    async def get(service: str) -> TestClient:  # type: ignore[type-arg]
        if service not in clients:
            module = importlib.import_module(f"services.{service}.app")
            app = module.create_app(servers.settings(service))
            client = TestClient(TestServer(app))
            await client.start_server()
            clients[service] = client
        return clients[service]

    yield get
    for client in reversed(list(clients.values())):
        await client.close()


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def dump_tasks_on_sigusr1() -> Iterator[None]:
    """`kill -USR1 <pytest pid>` writes every asyncio task's stack to /tmp/cnk-tasks-<pid>.txt."""
    import asyncio
    import signal

    def dump(signum: int, frame: object) -> None:
        loop = asyncio.events._get_running_loop()
        # pytest captures file descriptor 2, so write where it cannot.
        with open(f"/tmp/cnk-tasks-{os.getpid()}.txt", "w") as out:
            for task in asyncio.all_tasks(loop) if loop else ():
                print(f"--- {task!r}", file=out)
                task.print_stack(file=out)

    previous = signal.signal(signal.SIGUSR1, dump)
    yield
    signal.signal(signal.SIGUSR1, previous)
