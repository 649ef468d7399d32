"""Application transitions in the services: every arrow, and the refused ones."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import roles, services
from accounts.models import Application, AuditEvent, GradeChange, Membership
from accounts.services.applications import ApplicationDetails
from intel.errors import WorkflowError
from tests.accounts.factories import ApplicationFactory, UserFactory, invitation_make

pytestmark = pytest.mark.django_db

DETAILS = ApplicationDetails(
    affiliation="research",
    organisation="  Tohoku Materials Institute ",
    position="Senior researcher",
    country="jp",
    sectors=["batteries", "critical-minerals"],
    statement="Fifteen years on rare-earth separation and lithium refining in Japan.",
    conflict_of_interest="None",
    accepts_handling_rules=True,
)


def details(**changes) -> ApplicationDetails:
    return ApplicationDetails(**{**DETAILS.__dict__, **changes})


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- Submit ----------------------------------------------------------------------


def test_submit_normalises_and_audits(newcomer):
    application = services.application_submit(user=newcomer, details=DETAILS)
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation == "Tohoku Materials Institute"
    assert application.country == "JP"
    assert application.sectors == ["critical-minerals", "batteries"]  # vocabulary order
    [event] = events("application.submit")
    assert event.actor == newcomer


def test_submit_names_every_field_to_fix(newcomer):
    bad = details(
        affiliation="government",
        organisation=" ",
        country="XX",
        sectors=["not-a-sector"],
        statement="too short",
        conflict_of_interest="",
        accepts_handling_rules=False,
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=newcomer, details=bad)
    assert set(error.value.message_dict) == {
        "affiliation",
        "organisation",
        "country",
        "sectors",
        "statement",
        "conflict_of_interest",
        "accepts_handling_rules",
    }
    assert not Application.objects.exists()


def test_unverified_user_cannot_apply():
    user = UserFactory(verified=False)
    with pytest.raises(PermissionDenied):
        services.application_submit(user=user, details=DETAILS)


def test_cannot_apply_twice(newcomer):
    services.application_submit(user=newcomer, details=DETAILS)
    with pytest.raises(WorkflowError):
        services.application_submit(user=newcomer, details=DETAILS)
    assert Application.objects.count() == 1


def test_member_cannot_apply(contributor):
    with pytest.raises(WorkflowError):
        services.application_submit(user=contributor, details=DETAILS)


def test_rejected_applicant_cannot_apply_again(newcomer, analyst):
    application = ApplicationFactory(user=newcomer)
    services.application_reject(application=application, actor=analyst, reason="Not relevant.")
    with pytest.raises(WorkflowError):
        services.application_submit(user=newcomer, details=DETAILS)


def test_submit_with_referral_code_records_who_vouched(contributor):
    invitee = UserFactory(email="invitee@example.org")
    invitation, code = invitation_make(inviter=contributor, email="Invitee@Example.org")
    application = services.application_submit(user=invitee, details=DETAILS, referral_code=code)
    assert application.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.used_by == invitee
    assert events("application.submit")[0].data == {"invited_by": contributor.email}


def test_refused_referral_code_leaves_no_application_and_no_used_invitation(contributor):
    invitee = UserFactory(email="someone-else@example.org")
    invitation, code = invitation_make(inviter=contributor, email="invitee@example.org")
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=invitee, details=DETAILS, referral_code=code)
    assert "different email" in error.value.message_dict["referral_code"][0]
    invitation.refresh_from_db()
    assert invitation.used_by is None
    assert not Application.objects.exists()


# --- Decisions -------------------------------------------------------------------


def test_approve_creates_membership_role_grade_history_and_audit(analyst):
    application = ApplicationFactory(
        affiliation="academia", organisation="Osaka University", country="DE",
        sectors=["quantum", "ai"],
    )  # fmt: skip
    membership = services.application_approve(
        application=application, actor=analyst, reason="Known expert.", source_grade="C"
    )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == analyst
    assert application.decision_reason == "Known expert."
    assert (membership.affiliation, membership.organisation, membership.country) == (
        "academia", "Osaka University", "DE",
    )  # fmt: skip
    assert membership.sectors == ["quantum", "ai"]
    assert membership.source_grade == "C"
    assert membership.status == Membership.Status.ACTIVE
    user = application.user.__class__.objects.get(pk=application.user_id)
    assert user.is_vetted_contributor
    assert roles.CONTRIBUTORS in user.role_names
    [change] = GradeChange.objects.all()
    assert (change.previous_grade, change.grade, change.changed_by) == ("", "C", analyst)
    [event] = events("application.approve")
    assert (event.actor, event.reason, event.data["source_grade"]) == (
        analyst,
        "Known expert.",
        "C",
    )


def test_approve_defaults_to_grade_f(analyst):
    membership = services.application_approve(
        application=ApplicationFactory(), actor=analyst, reason="Fine."
    )
    assert membership.source_grade == "F"


def test_decisions_need_a_reason(analyst):
    application = ApplicationFactory()
    for decide in (
        services.application_approve,
        services.application_reject,
        services.application_request_info,
    ):
        with pytest.raises(ValidationError) as error:
            decide(application=application, actor=analyst, reason="   ")
        assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not AuditEvent.objects.exists()


def test_contributor_cannot_approve(contributor):
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, actor=contributor, reason="ok")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Membership.objects.filter(user=application.user).exists()


def test_newcomer_cannot_reject_or_request_info(newcomer):
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        services.application_reject(application=application, actor=newcomer, reason="no")
    with pytest.raises(PermissionDenied):
        services.application_request_info(application=application, actor=newcomer, reason="?")


def test_analyst_cannot_decide_own_application(analyst):
    application = ApplicationFactory(user=analyst)
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, actor=analyst, reason="me")


def test_invalid_grade_is_refused(analyst):
    with pytest.raises(ValidationError):
        services.application_approve(
            application=ApplicationFactory(), actor=analyst, reason="ok", source_grade="Z"
        )


def test_approved_application_cannot_be_decided_again(analyst, admin_user):
    application = ApplicationFactory()
    services.application_approve(application=application, actor=analyst, reason="ok")
    with pytest.raises(WorkflowError):
        services.application_approve(application=application, actor=admin_user, reason="again")
    with pytest.raises(WorkflowError):
        services.application_reject(application=application, actor=admin_user, reason="no")
    with pytest.raises(WorkflowError):
        services.application_request_info(application=application, actor=admin_user, reason="?")
    assert Membership.objects.filter(user=application.user).count() == 1


def test_stale_copy_cannot_overturn_a_decision(analyst, admin_user):
    """Two analysts on the same page: the second decision loses (conditional update)."""
    application = ApplicationFactory()
    stale = Application.objects.get(pk=application.pk)
    services.application_reject(application=application, actor=analyst, reason="No.")
    with pytest.raises(WorkflowError):
        services.application_approve(application=stale, actor=admin_user, reason="Yes.")
    assert not Membership.objects.exists()
    assert Application.objects.get(pk=application.pk).status == Application.Status.REJECTED


def test_rejected_applicant_is_not_a_contributor(analyst):
    application = ApplicationFactory()
    services.application_reject(application=application, actor=analyst, reason="Unverifiable.")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert not application.user.is_vetted_contributor
    assert [e.reason for e in events("application.reject")] == ["Unverifiable."]


# --- More information ------------------------------------------------------------


def test_request_info_then_resubmit_then_approve(analyst):
    application = ApplicationFactory()
    services.application_request_info(
        application=application, actor=analyst, reason="Which unit do you work in?"
    )
    assert application.status == Application.Status.MORE_INFO
    assert application.decision_reason == "Which unit do you work in?"

    services.application_resubmit(
        application=application,
        user=application.user,
        details=details(organisation="New Org"),
        response="The power devices unit.",
    )
    assert application.status == Application.Status.SUBMITTED
    assert application.response == "The power devices unit."
    assert application.organisation == "New Org"
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "application.request_info",
        "application.resubmit",
    ]
    services.application_approve(application=application, actor=analyst, reason="Clear now.")
    assert application.status == Application.Status.APPROVED


def test_cannot_approve_while_waiting_for_the_applicant(analyst):
    application = ApplicationFactory()
    services.application_request_info(application=application, actor=analyst, reason="?")
    with pytest.raises(WorkflowError):
        services.application_approve(application=application, actor=analyst, reason="ok")


def test_can_reject_while_waiting_for_the_applicant(analyst):
    application = ApplicationFactory()
    services.application_request_info(application=application, actor=analyst, reason="?")
    services.application_reject(application=application, actor=analyst, reason="No answer.")
    assert application.status == Application.Status.REJECTED


def test_resubmit_refused_unless_more_info_requested():
    application = ApplicationFactory()
    with pytest.raises(WorkflowError):
        services.application_resubmit(
            application=application, user=application.user, details=DETAILS, response="x"
        )


def test_resubmit_needs_an_answer(analyst):
    application = ApplicationFactory()
    services.application_request_info(application=application, actor=analyst, reason="?")
    with pytest.raises(ValidationError) as error:
        services.application_resubmit(
            application=application, user=application.user, details=DETAILS, response=" "
        )
    assert "response" in error.value.message_dict


def test_only_the_applicant_can_resubmit(analyst, newcomer):
    application = ApplicationFactory()
    services.application_request_info(application=application, actor=analyst, reason="?")
    with pytest.raises(PermissionDenied):
        services.application_resubmit(
            application=application, user=newcomer, details=DETAILS, response="me"
        )
