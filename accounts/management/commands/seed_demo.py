"""Load demo data for a local trial: one user per role, printed with its password
(and the demo TOTP secret the analyst and admin need for analyst pages).

Idempotent: a second run finds everything in place and changes nothing. Each
app adds its own demo data through its `demo.seed(stdout)` function.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, MFA_USERS
from intel import demo as intel_demo


class Command(BaseCommand):
    help = "Create demo users and data for a local trial. Refuses when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG=0 (production).")
        with transaction.atomic():
            accounts_demo.seed(self.stdout)
            intel_demo.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD}):"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']}")
        self.stdout.write(
            f"Analyst pages need two-factor authentication. {' and '.join(MFA_USERS)} use the "
            f"demo TOTP secret {DEMO_TOTP_SECRET}: add it to an authenticator app, or run "
            f"`oathtool --totp -b {DEMO_TOTP_SECRET}` for the current code, which the sign-in "
            f'asks for after the password (and POST /api/auth/token/ as "otp").'
        )
