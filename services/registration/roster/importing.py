"""CSV import of attendees by an organizer: every row is checked first, then all rows are
registered in one transaction, or none is and each bad row is reported."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import msgspec
from email_validator import EmailNotValidError, validate_email

from services.registration.records import Event
from services.registration.refusals import (
    BAD_CSV,
    BAD_CSV_HEADER,
    BAD_ENCODING,
    IMPORT_REJECTED,
    TOO_MANY_ROWS,
)
from services.registration.registrations import db
from services.registration.registrations.registering import insert_registrations, new_registration
from services.registration.schemas import RegisterRequest
from shared.sealing import Sealer

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
REQUIRED = ("name", "email")
OPTIONAL = ("lang", "organization", "country", "role")
FIELD_LIMIT_KIB = csv.field_size_limit() // 1024


def parse_rows(text: str) -> tuple[list[RegisterRequest], list[dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _check_rows(reader)
    except csv.Error:
        # The parser gives up on a line: a carriage return alone inside a field that is not
        # quoted, or a field over its limit (csv.field_size_limit(), 128 KiB).
        line = reader.reader.line_num  # the physical line; DictReader's own lags behind
        raise BAD_CSV(line=line, kib=FIELD_LIMIT_KIB) from None


def _check_rows(
    reader: csv.DictReader[str],
) -> tuple[list[RegisterRequest], list[dict[str, Any]]]:
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise BAD_CSV_HEADER(
            columns=", ".join(REQUIRED + OPTIONAL),
            missing=missing or "none",
            unknown=unknown or "none",
        )
    rows: list[RegisterRequest] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise TOO_MANY_ROWS(limit=MAX_ROWS)
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        data: dict[str, Any] = {
            "name": values.get("name", ""),
            "email": values.get("email", ""),
            "lang": values.get("lang") or "pl",
            "consent": True,
        }
        for field in ("organization", "country", "role"):
            if values.get(field):
                data[field] = values[field]
        try:
            row = msgspec.convert(data, RegisterRequest)
        except msgspec.ValidationError as e:
            errors.append({"line": line, "error": str(e).split(" - at ")[0]})
            continue
        try:
            key = validate_email(row.email, check_deliverability=False, strict=True).normalized
        except EmailNotValidError as e:  # pragma: no cover - RegisterRequest checked it
            errors.append({"line": line, "error": str(e)})
            continue
        key = key.casefold()
        if key in seen:
            errors.append({"line": line, "error": f"same email as line {seen[key]}"})
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BAD_ENCODING() from None


async def import_rows(
    pool: asyncpg.Pool, sealer: Sealer, event: Event, text: str
) -> dict[str, int]:
    """Register every row of the CSV ``text`` in one transaction, or none (refused with every
    bad row); how many were imported, confirmed and waitlisted."""
    rows, errors = parse_rows(text)
    registrations = [new_registration(event, row, sealer) for row in rows]
    taken = await db.select_registration_ids_by_email(
        pool, event.id, [r.email.casefold() for r, _ in registrations]
    )
    for line, (registration, _) in zip(_lines(rows, errors), registrations, strict=True):
        if registration.email.casefold() in taken:
            errors.append({"line": line, "error": "already registered for this event"})
    if errors:
        raise IMPORT_REJECTED(count=len(errors), rows=sorted(errors, key=lambda e: e["line"]))
    counts = {"confirmed": 0, "waitlisted": 0}
    async with pool.acquire() as conn, conn.transaction():
        for registration, _token in registrations:
            outcome = await insert_registrations(conn, event, [registration])
            counts[outcome.status] += 1
    return {"imported": len(registrations), **counts}


def _lines(rows: list[RegisterRequest], errors: list[dict[str, Any]]) -> list[int]:
    """The CSV line of each good row (bad lines are skipped when numbering)."""
    bad = {e["line"] for e in errors}
    lines, line = [], 2
    for _ in rows:
        while line in bad:
            line += 1
        lines.append(line)
        line += 1
    return lines
