"""Attachments: type by content and structure, size and count limits, private storage of a
clean copy, checked downloads."""

from __future__ import annotations

import hashlib
import io
import os

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from intel.errors import WorkflowError
from intel.models import Attachment
from intel.models.attachments import MAX_ATTACHMENT_BYTES
from intel.reports import services
from tests.intel.helpers import review, submit
from tests.intel.reports.upload_files import (
    AUTHOR,
    AUTHOR_EMAIL,
    AUTHOR_LOGIN,
    CFB,
    CHART_DATA,
    HTML,
    LAUGHS,
    OFFICE,
    SVG,
    VBA_TYPE,
    Office,
    R,
    external,
    jpeg,
    pdf,
    png,
    replace_member,
    unzip_all,
    xlsx,
    zeros_package,
)

pytestmark = pytest.mark.django_db

PDF, PNG, XLSX = pdf(), png(), xlsx()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_pdf_is_stored_privately_under_a_random_name(draft, contributor, settings):
    attachment = services.attachment_add(
        contribution=draft, actor=contributor, uploaded=upload("../../evil name.pdf", PDF)
    )
    assert attachment.file_type == "pdf"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT / "private"))
    assert "evil" not in attachment.file.name
    assert attachment.download_name == "evil name.pdf"
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 - no public URL exists


def test_type_comes_from_content_and_a_disagreeing_name_is_refused_not_relabelled(
    draft, contributor
):
    attachment = services.attachment_add(
        contribution=draft, actor=contributor, uploaded=upload("figures.xlsx", XLSX)
    )
    assert attachment.file_type == "xlsx"
    assert attachment.download_name == "figures.xlsx"
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("figures.pdf", XLSX)
        )
    assert "its content is XLSX" in str(excinfo.value)
    with pytest.raises(ValidationError):
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("report.pdf", b"MZ\x90\x00")
        )
    assert Attachment.objects.count() == 1


def test_size_limit(draft, contributor):
    too_big = upload("big.csv", b"a,b\n" * (MAX_ATTACHMENT_BYTES // 4 + 1))
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(contribution=draft, actor=contributor, uploaded=too_big)
    assert "10.0" in str(excinfo.value)


def test_at_most_five_per_report(draft, contributor):
    for index in range(5):
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload(f"{index}.png", PNG)
        )
    with pytest.raises(ValidationError):
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("6.png", PNG)
        )
    assert Attachment.objects.filter(contribution=draft).count() == 5


def test_only_author_and_only_while_editable(draft, contributor, other_contributor, analyst):
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            contribution=draft, actor=other_contributor, uploaded=upload("a.pdf", PDF)
        )
    review(submit(draft, contributor), analyst)
    with pytest.raises(WorkflowError):
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("a.pdf", PDF)
        )


def test_delete_removes_the_file(draft, contributor, django_capture_on_commit_callbacks):
    attachment = services.attachment_add(
        contribution=draft, actor=contributor, uploaded=upload("a.pdf", PDF)
    )
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, actor=contributor)
    assert not Attachment.objects.exists()
    assert not os.path.exists(path)


def _attachment(report, author):
    return services.attachment_add(contribution=report, actor=author, uploaded=upload("a.pdf", PDF))


def test_author_downloads_as_attachment_with_nosniff(draft, contributor, client_for):
    attachment = _attachment(draft, contributor)
    response = client_for(contributor).get(
        reverse("intel:attachment_download", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The stored, cleaned copy: still the PDF, described by the row's size and hash.
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert len(body) == attachment.size
    assert hashlib.sha256(body).hexdigest() == attachment.sha256


def test_other_contributor_cannot_download_even_after_acceptance(
    draft, contributor, other_contributor, analyst, client_for
):
    attachment = _attachment(draft, contributor)
    url = reverse("intel:attachment_download", args=[attachment.pk])
    assert client_for(other_contributor).get(url).status_code == 404
    review(submit(draft, contributor), analyst)
    services.report_accept(contribution=draft, analyst=analyst)
    assert client_for(other_contributor).get(url).status_code == 404


def test_analyst_cannot_download_from_a_draft_but_can_once_submitted(
    draft, contributor, analyst, client_for
):
    attachment = _attachment(draft, contributor)
    url = reverse("intel:attachment_download", args=[attachment.pk])
    assert client_for(analyst).get(url).status_code == 404
    submit(draft, contributor)
    assert client_for(analyst).get(url).status_code == 200


def test_analyst_without_mfa_and_anonymous_cannot_download(
    draft, contributor, analyst_without_mfa, anonymous, client_for, newcomer
):
    attachment = _attachment(draft, contributor)
    submit(draft, contributor)
    url = reverse("intel:attachment_download", args=[attachment.pk])
    assert client_for(analyst_without_mfa).get(url).status_code == 404
    assert client_for(newcomer).get(url).status_code == 404
    assert anonymous.get(url).status_code == 302


def test_upload_view_and_error_messages(draft, contributor, client_for):
    client = client_for(contributor)
    url = reverse("intel:attachment_upload", args=[draft.pk])
    response = client.post(url, {"file": upload("notes.exe", b"MZ\x90\x00")}, follow=True)
    assert "not one of the allowed types" in response.content.decode()
    response = client.post(url, {"file": upload("data.csv", b"a,b\n1,2\n")}, follow=True)
    assert "Attached data.csv" in response.content.decode()
    assert Attachment.objects.get().file_type == "csv"


# --- Hostile files: a clear refusal on the form and in the API, nothing stored ---------

HOSTILE = [
    ("macros.docx", Office("docx").add("word/media/image1.png", b"x", VBA_TYPE).to_bytes()),
    ("template.docx", external(f"{R}/attachedTemplate", "https://evil.example/t.dotm")),
    (
        "ole.docx",
        Office("docx")
        .add(
            "word/embeddings/oleObject1.bin",
            CFB,
            f"{OFFICE}.oleObject",
        )
        .to_bytes(),
    ),
    ("page.pdf", HTML),
    ("chart.pdf", SVG),
    ("table.csv", SVG),
    (
        "laughs.docx",
        replace_member(Office("docx").to_bytes(), "word/document.xml", LAUGHS.encode()),
    ),
]


@pytest.mark.parametrize(("name", "content"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_upload_is_refused_on_the_form_with_a_message(
    name, content, draft, contributor, client_for
):
    client = client_for(contributor)
    url = reverse("intel:attachment_upload", args=[draft.pk])
    response = client.post(url, {"file": upload(name, content)}, follow=True)
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and "Attached" not in messages[0]
    assert not Attachment.objects.exists()
    assert draft.title in response.content.decode()  # the report itself is untouched


@pytest.mark.parametrize(("name", "content"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_upload_is_refused_by_the_api_with_a_field_error(
    name, content, draft, contributor, client_for
):
    url = reverse("api-report-attachments", args=[draft.pk])
    response = client_for(contributor).post(url, {"file": upload(name, content)})
    assert response.status_code == 400
    assert response.json()["file"][0]
    assert not Attachment.objects.exists()


def test_a_zip_bomb_is_refused_by_the_api(draft, contributor, client_for):
    bomb = zeros_package(1024 * 1024 * 1024)
    url = reverse("api-report-attachments", args=[draft.pk])
    response = client_for(contributor).post(url, {"file": upload("bomb.docx", bomb)})
    assert response.status_code == 400
    assert "cannot be checked safely" in response.json()["file"][0]


# --- What the analyst downloads names no author ----------------------------------------


def _download_as_analyst(report, author, analyst, client_for, name, content) -> bytes:
    attachment = services.attachment_add(
        contribution=report, actor=author, uploaded=upload(name, content)
    )
    submit(report, author)
    response = client_for(analyst).get(reverse("intel:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_analyst_downloads_an_office_file_that_names_no_author_in_any_part(
    kind, draft, contributor, analyst, client_for
):
    original = Office(kind).with_author().to_bytes()
    body = _download_as_analyst(draft, contributor, analyst, client_for, f"report.{kind}", original)
    parts = unzip_all(body)
    for name, part in parts.items():
        for trace in (AUTHOR, AUTHOR_EMAIL, AUTHOR_LOGIN):
            assert trace.encode() not in part, (name, trace)


def test_a_report_with_a_chart_is_attached_and_its_workbook_names_no_author(
    draft, contributor, analyst, client_for
):
    client = client_for(contributor)
    original = Office("docx").with_chart().to_bytes()
    url = reverse("intel:attachment_upload", args=[draft.pk])
    response = client.post(url, {"file": upload("chart.docx", original)}, follow=True)
    assert "Attached chart.docx" in response.content.decode()
    attachment = Attachment.objects.get(contribution=draft)
    submit(draft, contributor)

    response = client_for(analyst).get(reverse("intel:attachment_download", args=[attachment.pk]))
    workbook = unzip_all(unzip_all(b"".join(response.streaming_content))[CHART_DATA])
    assert b"gallium 420" in b"".join(workbook.values())
    for name, part in workbook.items():
        for trace in (AUTHOR, AUTHOR_EMAIL, AUTHOR_LOGIN):
            assert trace.encode() not in part, (name, trace)


def test_analyst_downloads_a_pdf_that_names_no_author(draft, contributor, analyst, client_for):
    body = _download_as_analyst(
        draft, contributor, analyst, client_for, "report.pdf", pdf(author=AUTHOR)
    )
    assert body.startswith(b"%PDF-")
    assert AUTHOR.encode() not in body
    with pikepdf.open(io.BytesIO(body)) as document:
        assert not any(
            AUTHOR.encode() in obj.read_bytes()
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream)
        )


def test_analyst_downloads_a_photo_without_exif_or_gps(draft, contributor, analyst, client_for):
    body = _download_as_analyst(
        draft, contributor, analyst, client_for, "photo.jpg", jpeg(artist=AUTHOR, gps=True)
    )
    assert AUTHOR.encode() not in body
    assert not Image.open(io.BytesIO(body)).getexif()


def test_analyst_downloads_csv_with_formula_cells_neutralised(
    draft, contributor, analyst, client_for
):
    original = b'company,share\nAcme,"=HYPERLINK(""http://evil.example"",""x"")"\nB,@SUM(1)\n'
    body = _download_as_analyst(draft, contributor, analyst, client_for, "shares.csv", original)
    assert (
        body == b'company,share\nAcme,"\'=HYPERLINK(""http://evil.example"",""x"")"\nB,\'@SUM(1)\n'
    )


def test_a_refusal_is_in_the_uploaders_language(draft, contributor):
    macros = Office("docx").add("word/media/image1.png", b"x", VBA_TYPE).to_bytes()
    with translation.override("ja"), pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("macros.docx", macros)
        )
    assert "マクロ" in excinfo.value.message_dict["file"][0]
