"""Rendering back-office pages: the frame (templates/office/base.html), the signed-in
person's language, CSRF tokens for the forms, field errors, and the 403 and 404 pages.

A service that serves back-office pages sets up its templates with ``setup_templates``:
its own folders, then this package's (the frame and its macros).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from shared.auth import StaffClaims
from shared.csrf import csrf_token
from shared.language import page_lang
from shared.office.texts import TEXTS
from shared.refusals import Refused
from shared.timefmt import local_time

TEMPLATES = Path(__file__).with_name("templates")
STYLE = Path(__file__).with_name("static") / "office.css"


def setup_templates(app: web.Application, *folders: Path) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader([*folders, TEMPLATES]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def lang_of(request: web.Request, claims: StaffClaims | None) -> str:
    """The signed-in person's language; before signing in, the browser's."""
    return claims.lang if claims is not None and claims.lang in TEXTS else page_lang(request)


def render(
    request: web.Request,
    template: str,
    claims: StaffClaims | None,
    texts: Mapping[str, Mapping[str, str]] | None = None,
    *,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    **context: Any,
) -> web.Response:
    """A back-office page. ``texts``: the feature's words by language, over the frame's;
    ``errors``: field name -> message, shown at each field and summed up at the top."""
    lang = lang_of(request, claims)
    words = {**TEXTS[lang], **(texts or {}).get(lang, {})}
    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": words,
            "staff": claims,
            "csrf": csrf_token(request),
            "errors": dict(errors or {}),
            "local": local_time,
            "path": request.path,
            "path_qs": request.path_qs,
            **context,
        },
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def forbidden(request: web.Request, claims: StaffClaims | None) -> web.Response:
    return message_page(request, claims, "forbidden", "forbidden_text", 403)


def not_found(request: web.Request, claims: StaffClaims | None) -> web.Response:
    return message_page(request, claims, "not_found", "not_found_text", 404)


def message_page(
    request: web.Request, claims: StaffClaims | None, title: str, text: str, status: int
) -> web.Response:
    lang = lang_of(request, claims)
    return render(
        request,
        "office/message.html",
        claims,
        status=status,
        title=TEXTS[lang][title],
        message=TEXTS[lang][text],
    )


def refused_page(request: web.Request, claims: StaffClaims, refused: Refused) -> web.Response:
    """A refusal no handler brought back onto its form: the message page with the refusal's
    text in the person's language, its status and headers kept, and a link back."""
    lang = lang_of(request, claims)
    refusal = refused.refusal
    if refusal.page_title is not None:
        title = refusal.page_title[lang]
    else:
        title = TEXTS[lang]["not_found" if refused.status == 404 else "refused"]
    response = render(
        request,
        "office/message.html",
        claims,
        status=refused.status,
        title=title,
        message=refused.text(lang),
        back=_page_above(request),
    )
    response.headers.update(refused.headers)
    return response


def _page_above(request: web.Request) -> str | None:
    """The page a form was sent from, as far as the path tells: the path itself or the
    nearest path above it that is a page (no Referer comes: the policy is no-referrer)."""
    parts = request.path.rstrip("/").split("/")
    last = len(parts) if request.method != "GET" else len(parts) - 1
    for end in range(last, 3, -1):  # below /office/<section>
        path = "/".join(parts[:end])
        if _has_get(request.app, path):
            return path
    return None


def _has_get(app: web.Application, path: str) -> bool:
    for resource in app.router.resources():
        info = resource.get_info()
        pattern = info.get("pattern")
        found = pattern.fullmatch(path) if pattern is not None else info.get("path") == path
        if found and any(route.method == "GET" for route in resource):
            return True
    return False
