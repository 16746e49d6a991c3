"""CSV import of attendees by an organizer: every row is checked first, then all rows are
registered in one transaction, or none is and each bad row is reported."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import msgspec
from email_validator import EmailNotValidError, validate_email

from services.registration.audited import ByStaff
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
from services.registration.schemas import RegisterRequest, normalize_email
from shared.http import validation_field
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
            message = str(e)
            field = validation_field(message)
            errors.append({"line": line, "error": message.split(" - at ")[0], "field": field})
            continue
        try:
            key = validate_email(row.email, check_deliverability=False, strict=True).normalized
        except EmailNotValidError as e:  # pragma: no cover - RegisterRequest checked it
            errors.append({"line": line, "error": str(e), "field": "email"})
            continue
        key = key.casefold()
        if key in seen:
            errors.append(
                {
                    "line": line,
                    "error": f"same email as line {seen[key]}",
                    "field": "email",
                    "same_as": seen[key],
                }
            )
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BAD_ENCODING() from None


class Line(msgspec.Struct, frozen=True):
    """One line of an uploaded file as its preview reports it: a good line's person, or
    a bad line's error (in English, with the field it concerns, the earlier line of the
    same address, or that the address is registered already)."""

    line: int
    name: str = ""
    email: str = ""
    error: str | None = None
    field: str | None = None
    same_as: int | None = None
    registered: bool = False


async def preview_rows(pool: asyncpg.Pool, event: Event, text: str) -> list[Line]:
    """What importing ``text`` would do, line by line, storing nothing: each good line's
    person, each bad line's error (refused as a whole, like import_rows, when the file
    itself cannot be read)."""
    rows, errors = await _checked(pool, event, text)
    return report(errors, rows)


def report(
    errors: list[dict[str, Any]], rows: list[tuple[int, RegisterRequest]] | None = None
) -> list[Line]:
    """Each line's result, from the errors (as IMPORT_REJECTED lists them) and good rows."""
    good = dict(rows or [])
    bad = {e["line"]: {k: v for k, v in e.items() if k != "line"} for e in errors}
    lines = [Line(line, row.name, row.email, **bad.get(line, {})) for line, row in good.items()]
    lines += [Line(line, **e) for line, e in bad.items() if line not in good]
    return sorted(lines, key=lambda one: one.line)


async def import_rows(
    pool: asyncpg.Pool, sealer: Sealer, event: Event, text: str, by: ByStaff | None = None
) -> dict[str, int]:
    """Register every row of the CSV ``text`` in one transaction, or none (refused with every
    bad row); how many were imported, confirmed and waitlisted. ``by``: the person in the
    back office."""
    rows, errors = await _checked(pool, event, text)
    if errors:
        raise IMPORT_REJECTED(count=len(errors), rows=sorted(errors, key=lambda e: e["line"]))
    registrations = [new_registration(event, row, sealer) for _, row in rows]
    counts = {"confirmed": 0, "waitlisted": 0}
    async with pool.acquire() as conn, conn.transaction():
        for registration, _token in registrations:
            outcome = await insert_registrations(conn, event, [registration])
            counts[outcome.status] += 1
        imported = {"imported": len(registrations), **counts}
        if by is not None:
            await by.record(conn, "registrations.imported", after=imported)
    return imported


async def _checked(
    pool: asyncpg.Pool, event: Event, text: str
) -> tuple[list[tuple[int, RegisterRequest]], list[dict[str, Any]]]:
    """The good rows with their lines, and every bad line's error: syntax, the same address
    twice in the file, an address already registered for the event."""
    rows, errors = parse_rows(text)
    numbered = list(zip(_lines(rows, errors), rows, strict=True))
    taken = await db.select_registration_ids_by_email(
        pool, event.id, [_email_key(row.email) for row in rows]
    )
    for line, row in numbered:
        if _email_key(row.email) in taken:
            errors.append(
                {
                    "line": line,
                    "error": "already registered for this event",
                    "field": "email",
                    "registered": True,
                }
            )
    return numbered, errors


def _email_key(email: str) -> str:
    return normalize_email(email).casefold()


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
