"""seed_demo: one user per role, membership demo data, MFA for analysts; idempotent;
refuses in production."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_TOTP_SECRET
from accounts.models import Affiliation, Application, AuditEvent, Invitation, Membership, User
from accounts.permissions import mfa_enrolled
from tests.accounts.factories import totp_code

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {"contributor@example.org", "analyst@example.org", "admin@example.org"}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_user_per_role(settings):
    settings.DEBUG = True
    output = seed()
    assert "demo-password-123" in output
    users = {u.email: u for u in User.objects.filter(email__in=DEMO_EMAILS)}
    assert set(users) == DEMO_EMAILS
    assert users["contributor@example.org"].is_vetted_contributor
    assert users["analyst@example.org"].is_analyst
    assert users["admin@example.org"].is_superuser
    assert all(u.check_password("demo-password-123") for u in users.values())
    assert EmailAddress.objects.filter(email__in=DEMO_EMAILS, verified=True).count() == 3


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    seed()
    before = snapshot()
    seed()
    assert snapshot() == before


def snapshot() -> dict[str, list]:
    return {
        "users": list(User.objects.order_by("pk").values("pk", "email", "password", "updated_at")),
        "applications": list(Application.objects.order_by("pk").values("pk", "status")),
        "memberships": list(Membership.objects.order_by("pk").values("pk", "status")),
        "invitations": list(Invitation.objects.order_by("pk").values_list("pk", flat=True)),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "authenticators": list(Authenticator.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_seed_demo_analyst_and_admin_have_the_published_totp_secret(settings):
    settings.DEBUG = True
    output = seed()
    assert DEMO_TOTP_SECRET in output
    for email in ("analyst@example.org", "admin@example.org"):
        user = User.objects.get(email=email)
        assert mfa_enrolled(user)
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
        assert totp.validate_code(totp_code(DEMO_TOTP_SECRET))


def test_seed_demo_membership_data(settings):
    settings.DEBUG = True
    seed()
    active = Membership.objects.filter(status="active")
    assert set(active.values_list("affiliation", flat=True)) == set(Affiliation.values)
    pending = Application.objects.filter(status__in=["submitted", "more-info"])
    assert pending.count() >= 3
    assert pending.filter(status="more-info").exists()
    assert pending.filter(invitation__isnull=False).exists()  # shows who vouched
    assert Invitation.objects.filter(used_by__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="application.approve").count() == 3


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=0"):
        seed()
    assert not User.objects.exists()
