"""Attachment types, recognised by content and structure, and the clean copy we store.

Allowed: PDF, PNG, JPEG, CSV, XLSX, DOCX. `inspect` reads the bytes, never the
name, to decide the type; a name or declared type that disagrees with the
content is refused, not relabelled. Anything it cannot vouch for raises
`Refused` with a message for the uploader:

- XLSX and DOCX are ZIP packages, read with limits on members, unpacked size
  and compression ratio (from the central directory, and again while reading);
  unsafe or duplicate names, encryption and nested archives are refused. Their
  type comes from the package's main part; macros (VBA, Excel 4.0 sheets),
  OLE/ActiveX embeddings and links to outside templates, frames or objects are
  found by content type, relationship type and content, whatever the parts are
  called. Every XML part must parse with defusedxml (no DTD, no entities).
  The one archive allowed inside is an XLSX or DOCX embedded as a package (a
  chart keeps its data as a workbook so), one level deep: it gets the same
  checks, within the limits of the file around it, and is cleaned the same way.
- CSV must be text (UTF-8 or Shift_JIS) that is a table, not markup.
- PDF must start with `%PDF-`, end with `%%EOF` and open in qpdf (pikepdf).

What is stored carries no author: Office packages lose their document
properties, comment, revision and people authors; PDFs their Info dictionary,
XMP, annotation authors, attached files and JavaScript; uploaded pictures are
re-encoded upright without EXIF, XMP or text chunks, and JPEGs inside Office
files and PDFs lose those segments with their pixels untouched; CSV cells a
spreadsheet would run as a formula get an apostrophe in front (OWASP).
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote

import pikepdf
import pikepdf.sanitize
from defusedxml import ElementTree as SafeXML
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree
from PIL import Image, ImageOps, JpegImagePlugin


@dataclass(frozen=True)
class FileType:
    key: str
    mime: str
    extension: str
    label: str
    # Every name ending and declared (Content-Type) value that may come with this content.
    extensions: frozenset[str] = field(default_factory=frozenset)
    declared: frozenset[str] = field(default_factory=frozenset)


def _type(key: str, mime: str, label: str, extensions: str, declared: str = "") -> FileType:
    names = extensions.split()
    return FileType(
        key, mime, names[0], label, frozenset(names), frozenset({mime, *declared.split()})
    )


_ZIP_TYPES = "application/zip application/x-zip-compressed"
PDF = _type("pdf", "application/pdf", "PDF", "pdf", "application/x-pdf")
PNG = _type("png", "image/png", "PNG", "png", "image/x-png")
JPEG = _type("jpeg", "image/jpeg", "JPEG", "jpg jpeg jpe jfif", "image/jpg image/pjpeg")
CSV = _type(
    "csv",
    "text/csv",
    "CSV",
    "csv tsv",
    # Windows browsers send Excel's type for .csv; text/plain is sent by many clients.
    "application/csv text/x-csv application/x-csv text/comma-separated-values "
    "text/tab-separated-values application/vnd.ms-excel",
)
_OFFICE = "application/vnd.openxmlformats-officedocument"
XLSX = _type("xlsx", f"{_OFFICE}.spreadsheetml.sheet", "XLSX", "xlsx", _ZIP_TYPES)
DOCX = _type("docx", f"{_OFFICE}.wordprocessingml.document", "DOCX", "docx", _ZIP_TYPES)
ALLOWED: dict[str, FileType] = {t.key: t for t in (PDF, PNG, JPEG, CSV, XLSX, DOCX)}
ALLOWED_LABELS = ", ".join(t.label for t in ALLOWED.values())
# Declared types that say "some file" rather than naming a format.
_GENERIC_DECLARED = {"", "application/octet-stream", "binary/octet-stream", "text/plain"}

# Limits for Office packages: far above real documents, far below a zip bomb.
MAX_MEMBERS = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
# Below this many unpacked bytes a member's ratio does not matter: it stays small.
RATIO_FLOOR = 1024 * 1024
MAX_IMAGE_PIXELS = 64_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .doc, .xls, VBA, OLE
_ARCHIVE_SIGNATURES = (*_ZIP_SIGNATURES, b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"\xfd7zXZ")
# Formats that must never pass as CSV text.
_OTHER_SIGNATURES = (*_ZIP_SIGNATURES, b"MZ", b"\x7fELF", b"GIF8", b"\xff\xd8", b"\x89PNG")

NOT_ALLOWED = _(
    "This file's content is not one of the allowed types (%(types)s), whatever its name says."
)
WRONG_NAME = _(
    "The file is named “%(name)s” but its content is %(type)s; give it a .%(extension)s name "
    "or attach the right file."
)
WRONG_DECLARED = _(
    "The file was sent as %(declared)s but its content is %(type)s; attach the right file."
)
LEGACY_OFFICE = _(
    "Old-format (.doc, .xls) and password-protected Office files cannot be checked; "
    "save an unprotected .docx or .xlsx copy."
)
DAMAGED_PACKAGE = _("The document is damaged or is not a valid DOCX or XLSX file.")
TOO_MANY_PARTS = _("The document has more than %(count)s parts; it cannot be checked safely.")
TOO_LARGE_UNPACKED = _(
    "The document unpacks to more than %(size)s MB or is compressed more than %(ratio)s to 1; "
    "it cannot be checked safely."
)
UNSAFE_NAMES = _("The document holds parts with unsafe or repeated names.")
ENCRYPTED_PARTS = _("The document holds encrypted parts; attach an unprotected copy.")
NESTED_ARCHIVE = _(
    "The document holds another archive inside it; only a Word or Excel file embedded "
    "directly in it (such as a chart's data) is allowed."
)
BAD_XML = _(
    "A part of the document is not well-formed XML or uses a DTD or entities, which are refused."
)
MACROS = _(
    "The document contains macros (VBA or Excel 4.0 macro sheets); save it as a plain .docx "
    "or .xlsx without macros."
)
EMBEDDED = _(
    "The document embeds other files or objects (OLE, ActiveX or packages); remove them and "
    "attach it again."
)
EXTERNAL = _(
    "The document links to an outside template, frame or object; save a copy without such links."
)
CSV_MARKUP = _("The file looks like HTML, SVG or other markup, not a CSV table.")
CSV_NOT_TABLE = _(
    "A CSV file must be a table: a first row of at least two cells (separated by commas, "
    "semicolons, tabs or |) and every row with as many cells as the first."
)
PDF_DAMAGED = _(
    "The PDF is incomplete or damaged (a PDF starts with %(start)s and ends with %(end)s)."
)
_PDF_MARKS = {"start": "%PDF-", "end": "%%EOF"}
PDF_ENCRYPTED = _("The PDF is password-protected; attach an unprotected copy.")
IMAGE_DAMAGED = _("An image is damaged or cannot be read.")
IMAGE_TOO_LARGE = _("An image is larger than %(pixels)s megapixels.")


class Refused(Exception):
    """Why a file is refused, in words for the person who uploaded it."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Inspected:
    file_type: FileType
    content: bytes  # what to store: the upload without author metadata or live formulas


def inspect(data: bytes, *, name: str, declared_type: str) -> Inspected:
    """The type of `data` and the clean copy to store, or `Refused`."""
    file_type, clean = _identify(data)
    _check_label(file_type, name=name, declared_type=declared_type)
    return Inspected(file_type, clean())


def _identify(data: bytes) -> tuple[FileType, Callable[[], bytes]]:
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise Refused(PDF_DAMAGED % _PDF_MARKS)
        return PDF, lambda: _clean_pdf(data)
    if data.startswith(_PNG_SIGNATURE):
        return PNG, lambda: _clean_image(data, "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG, lambda: _clean_image(data, "JPEG")
    if data.startswith(b"PK\x03\x04"):
        package = _Package.read(data)
        return package.file_type, package.cleaned
    if data.startswith(_CFB_SIGNATURE):
        raise Refused(LEGACY_OFFICE)
    table = _Table.read(data)
    return CSV, table.neutralised


def _check_label(file_type: FileType, *, name: str, declared_type: str) -> None:
    extension = posixpath.splitext(name.replace("\\", "/"))[1].lstrip(".").lower()
    if extension not in file_type.extensions:
        raise Refused(
            WRONG_NAME % {"name": name, "type": file_type.label, "extension": file_type.extension}
        )
    declared = declared_type.split(";")[0].strip().lower()
    if declared not in _GENERIC_DECLARED and declared not in file_type.declared:
        raise Refused(WRONG_DECLARED % {"declared": declared[:100], "type": file_type.label})


@contextmanager
def _parsing(message: str | Promise) -> Iterator[None]:
    """Any failure of a parser on hostile input means the file cannot be vouched for.

    Parsers of untrusted bytes raise all kinds of errors (struct.error, zlib.error,
    IndexError, MemoryError…); each is a refusal with `message`, never a 500.
    """
    try:
        yield
    except Refused:
        raise
    except Exception as error:
        raise Refused(message) from error


# --- Office packages (OOXML) ---------------------------------------------------------

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAIN_TYPES = {
    f"{_OFFICE}.wordprocessingml.document.main+xml": DOCX,
    f"{_OFFICE}.spreadsheetml.sheet.main+xml": XLSX,
}
# Words in content types and relationship types (their last segment, lower case).
_MACRO_WORDS = ("macroenabled", "vbaproject", "vbadata", "macrosheet", "keymapcustom", "toolbars")
_MACRO_KINDS = {
    "vbaproject",
    "wordvbadata",
    "xlmacrosheet",
    "xlintlmacrosheet",
    "keymapcustomizations",
    "attachedtoolbars",
    "vbaprojectsignature",
    "vbaprojectsignatureagile",
    "vbaprojectsignaturev3",
}
_EMBED_WORDS = ("oleobject", "activex")
_EMBED_KINDS = {
    "oleobject",
    "package",
    "activexcontrol",
    "activexcontrolbinary",
    "control",
    "afchunk",
}
# Parts that only describe the document and its people: dropped from the stored copy.
_METADATA_KINDS = {
    "core-properties",
    "extended-properties",
    "custom-properties",
    "thumbnail",
    "people",
    "customxml",
}
# What an Office file may embed as a package (relationship type "package"): a workbook
# or a document, which is checked and cleaned as one (chart data is such a workbook).
_EMBEDDABLE_TYPES = {XLSX.mime, DOCX.mime}
ANONYMOUS_AUTHOR = "Author"


@dataclass(frozen=True)
class _Relationship:
    kind: str  # the type's last segment, lower case: "officedocument", "hyperlink", …
    target: str  # the resolved part name (lower case), or the outside address
    external: bool


def _kind(type_uri: str) -> str:
    return type_uri.rstrip("/").rsplit("/", 1)[-1].lower()


def _unsafe_name(name: str) -> bool:
    segments = name.rstrip("/").split("/")
    return (
        not name
        or name.startswith("/")
        or any(char in name for char in "\\:\x00")
        or any(segment in ("", ".", "..") for segment in segments)
    )


def _too_compressed(unpacked: int, packed: int) -> bool:
    return unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1)


def _too_large() -> Refused:
    return Refused(
        TOO_LARGE_UNPACKED % {"size": MAX_UNPACKED_BYTES // (1024 * 1024), "ratio": MAX_RATIO}
    )


def _parse(data: bytes) -> SafeXML.Element:
    with _parsing(BAD_XML):
        return SafeXML.fromstring(data, forbid_dtd=True)


@dataclass
class _Budget:
    """What one upload may unpack, spent by its package and the packages embedded in it."""

    upload_size: int
    members: int = 0
    unpacked: int = 0


def _check_xml(data: bytes) -> None:
    # Streaming, so a large worksheet costs little memory.
    with _parsing(BAD_XML):
        for _event, element in SafeXML.iterparse(io.BytesIO(data), forbid_dtd=True):
            element.clear()


class _Package:
    """An Office package read once, checked, and written back without its people."""

    def __init__(self, parts: dict[str, bytes], *, budget: _Budget, embedded: bool) -> None:
        self.parts = parts  # zip order
        self.names = {name.lower(): name for name in parts}
        self.defaults: dict[str, str] = {}
        self.overrides: dict[str, str] = {}
        self.relationships: dict[str, list[_Relationship]] = {}
        self.budget = budget
        self.embedded = embedded  # inside another package: may embed nothing itself
        self.packages: dict[str, _Package] = {}  # embedded ones, by lower-case part name
        self.not_office: str | Promise = (
            NESTED_ARCHIVE if embedded else NOT_ALLOWED % {"types": ALLOWED_LABELS}
        )

    @classmethod
    def read(
        cls, data: bytes, *, budget: _Budget | None = None, embedded: bool = False
    ) -> _Package:
        budget = budget or _Budget(upload_size=len(data))
        package = cls(_unpack(data, budget), budget=budget, embedded=embedded)
        if "[content_types].xml" not in package.names:
            raise Refused(package.not_office)
        package._read_structure()
        package._check()
        return package

    @property
    def main(self) -> str:
        """The main part (word/document.xml, xl/workbook.xml) the package's root points at."""
        main = [r for r in self.relationships.get("_rels/.rels", []) if r.kind == "officedocument"]
        if len(main) != 1 or main[0].target not in self.names:
            raise Refused(self.not_office)
        return main[0].target

    @property
    def file_type(self) -> FileType:
        file_type = _MAIN_TYPES.get(self.content_type(self.main) or "")
        if file_type is None:
            raise Refused(self.not_office)
        return file_type

    def content_type(self, lower_name: str) -> str | None:
        override = self.overrides.get(lower_name)
        if override is not None:
            return override
        # Not splitext: "_rels/.rels" has the extension "rels" in a package.
        base = posixpath.basename(lower_name)
        return self.defaults.get(base.rpartition(".")[2]) if "." in base else None

    def _read_structure(self) -> None:
        types = _parse(self.parts[self.names["[content_types].xml"]])
        for default in types.iter(f"{_CT}Default"):
            extension = default.get("Extension", "").lower()
            self.defaults[extension] = default.get("ContentType", "").lower()
        for override in types.iter(f"{_CT}Override"):
            part = override.get("PartName", "").lstrip("/").lower()
            self.overrides[unquote(part)] = override.get("ContentType", "").lower()
        for lower, name in self.names.items():
            folder, base = posixpath.split(lower)
            if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
                continue
            source_folder = posixpath.dirname(folder)
            relationships = []
            for element in _parse(self.parts[name]).iter(f"{_REL}Relationship"):
                target = element.get("Target")
                if target is None:
                    raise Refused(DAMAGED_PACKAGE)
                external = element.get("TargetMode", "").lower() == "external"
                if not external:
                    path = unquote(target.split("#", 1)[0])
                    if path.startswith("/"):
                        path = path.lstrip("/")
                    else:
                        path = posixpath.normpath(posixpath.join(source_folder, path))
                    target = path.lower()
                relationships.append(
                    _Relationship(_kind(element.get("Type", "")), target, external)
                )
            self.relationships[lower] = relationships

    def _check(self) -> None:
        package_parts = self._package_targets()
        for lower, name in self.names.items():
            if lower == "[content_types].xml" or lower.endswith("/"):
                continue
            content_type = self.content_type(lower) or ""
            content = self.parts[name]
            if lower.endswith("vbaproject.bin") or any(w in content_type for w in _MACRO_WORDS):
                raise Refused(MACROS)
            if lower in package_parts and content_type in _EMBEDDABLE_TYPES:
                if self.embedded:  # one level deep only
                    raise Refused(NESTED_ARCHIVE)
                self._check_embedded(lower, content, content_type)
                continue
            if (
                content.startswith(_CFB_SIGNATURE)
                or "embeddings" in lower.split("/")[:-1]
                or any(word in content_type for word in _EMBED_WORDS)
            ):
                raise Refused(EMBEDDED)
            if content.startswith(_ARCHIVE_SIGNATURES):
                raise Refused(NESTED_ARCHIVE)
            if not content_type:  # every part of a package has one
                raise Refused(DAMAGED_PACKAGE)
            if content_type.endswith("xml") or lower.endswith((".xml", ".rels")):
                _check_xml(content)
        for relationships in self.relationships.values():
            for relationship in relationships:
                if relationship.kind in _MACRO_KINDS:
                    raise Refused(MACROS)
                if relationship.kind == "package" and relationship.target in self.packages:
                    continue
                if relationship.kind in _EMBED_KINDS:
                    raise Refused(EMBEDDED)
                if relationship.kind == "attachedtemplate" or (
                    relationship.external and relationship.kind != "hyperlink"
                ):
                    raise Refused(EXTERNAL)

    def _package_targets(self) -> set[str]:
        return {
            relationship.target
            for relationships in self.relationships.values()
            for relationship in relationships
            if relationship.kind == "package" and not relationship.external
        }

    def _check_embedded(self, lower: str, content: bytes, content_type: str) -> None:
        """An embedded workbook or document passes every check of an upload itself,
        spending what is left of this file's limits, and embeds nothing in turn."""
        if not content.startswith(b"PK\x03\x04"):
            raise Refused(EMBEDDED)
        package = _Package.read(content, budget=self.budget, embedded=True)
        if package.file_type.mime != content_type:
            raise Refused(EMBEDDED)
        self.packages[lower] = package

    def cleaned(self) -> bytes:
        dropped = self._dropped()
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.parts.items():
                lower = name.lower()
                if lower in dropped or name.endswith("/"):
                    continue
                # A fixed date: the time of writing says nothing about the author.
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self._clean_part(lower, content, dropped))
        return output.getvalue()

    def _dropped(self) -> set[str]:
        dropped = {
            relationship.target
            for relationships in self.relationships.values()
            for relationship in relationships
            if not relationship.external and relationship.kind in _METADATA_KINDS
        }
        # A dropped part's own relationships go too, with what they point at
        # (a customXml item's properties).
        for lower in list(dropped):
            rels = _rels_of(lower)
            if rels in self.relationships:
                dropped.add(rels)
                dropped.update(r.target for r in self.relationships[rels] if not r.external)
        # Whatever a relationship claims, the package's skeleton stays.
        dropped -= {"[content_types].xml", "_rels/.rels", self.main, _rels_of(self.main)}
        return dropped & set(self.names)

    def _clean_part(self, lower: str, content: bytes, dropped: set[str]) -> bytes:
        if lower in self.packages:
            return self.packages[lower].cleaned()
        if lower == "[content_types].xml":
            return _rewrite(content, lambda root: _drop_overrides(root, dropped))
        if lower in self.relationships:
            return _rewrite(content, lambda root: _drop_relationships(root, self, lower, dropped))
        if content.startswith(_PNG_SIGNATURE):
            return _clean_image(content, "PNG")
        if content.startswith(b"\xff\xd8\xff"):
            # Not re-encoded: the document sized the picture by its pixels as they are.
            return _jpeg_without_metadata(content)
        content_type = self.content_type(lower) or ""
        for prefix, scrub in _SCRUBBERS:
            if content_type.startswith(prefix):
                return _rewrite(content, scrub)
        return content


def _unpack(data: bytes, budget: _Budget) -> dict[str, bytes]:
    """The members of a package, within what is left of the upload's `budget`."""
    with _parsing(DAMAGED_PACKAGE), zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        budget.members += len(members)
        if budget.members > MAX_MEMBERS:
            raise Refused(TOO_MANY_PARTS % {"count": MAX_MEMBERS})
        seen: set[str] = set()
        for member in members:
            lower = member.filename.lower()
            if _unsafe_name(member.filename) or lower in seen:
                raise Refused(UNSAFE_NAMES)
            seen.add(lower)
            if member.flag_bits & 0x41:  # traditional or strong encryption
                raise Refused(ENCRYPTED_PARTS)
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Refused(DAMAGED_PACKAGE)
            if _too_compressed(member.file_size, member.compress_size):
                raise _too_large()
        declared = sum(member.file_size for member in members)
        if budget.unpacked + declared > MAX_UNPACKED_BYTES or _too_compressed(declared, len(data)):
            raise _too_large()
        # The sizes above are the archive's own claims: count what really comes out.
        parts: dict[str, bytes] = {}
        for member in members:
            chunks = []
            size = 0
            with archive.open(member) as stream:
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    budget.unpacked += len(chunk)
                    if (
                        budget.unpacked > MAX_UNPACKED_BYTES
                        or _too_compressed(size, member.compress_size)
                        or _too_compressed(budget.unpacked, budget.upload_size)
                    ):
                        raise _too_large()
                    chunks.append(chunk)
            parts[member.filename] = b"".join(chunks)
        return parts


def _rels_of(lower: str) -> str:
    folder, base = posixpath.split(lower)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _rewrite(content: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """Edit one XML part with lxml, which keeps the namespace prefixes Office relies on.

    The part already passed defusedxml; this parser loads no DTD and resolves nothing.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with _parsing(BAD_XML):
        root = etree.fromstring(content, parser)
        change(root)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _drop_overrides(root: etree._Element, dropped: set[str]) -> None:
    for override in list(root.iter(f"{_CT}Override")):
        if unquote(override.get("PartName", "").lstrip("/").lower()) in dropped:
            _remove(override)


def _drop_relationships(
    root: etree._Element, package: _Package, lower: str, dropped: set[str]
) -> None:
    elements = list(root.iter(f"{_REL}Relationship"))
    for element, relationship in zip(elements, package.relationships[lower], strict=True):
        if not relationship.external and relationship.target in dropped:
            _remove(element)


def _scrub_wordprocessing(root: etree._Element) -> None:
    # Comment, insertion and deletion authors; revision-session ids link a
    # document to others saved in the same session.
    for element in root.iter(etree.Element):
        for attribute in list(element.attrib):
            if attribute == f"{_W}author":
                element.set(attribute, ANONYMOUS_AUTHOR)
            elif attribute == f"{_W}initials" or attribute.startswith(f"{_W}rsid"):
                del element.attrib[attribute]
    for rsids in list(root.iter(f"{_W}rsids")):
        _remove(rsids)


def _scrub_comment_authors(root: etree._Element) -> None:
    for author in root.iter(f"{_SML}author"):
        author.text = ANONYMOUS_AUTHOR


def _scrub_persons(root: etree._Element) -> None:
    for person in root.iter("{*}person"):
        person.set("displayName", ANONYMOUS_AUTHOR)
        person.set("userId", ANONYMOUS_AUTHOR)
        person.set("providerId", "None")


def _scrub_user_names(root: etree._Element) -> None:
    for user in root.iter(f"{_SML}userInfo"):
        user.set("name", ANONYMOUS_AUTHOR)


def _scrub_workbook(root: etree._Element) -> None:
    # Excel records the folder it saved to (C:\Users\<name>\…) as x15ac:absPath.
    for path in list(root.iter("{*}absPath")):
        choice = path.getparent()
        alternate = choice.getparent() if choice is not None else None
        if choice is not None and choice.tag == f"{_MC}Choice" and alternate is not None:
            _remove(alternate)
        else:
            _remove(path)
    for sharing in root.iter(f"{_SML}fileSharing"):
        sharing.attrib.pop("userName", None)


_SML_TYPES = f"{_OFFICE}.spreadsheetml."
_SCRUBBERS: list[tuple[str, Callable[[etree._Element], None]]] = [
    (f"{_OFFICE}.wordprocessingml.", _scrub_wordprocessing),
    (f"{_SML_TYPES}comments+xml", _scrub_comment_authors),
    (f"{_SML_TYPES}usernames+xml", _scrub_user_names),
    (f"{_SML_TYPES}sheet.main+xml", _scrub_workbook),
    ("application/vnd.ms-excel.person+xml", _scrub_persons),
]


# --- PDF and images ------------------------------------------------------------------

# pikepdf's own sanitiser for what is not metadata but may carry people or run code:
# attached files (each with its own author metadata), thumbnails, JavaScript.
_PDF_SANITIZER = (
    pikepdf.sanitize.Sanitizer().remove_attachments().remove_thumbnails().remove_javascript()
)
# XMP (on the catalog or any object) and applications' private data.
_PDF_PRIVATE_KEYS = ("/Metadata", "/PieceInfo")
# Annotations whose /T is a form field's name rather than the author of a comment.
_NAMED_ANNOTATIONS = ("/Widget", "/Link")


def _clean_pdf(data: bytes) -> bytes:
    with _parsing(PDF_DAMAGED % _PDF_MARKS):
        try:
            pdf = pikepdf.open(io.BytesIO(data))
        except pikepdf.PasswordError:
            raise Refused(PDF_ENCRYPTED) from None
        with pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    for key in _PDF_PRIVATE_KEYS:
                        if key in obj:
                            del obj[key]
                if isinstance(obj, pikepdf.Stream) and obj.get("/Filter") == "/DCTDecode":
                    # A photo placed as it came from the camera keeps its EXIF inside.
                    raw = obj.read_raw_bytes()
                    if (bare := _jpeg_without_metadata(raw)) != raw:
                        parms = obj.get("/DecodeParms")
                        obj.write(
                            bare,
                            filter=pikepdf.Name.DCTDecode,
                            decode_parms=parms if isinstance(parms, pikepdf.Dictionary) else None,
                        )
            _PDF_SANITIZER.apply(pdf)
            for page in pdf.pages:
                annotations = page.obj.get("/Annots")
                for annotation in annotations if isinstance(annotations, pikepdf.Array) else []:
                    if (
                        isinstance(annotation, pikepdf.Dictionary)
                        and "/T" in annotation
                        and annotation.get("/Subtype") not in _NAMED_ANNOTATIONS
                    ):
                        del annotation["/T"]
            output = io.BytesIO()
            # Streams are copied as they are: decoding them would unpack a flate bomb.
            pdf.save(
                output,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                fix_metadata_version=False,
                deterministic_id=True,
            )
            return output.getvalue()


# JPEG segments that carry people: APP1 (EXIF, XMP), APP12 (Ducky), APP13 (IPTC), comments.
_JPEG_METADATA_MARKERS = {0xE1, 0xEC, 0xED, 0xFE}


def _jpeg_without_metadata(data: bytes) -> bytes:
    """The same JPEG without its metadata segments; the compressed picture is untouched."""
    if not data.startswith(b"\xff\xd8"):
        return data
    kept = bytearray(data[:2])
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in (0xDA, 0xD9):  # start of scan, end of image: the rest is the picture
            break
        if marker == 0xFF:  # a fill byte before the marker
            position += 1
            continue
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if end > len(data):
            break
        if marker not in _JPEG_METADATA_MARKERS:
            kept += data[position:end]
        position = end
    return bytes(kept + data[position:])


def _clean_image(data: bytes, kind: str) -> bytes:
    """The pixels re-encoded with no EXIF, XMP, comments or text chunks.

    Orientation from EXIF is applied to the pixels first, so the picture still
    stands the right way up; the colour profile is kept.
    """
    too_large = Refused(IMAGE_TOO_LARGE % {"pixels": MAX_IMAGE_PIXELS // 1_000_000})
    with _parsing(IMAGE_DAMAGED):
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
        except Image.DecompressionBombError:
            raise too_large from None
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_large
            image.load()
            options: dict[str, object] = {}
            if profile := image.info.get("icc_profile"):
                options["icc_profile"] = profile
            if isinstance(image, JpegImagePlugin.JpegImageFile):
                # The original quantisation, so re-encoding loses as little as it can.
                options["qtables"] = image.quantization
                options["subsampling"] = JpegImagePlugin.get_sampling(image)
            elif "transparency" in image.info:
                options["transparency"] = image.info["transparency"]
            upright = ImageOps.exif_transpose(image)
            upright.info = {}
            output = io.BytesIO()
            upright.save(output, format=kind, **options)
            return output.getvalue()


# --- CSV -----------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";", "|")
_MARKUP = re.compile(
    r"<\s*[!?]?(?:script|svg|html|head|body|iframe|frame|object|embed|doctype|xml|math|style"
    r"|meta|link|img|form|base)\b",
    re.IGNORECASE,
)
# A spreadsheet treats a cell starting with one of these as a formula (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Table:
    data: bytes
    text: str
    encoding: str
    delimiter: str
    has_formulas: bool

    @classmethod
    def read(cls, data: bytes) -> _Table:
        if data.startswith(_OTHER_SIGNATURES) or b"\x00" in data:
            raise Refused(NOT_ALLOWED % {"types": ALLOWED_LABELS})
        text, encoding = _decode(data)
        if not text.strip() or any(ord(char) < 32 and char not in "\r\n\t" for char in text):
            raise Refused(NOT_ALLOWED % {"types": ALLOWED_LABELS})
        if text.lstrip().startswith("<") or _MARKUP.search(text):
            raise Refused(CSV_MARKUP)
        for delimiter in _DELIMITERS:
            has_formulas = _scan(text, delimiter)
            if has_formulas is not None:
                return cls(data, text, encoding, delimiter, has_formulas)
        raise Refused(CSV_NOT_TABLE)

    def neutralised(self) -> bytes:
        """The upload as it came, unless a cell would run as a formula: then those
        cells get an apostrophe in front and the table is written back with the same
        delimiter, line ends and encoding."""
        if not self.has_formulas:
            return self.data
        output = io.StringIO(newline="")
        line_end = "\r\n" if "\r\n" in self.text else "\n"
        writer = csv.writer(output, delimiter=self.delimiter, lineterminator=line_end)
        for row in _reader(self.text, self.delimiter):
            writer.writerow([f"'{cell}" if _is_formula(cell) else cell for cell in row])
        with _parsing(CSV_NOT_TABLE):
            return output.getvalue().encode(self.encoding)


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding to write it back in (with its byte-order mark if it had one)."""
    utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    for decoding, encoding in (("utf-8-sig", utf8), ("cp932", "cp932")):
        try:
            return data.decode(decoding), encoding
        except UnicodeDecodeError:
            continue
    raise Refused(NOT_ALLOWED % {"types": ALLOWED_LABELS})


def _reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _scan(text: str, delimiter: str) -> bool | None:
    """Whether a cell is a formula, if `delimiter` makes `text` a table of two or more
    columns with as many cells in every row as in the first; else None."""
    width = 0
    has_formulas = False
    try:
        for row in _reader(text, delimiter):
            if not row:
                continue  # a blank line
            width = width or len(row)
            if width < 2 or len(row) != width:
                return None
            has_formulas = has_formulas or any(_is_formula(cell) for cell in row)
    except csv.Error:
        return None
    return has_formulas if width else None


def _is_formula(cell: str) -> bool:
    start = cell.lstrip(" ")
    return start.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(start)
