"""The certificate of attendance as a PDF: one A4 landscape page with a verification QR code.

Rendered from the signed claims alone (by checkin for downloads, by notifications for the
email), so both give the same bytes; the token rides in the document's Keywords.
"""

from __future__ import annotations

from datetime import date

import qrcode
import qrcode.constants
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from shared.certificates import ISSUER, Claims
from shared.ticket_pdf import FONT, slim_font
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
PAGE_W = 297.0  # A4 landscape
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 34.0  # mm, quiet zone included
FOOT_TOP = 210 - MARGIN - QR_SIZE
SCALES = (1.0, 0.85, 0.7, 0.55)  # of the body's type sizes, the first whose text fits
GREY = (85, 88, 95)
INK = (27, 27, 31)
ACCENT = (0, 86, 155)


def day_text(day: date, lang: str) -> str:
    month = MONTHS_PL[day.month - 1] if lang == "pl" else day.strftime("%B")
    return f"{day.day} {month} {day.year}"


def verify_url(base_url: str, certificate_id: object) -> str:
    return f"{base_url.rstrip('/')}/verify/{certificate_id}"


def _lines(pdf: FPDF, text: str, size: float, color: tuple[int, int, int], width: float) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*color)
    pdf.set_x(MARGIN)
    pdf.multi_cell(width, size * 0.45, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr(pdf: FPDF, text: str, left: float, top: float, size: float) -> None:
    """A vector QR code of a URL (byte mode), one filled rectangle per run of dark modules."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(left + start * module, top + r * module, (c - start) * module, module, "F")


def render_certificate_pdf(claims: Claims, token: str, url: str) -> bytes:
    """The certificate in ``claims.lang``, its QR code leading to ``url`` (the verification
    page); the same arguments give the same bytes."""
    # Very long names and titles are set smaller rather than run into the foot.
    for scale in SCALES:
        pdf, fits = _render(claims, token, url, scale)
        if fits:
            break
    return pdf


def _render(claims: Claims, token: str, url: str, k: float) -> tuple[bytes, bool]:
    lang = claims.lang if claims.lang in TEXTS else "pl"
    t = TEXTS[lang]
    event, session = claims.event, claims.session
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", slim_font())
    pdf.set_creation_date(claims.issued_at)
    pdf.set_title(f"{t['title']}: {claims.holder}, {event.name.get(lang)}")
    pdf.set_subject(t["title"])
    pdf.set_keywords(token)
    pdf.set_author(ISSUER.get(lang))
    pdf.set_creator("cnk-events")
    pdf.set_lang(lang)
    pdf.add_page()

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.rect(8, 8, PAGE_W - 16, 210 - 16)
    pdf.set_line_width(0.2)
    pdf.rect(10, 10, PAGE_W - 20, 210 - 20)

    pdf.set_y(MARGIN + 2)
    _lines(pdf, ISSUER.get(lang), 10 * k, GREY, WIDTH)
    pdf.ln(6 * k)
    _lines(pdf, t["title"].upper(), 26 * k, ACCENT, WIDTH)
    pdf.ln(6 * k)
    _lines(pdf, t["certify"], 12 * k, GREY, WIDTH)
    pdf.ln(2 * k)
    _lines(pdf, claims.holder, 28 * k, INK, WIDTH)
    pdf.ln(3 * k)
    if session is not None:
        _lines(pdf, t["attended_session"], 12 * k, GREY, WIDTH)
        _lines(pdf, session.name.get(lang), 18 * k, INK, WIDTH)
        _lines(pdf, t["of_event"], 12 * k, GREY, WIDTH)
        _lines(pdf, event.name.get(lang), 15 * k, INK, WIDTH)
        when = format_when(session.starts_at, session.ends_at, lang)
        where = f"{event.venue}, {t['room']} {session.room}" if session.room else event.venue
    else:
        _lines(pdf, t["attended_event"], 12 * k, GREY, WIDTH)
        _lines(pdf, event.name.get(lang), 18 * k, INK, WIDTH)
        when = format_when(event.starts_at, event.ends_at, lang)
        where = event.venue
    pdf.ln(3 * k)
    _lines(pdf, f"{t['when']}: {when}", 11 * k, INK, WIDTH)
    _lines(pdf, f"{t['where']}: {where}", 11 * k, INK, WIDTH)
    days = ", ".join(day_text(d, lang) for d in claims.attended)
    label = t["days"] if len(claims.attended) > 1 else t["day"]
    _lines(pdf, f"{label}: {days}", 11 * k, INK, WIDTH)

    fits = pdf.get_y() <= FOOT_TOP - 2

    # The foot: who issued it and when, its number, and how to check it.
    _qr(pdf, url, PAGE_W - MARGIN - QR_SIZE, FOOT_TOP, QR_SIZE)
    text_width = WIDTH - QR_SIZE - 6
    pdf.set_y(FOOT_TOP + 2)
    for text, size, color in (
        (f"{t['issued']}: {day_text(claims.issued_at.astimezone(VENUE_TZ).date(), lang)}", 10, INK),
        (f"{t['number']}: {claims.id}", 9, GREY),
        (t["verify"], 8.5, GREY),
        (url, 8.5, ACCENT),
    ):
        pdf.set_font(FONT, "", size)
        pdf.set_text_color(*color)
        pdf.set_x(MARGIN)
        pdf.multi_cell(
            text_width, size * 0.45, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(1)
    return bytes(pdf.output()), fits
