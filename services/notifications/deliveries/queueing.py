"""What the notifications service does with each event: queue its emails and keep the
attendees and events read models, in the caller's (the consumer's) transaction."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
import structlog

from services.notifications.deliveries import attendees_db, db
from services.notifications.emails.payloads import AttemptRefused, EventChangeBase, SessionOffer
from services.notifications.reminders import db as reminders_db
from shared import events
from shared.timefmt import VENUE_TZ

log = structlog.get_logger()
# What attendees see of an event (request field names, as in EventUpdated.changed).
VISIBLE_CHANGES = frozenset({"name", "starts_at", "ends_at", "venue", "room"})


async def _queue(
    conn: asyncpg.Connection,
    *,
    dedupe_key: str,
    template: str,
    registration_id: uuid.UUID | None,
    holder: events.Holder,
    payload: msgspec.Struct,
) -> None:
    delivery_id = uuid.uuid4()
    await db.insert_delivery(
        conn,
        delivery_id=delivery_id,
        dedupe_key=dedupe_key,
        template=template,
        registration_id=registration_id,
        recipient=holder.email,
        lang=holder.lang,
        payload=msgspec.json.encode(payload),
        message_id=f"<{delivery_id}@cnk-events>",
    )


async def _record_attendee(
    conn: asyncpg.Connection,
    version: int,
    data: events.RegistrationConfirmed
    | events.RegistrationWaitlisted
    | events.RegistrationOffered
    | events.RegistrationSessionsChanged
    | events.RegistrationCancelled,
    status: str,
) -> list[events.CertificateIssued]:
    return await attendees_db.upsert_attendee(
        conn,
        registration_id=data.registration_id,
        event=data.event,
        holder=data.holder,
        status=status,
        manage_token_sealed=data.manage_token_sealed,
        version=version,
        sessions=None if isinstance(data, events.RegistrationCancelled) else data.sessions,
        confirmed_at=data.confirmed_at if isinstance(data, events.RegistrationConfirmed) else None,
    )


async def _attendee(
    conn: asyncpg.Connection, registration_id: uuid.UUID, template: str
) -> tuple[attendees_db.Attendee | None, bool]:
    """The attendee as notifications knows them (None: not yet), and whether they are gone
    (cancelled or erased), in which case no ``template`` email is queued for them."""
    attendee = await attendees_db.select_attendee(conn, registration_id)
    if attendee is None or attendee.status not in ("cancelled", "erased"):
        return attendee, False
    log.info(
        "email_to_someone_gone_skipped",
        template=template,
        registration_id=str(registration_id),
        status=attendee.status,
    )
    return attendee, True


async def queue_ticket_email(conn: asyncpg.Connection, data: events.TicketIssued) -> None:
    """The ticket, by email; not to someone who cancelled (or was erased) before it was
    issued: the ticket arrives here over tickets, a step longer than the cancellation,
    and would follow the "Registration cancelled" email with a ticket already revoked."""
    _, gone = await _attendee(conn, data.registration_id, "ticket")
    if gone:
        return
    await _queue(
        conn,
        dedupe_key=f"ticket:{data.ticket_id}",
        template="ticket",
        registration_id=data.registration_id,
        holder=data.holder,
        payload=data,
    )


async def queue_reissued_ticket_email(
    conn: asyncpg.Connection, data: events.TicketReissued
) -> None:
    """The new ticket, by email: the code the holder has stopped working (its key was
    retired). The manage link and the sessions come from the attendees read model (the
    tickets service keeps neither); someone erased or cancelled is not written to."""
    attendee, gone = await _attendee(conn, data.registration_id, "ticket_reissued")
    if gone:
        return
    holder = attendee.holder if attendee else data.holder  # the read model's is the newer
    await _queue(
        conn,
        dedupe_key=f"ticket-reissued:{data.ticket_id}:{data.key_id}",
        template="ticket_reissued",
        registration_id=data.registration_id,
        holder=holder,
        payload=events.TicketIssued(
            ticket_id=data.ticket_id,
            registration_id=data.registration_id,
            code=data.code,
            key_id=data.key_id,
            event=data.event,
            holder=holder,
            manage_token_hash=data.manage_token_hash,
            issued_at=data.issued_at,
            manage_token_sealed=attendee.manage_token_sealed if attendee else None,
            sessions=(attendee.sessions or []) if attendee else [],
        ),
    )


async def record_confirmation(
    conn: asyncpg.Connection, version: int, data: events.RegistrationConfirmed
) -> None:
    # The email for it is the ticket's, on ticket.issued.
    # A certificate is for someone whose seat was confirmed: one that came first waited.
    for waiting in await _record_attendee(conn, version, data, "confirmed"):
        await _queue_certificate(conn, waiting)
    await db.update_withdrawn(
        conn,
        data.registration_id,
        db.WITHDRAWN_ON_CONFIRMATION,
        "the registration was confirmed before it was sent",
    )


async def queue_waitlisted_email(
    conn: asyncpg.Connection, version: int, data: events.RegistrationWaitlisted
) -> None:
    await _record_attendee(conn, version, data, "waitlisted")
    await _queue(
        conn,
        dedupe_key=f"waitlisted:{data.registration_id}",
        template="waitlisted",
        registration_id=data.registration_id,
        holder=data.holder,
        payload=data,
    )


async def queue_offer_email(
    conn: asyncpg.Connection, version: int, data: events.RegistrationOffered
) -> None:
    await _record_attendee(conn, version, data, "offered")
    await _queue(
        conn,
        dedupe_key=f"offer:{data.registration_id}:{data.expires_at.isoformat()}",
        template="offer",
        registration_id=data.registration_id,
        holder=data.holder,
        payload=data,
    )


async def queue_session_offer_emails(
    conn: asyncpg.Connection, version: int, data: events.RegistrationSessionsChanged
) -> None:
    await _record_attendee(conn, version, data, data.status)
    choices = {c.slug: c for c in data.sessions}
    for slug in data.offered:
        choice = choices.get(slug)
        if choice is None or choice.status != "offered":
            continue  # accepted or passed on already: nothing to offer any more
        expires = choice.offer_expires_at.isoformat() if choice.offer_expires_at else "-"
        await _queue(
            conn,
            dedupe_key=f"session-offer:{data.registration_id}:{slug}:{expires}",
            template="session_offer",
            registration_id=data.registration_id,
            holder=data.holder,
            payload=SessionOffer(
                registration_id=data.registration_id,
                event=data.event,
                holder=data.holder,
                session=choice,
                manage_token_sealed=data.manage_token_sealed,
            ),
        )


async def queue_cancellation_email(
    conn: asyncpg.Connection, version: int, data: events.RegistrationCancelled
) -> None:
    await _record_attendee(conn, version, data, "cancelled")
    # After the attendee's row: a reminder being queued for them holds it until it commits.
    await reminders_db.delete_pending_reminders_of_registration(conn, data.registration_id)
    await db.update_withdrawn(
        conn,
        data.registration_id,
        db.WITHDRAWN_ON_CANCELLATION,
        "the registration was cancelled before it was sent",
    )
    if data.reason == "erased":
        return  # the person asked to be forgotten, not written to
    await _queue(
        conn,
        dedupe_key=f"cancelled:{data.registration_id}",
        template="cancelled",
        registration_id=data.registration_id,
        holder=data.holder,
        payload=data,
    )


async def queue_attempt_refused_email(
    conn: asyncpg.Connection, data: events.RegistrationAttemptRefused
) -> None:
    """Tell an attendee that a group tried to register their address again (the group's
    refusal names nobody). Not someone no longer registered (it would not be true), nor
    someone this read model does not know (there is no address to write to). At most one
    such email a day per registration: the refusals are anyone's to cause, the emails
    must not become a way to flood someone's inbox."""
    attendee, gone = await _attendee(conn, data.registration_id, "attempt_refused")
    if attendee is None:
        log.info("attempt_refused_attendee_unknown", registration_id=str(data.registration_id))
        return
    if gone:
        return
    day = data.refused_at.astimezone(VENUE_TZ).date().isoformat()
    await _queue(
        conn,
        dedupe_key=f"attempt-refused:{data.registration_id}:{day}",
        template="attempt_refused",
        registration_id=data.registration_id,
        holder=attendee.holder,
        payload=AttemptRefused(
            registration_id=data.registration_id,
            event=data.event,
            holder=attendee.holder,
            status=attendee.status,
            refused_at=data.refused_at,
        ),
    )


async def queue_message_email(conn: asyncpg.Connection, data: events.MessageRequested) -> None:
    """An organizer's message, once per message and registration; like any news of the
    event, not to someone who cancelled or was erased meanwhile."""
    _, gone = await _attendee(conn, data.registration_id, "message")
    if gone:
        return
    await _queue(
        conn,
        dedupe_key=f"message:{data.message_id}:{data.registration_id}",
        template="message",
        registration_id=data.registration_id,
        holder=data.holder,  # the texts are in its language
        payload=data,
    )


async def record_event(conn: asyncpg.Connection, version: int, data: events.EventCreated) -> None:
    await reminders_db.upsert_event(
        conn, info=data.event, status=data.status, sessions=data.sessions, version=version
    )


async def queue_event_changed_emails(
    conn: asyncpg.Connection, version: int, data: events.EventUpdated
) -> None:
    await reminders_db.upsert_event(
        conn, info=data.event, status=data.status, sessions=data.sessions, version=version
    )
    if data.status != "published" or VISIBLE_CHANGES.intersection(data.changed):
        # After the event's row (see above). A reminder not sent yet is written again from
        # the event's new state if it is still due (for a new start, under a new key).
        await reminders_db.delete_pending_reminders_of_event(conn, data.event.id)
    if data.status != "published" or not VISIBLE_CHANGES.intersection(data.changed):
        return
    queued = await db.insert_event_changed_deliveries(
        conn,
        event_id=data.event.id,
        sequence=version,
        payload=msgspec.json.encode(
            EventChangeBase(event=data.event, changed=data.changed, sequence=version)
        ),
    )
    if queued:
        await db.notify_sender(conn)


async def erase_recipient(conn: asyncpg.Connection, data: events.RegistrationErased) -> None:
    await db.update_deliveries_erased(conn, data.registration_id)
    await attendees_db.update_attendee_erased(conn, data.registration_id)
    await attendees_db.delete_certificates_waiting(conn, data.registration_id)


async def queue_certificate_email(conn: asyncpg.Connection, data: events.CertificateIssued) -> None:
    if not await _queue_certificate(conn, data):
        # The streams are not ordered with each other: the registration's events (with the
        # address) are still on their way. The certificate waits for them
        # (record_confirmation).
        await attendees_db.insert_certificate_waiting(conn, data)


async def _queue_certificate(conn: asyncpg.Connection, data: events.CertificateIssued) -> bool:
    """Queue the certificate_ready email; False if its attendee is not known yet."""
    outcome = await db.insert_certificate_delivery(
        conn,
        delivery_id=uuid.uuid4(),
        certificate_id=data.certificate_id,
        registration_id=data.registration_id,
        lang=data.lang,
        certificate=msgspec.json.encode(data),
    )
    if outcome == "erased":
        log.info("certificate_email_erased_skipped", certificate_id=str(data.certificate_id))
    elif outcome == "queued":
        await db.notify_sender(conn)
    return outcome != "unknown"


async def queue_sign_in_email(conn: asyncpg.Connection, data: events.StaffSignInRequested) -> None:
    """A staff member's sign-in link, once per link; it concerns no registration."""
    await _queue(
        conn,
        dedupe_key=f"staff-sign-in:{data.link_id}",
        template="staff_sign_in",
        registration_id=None,
        holder=events.Holder(name=data.name, email=data.email, lang=data.lang),
        payload=data,
    )


# The emails that carry a registration's ticket or place in line, and its manage link.
RESENDABLE = ["ticket", "ticket_reissued", "waitlisted", "offer"]


async def resend_latest(conn: asyncpg.Connection, data: events.RegistrationLinkRequested) -> None:
    """Send me my ticket again: the registration's latest such email again, as a delivery
    of its own; nothing when none has gone out yet (the first one is still on its way)."""
    latest = await db.select_latest_sent(conn, data.registration_id, RESENDABLE)
    if latest is not None and await db.insert_resend(conn, latest, uuid.uuid4()) is not None:
        await db.notify_sender(conn)
