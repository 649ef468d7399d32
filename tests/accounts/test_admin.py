"""Admin: signed in through allauth with the second factor; membership records are view-only,
the audit trail cannot be touched, roles are audited, API tokens are listed, never issued."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from knox.models import AuthToken

from accounts import roles, services
from accounts.models import AuditEvent, User
from tests.accounts.factories import ApplicationFactory, invitation_make, totp_code
from tests.helpers import api_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def records(analyst, contributor):
    application = ApplicationFactory()
    services.application_approve(application=application, actor=analyst, reason="Fine.")
    invitation, _code = invitation_make(inviter=contributor, email="x@example.org")
    event = AuditEvent.objects.first()
    return {
        "application": application,
        "membership": application.user.membership,
        "invitation": invitation,
        "gradechange": application.user.membership.grade_history.first(),
        "auditevent": event,
    }


@pytest.mark.parametrize(
    "model", ["application", "membership", "invitation", "gradechange", "auditevent"]
)
def test_admin_lists_and_shows_but_cannot_add_change_or_delete(admin_client, records, model):
    obj = records[model]
    assert admin_client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200
    change_url = reverse(f"admin:accounts_{model}_change", args=[obj.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert admin_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403
    delete = admin_client.post(reverse(f"admin:accounts_{model}_delete", args=[obj.pk]))
    assert delete.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_audit_events_cannot_be_changed_or_deleted_in_code(records):
    event = records["auditevent"]
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(reason="x")


def test_invitation_admin_never_shows_the_token(admin_client, records):
    invitation = records["invitation"]
    content = admin_client.get(
        reverse("admin:accounts_invitation_change", args=[invitation.pk])
    ).content.decode()
    assert invitation.token not in content


def test_analyst_without_staff_status_cannot_open_the_admin(client_for, analyst):
    response = client_for(analyst).get(reverse("admin:accounts_auditevent_changelist"))
    assert response.status_code == 302


def test_role_change_in_the_admin_is_audited(admin_client, admin_user, newcomer):
    analysts = Group.objects.get(name=roles.ANALYSTS)
    url = reverse("admin:accounts_user_change", args=[newcomer.pk])
    response = admin_client.post(
        url,
        {
            "email": newcomer.email,
            "display_name": newcomer.display_name,
            "language": "en",
            "is_active": "on",
            "groups": [analysts.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.roles_change")
    assert event.actor == admin_user
    assert event.data == {"added": [roles.ANALYSTS], "removed": []}


# --- Signing in to the admin -------------------------------------------------------


def test_admin_login_hands_over_to_the_site_sign_in_keeping_next(anonymous):
    response = anonymous.get(reverse("admin:login") + "?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/accounts/user/"


def test_admin_sends_anonymous_visitors_to_the_site_sign_in(anonymous):
    response = anonymous.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_admin_refuses_a_superuser_session_that_passed_only_the_password(
    admin_user, password_only_client_for
):
    client = password_only_client_for(admin_user)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url, follow=True)
        final_url, _status = response.redirect_chain[-1]
        assert final_url.startswith(reverse("mfa_reauthenticate"))
        assert b"site-name" not in response.content  # no admin page was shown


def test_admin_opens_after_the_password_only_session_confirms_a_code(
    admin_user, password_only_client_for
):
    client = password_only_client_for(admin_user)
    step_up = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    response = client.post(step_up, {"code": totp_code(admin_user.totp_secret)})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_refuses_a_signed_in_person_who_is_not_staff(client_for, contributor):
    response = client_for(contributor).get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_admin_login_does_not_redirect_off_site(admin_client):
    response = admin_client.get(reverse("admin:login") + "?next=https://evil.example/")
    assert response["Location"] == reverse("admin:index")


def test_wrong_passwords_at_the_admin_login_are_throttled(anonymous, admin_user, password):
    """Wherever the admin login takes a password, 25 wrong ones lock the account."""
    first = anonymous.post(
        reverse("admin:login"),
        {"username": admin_user.email, "login": admin_user.email, "password": "wrong"},
        follow=True,
    )
    target = first.request["PATH_INFO"]
    for _ in range(25):
        anonymous.post(
            target, {"username": admin_user.email, "login": admin_user.email, "password": "wrong"}
        )
    right = anonymous.post(
        target, {"username": admin_user.email, "login": admin_user.email, "password": password}
    )
    assert "_auth_user_id" not in anonymous.session
    assert "Too many failed login attempts" in right.content.decode()


def test_api_tokens_are_listed_but_never_issued_in_the_admin(admin_client, contributor):
    api_token_for(contributor)
    page = admin_client.get(reverse("admin:knox_authtoken_changelist"))
    assert page.status_code == 200
    assert contributor.email in page.content.decode()
    assert admin_client.get(reverse("admin:knox_authtoken_add")).status_code == 403


def test_password_set_in_the_admin_revokes_api_tokens(admin_client, contributor):
    api_token_for(contributor)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[contributor.pk]),
        {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42"},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=contributor).exists()


def test_user_pages_in_the_admin_never_list_a_members_anonymous_reports(admin_client, contributor):
    from intel.reports import services as intel_services
    from tests.intel.factories import FieldReportFactory

    report = FieldReportFactory(author=contributor, attribution="anonymous", title="Hidden source")
    intel_services.report_submit(contribution=report, actor=contributor)
    intel_services.comment_add(contribution=report, author=contributor, body="More soon.")
    for url in (
        reverse("admin:accounts_user_change", args=[contributor.pk]),
        reverse("admin:accounts_user_delete", args=[contributor.pk]),
        reverse("admin:accounts_user_history", args=[contributor.pk]),
    ):
        response = admin_client.get(url)
        content = response.content.decode()
        assert response.status_code in (200, 403), url
        assert "Hidden source" not in content, url
        assert f"Comment #{report.comments.get().pk}" not in content, url
        assert f"/admin/intel/contribution/{report.pk}/" not in content, url
    # Not even which kinds of rows point at the person ("contribution").
    delete = admin_client.get(reverse("admin:accounts_user_delete", args=[contributor.pk]))
    assert delete.status_code == 403
    assert "contribution" not in delete.content.decode().lower()


def test_people_are_erased_through_account_deletion_not_deleted_in_the_admin(
    admin_client, newcomer
):
    response = admin_client.post(reverse("admin:accounts_user_delete", args=[newcomer.pk]))
    assert response.status_code == 403
    assert User.objects.filter(pk=newcomer.pk).exists()
