"""Files for the upload tests, built here from what their formats specify (no binary fixtures).

`Office` writes a minimal but valid Office Open XML package (content types,
relationships, a main part) that a test then extends with the parts a real
document, or a hostile one, would carry. Pictures come from Pillow and PDFs
from pikepdf, with the metadata a named author's software would leave in them.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections import defaultdict
from xml.sax.saxutils import escape

import pikepdf
from PIL import Image

AUTHOR = "Hanako Yamada"
AUTHOR_EMAIL = "hanako.yamada@institute-a.example"
AUTHOR_LOGIN = "hyamada"

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_R = "http://schemas.openxmlformats.org/package/2006/relationships"
MS_R = "http://schemas.microsoft.com/office"
OFFICE = "application/vnd.openxmlformats-officedocument"
PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOCX_MAIN = f"{OFFICE}.wordprocessingml.document.main+xml"
XLSX_MAIN = f"{OFFICE}.spreadsheetml.sheet.main+xml"
# Content types of whole packages, as a package embedding one declares it.
XLSX_PACKAGE = f"{OFFICE}.spreadsheetml.sheet"
DOCX_PACKAGE = f"{OFFICE}.wordprocessingml.document"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006"
CHART_DATA = "word/embeddings/Microsoft_Excel_Worksheet.xlsx"
# The eight bytes every OLE compound file (VBA project, OLE object, .doc) starts with.
CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


class Office:
    """A package under construction: parts, their content types and relationships."""

    def __init__(self, kind: str = "docx", *, main_type: str | None = None) -> None:
        self.parts: dict[str, bytes] = {}
        self.overrides: dict[str, str] = {}
        self.defaults = {
            "rels": "application/vnd.openxmlformats-package.relationships+xml",
            "xml": "application/xml",
            "png": "image/png",
            "jpeg": "image/jpeg",
        }
        self.relationships: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
        if kind == "docx":
            self.main = "word/document.xml"
            body = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Gallium licences delayed.</w:t></w:r></w:p></w:body></w:document>'  # noqa: E501
            self.add(self.main, body, main_type or DOCX_MAIN)
        else:
            self.main = "xl/workbook.xml"
            workbook = f'<workbook xmlns="{SML}" xmlns:r="{R}"><sheets><sheet name="Prices" sheetId="1" r:id="rIdSheet"/></sheets></workbook>'  # noqa: E501
            self.add(self.main, workbook, main_type or XLSX_MAIN)
            sheet = f'<worksheet xmlns="{SML}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>gallium 420</t></is></c></row></sheetData></worksheet>'  # noqa: E501
            self.add("xl/worksheets/sheet1.xml", sheet, f"{OFFICE}.spreadsheetml.worksheet+xml")
            self.relate(self.main, f"{R}/worksheet", "worksheets/sheet1.xml", rid="rIdSheet")
        self.relate("", f"{R}/officeDocument", self.main)

    def add(self, name: str, content: bytes | str, content_type: str | None = None) -> Office:
        self.parts[name] = content.encode() if isinstance(content, str) else content
        if content_type:
            self.overrides[name] = content_type
        return self

    def relate(
        self, source: str, rel_type: str, target: str, *, external: bool = False, rid: str = ""
    ) -> Office:
        self.relationships[source].append(
            (rid or f"rId{len(self.relationships[source]) + 100}", rel_type, target, external)
        )
        return self

    def with_author(self) -> Office:
        """The properties Word and Excel write for a signed-in author."""
        core = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR_EMAIL}"
            "</cp:lastModifiedBy><dc:title>Gallium</dc:title></cp:coreProperties>"
        )
        app = (
            f'<Properties xmlns="{PROPERTIES}/extended-properties"><Company>Institute A of '
            f"{AUTHOR}</Company><Manager>{AUTHOR}</Manager><Template>{AUTHOR_LOGIN}.dotx"
            "</Template></Properties>"
        )
        custom = (
            f'<Properties xmlns="{PROPERTIES}/custom-properties" '
            f'xmlns:vt="{PROPERTIES}/docPropsVTypes"><property '
            'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner">'
            f"<vt:lpwstr>{AUTHOR}</vt:lpwstr></property></Properties>"
        )
        self.add(
            "docProps/core.xml", core, "application/vnd.openxmlformats-package.core-properties+xml"
        )
        self.add("docProps/app.xml", app, f"{OFFICE}.extended-properties+xml")
        self.add("docProps/custom.xml", custom, f"{OFFICE}.custom-properties+xml")
        self.add("docProps/thumbnail.jpeg", jpeg(artist=AUTHOR))
        self.relate("", f"{PACKAGE_R}/metadata/core-properties", "docProps/core.xml")
        self.relate("", f"{R}/extended-properties", "docProps/app.xml")
        self.relate("", f"{R}/custom-properties", "docProps/custom.xml")
        self.relate("", f"{PACKAGE_R}/metadata/thumbnail", "docProps/thumbnail.jpeg")
        self.relate(self.main, f"{R}/image", "media/photo.jpeg")
        folder = self.main.split("/")[0]
        self.add(f"{folder}/media/photo.jpeg", jpeg(artist=AUTHOR, gps=True))
        if folder == "word":
            self._word_people()
        else:
            self._excel_people()
        return self

    def with_chart(
        self, workbook: bytes | None = None, *, content_type: str = XLSX_PACKAGE
    ) -> Office:
        """A column chart as Word inserts one: a drawing in the text, the chart part with
        its cached values, and its data as a workbook embedded as a package (by default
        one with its author's metadata in it)."""
        if workbook is None:
            workbook = Office("xlsx").with_author().to_bytes()
        namespaces = (
            f'xmlns:w="{W}" xmlns:r="{R}" xmlns:a="{DRAWING}/main" xmlns:c="{DRAWING}/chart" '
            f'xmlns:wp="{DRAWING}/wordprocessingDrawing"'
        )
        document = (
            f"<w:document {namespaces}><w:body><w:p><w:r><w:t>Gallium licences delayed."
            '</w:t></w:r></w:p><w:p><w:r><w:drawing><wp:inline><wp:extent cx="5486400" '
            'cy="3200400"/><wp:docPr id="1" name="Chart 1"/><a:graphic><a:graphicData '
            f'uri="{DRAWING}/chart"><c:chart r:id="rIdChart"/></a:graphicData></a:graphic>'
            "</wp:inline></w:drawing></w:r></w:p></w:body></w:document>"
        )
        points = "".join(
            f'<c:pt idx="{index}"><c:v>{value}</c:v></c:pt>'
            for index, value in enumerate((420, 510))
        )
        axes = "".join(
            f'<c:{kind}><c:axId val="{axis}"/><c:scaling><c:orientation val="minMax"/>'
            f'</c:scaling><c:delete val="0"/><c:axPos val="{position}"/>'
            f'<c:crossAx val="{other}"/></c:{kind}>'
            for kind, axis, position, other in (("catAx", 1, "b", 2), ("valAx", 2, "l", 1))
        )
        chart = (
            f'<c:chartSpace xmlns:c="{DRAWING}/chart" xmlns:a="{DRAWING}/main" xmlns:r="{R}">'
            '<c:chart><c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping '
            'val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef>'
            "<c:f>Sheet1!$B$2:$B$3</c:f><c:numCache><c:formatCode>General</c:formatCode>"
            f'<c:ptCount val="2"/>{points}</c:numCache></c:numRef></c:val></c:ser>'
            f'<c:axId val="1"/><c:axId val="2"/></c:barChart>{axes}</c:plotArea></c:chart>'
            '<c:externalData r:id="rIdData"><c:autoUpdate val="0"/></c:externalData>'
            "</c:chartSpace>"
        )
        self.parts[self.main] = document.encode()
        self.add("word/charts/chart1.xml", chart, f"{OFFICE}.drawingml.chart+xml")
        # Word declares the embedded workbook by its extension.
        self.defaults["xlsx"] = content_type
        self.add(CHART_DATA, workbook)
        self.relate(self.main, f"{R}/chart", "charts/chart1.xml", rid="rIdChart")
        data = "../" + CHART_DATA.removeprefix("word/")
        self.relate("word/charts/chart1.xml", f"{R}/package", data, rid="rIdData")
        return self

    def _word_people(self) -> None:
        comments = (
            f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="{AUTHOR}" w:initials="HY" '
            'w:date="2025-06-01T09:00:00Z"><w:p><w:r><w:t>Check the licence numbers.</w:t>'
            "</w:r></w:p></w:comment></w:comments>"
        )
        people = (
            f'<w15:people xmlns:w15="{MS_R}/word/2012/wordml"><w15:person w15:author="{AUTHOR}">'
            f'<w15:presenceInfo w15:providerId="AD" w15:userId="{AUTHOR_EMAIL}"/></w15:person>'
            "</w15:people>"
        )
        document = (
            f'<w:document xmlns:w="{W}" xmlns:w14="{MS_R}/word/2010/wordml" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'mc:Ignorable="w14"><w:body><w:p w:rsidR="00A1B2C3" w14:paraId="1A2B3C4D">'
            "<w:r><w:t>Gallium licences delayed.</w:t></w:r>"
            f'<w:ins w:id="1" w:author="{AUTHOR}" w:date="2025-06-01T09:00:00Z"><w:r>'
            "<w:t> Since May.</w:t></w:r></w:ins></w:p></w:body></w:document>"
        )
        settings = f'<w:settings xmlns:w="{W}"><w:rsids><w:rsidRoot w:val="00A1B2C3"/></w:rsids></w:settings>'  # noqa: E501
        self.parts[self.main] = document.encode()
        self.add("word/comments.xml", comments, f"{OFFICE}.wordprocessingml.comments+xml")
        self.add("word/people.xml", people, f"{OFFICE}.wordprocessingml.people+xml")
        self.add("word/settings.xml", settings, f"{OFFICE}.wordprocessingml.settings+xml")
        self.relate(self.main, f"{R}/comments", "comments.xml")
        self.relate(self.main, f"{MS_R}/2011/relationships/people", "people.xml")
        self.relate(self.main, f"{R}/settings", "settings.xml")
        self._custom_xml("word/document.xml")

    def _excel_people(self) -> None:
        comments = (
            f'<comments xmlns="{SML}"><authors><author>{AUTHOR}</author></authors><commentList>'
            '<comment ref="A1" authorId="0"><text><t>Check the price.</t></text></comment>'
            "</commentList></comments>"
        )
        persons = (
            f'<personList xmlns="{MS_R}/spreadsheetml/2018/threadedcomments"><person '
            f'displayName="{AUTHOR}" id="{{00000000-0000-0000-0000-000000000001}}" '
            f'userId="{AUTHOR_EMAIL}" providerId="AD"/></personList>'
        )
        workbook = (
            f'<workbook xmlns="{SML}" xmlns:r="{R}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" '
            f'mc:Ignorable="x15ac"><fileSharing userName="{AUTHOR}"/>'
            '<mc:AlternateContent><mc:Choice Requires="x15ac">'
            f'<x15ac:absPath url="C:\\Users\\{AUTHOR_LOGIN}\\Documents\\"/></mc:Choice>'
            '</mc:AlternateContent><sheets><sheet name="Prices" sheetId="1" r:id="rIdSheet"/>'
            "</sheets></workbook>"
        )
        self.parts[self.main] = workbook.encode()
        self.add("xl/comments1.xml", comments, f"{OFFICE}.spreadsheetml.comments+xml")
        self.add("xl/persons/person.xml", persons, "application/vnd.ms-excel.person+xml")
        self.relate("xl/worksheets/sheet1.xml", f"{R}/comments", "../comments1.xml")
        self.relate(self.main, f"{MS_R}/2017/10/relationships/person", "persons/person.xml")
        self._custom_xml(self.main)

    def _custom_xml(self, source: str) -> None:
        """SharePoint's document metadata, which names the owner."""
        item = f"<root><Owner>{AUTHOR_EMAIL}</Owner></root>"
        props = (
            '<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/'
            'customXml" ds:itemID="{00000000-0000-0000-0000-000000000002}"/>'
        )
        self.add("customXml/item1.xml", item)
        self.add("customXml/itemProps1.xml", props, f"{OFFICE}.customXmlProperties+xml")
        self.relate("customXml/item1.xml", f"{R}/customXmlProps", "itemProps1.xml")
        depth = "../" * source.count("/")
        self.relate(source, f"{R}/customXml", f"{depth}customXml/item1.xml")

    def to_bytes(self) -> bytes:
        types = "".join(
            f'<Default Extension="{extension}" ContentType="{content_type}"/>'
            for extension, content_type in self.defaults.items()
        ) + "".join(
            f'<Override PartName="/{name}" ContentType="{content_type}"/>'
            for name, content_type in self.overrides.items()
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f"{types}</Types>",
            )
            for source, relationships in self.relationships.items():
                folder, _, base = source.rpartition("/")
                name = f"{folder + '/' if folder else ''}_rels/{base}.rels"
                archive.writestr(name, relationships_xml(relationships))
            for name, content in self.parts.items():
                archive.writestr(name, content)
        return buffer.getvalue()


def relationships_xml(relationships: list[tuple[str, str, str, bool]]) -> str:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{rel_type}" Target="{escape(target)}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, rel_type, target, external in relationships
    )
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}</Relationships>"
    )


def docx() -> bytes:
    return Office("docx").to_bytes()


def xlsx() -> bytes:
    return Office("xlsx").to_bytes()


def zip_of(members: dict[str, bytes | str], **options: object) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def png(*, text: dict[str, str] | None = None, size: tuple[int, int] = (8, 6)) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg(
    *,
    artist: str | None = None,
    gps: bool = False,
    orientation: int | None = None,
    size: tuple[int, int] = (8, 6),
) -> bytes:
    """A JPEG as a camera or phone writes it: EXIF with the owner, GPS, XMP, a comment."""
    image = Image.new("RGB", size, (30, 30, 200))
    exif = Image.Exif()
    options: dict[str, object] = {}
    if artist:
        exif[0x013B] = artist  # Artist
        exif[0x8298] = f"(c) {artist}"  # Copyright
        options["comment"] = f"Taken by {artist}".encode()
        options["xmp"] = (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            '02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{artist}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
        ).encode()
    if gps:
        exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), **options)
    return buffer.getvalue()


def pdf(*, author: str | None = None, pages: int = 1) -> bytes:
    """A PDF with the Info dictionary, XMP and a comment a named author's tools write."""
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page(page_size=(200, 200))
    if author:
        document.docinfo["/Author"] = author
        document.docinfo["/Creator"] = f"Word for {author}"
        with document.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = [author]
            meta["xmp:CreatorTool"] = f"{AUTHOR_LOGIN}'s laptop"
        note = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Text,
            Rect=[10, 10, 30, 30],
            T=pikepdf.String(author),
            Contents=pikepdf.String("Check this figure."),
        )
        document.pages[0].obj["/Annots"] = document.make_indirect(pikepdf.Array([note]))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def unzip_all(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- Hostile files ---------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
VBA_TYPE = "application/vnd.ms-office.vbaProject"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<lolz>&lol3;</lolz>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'


def external(rel_type: str, target: str, source: str = "word/settings.xml") -> bytes:
    package = Office("docx").add(source, "<x/>", f"{OFFICE}.wordprocessingml.settings+xml")
    package.relate(source, rel_type, target, external=True)
    return package.to_bytes()


@functools.cache  # a gigabyte takes seconds to compress: once per run
def zeros_package(size: int) -> bytes:
    """A package with one member of `size` zero bytes, written in chunks (little memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in unzip_all(Office("docx").to_bytes()).items():
            archive.writestr(name, content)
        with archive.open("word/media/zeros.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    members = unzip_all(data)
    members[name] = content
    return zip_of(members)
