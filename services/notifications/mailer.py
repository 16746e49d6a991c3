"""Composing the emails (Jinja2, inline QR, .ics) and handing them to SMTP (aiosmtplib)."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import jinja2

from shared.calendar import calendar_entry
from shared.events import TicketIssued
from shared.qr import qr_png
from shared.timefmt import format_when

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
SUBJECTS = {
    "ticket": {"pl": "Twój bilet: {name}", "en": "Your ticket: {name}"},
}


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


def ticket_calendar_entry(ticket: TicketIssued) -> bytes:
    return calendar_entry(
        uid=f"{ticket.ticket_id}@cnk-events",
        summary=ticket.event.name.get(ticket.holder.lang),
        starts_at=ticket.event.starts_at,
        ends_at=ticket.event.ends_at,
        location=ticket.event.venue,
        description=f"Ticket / Bilet: {ticket.code}",
    )


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
        ticket_calendar_entry(ticket),
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
