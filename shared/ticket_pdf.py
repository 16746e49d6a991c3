"""The printable PDF ticket: event, time, place, holder and a vector QR code, on one A4 page."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import numpy
from fontTools import subset
from fontTools.ttLib import TTFont
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as RLFont
from reportlab.pdfgen.canvas import Canvas

from shared.qr import Matrix, qr_matrix
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
TICKET_FONT = "CNK-SourceSans"  # as registered with reportlab (the tickets)
FONT = "SourceSans"  # one face, regular: each embedded face costs a subset per document
MARGIN = 15.0  # mm
A4_HEIGHT_MM = 297.0
WIDTH = 210.0 - 2 * MARGIN  # A4
QR_MAX, QR_MIN = 90.0, 50.0  # mm, quiet zone included
CODE_LINE = 55  # characters of the code per line, in 6.5 pt Courier: 76 mm
BELOW_QR = 30.0  # mm: the code, the hint and the ticket number
# Compressed streams as they are, not also ASCII85-encoded (a fifth larger, and slow in
# reportlab's pure Python): this process writes PDFs only through this module's settings.
rl_config.useA85 = 0
GREY = (85, 88, 95)
INK = (27, 27, 31)


# Adobe's Source Sans Pro, from the font-source-sans-pro wheel (SIL OFL): the PDF core
# fonts are Latin-1 only, and no system font is assumed. It covers Polish and the Latin,
# Greek and Cyrillic names of Erasmus+ partners.
FONT_FILE = Path(str(files("font_source_sans_pro") / "files" / "SourceSansPro-Regular.ttf"))
# What a ticket needs of it: the Latin, Greek and Cyrillic letters and common punctuation,
# without kerning and ligature tables, which reportlab does not use.
SLIM_RANGES = [
    (0x20, 0x36F),  # Latin, Latin-1, Latin Extended-A and B, IPA, combining marks
    (0x370, 0x52F),  # Greek, Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh)
    (0x2000, 0x20CF),  # punctuation, currency
]


@functools.cache
def slim_font() -> Path:
    """The font cut down once per process (a smaller font to parse at start-up and to cut
    each document's subset from; the whole font once made that two thirds of a ticket)."""
    # The source's own timestamp, not the time of the cut: the same bytes in every process,
    # so two services render the same document identically (and share the file).
    font = TTFont(str(FONT_FILE), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG"]
    options.hinting = False
    options.name_IDs = list(range(8))  # copyright, names, version, trademark; not the licence text
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


@functools.cache
def _registered_font() -> str:
    """The slim font, registered with reportlab once per process (reportlab parses it once
    and cuts each document's subset from the parsed tables: a ticket takes a few
    milliseconds, against some thirty when the font was parsed and subset anew every time).
    The other documents (certificates, attendance lists) share this registration."""
    pdfmetrics.registerFont(RLFont(TICKET_FONT, str(slim_font()), asciiReadable=False))
    return TICKET_FONT


def pdf_date(moment: datetime) -> Callable[..., str]:
    """A reportlab date formatter (``Canvas.setDateFormatter``) that dates the document at
    ``moment``, whenever it is rendered: with ``invariant=True``, same content, same bytes."""
    stamp = moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    return lambda *_: stamp


def qr_operators(matrix: Matrix | list[list[bool]], left: float, top: float, module: float) -> str:
    """PDF operators filling ``matrix``'s dark modules in the current colour, one rectangle
    per horizontal run, the symbol's top left corner at (``left``, ``top``) in points from
    the bottom left. Written directly, in whole modules under a scaling transform (``cm``),
    filled as one path: through reportlab's rect() the number formatting alone took half a
    ticket's time, and points with decimals for every rectangle still took a tenth. The
    runs are found with numpy and printed by one %-format (0.1 ms; walking the modules
    one by one in Python took 0.4 ms)."""
    dark = numpy.asarray(matrix, dtype=numpy.int8)
    n = len(dark)
    padded = numpy.zeros((n, n + 2), dtype=numpy.int8)
    padded[:, 1:-1] = dark
    edges = numpy.diff(padded, axis=1)  # 1 where a run starts, -1 just past its end
    starts, ends = numpy.argwhere(edges == 1), numpy.argwhere(edges == -1)
    runs = numpy.empty((len(starts), 3), dtype=numpy.int64)
    runs[:, 0] = starts[:, 1]  # x: first column
    runs[:, 1] = n - 1 - starts[:, 0]  # y: rows count up from the bottom in PDF
    runs[:, 2] = ends[:, 1] - starts[:, 1]  # width
    rects = ("%d %d %d 1 re\n" * len(runs) % tuple(runs.ravel().tolist())).rstrip("\n")
    return f"q {module:.4f} 0 0 {module:.4f} {left:.3f} {top - n * module:.3f} cm\n{rects}\nf Q"


class _Page:
    """A4 drawn from the top down, centred lines in millimetres (reportlab counts points
    from the bottom left)."""

    def __init__(self, canvas: Canvas, font: str) -> None:
        self.canvas = canvas
        self.font = font
        self.y = MARGIN  # mm from the top

    def ln(self, mm_: float) -> None:
        self.y += mm_

    def lines(self, text: str, size: float, color: tuple[int, int, int]) -> None:
        """``text`` centred, wrapped to the width, in ``size`` points."""
        self.canvas.setFont(self.font, size)
        self.canvas.setFillColorRGB(*(c / 255 for c in color))
        step = size * 0.45  # mm per line
        for line in simpleSplit(text, self.font, size, WIDTH * mm) or [""]:
            self.y += step
            # The baseline sits a fifth of the line above its bottom.
            self.canvas.drawCentredString(A4[0] / 2, A4[1] - (self.y - step * 0.2) * mm, line)

    def qr(self, code: str, size: float) -> None:
        """The QR symbol as filled rectangles, one per run of dark modules: vector, so it
        is sharp at any printer's resolution."""
        matrix = qr_matrix(code)
        left, top = (A4[0] - size * mm) / 2, A4[1] - self.y * mm
        self.canvas.setFillColorRGB(0, 0, 0)
        self.canvas.addLiteral(qr_operators(matrix, left, top, size / len(matrix) * mm))
        self.y += size

    def code(self, code: str) -> None:
        self.canvas.setFont("Courier", 6.5)
        self.canvas.setFillColorRGB(*(c / 255 for c in GREY))
        for i in range(0, len(code), CODE_LINE):
            self.y += 2.8
            line = code[i : i + CODE_LINE]
            self.canvas.drawCentredString(A4[0] / 2, A4[1] - (self.y - 0.6) * mm, line)


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
    (the ticket's issue time, say), the same arguments give the same bytes: the document
    then carries reportlab's fixed dates instead of the time of rendering."""
    lang = lang if lang in TEXTS else "pl"
    t = TEXTS[lang]
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=A4,
        pageCompression=1,
        invariant=created_at is not None,
        initialFontName=_registered_font(),  # else reportlab adds Helvetica, unused
    )
    canvas.setTitle(f"{t['ticket']}: {event_name}")
    canvas.setAuthor("CNK")
    canvas.setCreator("cnk-events")
    canvas.setSubject(f"{t['number']}: {ticket_id}")
    page = _Page(canvas, _registered_font())

    page.lines(t["brand"], 9, GREY)
    page.ln(1)
    page.lines(t["ticket"].upper(), 12, GREY)
    page.ln(3)
    page.lines(event_name, 22, INK)
    page.ln(5)
    for label, value, size in (
        (t["when"], format_when(starts_at, ends_at, lang), 13),
        (t["where"], _where(venue, room, lang), 13),
        (t["holder"], holder_name, 17),
    ):
        page.lines(label.upper(), 8.5, GREY)
        page.lines(value, size, INK)
        page.ln(3)

    # Long names and places shrink the code rather than push it onto a second page.
    page.qr(code, max(QR_MIN, min(QR_MAX, A4_HEIGHT_MM - MARGIN - BELOW_QR - page.y)))
    page.code(code)
    page.ln(3)
    page.lines(t["show"], 11, INK)
    page.ln(2)
    page.lines(f"{t['number']}: {ticket_id}", 8, GREY)
    # A frame to cut along.
    canvas.setStrokeColorRGB(190 / 255, 192 / 255, 197 / 255)
    canvas.setLineWidth(0.3 * mm)
    canvas.roundRect(
        (MARGIN - 5) * mm,
        A4[1] - (page.y + 5) * mm,
        (WIDTH + 10) * mm,
        (page.y - MARGIN + 10) * mm,
        4 * mm,
        stroke=1,
        fill=0,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
