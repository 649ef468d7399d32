"""Demo users and membership data for `seed_demo`, each created once.

One user per role; one vetted contributor per affiliation type, admitted
through the real vetting services so the audit trail has history; a few
applications waiting in the queue (one vouched for by a member, one waiting
for the applicant's answer) and one open invitation.

The demo analyst and admin have a TOTP authenticator with a fixed, published
secret (`DEMO_TOTP_SECRET`) because analyst pages require MFA: add it to an
authenticator app, or run `oathtool --totp -b <secret>`, to get the codes.
"""

from __future__ import annotations

from io import TextIOBase
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.urls import reverse

from . import roles
from .models import Affiliation, Application, Invitation, Membership, User
from .services import (
    application_approve,
    application_request_info,
    application_submit,
    invitation_create,
    membership_create,
    user_create,
)
from .services.applications import ApplicationDetails

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - published demo credentials
# Published on purpose (README): demo accounts only, never a real deployment.
DEMO_TOTP_SECRET = "CIPDEMOSECRETFORLOCALTRIALSONLY2"  # noqa: S105

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "contributor@example.org", "display_name": "Demo Contributor",
     "role_names": [], "is_superuser": False},
    {"email": "analyst@example.org", "display_name": "Demo Analyst",
     "role_names": [roles.ANALYSTS], "is_superuser": False},
    {"email": "admin@example.org", "display_name": "Demo Admin",
     "role_names": [roles.ANALYSTS], "is_superuser": True},
]  # fmt: skip

MFA_USERS = ("analyst@example.org", "admin@example.org")

# Admitted through application → approval: one per remaining affiliation type
# (the demo contributor above is the business member).
DEMO_MEMBERS: list[dict[str, Any]] = [
    {"email": "researcher@example.org", "display_name": "Aiko Tanaka", "language": "ja",
     "grade": "C", "affiliation": Affiliation.RESEARCH,
     "organisation": "Tohoku Materials Research Institute", "position": "Senior researcher",
     "country": "JP", "sectors": ["critical-minerals", "batteries"],
     "statement": "Fifteen years on rare-earth separation and battery-grade lithium refining; "
                  "I follow Chinese processing capacity and export licensing closely."},
    {"email": "academic@example.org", "display_name": "Prof. Daniel Weber", "language": "en",
     "grade": "B", "affiliation": Affiliation.ACADEMIA,
     "organisation": "Technical University of Munich", "position": "Professor of microelectronics",
     "country": "DE", "sectors": ["semiconductors", "quantum"],
     "statement": "I lead a lithography research group and sit on two European chip-act "
                  "advisory panels; I see equipment supply constraints early."},
    {"email": "consultant@example.org", "display_name": "Mei Lin Goh", "language": "en",
     "grade": "F", "affiliation": Affiliation.OTHER,
     "organisation": "Independent maritime trade consultant", "position": "Consultant",
     "country": "SG", "sectors": ["shipbuilding", "defense"],
     "statement": "Former port authority analyst, now advising shipyards in South-East Asia on "
                  "sanctions screening and dual-use cargo."},
]  # fmt: skip

DEMO_APPLICANTS: list[dict[str, Any]] = [
    {"email": "applicant@example.org", "display_name": "Kenji Sato", "language": "ja",
     "affiliation": Affiliation.BUSINESS, "organisation": "Nagoya Precision Components",
     "position": "Head of procurement", "country": "JP",
     "sectors": ["semiconductors", "robotics"],
     "statement": "I buy power semiconductors and servo motors for industrial robots and track "
                  "lead times and allocation across three suppliers."},
    {"email": "pending-info@example.org", "display_name": "Sarah Okafor", "language": "en",
     "affiliation": Affiliation.RESEARCH, "organisation": "Lagos Energy Policy Centre",
     "position": "Research fellow", "country": "NG", "sectors": ["energy", "critical-minerals"],
     "statement": "Research on African cobalt and lithium supply chains and on Chinese "
                  "investment in mining, with field work in the DRC.",
     "ask": "Please tell us which funders support your centre's work on mining investment."},
]  # fmt: skip

VOUCHED_APPLICANT: dict[str, Any] = {
    "email": "vouched@example.org", "display_name": "Hiroshi Yamamoto", "language": "ja",
    "affiliation": Affiliation.BUSINESS, "organisation": "Kobe Shipping Logistics",
    "position": "Compliance manager", "country": "JP", "sectors": ["shipbuilding", "energy"],
    "statement": "Export-control compliance for a shipping group; I see cargo diversion and "
                 "sanctions-evasion patterns on Asian routes.",
}  # fmt: skip

OPEN_INVITATION_EMAIL = "invited-expert@example.org"


def seed(stdout: TextIOBase) -> None:
    for spec in DEMO_USERS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = user_create(password=DEMO_PASSWORD, email_verified=True, **spec)
            stdout.write(f"  created  {spec['email']}\n")
        else:
            stdout.write(f"  exists   {spec['email']}\n")
        # Checked apart from the user, so a database from an older demo is completed too.
        is_demo_member = spec["email"] == "contributor@example.org"
        if is_demo_member and not Membership.objects.filter(user=user).exists():
            membership_create(
                user=user,
                affiliation=Affiliation.BUSINESS,
                organisation="Kansai Precision Materials",
                country="JP",
                sectors=["critical-minerals", "semiconductors"],
                source_grade="B",
            )
    for email in MFA_USERS:
        user = User.objects.get(email=email)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    _seed_membership(stdout)


def _applicant(spec: dict[str, Any]) -> User:
    return user_create(
        email=spec["email"],
        password=DEMO_PASSWORD,
        display_name=spec["display_name"],
        language=spec["language"],
        email_verified=True,
    )


def _details(spec: dict[str, Any]) -> ApplicationDetails:
    return ApplicationDetails.from_data(
        {**spec, "conflict_of_interest": "None", "accepts_handling_rules": True}
    )


def _seed_membership(stdout: TextIOBase) -> None:
    analyst = User.objects.get(email="analyst@example.org")
    contributor = User.objects.get(email="contributor@example.org")
    for spec in DEMO_MEMBERS:
        if User.objects.filter(email=spec["email"]).exists():
            continue
        user = _applicant(spec)
        application = application_submit(user=user, details=_details(spec))
        application_approve(
            application=application,
            actor=analyst,
            reason="Demo: affiliation and expertise checked.",
            source_grade=spec["grade"],
        )
        stdout.write(f"  created  {spec['email']} (member, {spec['affiliation']})\n")
    for spec in DEMO_APPLICANTS:
        if User.objects.filter(email=spec["email"]).exists():
            continue
        user = _applicant(spec)
        application = application_submit(user=user, details=_details(spec))
        if spec.get("ask"):
            application_request_info(application=application, actor=analyst, reason=spec["ask"])
        stdout.write(f"  created  {spec['email']} (application {application.status})\n")
    if not User.objects.filter(email=VOUCHED_APPLICANT["email"]).exists():
        _invitation, code = invitation_create(
            inviter=contributor, email=VOUCHED_APPLICANT["email"], language="ja"
        )
        user = _applicant(VOUCHED_APPLICANT)
        application_submit(user=user, details=_details(VOUCHED_APPLICANT), referral_code=code)
        stdout.write(f"  created  {VOUCHED_APPLICANT['email']} (application, vouched for)\n")
    if not Invitation.objects.filter(email=OPEN_INVITATION_EMAIL).exists():
        _invitation, code = invitation_create(
            inviter=contributor, email=OPEN_INVITATION_EMAIL, language="en"
        )
        stdout.write(
            f"  created  invitation for {OPEN_INVITATION_EMAIL}: "
            f"{settings.SITE_URL}{reverse('accounts:invitation', kwargs={'code': code})}\n"
        )
    pending = Application.objects.filter(status__in=["submitted", "more-info"]).count()
    members = Membership.objects.filter(status="active").count()
    stdout.write(f"  membership: {members} active members, {pending} applications pending\n")
