"""Demo briefing subscriptions for `seed_demo` (called from `intel.demo.seed`). Idempotent.

Two public subscribers (English and Japanese) stand for readers who confirmed
by email; the demo contributor subscribes from their account, as members do.
"""

from __future__ import annotations

from io import TextIOBase

from django.utils import timezone

from accounts.models import User
from intel.briefings.services import subscription_member_save
from intel.models import Subscription, SubscriptionStatus

PUBLIC = [
    ("subscriber@example.org", "en", ["semiconductors", "critical-minerals"]),
    ("subscriber-ja@example.org", "ja", ["critical-minerals", "energy"]),
]


def seed(stdout: TextIOBase, *, member: User | None) -> None:
    for email, language, sectors in PUBLIC:
        # Stands for a confirmed double opt-in (no confirmation email during seeding).
        _subscription, created = Subscription.objects.get_or_create(
            email=email,
            defaults={
                "language": language,
                "sectors": sectors,
                "status": SubscriptionStatus.ACTIVE,
                "confirmed_at": timezone.now(),
            },
        )
        if created:
            stdout.write(f"  created  briefing subscription: {email} ({language})\n")
    if member is not None and not Subscription.objects.filter(user=member).exists():
        subscription_member_save(
            user=member, sectors=["critical-minerals", "semiconductors"], language=member.language
        )
        stdout.write(f"  created  briefing subscription: {member.email} (member)\n")
