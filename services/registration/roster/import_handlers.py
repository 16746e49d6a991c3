"""HTTP of the back office's CSV import: upload, a preview with each line's result
(nothing stored), then a confirmation that imports as the API does."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.registration.audited import ByStaff
from services.registration.events.setup import find_event
from services.registration.records import Event
from services.registration.roster.importing import (
    MAX_ROWS,
    OPTIONAL,
    REQUIRED,
    Line,
    decode,
    report,
)
from services.registration.roster.staging import Staged, import_draft, stage
from services.registration.roster.texts import TEXTS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office.pages import lang_of, render
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.sealing import SEALER

# A form's whole body, as aiohttp reads forms (its client_max_size); the API takes 2 MiB.
MAX_FORM_BYTES = 1024 * 1024
MAX_FILE_KIB = MAX_FORM_BYTES // 1024 - 24  # what is left for the file, KiB
IMPORTED = ("imported", "confirmed", "waitlisted")


def _page(
    request: web.Request,
    event: Event,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    staged: Staged | None = None,
    imported: list[str] | None = None,
) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    t = TEXTS[lang]
    return render(
        request,
        "office/registrations/import.html",
        claims,
        TEXTS,
        status=status,
        errors=errors,
        slug=event.slug,
        tab="tab_import",
        event_name=getattr(event.name, lang),
        intro=t["import_intro"].format(", ".join(REQUIRED + OPTIONAL), MAX_ROWS, MAX_FILE_KIB),
        staged=staged,
        results=[(line, _result(t, line)) for line in staged.lines] if staged else [],
        imported=t["imported"].format(*imported) if imported else None,
    )


def _result(t: dict[str, str], line: Line) -> str:
    if line.error is None:
        return t["line_ok"]
    if line.same_as is not None:
        return t["line_same_as"].format(line.same_as)
    if line.registered:
        return t["line_registered"]
    return t.get(f"line_{line.field}", line.error)


async def import_page(request: web.Request) -> web.Response:
    event = await find_event(request.app[DB_POOL], request.match_info["slug"], include_drafts=True)
    done = [request.query.get(k, "") for k in IMPORTED]
    return _page(request, event, imported=done if all(v.isdigit() for v in done) else None)


def _file_error(lang: str, e: Refused) -> str:
    t = TEXTS[lang]
    if e.code == "bad_csv":
        return t["err_bad_csv"].format(e.values.get("line"))
    if e.code == "bad_csv_header":
        return t["err_bad_csv_header"].format(", ".join(REQUIRED + OPTIONAL))
    if e.code == "too_many_rows":
        return t["err_too_many_rows"].format(MAX_ROWS)
    return t.get(f"err_{e.code}") or e.text(lang)


async def preview_import(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    too_large = {"file": TEXTS[lang]["err_file_too_large"].format(MAX_FILE_KIB)}
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _page(request, event, status=413, errors=too_large)
    try:
        form = await read_form(request)
    except web.HTTPRequestEntityTooLarge:
        return _page(request, event, status=413, errors=too_large)
    upload: Any = form.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return _page(request, event, status=400, errors={"file": TEXTS[lang]["err_file"]})
    try:
        staged = await stage(pool, event, claims.sub, decode(upload.file.read()))
    except Refused as e:
        return _page(request, event, status=400, errors={"file": _file_error(lang, e)})
    if staged.draft_id is None:
        errors = {"file": TEXTS[lang]["err_file_lines"].format(staged.wrong)}
        return _page(request, event, status=400, errors=errors, staged=staged)
    return _page(request, event, staged=staged)


async def confirm_import(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    form = await read_form(request)
    try:
        draft_id = uuid.UUID(str(form.get("draft", "")))
    except ValueError:
        return _page(request, event, status=400, errors={"file": TEXTS[lang]["err_draft"]})
    by = ByStaff(claims, event.slug)
    try:
        done = await import_draft(pool, request.app[SEALER], event, draft_id, by)
    except Refused as e:
        if e.code != "import_rejected":
            return _page(request, event, status=e.status, errors={"file": _file_error(lang, e)})
        lines = report(e.values["rows"])
        staged = Staged(lines, None)
        errors = {"file": TEXTS[lang]["err_file_lines"].format(staged.wrong)}
        return _page(request, event, status=e.status, errors=errors, staged=staged)
    query = "&".join(f"{k}={done[k]}" for k in IMPORTED)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/import?{query}")
