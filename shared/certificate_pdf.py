"""The certificate of attendance as a PDF: one A4 landscape page with a verification QR code.

Rendered from the signed claims alone (by checkin for downloads, by notifications for the
email), so both give the same bytes; the token rides in the document's Keywords.
"""

from __future__ import annotations

import io
from datetime import date

import qrcode
import qrcode.constants
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from shared.certificates import ISSUER, Claims
from shared.qr import MASK_PATTERN
from shared.ticket_pdf import _registered_font, pdf_date, qr_operators
from shared.timefmt import MONTHS_PL, VENUE_TZ, format_when

TEXTS = {
    "pl": {
        "title": "Zaświadczenie o uczestnictwie",
        "certify": "Niniejszym zaświadcza się, że",
        "attended_event": "uczestniczył(a) w wydarzeniu",
        "attended_session": "uczestniczył(a) w sesji",
        "of_event": "w ramach wydarzenia",
        "when": "Termin",
        "where": "Miejsce",
        "room": "sala",
        "days": "Obecność potwierdzona w dniach",
        "day": "Obecność potwierdzona w dniu",
        "issued": "Wystawiono",
        "number": "Nr zaświadczenia",
        "verify": "Autentyczność zaświadczenia można sprawdzić, skanując kod QR lub pod adresem",
    },
    "en": {
        "title": "Certificate of attendance",
        "certify": "This is to certify that",
        "attended_event": "attended the event",
        "attended_session": "attended the session",
        "of_event": "of the event",
        "when": "When",
        "where": "Place",
        "room": "room",
        "days": "Attendance recorded on",
        "day": "Attendance recorded on",
        "issued": "Issued",
        "number": "Certificate no.",
        "verify": "Check that this certificate is genuine by scanning the QR code or at",
    },
}
MARGIN = 18.0  # mm
PAGE_W, PAGE_H = 297.0, 210.0  # mm, A4 landscape
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 34.0  # mm, quiet zone included
FOOT_TOP = PAGE_H - MARGIN - QR_SIZE
SCALES = (1.0, 0.85, 0.7, 0.55)  # of the body's type sizes, the first whose text fits
GREY = (85, 88, 95)
INK = (27, 27, 31)
ACCENT = (0, 86, 155)
FOOT_GAP = 1.0  # mm under each line of the foot
RGB = tuple[int, int, int]
# Lines of text, their size in points and colour; or a gap in mm.
Block = tuple[list[str], float, RGB] | float


def day_text(day: date, lang: str) -> str:
    month = MONTHS_PL[day.month - 1] if lang == "pl" else day.strftime("%B")
    return f"{day.day} {month} {day.year}"


def verify_url(base_url: str, certificate_id: object) -> str:
    return f"{base_url.rstrip('/')}/verify/{certificate_id}"


def _qr_matrix(text: str) -> list[list[bool]]:
    """The QR symbol of a URL (byte mode: a URL is not QR alphanumeric), quiet zone included."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=MASK_PATTERN
    )
    qr.add_data(text)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def render_certificate_pdf(claims: Claims, token: str, url: str) -> bytes:
    """The certificate in ``claims.lang``, its QR code leading to ``url`` (the verification
    page); the same arguments give the same bytes, in any process."""
    lang = claims.lang if claims.lang in TEXTS else "pl"
    font = _registered_font()
    # Very long names and titles are set smaller rather than run into the foot.
    for scale in SCALES:
        blocks = _body(claims, lang, font, scale)
        if MARGIN + 2 + _height(blocks) <= FOOT_TOP - 2:
            break
    return _draw(claims, lang, font, token, url, blocks)


def _body(claims: Claims, lang: str, font: str, k: float) -> list[Block]:
    """The body's text, wrapped to the page at ``k`` times its type sizes."""
    t = TEXTS[lang]
    event, session = claims.event, claims.session

    def lines(text: str, size: float, color: RGB) -> tuple[list[str], float, RGB]:
        return simpleSplit(text, font, size * k, WIDTH * mm), size * k, color

    blocks: list[Block] = [
        lines(ISSUER.get(lang), 10, GREY),
        6 * k,
        lines(t["title"].upper(), 26, ACCENT),
        6 * k,
        lines(t["certify"], 12, GREY),
        2 * k,
        lines(claims.holder, 28, INK),
        3 * k,
    ]
    if session is not None:
        blocks += [
            lines(t["attended_session"], 12, GREY),
            lines(session.name.get(lang), 18, INK),
            lines(t["of_event"], 12, GREY),
            lines(event.name.get(lang), 15, INK),
        ]
        when = format_when(session.starts_at, session.ends_at, lang)
        where = f"{event.venue}, {t['room']} {session.room}" if session.room else event.venue
    else:
        blocks += [
            lines(t["attended_event"], 12, GREY),
            lines(event.name.get(lang), 18, INK),
        ]
        when = format_when(event.starts_at, event.ends_at, lang)
        where = event.venue
    days = ", ".join(day_text(d, lang) for d in claims.attended)
    label = t["days"] if len(claims.attended) > 1 else t["day"]
    return [
        *blocks,
        3 * k,
        lines(f"{t['when']}: {when}", 11, INK),
        lines(f"{t['where']}: {where}", 11, INK),
        lines(f"{label}: {days}", 11, INK),
    ]


def _height(blocks: list[Block]) -> float:
    """The blocks' height in mm: a line is 0.45 mm a point."""
    return sum(b if isinstance(b, float) else len(b[0]) * b[1] * 0.45 for b in blocks)


def _text(
    canvas: Canvas, font: str, x: float, y: float, blocks: list[Block], centred: bool
) -> None:
    """The blocks from ``y`` mm down, left-aligned at or centred on ``x`` mm."""
    for block in blocks:
        if isinstance(block, float):
            y += block
            continue
        lines, size, color = block
        canvas.setFont(font, size)
        canvas.setFillColorRGB(*(c / 255 for c in color))
        step = size * 0.45
        for line in lines:
            y += step
            # The baseline sits a fifth of the line above its bottom.
            baseline = (PAGE_H - y + step * 0.2) * mm
            if centred:
                canvas.drawCentredString(x * mm, baseline, line)
            else:
                canvas.drawString(x * mm, baseline, line)


def _draw(claims: Claims, lang: str, font: str, token: str, url: str, body: list[Block]) -> bytes:
    t = TEXTS[lang]
    buffer = io.BytesIO()
    # invariant: ids from the content, not the clock; the date is the issue time.
    canvas = Canvas(
        buffer,
        pagesize=landscape(A4),
        pageCompression=1,
        invariant=True,
        lang=lang,
        initialFontName=font,  # else reportlab adds Helvetica, unused
    )
    canvas.setDateFormatter(pdf_date(claims.issued_at))
    canvas.setTitle(f"{t['title']}: {claims.holder}, {claims.event.name.get(lang)}")
    canvas.setSubject(t["title"])
    canvas.setKeywords(token)
    canvas.setAuthor(ISSUER.get(lang))
    canvas.setCreator("cnk-events")

    canvas.setStrokeColorRGB(*(c / 255 for c in ACCENT))
    canvas.setLineWidth(0.8 * mm)
    canvas.rect(8 * mm, 8 * mm, (PAGE_W - 16) * mm, (PAGE_H - 16) * mm, stroke=1, fill=0)
    canvas.setLineWidth(0.2 * mm)
    canvas.rect(10 * mm, 10 * mm, (PAGE_W - 20) * mm, (PAGE_H - 20) * mm, stroke=1, fill=0)

    _text(canvas, font, PAGE_W / 2, MARGIN + 2, body, centred=True)

    # The foot: who issued it and when, its number, and how to check it.
    matrix = _qr_matrix(url)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral(
        qr_operators(
            matrix,
            (PAGE_W - MARGIN - QR_SIZE) * mm,
            (PAGE_H - FOOT_TOP) * mm,
            QR_SIZE / len(matrix) * mm,
        )
    )
    text_width = (WIDTH - QR_SIZE - 6) * mm
    issued = day_text(claims.issued_at.astimezone(VENUE_TZ).date(), lang)
    foot: list[Block] = []
    for text, size, color in (
        (f"{t['issued']}: {issued}", 10.0, INK),
        (f"{t['number']}: {claims.id}", 9.0, GREY),
        (t["verify"], 8.5, GREY),
        (url, 8.5, ACCENT),
    ):
        foot += [(simpleSplit(text, font, size, text_width), size, color), FOOT_GAP]
    _text(canvas, font, MARGIN + 1, FOOT_TOP + 2, foot, centred=False)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
