"""Reading the event pages' forms into the API's request bodies, and the field errors of
what cannot be read or was refused, in the person's language.

A form field is named as the API field it fills (``name.pl`` -> ``name_pl``,
``profile_fields.role`` -> ``profile_role``), with a prefix for rows (``s0_slug``). Each
field is checked on its own against a valid body, so every wrong field is reported at once;
then the whole body, for what depends on two fields (an end after its start).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from services.registration.schemas import PROFILE_FIELDS
from shared.http import Form, validation_field
from shared.refusals import Refused
from shared.timefmt import VENUE_TZ

T = TypeVar("T")
NAMED = {"name", "description", "label"}
# The API refusals that name no field but are about one.
REFUSED_AT = {
    "slug_taken": "slug",
    "session_exists": "slug",
    "ticket_type_exists": "slug",
    "question_exists": "key",
    "capacity_below_taken": "capacity",
}


def form_name(path: str) -> str:
    """The form field of an API field's path (``options[1].value`` -> ``options``)."""
    head = path.split("[")[0]
    return head.replace("profile_fields.", "profile_").replace(".", "_")


def text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def optional(form: Form, name: str) -> str | None:
    return text(form, name) or None


def number(form: Form, name: str, required: bool = True) -> int | str | None:
    """An int, or what was typed (the check names it), or None when left empty."""
    value = text(form, name)
    if not value:
        return "" if required else None
    try:
        return int(value.replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return value


def local_time(form: Form, name: str, required: bool = True) -> datetime | str | None:
    """``<input type=datetime-local>``: a date and time in Warsaw, as an aware datetime."""
    value = text(form, name)
    if not value:
        return "" if required else None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if moment.tzinfo else moment.replace(tzinfo=VENUE_TZ)


def local_input(moment: datetime | None) -> str:
    """An aware datetime as ``<input type=datetime-local>`` shows it, in Warsaw."""
    return moment.astimezone(VENUE_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""


def localized(form: Form, prefix: str) -> dict[str, str]:
    return {"pl": text(form, f"{prefix}_pl"), "en": text(form, f"{prefix}_en")}


def slugify(value: str, separator: str = "-") -> str:
    """A slug made from a name: ASCII lower case, other characters as one separator."""
    plain = unicodedata.normalize("NFKD", value.replace("ł", "l").replace("Ł", "L"))
    ascii_only = plain.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", separator, ascii_only).strip(separator)[:63].strip(separator)


def check(
    data: Mapping[str, Any], type_: type[T], valid: Mapping[str, Any], joint: tuple[str, ...] = ()
) -> tuple[T | None, list[str]]:
    """``data`` as ``type_``, or the paths of its wrong fields: each field tried in ``valid``
    (a valid body), except the ``joint`` ones, checked only with the rest."""
    wrong: list[str] = []
    for key, value in data.items():
        if key in joint:
            continue
        if isinstance(value, dict):
            for sub, item in value.items():
                trial = {**valid, key: {**valid.get(key, {}), sub: item}}
                if _fails(trial, type_, f"{key}.{sub}"):
                    wrong.append(f"{key}.{sub}")
        elif _fails({**valid, key: value}, type_, key):
            wrong.append(key)
    # What holds between fields (an end after its start) is checked too, the wrong fields
    # taken as valid ones meanwhile: every error of the form shows at the first submit.
    mended = dict(data)
    for key in {w.split(".")[0].split("[")[0] for w in wrong}:
        if key in valid:
            mended[key] = valid[key]
        else:
            mended.pop(key, None)
    try:
        body = msgspec.convert(mended, type_)
    except msgspec.ValidationError as e:
        found = validation_field(str(e))
        return None, wrong + [found] if found not in wrong else wrong
    return (None, wrong) if wrong else (body, [])


def _fails(trial: Mapping[str, Any], type_: type[T], path: str) -> bool:
    try:
        msgspec.convert(trial, type_)
    except msgspec.ValidationError as e:
        # A complaint about another field is about the two together: the whole body's.
        found = validation_field(str(e))
        return found == path or found.startswith((f"{path}.", f"{path}["))
    return False


def messages(
    paths: list[str], t: Mapping[str, str], prefix: str = "", rename: Mapping[str, str] = {}
) -> dict[str, str]:
    """Field errors by form field, each with its field's message."""
    errors: dict[str, str] = {}
    for path in paths:
        name = form_name(path)
        name = rename.get(name, name)
        errors[prefix + name] = t.get(f"err_{name}", t["err_invalid"])
    return errors


def refused_errors(
    e: Refused,
    lang: str,
    t: Mapping[str, str],
    fields: tuple[str, ...],
    prefix: str = "",
    rename: Mapping[str, str] = {},
) -> dict[str, str]:
    """A use case's refusal at the form's fields; none when it is about no field (the page
    then shows it above the form)."""
    at = REFUSED_AT.get(e.code)
    if at in fields:
        return {prefix + at: e.text(lang)}
    if e.code == "validation_failed":
        named = [err.field for err in e.errors if form_name(err.field) in fields]
        if named:
            return messages(named, t, prefix, rename)
    found = [form_name(err.field) for err in e.errors if form_name(err.field) in fields]
    return {prefix + found[0]: e.text(lang)} if found else {}


PROFILE_FORM = tuple(f"profile_{name}" for name in PROFILE_FIELDS)
