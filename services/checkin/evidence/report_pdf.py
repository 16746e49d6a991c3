"""Printable evidence (reportlab, A4 landscape): the signed attendance list and who is inside.

Bilingual labels (Polish / English) in one document: the list is evidence for Polish
funders and international partners alike. Times in Europe/Warsaw, said so on the page.
"""

from __future__ import annotations

import bisect
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from shared.ticket_pdf import GREY, INK, _registered_font, pdf_date
from shared.timefmt import VENUE_TZ, local_time

MARGIN = 12.0  # mm
PAGE_W, PAGE_H = 297.0, 210.0  # mm, A4 landscape
BOTTOM = PAGE_H - MARGIN - 4  # mm: the page breaks before anything would reach below
CELL_MARGIN = 1.0  # mm left of a line of running text
ROW_HEIGHT = 9.0  # mm: room for a signature
ERASED = "— (dane usunięte / erased)"
TIMES = "Godziny: czas polski (Europe/Warsaw) / Times: Polish time (Europe/Warsaw)"
HEADING_FILL = (228, 230, 235)
BORDER = (120, 124, 130)
PAD = 1.5  # mm inside each cell
LINE = 4.0  # mm per line of 9 pt text
BASELINE = 3.0  # mm from the top of a line to its baseline
# Widths in mm of the 273 mm between the margins.
ATTENDANCE_COLUMNS = (
    ("Lp.\nNo.", 11.0),
    ("Imię i nazwisko\nName", 58.0),
    ("Organizacja\nOrganization", 55.0),
    ("Kraj\nCountry", 14.0),
    ("Wejście\nCheck-in", 27.0),
    ("Sesje\nSessions", 43.0),
    ("Podpis\nSignature", 65.0),
)
INSIDE_COLUMNS = (
    ("Lp.\nNo.", 11.0),
    ("Imię i nazwisko\nName", 110.0),
    ("Wejście\nEntered", 35.0),
    ("Bramka\nGate", 52.0),
    ("Obecny\nPresent", 65.0),
)


@dataclass(frozen=True)
class Header:
    """What heads every document: the event and when the document was made."""

    event_pl: str
    event_en: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    generated_at: datetime


@dataclass(frozen=True)
class AttendanceLine:
    name: str | None  # None: erased
    organization: str
    country: str
    first_checkin: datetime | None
    sessions: Sequence[str]


@dataclass(frozen=True)
class InsideLine:
    name: str
    entered_at: datetime
    gate: str


@dataclass(frozen=True)
class InsideSection:
    title: str
    lines: Sequence[InsideLine]


RGB = tuple[int, int, int]
TABLE_SIZE = 9.0  # pt
MM = float(mm)  # points


@dataclass
class _Page:
    """One page's drawing, kept until the number of pages (in every footer) is known."""

    graphics: list[str] = field(default_factory=list)  # PDF operators, in points
    # x and baseline in mm from the top left, size in points, colour, text
    texts: list[tuple[float, float, float, RGB, str]] = field(default_factory=list)


def _rgb(color: RGB) -> str:
    return " ".join(f"{c / 255:.3f}" for c in color)


@functools.cache
def _advances(font: str) -> tuple[dict[str, float], float]:
    """The font's advance widths by character, in thousandths of the type size, and the
    width of a character it lacks."""
    face = getFont(font).face
    return {chr(code): width for code, width in face.charWidths.items()}, face.defaultWidth


class _Document:
    """A4 landscape laid out from the top down in millimetres, page by page, and drawn at the
    end: every footer carries the document's name, generation time and "page n/N"."""

    def __init__(self, title: str, header: Header) -> None:
        self.title = f"{title}: {header.event_en}"
        self.footer_text = (
            f"{title} · {header.event_pl} · Wygenerowano / Generated:"
            f" {local_time(header.generated_at)} (Europe/Warsaw)"
        )
        self.generated_at = header.generated_at
        self.font = _registered_font()
        self.pages: list[_Page] = []
        self.y = MARGIN

    def add_page(self) -> None:
        # Borders and the heading's fill are the same throughout: set once per page.
        self.pages.append(_Page([f"{_rgb(BORDER)} RG {_rgb(HEADING_FILL)} rg {0.2 * mm:.3f} w"]))
        self.y = MARGIN

    def ln(self, height: float) -> None:
        self.y += height

    def will_page_break(self, height: float) -> bool:
        return self.y + height > BOTTOM

    def width(self, text: str, size: float = TABLE_SIZE) -> float:
        """``text``'s width in mm (as reportlab's stringWidth, whose Python loop per
        character took most of a long list's measuring)."""
        advances, default = _advances(self.font)
        return 0.001 * size * sum(map(advances.get, text, repeat(default))) / MM

    def text(self, x: float, baseline: float, size: float, color: RGB, text: str) -> None:
        self.pages[-1].texts.append((x, baseline, size, color, text))

    def rect(self, x: float, y: float, width: float, height: float, fill: bool) -> None:
        self.pages[-1].graphics.append(
            f"{x * mm:.2f} {(PAGE_H - y - height) * mm:.2f} {width * mm:.2f} {height * mm:.2f}"
            f" re {'B' if fill else 'S'}"
        )

    def _footer(self, number: int, total: int) -> list[tuple[float, float, float, RGB, str]]:
        baseline = PAGE_H - MARGIN + 2.8
        numbering = f"Strona / Page {number}/{total}"
        return [
            (MARGIN + CELL_MARGIN, baseline, 7.5, GREY, self.footer_text),
            (
                PAGE_W - MARGIN - CELL_MARGIN - self.width(numbering, 7.5),
                baseline,
                7.5,
                GREY,
                numbering,
            ),
        ]

    def output(self) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(
            buffer,
            pagesize=landscape(A4),
            pageCompression=1,
            invariant=True,
            lang="pl",
            initialFontName=self.font,  # else reportlab adds Helvetica, unused
        )
        canvas.setDateFormatter(pdf_date(self.generated_at))
        canvas.setTitle(self.title)
        canvas.setAuthor("CNK")
        canvas.setCreator("cnk-events")
        for number, page in enumerate(self.pages, 1):
            canvas.addLiteral("q\n" + "\n".join(page.graphics) + "\nQ")
            # One text object a page: a drawString per cell costs more than the text.
            text = canvas.beginText()
            size, color = 0.0, (-1, -1, -1)
            footer = self._footer(number, len(self.pages))
            for x, baseline, line_size, line_color, line in [*page.texts, *footer]:
                if line_size != size:
                    size = line_size
                    text.setFont(self.font, size)
                if line_color != color:
                    color = line_color
                    text.setFillColorRGB(*(c / 255 for c in color))
                text.setTextOrigin(x * mm, (PAGE_H - baseline) * mm)
                text.textLine(line)
            canvas.drawText(text)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def _line(pdf: _Document, text: str, size: float, color: RGB = INK) -> None:
    """``text`` across the page, wrapped at words, a new page when it reaches the foot."""
    step = size * 0.45  # mm per line
    for line in simpleSplit(text, pdf.font, size, (PAGE_W - 2 * MARGIN - 2 * CELL_MARGIN) * mm):
        if pdf.will_page_break(step):
            pdf.add_page()
        # The baseline sits a fifth of the line above its bottom.
        pdf.text(MARGIN + CELL_MARGIN, pdf.y + step * 0.8, size, color, line)
        pdf.y += step


def _when(starts_at: datetime, ends_at: datetime) -> str:
    start, end = starts_at.astimezone(VENUE_TZ), ends_at.astimezone(VENUE_TZ)
    until = end.strftime("%H:%M") if end.date() == start.date() else local_time(end)
    return f"{local_time(start)} – {until}"


def _top(pdf: _Document, title: str, header: Header, extra: Sequence[str]) -> None:
    pdf.add_page()
    _line(pdf, "Centrum Nowoczesnego Kształcenia · Politechnika Białostocka", 9, GREY)
    pdf.ln(1)
    _line(pdf, title, 17)
    pdf.ln(1)
    _line(pdf, header.event_pl, 13)
    if header.event_en != header.event_pl:
        _line(pdf, header.event_en, 11, GREY)
    pdf.ln(1)
    for text in (
        f"Termin / Date: {_when(header.starts_at, header.ends_at)}",
        f"Miejsce / Venue: {header.venue}",
        *extra,
        TIMES,
    ):
        _line(pdf, text, 9.5)
    pdf.ln(3)


def _wrap(pdf: _Document, text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at words; cut a word only when
    it is wider than the column). Measured once a cell, and once a word only for the
    cells that need breaking: a list of 500 takes a fraction of a second."""
    if pdf.width(text) <= width:
        return [text] if text else []
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdf.width(word) > width:
            cut = _fitting(pdf, word, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _fitting(pdf: _Document, word: str, width: float) -> int:
    """How many of ``word``'s first letters fit in ``width`` (at least one), by bisection."""
    return max(
        1, bisect.bisect_right(range(1, len(word)), width, key=lambda n: pdf.width(word[:n]))
    )


def _row(
    pdf: _Document,
    columns: Sequence[tuple[str, float]],
    cells: Sequence[list[str]],
    height: float,
    fill: bool = False,
) -> None:
    x, y = MARGIN, pdf.y
    for (_, width), lines in zip(columns, cells, strict=True):
        pdf.rect(x, y, width, height, fill)
        for i, text in enumerate(lines):
            pdf.text(x + PAD, y + PAD + i * LINE + BASELINE, TABLE_SIZE, INK, text)
        x += width
    pdf.y = y + height


def _table(
    pdf: _Document, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[str]]
) -> None:
    """A bordered table whose heading row is repeated on every page it runs onto."""
    heading = [label.split("\n") for label, _ in columns]
    heading_height = max(len(lines) for lines in heading) * LINE + 2 * PAD

    def heading_row() -> None:
        _row(pdf, columns, heading, heading_height, fill=True)

    if pdf.will_page_break(heading_height + ROW_HEIGHT):
        pdf.add_page()
    heading_row()
    for values in rows:
        cells = [
            _wrap(pdf, value, width - 2 * PAD)
            for value, (_, width) in zip(values, columns, strict=True)
        ]
        height = max(ROW_HEIGHT, max(len(lines) for lines in cells) * LINE + 2 * PAD)
        if pdf.will_page_break(height):
            pdf.add_page()
            heading_row()
        _row(pdf, columns, cells, height)


def render_attendance_pdf(
    header: Header,
    lines: Sequence[AttendanceLine],
    session: str | None = None,
    session_names: dict[str, str] | None = None,
) -> bytes:
    """The list to sign: everyone on it, numbered, with an empty signature box each."""
    title = "Lista obecności / Attendance list"
    pdf = _Document(title, header)
    checked_in = sum(1 for line in lines if line.first_checkin is not None)
    extra = [f"Sesja / Session: {session}"] if session else []
    if session_names:
        legend = "; ".join(f"{slug} = {name}" for slug, name in sorted(session_names.items()))
        extra.append(f"Sesje / Sessions: {legend}")
    extra.append(f"Uczestników / Participants: {len(lines)} · Obecnych / Checked in: {checked_in}")
    _top(pdf, title, header, extra)
    rows = [
        (
            str(number),
            line.name if line.name is not None else ERASED,
            line.organization,
            line.country,
            local_time(line.first_checkin),
            ", ".join(line.sessions),
            "",
        )
        for number, line in enumerate(lines, 1)
    ]
    _table(pdf, ATTENDANCE_COLUMNS, rows)
    return pdf.output()


def render_inside_pdf(header: Header, sections: Sequence[InsideSection]) -> bytes:
    """Who is inside now, list by list, for a roll call at the assembly point."""
    title = "Kto jest w środku / Who is inside"
    pdf = _Document(title, header)
    total = sum(len(s.lines) for s in sections)
    _top(
        pdf,
        title,
        header,
        [
            f"Stan na / As of: {local_time(header.generated_at)}",
            f"Razem na wszystkich listach / Total on all lists: {total}",
        ],
    )
    if not sections:
        _line(pdf, "Nikt nie jest w środku. / Nobody is inside.", 12)
    for section in sections:
        if pdf.will_page_break(30):
            pdf.add_page()
        _line(pdf, f"{section.title}: {len(section.lines)}", 12)
        pdf.ln(1.5)
        if section.lines:
            rows = [
                (str(number), line.name, local_time(line.entered_at), line.gate, "")
                for number, line in enumerate(section.lines, 1)
            ]
            _table(pdf, INSIDE_COLUMNS, rows)
        pdf.ln(5)
    return pdf.output()
