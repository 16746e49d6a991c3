"""The deployed shape, tested: the four services behind Caddy at one HTTPS origin, with the
Caddyfile generated from the route tables exactly as `make run` and the deployments get it.

Two registration instances share the load (round robin), as in a cluster. Clients trust
Caddy's local CA, and each may connect from its own loopback address (127.0.0.x) so that
the services see distinct client addresses through the proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, async_playwright

from cnk import embedded, proxy
from shared.config import SERVICES
from shared.metrics import METRICS
from tests import infra
from tests.e2e.conftest import CHROMIUM

CERTUTIL = shutil.which("certutil")

# Tight enough to reach in a test: seats per client address per minute, attempts per email
# address per hour.
RATE_LIMIT = 8
EMAIL_LIMIT = 4
INSTANCES = {"registration": 2, "tickets": 1, "checkin": 1, "notifications": 1}


@dataclasses.dataclass
class Origin:
    url: str
    http_url: str
    root_ca: Path
    apps: dict[str, list[web.Application]]
    servers: dict[str, list[TestServer]]

    def ssl(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root_ca))

    def client(self, address: str = "127.0.0.1", **kw: Any) -> aiohttp.ClientSession:
        """A browser-like client at ``address`` (a loopback address of its own)."""
        connector = aiohttp.TCPConnector(
            ssl=self.ssl(), family=socket.AF_INET, local_addr=(address, 0), force_close=True
        )
        return aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True), **kw
        )

    def served(self, service: str) -> dict[tuple[str, str], float]:
        """Requests answered by every instance of ``service``, by (route, method)."""
        counts: dict[tuple[str, str], float] = {}
        for app in self.apps[service]:
            for metric in app[METRICS].registry.collect():
                for sample in metric.samples:
                    if sample.name == "http_requests_total":
                        key = (sample.labels["route"], sample.labels["method"])
                        counts[key] = counts.get(key, 0) + sample.value
        return counts


@pytest.fixture(scope="module")
async def origin(
    servers: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[Origin]:
    """Caddy and the four services. A test module that does not test the limits turns the
    client-address one off (``REGISTRATION_RATE_LIMIT = 0``): its browser's registrations
    all come from 127.0.0.1, as other modules' may in the same minute."""
    rate_limit = getattr(request.module, "REGISTRATION_RATE_LIMIT", RATE_LIMIT)
    https_port, http_port = infra.free_port(), infra.free_port()
    url = f"https://localhost:{https_port}"
    apps: dict[str, list[web.Application]] = {}
    started: dict[str, list[TestServer]] = {}
    async with contextlib.AsyncExitStack() as stack:
        for service in SERVICES:
            module = importlib.import_module(f"services.{service}.app")
            for _ in range(INSTANCES[service]):
                settings = servers.settings(
                    service,
                    registration_url=url,
                    tickets_url=url,
                    checkin_url=url,
                    trusted_proxies=("127.0.0.1/32",),
                    registration_rate_limit=rate_limit,
                    registration_email_limit=EMAIL_LIMIT,
                )
                app = module.create_app(settings)
                server = TestServer(app, host="127.0.0.1", port=infra.free_port())
                await server.start_server()
                stack.push_async_callback(server.close)
                apps.setdefault(service, []).append(app)
                started.setdefault(service, []).append(server)
        folder = tmp_path_factory.mktemp("caddy")
        site = proxy.local_site(
            {s: [f"127.0.0.1:{server.port}" for server in started[s]] for s in SERVICES},
            https_port=https_port,
            http_port=http_port,
            storage=folder,
            bind="127.0.0.1",
            hsts=True,  # as the deployments serve it
        )
        caddy = embedded.caddy_server(
            proxy.caddyfile(site), folder, https_port, log=folder / "caddy.log"
        )
        root_ca = await asyncio.to_thread(stack.enter_context, caddy)
        yield Origin(url, f"http://localhost:{http_port}", root_ca, apps, started)


@pytest.fixture(scope="module")
async def trusting_browser(
    origin: Origin, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Browser]:
    """Chromium whose certificate store (NSS, in its $HOME) trusts Caddy's root, as a phone
    or laptop that installed it would: one for the module, each test opens its contexts."""
    if CHROMIUM is None or CERTUTIL is None:
        pytest.skip("Debian's chromium and libnss3-tools are needed (make test installs them)")
    home = tmp_path_factory.mktemp("chromium-home")
    store = home / ".pki" / "nssdb"
    store.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-d", f"sql:{store}", "-N", "--empty-password"], check=True)
    subprocess.run(
        [CERTUTIL, "-d", f"sql:{store}", "-A", "-t", "C,,", "-n", "cnk-local", "-i",
         str(origin.root_ca)],
        check=True,
    )  # fmt: skip
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
            # Its own locale pinned: it lays out date fields (tests type into them).
            env={**os.environ, "HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
        )  # fmt: skip
        yield browser
        await browser.close()
