"""Member standing and source grade: transitions, refusals, and access that follows at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import roles, services
from accounts.models import AuditEvent, GradeChange, Membership, User
from intel.errors import WorkflowError

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The user as the next request loads it."""
    return User.objects.get(pk=user.pk)


def test_suspend_reinstate_revoke(contributor, analyst):
    membership = contributor.membership
    services.membership_suspend(membership=membership, actor=analyst, reason="Leaked a report.")
    assert membership.status == Membership.Status.SUSPENDED
    assert not fresh(contributor).is_vetted_contributor
    assert roles.CONTRIBUTORS not in fresh(contributor).role_names

    services.membership_reinstate(membership=membership, actor=analyst, reason="Explained.")
    assert membership.status == Membership.Status.ACTIVE
    assert fresh(contributor).is_vetted_contributor
    assert roles.CONTRIBUTORS in fresh(contributor).role_names

    services.membership_revoke(membership=membership, actor=analyst, reason="Repeated leaks.")
    assert membership.status == Membership.Status.REVOKED
    assert not fresh(contributor).is_vetted_contributor

    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "reason", "data"))
    assert [(a, r) for a, r, _ in actions] == [
        ("membership.suspend", "Leaked a report."),
        ("membership.reinstate", "Explained."),
        ("membership.revoke", "Repeated leaks."),
    ]
    assert actions[0][2]["roles"] == {"removed": [roles.CONTRIBUTORS]}


def test_refused_transitions(contributor, analyst):
    membership = contributor.membership
    with pytest.raises(WorkflowError):
        services.membership_reinstate(membership=membership, actor=analyst, reason="x")
    services.membership_revoke(membership=membership, actor=analyst, reason="Final.")
    for transition in (
        services.membership_suspend,
        services.membership_reinstate,
        services.membership_revoke,
    ):
        with pytest.raises(WorkflowError):
            transition(membership=membership, actor=analyst, reason="again")
    assert AuditEvent.objects.count() == 1


def test_suspension_needs_a_reason(contributor, analyst):
    with pytest.raises(ValidationError):
        services.membership_suspend(membership=contributor.membership, actor=analyst, reason="")
    assert fresh(contributor).is_vetted_contributor


def test_contributor_cannot_suspend_another(contributor, other_contributor):
    with pytest.raises(PermissionDenied):
        services.membership_suspend(
            membership=other_contributor.membership, actor=contributor, reason="rival"
        )
    assert fresh(other_contributor).is_vetted_contributor


def test_analyst_without_mfa_is_still_refused_by_the_pages_not_the_service(
    contributor, analyst_without_mfa, client_for
):
    """MFA is enforced where people act (pages and API); the service checks the role."""
    response = client_for(analyst_without_mfa).post(
        reverse("accounts:member-status", args=[contributor.membership.pk]),
        {"action": "suspend", "reason": "x"},
    )
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]
    assert fresh(contributor).is_vetted_contributor


def test_suspended_member_loses_access_at_once(contributor, analyst, client_for):
    web = client_for(contributor)
    api = APIClient()
    api.force_authenticate(user=None)
    api.force_login(contributor)
    assert web.get(reverse("accounts:invitations")).status_code == 200

    services.membership_suspend(
        membership=contributor.membership, actor=analyst, reason="Investigation."
    )
    response = web.get(reverse("accounts:invitations"))
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert api.get(reverse("api-me")).json()["is_vetted_contributor"] is False


# --- Source grade ----------------------------------------------------------------


def test_grade_change_keeps_history_and_audits(contributor, analyst):
    membership = contributor.membership  # grade C from the factory
    services.grade_change(membership=membership, actor=analyst, grade="B", reason="Corroborated.")
    services.grade_change(membership=membership, actor=analyst, grade="D", reason="Two misses.")
    assert Membership.objects.get(pk=membership.pk).source_grade == "D"
    history = list(membership.grade_history.order_by("pk").values_list("previous_grade", "grade"))
    assert history == [("C", "B"), ("B", "D")]
    [first, second] = AuditEvent.objects.filter(action="membership.grade_change").order_by("pk")
    assert first.data == {"from": "C", "to": "B"}
    assert second.reason == "Two misses."


def test_grade_change_refusals(contributor, other_contributor, analyst):
    membership = contributor.membership
    with pytest.raises(ValidationError):
        services.grade_change(membership=membership, actor=analyst, grade="C", reason="same")
    with pytest.raises(ValidationError):
        services.grade_change(membership=membership, actor=analyst, grade="G", reason="bad")
    with pytest.raises(ValidationError):
        services.grade_change(membership=membership, actor=analyst, grade="A", reason="")
    with pytest.raises(PermissionDenied):
        services.grade_change(
            membership=membership, actor=other_contributor, grade="A", reason="friend"
        )
    assert not GradeChange.objects.exists()
    assert Membership.objects.get(pk=membership.pk).source_grade == "C"
