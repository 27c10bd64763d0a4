"""A printable report page with fpdf2: title, range, totals, a bar chart and a table.

fpdf2 is pure Python (no system libraries), so the PDF renders the same wherever the service
runs. Its built-in Helvetica covers Latin-1: other characters print as ``?``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fpdf import FPDF

BAR_COLOR = (101, 64, 200)
HEADER_FILL = (228, 228, 235)
CHART_HEIGHT = 45.0


@dataclass
class PdfReport:
    title: str
    range_text: str
    totals: list[str]
    #: (label, value) bars, e.g. seconds per day or per group
    chart: list[tuple[str, int]]
    columns: list[str]
    #: column widths in millimetres, summing to the printable width (180)
    widths: list[float]
    rows: Iterable[list[str]]
    notes: list[str] = field(default_factory=list)


def latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    text = latin1(text)
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."


def _chart(pdf: FPDF, bars: list[tuple[str, int]]) -> None:
    if not bars:
        return
    top = pdf.get_y() + 2
    left = pdf.l_margin
    width = pdf.w - pdf.l_margin - pdf.r_margin
    slot = width / len(bars)
    peak = max(value for _, value in bars) or 1
    pdf.set_draw_color(160, 160, 160)
    pdf.line(left, top + CHART_HEIGHT, left + width, top + CHART_HEIGHT)
    pdf.set_fill_color(*BAR_COLOR)
    pdf.set_font("Helvetica", "", 6)
    for index, (label, value) in enumerate(bars):
        height = CHART_HEIGHT * value / peak
        x = left + index * slot + slot * 0.15
        if height > 0:
            pdf.rect(x, top + CHART_HEIGHT - height, slot * 0.7, height, style="F")
        if len(bars) <= 31:
            pdf.set_xy(left + index * slot, top + CHART_HEIGHT + 1)
            pdf.cell(slot, 3, _fit(pdf, label, slot), align="C")
    pdf.set_xy(left, top + CHART_HEIGHT + 6)


def _table(pdf: FPDF, columns: list[str], widths: list[float], rows: Iterable[list[str]]) -> None:
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(*HEADER_FILL)
    pdf.set_draw_color(200, 200, 200)
    for name, width in zip(columns, widths, strict=True):
        pdf.cell(width, 6, _fit(pdf, name, width), border="B", fill=True)
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 8)
    for row in rows:
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 5, _fit(pdf, text, width), border="B")
        pdf.ln(5)


def render_pdf(report: PdfReport) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(latin1(report.title))
    pdf.set_creator("trackgate")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, latin1(report.range_text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    for line in report.totals:
        pdf.cell(0, 6, latin1(line), new_x="LMARGIN", new_y="NEXT")
    _chart(pdf, report.chart)
    pdf.ln(2)
    _table(pdf, report.columns, report.widths, report.rows)
    pdf.set_font("Helvetica", "I", 8)
    for note in report.notes:
        pdf.ln(2)
        pdf.cell(0, 5, latin1(note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
