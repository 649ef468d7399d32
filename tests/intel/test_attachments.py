"""Attachments: type by content, size and count limits, private storage, checked downloads."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intel import services
from intel.errors import WorkflowError
from intel.models import Attachment
from intel.models.attachments import MAX_ATTACHMENT_BYTES

from .conftest import review, submit
from .test_filetypes import PDF, PNG, XLSX

pytestmark = pytest.mark.django_db


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


def test_type_comes_from_content_not_name(draft, contributor):
    attachment = services.attachment_add(
        contribution=draft, actor=contributor, uploaded=upload("figures.pdf", XLSX)
    )
    assert attachment.file_type == "xlsx"
    assert attachment.download_name == "figures.xlsx"
    with pytest.raises(ValidationError):
        services.attachment_add(
            contribution=draft, actor=contributor, uploaded=upload("report.pdf", b"MZ\x90\x00")
        )


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
    assert b"".join(response.streaming_content) == PDF


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
