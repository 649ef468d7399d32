"""Load demo data for a local trial: one user per role, printed with its password.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles
from accounts.models import User
from accounts.services import user_create

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - published demo credentials

DEMO_USERS = [
    {"email": "contributor@example.org", "display_name": "Demo Contributor",
     "role_names": [roles.CONTRIBUTORS], "is_superuser": False},
    {"email": "analyst@example.org", "display_name": "Demo Analyst",
     "role_names": [roles.ANALYSTS], "is_superuser": False},
    {"email": "admin@example.org", "display_name": "Demo Admin",
     "role_names": [roles.ANALYSTS], "is_superuser": True},
]  # fmt: skip


class Command(BaseCommand):
    help = "Create demo users (and later demo data) for a local trial. Refuses when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG=0 (production).")
        with transaction.atomic():
            for spec in DEMO_USERS:
                if User.objects.filter(email=spec["email"]).exists():
                    self.stdout.write(f"  exists   {spec['email']}")
                    continue
                user_create(password=DEMO_PASSWORD, email_verified=True, **spec)
                self.stdout.write(f"  created  {spec['email']}")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD}):"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']}")
