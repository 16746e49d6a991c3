"""CSV import of attendees by an organizer: every row is checked first, then all rows are
registered in one transaction, or none is and each bad row is reported."""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from aiohttp import web
from email_validator import EmailNotValidError, validate_email

from services.registration import db
from services.registration.handlers import event_or_404, insert_registrations, new_registration
from services.registration.schemas import RegisterRequest
from shared.http import ProblemError, json_response, read_body
from shared.keys import DB_POOL
from shared.sealing import SEALER

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
        raise ProblemError(
            400,
            "bad_csv",
            f"Line {line} is not valid CSV: a field holds a line break without being in"
            f" double quotes, or is longer than {FIELD_LIMIT_KIB} KiB; nothing was imported.",
            extra={"line": line},
        ) from None


def _check_rows(
    reader: csv.DictReader[str],
) -> tuple[list[RegisterRequest], list[dict[str, Any]]]:
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise ProblemError(
            400,
            "bad_csv_header",
            f"The first line must name the columns: {', '.join(REQUIRED + OPTIONAL)}"
            f" (name and email required); missing {missing or 'none'},"
            f" unknown {unknown or 'none'}.",
        )
    rows: list[RegisterRequest] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise ProblemError(413, "too_many_rows", f"At most {MAX_ROWS} rows per import.")
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


async def import_registrations(request: web.Request) -> web.Response:
    if request.content_type not in ("text/csv", "text/plain"):
        raise ProblemError(415, "unsupported_media_type", "Send the file as text/csv.")
    raw = await read_body(request, MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(400, "bad_encoding", "The file must be UTF-8.") from None
    event = await event_or_404(request, include_drafts=True)
    rows, errors = parse_rows(text)
    pool = request.app[DB_POOL]
    sealer = request.app[SEALER]
    registrations = [new_registration(event, row, sealer) for row in rows]
    taken = await db.select_registration_ids_by_email(
        pool, event.id, [r.email.casefold() for r, _ in registrations]
    )
    for line, (registration, _) in zip(_lines(rows, errors), registrations, strict=True):
        if registration.email.casefold() in taken:
            errors.append({"line": line, "error": "already registered for this event"})
    if errors:
        raise ProblemError(
            422,
            "import_rejected",
            f"{len(errors)} rows are wrong; nothing was imported.",
            extra={"rows": sorted(errors, key=lambda e: e["line"])},
        )
    counts = {"confirmed": 0, "waitlisted": 0}
    async with pool.acquire() as conn, conn.transaction():
        for registration, _token in registrations:
            status, _ = await insert_registrations(conn, event, [registration])
            counts[status] += 1
    return json_response({"imported": len(registrations), **counts}, status=201)


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
