"""The PDF module writes Chinese text that a reader can extract, with an embedded system font or
with reportlab's built-in CID font when no font file is present."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from fengqiao.core import pdf

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def letter(font: pdf.PdfFont) -> bytes:
    doc = pdf.Document(
        title="平安风险预警函", subtitle="2025年3月", footer="永川区综治中心", font=font
    )
    doc.heading("一、总体情况")
    doc.paragraph(
        "胜利路街道本期平安风险指数为 58.3 分，在 16 个街道中排名第 14 位，处于橙色等级。"
    )
    doc.table([["维度", "得分"], ["矛盾纠纷", "61.2"], ["社会治安", "47.9"]], col_widths=[0.7, 0.3])
    return doc.build()


def embedded_font_names(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and (
                    "/FontFile2" in descriptor.get_object() or "/FontFile" in descriptor
                ):
                    names.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


class TestFindFont:
    def test_configured_file_wins(self) -> None:
        if not Path(WQY).is_file():
            pytest.skip("fonts-wqy-microhei is not installed")
        font = pdf.find_font(env=WQY, candidates=[])
        assert font.embedded
        assert font.path == WQY

    def test_missing_configured_file_falls_back_to_candidates(self, tmp_path: Path) -> None:
        if not Path(WQY).is_file():
            pytest.skip("fonts-wqy-microhei is not installed")
        font = pdf.find_font(env=str(tmp_path / "missing.ttf"), candidates=[WQY])
        assert font.path == WQY

    def test_unusable_file_is_skipped(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.ttf"
        broken.write_bytes(b"not a font")
        font = pdf.find_font(env=str(broken), candidates=[])
        assert font == pdf.PdfFont(pdf.BUILTIN_FONT, None)

    def test_no_font_file_gives_builtin_cid_font(self) -> None:
        font = pdf.find_font(env="", candidates=["/nonexistent/font.ttc"])
        assert not font.embedded
        assert font.name == "STSong-Light"


class TestDocument:
    def test_embedded_font_text_is_extractable(self) -> None:
        if not Path(WQY).is_file():
            pytest.skip("fonts-wqy-microhei is not installed")
        data = letter(pdf.find_font(env=WQY, candidates=[]))
        text = text_of(data)
        assert "平安风险预警函" in text
        assert "胜利路街道" in text
        assert "58.3" in text
        assert "矛盾纠纷" in text
        assert "永川区综治中心" in text
        assert embedded_font_names(data)

    def test_builtin_font_text_is_extractable(self) -> None:
        data = letter(pdf.find_font(env="", candidates=[]))
        text = text_of(data)
        assert "胜利路街道" in text
        assert "58.3" in text
        assert "社会治安" in text
        assert embedded_font_names(data) == set()

    def test_long_chinese_paragraph_wraps_onto_several_lines(self) -> None:
        doc = pdf.Document(title="测试", font=pdf.find_font(env="", candidates=[]))
        doc.paragraph("网格员" * 120)
        text = text_of(doc.build())
        assert text.count("\n") >= 3
        assert text.replace("\n", "").count("网格员") == 120

    def test_markup_is_escaped_unless_asked_for(self) -> None:
        doc = pdf.Document(title="<测试>", font=pdf.find_font(env="", candidates=[]))
        doc.paragraph("a < b & c")
        text = text_of(doc.build())
        assert "<测试>" in text
        assert "a < b & c" in text
