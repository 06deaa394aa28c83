"""The project's one PDF module: A4 documents with Chinese text (warning letters, reports).

Fonts are found at run time, never downloaded:

1. ``FENGQIAO_PDF_FONT`` — a TrueType font or collection (``.ttf``/``.ttc``), embedded (subset);
2. else the first of :data:`FONT_CANDIDATES` present — Debian's ``fonts-wqy-microhei`` first;
3. else reportlab's built-in CID font ``STSong-Light``: not embedded, every PDF viewer ships it
   (Adobe's Asian font packs, poppler, pdf.js), so a fresh machine still writes a readable letter.

OpenType collections with CFF outlines (most Noto CJK ``.ttc`` files) cannot be embedded by
reportlab; they are skipped with a log line rather than failing the document.

    doc = Document(title="平安风险预警函", footer="永川区综治中心")
    doc.heading("一、总体情况")
    doc.paragraph("胜利路街道 2025 年 3 月平安风险指数 58.3 分。")
    doc.table([["维度", "得分"], ["矛盾纠纷", "61.2"]], col_widths=[0.6, 0.4])
    pdf_bytes = doc.build()
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

logger = logging.getLogger(__name__)

FONT_ENV = "FENGQIAO_PDF_FONT"
BUILTIN_FONT = "STSong-Light"
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

_lock = threading.Lock()
_registered: dict[str, str] = {}


@dataclass(frozen=True)
class PdfFont:
    """A registered font: its reportlab name and the file it came from (``None``: built-in)."""

    name: str
    path: str | None

    @property
    def embedded(self) -> bool:
        return self.path is not None


def _register_file(path: str) -> str | None:
    """Register a TrueType file once; ``None`` when reportlab cannot use it."""
    with _lock:
        if path in _registered:
            return _registered[path]
        name = f"FQ-{Path(path).stem}"
        try:
            font = (
                TTFont(name, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(name, path)
            )
            pdfmetrics.registerFont(font)
        except Exception:
            # Unreadable file or CFF outlines: try the next candidate instead of failing a letter.
            logger.warning("PDF font %s cannot be embedded; trying the next one", path)
            return None
        _registered[path] = name
        return name


def builtin_font() -> PdfFont:
    with _lock:
        if BUILTIN_FONT not in _registered:
            pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_FONT))
            _registered[BUILTIN_FONT] = BUILTIN_FONT
    return PdfFont(BUILTIN_FONT, None)


def find_font(*, env: str | None = None, candidates: Sequence[str] | None = None) -> PdfFont:
    """The font documents use: ``FENGQIAO_PDF_FONT``, a system CJK font, or the built-in one.

    ``env`` and ``candidates`` default to the environment variable and :data:`FONT_CANDIDATES`;
    tests pass them to exercise each mode.
    """
    configured = os.environ.get(FONT_ENV, "") if env is None else env
    paths = [configured] if configured else []
    paths += list(FONT_CANDIDATES if candidates is None else candidates)
    for path in paths:
        if not Path(path).is_file():
            if path == configured:
                logger.warning("%s=%s is not a file; looking for a system font", FONT_ENV, path)
            continue
        name = _register_file(path)
        if name is not None:
            return PdfFont(name, path)
    return builtin_font()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks lines between any two Han characters, as Chinese typesetting does.
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=1, spaceAfter=10
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=10, alignment=1, textColor=colors.grey
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("body-indent", parent=base, spaceAfter=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "right": ParagraphStyle("right", parent=base, alignment=2, spaceBefore=12),
    }


class Document:
    """An A4 document built from a title, headings, paragraphs and tables, with a page footer.

    Text is plain (escaped here); pass ``markup=True`` to :meth:`paragraph` for reportlab's
    inline tags such as ``<b>``.
    """

    def __init__(
        self,
        *,
        title: str,
        subtitle: str = "",
        footer: str = "",
        author: str = "Fengqiao",
        font: PdfFont | None = None,
    ) -> None:
        self.title = title
        self.footer = footer
        self.author = author
        self.font = font or find_font()
        self.styles = _styles(self.font.name)
        self.story: list[Flowable] = [Paragraph(escape(title), self.styles["title"])]
        if subtitle:
            self.story.append(Paragraph(escape(subtitle), self.styles["subtitle"]))
        self.story.append(Spacer(1, 4 * mm))

    def heading(self, text: str) -> None:
        self.story.append(Paragraph(escape(text), self.styles["heading"]))

    def paragraph(self, text: str, *, markup: bool = False, align_right: bool = False) -> None:
        style = self.styles["right" if align_right else "body"]
        self.story.append(Paragraph(text if markup else escape(text), style))

    def spacer(self, height_mm: float = 4) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        col_widths: Sequence[float] | None = None,
        header: bool = True,
        align_right: Sequence[int] = (),
    ) -> None:
        """A table; ``col_widths`` are fractions of the text width, cells wrap (CJK-aware)."""
        if not rows:
            return
        width = A4[0] - 40 * mm
        widths = [width * f for f in col_widths] if col_widths else None
        cells = [
            [
                Paragraph(escape("" if value is None else str(value)), self.styles["cell"])
                for value in row
            ]
            for row in rows
        ]
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6edf8")))
        for column in align_right:
            commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
        table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))

    def _draw_footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(self.font.name, 8.5)
        canvas.setFillColor(colors.grey)
        text = f"{self.footer}    {doc.page}" if self.footer else str(doc.page)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, text)
        canvas.restoreState()

    def build(self) -> bytes:
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=20 * mm,
            bottomMargin=22 * mm,
            title=self.title,
            author=self.author,
            creator="Fengqiao",
        )
        template.build(self.story, onFirstPage=self._draw_footer, onLaterPages=self._draw_footer)
        return buffer.getvalue()
