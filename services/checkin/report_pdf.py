"""Printable evidence (fpdf2, A4 landscape): the signed attendance list and who is inside.

Bilingual labels (Polish / English) in one document: the list is evidence for Polish
funders and international partners alike. Times in Europe/Warsaw, said so on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from shared.ticket_pdf import FONT, GREY, INK, slim_font
from shared.timefmt import VENUE_TZ, local_time

MARGIN = 12.0  # mm
ROW_HEIGHT = 9.0  # mm: room for a signature
ERASED = "— (dane usunięte / erased)"
TIMES = "Godziny: czas polski (Europe/Warsaw) / Times: Polish time (Europe/Warsaw)"
HEADING_FILL = (228, 230, 235)
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


class _Document(FPDF):
    """A4 landscape with the document's name, generation time and page numbers below."""

    def __init__(self, title: str, header: Header) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = (
            f"{title} · {header.event_pl} · Wygenerowano / Generated:"
            f" {local_time(header.generated_at)} (Europe/Warsaw)"
        )
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, MARGIN + 4)
        self.add_font(FONT, "", slim_font())
        self.set_creation_date(header.generated_at)
        self.set_title(f"{title}: {header.event_en}")
        self.set_author("CNK")
        self.set_creator("cnk-events")
        self.set_lang("pl")

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.footer_text, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Strona / Page {self.page_no()}/{{nb}}", align=Align.R)


def _line(pdf: FPDF, text: str, size: float, color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.45, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _when(starts_at: datetime, ends_at: datetime) -> str:
    start, end = starts_at.astimezone(VENUE_TZ), ends_at.astimezone(VENUE_TZ)
    until = end.strftime("%H:%M") if end.date() == start.date() else local_time(end)
    return f"{local_time(start)} – {until}"


def _top(pdf: FPDF, title: str, header: Header, extra: Sequence[str]) -> None:
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


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at words; cut a word only when
    it is wider than the column). fpdf2's own tables measure every cell several times
    over: a list of 500 took seconds, this takes a fraction."""
    if pdf.get_string_width(text) <= width:
        return [text] if text else []
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdf.get_string_width(word) > width:
            cut = len(word) - 1
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _row(
    pdf: FPDF,
    columns: Sequence[tuple[str, float]],
    cells: Sequence[list[str]],
    height: float,
    fill: bool = False,
) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    for (_, width), lines in zip(columns, cells, strict=True):
        pdf.rect(x, y, width, height, "DF" if fill else "D")
        for i, text in enumerate(lines):
            pdf.text(x + PAD, y + PAD + i * LINE + BASELINE, text)
        x += width
    pdf.set_y(y + height)


def _table(pdf: FPDF, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[str]]) -> None:
    """A bordered table whose heading row is repeated on every page it runs onto."""
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(120, 124, 130)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*HEADING_FILL)
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
    return bytes(pdf.output())


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
    return bytes(pdf.output())
