"""seed_demo: one user per role, idempotent, refuses in production (see test_settings)."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User

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
    before = list(User.objects.order_by("pk").values("pk", "email", "password", "updated_at"))
    seed()
    after = list(User.objects.order_by("pk").values("pk", "email", "password", "updated_at"))
    assert before == after


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=0"):
        seed()
    assert not User.objects.exists()
