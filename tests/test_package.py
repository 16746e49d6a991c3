"""The installed package carries everything the services read at run time.

The wheel is built from what deploy/Dockerfile copies, installed into a fresh virtualenv,
and the four services run from there, away from the source tree: every page and static file
of the route tables must answer, the files byte for byte the source tree's.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from services.checkin.offline import door
from shared.routes import OFFICE_ROLES, Route, Serves, Who
from tests import infra
from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import At, known_at_the_door

ROOT = Path(__file__).resolve().parents[1]
# What deploy/Dockerfile copies into the image before its `pip install .`.
BUILD_INPUTS = ("pyproject.toml", "shared", "services", "cnk")
PACKAGES = ("shared", "services", "cnk")
SERVICES = infra.SERVICES
DOOR = ROOT / "services" / "checkin" / "offline" / "static"
DASHBOARD_ASSETS = ROOT / "services" / "checkin" / "dashboard" / "static"
# Where the packages are imported from, in a Python started like the services.
WHERE_FROM = (
    "import importlib, json; "
    f"print(json.dumps([importlib.import_module(p).__file__ for p in {PACKAGES!r}]))"
)
# The page's own answer where a route is fetched with an unknown thing.
STATUS = {"/verify/{certificate_id}": 404}


def run(args: list[Any], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def outside_env() -> dict[str, str]:
    """This environment without anything that would put the source tree on the path."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("package")
    # A copy, because setuptools writes build/ and *.egg-info into the tree it builds.
    source = tmp / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index"]
        + ["--no-build-isolation", "--wheel-dir", tmp / "dist", "."],
        cwd=source,
    )
    [built] = (tmp / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheel; its dependencies are this environment's."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv)
    python = venv / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
        + ["--no-deps", "--no-index", wheel],
        cwd=venv,
    )
    site_packages = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=venv
        ).strip()
    )
    # A folder added by a .pth line has its own .pth files left unread, so the editable
    # install's hook among them, which would import the source tree, stays off.
    dependencies = dict.fromkeys(sysconfig.get_path(p) for p in ("purelib", "platlib"))
    (site_packages / "dependencies.pth").write_text("".join(f"{p}\n" for p in dependencies))
    imported = run([python, "-c", WHERE_FROM], cwd=venv, env=outside_env())
    for file in json.loads(imported):
        assert Path(file).is_relative_to(site_packages), f"{file} is not the installed package"
    return venv


@pytest.fixture(scope="module")
def stack(
    venv: Path, servers: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The four services, one process each, run by the fresh virtualenv's Python."""
    env = outside_env() | servers.env() | {f"{s.upper()}_PROCESSES": "1" for s in SERVICES}
    logs = tmp_path_factory.mktemp("logs")
    # cwd: never the source tree, which `python -m` would put on the path.
    with infra.service_processes(venv / "bin" / "python", env, logs, cwd=logs) as urls:
        yield urls


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe: the jar keeps the cookies of a numeric host (127.0.0.1) too.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


def test_wheel_carries_every_file_of_the_packages(wheel: Path) -> None:
    in_source = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
    }
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(in_source - in_wheel)
    assert not missing, f"the wheel lacks {len(missing)} files: {missing}"


def addresses(route: Route, slug: str, registration_id: str) -> list[str]:
    """Where to fetch a route: every file its folder holds, else its path filled in."""
    if route.path == "/door/{asset}":
        # index.html is the page at /door itself.
        return [f"/door/{p.name}" for p in sorted(DOOR.iterdir()) if p.name != "index.html"]
    if route.path == "/dashboard/assets/{asset}":
        return [f"/dashboard/assets/{p.name}" for p in sorted(DASHBOARD_ASSETS.iterdir())]
    values = {"slug": slug, "registration_id": registration_id, "certificate_id": str(uuid.uuid4())}
    unknown = set(re.findall(r"\{(\w+)\}", route.path)) - set(values)
    assert not unknown, f"{route.path}: no value for {unknown} in this test"
    return [re.sub(r"\{(\w+)\}", lambda m: values[m[1]], route.path)]


def source_bytes(service: str, address: str) -> bytes | None:
    """What a static address must answer: its file in the source tree."""
    name = address.rpartition("/")[2]
    if address in ("/door", "/door/"):  # the page, and where its folder's address redirects
        return (DOOR / "index.html").read_bytes()
    if address == "/door/sw.js":
        # The worker has the build (a hash of every file of the page) written in at start-up.
        return door.load_assets(DOOR)[address].body
    if address.startswith("/door/"):
        return (DOOR / name).read_bytes()
    if address.startswith("/dashboard/assets/"):
        return (DASHBOARD_ASSETS / name).read_bytes()
    if address == "/office/assets/office.css":
        return (ROOT / "shared" / "office" / "static" / "office.css").read_bytes()
    if address.startswith("/assets/"):
        folder = "evidence/static" if service == "checkin" else "static"
        return (ROOT / "services" / service / folder / name).read_bytes()
    return None


async def test_installed_services_serve_every_page_and_static_file(
    stack: dict[str, str], servers: Any, http: aiohttp.ClientSession
) -> None:
    async def ready() -> bool:
        statuses = []
        for url in stack.values():
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz") as r:
                    statuses.append(r.status)
        return statuses == [200] * len(stack)

    await eventually(ready, timeout=60)
    organizer = auth(servers.token("organizer"))
    event = event_body()
    async with http.post(
        f"{stack['registration']}/api/v1/events", json=event, headers=organizer
    ) as r:
        assert r.status == 201, await r.text()
    async with http.post(
        f"{stack['registration']}/api/v1/events/{event['slug']}/registrations",
        json=registration_body(),
    ) as r:
        assert r.status == 201, await r.text()
        registration = await r.json()

    # The ticket's page needs the ticket, the dashboard the event: checkin counts the ticket
    # once tickets has issued it, and knows its event by then.
    await known_at_the_door(At(http, stack["checkin"]), event["slug"], organizer, 1)

    fetched = []
    for service in SERVICES:
        for route in importlib.import_module(f"services.{service}.routes").ROUTES:
            if route.method != "GET" or route.serves not in (Serves.ASSET, Serves.PAGE):
                continue
            for address in addresses(route, event["slug"], registration["id"]):
                # The manage link: its first visit answers 303, setting the cookie.
                query = {"token": registration["manage_token"]} if route.who is Who.MANAGE else {}
                if route.who in OFFICE_ROLES:  # without a session: to the sign-in page
                    async with http.get(f"{stack[service]}{address}", allow_redirects=False) as r:
                        assert r.status == 303, address
                        assert r.headers["Location"].startswith("/office/sign-in?next=")
                    continue
                async with http.get(f"{stack[service]}{address}", params=query) as r:
                    body = await r.read()
                    assert r.status == STATUS.get(route.path, 200), (address, body[:500])
                expected = source_bytes(service, address)
                if route.serves is Serves.ASSET:
                    assert expected is not None, f"{address}: which source file does it serve?"
                if expected is not None:
                    assert body == expected, f"{address} differs from the source tree's file"
                else:
                    assert r.content_type == "text/html" and b"</html>" in body, address
                fetched.append(address)
    assert "/door/sw.js" in fetched and f"/registrations/{registration['id']}" in fetched
