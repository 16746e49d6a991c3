"""Bad input on every HTTP endpoint of the four services, through real HTTP.

Every refusal is a 4xx RFC 9457 problem (application/problem+json) with a ``code`` and a
``detail``; validation problems name the offending field; nothing is half-written.
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import field_messages
from shared.auth import generate_keypair, issue_token
from tests.factories import auth, event_body, registration_body, unique

PROBLEM = "application/problem+json"
TWO_MB = 2 * 1024 * 1024


async def assert_problem(
    r: Any, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    text = await r.text()
    assert r.status == status, text
    assert r.content_type == PROBLEM, (r.content_type, text)
    problem = json.loads(text)
    assert problem["status"] == status, problem
    assert problem["code"] == code, problem
    assert isinstance(problem["detail"], str) and problem["detail"].strip(), problem
    assert problem["title"] and problem["type"].endswith(f"/{code}"), problem
    if field is not None:
        named = [e["field"] for e in problem["errors"]]
        # A list item or a nested member names the field it is in: sessions[0], name.pl.
        assert any(n == field or n.startswith((f"{field}[", f"{field}.")) for n in named), problem
        assert all(e["message"] for e in problem["errors"]), problem
    for e in problem.get("errors", []) if r.headers.get("Content-Language") != "pl" else ():
        # Every message a refusal can carry has its Polish wording (Accept-Language: pl).
        assert field_messages.polish(e["message"]) is not None, e
    return problem


# --- targets: each JSON-body endpoint with a valid body and a way to check for leftovers


@dataclass
class Target:
    client: Any
    url: str
    headers: dict[str, str]
    valid: dict[str, Any]
    check_untouched: Any = None  # async (sent body) -> None
    state: dict[str, Any] = field(default_factory=dict)
    method: str = "POST"
    # The fields that must be there (None: all of the valid body's but "status"); partial
    # updates have none.
    required: tuple[str, ...] | None = None

    async def post(self, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.client.request(self.method, self.url, headers=headers, **kw)


async def _events_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    organizer = auth(servers.token())

    async def untouched(sent: Any) -> None:
        slug = sent.get("slug") if isinstance(sent, dict) else None
        if isinstance(slug, str) and slug and "/" not in slug:
            r = await client.get(f"/api/v1/events/{slug}", headers=organizer)
            assert r.status == 404, f"refused event {slug!r} exists: {await r.text()}"

    return Target(client, "/api/v1/events", organizer, event_body(), untouched)


async def _registrations_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    event = event_body(capacity=5)
    r = await client.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()

    async def untouched(sent: Any) -> None:
        r = await client.get(f"/api/v1/events/{event['slug']}")
        assert r.status == 200, await r.text()
        assert (await r.json())["seats_left"] == 5

    return Target(
        client,
        f"/api/v1/events/{event['slug']}/registrations",
        {},
        registration_body(),
        untouched,
        {"event": event},
    )


async def _scans_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("checkin")
    door = auth(servers.token("door"))

    async def untouched(sent: Any) -> None:
        # The refused request recorded nothing under its scan_id: a proper request with the
        # same scan_id gets its own verdict, not a replay of a stored one.
        try:
            scan_id = str(uuid.UUID(str(sent.get("scan_id")))) if isinstance(sent, dict) else None
        except ValueError:
            scan_id = None
        if scan_id is None:
            return
        r = await client.post(
            "/api/v1/scans",
            json={"code": "CNK1NOPE", "gate": "after-check", "scan_id": scan_id},
            headers=door,
        )
        assert r.status == 200, await r.text()
        verdict = await r.json()
        assert (verdict["result"], verdict["gate"]) == ("invalid", "after-check"), verdict

    body = {"code": "CNK1NOTAREALCODE", "gate": "hall-a", "scan_id": str(uuid.uuid4())}
    return Target(client, "/api/v1/scans", door, body, untouched)


def _session_body(slug: str, hour: int, capacity: int = 5) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14, hours=hour)
    return {
        "slug": slug,
        "name": {"pl": f"Warsztat {slug}", "en": f"Workshop {slug}"},
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
    }


async def _event_with_sessions(client: Any, servers: Any) -> dict[str, Any]:
    event = event_body(capacity=5, sessions=[_session_body("ai", 1), _session_body("iot", 3)])
    r = await client.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return event


async def _sessions_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    event = await _event_with_sessions(client, servers)

    async def untouched(sent: Any) -> None:
        r = await client.get(f"/api/v1/events/{event['slug']}/sessions")
        assert [s["slug"] for s in (await r.json())["sessions"]] == ["ai", "iot"]

    return Target(
        client,
        f"/api/v1/events/{event['slug']}/sessions",
        auth(servers.token()),
        _session_body("vr", 5),
        untouched,
    )


async def _event_update_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    event = await _event_with_sessions(client, servers)

    async def untouched(sent: Any) -> None:
        r = await client.get(f"/api/v1/events/{event['slug']}")
        now = await r.json()
        assert (now["venue"], now["capacity"], now["name"]) == (
            event["venue"],
            5,
            event["name"],
        ), now

    return Target(
        client,
        f"/api/v1/events/{event['slug']}",
        auth(servers.token()),
        {"venue": "Aula", "capacity": 7, "name": {"pl": "Nowa", "en": "New"}},
        untouched,
        method="PATCH",
        required=(),
    )


async def _session_update_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    event = await _event_with_sessions(client, servers)

    async def untouched(sent: Any) -> None:
        r = await client.get(f"/api/v1/events/{event['slug']}/sessions")
        ai = (await r.json())["sessions"][0]
        assert (ai["capacity"], ai["name"]["en"]) == (5, "Workshop ai"), ai

    return Target(
        client,
        f"/api/v1/events/{event['slug']}/sessions/ai",
        auth(servers.token()),
        {"capacity": 7, "name": {"pl": "Nowa", "en": "New"}},
        untouched,
        method="PATCH",
        required=(),
    )


async def _session_change_target(service_client: Any, servers: Any) -> Target:
    client = await service_client("registration")
    event = await _event_with_sessions(client, servers)
    r = await client.post(
        f"/api/v1/events/{event['slug']}/registrations",
        json=registration_body(sessions=["ai"]),
    )
    assert r.status == 201, await r.text()
    reg = await r.json()

    async def untouched(sent: Any) -> None:
        r = await client.get(
            f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"])
        )
        assert [(s["slug"], s["status"]) for s in (await r.json())["sessions"]] == [
            ("ai", "confirmed")
        ]

    return Target(
        client,
        f"/api/v1/registrations/{reg['id']}/sessions",
        auth(reg["manage_token"]),
        {"sessions": ["iot"]},
        untouched,
        method="PUT",
    )


TARGETS = {
    "events": _events_target,
    "registrations": _registrations_target,
    "scans": _scans_target,
    "sessions": _sessions_target,
    "event-update": _event_update_target,
    "session-update": _session_update_target,
    "session-change": _session_change_target,
}


@pytest.fixture(params=sorted(TARGETS))
async def target(request: pytest.FixtureRequest, module_client: Any, servers: Any) -> Target:
    # Each target has an event of its own: the apps are the module's.
    return await TARGETS[request.param](module_client, servers)


# --- malformed bodies, common to every JSON endpoint


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b'{"', "invalid_json", None),
        (b"{,}", "invalid_json", None),
        (b"{'name': 'Anna'}", "invalid_json", None),
        (b"", "invalid_json", None),
        (b"   ", "invalid_json", None),
        (b"NaN", "invalid_json", None),
        (b'{"\xff\xfe": 1}', "invalid_json", None),
        (b'{"\\ud800": 1}', "invalid_json", None),
        (b"[]", "validation_failed", "$"),
        (b'[{"name": "Anna"}]', "validation_failed", "$"),
        (b"null", "validation_failed", "$"),
        (b'"a string"', "validation_failed", "$"),
        (b"42", "validation_failed", "$"),
        (b"[" * 30_000 + b"]" * 30_000, "validation_failed", "$"),
    ],
    ids=[
        "truncated",
        "stray-comma",
        "single-quotes",
        "empty",
        "whitespace",
        "nan",
        "invalid-utf8",
        "lone-surrogate",
        "empty-array",
        "array-of-object",
        "null",
        "string",
        "number",
        "deeply-nested",
    ],
)
async def test_malformed_json_body_is_400(
    target: Target, raw: bytes, code: str, field: str | None
) -> None:
    r = await target.post(data=raw, headers={"Content-Type": "application/json"})
    await assert_problem(r, 400, code, field)
    await target.check_untouched(None)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_body_whose_content_encoding_does_not_decode_is_400(
    target: Target, encoding: str
) -> None:
    r = await target.post(
        data=json.dumps(target.valid).encode(),
        headers={"Content-Type": "application/json", "Content-Encoding": encoding},
    )
    await _assert_unreadable_body(r)
    await target.check_untouched(target.valid)


async def _assert_unreadable_body(r: Any) -> None:
    """A body that does not decode is refused by the handler reading it (a problem), or,
    when it arrived with the headers, by aiohttp's HTTP parser before any handler ran (its
    own plain-text 400); never a 500."""
    if r.content_type == PROBLEM:
        await assert_problem(r, 400, "unreadable_body")
        assert r.headers["Connection"] == "close"
    else:
        assert r.status == 400, await r.text()


async def test_unknown_extra_field_is_400_naming_it(target: Target) -> None:
    body = {**target.valid, "is_admin": True}
    r = await target.post(json=body)
    await assert_problem(r, 400, "validation_failed", "is_admin")
    await target.check_untouched(body)


async def test_each_missing_required_field_is_400_naming_it(target: Target) -> None:
    if target.required == ():
        # A partial update: every field is optional, and an empty one changes nothing.
        r = await target.post(json={})
        assert r.status == 200, await r.text()
        await target.check_untouched({})
        return
    required = target.required or [k for k in target.valid if k != "status"]
    assert required
    for name in required:
        body = {k: v for k, v in target.valid.items() if k != name}
        r = await target.post(json=body)
        await assert_problem(r, 400, "validation_failed", name)
        await target.check_untouched(body)
    r = await target.post(json={})
    await assert_problem(r, 400, "validation_failed")
    await target.check_untouched({})


async def test_each_field_of_the_wrong_type_is_400_naming_it(target: Target) -> None:
    for name, value in target.valid.items():
        is_int = isinstance(value, int) and not isinstance(value, bool)
        wrong_values: list[Any] = [["a", "list"], None, 1.5 if is_int else 12345]
        if not isinstance(value, str):
            wrong_values.append("a string")
        if not isinstance(value, dict):  # an object where one belongs is checked field by field
            wrong_values.append({"an": "object"})
        if isinstance(value, bool):
            wrong_values.append(1)
        for wrong in wrong_values:
            body = {**target.valid, name: wrong}
            r = await target.post(json=body)
            await assert_problem(r, 400, "validation_failed", name)
            await target.check_untouched(body)


async def test_two_megabyte_body_with_content_length_is_413(target: Target) -> None:
    body = {**target.valid, "name": "x" * TWO_MB}
    raw = io.BytesIO(json.dumps(body).encode())
    r = await target.post(data=raw, headers={"Content-Type": "application/json"})
    await assert_problem(r, 413, "body_too_large")
    await target.check_untouched(body)


async def test_two_megabyte_chunked_body_is_413(target: Target) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(32):
            yield b"x" * (64 * 1024)
        yield b'"}'

    r = await target.post(data=chunks(), headers={"Content-Type": "application/json"})
    await assert_problem(r, 413, "body_too_large")
    await target.check_untouched(None)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/octet-stream",
        None,
    ],
)
async def test_wrong_content_type_is_415(target: Target, content_type: str | None) -> None:
    raw = json.dumps(target.valid).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    r = await target.client.request(
        target.method,
        target.url,
        data=raw,
        headers={**target.headers, **headers},
        skip_auto_headers=["Content-Type"],
    )
    await assert_problem(r, 415, "unsupported_media_type")
    await target.check_untouched(target.valid)


async def test_the_valid_body_of_each_target_is_accepted(target: Target) -> None:
    # Guards the bad-input tests above: they fail on the bad part, not on the rest.
    r = await target.post(json=target.valid)
    assert r.status in (200, 201), await r.text()


# --- POST /api/v1/events


def _later(hours: int = 0) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + timedelta(days=14, hours=hours)).isoformat()


BAD_EVENTS: list[tuple[str, dict[str, Any], str]] = [
    ("ends-before-start", {"starts_at": _later(8), "ends_at": _later(0)}, "ends_at"),
    ("ends-at-start", {"starts_at": _later(0), "ends_at": _later(0)}, "ends_at"),
    ("naive-starts-at", {"starts_at": "2026-11-20T09:00:00"}, "starts_at"),
    ("naive-ends-at", {"ends_at": "2026-11-20T17:00:00"}, "ends_at"),
    ("date-only", {"starts_at": "2026-11-20"}, "starts_at"),
    ("not-a-datetime", {"starts_at": "tomorrow at nine"}, "starts_at"),
    ("slug-upper-space-bang", {"slug": "Bad Slug!"}, "slug"),
    ("slug-leading-dash", {"slug": "-targi"}, "slug"),
    ("slug-one-char", {"slug": "a"}, "slug"),
    ("slug-empty", {"slug": ""}, "slug"),
    ("slug-too-long", {"slug": "a" * 64}, "slug"),
    ("slug-polish", {"slug": "targi-ąę"}, "slug"),
    ("slug-with-slash", {"slug": "targi/2026"}, "slug"),
    ("slug-trailing-newline", {"slug": "targi-2026\n"}, "slug"),
    ("capacity-zero", {"capacity": 0}, "capacity"),
    ("capacity-negative", {"capacity": -1}, "capacity"),
    ("capacity-huge", {"capacity": 10**30}, "capacity"),
    ("capacity-fraction", {"capacity": 1.5}, "capacity"),
    ("capacity-numeric-string", {"capacity": "100"}, "capacity"),
    ("capacity-bool", {"capacity": True}, "capacity"),
    ("kind-unknown", {"kind": "party"}, "kind"),
    ("status-unknown", {"status": "archived"}, "status"),
    ("name-missing-en", {"name": {"pl": "Targi"}}, "name.en"),
    ("name-extra-lang", {"name": {"pl": "Targi", "en": "Fair", "de": "Messe"}}, "name.de"),
    ("name-blank-pl", {"name": {"pl": "   ", "en": "Fair"}}, "name.pl"),
    ("name-empty-en", {"name": {"pl": "Targi", "en": ""}}, "name.en"),
    ("name-too-long", {"name": {"pl": "T" * 201, "en": "Fair"}}, "name.pl"),
    ("name-plain-string", {"name": "Targi"}, "name"),
    ("venue-blank", {"venue": " \t "}, "venue"),
    ("venue-too-long", {"venue": "v" * 201}, "venue"),
    ("venue-nul-character", {"venue": "CNK\u0000"}, "venue"),
    ("name-nul-character", {"name": {"pl": "Targi\u0000", "en": "Fair"}}, "name.pl"),
]


@pytest.mark.parametrize(
    ("overrides", "field"), [c[1:] for c in BAD_EVENTS], ids=[c[0] for c in BAD_EVENTS]
)
async def test_create_event_with_a_bad_field_is_400_naming_it_and_creates_nothing(
    module_client: Any, servers: Any, overrides: dict[str, Any], field: str
) -> None:
    target = await _events_target(module_client, servers)
    body = event_body(**overrides)
    r = await target.post(json=body)
    await assert_problem(r, 400, "validation_failed", field)
    await target.check_untouched(body)


async def test_create_event_with_a_taken_slug_is_409_and_keeps_the_first(
    service_client: Any, servers: Any
) -> None:
    target = await _events_target(service_client, servers)
    first = event_body(capacity=7)
    r = await target.post(json=first)
    assert r.status == 201, await r.text()
    r = await target.post(json=event_body(slug=first["slug"], capacity=9))
    await assert_problem(r, 409, "slug_taken")
    r = await target.client.get(f"/api/v1/events/{first['slug']}")
    assert (await r.json())["capacity"] == 7


# --- POST /api/v1/events/{slug}/registrations


BAD_REGISTRATIONS: list[tuple[str, dict[str, Any], str]] = [
    ("email-not-an-address", {"email": "not-an-email"}, "email"),
    ("email-no-domain-dot", {"email": "anna@localhost"}, "email"),
    ("email-two-ats", {"email": "anna@@example.org"}, "email"),
    ("email-spaces", {"email": "anna nowak@example.org"}, "email"),
    ("email-empty", {"email": ""}, "email"),
    ("email-too-long", {"email": "a" * 250 + "@example.org"}, "email"),
    ("email-local-part-too-long", {"email": "a" * 65 + "@example.org"}, "email"),
    ("email-nul-character", {"email": "anna\u0000@example.org"}, "email"),
    ("name-10000-chars", {"name": "N" * 10_000}, "name"),
    ("name-201-chars", {"name": "N" * 201}, "name"),
    ("name-blank", {"name": "   "}, "name"),
    ("name-empty", {"name": ""}, "name"),
    ("name-tabs-newlines", {"name": "\t\n\r "}, "name"),
    ("name-nul-character", {"name": "Anna\u0000Nowak"}, "name"),
    ("consent-false", {"consent": False}, "consent"),
    ("consent-string", {"consent": "yes"}, "consent"),
    ("consent-one", {"consent": 1}, "consent"),
    ("lang-de", {"lang": "de"}, "lang"),
    ("lang-upper", {"lang": "PL"}, "lang"),
    ("lang-empty", {"lang": ""}, "lang"),
]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [c[1:] for c in BAD_REGISTRATIONS],
    ids=[c[0] for c in BAD_REGISTRATIONS],
)
async def test_register_with_a_bad_field_is_400_naming_it_and_takes_no_seat(
    module_client: Any, servers: Any, overrides: dict[str, Any], field: str
) -> None:
    target = await _registrations_target(module_client, servers)
    body = registration_body(**overrides)
    r = await target.post(json=body)
    await assert_problem(r, 400, "validation_failed", field)
    await target.check_untouched(body)


async def test_field_messages_speak_polish_when_the_request_does(
    service_client: Any, servers: Any
) -> None:
    target = await _registrations_target(service_client, servers)
    polish = {"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}
    cases = [
        ({"name": "N" * 201}, "name", "Tekst musi mieć najwyżej 200 znaków."),
        ({"consent": False}, "consent", "Bez zgody nie możemy Cię zarejestrować."),
        ({"lang": "de"}, "lang", "Niedozwolona wartość 'de'."),
        ({"email": "not-an-address"}, "email", "To nie jest poprawny adres e-mail."),
        ({"country": "XX"}, "country", "Kraj podaj dwuliterowym kodem ISO 3166-1, np. PL."),
        ({"name": 5}, "name", "Oczekiwano: tekst; otrzymano: liczbę całkowitą."),
    ]
    for overrides, name, message in cases:
        body = registration_body(**overrides)
        r = await target.post(json=body, headers=polish)
        problem = await assert_problem(r, 400, "validation_failed", name)
        assert r.headers["Content-Language"] == "pl"
        assert problem["detail"] == "Niektóre pola są niepoprawne."
        assert problem["errors"] == [{"field": name, "message": message}], problem
        english = await (await target.post(json=body)).json()
        assert english["errors"][0]["message"] != message
        await target.check_untouched(body)


async def test_refused_registrations_leave_the_email_free(
    service_client: Any, servers: Any
) -> None:
    target = await _registrations_target(service_client, servers)
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    for overrides in ({"consent": False}, {"lang": "de"}, {"name": "N" * 10_000}, {"name": " "}):
        r = await target.post(json=registration_body(email=email, **overrides))
        await assert_problem(r, 400, "validation_failed", next(iter(overrides)))
    r = await target.post(json=registration_body(email=email))
    assert r.status == 201, await r.text()
    r = await target.client.get(f"/api/v1/events/{target.state['event']['slug']}")
    assert (await r.json())["seats_left"] == 4


async def test_register_for_an_unknown_event_is_404(service_client: Any) -> None:
    client = await service_client("registration")
    slug = unique("missing")
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body())
    await assert_problem(r, 404, "event_not_found")


async def test_register_for_a_draft_event_is_404(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    event = event_body(status="draft")
    r = await client.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await client.post(f"/api/v1/events/{event['slug']}/registrations", json=registration_body())
    await assert_problem(r, 404, "event_not_found")


# --- POST /api/v1/scans


BAD_SCANS: list[tuple[str, dict[str, Any], str]] = [
    ("scan-id-not-uuid", {"scan_id": "not-a-uuid"}, "scan_id"),
    ("scan-id-empty", {"scan_id": ""}, "scan_id"),
    ("scan-id-number", {"scan_id": 12345}, "scan_id"),
    ("scan-id-truncated-uuid", {"scan_id": str(uuid.uuid4())[:-1]}, "scan_id"),
    ("code-10000-chars", {"code": "A" * 10_000}, "code"),
    ("code-number", {"code": 42}, "code"),
    ("gate-empty", {"gate": ""}, "gate"),
    ("gate-65-chars", {"gate": "g" * 65}, "gate"),
    ("gate-nul-character", {"gate": "hall\u0000a"}, "gate"),
    ("device-id-empty", {"device_id": ""}, "device_id"),
    ("device-id-nul-character", {"device_id": "phone\u00001"}, "device_id"),
    ("list-bad-pattern", {"list": "Main Hall!"}, "list"),
    ("list-empty", {"list": ""}, "list"),
    ("event-too-long", {"event": "e" * 64}, "event"),
]


@pytest.mark.parametrize(
    ("overrides", "field"), [c[1:] for c in BAD_SCANS], ids=[c[0] for c in BAD_SCANS]
)
async def test_scan_with_a_bad_field_is_400_naming_it_and_records_nothing(
    module_client: Any, servers: Any, overrides: dict[str, Any], field: str
) -> None:
    target = await _scans_target(module_client, servers)
    body = {**target.valid, "scan_id": str(uuid.uuid4()), **overrides}
    r = await target.post(json=body)
    await assert_problem(r, 400, "validation_failed", field)
    await target.check_untouched({**body, "scan_id": body["scan_id"]})


# --- staff tokens on every endpoint that needs one


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    body: str | None = None  # "event" or "scan": a valid JSON body of that kind
    door_allowed: bool = False
    manage_token: bool = False  # also takes an attendee's manage token

    def url(self) -> str:
        return self.path.format(slug=unique(), uuid=uuid.uuid4())

    def json(self) -> dict[str, Any] | None:
        if self.body == "event":
            return event_body()
        if self.body == "scan":
            return {"code": "CNK1NOTAREALCODE", "gate": "hall-a", "scan_id": str(uuid.uuid4())}
        return None


STAFF_ENDPOINTS = {
    "create-event": Endpoint("registration", "POST", "/api/v1/events", body="event"),
    "registration": Endpoint(
        "registration", "GET", "/api/v1/registrations/{uuid}", manage_token=True
    ),
    "ticket": Endpoint("tickets", "GET", "/api/v1/registrations/{uuid}/ticket", manage_token=True),
    "qr-png": Endpoint("tickets", "GET", "/api/v1/tickets/{uuid}/qr.png", manage_token=True),
    "qr-svg": Endpoint("tickets", "GET", "/api/v1/tickets/{uuid}/qr.svg", manage_token=True),
    "ticket-pdf": Endpoint(
        "tickets", "GET", "/api/v1/tickets/{uuid}/ticket.pdf", manage_token=True
    ),
    "scan": Endpoint("checkin", "POST", "/api/v1/scans", body="scan", door_allowed=True),
    "attendance": Endpoint("checkin", "GET", "/api/v1/events/{slug}/attendance"),
    "create-list": Endpoint("checkin", "POST", "/api/v1/events/{slug}/lists"),
    "lists": Endpoint("checkin", "GET", "/api/v1/events/{slug}/lists", door_allowed=True),
    "inside": Endpoint("checkin", "GET", "/api/v1/events/{slug}/inside"),
    "attendance-csv": Endpoint("checkin", "GET", "/api/v1/events/{slug}/attendance.csv"),
    "attendance-pdf": Endpoint("checkin", "GET", "/api/v1/events/{slug}/attendance.pdf"),
    "statistics": Endpoint("checkin", "GET", "/api/v1/events/{slug}/statistics"),
    "statistics-csv": Endpoint("checkin", "GET", "/api/v1/events/{slug}/statistics.csv"),
    "inside-pdf": Endpoint("checkin", "GET", "/api/v1/events/{slug}/inside.pdf"),
    "deliveries": Endpoint("notifications", "GET", "/api/v1/deliveries?registration_id={uuid}"),
}
OPTIONAL_TOKEN_ENDPOINTS = {
    "list-events": Endpoint("registration", "GET", "/api/v1/events"),
    "get-event": Endpoint("registration", "GET", "/api/v1/events/{slug}"),
}


def _foreign_token() -> str:
    private, _ = generate_keypair()
    return issue_token(private, role="organizer", events=["*"])[0]


def _headers(servers: Any, case: str) -> dict[str, str]:
    return {
        "no-header": {},
        "basic-scheme": {"Authorization": "Basic c3RhZmY6c2VjcmV0"},
        "bearer-without-token": {"Authorization": "Bearer "},
        "malformed-jwt": {"Authorization": "Bearer aaaa.bbbb.cccc"},
        "expired": auth(servers.token("organizer", ttl_seconds=-10)),
        "foreign-key": auth(_foreign_token()),
    }[case]


TOKEN_CASES = {
    "no-header": (401, "unauthorized"),
    "basic-scheme": (401, "unauthorized"),
    "bearer-without-token": (401, "unauthorized"),
    "malformed-jwt": (401, "invalid_token"),
    "expired": (401, "token_expired"),
    "foreign-key": (401, "invalid_token"),
}


async def _send(client: Any, endpoint: Endpoint, headers: dict[str, str]) -> Any:
    return await client.request(
        endpoint.method, endpoint.url(), json=endpoint.json(), headers=headers
    )


@pytest.mark.parametrize("case", sorted(TOKEN_CASES))
@pytest.mark.parametrize("name", sorted(STAFF_ENDPOINTS))
async def test_endpoint_refuses_a_missing_or_bad_staff_token(
    module_client: Any, servers: Any, name: str, case: str
) -> None:
    endpoint = STAFF_ENDPOINTS[name]
    client = await module_client(endpoint.service)
    status, code = TOKEN_CASES[case]
    body = endpoint.json()
    r = await client.request(
        endpoint.method, endpoint.url(), json=body, headers=_headers(servers, case)
    )
    await assert_problem(r, status, code)
    if endpoint.body == "event":
        assert body is not None
        r = await client.get(f"/api/v1/events/{body['slug']}", headers=auth(servers.token()))
        assert r.status == 404, await r.text()


ORGANIZER_ONLY = sorted(n for n, e in STAFF_ENDPOINTS.items() if not e.door_allowed)


@pytest.mark.parametrize("name", ORGANIZER_ONLY)
async def test_door_token_is_403_where_an_organizer_is_needed(
    module_client: Any, servers: Any, name: str
) -> None:
    endpoint = STAFF_ENDPOINTS[name]
    client = await module_client(endpoint.service)
    await assert_problem(
        await _send(client, endpoint, auth(servers.token("door"))), 403, "forbidden"
    )


@pytest.mark.parametrize("name", sorted(STAFF_ENDPOINTS))
async def test_opaque_garbage_bearer_token_is_refused(
    module_client: Any, servers: Any, name: str
) -> None:
    endpoint = STAFF_ENDPOINTS[name]
    client = await module_client(endpoint.service)
    r = await _send(client, endpoint, {"Authorization": "Bearer garbage"})
    if endpoint.manage_token:
        # Not a JWT, so taken for a manage token, which matches nothing.
        await assert_problem(r, 403, "forbidden")
    else:
        await assert_problem(r, 401, "invalid_token")


async def test_create_event_without_a_token_is_401_even_with_a_bad_body(
    service_client: Any,
) -> None:
    client = await service_client("registration")
    r = await client.post("/api/v1/events", json={"slug": 1})
    await assert_problem(r, 401, "unauthorized")
    r = await client.post("/api/v1/events", data=b"{", headers={"Content-Type": "application/json"})
    await assert_problem(r, 401, "unauthorized")


async def test_organizer_token_for_another_event_is_403_event_not_covered(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    checkin = await service_client("checkin")
    token = auth(servers.token("organizer", events=["some-other-event"]))
    body = event_body()
    r = await registration.post("/api/v1/events", json=body, headers=token)
    await assert_problem(r, 403, "event_not_covered")
    r = await registration.get(f"/api/v1/events/{body['slug']}", headers=auth(servers.token()))
    assert r.status == 404, await r.text()
    r = await checkin.get(f"/api/v1/events/{body['slug']}/attendance", headers=token)
    await assert_problem(r, 403, "event_not_covered")


@pytest.mark.parametrize("case", ["malformed-jwt", "expired", "foreign-key"])
@pytest.mark.parametrize("name", sorted(OPTIONAL_TOKEN_ENDPOINTS))
async def test_public_endpoint_refuses_a_bad_staff_token_rather_than_ignoring_it(
    module_client: Any, servers: Any, name: str, case: str
) -> None:
    endpoint = OPTIONAL_TOKEN_ENDPOINTS[name]
    client = await module_client(endpoint.service)
    status, code = TOKEN_CASES[case]
    await assert_problem(await _send(client, endpoint, _headers(servers, case)), status, code)


async def test_every_401_says_how_to_authenticate(service_client: Any, servers: Any) -> None:
    # RFC 9110 section 15.5.2: a 401 response MUST carry WWW-Authenticate.
    missing = []
    clients: dict[str, Any] = {}  # one app per service, not one per endpoint
    for name, endpoint in sorted(STAFF_ENDPOINTS.items()):
        if endpoint.service not in clients:
            clients[endpoint.service] = await service_client(endpoint.service)
        client = clients[endpoint.service]
        for case in ("no-header", "expired"):
            r = await _send(client, endpoint, _headers(servers, case))
            assert r.status == 401, await r.text()
            if not r.headers.get("WWW-Authenticate", "").startswith("Bearer"):
                missing.append(f"{name}/{case}")
    assert missing == []


# --- GET endpoints with bad path or query parameters


BAD_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%20", "x" * 300]


@pytest.mark.parametrize("bad_id", BAD_IDS)
async def test_get_registration_with_a_non_uuid_id_is_404(
    module_client: Any, servers: Any, bad_id: str
) -> None:
    client = await module_client("registration")
    for headers in ({}, auth(servers.token())):
        r = await client.get(f"/api/v1/registrations/{bad_id}", headers=headers)
        await assert_problem(r, 404, "registration_not_found")


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/registrations/{id}/ticket", "registration_not_found"),
        ("/api/v1/tickets/{id}/qr.png", "ticket_not_found"),
        ("/api/v1/tickets/{id}/qr.svg", "ticket_not_found"),
    ],
    ids=["ticket", "qr-png", "qr-svg"],
)
async def test_ticket_endpoints_with_a_non_uuid_id_are_404(
    module_client: Any, servers: Any, path: str, code: str, bad_id: str
) -> None:
    client = await module_client("tickets")
    for headers in ({}, auth(servers.token())):
        r = await client.get(path.format(id=bad_id), headers=headers)
        await assert_problem(r, 404, code)


async def test_unknown_but_well_formed_ids_are_404_for_an_organizer(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    organizer = auth(servers.token())
    r = await registration.get(f"/api/v1/registrations/{uuid.uuid4()}", headers=organizer)
    await assert_problem(r, 404, "registration_not_found")
    r = await tickets.get(f"/api/v1/registrations/{uuid.uuid4()}/ticket", headers=organizer)
    await assert_problem(r, 404, "ticket_not_issued")
    for image in ("qr.png", "qr.svg"):
        r = await tickets.get(f"/api/v1/tickets/{uuid.uuid4()}/{image}", headers=organizer)
        await assert_problem(r, 404, "ticket_not_found")
        r = await tickets.get(f"/api/v1/tickets/{uuid.uuid4()}/{image}?token=guess")
        await assert_problem(r, 403, "forbidden")


async def test_unknown_ids_with_a_guessed_manage_token_are_403(service_client: Any) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    guess = auth("x" * 43)
    r = await registration.get(f"/api/v1/registrations/{uuid.uuid4()}", headers=guess)
    await assert_problem(r, 403, "forbidden")
    r = await tickets.get(f"/api/v1/registrations/{uuid.uuid4()}/ticket", headers=guess)
    await assert_problem(r, 403, "forbidden")


BAD_SLUGS = ["no-such-event", "UPPER", "ąę-wydarzenie", "a" * 300, "%20", "%00", "x%00y"]


@pytest.mark.parametrize("slug", BAD_SLUGS)
async def test_get_unknown_or_malformed_event_slug_is_404(
    module_client: Any, servers: Any, slug: str
) -> None:
    client = await module_client("registration")
    for headers in ({}, auth(servers.token())):
        r = await client.get(f"/api/v1/events/{slug}", headers=headers)
        await assert_problem(r, 404, "event_not_found")


@pytest.mark.parametrize("slug", BAD_SLUGS)
async def test_register_for_unknown_or_malformed_event_slug_is_404(
    module_client: Any, slug: str
) -> None:
    client = await module_client("registration")
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body())
    await assert_problem(r, 404, "event_not_found")


@pytest.mark.parametrize("slug", BAD_SLUGS)
async def test_attendance_of_unknown_or_malformed_event_slug_is_404(
    module_client: Any, servers: Any, slug: str
) -> None:
    client = await module_client("checkin")
    r = await client.get(f"/api/v1/events/{slug}/attendance", headers=auth(servers.token()))
    await assert_problem(r, 404, "event_not_found")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?registration_id=",
        "?registration_id=not-a-uuid",
        "?registration_id=123",
        f"?registration_id={uuid.uuid4()}x",
        f"?registration_id={'x' * 300}",
        f"?registrationid={uuid.uuid4()}",
        "?registration_id=%00",
    ],
    ids=["none", "empty", "not-a-uuid", "number", "uuid-plus-char", "long", "misspelt", "nul"],
)
async def test_deliveries_without_a_valid_registration_id_is_400_naming_it(
    module_client: Any, servers: Any, query: str
) -> None:
    client = await module_client("notifications")
    r = await client.get(f"/api/v1/deliveries{query}", headers=auth(servers.token()))
    await assert_problem(r, 400, "validation_failed", "registration_id")


async def test_deliveries_of_an_unknown_registration_is_an_empty_list(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("notifications")
    r = await client.get(
        f"/api/v1/deliveries?registration_id={uuid.uuid4()}", headers=auth(servers.token())
    )
    assert r.status == 200, await r.text()
    assert await r.json() == {"deliveries": []}


# --- routing: unknown paths and methods, on every service


SERVICES = ["registration", "tickets", "checkin", "notifications"]


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_path_is_404_problem(module_client: Any, service: str) -> None:
    client = await module_client(service)
    for path in ("/nope", "/api/v1/nope", "/api/v2/events"):
        await assert_problem(await client.get(path), 404, "not_found")


# The same in every pytest process: the tests' ids name it (pytest-xdist's workers must
# collect the same tests).
SOME_ID = uuid.UUID("5e1d0c0d-0000-4000-8000-000000000001")


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [
        ("registration", "DELETE", "/api/v1/events"),
        ("registration", "PUT", "/api/v1/events/some-event"),
        ("registration", "PUT", "/api/v1/events/some-event/registrations"),
        ("registration", "PUT", f"/api/v1/registrations/{SOME_ID}"),
        ("tickets", "POST", f"/api/v1/registrations/{SOME_ID}/ticket"),
        ("tickets", "DELETE", f"/api/v1/tickets/{SOME_ID}/qr.png"),
        ("tickets", "DELETE", "/api/v1/keys"),
        ("tickets", "GET", "/api/v1/keys/1/retire"),
        ("checkin", "GET", "/api/v1/scans"),
        ("checkin", "POST", "/api/v1/events/some-event/attendance"),
        ("checkin", "DELETE", "/api/v1/events/some-event/lists"),
        ("checkin", "POST", "/api/v1/events/some-event/inside"),
        ("notifications", "POST", "/api/v1/deliveries"),
        ("notifications", "POST", "/healthz"),
    ],
)
async def test_wrong_method_is_405_problem_with_allow(
    module_client: Any, service: str, method: str, path: str
) -> None:
    client = await module_client(service)
    r = await client.request(method, path, json={})
    await assert_problem(r, 405, "method_not_allowed")
    assert r.headers.get("Allow"), r.headers


# --- sessions and partial updates


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": 100_001}, "capacity"),
        ({"slug": "Bad Slug"}, "slug"),
        ({"slug": "x" * 64}, "slug"),
        ({"name": {"pl": " ", "en": "x"}}, None),
        ({"name": {"pl": "x"}}, "name.en"),
        ({"starts_at": "2026-13-01T10:00:00+01:00"}, "starts_at"),
        ({"starts_at": "2026-12-01T10:00:00"}, "starts_at"),
        ({"room": "x" * 201}, "room"),
        ({"room": "a\x00b"}, "room"),
    ],
)
async def test_create_session_with_a_bad_field_is_400_and_creates_nothing(
    module_client: Any, servers: Any, overrides: dict[str, Any], field: str | None
) -> None:
    target = await _sessions_target(module_client, servers)
    body = {**target.valid, **overrides}
    r = await target.post(json=body)
    await assert_problem(r, 400, "validation_failed", field)
    await target.check_untouched(body)


async def test_session_ending_before_it_starts_is_400(service_client: Any, servers: Any) -> None:
    target = await _sessions_target(service_client, servers)
    body = {**target.valid, "ends_at": target.valid["starts_at"]}
    await assert_problem(await target.post(json=body), 400, "validation_failed")
    await target.check_untouched(body)


async def test_event_with_the_same_session_twice_is_400(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(sessions=[_session_body("ai", 1), _session_body("ai", 3)])
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    await assert_problem(r, 400, "validation_failed")
    r = await client.get(f"/api/v1/events/{body['slug']}", headers=auth(servers.token()))
    assert r.status == 404


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"capacity": 0}, 400, "validation_failed", "capacity"),
        ({"kind": "party"}, 400, "validation_failed", "kind"),
        ({"venue": ""}, 400, "validation_failed", "venue"),
        ({"starts_at": "soon"}, 400, "validation_failed", "starts_at"),
        ({"group_limit": 0}, 400, "validation_failed", "group_limit"),
        ({"retention_days": 0}, 400, "validation_failed", "retention_days"),
        ({"slug": "renamed"}, 400, "validation_failed", "slug"),
        ({"status": "published"}, 400, "validation_failed", "status"),
        ({"ends_at": "2000-01-01T00:00:00+00:00"}, 400, "validation_failed", "ends_at"),
        (
            {
                "registration_opens_at": "2100-01-02T00:00:00+00:00",
                "registration_closes_at": "2100-01-01T00:00:00+00:00",
            },
            400,
            "validation_failed",
            "registration_closes_at",
        ),
    ],
)
async def test_update_event_with_a_bad_field_changes_nothing(
    module_client: Any,
    servers: Any,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    target = await _event_update_target(module_client, servers)
    await assert_problem(await target.post(json=body), status, code, field)
    await target.check_untouched(body)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"capacity": 0}, "validation_failed"),
        ({"ends_at": "2000-01-01T00:00:00+00:00"}, "validation_failed"),
        ({"starts_at": "2000-01-01T00:00:00"}, "validation_failed"),
        ({"slug": "renamed"}, "validation_failed"),
    ],
)
async def test_update_session_with_a_bad_field_changes_nothing(
    module_client: Any, servers: Any, body: dict[str, Any], code: str
) -> None:
    target = await _session_update_target(module_client, servers)
    await assert_problem(await target.post(json=body), 400, code)
    await target.check_untouched(body)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"sessions": ["nope"]}, 400, "unknown_session"),
        ({"sessions": ["ai", "ai"]}, 400, "validation_failed"),
        ({"sessions": ["ai"], "waitlist": "yes"}, 400, "validation_failed"),
        ({"sessions": ["x" * 64]}, 400, "validation_failed"),
        ({"sessions": [f"s{i}x" for i in range(51)]}, 400, "validation_failed"),
    ],
)
async def test_change_sessions_with_bad_input_changes_nothing(
    module_client: Any, servers: Any, body: dict[str, Any], status: int, code: str
) -> None:
    target = await _session_change_target(module_client, servers)
    await assert_problem(
        await target.post(json=body),
        status,
        code,
        "sessions" if code != "validation_failed" or "waitlist" not in body else "waitlist",
    )
    await target.check_untouched(body)


async def test_change_sessions_needs_the_right_token(service_client: Any, servers: Any) -> None:
    target = await _session_change_target(service_client, servers)
    r = await target.client.put(target.url, json=target.valid)
    await assert_problem(r, 401, "unauthorized")
    r = await target.client.put(target.url, json=target.valid, headers=auth("not-the-token"))
    await assert_problem(r, 403, "forbidden")
    r = await target.client.put(target.url, json=target.valid, headers=auth(servers.token("door")))
    assert r.status == 403
    await target.check_untouched(target.valid)
    r = await target.client.put(
        f"/api/v1/registrations/{uuid.uuid4()}/sessions",
        json=target.valid,
        headers=auth(servers.token()),
    )
    await assert_problem(r, 404, "registration_not_found")


# --- HTML forms (the registration and manage pages, the dashboard's sign-in)

UNREADABLE_FORMS = [
    ("not-utf-8", "application/x-www-form-urlencoded", b"name=\xff\xfe&consent=on"),
    ("unknown-charset", "application/x-www-form-urlencoded; charset=no-such-charset", b"a=b"),
    ("multipart-without-boundary", "multipart/form-data", b"name=x"),
    ("multipart-missing-its-boundary", "multipart/form-data; boundary=b", b"name=x"),
    (
        "multipart-part-header-broken",
        "multipart/form-data; boundary=b",
        b"--b\r\nnot a header\r\n\r\nx\r\n--b--\r\n",
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [f[1:] for f in UNREADABLE_FORMS],
    ids=[f[0] for f in UNREADABLE_FORMS],
)
async def test_an_unreadable_form_is_a_400_problem_and_changes_nothing(
    service_client: Any, servers: Any, content_type: str, body: bytes
) -> None:
    registration = await service_client("registration")
    checkin = await service_client("checkin")
    event = event_body(capacity=5)
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    someone = uuid.uuid4()
    headers = {"Content-Type": content_type}
    for client, url in (
        (registration, f"/events/{event['slug']}"),
        (registration, f"/registrations/{someone}/cancel"),
        (registration, f"/registrations/{someone}/accept"),
        (registration, f"/registrations/{someone}/sessions"),
        (checkin, "/dashboard/sign-in"),
        (checkin, "/dashboard/sign-out"),
    ):
        r = await client.post(url, data=body, headers=headers, allow_redirects=False)
        assert "Set-Cookie" not in r.headers, url
        await assert_problem(r, 400, "invalid_form")
    r = await registration.get(f"/api/v1/events/{event['slug']}")
    assert (await r.json())["seats_left"] == 5
    # The certificate check: its page answers on a page, its API with a problem.
    r = await checkin.post("/verify", data=body, headers=headers)
    assert r.status == 400 and "text/html" in r.headers["Content-Type"]
    r = await checkin.post("/api/v1/certificates/verify", data=body, headers=headers)
    if content_type.startswith("multipart/"):
        await assert_problem(r, 400, "invalid_upload")
    else:
        await assert_problem(r, 415, "unsupported_media_type")


async def test_a_form_whose_content_encoding_does_not_decode_is_400(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    event = event_body(capacity=5)
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await registration.post(
        f"/events/{event['slug']}",
        data=b"name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"},
    )
    await _assert_unreadable_body(r)
    r = await registration.get(f"/api/v1/events/{event['slug']}")
    assert (await r.json())["seats_left"] == 5


# --- A body that stops arriving (slow or stalled clients)

BODY_TIMEOUT_SECONDS = 1.0


async def _stalled_request(
    client: Any, path: str, content_type: str, start: bytes, headers: dict[str, str]
) -> bytes:
    """A request announcing 10,000 bytes of body that sends only ``start`` of it; all
    the server sends back until it closes the connection."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    head = {"Host": "localhost", "Content-Type": content_type, "Content-Length": "10000"}
    lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in {**head, **headers}.items())]
    writer.write("\r\n".join(lines).encode() + b"\r\n\r\n" + start)
    try:
        # A protocol timeout, so the wait is bounded: without one the server waited for the
        # rest for as long as the socket lived.
        return await asyncio.wait_for(reader.read(), timeout=20)
    except TimeoutError:
        raise AssertionError(f"{path}: no answer, connection still open after 20 s") from None
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_body_that_stops_arriving_is_408_and_the_connection_closed(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration", body_timeout_seconds=BODY_TIMEOUT_SECONDS)
    checkin = await service_client("checkin", body_timeout_seconds=BODY_TIMEOUT_SECONDS)
    event = event_body(capacity=5)
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    slug = event["slug"]
    form = "application/x-www-form-urlencoded"
    requests = [
        (registration, f"/api/v1/events/{slug}/registrations", "application/json", b'{"name'),
        (registration, f"/events/{slug}", form, b"name=Anna&email="),
        (registration, f"/api/v1/events/{slug}/registrations/import", "text/csv", b"name,"),
        (checkin, "/dashboard/sign-in", form, b"slug="),
        (checkin, "/verify", "multipart/form-data; boundary=b", b"--b\r\n"),
    ]
    answers = await asyncio.gather(
        *(
            _stalled_request(client, path, ctype, start, auth(servers.token()))
            for client, path, ctype, start in requests
        )
    )
    for (_, path, *_), answer in zip(requests, answers, strict=True):
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        headers = dict(line.split(": ", 1) for line in header_lines)
        assert status_line == "HTTP/1.1 408 Request Timeout", (path, answer)
        assert (headers["Content-Type"], headers["Connection"]) == (PROBLEM, "close"), path
        assert json.loads(body)["code"] == "request_timeout", (path, body)
    r = await registration.get(f"/api/v1/events/{slug}")
    assert (await r.json())["seats_left"] == 5
