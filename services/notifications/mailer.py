"""Composing the emails (Jinja2, inline QR, .ics) and handing them to SMTP (aiosmtplib)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import aiosmtplib
import icalendar
import jinja2

from shared.events import TicketIssued
from shared.qr import qr_png

VENUE_TZ = ZoneInfo("Europe/Warsaw")
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
SUBJECTS = {
    "ticket": {"pl": "Twój bilet: {name}", "en": "Your ticket: {name}"},
}
MONTHS_PL = (
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października"
    " listopada grudnia"
).split()


@dataclasses.dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """``smtp://[user:pass@]host:port``; ``smtps://`` is implicit TLS; ``?starttls=true``."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://host:port, got {url!r}")
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
        )


def format_when(starts_at: datetime, ends_at: datetime, lang: str) -> str:
    start, end = starts_at.astimezone(VENUE_TZ), ends_at.astimezone(VENUE_TZ)
    if lang == "pl":
        day = f"{start.day} {MONTHS_PL[start.month - 1]} {start.year}"
    else:
        day = f"{start.day} {start.strftime('%B')} {start.year}"
    end_text = end.strftime("%H:%M")
    if end.date() != start.date():
        end_text = (
            f"{end.day} {MONTHS_PL[end.month - 1] if lang == 'pl' else end.strftime('%B')}"
            f" {end.year}, {end_text}"
        )
    zone = "czasu polskiego" if lang == "pl" else "Polish time"
    return f"{day}, {start.strftime('%H:%M')}–{end_text} ({zone})"


def calendar_entry(ticket: TicketIssued) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CNK Events//cnk-events//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{ticket.ticket_id}@cnk-events")
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", ticket.event.starts_at.astimezone(UTC))
    entry.add("dtend", ticket.event.ends_at.astimezone(UTC))
    entry.add("summary", ticket.event.name.get(ticket.holder.lang))
    entry.add("location", ticket.event.venue)
    entry.add("description", f"Ticket / Bilet: {ticket.code}")
    cal.add_component(entry)
    return bytes(cal.to_ical())


def compose_ticket_email(ticket: TicketIssued, mail_from: str, message_id: str) -> EmailMessage:
    lang = ticket.holder.lang
    qr_cid = make_msgid(domain="cnk-events")
    context = {
        "holder": ticket.holder,
        "event": ticket.event,
        "code": ticket.code,
        "when": format_when(ticket.event.starts_at, ticket.event.ends_at, lang),
        "qr_cid": qr_cid[1:-1],
    }
    msg = EmailMessage()
    msg["Subject"] = SUBJECTS["ticket"][lang].format(name=ticket.event.name.get(lang))
    msg["From"] = mail_from
    msg["To"] = formataddr((ticket.holder.name, ticket.holder.email))
    msg["Message-ID"] = message_id
    msg["Content-Language"] = lang
    msg.set_content(_templates.get_template(f"ticket.{lang}.txt").render(context))
    msg.add_alternative(
        _templates.get_template(f"ticket.{lang}.html").render(context), subtype="html"
    )
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(
        qr_png(ticket.code),
        maintype="image",
        subtype="png",
        cid=qr_cid,
        filename="ticket-qr.png",
        disposition="inline",
    )
    msg.add_attachment(
        calendar_entry(ticket),
        maintype="text",
        subtype="calendar",
        filename=f"{ticket.event.slug}.ics",
        params={"method": "PUBLISH"},
    )
    return msg


async def send(msg: EmailMessage, config: SmtpConfig, timeout: float = 30) -> None:
    await aiosmtplib.send(
        msg,
        hostname=config.host,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.use_tls,
        start_tls=config.start_tls if config.start_tls else None,
        timeout=timeout,
    )
