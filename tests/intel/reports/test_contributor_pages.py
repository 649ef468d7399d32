"""The contributor's form and report page: files on the first form, required
markers, and the automatic tags and decisions of their own report only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intel.models import Attachment, Contribution, ContributionTag, FieldReport, Status, TagSource
from intel.reports import services
from intel.tagging.tasks import tag_contribution
from tests.intel.reports.upload_files import docx, jpeg, pdf, png, xlsx

pytestmark = pytest.mark.django_db


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _form(**fields):
    data = {"tlp": "green", "attribution": "organisation", "action": "save"}
    data.update(fields)
    return data


def _complete_report(author, **overrides):
    fields = {
        "title": "Gallium export licences delayed",
        "summary": "Licences for gallium exports to Japan now take three months.",
        "body": "Two exporters of gallium and germanium report semiconductor licence delays.",
        "sectors": ["semiconductors"],
        "countries": ["CN", "JP"],
        "supply_chain_stage": "raw-materials",
        "date_observed": timezone.localdate(),
        "information_credibility": 2,
    }
    fields.update(overrides)
    return services.report_create_draft(author=author, **fields)


@pytest.mark.parametrize(
    ("name", "content", "file_type"),
    [
        ("scan.pdf", pdf(), "pdf"),
        ("photo.png", png(), "png"),
        ("photo.jpg", jpeg(), "jpeg"),
        ("figures.csv", b"port,days\nOsaka,90\n", "csv"),
        ("figures.xlsx", xlsx(), "xlsx"),
        ("notes.docx", docx(), "docx"),
    ],
)
def test_a_file_chosen_on_the_first_form_is_attached_to_the_new_draft(
    client_for, contributor, name, content, file_type
):
    data = _form(title="Gallium licences", file=_upload(name, content))
    response = client_for(contributor).post(reverse("intel:report_create"), data)
    report = FieldReport.objects.get()
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.contribution_id, attachment.file_type) == (report.pk, file_type)
    assert attachment.original_name == name


def test_a_refused_file_keeps_the_saved_draft_and_says_why(client_for, contributor):
    client = client_for(contributor)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(
        reverse("intel:report_create"),
        _form(title="Gallium licences", body="Typed text", file=_upload("chart.csv", svg)),
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Your text was saved, but the file was not attached." in content
    assert 'href="#field-file"' in content
    report = FieldReport.objects.get()
    assert (report.title, report.body, report.status) == ("Gallium licences", "Typed text", "draft")
    assert not Attachment.objects.exists()
    assert 'value="Gallium licences"' in content and "Typed text" in content
    # The form posts to the saved draft now: sending it again does not make a second one.
    assert f'action="{reverse("intel:contribution_edit", args=[report.pk])}"' in content


def test_a_refused_file_stops_the_submission(client_for, contributor):
    report = _complete_report(contributor)
    response = client_for(contributor).post(
        reverse("intel:contribution_edit", args=[report.pk]),
        _form(
            title=report.title, summary=report.summary, body=report.body,
            sectors=["semiconductors"], supply_chain_stage="raw-materials",
            date_observed=report.date_observed.isoformat(), information_credibility="2",
            action="submit", file=_upload("empty.pdf", b""),
        ),
    )  # fmt: skip
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_file_and_submit_on_the_first_form_attach_then_submit(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"),
        _form(
            title="Neon", summary="Prices up.", body="Quotes.", sectors=["semiconductors"],
            supply_chain_stage="raw-materials",
            date_observed=timezone.localdate().isoformat(), information_credibility="2",
            action="submit", file=_upload("scan.pdf", pdf()),
        ),
    )  # fmt: skip
    assert response.status_code == 302
    report = FieldReport.objects.get()
    assert report.status == Status.SUBMITTED
    assert Attachment.objects.get().contribution_id == report.pk


def test_fields_needed_to_submit_are_marked(client_for, contributor):
    content = client_for(contributor).get(reverse("intel:report_create")).content.decode()
    assert "needed to submit; a draft can be saved with any part filled in." in content
    for name in ("title", "summary", "body", "date_observed"):
        assert f'name="{name}"' in content
    assert content.count('aria-required="true"') == 6  # sectors is a group: its legend says it
    title_input = (
        content.split('name="title"')[0].rsplit("<input", 1)[1]
        + content.split('name="title"')[1].split(">")[0]
    )
    assert 'aria-required="true"' in title_input
    legend = content.split("<legend>Sectors")[1].split("</legend>")[0]
    assert "*" in legend and "(needed to submit)" in legend
    signals = content.split("<legend>Signals")[1].split("</legend>")[0]
    assert "*" not in signals
    assert 'enctype="multipart/form-data"' in content and 'type="file"' in content


def test_case_study_form_marks_its_own_needed_fields(client_for, contributor):
    content = client_for(contributor).get(reverse("intel:case_study_create")).content.decode()
    assert content.count('aria-required="true"') == 7


def test_japanese_form_says_what_the_asterisk_means(client_for, contributor):
    content = (
        client_for(contributor)
        .get(reverse("intel:report_create"), HTTP_ACCEPT_LANGUAGE="ja")
        .content.decode()
    )
    assert "提出に必要な項目です" in content


def _tagged(author):
    report = _complete_report(author)
    services.report_submit(contribution=report, actor=author)
    assert tag_contribution(report.pk)
    return report


def test_author_sees_the_automatic_tags_with_readable_names(client_for, contributor):
    report = _tagged(contributor)
    client = client_for(contributor)
    url = reverse("intel:contribution_detail", args=[report.pk])
    content = client.get(url).content.decode()
    section = content.split('data-testid="automatic-tags"')[1].split("</section>")[0]
    auto = set(
        ContributionTag.objects.filter(contribution=report, source=TagSource.AUTO).values_list(
            "slug", flat=True
        )
    )
    assert auto, "the tagger found nothing to tag in a report about gallium"
    for slug in auto:
        assert f'data-slug="{slug}"' in section
    assert "Semiconductors" in section
    assert "score" not in section.lower()
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "半導体" in japanese.split('data-testid="automatic-tags"')[1].split("</section>")[0]


def test_a_tag_an_analyst_removed_is_not_shown(client_for, contributor, analyst):
    report = _tagged(contributor)
    tag = ContributionTag.objects.filter(contribution=report, source=TagSource.AUTO).first()
    ContributionTag.objects.create(
        contribution=report, kind=tag.kind, slug=tag.slug, source=TagSource.ANALYST,
        removed=True, created_by=analyst,
    )  # fmt: skip
    content = (
        client_for(contributor)
        .get(reverse("intel:contribution_detail", args=[report.pk]))
        .content.decode()
    )
    assert f'data-slug="{tag.slug}"' not in content


def test_a_draft_says_tags_come_after_submission(client_for, contributor):
    report = services.report_create_draft(author=contributor, title="Neon")
    content = (
        client_for(contributor)
        .get(reverse("intel:contribution_detail", args=[report.pk]))
        .content.decode()
    )
    assert "Tags are given automatically once you submit." in content
    assert "No decision yet." in content


def test_author_sees_each_decision_with_its_reason_but_not_the_analyst(
    client_for, contributor, analyst
):
    report = _tagged(contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    services.report_request_changes(
        contribution=report, analyst=analyst, reason="Please name the port and the date."
    )
    services.report_resubmit(contribution=report, actor=contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    services.report_reject(
        contribution=report, analyst=analyst, reason="Already covered by the weekly digest."
    )
    content = (
        client_for(contributor)
        .get(reverse("intel:contribution_detail", args=[report.pk]))
        .content.decode()
    )
    decisions = content.split('data-testid="decisions"')[1].split("</section>")[0]
    assert "Please name the port and the date." in decisions
    assert "Already covered by the weekly digest." in decisions
    assert "Changes requested" in decisions and "Rejected" in decisions
    assert analyst.get_full_name() not in content and analyst.email not in content


def test_author_never_learns_of_a_near_duplicate(client_for, contributor, other_contributor):
    mine = _tagged(contributor)
    theirs = _tagged(other_contributor)
    assert mine.fingerprint.cluster_id == theirs.fingerprint.cluster_id
    content = (
        client_for(contributor)
        .get(reverse("intel:contribution_detail", args=[mine.pk]))
        .content.decode()
    )
    assert f"/contributions/{theirs.pk}/" not in content
    assert other_contributor.email not in content
    assert "duplicate" not in content.lower() and "cluster" not in content.lower()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("contributor", 200),
        ("other_contributor", 404),
        ("analyst", 403),
        ("subscriber", 302),
        ("anonymous", 302),
    ],
)
def test_only_the_author_reads_the_report_page(client_for, client, request, persona, status):
    author = request.getfixturevalue("contributor")
    report = _tagged(author)
    url = reverse("intel:contribution_detail", args=[report.pk])
    if persona == "subscriber":
        request.getfixturevalue("subscriber")  # a briefing reader has no account to sign in
    signed_in = persona not in ("anonymous", "subscriber")
    viewer = client_for(request.getfixturevalue(persona)) if signed_in else client
    assert viewer.get(url).status_code == status
    assert Contribution.objects.count() == 1


def test_the_report_page_reads_a_fixed_number_of_queries(
    client_for, contributor, analyst, django_assert_max_num_queries
):
    report = _tagged(contributor)
    client = client_for(contributor)
    url = reverse("intel:contribution_detail", args=[report.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for round_ in range(3):
        services.report_start_review(contribution=report, analyst=analyst)
        services.report_request_changes(
            contribution=report, analyst=analyst, reason=f"Round {round_}: name the port."
        )
        services.report_resubmit(contribution=report, actor=contributor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = client.get(url).content.decode()
    assert "Round 2: name the port." in content


def test_a_form_sent_without_a_file_shows_one_error_summary(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"), _form(title="Neon", countries="ZZ")
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert content.count('id="error-summary"') == 1
    assert 'href="#field-file"' not in content
