"""Every email is delivered exactly once by a real SMTP server (aiosmtpd over TCP) that is
down for a while, defers with 4xx, refuses with 5xx, refuses some emails of a reused
session, or is fed by two notifications instances at once."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import email
import email.policy
import threading
from collections.abc import Callable, Iterator, Mapping
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from services.notifications.emails.sender import BATCH, RETRY_STEPS, SMTP_SESSIONS
from tests.factories import auth, event_body, eventually, registration_body
from tests.infra import SmtpController, free_port
from tests.notifications.pipeline import deliveries

TRY_LATER = "451 4.3.0 Try again later"
NO_SUCH_USER = "550 5.1.1 No such user"
REJECTED = "554 5.7.1 Message rejected"
ACCEPTED = "250 Message accepted for delivery"


@dataclasses.dataclass(frozen=True)
class Attempt:
    recipient: str
    tries: int  # how many times this recipient came to this stage before
    position: int  # which message of its SMTP session this is, from 0


Reply = Callable[[Attempt], str | None]  # an error reply, or None to accept


def _accept(attempt: Attempt) -> None:
    return None


class Inbox:
    """An aiosmtpd handler that answers RCPT TO and DATA as told, keeps every message it
    accepts, and writes down what each SMTP session carried."""

    def __init__(
        self,
        rcpt: Reply = _accept,
        data: Reply = _accept,
        hold: Mapping[str, threading.Event] | None = None,
    ) -> None:
        self.rcpt_reply = rcpt
        self.data_reply = data
        self.hold = hold or {}  # RCPT TO for these waits until the event is set
        self.rcpt_tries: collections.Counter[str] = collections.Counter()
        self.data_tries: collections.Counter[str] = collections.Counter()
        self.messages: list[EmailMessage] = []
        self.sessions: dict[Session, list[tuple[str, str]]] = {}  # (recipient, reply)
        self.lock = threading.Lock()  # the controller runs its own loop in its own thread

    def _answer(self, session: Session, recipient: str, reply: str) -> str:
        with self.lock:
            self.sessions.setdefault(session, []).append((recipient, reply))
        return reply

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self.lock:
            tries = self.rcpt_tries[address]
            self.rcpt_tries[address] += 1
            position = len(self.sessions.get(session, []))
        gate = self.hold.get(address)
        while gate is not None and not gate.is_set():
            await asyncio.sleep(0.01)
        reply = self.rcpt_reply(Attempt(address, tries, position))
        if reply is not None:
            return self._answer(session, address, reply)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        [address] = envelope.rcpt_tos  # the service sends each email to its one recipient
        with self.lock:
            tries = self.data_tries[address]
            self.data_tries[address] += 1
            position = len(self.sessions.get(session, []))
        reply = self.data_reply(Attempt(address, tries, position))
        if reply is not None:
            return self._answer(session, address, reply)
        content = envelope.original_content
        assert content is not None
        msg = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
        return self._answer(session, address, ACCEPTED)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


@contextlib.contextmanager
def smtp_on(port: int, inbox: Inbox, **options: Any) -> Iterator[str]:
    controller = SmtpController(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


# The first retry of a temporarily failed email (MAIL_RETRY_SECONDS), short for the tests;
# the later ones wait its RETRY_STEPS multiples.
FIRST_RETRY = 1.0
RETRY_DELAYS = [FIRST_RETRY * step for step in RETRY_STEPS]


async def _services(
    service_client: Any, smtp_url: str, instances: int = 1
) -> tuple[list[Any], Any]:
    # Notifications first: its public key is in the bucket before registration seals.
    notifications = [
        await service_client("notifications", smtp_url=smtp_url, mail_retry_seconds=FIRST_RETRY)
        for _ in range(instances)
    ]
    registration = await service_client("registration")
    await service_client("tickets")
    return notifications, registration


async def _event(registration: Any, servers: Any) -> str:
    body = event_body(name={"pl": "Noc Naukowców", "en": "Researchers' Night"})
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def _register(registration: Any, slug: str, *emails: str) -> list[dict[str, Any]]:
    """Register everyone at once, so that their emails tend to share sender batches."""

    async def one(address: str) -> dict[str, Any]:
        body = registration_body(email=address, lang="en")
        r = await registration.post(f"/api/v1/events/{slug}/registrations", json=body)
        assert r.status == 201, await r.text()
        return dict(await r.json())

    return list(await asyncio.gather(*(one(e) for e in emails)))


def _address() -> str:
    return str(registration_body()["email"])


async def _delivery(
    notifications: Any,
    servers: Any,
    reg: dict[str, Any],
    ready: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
) -> dict[str, Any]:
    """The registration's one delivery (its ticket email) once ``ready`` says so."""

    async def probe() -> dict[str, Any] | None:
        found = await deliveries(notifications, servers, reg)
        assert len(found) <= 1, found
        return dict(found[0]) if found and ready(found[0]) else None

    return await eventually(probe, timeout=timeout)


def _outcome(delivery: dict[str, Any]) -> dict[str, Any]:
    keys = ("template", "recipient", "status", "attempts", "last_error")
    return {k: delivery[k] for k in keys}


def _sent_at_first_try(recipient: str) -> dict[str, Any]:
    """The outcome of a ticket email the server took at once."""
    return {
        "template": "ticket",
        "recipient": recipient,
        "status": "sent",
        "attempts": 1,
        "last_error": None,
    }


def _pending_with_error(d: dict[str, Any]) -> bool:
    return bool(d["status"] == "pending" and d["last_error"])


def _done(d: dict[str, Any]) -> bool:
    return bool(d["status"] != "pending")


async def test_emails_queued_while_smtp_is_down_are_sent_once_it_is_back(
    service_client: Any, servers: Any
) -> None:
    port = free_port()  # nothing listens here until the inbox starts below
    [notifications], registration = await _services(service_client, f"smtp://127.0.0.1:{port}")
    slug = await _event(registration, servers)
    regs = await _register(registration, slug, *(_address() for _ in range(3)))

    for reg in regs:
        down = await _delivery(notifications, servers, reg, _pending_with_error)
        assert down["template"] == "ticket" and down["attempts"] >= 1, down
        assert down["sent_at"] is None, down

    inbox = Inbox()
    with smtp_on(port, inbox):
        # The first retry comes RETRY_DELAYS[0] after the failure; one more failure before
        # the inbox was up adds RETRY_DELAYS[1].
        sent = [
            await _delivery(notifications, servers, reg, _done, timeout=RETRY_DELAYS[1] + 30)
            for reg in regs
        ]
    for reg, delivery in zip(regs, sent, strict=True):
        assert delivery["attempts"] >= 2, delivery
        assert _outcome(delivery) == {
            "template": "ticket",
            "recipient": reg["email"],
            "status": "sent",
            "attempts": delivery["attempts"],
            "last_error": None,
        }
        [msg] = inbox.to(reg["email"])
        assert msg["Message-ID"] == delivery["message_id"]


async def test_emails_queued_while_smtp_is_down_that_no_longer_hold_are_withdrawn(
    service_client: Any, servers: Any
) -> None:
    """While the SMTP server is down, Anna takes the one seat, a group with her address is
    refused, and she cancels; Jan waits, is offered her seat and takes it. Once the server
    is back, Anna gets the cancellation only (not a ticket that no longer opens the door,
    nor "you are already registered"), Jan his ticket only (not "you are on the waitlist"
    nor an offer he has already taken)."""
    port = free_port()  # nothing listens here until the inbox starts below
    [notifications], registration = await _services(service_client, f"smtp://127.0.0.1:{port}")
    body = event_body(capacity=1)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    anna, jan = await _register(registration, body["slug"], _address(), _address())
    if anna["status"] != "confirmed":
        anna, jan = jan, anna
    assert (anna["status"], jan["status"]) == ("confirmed", "waitlisted")

    async def queued(reg: dict[str, Any], *expected: str) -> dict[str, Any] | None:
        """The registration's deliveries by template, once they are these (template:status)
        and every one of them has been tried at least once (or is withdrawn)."""
        found = {d["template"]: d for d in await deliveries(notifications, servers, reg)}
        states = sorted(f"{t}:{d['status']}" for t, d in found.items())
        tried = all(d["attempts"] or d["status"] == "withdrawn" for d in found.values())
        return found if states == sorted(expected) and tried else None

    await eventually(lambda: queued(anna, "ticket:pending"))
    await eventually(lambda: queued(jan, "waitlisted:pending"))
    group = registration_body(attendees=[{"name": "A", "email": anna["email"], "lang": "pl"}])
    r = await registration.post(f"/api/v1/events/{body['slug']}/registrations", json=group)
    assert (r.status, (await r.json())["code"]) == (409, "group_not_registered")
    await eventually(lambda: queued(anna, "ticket:pending", "attempt_refused:pending"))
    r = await registration.delete(
        f"/api/v1/registrations/{anna['id']}", headers=auth(anna["manage_token"])
    )
    assert r.status == 200, await r.text()
    gone = await eventually(
        lambda: queued(anna, "ticket:withdrawn", "attempt_refused:withdrawn", "cancelled:pending")
    )
    assert gone["ticket"]["last_error"] == (
        "withdrawn: the registration was cancelled before it was sent"
    )
    await eventually(lambda: queued(jan, "waitlisted:pending", "offer:pending"))
    r = await registration.post(
        f"/api/v1/registrations/{jan['id']}/accept-offer", headers=auth(jan["manage_token"])
    )
    assert r.status == 200, await r.text()
    seated = await eventually(
        lambda: queued(jan, "waitlisted:withdrawn", "offer:withdrawn", "ticket:pending")
    )
    assert seated["offer"]["last_error"] == (
        "withdrawn: the registration was confirmed before it was sent"
    )
    r = await notifications.post(
        f"/api/v1/deliveries/{gone['ticket']['id']}/resend", headers=auth(servers.token())
    )
    assert (r.status, (await r.json())["code"]) == (409, "delivery_withdrawn")

    inbox = Inbox()
    with smtp_on(port, inbox):
        done = {
            "anna": await eventually(
                lambda: queued(
                    anna, "ticket:withdrawn", "attempt_refused:withdrawn", "cancelled:sent"
                ),
                timeout=RETRY_DELAYS[1] + 30,
            ),
            "jan": await eventually(
                lambda: queued(jan, "waitlisted:withdrawn", "offer:withdrawn", "ticket:sent"),
                timeout=RETRY_DELAYS[1] + 30,
            ),
        }
    for reg, one in ((anna, done["anna"]["cancelled"]), (jan, done["jan"]["ticket"])):
        [msg] = inbox.to(reg["email"])
        assert msg["Message-ID"] == one["message_id"]
    withdrawn = [
        done["anna"]["ticket"],
        done["anna"]["attempt_refused"],
        done["jan"]["waitlisted"],
        done["jan"]["offer"],
    ]
    assert [d["sent_at"] for d in withdrawn] == [None] * 4


async def test_a_4xx_at_rcpt_or_data_is_retried_and_delivered_once(
    service_client: Any, servers: Any
) -> None:
    at_rcpt, at_data, untouched = _address(), _address(), _address()
    inbox = Inbox(
        rcpt=lambda a: TRY_LATER if a.recipient == at_rcpt and a.tries == 0 else None,
        data=lambda a: TRY_LATER if a.recipient == at_data and a.tries == 0 else None,
    )
    with smtp_on(free_port(), inbox) as smtp_url:
        [notifications], registration = await _services(service_client, smtp_url)
        slug = await _event(registration, servers)
        regs = await _register(registration, slug, at_rcpt, at_data, untouched)
        deferred, normal = regs[:2], regs[2]

        for reg in deferred:
            delivery = await _delivery(notifications, servers, reg, _pending_with_error)
            assert delivery["attempts"] == 1 and "451" in delivery["last_error"], delivery
        first = await _delivery(notifications, servers, normal, _done)
        assert _outcome(first) == _sent_at_first_try(untouched)

        retried = [
            await _delivery(notifications, servers, reg, _done, timeout=RETRY_DELAYS[0] + 30)
            for reg in deferred
        ]

    for reg, delivery in zip(deferred, retried, strict=True):
        assert _outcome(delivery) == {
            "template": "ticket",
            "recipient": reg["email"],
            "status": "sent",
            "attempts": 2,
            "last_error": None,  # db.update_sent clears it
        }
    for address, delivery in zip((at_rcpt, at_data, untouched), [*retried, first], strict=True):
        [msg] = inbox.to(address)
        assert msg["Message-ID"] == delivery["message_id"]
    assert (inbox.rcpt_tries[at_rcpt], inbox.data_tries[at_rcpt]) == (2, 1)
    assert (inbox.rcpt_tries[at_data], inbox.data_tries[at_data]) == (2, 2)
    assert (inbox.rcpt_tries[untouched], inbox.data_tries[untouched]) == (1, 1)


async def test_refusals_inside_a_reused_smtp_session_touch_only_their_own_email(
    service_client: Any, servers: Any
) -> None:
    # A batch goes over SMTP_SESSIONS sessions (the plug's, kept, and new ones); with three
    # emails in each, every new session sees a 451 at RCPT TO, then a 451 at DATA, then
    # an email it accepts.
    plug, batch = _address(), [_address() for _ in range(3 * SMTP_SESSIONS)]
    assert len(batch) <= BATCH
    opened = threading.Event()
    inbox = Inbox(
        rcpt=lambda a: (
            TRY_LATER if a.recipient in batch and (a.tries, a.position) == (0, 0) else None
        ),
        # Only in an email's first session: one refused at RCPT TO reaches DATA for the
        # first time in its retry, maybe second in that session, and must go through there.
        data=lambda a: (
            TRY_LATER
            if a.recipient in batch
            and (a.tries, a.position) == (0, 1)
            and inbox.rcpt_tries[a.recipient] == 1
            else None
        ),
        hold={plug: opened},
    )
    with smtp_on(free_port(), inbox) as smtp_url:
        [notifications], registration = await _services(service_client, smtp_url)
        slug = await _event(registration, servers)
        await _register(registration, slug, plug)
        # While the sender waits on the plug's RCPT TO, the whole batch queues up behind it.
        await eventually(lambda: asyncio.sleep(0, inbox.rcpt_tries[plug]))
        regs = await _register(registration, slug, *batch)
        for reg in regs:
            await _delivery(notifications, servers, reg, lambda d: d["attempts"] == 0)
        opened.set()
        outcomes = [
            await _delivery(notifications, servers, reg, _done, timeout=RETRY_DELAYS[0] + 30)
            for reg in regs
        ]

    for reg, delivery in zip(regs, outcomes, strict=True):
        refused = inbox.rcpt_tries[reg["email"]] - 1
        assert _outcome(delivery) == {
            "template": "ticket",
            "recipient": reg["email"],
            "status": "sent",
            "attempts": 1 + refused,
            "last_error": None,
        }
        [msg] = inbox.to(reg["email"])
        assert msg["Message-ID"] == delivery["message_id"]
    shared = [
        [reply for _, reply in answers]
        for answers in inbox.sessions.values()
        if any(recipient in batch for recipient, _ in answers)
    ]
    # Sessions are kept: the retries come later over the same ones.
    assert [TRY_LATER, TRY_LATER, ACCEPTED] in [answers[:3] for answers in shared], shared


async def test_a_5xx_fails_that_email_at_once_and_others_still_go(
    service_client: Any, servers: Any
) -> None:
    gone, rejected, kept = _address(), _address(), _address()
    inbox = Inbox(
        rcpt=lambda a: NO_SUCH_USER if a.recipient == gone else None,
        data=lambda a: REJECTED if a.recipient == rejected else None,
    )
    with smtp_on(free_port(), inbox) as smtp_url:
        [notifications], registration = await _services(service_client, smtp_url)
        slug = await _event(registration, servers)
        regs = await _register(registration, slug, gone, rejected, kept)
        outcomes = [await _delivery(notifications, servers, reg, _done) for reg in regs]

    failed_at_rcpt, failed_at_data, sent = outcomes
    assert failed_at_rcpt["status"] == "failed", failed_at_rcpt
    assert failed_at_rcpt["attempts"] == 1 and failed_at_rcpt["sent_at"] is None
    assert "550" in failed_at_rcpt["last_error"] and "No such user" in failed_at_rcpt["last_error"]
    assert failed_at_data["status"] == "failed", failed_at_data
    assert failed_at_data["attempts"] == 1 and failed_at_data["sent_at"] is None
    assert "554" in failed_at_data["last_error"], failed_at_data
    assert _outcome(sent) == _sent_at_first_try(kept)
    assert inbox.to(gone) == [] and inbox.to(rejected) == []
    [msg] = inbox.to(kept)
    assert msg["Message-ID"] == sent["message_id"]
    assert (inbox.rcpt_tries[gone], inbox.data_tries[gone]) == (1, 0)
    assert (inbox.rcpt_tries[rejected], inbox.data_tries[rejected]) == (1, 1)


async def test_two_instances_send_each_email_once(service_client: Any, servers: Any) -> None:
    inbox = Inbox()
    with smtp_on(free_port(), inbox) as smtp_url:
        [first, second], registration = await _services(service_client, smtp_url, instances=2)
        slug = await _event(registration, servers)
        regs = await _register(registration, slug, *(_address() for _ in range(20)))
        # Either instance answers for the shared log; alternate to read through both.
        outcomes = [
            await _delivery(first if i % 2 else second, servers, reg, _done, timeout=30)
            for i, reg in enumerate(regs)
        ]

    for reg, delivery in zip(regs, outcomes, strict=True):
        # One claim (attempts 1) and one message: no instance sent what the other had.
        assert _outcome(delivery) == _sent_at_first_try(reg["email"])
        [msg] = inbox.to(reg["email"])
        assert msg["Message-ID"] == delivery["message_id"]
        assert inbox.rcpt_tries[reg["email"]] == 1


def _refuse_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    return AuthResult(success=False, handled=False)  # aiosmtpd answers 535 5.7.8


async def test_a_refused_login_defers_the_emails_instead_of_failing_them(
    service_client: Any, servers: Any
) -> None:
    # Wrong SMTP credentials are the operator's to fix; the emails must survive until then.
    port = free_port()
    with smtp_on(port, Inbox(), auth_require_tls=False, authenticator=_refuse_login):
        [notifications], registration = await _services(
            service_client, f"smtp://mailer:stale-password@127.0.0.1:{port}"
        )
        slug = await _event(registration, servers)
        [reg] = await _register(registration, slug, _address())
        delivery = await _delivery(notifications, servers, reg, lambda d: bool(d["last_error"]))
    assert "535" in delivery["last_error"], delivery
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1), delivery


async def test_temporary_failures_past_the_maximum_age_are_given_up_and_reported(
    service_client: Any, servers: Any
) -> None:
    always_later = Inbox(rcpt=lambda a: TRY_LATER)
    with smtp_on(free_port(), always_later) as smtp_url:
        notifications = await service_client(
            "notifications", smtp_url=smtp_url, mail_max_age_hours=0.0
        )
        registration = await service_client("registration")
        await service_client("tickets")
        slug = await _event(registration, servers)
        [reg] = await _register(registration, slug, _address())
        given_up = await _delivery(notifications, servers, reg, _done)
    assert _outcome(given_up) == {
        "template": "ticket",
        "recipient": reg["email"],
        "status": "failed",
        "attempts": 1,
        "last_error": given_up["last_error"],
    }
    assert given_up["last_error"].startswith("gave up after 0 h of temporary failures; last:")
    assert "451" in given_up["last_error"]
    r = await notifications.get("/metrics")
    assert 'emails_total{outcome="given_up",template="ticket"} 1.0' in await r.text()


async def test_an_organizer_resends_an_email_as_a_new_delivery(
    service_client: Any, servers: Any
) -> None:
    inbox = Inbox()
    with smtp_on(free_port(), inbox) as smtp_url:
        [notifications], registration = await _services(service_client, smtp_url)
        slug = await _event(registration, servers)
        [reg] = await _register(registration, slug, _address())
        first = await _delivery(notifications, servers, reg, _done)
        organizer = auth(servers.token())

        r = await notifications.post(f"/api/v1/deliveries/{first['id']}/resend", headers=organizer)
        assert r.status == 201, await r.text()
        copy = await r.json()
        assert copy["id"] != first["id"] and copy["message_id"] == f"<{copy['id']}@cnk-events>"
        assert (copy["template"], copy["recipient"], copy["status"]) == (
            "ticket",
            reg["email"],
            "pending",
        )

        async def both_sent() -> list[dict[str, Any]] | None:
            r = await notifications.get(
                "/api/v1/deliveries", params={"registration_id": reg["id"]}, headers=organizer
            )
            found = (await r.json())["deliveries"]
            return found if [d["status"] for d in found] == ["sent", "sent"] else None

        log = await eventually(both_sent)
        assert [d["id"] for d in log] == [first["id"], copy["id"]]
        messages = inbox.to(reg["email"])
        assert [m["Message-ID"] for m in messages] == [first["message_id"], copy["message_id"]]
        assert messages[0]["Subject"] == messages[1]["Subject"]

        # Refusals: a door token, an unknown or malformed id, an erased recipient.
        r = await notifications.post(
            f"/api/v1/deliveries/{first['id']}/resend", headers=auth(servers.token("door"))
        )
        assert r.status == 403, await r.text()
        # An organizer of another event sees none of this event's log and resends nothing;
        # one of this event does both.
        other = auth(servers.token("organizer", ["another-event"]))
        own = auth(servers.token("organizer", [slug]))
        r = await notifications.post(f"/api/v1/deliveries/{first['id']}/resend", headers=other)
        assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
        query = {"registration_id": reg["id"]}
        r = await notifications.get("/api/v1/deliveries", params=query, headers=other)
        assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
        r = await notifications.get("/api/v1/deliveries", params=query, headers=own)
        assert r.status == 200 and len((await r.json())["deliveries"]) == 2
        for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
            r = await notifications.post(f"/api/v1/deliveries/{bad}/resend", headers=organizer)
            assert (r.status, (await r.json())["code"]) == (404, "delivery_not_found")
        r = await registration.post(
            f"/api/v1/registrations/{reg['id']}/erase", headers=auth(reg["manage_token"])
        )
        assert r.status == 200, await r.text()

        async def erased() -> bool:
            r = await notifications.get(
                "/api/v1/deliveries", params={"registration_id": reg["id"]}, headers=organizer
            )
            return all(d["recipient"].startswith("erased-") for d in (await r.json())["deliveries"])

        await eventually(erased)
        r = await notifications.post(f"/api/v1/deliveries/{first['id']}/resend", headers=organizer)
        assert (r.status, (await r.json())["code"]) == (409, "recipient_erased")
        assert len(inbox.to(reg["email"])) == 2


async def test_smtp_sessions_are_kept_between_batches_and_a_dropped_one_is_replaced(
    service_client: Any, servers: Any
) -> None:
    """Two emails a moment apart go over one SMTP session (no connection, TLS and login
    per batch). One the server closed meanwhile (here: it restarted) is replaced by a new
    session, and the email goes at once, not on a retry."""
    port = free_port()
    before, after = Inbox(), Inbox()
    with smtp_on(port, before) as smtp_url:
        [notifications], registration = await _services(service_client, smtp_url)
        slug = await _event(registration, servers)
        ours = [_address(), _address()]
        for address in ours:
            [reg] = await _register(registration, slug, address)
            assert (await _delivery(notifications, servers, reg, _done))["status"] == "sent"
        # (An earlier test's email still on its retries may ride along: only ours count.)
        [carried] = [
            [reply for recipient, reply in answers if recipient in ours]
            for answers in before.sessions.values()
            if any(recipient in ours for recipient, _ in answers)
        ]
        assert carried == [ACCEPTED, ACCEPTED]
    with smtp_on(port, after):
        [reg] = await _register(registration, slug, _address())
        delivery = await _delivery(notifications, servers, reg, _done)
    assert _outcome(delivery) == _sent_at_first_try(reg["email"])
    [msg] = after.to(reg["email"])
    assert msg["Message-ID"] == delivery["message_id"]
