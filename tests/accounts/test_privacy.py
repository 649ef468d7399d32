"""Privacy: a member downloads their own data; account deletion erases personal data."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import selectors as accounts_selectors
from accounts import services
from accounts.models import Application, AuditEvent, Invitation, Membership, User
from intel.briefings.services.subscriptions import subscription_member_save, subscription_request
from intel.errors import WorkflowError
from intel.models import Subscription
from tests.accounts.factories import ApplicationFactory, enrol_totp, invitation_make

pytestmark = pytest.mark.django_db


def test_export_is_a_json_download_of_own_data(client_for, contributor, analyst):
    services.grade_change(
        membership=contributor.membership, actor=analyst, grade="B", reason="Good record."
    )
    invitation_make(inviter=contributor, email="friend@example.org")
    response = client_for(contributor).get(reverse("accounts:privacy-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == contributor.email
    assert data["membership"]["organisation"] == "Institute A"
    assert data["membership"]["grade_history"][0]["to"] == "B"
    assert data["invitations_sent"][0]["email"] == "friend@example.org"
    assert data["application"] is None
    assert set(data["track_record"]) >= {"submitted", "accepted", "rejected", "corroborated"}


def test_export_holds_only_the_callers_data(client_for, newcomer, other_contributor):
    ApplicationFactory(user=newcomer, organisation="My Org")
    content = client_for(newcomer).get(reverse("accounts:privacy-export")).content.decode()
    assert "My Org" in content
    assert other_contributor.email not in content


def test_privacy_pages_need_sign_in(anonymous):
    for name in ("accounts:privacy", "accounts:privacy-export", "accounts:account-delete"):
        response = anonymous.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_delete_erases_personal_data_and_keeps_the_audit_trail(contributor, analyst, password):
    application = ApplicationFactory(user=contributor, status="approved", decided_at=timezone.now())
    services.grade_change(
        membership=contributor.membership, actor=analyst, grade="B", reason="Good."
    )
    invitation_make(inviter=contributor, email="pending@example.org")
    enrol_totp(contributor)
    AuthToken.objects.create(user=contributor)
    services.invitation_create(inviter=contributor, email="sent@example.org")
    audit_before = list(AuditEvent.objects.values_list("pk", "actor_repr", "target_repr"))
    original_email = contributor.email

    services.account_delete(user=contributor, actor=contributor)

    user = User.objects.get(pk=contributor.pk)
    assert user.email == f"deleted-{user.pk}@deleted.invalid"
    assert user.display_name == ""
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.deleted_at is not None
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not AuthToken.objects.filter(user=user).exists()
    application.refresh_from_db()
    assert (application.organisation, application.position, application.statement) == ("", "", "")
    assert application.conflict_of_interest == ""
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.REVOKED
    assert membership.organisation == ""
    assert membership.source_grade == "B"  # kept: anonymised reports still carry it
    assert not Invitation.objects.filter(inviter=user).exists()  # unused ones withdrawn
    # The audit trail is untouched, and the deletion itself names nobody.
    assert set(audit_before) <= set(
        AuditEvent.objects.values_list("pk", "actor_repr", "target_repr")
    )
    deletion = AuditEvent.objects.get(action="account.delete")
    assert original_email not in f"{deletion.actor_repr} {deletion.target_repr}"
    assert not User.objects.filter(email=original_email).exists()


def test_deleted_account_cannot_sign_in_or_use_the_api(contributor, password, anonymous):
    services.account_delete(user=contributor, actor=contributor)
    response = anonymous.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert "_auth_user_id" not in anonymous.session
    assert response.status_code == 200
    token = APIClient().post(
        reverse("api-token"), {"email": contributor.email, "password": password}, format="json"
    )
    assert token.status_code == 400


def test_existing_session_ends_on_deletion(client_for, contributor):
    other_device = client_for(contributor)
    services.account_delete(user=contributor, actor=contributor)
    response = other_device.get(reverse("accounts:privacy"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_used_invitation_keeps_the_link_but_not_the_address(contributor, analyst, newcomer):
    _invitation, code = invitation_make(inviter=contributor, email=newcomer.email)
    application = ApplicationFactory.build(user=newcomer)
    services.application_submit(
        user=newcomer,
        details=services.applications.ApplicationDetails(
            affiliation=application.affiliation,
            organisation=application.organisation,
            position=application.position,
            country=application.country,
            sectors=application.sectors,
            statement=application.statement,
            conflict_of_interest="None",
            accepts_handling_rules=True,
        ),
        referral_code=code,
    )
    services.account_delete(user=newcomer, actor=newcomer)
    invitation = Invitation.objects.get(used_by=newcomer)
    assert invitation.email == f"deleted-{newcomer.pk}@deleted.invalid"
    assert invitation.inviter == contributor


def test_contributions_are_anonymised_not_deleted(contributor):
    contribution_model = apps.get_model("intel", "Contribution")
    contribution = contribution_model.objects.create(
        kind="case-study",
        author=contributor,
        title="Gallium export licences",
        attribution="named",
        organisation="Institute A",
        status="accepted",
        submitted_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    services.account_delete(user=contributor, actor=contributor)
    contribution.refresh_from_db()
    assert (contribution.attribution, contribution.organisation) == ("anonymous", "")
    assert AuditEvent.objects.get(action="account.delete").data == {"contributions_anonymised": 1}


def test_delete_twice_is_refused(contributor):
    services.account_delete(user=contributor, actor=contributor)
    with pytest.raises(WorkflowError):
        services.account_delete(user=contributor, actor=contributor)


def test_someone_else_cannot_delete_an_account(contributor, other_contributor, analyst):
    for actor in (other_contributor, analyst):
        with pytest.raises(PermissionDenied):
            services.account_delete(user=contributor, actor=actor)
    assert User.objects.get(pk=contributor.pk).is_active


def test_admin_account_is_not_deleted_by_self_service(client_for, admin_user, password):
    response = client_for(admin_user).post(
        reverse("accounts:account-delete"), {"password": password, "confirm": "on"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=admin_user.pk).is_active


def test_delete_page_asks_for_password_and_confirmation(client_for, newcomer):
    client = client_for(newcomer)
    assert client.get(reverse("accounts:account-delete")).status_code == 200
    response = client.post(reverse("accounts:account-delete"), {"password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The password is not correct." in content
    assert "Tick the box to confirm." in content
    assert User.objects.get(pk=newcomer.pk).is_active


def test_delete_page_deletes_and_signs_out(client_for, newcomer, password):
    ApplicationFactory(user=newcomer)
    client = client_for(newcomer)
    response = client.post(
        reverse("accounts:account-delete"), {"password": password, "confirm": "on"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=newcomer.pk).deleted_at is not None
    assert Application.objects.get(user=newcomer).statement == ""


def test_delete_erases_the_members_briefing_subscription(contributor):
    subscription_member_save(user=contributor, sectors=["energy"], language="en")
    services.account_delete(user=contributor, actor=contributor)
    assert not Subscription.objects.filter(user=contributor).exists()


def test_delete_erases_a_public_subscription_to_the_same_address(contributor):
    subscription_request(email=contributor.email.upper(), sectors=["space"], language="ja")
    services.account_delete(user=contributor, actor=contributor)
    assert not Subscription.objects.filter(email__iexact="contributor@test.example").exists()


def test_export_lists_briefing_subscriptions(client_for, contributor):
    subscription_member_save(user=contributor, sectors=["energy"], language="en")
    data = accounts_selectors.member_data_export(user=contributor)
    assert [s["sectors"] for s in data["briefing_subscriptions"]] == [["energy"]]


def test_export_counts_the_members_anonymous_work_too(client_for, contributor):
    from intel.reports import services as intel_services
    from tests.intel.factories import FieldReportFactory

    report = FieldReportFactory(author=contributor, attribution="anonymous")
    intel_services.report_submit(contribution=report, actor=contributor)
    data = json.loads(client_for(contributor).get(reverse("accounts:privacy-export")).content)
    assert data["track_record"]["submitted"] == 1


def test_deletion_audit_counts_only_what_was_attributed_and_erases_kept_revisions(
    contributor, analyst
):
    from intel.models import ContributionEdit
    from intel.reports import services as intel_services
    from tests.intel.factories import FieldReportFactory

    FieldReportFactory(author=contributor, attribution="named")
    hidden = FieldReportFactory(author=contributor, attribution="anonymous")
    intel_services.report_submit(contribution=hidden, actor=contributor)
    intel_services.report_start_review(contribution=hidden, analyst=analyst)
    intel_services.report_request_changes(
        contribution=hidden, analyst=analyst, reason="Please add the dates."
    )
    intel_services.report_update(report=hidden, actor=contributor, body="Signed, my full name.")
    services.account_delete(user=contributor, actor=contributor)
    event = AuditEvent.objects.get(action="account.delete")
    assert event.data == {"contributions_anonymised": 1}
    assert not ContributionEdit.objects.exists()
    assert set(apps.get_model("intel", "Contribution").objects.values_list(
        "attribution", "organisation"
    )) == {("anonymous", "")}  # fmt: skip
