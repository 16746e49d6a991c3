"""The printable PDF ticket: event, time, place, holder and a vector QR code, on one A4 page."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from shared.qr import qr_matrix
from shared.timefmt import format_when

TEXTS = {
    "pl": {
        "brand": "Centrum Nowoczesnego Kształcenia · Politechnika Białostocka",
        "ticket": "Bilet",
        "when": "Termin",
        "where": "Miejsce",
        "room": "sala",
        "holder": "Uczestnik",
        "show": "Pokaż ten kod przy wejściu, na wydruku lub na ekranie telefonu.",
        "number": "Nr biletu",
    },
    "en": {
        "brand": "Centre for Modern Education · Białystok University of Technology",
        "ticket": "Ticket",
        "when": "When",
        "where": "Place",
        "room": "room",
        "holder": "Attendee",
        "show": "Show this code at the entrance, printed or on your phone's screen.",
        "number": "Ticket no.",
    },
}
FONT = "SourceSans"  # one face, regular: each embedded face costs a subset per document
MARGIN = 15.0  # mm
WIDTH = 210.0 - 2 * MARGIN  # A4
QR_MAX, QR_MIN = 90.0, 50.0  # mm, quiet zone included
CODE_LINE = 55  # characters of the code per line, in 6.5 pt Courier: 76 mm
BELOW_QR = 30.0  # mm: the code, the hint and the ticket number
GREY = (85, 88, 95)
INK = (27, 27, 31)


# Adobe's Source Sans Pro, from the font-source-sans-pro wheel (SIL OFL): fpdf2's core
# fonts are Latin-1 only, and no system font is assumed. It covers Polish and the Latin,
# Greek and Cyrillic names of Erasmus+ partners.
FONT_FILE = Path(str(files("font_source_sans_pro") / "files" / "SourceSansPro-Regular.ttf"))
# What a ticket needs of it: the Latin, Greek and Cyrillic letters and common punctuation,
# without kerning and ligature tables, which fpdf2 does not use here.
SLIM_RANGES = [
    (0x20, 0x36F),  # Latin, Latin-1, Latin Extended-A and B, IPA, combining marks
    (0x370, 0x52F),  # Greek, Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh)
    (0x2000, 0x20CF),  # punctuation, currency
]


@functools.cache
def slim_font() -> Path:
    """The font cut down once per process (fpdf2 parses and subsets the embedded font for
    every document, and the whole font made that two thirds of a ticket's rendering)."""
    font = TTFont(str(FONT_FILE))
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in SLIM_RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    path = (
        Path(tempfile.gettempdir()) / f"cnk-ticket-font-{hashlib.sha256(data).hexdigest()[:16]}.ttf"
    )
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: processes starting together never read half a file
    return path


def _where(venue: str, room: str | None, lang: str) -> str:
    return f"{venue}, {TEXTS[lang]['room']} {room}" if room else venue


def _lines(pdf: FPDF, text: str, size: float, color: tuple[int, int, int]) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(WIDTH, size * 0.45, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _runs(matrix: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, end column) of every horizontal run of dark modules."""
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            yield r, start, c


def _qr(pdf: FPDF, code: str, size: float) -> None:
    """The QR symbol as filled rectangles, one per run of dark modules: vector, so it is
    sharp at any printer's resolution."""
    matrix = qr_matrix(code)
    module = size / len(matrix)
    left, top = (pdf.w - size) / 2, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for r, start, end in _runs(matrix):
        pdf.rect(left + start * module, top + r * module, (end - start) * module, module, "F")
    pdf.set_y(top + size)


def render_ticket_pdf(
    *,
    holder_name: str,
    event_name: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str,
    room: str | None,
    code: str,
    ticket_id: uuid.UUID,
    lang: str,
    created_at: datetime | None = None,
) -> bytes:
    """One A4 page in ``lang`` (pl or en); times in Europe/Warsaw. Given ``created_at``
    (the ticket's issue time, say), the same arguments give the same bytes."""
    lang = lang if lang in TEXTS else "pl"
    t = TEXTS[lang]
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", slim_font())
    pdf.set_creation_date(created_at or datetime.now(UTC))
    pdf.set_title(f"{t['ticket']}: {event_name}")
    pdf.set_author("CNK")
    pdf.set_creator("cnk-events")
    pdf.set_lang(lang)
    pdf.add_page()

    _lines(pdf, t["brand"], 9, GREY)
    pdf.ln(1)
    _lines(pdf, t["ticket"].upper(), 12, GREY)
    pdf.ln(3)
    _lines(pdf, event_name, 22, INK)
    pdf.ln(5)
    for label, value, size in (
        (t["when"], format_when(starts_at, ends_at, lang), 13),
        (t["where"], _where(venue, room, lang), 13),
        (t["holder"], holder_name, 17),
    ):
        _lines(pdf, label.upper(), 8.5, GREY)
        _lines(pdf, value, size, INK)
        pdf.ln(3)

    # Long names and places shrink the code rather than push it onto a second page.
    _qr(pdf, code, max(QR_MIN, min(QR_MAX, pdf.h - MARGIN - BELOW_QR - pdf.get_y())))
    pdf.set_font("Courier", "", 6.5)
    pdf.set_text_color(*GREY)
    for i in range(0, len(code), CODE_LINE):  # fixed width: cheaper than fpdf2 wrapping it
        pdf.cell(
            WIDTH, 2.8, code[i : i + CODE_LINE], align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(3)
    _lines(pdf, t["show"], 11, INK)
    pdf.ln(2)
    _lines(pdf, f"{t['number']}: {ticket_id}", 8, GREY)
    # A frame to cut along.
    pdf.set_draw_color(190, 192, 197)
    pdf.set_line_width(0.3)
    pdf.rect(
        MARGIN - 5,
        MARGIN - 5,
        WIDTH + 10,
        pdf.get_y() - MARGIN + 10,
        round_corners=True,
        corner_radius=4,
    )
    return bytes(pdf.output())
