"""Rendering emails (Jinja2, inline QR, .ics and PDF attachments) and handing them to SMTP."""

from __future__ import annotations

import binascii
import dataclasses
import email.generator
import email.policy
import functools
import io
import socket
import time
import uuid
from collections.abc import Mapping
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import jinja2

from shared.events import Holder
from shared.qr import qr_png

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates change with a deployment, not while running
)


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


@dataclasses.dataclass(frozen=True)
class Email:
    """One email before rendering: its template, recipient, subject, context and extras."""

    template: str
    to: Holder
    subject: str
    context: Mapping[str, Any]
    qr_code: str | None = None  # drawn inline in the HTML part, as cid:{{ qr_cid }}
    calendar: bytes | None = None
    calendar_filename: str = "event.ics"
    pdf: bytes | None = None
    pdf_filename: str = "ticket.pdf"


def _text(body: str, subtype: str) -> MIMEText:
    """A UTF-8 text part, quoted-printable: readable in a raw .eml, safe on any mail
    server. Encoded by binascii, in C: the email package's own encoder goes character by
    character in Python, ten times as long (a fortieth of composing a ticket email)."""
    part = MIMEText("", subtype, "utf-8")
    del part["Content-Transfer-Encoding"]
    part.set_payload(binascii.b2a_qp(body.encode()).decode("ascii"))
    part["Content-Transfer-Encoding"] = "quoted-printable"
    return part


def _boundary() -> str:
    """A random MIME boundary. Left to the generator, each is checked against the whole
    text it encloses (the PDF's base64 included), a few percent of an email's cost; 128
    random bits cannot occur in a body anyway."""
    return f"=_{uuid.uuid4().hex}"


def render(email: Email, mail_from: str, message_id: str) -> Message:
    """The MIME message: plain text and HTML in the recipient's language, and the extras.

    Built with the classic (compat32) MIME classes: the same structure as the modern
    EmailMessage API at a fraction of its cost per message, which matters at hundreds of
    emails a second.
    """
    lang = email.to.lang
    context = dict(email.context, lang=lang)
    qr_cid = make_msgid(domain="cnk-events")
    if email.qr_code is not None:
        context["qr_cid"] = qr_cid[1:-1]
    text = _text(_templates.get_template(f"{email.template}.{lang}.txt").render(context), "plain")
    html: Message = _text(
        _templates.get_template(f"{email.template}.{lang}.html").render(context), "html"
    )
    if email.qr_code is not None:
        image = MIMEImage(qr_png(email.qr_code), "png")
        image["Content-ID"] = qr_cid
        image.add_header("Content-Disposition", "inline", filename="ticket-qr.png")
        html = MIMEMultipart("related", _boundary(), [html, image])
    msg: Message = MIMEMultipart("alternative", _boundary(), [text, html])
    attachments: list[Message] = []
    if email.calendar is not None:
        calendar = _text(email.calendar.decode(), "calendar")
        calendar.set_param("method", "PUBLISH")
        calendar.add_header("Content-Disposition", "attachment", filename=email.calendar_filename)
        attachments.append(calendar)
    if email.pdf is not None:
        pdf = MIMEApplication(email.pdf, "pdf")  # base64
        pdf.add_header("Content-Disposition", "attachment", filename=email.pdf_filename)
        attachments.append(pdf)
    if attachments:
        msg = MIMEMultipart("mixed", _boundary(), [msg, *attachments])
    msg["Subject"] = Header(email.subject, "utf-8", header_name="Subject")  # type: ignore[assignment]
    msg["From"] = mail_from
    msg["To"] = formataddr((email.to.name, email.to.email), charset="utf-8")
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(usegmt=True)
    msg["Content-Language"] = lang
    return msg


class _Wire(email.policy.Compat32):
    """How aiosmtplib flattens a classic message (compat32, lines ending in CRLF as sent),
    with a shortcut for the headers that need neither folding nor encoding: compat32
    builds and encodes a ``Header`` for every one of them, nearly half the cost of turning
    a ticket email into bytes. The bytes are the same."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and len(name) + 2 + len(value) <= 78
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


_WIRE = _Wire(linesep="\r\n")


@functools.cache
def _address(mail_from: str) -> str:
    """The envelope sender of ``MAIL_FROM`` (``Name <address>``): the same for every email."""
    return parseaddr(mail_from)[1] or mail_from


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """An email ready for SMTP: its envelope and its bytes."""

    sender: str
    recipient: str
    data: bytes
    subject: str = ""  # for the delivery log

    @classmethod
    def of(cls, msg: Message, mail_from: str, recipient: str, subject: str = "") -> Outgoing:
        buffer = io.BytesIO()
        email.generator.BytesGenerator(buffer, policy=_WIRE).flatten(msg)
        return cls(_address(mail_from), recipient, buffer.getvalue(), subject)

    async def send(self, smtp: aiosmtplib.SMTP) -> None:
        # An internationalised address needs SMTPUTF8, as aiosmtplib's send_message asks.
        utf8 = not (self.sender.isascii() and self.recipient.isascii())
        await smtp.sendmail(
            self.sender, [self.recipient], self.data, mail_options=["SMTPUTF8"] if utf8 else []
        )


@functools.cache
def _local_hostname() -> str:
    # aiosmtplib would look it up (in a thread) on every connection.
    return socket.getfqdn()


async def connect(config: SmtpConfig, timeout: float = 30) -> aiosmtplib.SMTP:
    """One SMTP session: connected, TLS and login as configured."""
    smtp = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.use_tls,
        start_tls=config.start_tls if config.start_tls else None,
        timeout=timeout,
        local_hostname=_local_hostname(),
    )
    await smtp.connect()
    return smtp


async def hang_up(smtp: aiosmtplib.SMTP) -> None:
    """QUIT and close. What was sent is sent: a failing goodbye changes nothing (nor is it
    waited for long: a session idle for a while may lead nowhere), and close() frees the
    socket whatever happened to it, cancellation included."""
    try:
        if smtp.is_connected:
            await smtp.quit(timeout=2)
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        pass
    finally:
        smtp.close()


class Sessions:
    """SMTP sessions kept open between batches, at most ``keep`` of them, each for at most
    ``idle_seconds`` unused (servers drop idle clients after a minute or a few): no
    connection, greeting, TLS handshake and login per batch. One the server has closed
    meanwhile is noticed before it is handed out, or fails its first message, which the
    sender then sends again over a new session."""

    def __init__(self, config: SmtpConfig, keep: int, idle_seconds: float = 20.0) -> None:
        self.config = config
        self.keep = keep
        self.idle_seconds = idle_seconds
        self.idle: list[tuple[aiosmtplib.SMTP, float]] = []  # with when it was last used

    async def take(self, fresh: bool = False) -> tuple[aiosmtplib.SMTP, bool]:
        """A session, and whether it was used before (``fresh``: a new one)."""
        await self.close_idle()
        while self.idle and not fresh:
            smtp, _ = self.idle.pop()
            if smtp.is_connected:
                return smtp, True
            smtp.close()
        return await connect(self.config), False

    async def give_back(self, smtp: aiosmtplib.SMTP, healthy: bool) -> None:
        if healthy and smtp.is_connected and len(self.idle) < self.keep:
            self.idle.append((smtp, time.monotonic()))
        else:
            await hang_up(smtp)

    async def close_idle(self, all_of_them: bool = False) -> None:
        """Hang up the sessions unused for too long (or every idle one)."""
        now = time.monotonic()
        stale = [s for s, used in self.idle if all_of_them or now - used > self.idle_seconds]
        self.idle = [(s, used) for s, used in self.idle if s not in stale]
        try:
            for smtp in stale:
                await hang_up(smtp)
        finally:
            for smtp in stale:
                smtp.close()  # the ones a cancellation (shutting down) left: no QUIT then
