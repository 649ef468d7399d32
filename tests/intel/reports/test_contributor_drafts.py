"""The contributor's drafts: any part saves, submission names what is missing.

Through the web form, the API and the services, since all three share one rule.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from intel.models import CaseStudy, Contribution, FieldReport, Status
from intel.reports import services

pytestmark = pytest.mark.django_db

REPORT_NEEDED = (
    "summary", "body", "sectors", "supply_chain_stage", "date_observed", "information_credibility",
)  # fmt: skip


def _form(**fields):
    data = {"tlp": "green", "attribution": "organisation", "action": "save"}
    data.update(fields)
    return data


def _complete(**overrides):
    data = _form(
        title="Neon prices doubled in a month",
        summary="Two suppliers raised neon prices by 100%.",
        body="Observed in three quotes.",
        sectors=["semiconductors"],
        supply_chain_stage="raw-materials",
        date_observed=(timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        information_credibility="2",
    )
    data.update(overrides)
    return data


def test_a_title_alone_saves_a_draft(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"), _form(title="Gallium licences")
    )
    report = FieldReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intel:contribution_detail", args=[report.pk])
    assert (report.status, report.title, report.summary) == (Status.DRAFT, "Gallium licences", "")
    assert report.sectors == [] and report.date_observed is None


def test_only_a_body_saves_a_draft_without_a_title(client_for, contributor):
    client = client_for(contributor)
    client.post(reverse("intel:report_create"), _form(body="Notes from the trade fair."))
    report = FieldReport.objects.get()
    assert (report.title, report.body) == ("", "Notes from the trade fair.")
    page = client.get(reverse("intel:dashboard")).content.decode()
    assert "Untitled draft" in page


def test_a_case_study_with_only_a_context_saves(client_for, contributor):
    client_for(contributor).post(
        reverse("intel:case_study_create"), _form(context="A mid-sized supplier in Osaka.")
    )
    study = CaseStudy.objects.get()
    assert (study.status, study.context, study.company_size) == (Status.DRAFT, "A mid-sized supplier in Osaka.", "")  # fmt: skip  # noqa: E501


def test_an_empty_form_is_refused_and_saves_nothing(client_for, contributor):
    response = client_for(contributor).post(reverse("intel:report_create"), _form())
    assert response.status_code == 400
    assert "Write a title or some of the text" in response.content.decode()
    assert not Contribution.objects.exists()


def test_what_is_there_is_still_validated_in_a_draft(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"), _form(title="Neon", countries="ZZ")
    )
    assert response.status_code == 400
    assert "not recognised: ZZ" in response.content.decode()
    assert not Contribution.objects.exists()


def test_submitting_an_incomplete_form_names_each_missing_field_and_keeps_the_input(
    client_for, contributor
):
    client = client_for(contributor)
    response = client.post(
        reverse("intel:report_create"), _form(title="Gallium licences", action="submit")
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert f"There are {len(REPORT_NEEDED)} problems to fix" in content
    for name in REPORT_NEEDED:
        assert f'href="#field-{name}"' in content
    assert "Choose between one and three sectors (you chose 0)" in content
    assert 'value="Gallium licences"' in content
    # The draft was kept, and the form now changes it rather than making another.
    report = FieldReport.objects.get()
    assert report.status == Status.DRAFT
    assert f'action="{reverse("intel:contribution_edit", args=[report.pk])}"' in content
    client.post(reverse("intel:contribution_edit", args=[report.pk]), _complete(action="submit"))
    assert FieldReport.objects.get().status == Status.SUBMITTED
    assert FieldReport.objects.count() == 1


def test_submit_button_of_the_page_shows_the_form_with_what_is_missing(client_for, contributor):
    report = services.report_create_draft(author=contributor, title="Neon", body="Quotes.")
    response = client_for(contributor).post(reverse("intel:contribution_submit", args=[report.pk]))
    content = response.content.decode()
    assert response.status_code == 400
    assert "There are 5 problems to fix" in content
    assert 'href="#field-summary"' in content and 'href="#field-body"' not in content
    assert 'value="Neon"' in content
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_submitting_a_case_study_names_its_own_fields(contributor):
    study = services.case_study_create_draft(author=contributor, title="Export checks")
    with pytest.raises(ValidationError) as excinfo:
        services.contribution_submit(contribution=study, actor=contributor)
    assert set(excinfo.value.message_dict) == {
        "sectors", "company_size", "context", "challenge", "actions_taken", "outcome",
        "lessons_learned",
    }  # fmt: skip
    study.refresh_from_db()
    assert study.status == Status.DRAFT and study.submitted_at is None


def test_a_revision_cannot_empty_a_needed_field_and_resubmit(contributor, analyst):
    report = services.report_create_draft(
        author=contributor,
        title="Neon",
        summary="Prices up.",
        body="Quotes.",
        sectors=["semiconductors"],
        supply_chain_stage="raw-materials",
        date_observed=timezone.localdate(),
        information_credibility=2,
    )
    services.report_submit(contribution=report, actor=contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    services.report_request_changes(contribution=report, analyst=analyst, reason="Which port?")
    services.report_update(report=report, actor=contributor, summary="")
    with pytest.raises(ValidationError) as excinfo:
        services.contribution_submit(contribution=report, actor=contributor)
    assert set(excinfo.value.message_dict) == {"summary"}
    report.refresh_from_db()
    assert (report.status, report.summary) == (Status.CHANGES_REQUESTED, "Prices up.")


def test_the_database_refuses_an_incomplete_row_past_draft(contributor):
    report = services.report_create_draft(author=contributor, title="Neon")
    with pytest.raises(IntegrityError), transaction.atomic():
        FieldReport.objects.filter(pk=report.pk).update(
            status=Status.SUBMITTED, submitted_at=timezone.now()
        )
    untitled = services.report_create_draft(author=contributor, body="Only text.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=untitled.pk).update(
            kind="case-study", status=Status.SUBMITTED, submitted_at=timezone.now()
        )


def _api_post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_api_saves_a_partial_draft_and_its_submit_names_what_is_missing(api_for, contributor):
    client = api_for(contributor)
    response = _api_post(client, reverse("api-report-list"), {"title": "Gallium licences"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sectors"] == [] and body["date_observed"] is None
    assert body["information_credibility"] is None and body["supply_chain_stage"] == ""
    refused = _api_post(client, reverse("api-report-submit", args=[body["id"]]))
    assert refused.status_code == 400
    assert set(refused.json()) == set(REPORT_NEEDED)
    assert FieldReport.objects.get().status == Status.DRAFT


def test_api_refuses_an_empty_draft(api_for, contributor):
    response = _api_post(api_for(contributor), reverse("api-case-study-list"), {})
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Contribution.objects.exists()


def test_api_partial_draft_completed_by_patch_submits(api_for, contributor):
    client = api_for(contributor)
    created = _api_post(client, reverse("api-case-study-list"), {"context": "A supplier."}).json()
    url = reverse("api-case-study-detail", args=[created["id"]])
    patch = {
        "title": "Export checks", "sectors": ["semiconductors"], "company_size": "small",
        "challenge": "Licences.", "actions_taken": "Filed early.", "outcome": "Shipped.",
        "lessons_learned": "Start sooner.",
    }  # fmt: skip
    response = client.patch(url, json.dumps(patch), content_type="application/json")
    assert response.status_code == 200, response.content
    submitted = _api_post(client, reverse("api-case-study-submit", args=[created["id"]]))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == Status.SUBMITTED
