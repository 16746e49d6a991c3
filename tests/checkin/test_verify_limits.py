"""Uploaded certificates are read by a bounded worker process: hostile files are answered as not
verifiable and cost checkin nothing, a full queue is answered 503, and each client address has
a per-minute allowance."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from services.checkin.evidence.pdf_queue import PDF_QUEUE
from tests.checkin.test_certificates import _pdf, _scan, _setup
from tests.factories import eventually, quiet_minute
from tests.hostile_pdfs import decompression_bomb, plain_pdf, slow_pdf

API = "/api/v1/certificates/verify"
PDF = {"Content-Type": "application/pdf"}
# Hang guards, not measurements: each answer comes in well under a tenth of these.
ANSWER_WITHIN = 60


def _form(pdf: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    # A file object: aiohttp warns about bodies of over a megabyte given as bytes.
    form.add_field("certificate", io.BytesIO(pdf), filename="c.pdf", content_type="application/pdf")
    return form


async def _verdict(checkin: Any, pdf: bytes | AsyncIterator[bytes]) -> dict[str, Any]:
    body = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    async with asyncio.timeout(ANSWER_WITHIN):
        r = await checkin.post(API, data=body, headers=PDF)
        assert r.status == 200, await r.text()
        return dict(await r.json())


def _status_kb(field: str) -> int:
    found = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert found, field
    return int(found.group(1))


async def test_hostile_files_are_not_verifiable_and_the_worker_reads_the_next_one(
    service_client: Any, servers: Any
) -> None:
    s = await _setup(service_client, servers, {"name": "Zażółć Gęślą Jaźń", "lang": "pl"})
    [anna] = s.people
    await _scan(s, servers, anna)
    pdf, _ = await _pdf(s, anna)
    queue = s.checkin.app[PDF_QUEUE]

    verdict = await _verdict(s.checkin, decompression_bomb())
    assert (verdict["genuine"], verdict["reason"]) == (False, "too_complex"), verdict
    assert verdict["message"]["pl"].startswith("Tego pliku nie da się sprawdzić")
    async with asyncio.timeout(ANSWER_WITHIN):
        r = await s.checkin.post("/verify?lang=en", data=_form(decompression_bomb()))
    assert r.status == 200
    page = await r.text()
    assert 'data-reason="too_complex"' in page and "This file is too complex to check" in page
    assert (await _verdict(s.checkin, pdf))["reason"] == "genuine"

    # A file that takes the worker past its CPU time ends it: the next file has a new one.
    first_worker = queue.worker_pid
    assert first_worker is not None
    assert (await _verdict(s.checkin, slow_pdf()))["reason"] == "too_complex"
    verdict = await _verdict(s.checkin, pdf)
    assert (verdict["genuine"], verdict["reason"]) == (True, "genuine"), verdict
    assert verdict["certificate"]["holder"] == "Zażółć Gęślą Jaźń"
    assert queue.worker_pid not in (None, first_worker)


async def test_checkin_memory_stays_flat_across_decompression_bombs(
    service_client: Any,
) -> None:
    checkin = await service_client("checkin")
    bomb = decompression_bomb()
    assert (await _verdict(checkin, bomb))["reason"] == "too_complex"  # the worker is up
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM, the peak, starts again from now
    before = _status_kb("VmHWM")
    for _ in range(8):  # bench/verify_flood.py sends them by the hundred
        assert (await _verdict(checkin, bomb))["reason"] == "too_complex"
    grown = _status_kb("VmHWM") - before
    # Read here, one bomb alone took 75 MB more at its peak (pypdf's own limit).
    assert grown < 40 * 1024, f"the peak grew by {grown} kB"


async def _held_upload(checkin: Any, pdf: bytes, release: asyncio.Event) -> dict[str, Any]:
    """An upload whose body stops halfway until ``release`` is set."""

    async def body() -> AsyncIterator[bytes]:
        yield pdf[:100]
        await release.wait()
        yield pdf[100:]

    return await _verdict(checkin, body())


async def test_a_full_queue_is_answered_503_with_retry_after(service_client: Any) -> None:
    checkin = await service_client("checkin")
    queue = checkin.app[PDF_QUEUE]
    release = asyncio.Event()
    held = [
        asyncio.create_task(_held_upload(checkin, plain_pdf(), release))
        for _ in range(queue.places)
    ]

    async def all_taken() -> bool:
        return bool(queue.taken == queue.places)

    await eventually(all_taken)
    r = await checkin.post(API, data=plain_pdf(), headers={**PDF, "Accept-Language": "pl"})
    assert r.status == 503 and r.headers["Retry-After"] == "5"
    problem = await r.json()
    assert problem["code"] == "verify_busy"
    assert problem["detail"] == "Właśnie sprawdzamy wiele plików. Spróbuj ponownie za kilka sekund."
    r = await checkin.post("/verify?lang=en", data=_form(plain_pdf()))
    assert r.status == 503 and r.headers["Retry-After"] == "5"
    page = await r.text()
    assert 'data-notice="busy"' in page and "We are checking many files just now." in page
    assert "data-reason" not in page

    release.set()
    for upload in held:
        assert (await upload)["reason"] == "no_token"
    assert (await _verdict(checkin, plain_pdf()))["reason"] == "no_token"


async def test_a_worker_that_stops_answering_is_replaced(service_client: Any) -> None:
    checkin = await service_client("checkin", verify_timeout_seconds=1)
    queue = checkin.app[PDF_QUEUE]
    assert (await _verdict(checkin, plain_pdf()))["reason"] == "no_token"
    stopped = queue.worker_pid
    assert stopped is not None
    os.kill(stopped, signal.SIGSTOP)

    r = await checkin.post(API, data=plain_pdf(), headers=PDF)
    assert r.status == 503 and r.headers["Retry-After"] == "5"
    assert (await r.json())["code"] == "verify_busy"
    assert (await _verdict(checkin, plain_pdf()))["reason"] == "no_token"
    assert queue.worker_pid not in (None, stopped)
    assert not Path(f"/proc/{stopped}").exists()


async def test_uploads_per_address_are_limited(service_client: Any) -> None:
    checkin = await service_client(
        "checkin", verify_rate_limit=2, trusted_proxies=("127.0.0.1/32",)
    )
    client, neighbour = (f"2001:db8::{uuid.uuid4().hex[:4]}:{n}" for n in (1, 2))
    headers = {**PDF, "X-Forwarded-For": client, "Accept-Language": "pl"}
    await quiet_minute(needed=12)  # the worker rests after each file
    for _ in range(2):
        r = await checkin.post(API, data=plain_pdf(), headers=headers)
        assert r.status == 200, await r.text()

    r = await checkin.post(API, data=plain_pdf(), headers=headers)
    assert r.status == 429, await r.text()
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    problem = await r.json()
    assert problem["code"] == "verify_rate_limited"
    assert problem["detail"].startswith("Z tego adresu sprawdzono w ostatniej minucie")
    r = await checkin.post(
        "/verify?lang=en", data=_form(plain_pdf()), headers={"X-Forwarded-For": client}
    )
    assert r.status == 429 and "Retry-After" in r.headers
    page = await r.text()
    assert 'data-notice="rate_limited"' in page and "Too many files were checked" in page
    # A token is checked without a file, and another address has its own allowance.
    r = await checkin.post(API, json={"token": "CNKC1.x.y"}, headers={"X-Forwarded-For": client})
    assert r.status == 200 and (await r.json())["reason"] == "malformed"
    r = await checkin.post(API, data=plain_pdf(), headers={**PDF, "X-Forwarded-For": neighbour})
    assert r.status == 200 and (await r.json())["reason"] == "no_token"
