"""Sends queued deliveries: claims due rows, talks SMTP outside transactions, records outcomes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from email.message import EmailMessage

import aiosmtplib
import asyncpg
import msgspec
import prometheus_client
import structlog
from aiohttp import web

from services.notifications import db, mailer
from services.notifications.keys import EMAILS_TOTAL
from shared import events, outbox
from shared.bus import stop_task, supervise
from shared.keys import DB_POOL, SETTINGS

log = structlog.get_logger()
BATCH = 20
CLAIM_SECONDS = 120
RETRY_DELAYS = (10, 30, 60, 300, 900, 1800, 3600)


def compose(delivery: db.Delivery, mail_from: str) -> EmailMessage:
    if delivery.template == "ticket":
        ticket = msgspec.json.decode(delivery.payload, type=events.TicketIssued)
        return mailer.compose_ticket_email(ticket, mail_from, delivery.message_id)
    raise ValueError(f"unknown template {delivery.template!r}")


def is_permanent(error: Exception) -> bool:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= e.code < 600 for e in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return 500 <= error.code < 600
    return False


class Sender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        smtp: mailer.SmtpConfig,
        mail_from: str,
        poll_seconds: float,
        emails: prometheus_client.Counter,
    ) -> None:
        self.pool = pool
        self.smtp = smtp
        self.mail_from = mail_from
        self.poll_seconds = poll_seconds
        self.emails = emails
        self.wake = asyncio.Event()

    async def deliver(self, delivery: db.Delivery) -> None:
        try:
            msg = compose(delivery, self.mail_from)
        except Exception as e:
            log.exception("email_compose_failed", delivery_id=str(delivery.id))
            await db.update_failed(self.pool, delivery.id, f"compose: {e}")
            self.emails.labels(delivery.template, "failed").inc()
            return
        try:
            await mailer.send(msg, self.smtp)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            error = f"{type(e).__name__}: {e}"[:1000]
            if is_permanent(e):
                log.warning("email_failed", delivery_id=str(delivery.id), error=error)
                await db.update_failed(self.pool, delivery.id, error)
                self.emails.labels(delivery.template, "failed").inc()
            else:
                delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
                log.info(
                    "email_deferred", delivery_id=str(delivery.id), error=error, retry_in=delay
                )
                await db.update_retry(self.pool, delivery.id, error, delay)
                self.emails.labels(delivery.template, "deferred").inc()
            return
        async with self.pool.acquire() as conn, conn.transaction():
            sent_at = await db.update_sent(conn, delivery.id)
            await outbox.enqueue(
                conn,
                events.NotificationSent(
                    delivery_id=delivery.id,
                    registration_id=delivery.registration_id,
                    template=delivery.template,
                    message_id=delivery.message_id,
                    sent_at=sent_at,
                ),
                delivery.id,
                1,
            )
        self.emails.labels(delivery.template, "sent").inc()
        log.info("email_sent", delivery_id=str(delivery.id), template=delivery.template)

    async def run(self) -> None:
        while True:
            self.wake.clear()
            due = await db.update_claim_due(self.pool, BATCH, CLAIM_SECONDS)
            if due:
                await asyncio.gather(*(self.deliver(d) for d in due))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.poll_seconds)


async def sender_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = app[DB_POOL]
    sender = Sender(
        pool,
        mailer.SmtpConfig.from_url(settings.smtp_url),
        settings.mail_from,
        settings.outbox_poll_seconds,
        app[EMAILS_TOTAL],
    )
    listener = await pool.acquire()
    channel = f"deliveries_{settings.schema}"

    def on_notify(*_: object) -> None:
        sender.wake.set()

    await listener.add_listener(channel, on_notify)
    task = asyncio.create_task(supervise(sender.run, "email-sender"))
    yield
    await stop_task(task)
    with contextlib.suppress(Exception):
        await listener.remove_listener(channel, on_notify)
    await pool.release(listener)
