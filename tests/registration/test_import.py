"""CSV import of attendees: all rows or none, with a per-row report; through the API and cnk."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.factories import auth, event_body, registration_body

GOOD = (
    "\ufeffname,email,lang,organization,country,role\n"
    "Zażółć Gęślą Jaźń,zazolc@example.org,pl,Szkoła Podstawowa nr 5,PL,teacher\n"
    "王芳,wang@example.org,en,,CN,student\n"
    "O'Brien-Łukasiewicz,obrien@example.org,,,,\n"
)


async def _event(client: Any, servers: Any, **overrides: Any) -> str:
    body = event_body(**overrides)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def _import(client: Any, servers: Any, slug: str, text: str) -> Any:
    return await client.post(
        f"/api/v1/events/{slug}/registrations/import",
        data=text.encode(),
        headers={**auth(servers.token()), "Content-Type": "text/csv"},
    )


async def test_import_registers_every_row(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, capacity=2)
    r = await _import(client, servers, slug, GOOD)
    assert r.status == 201, await r.text()
    assert await r.json() == {"imported": 3, "confirmed": 2, "waitlisted": 1}
    r = await client.get(f"/api/v1/events/{slug}/registrations", headers=auth(servers.token()))
    listed = (await r.json())["registrations"]
    assert [x["name"] for x in listed] == ["Zażółć Gęślą Jaźń", "王芳", "O'Brien-Łukasiewicz"]
    assert (listed[0]["country"], listed[0]["role"], listed[2]["lang"]) == ("PL", "teacher", "pl")


async def test_a_bad_row_imports_nothing_and_reports_each_row(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json=registration_body(email="taken@example.org"),
    )
    assert r.status == 201
    text = (
        "name,email\n"
        "Anna Nowak,anna@example.org\n"
        "Bez Adresu,not-an-address\n"
        "Już Jest,TAKEN@example.org\n"
        "Anna Druga,Anna@Example.org\n"
        ",empty@example.org\n"
    )
    r = await _import(client, servers, slug, text)
    assert r.status == 422, await r.text()
    problem = await r.json()
    assert problem["code"] == "import_rejected"
    assert [row["line"] for row in problem["rows"]] == [3, 4, 5, 6]
    assert "already registered" in problem["rows"][1]["error"]
    assert "line 2" in problem["rows"][2]["error"]
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert (await r.json())["confirmed"] == 1

    r = await _import(client, servers, slug, "imie,mail\nAnna,anna@example.org\n")
    assert r.status == 400 and (await r.json())["code"] == "bad_csv_header"
    r = await client.post(
        f"/api/v1/events/{slug}/registrations/import",
        data=GOOD.encode(),
        headers={**auth(servers.token("door")), "Content-Type": "text/csv"},
    )
    assert r.status == 403


async def test_cnk_import_command(service_client: Any, servers: Any, tmp_path: Path) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text("name,email\nAnna,nope\n", encoding="utf-8")
    env = {**os.environ, "STAFF_TOKEN_PRIVATE_KEY": servers.staff_private_key}
    url = str(client.make_url("")).rstrip("/")

    async def cnk(path: Path) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cnk.cli",
            "import",
            "--event",
            slug,
            "--url",
            url,
            str(path),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = await cnk(bad)
    assert code == 1 and "nothing imported" in err and "line 2:" in err
    code, out, err = await cnk(good)
    assert code == 0, err
    assert out.strip() == f"imported 3 attendees into {slug}: 3 confirmed, 0 waitlisted"


async def test_a_large_file_is_read_to_its_last_line(service_client: Any, servers: Any) -> None:
    """A file far larger than one network read: the bad last row is still found."""
    client = await service_client("registration")
    slug = await _event(client, servers)
    rows = [f"{'Uczestnik ' * 8}{i},person-{i}@example.org,pl" for i in range(3000)]
    text = "name,email,lang\n" + "\n".join(rows) + "\nOstatni,not-an-address,pl\n"
    assert len(text.encode()) > 250_000
    r = await _import(client, servers, slug, text)
    assert r.status == 422, await r.text()
    problem = await r.json()
    assert [row["line"] for row in problem["rows"]] == [3002], problem["rows"][:3]
    r = await client.get(f"/api/v1/events/{slug}/registrations", headers=auth(servers.token()))
    assert (await r.json())["registrations"] == []


@pytest.mark.parametrize(
    "bad_line",
    ["Anna\rNowak,anna@example.org", "Anna Nowak,anna@example.org,,," + "x" * (129 * 1024)],
    ids=["bare-carriage-return", "field-over-128-kib"],
)
async def test_a_line_the_csv_parser_cannot_read_is_400_naming_it(
    service_client: Any, servers: Any, bad_line: str
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    text = "name,email,lang,organization,country,role\nJan Kowalski,jan@example.org\n"
    text += f"{bad_line}\nEwa Nowak,ewa@example.org\n"
    r = await _import(client, servers, slug, text)
    assert r.status == 400, await r.text()
    problem = await r.json()
    assert (problem["code"], problem["line"]) == ("bad_csv", 3), problem
    assert problem["detail"].startswith("Line 3 is not valid CSV"), problem
    r = await client.post(
        f"/api/v1/events/{slug}/registrations/import",
        data=text.encode(),
        headers={**auth(servers.token()), "Content-Type": "text/csv", "Accept-Language": "pl"},
    )
    assert r.status == 400, await r.text()
    assert (await r.json())["detail"].startswith("Wiersz 3 pliku nie jest poprawnym CSV")
    r = await client.get(f"/api/v1/events/{slug}/registrations", headers=auth(servers.token()))
    assert (await r.json())["registrations"] == []
