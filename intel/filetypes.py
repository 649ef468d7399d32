"""Attachment type sniffing from content, never from the file name. Pure Python.

Allowed: PDF, PNG, JPEG, CSV, XLSX, DOCX. Binary formats are recognised by
their signatures; XLSX and DOCX are ZIP containers, recognised by the members
the Office Open XML standard requires (`[Content_Types].xml` plus
`xl/workbook.xml` or `word/document.xml`); containers holding VBA macros are
refused. CSV has no signature, so it is accepted only when it is text
(no NUL bytes, UTF-8 or Shift_JIS as Japanese spreadsheets export) and does
not start with another format's signature.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileType:
    key: str
    mime: str
    extension: str
    label: str


PDF = FileType("pdf", "application/pdf", "pdf", "PDF")
PNG = FileType("png", "image/png", "png", "PNG")
JPEG = FileType("jpeg", "image/jpeg", "jpg", "JPEG")
CSV = FileType("csv", "text/csv", "csv", "CSV")
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX"
)
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "DOCX",
)
ALLOWED: dict[str, FileType] = {t.key: t for t in (PDF, PNG, JPEG, CSV, XLSX, DOCX)}
ALLOWED_LABELS = ", ".join(t.label for t in ALLOWED.values())

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Signatures of common formats that must never pass as CSV text.
_OTHER_SIGNATURES = (b"PK\x03\x04", b"MZ", b"\x7fELF", b"GIF8", b"%PDF", b"\xff\xd8", b"\x89PNG")


def sniff(stream: BinaryIO) -> FileType | None:
    """The allowed type of the file's content, or None. Leaves the stream at 0."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(_PNG_SIGNATURE) and head[12:16] == b"IHDR":
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _sniff_office(stream)
        if _looks_like_csv(head):
            return CSV
        return None
    finally:
        stream.seek(0)


def _sniff_office(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macro-enabled documents are refused whatever they are called
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    return None


def _looks_like_csv(head: bytes) -> bool:
    if not head or b"\x00" in head or head.startswith(_OTHER_SIGNATURES):
        return False
    # A multibyte character may be cut at the end of the sniffed window.
    sample = head[:-4] if len(head) == SNIFF_BYTES else head
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        return controls == 0
    return False
