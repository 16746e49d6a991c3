"""Sends queued deliveries: claims due rows, talks SMTP outside transactions, records outcomes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiosmtplib
import asyncpg
import prometheus_client
import structlog
from aiohttp import web

from services.notifications.deliveries import db
from services.notifications.emails import mailer
from services.notifications.emails.composing import TEMPLATES
from services.notifications.sealing import LINKS, Links
from shared import events, outbox
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.tasks import Pacer, stop_task, supervise

log = structlog.get_logger()
BATCH = 20
CLAIM_SECONDS = 120
# A temporarily failed email's retries, in multiples of the first (MAIL_RETRY_SECONDS,
# 10 s: then 10 s, 30 s, 1 min, 5 min, 15 min, 30 min, and hourly).
RETRY_STEPS = (1, 3, 6, 30, 90, 180, 360)
# The server answered no to one message (4xx: later; 5xx: never); the session goes on.
REFUSALS = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)
SMTP_SESSIONS = 4  # a batch is spread over this many SMTP sessions at once
# Email delivery attempts, by template and outcome (created with the app's metrics).
EMAILS_TOTAL = web.AppKey("emails_total", prometheus_client.Counter)


def compose(delivery: db.Delivery, mail_from: str, links: Links) -> mailer.Outgoing:
    template = TEMPLATES.get(delivery.template)
    if template is None:
        raise ValueError(f"unknown template {delivery.template!r}")
    email = template.email(delivery.payload, links)
    msg = mailer.render(email, mail_from, delivery.message_id)
    return mailer.Outgoing.of(msg, mail_from, email.to.email, email.subject)


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
        links: Links,
        poll_seconds: float,
        emails: prometheus_client.Counter,
        rate: float = 0.0,
        max_age: timedelta = timedelta(hours=48),
        batch_interval: float = 0.0,
        first_retry_seconds: float = 10.0,
    ) -> None:
        self.pool = pool
        self.retry_delays = [step * first_retry_seconds for step in RETRY_STEPS]
        self.mail_from = mail_from
        self.links = links
        self.poll_seconds = poll_seconds
        self.emails = emails
        self.rate = rate  # emails per second, 0 for no limit
        self.max_age = max_age  # temporary failures are retried this long after queueing
        self.pacer = Pacer(batch_interval)
        self.wake = asyncio.Event()
        self.sessions = mailer.Sessions(smtp, keep=SMTP_SESSIONS)

    async def deliver(self, due: list[db.Delivery]) -> None:
        """Send a claimed batch over a few SMTP sessions, then record what happened."""
        # Composing (a QR image, a PDF ticket) is CPU work of milliseconds each: in
        # a thread, so that the service keeps answering HTTP and NATS meanwhile.
        results = await asyncio.to_thread(self.compose_all, due)
        composed: list[tuple[db.Delivery, mailer.Outgoing]] = []
        for delivery, result in zip(due, results, strict=True):
            if isinstance(result, mailer.Outgoing):
                composed.append((delivery, result))
                continue
            log.error("email_compose_failed", delivery_id=str(delivery.id), error=repr(result))
            await db.update_failed(self.pool, delivery.id, f"compose: {result}")
            self.emails.labels(delivery.template, "failed").inc()
        shares = [composed[i::SMTP_SESSIONS] for i in range(SMTP_SESSIONS)]
        done = await asyncio.gather(*(self.send_share(share) for share in shares if share))
        sent = [delivery for share in done for delivery in share]
        if not sent:
            return
        subjects = {d.id: outgoing.subject for d, outgoing in composed}
        async with self.pool.acquire() as conn, conn.transaction():
            sent_at = await db.update_sent_many(conn, [d.id for d in sent], subjects)
            await outbox.enqueue_many(
                conn,
                [
                    outbox.prepare(
                        events.NotificationSent(
                            delivery_id=d.id,
                            registration_id=d.registration_id,
                            template=d.template,
                            message_id=d.message_id,
                            sent_at=sent_at[d.id],
                        ),
                        d.id,
                        1,
                    )
                    # A withdrawn reminder (deleted while its claim had expired) has no row.
                    for d in sent
                    if d.id in sent_at
                ],
            )
        for delivery in sent:
            self.emails.labels(delivery.template, "sent").inc()
            log.info("email_sent", delivery_id=str(delivery.id), template=delivery.template)

    def compose_all(self, due: list[db.Delivery]) -> list[mailer.Outgoing | Exception]:
        results: list[mailer.Outgoing | Exception] = []
        for delivery in due:
            try:
                results.append(compose(delivery, self.mail_from, self.links))
            except Exception as e:
                results.append(e)
        return results

    async def send_share(
        self, share: list[tuple[db.Delivery, mailer.Outgoing]]
    ) -> list[db.Delivery]:
        """Send one after another over one session; returns the ones the server accepted.

        A refusal (the server answered 4xx or 5xx) concerns that message only; a broken
        connection defers every message not yet handled. A kept session that breaks
        before its first message here (the server dropped it while idle) is replaced
        once by a new one.
        """
        sent: list[db.Delivery] = []
        remaining = list(share)
        fresh = False
        try:
            while remaining:
                smtp, reused = await self.sessions.take(fresh)
                healthy, waiting = False, len(remaining)
                try:
                    for delivery, outgoing in list(remaining):
                        try:
                            await outgoing.send(smtp)
                            sent.append(delivery)
                        except REFUSALS as e:
                            if isinstance(e, aiosmtplib.SMTPResponseException) and e.code == 421:
                                raise  # the server closes the session: not this message's
                            await self.refused(delivery, e)
                            with contextlib.suppress(
                                aiosmtplib.SMTPException, OSError, TimeoutError
                            ):
                                await smtp.rset()
                        remaining.pop(0)
                    healthy = True
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    if reused and len(remaining) == waiting:  # not one handled on it
                        fresh = True
                        continue
                    raise
                finally:
                    await self.sessions.give_back(smtp, healthy)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            # About the session, not any message (down, a refused login, a 5xx greeting):
            # nothing is lost, they wait for the next try, however permanent it sounds.
            for delivery, _ in remaining:
                await self.refused(delivery, e, permanent=False)
        return sent

    async def refused(
        self, delivery: db.Delivery, e: Exception, permanent: bool | None = None
    ) -> None:
        error = f"{type(e).__name__}: {e}"[:1000]
        if is_permanent(e) if permanent is None else permanent:
            log.warning("email_failed", delivery_id=str(delivery.id), error=error)
            await db.update_failed(self.pool, delivery.id, error)
            self.emails.labels(delivery.template, "failed").inc()
            return
        if datetime.now(UTC) - delivery.created_at >= self.max_age:
            hours = self.max_age.total_seconds() / 3600
            error = f"gave up after {hours:g} h of temporary failures; last: {error}"[:1000]
            log.error("email_given_up", delivery_id=str(delivery.id), error=error)
            await db.update_failed(self.pool, delivery.id, error)
            self.emails.labels(delivery.template, "given_up").inc()
            return
        delay = self.retry_delays[min(delivery.attempts, len(self.retry_delays)) - 1]
        log.info("email_deferred", delivery_id=str(delivery.id), error=error, retry_in=delay)
        await db.update_retry(self.pool, delivery.id, error, delay)
        self.emails.labels(delivery.template, "deferred").inc()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        batch = BATCH if not self.rate else max(1, min(BATCH, int(self.rate)))
        while True:
            self.wake.clear()
            started = loop.time()
            due = await db.update_claim_due(self.pool, batch, CLAIM_SECONDS)
            if due:
                self.pacer.took()
                await self.deliver(due)
                if self.rate:
                    # No faster than MAIL_RATE: a burst (a waitlist of hundreds) is spread
                    # out instead of hammering the SMTP server.
                    await asyncio.sleep(max(0.0, len(due) / self.rate - (loop.time() - started)))
                if len(due) < batch:
                    await self.pacer.pause()
                continue
            await self.sessions.close_idle()
            await self.pacer.pause()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.poll_seconds)


async def sender_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = app[DB_POOL]
    sender = Sender(
        pool,
        mailer.SmtpConfig.from_url(settings.smtp_url),
        settings.mail_from,
        app[LINKS],
        settings.outbox_poll_seconds,
        app[EMAILS_TOTAL],
        settings.mail_rate,
        timedelta(hours=settings.mail_max_age_hours),
        settings.batch_interval_seconds,
        settings.mail_retry_seconds,
    )
    listener = await pool.acquire()
    channel = f"deliveries_{settings.schema}"

    def on_notify(*_: object) -> None:
        sender.wake.set()

    await listener.add_listener(channel, on_notify)
    task = asyncio.create_task(supervise(sender.run, "email-sender"))
    yield
    await stop_task(task)
    await sender.sessions.close_idle(all_of_them=True)
    with contextlib.suppress(Exception):
        await listener.remove_listener(channel, on_notify)
    await pool.release(listener)
