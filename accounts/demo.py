"""Demo users for `seed_demo`: one per role, each created once."""

from __future__ import annotations

from typing import Any, TextIO

from . import roles
from .models import Affiliation, User
from .services import membership_create, user_create

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - published demo credentials

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "contributor@example.org", "display_name": "Demo Contributor",
     "role_names": [], "is_superuser": False},
    {"email": "analyst@example.org", "display_name": "Demo Analyst",
     "role_names": [roles.ANALYSTS], "is_superuser": False},
    {"email": "admin@example.org", "display_name": "Demo Admin",
     "role_names": [roles.ANALYSTS], "is_superuser": True},
]  # fmt: skip


def seed(stdout: TextIO) -> None:
    for spec in DEMO_USERS:
        if User.objects.filter(email=spec["email"]).exists():
            stdout.write(f"  exists   {spec['email']}\n")
            continue
        user = user_create(password=DEMO_PASSWORD, email_verified=True, **spec)
        if spec["email"] == "contributor@example.org":
            membership_create(
                user=user,
                affiliation=Affiliation.BUSINESS,
                organisation="Kansai Precision Materials",
                country="JP",
                sectors=["critical-minerals", "semiconductors"],
                source_grade="B",
            )
        stdout.write(f"  created  {spec['email']}\n")
