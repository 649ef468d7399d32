"""The workflow as the services enforce it: who may do what, in which state, audited."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from intel.errors import WorkflowError
from intel.models import (
    Comment,
    Contribution,
    ContributionFingerprint,
    ContributionSector,
    FieldReport,
    RequirementAnswer,
    Status,
)
from intel.reports import services
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


def _actions(contribution):
    return list(
        AuditEvent.objects.filter(target_id=str(contribution.pk))
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


def test_draft_stores_sectors_signals_countries_as_rows(contributor):
    report = FieldReportFactory(
        author=contributor, sectors=["semiconductors", "ai"], signals=[], countries=["jp", "us"]
    )
    assert report.status == Status.DRAFT
    assert sorted(report.sectors) == ["ai", "semiconductors"]
    assert sorted(report.countries) == ["JP", "US"]
    assert ContributionSector.objects.filter(contribution=report).count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sectors", ["ai", "energy", "space", "quantum"]),
        ("sectors", ["not-a-sector"]),
        ("signals", ["rumour"]),
        ("countries", ["XX"]),
        ("date_observed", timezone.localdate() + datetime.timedelta(days=1)),
        ("evidence_links", ["javascript:alert(1)"]),
    ],
)
def test_create_refuses_invalid_fields_with_a_field_error(contributor, field, value):
    # What is there must be valid even in a draft; what is missing is checked
    # at submission (tests/intel/reports/test_contributor_drafts.py).
    with pytest.raises(ValidationError) as excinfo:
        FieldReportFactory(author=contributor, **{field: value})
    assert field in excinfo.value.message_dict
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "\u200b\u200b\u200b"),
        ("title", "\u202e\u202d \u2066"),
        ("title", "\u3164"),
        ("summary", "\ufeff\u200d"),
    ],
)
def test_a_title_or_summary_needs_visible_text(contributor, field, value):
    with pytest.raises(ValidationError) as excinfo:
        FieldReportFactory(author=contributor, **{field: value})
    assert "visible text" in excinfo.value.message_dict[field][0]
    assert not Contribution.objects.exists()


def test_bidi_overrides_are_stripped_from_titles_and_summaries(contributor):
    report = FieldReportFactory(
        author=contributor,
        title="\u202eGallium\u202c licences",
        summary="Delays\u2066 of\u2069 60 days",
    )
    assert report.title == "Gallium licences"
    assert report.summary == "Delays of 60 days"
    services.report_update(report=report, actor=contributor, title="\u202dNew title\u202c")
    report.refresh_from_db()
    assert report.title == "New title"
    with pytest.raises(ValidationError) as excinfo:
        services.report_update(report=report, actor=contributor, title="\u200b")
    assert "title" in excinfo.value.message_dict


def test_a_case_study_title_needs_visible_text(case_study_factory, contributor):
    with pytest.raises(ValidationError) as excinfo:
        case_study_factory(author=contributor, title="\u200b\u202e")
    assert "title" in excinfo.value.message_dict


def test_language_is_detected_and_can_be_overridden(contributor):
    japanese = FieldReportFactory(
        author=contributor, title="ガリウムの輸出規制が強化された", summary="許可審査が長期化。"
    )
    assert japanese.language == "ja"
    english = FieldReportFactory(author=contributor)
    assert english.language == "en"
    forced = FieldReportFactory(author=contributor, language="ja")
    assert forced.language == "ja"


def test_database_refuses_future_date_observed(contributor):
    report = FieldReportFactory(author=contributor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=report.pk).update(
            date_observed=timezone.localdate() + datetime.timedelta(days=10)
        )


def test_date_observed_check_is_evaluated_on_an_unsaved_report_without_a_database_error(
    contributor, caplog
):
    """full_clean() of a new report runs the check in SQL: it once compared a date with NULL."""
    report = FieldReport(
        kind="report",
        author=contributor,
        title="Gallium",
        summary="Delays",
        body="Seen",
        supply_chain_stage="raw-materials",
        date_observed=timezone.localdate() + datetime.timedelta(days=30),
        information_credibility=2,
        tlp="green",
        attribution="organisation",
        language="en",
    )
    with caplog.at_level(logging.WARNING, logger="django.db.models"):
        with pytest.raises(ValidationError, match="intel_contr_date_observed_not_future"):
            report.validate_constraints()
        report.date_observed = timezone.localdate()
        report.validate_constraints()
        FieldReportFactory(author=contributor)
    assert [record.getMessage() for record in caplog.records] == []


def test_database_refuses_unknown_status(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=draft.pk).update(status="published")


def test_newcomer_cannot_create_a_report(newcomer):
    with pytest.raises(PermissionDenied):
        FieldReportFactory(author=newcomer)


def test_submit_snapshots_grade_and_organisation_and_is_audited(draft, contributor):
    submit(draft, contributor)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.submitted_at is not None
    assert draft.source_grade == "C"
    assert draft.organisation == "Institute A"
    assert _actions(draft) == ["report.submit"]


def test_submit_starts_tagging_only_after_commit(
    draft, contributor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(draft, contributor)
    assert not ContributionFingerprint.objects.filter(contribution=draft).exists()
    for callback in callbacks:
        callback()
    assert ContributionFingerprint.objects.filter(contribution=draft).exists()


def test_suspended_member_cannot_submit(draft, contributor):
    contributor.membership.status = "suspended"
    contributor.membership.save()
    with pytest.raises(PermissionDenied):
        submit(draft, contributor)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_only_the_author_can_submit_update_or_withdraw(draft, other_contributor):
    with pytest.raises(PermissionDenied):
        submit(draft, other_contributor)
    with pytest.raises(PermissionDenied):
        services.report_update(report=draft, actor=other_contributor, title="Hijacked")
    with pytest.raises(PermissionDenied):
        services.report_withdraw(contribution=draft, actor=other_contributor)


def test_submitting_twice_is_refused(submitted, contributor):
    with pytest.raises(WorkflowError):
        submit(submitted, contributor)


def test_author_can_edit_draft_but_not_submitted_report(draft, submitted, contributor):
    updated = services.report_update(
        report=draft, actor=contributor, title="New title", sectors=["energy"]
    )
    assert updated.title == "New title"
    assert updated.sectors == ["energy"]
    with pytest.raises(WorkflowError):
        services.report_update(report=submitted, actor=contributor, title="Too late")


def test_author_may_withdraw_before_review_but_not_after(contributor, analyst):
    first = submit(FieldReportFactory(author=contributor), contributor)
    services.report_withdraw(contribution=first, actor=contributor)
    assert Contribution.objects.get(pk=first.pk).status == Status.WITHDRAWN
    second = review(submit(FieldReportFactory(author=contributor), contributor), analyst)
    with pytest.raises(WorkflowError):
        services.report_withdraw(contribution=second, actor=contributor)


def test_full_cycle_changes_requested_then_resubmitted_then_accepted(
    in_review, contributor, analyst
):
    services.report_request_changes(
        contribution=in_review, analyst=analyst, reason="Please name the port."
    )
    in_review.refresh_from_db()
    assert in_review.status == Status.CHANGES_REQUESTED
    assert in_review.feedback == "Please name the port."
    services.report_update(report=in_review.detail, actor=contributor, body="Held at Dalian.")
    services.report_resubmit(contribution=in_review, actor=contributor)
    in_review.refresh_from_db()
    assert (in_review.status, in_review.revision) == (Status.SUBMITTED, 2)
    review(in_review, analyst)
    assert services.report_accept(contribution=in_review, analyst=analyst) == "accepted"
    in_review.refresh_from_db()
    assert in_review.status == Status.ACCEPTED
    assert in_review.accepted_at is not None
    assert _actions(in_review) == [
        "report.submit", "report.start_review", "report.request_changes", "report.resubmit",
        "report.start_review", "report.accept",
    ]  # fmt: skip
    assert Comment.objects.filter(contribution=in_review, kind="changes-requested").count() == 1


def test_one_submit_sends_a_draft_and_resubmits_a_report_sent_back(in_review, contributor, analyst):
    draft = FieldReportFactory(author=contributor)
    services.contribution_submit(contribution=draft, actor=contributor)
    assert Contribution.objects.get(pk=draft.pk).status == Status.SUBMITTED
    services.report_request_changes(
        contribution=in_review, analyst=analyst, reason="Please name the port."
    )
    in_review.refresh_from_db()
    services.contribution_submit(contribution=in_review, actor=contributor)
    in_review.refresh_from_db()
    assert (in_review.status, in_review.revision) == (Status.SUBMITTED, 2)
    with pytest.raises(WorkflowError):
        services.contribution_submit(contribution=in_review, actor=contributor)


def test_save_and_submit_keeps_nothing_when_the_submission_is_refused(contributor):
    draft = FieldReportFactory(author=contributor, title="Gallium licences")
    contributor.membership.status = "suspended"
    contributor.membership.save()
    with pytest.raises(PermissionDenied):
        services.contribution_save(
            author=contributor,
            kind=draft.kind,
            contribution=draft,
            submit=True,
            title="Gallium licences, revised",
        )
    assert Contribution.objects.get(pk=draft.pk).title == "Gallium licences"


def test_decisions_need_review_to_have_started(submitted, analyst):
    with pytest.raises(WorkflowError):
        services.report_accept(contribution=submitted, analyst=analyst)
    with pytest.raises(WorkflowError):
        services.report_reject(contribution=submitted, analyst=analyst, reason="Not relevant here.")


def test_reject_and_request_changes_need_a_reason(in_review, analyst):
    with pytest.raises(ValidationError):
        services.report_reject(contribution=in_review, analyst=analyst, reason="no")
    with pytest.raises(ValidationError):
        services.report_request_changes(contribution=in_review, analyst=analyst, reason="")


def test_contributor_cannot_decide(in_review, other_contributor):
    with pytest.raises(PermissionDenied):
        services.report_accept(contribution=in_review, analyst=other_contributor)


@pytest.mark.parametrize("tlp", ["amber+strict", "red"])
def test_four_eyes_rule_needs_a_second_different_analyst(contributor, analyst, second_analyst, tlp):
    report = review(submit(FieldReportFactory(author=contributor, tlp=tlp), contributor), analyst)
    outcome = services.report_accept(contribution=report, analyst=analyst)
    assert outcome == services.AcceptOutcome.AWAITING_SECOND_ANALYST
    assert Contribution.objects.get(pk=report.pk).status == Status.IN_REVIEW
    with pytest.raises(WorkflowError):
        services.report_accept(contribution=report, analyst=analyst)
    outcome = services.report_accept(contribution=report, analyst=second_analyst)
    assert outcome == services.AcceptOutcome.ACCEPTED
    assert Contribution.objects.get(pk=report.pk).status == Status.ACCEPTED
    assert _actions(report)[-2:] == ["report.approve", "report.accept"]


def test_four_eyes_approvals_do_not_carry_over_to_a_new_revision(
    contributor, analyst, second_analyst
):
    report = review(submit(FieldReportFactory(author=contributor, tlp="red"), contributor), analyst)
    services.report_accept(contribution=report, analyst=analyst)
    services.report_request_changes(
        contribution=report, analyst=second_analyst, reason="Add the shipment dates."
    )
    services.report_resubmit(contribution=report, actor=contributor)
    review(report, analyst)
    outcome = services.report_accept(contribution=report, analyst=second_analyst)
    assert outcome == services.AcceptOutcome.AWAITING_SECOND_ANALYST


def test_green_report_needs_one_analyst(in_review, analyst):
    assert services.report_accept(contribution=in_review, analyst=analyst) == "accepted"


def test_anonymous_authors_actions_are_audited_without_naming_them(contributor):
    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    event = AuditEvent.objects.get(target_id=str(report.pk), action="report.submit")
    assert event.actor is None
    assert contributor.email not in event.actor_repr
    assert event.data["by"] == "author"


def test_admin_reveals_anonymous_author_only_with_reason_audited(contributor, admin_user, analyst):
    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    with pytest.raises(ValidationError):
        services.author_reveal(contribution=report, admin=admin_user, reason="")
    with pytest.raises(PermissionDenied):
        services.author_reveal(contribution=report, admin=analyst, reason="Legal request 2025-17")
    author = services.author_reveal(
        contribution=report, admin=admin_user, reason="Legal request 2025-17"
    )
    assert author == contributor
    event = AuditEvent.objects.get(action="report.reveal_author")
    assert (event.actor, event.reason) == (admin_user, "Legal request 2025-17")


def test_comments_between_author_and_analysts(submitted, contributor, analyst, other_contributor):
    services.comment_add(contribution=submitted, author=analyst, body="Which port?")
    services.comment_add(contribution=submitted, author=contributor, body="Dalian.")
    assert list(submitted.comments.values_list("by_analyst", flat=True)) == [True, False]
    with pytest.raises(PermissionDenied):
        services.comment_add(contribution=submitted, author=other_contributor, body="Hello")


def test_no_comments_on_drafts(draft, contributor):
    with pytest.raises(WorkflowError):
        services.comment_add(contribution=draft, author=contributor, body="Note to self")


def test_requirement_publish_link_and_close(analyst, contributor):
    requirement = services.requirement_publish(
        analyst=analyst,
        sector="semiconductors",  # one of the contributor's sectors
        question="Are gallium licence times changing?",
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        priority=3,
    )
    report = FieldReportFactory(author=contributor, requirement_ids=[requirement.pk])
    assert RequirementAnswer.objects.filter(requirement=requirement, contribution=report).exists()
    services.requirement_close(requirement=requirement, analyst=analyst)
    with pytest.raises(WorkflowError):
        services.requirement_close(requirement=requirement, analyst=analyst)
    with pytest.raises(ValidationError) as excinfo:
        FieldReportFactory(author=contributor, requirement_ids=[requirement.pk])
    assert "requirements" in excinfo.value.message_dict
    assert [*AuditEvent.objects.filter(target_id=str(requirement.pk)).values_list(
        "action", flat=True
    )] == ["requirement.close", "requirement.publish"]  # fmt: skip


def test_requirement_due_date_cannot_be_past_and_contributors_cannot_publish(analyst, contributor):
    with pytest.raises(ValidationError):
        services.requirement_publish(
            analyst=analyst,
            sector="energy",
            question="Q?",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        services.requirement_publish(
            analyst=contributor,
            sector="energy",
            question="Q?",
            due_date=timezone.localdate(),
        )


def test_requirement_due_date_is_at_most_five_years_ahead(analyst):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_publish(
            analyst=analyst, sector="energy", question="Q?", due_date=datetime.date(9999, 12, 31)
        )
    assert "at most 5 years" in excinfo.value.message_dict["due_date"][0]
    soon = today.replace(year=today.year + 4)
    requirement = services.requirement_publish(
        analyst=analyst, sector="energy", question="Q?", due_date=soon
    )
    assert requirement.due_date == soon


def test_requirement_question_needs_visible_text(analyst):
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_publish(
            analyst=analyst,
            sector="energy",
            question="\u200b\u202e",
            due_date=timezone.localdate(),
        )
    assert "visible text" in excinfo.value.message_dict["question"][0]


def test_case_study_workflow_is_the_same(case_study_factory, contributor, analyst):
    study = case_study_factory(author=contributor)
    assert study.kind == "case-study"
    submit(study, contributor)
    review(study, analyst)
    services.report_accept(contribution=study, analyst=analyst)
    assert Contribution.objects.get(pk=study.pk).status == Status.ACCEPTED


def test_a_requirement_outside_the_members_sectors_cannot_be_answered(
    analyst, contributor, requirement_factory
):
    elsewhere = requirement_factory(created_by=analyst, sector="defense")
    mine = requirement_factory(created_by=analyst, sector="semiconductors")
    with pytest.raises(ValidationError) as excinfo:
        FieldReportFactory(author=contributor, requirement_ids=[elsewhere.pk])
    assert "requirements" in excinfo.value.message_dict
    report = FieldReportFactory(author=contributor, requirement_ids=[mine.pk])
    with pytest.raises(ValidationError):
        services.report_update(report=report, actor=contributor, requirement_ids=[elsewhere.pk])
    assert list(report.answer_rows.values_list("requirement_id", flat=True)) == [mine.pk]


def test_an_answered_requirement_that_closed_does_not_block_other_edits(
    analyst, contributor, requirement_factory
):
    requirement = requirement_factory(created_by=analyst, sector="semiconductors")
    report = FieldReportFactory(author=contributor, requirement_ids=[requirement.pk])
    services.requirement_close(requirement=requirement, analyst=analyst)
    services.report_update(report=report, actor=contributor, sectors=["semiconductors"])
    assert list(report.answer_rows.values_list("requirement_id", flat=True)) == [requirement.pk]
