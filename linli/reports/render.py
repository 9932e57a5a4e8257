"""A report as .docx (python-docx), PDF (fpdf2 with Noto Sans CJK) and Excel.

Each renders a :class:`~linli.reports.content.ReportContent` — a draft or a filed report's
stored content — so the same text and figures come out whichever format is asked for.
Charts are PNG images from :mod:`linli.core.charts`, drawn from the report's own tables.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Cm, Pt
from fpdf import FPDF
from fpdf.fonts import FontFace

from linli.core.charts import bar_chart
from linli.core.fonts import cjk_font
from linli.core.spreadsheets import Sheet, xlsx_bytes
from linli.reports.content import ReportContent


def columns() -> tuple[str, ...]:
    return (_("指标"), _("本期"), _("上期"), _("环比"))


CHART_ROWS = {"受理诉求", "办结", "矛盾纠纷化解", "开展活动", "主题党日", "干部下沉走访"}


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def charts(content: ReportContent) -> list[bytes]:
    """PNG charts: the period against the one before, and requests by category."""
    pairs = [
        (row.label, _int(row.current), _int(row.previous))
        for table in content.tables
        for row in table.rows
        if row.label in CHART_ROWS
    ]
    kept = [(label, now, before) for label, now, before in pairs if now is not None]
    images = []
    if kept:
        images.append(
            bar_chart(
                _("本期与上期对比"),
                [label for label, _n, _b in kept],
                {
                    content.period_label: [float(n or 0) for _l, n, _b in kept],
                    content.previous_label: [float(b or 0) for _l, _n, b in kept],
                },
            )
        )
    categories = [(label, count) for label, count in content.by_category if count]
    if categories:
        images.append(
            bar_chart(
                _("诉求分类"),
                [label for label, _c in categories],
                {_("件数"): [float(c) for _l, c in categories]},
            )
        )
    return images


def report_docx(content: ReportContent) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    style.font.name = "宋体"
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "宋体"
    )
    document.add_heading(content.title, level=0)
    for section in content.sections:
        document.add_heading(section.title, level=1)
        for line in section.text.splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
    document.add_heading(_("附:主要指标"), level=1)
    for table in content.tables:
        document.add_heading(table.title, level=2)
        grid = document.add_table(rows=1, cols=len(columns()))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, columns(), strict=True):
            cell.text = str(text)
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, text in zip(
                cells, (row.label, row.current, row.previous, row.change), strict=True
            ):
                cell.text = text
    images = charts(content)
    if images:
        document.add_heading(_("附:图表"), level=1)
        for image in images:
            document.add_picture(io.BytesIO(image), width=Cm(15))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_pdf(content: ReportContent) -> bytes:
    path, face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("cjk", "", str(path), collection_font_number=face)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in content.sections:
        pdf.set_font("cjk", size=14)
        pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=11)
        for line in section.text.splitlines():
            if line.strip():
                pdf.multi_cell(0, 7, line.strip(), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("cjk", size=14)
    pdf.multi_cell(0, 8, _("附:主要指标"), new_x="LMARGIN", new_y="NEXT")
    for table in content.tables:
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)
        with pdf.table(
            col_widths=(34, 34, 22, 56),
            headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
            line_height=6,
        ) as grid:
            heading = grid.row()
            for text in columns():
                heading.cell(str(text))
            for row in table.rows:
                body_row = grid.row()
                for value in (row.label, row.current, row.previous, row.change):
                    body_row.cell(value)
        pdf.ln(3)
    for image in charts(content):
        pdf.image(io.BytesIO(image), w=170)
        pdf.ln(3)
    return bytes(pdf.output())


def report_xlsx(content: ReportContent) -> bytes:
    """The report's tables, one sheet each, through :mod:`linli.core.spreadsheets`."""
    return xlsx_bytes(
        [
            Sheet(
                title=table.title,
                header=list(columns()),
                rows=[[r.label, r.current, r.previous, r.change] for r in table.rows],
            )
            for table in content.tables
        ]
    )
