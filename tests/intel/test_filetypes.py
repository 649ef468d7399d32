"""Attachment types are recognised by content, never by name."""

from __future__ import annotations

import io
import zipfile

import pytest

from intel import filetypes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def office(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


XLSX = office("xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX = office("word/document.xml")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (XLSX, "xlsx"),
        (DOCX, "docx"),
        (b"date,commodity,price\n2025-06-01,gallium,420\n", "csv"),
        ("日付,品目,価格\n2025-06-01,ガリウム,420\n".encode("cp932"), "csv"),
        ("\ufeff日付,品目\n".encode(), "csv"),
    ],
)
def test_allowed_types_are_recognised(content, expected):
    assert filetypes.sniff(io.BytesIO(content)).key == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 64,  # a Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
        b"GIF89a" + b"\x00" * 20,
        office("xl/workbook.xml", "xl/vbaProject.bin"),  # macro-enabled
        office("content.xml"),  # a zip that is no Office document
        b"PK\x03\x04 broken zip",
        b"text with a NUL \x00 byte",
        b"",
    ],
)
def test_other_content_is_refused(content):
    assert filetypes.sniff(io.BytesIO(content)) is None
