"""factory_boy factories for accounts."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import Affiliation, Application, Invitation, Membership, User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A verified primary address, unless `verified=False` is passed."""
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member; pass `user=` or get a fresh verified user."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    status = Membership.Status.ACTIVE
    source_grade = "C"
    affiliation = Affiliation.RESEARCH
    organisation = factory.Sequence(lambda n: f"Institute {n}")
    country = "JP"
    sectors = factory.LazyFunction(lambda: ["semiconductors"])

    @factory.post_generation
    def contributor_role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.user.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))


def enrol_totp(user: User) -> str:
    """Give `user` a TOTP authenticator (as allauth's enrolment does); returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The current 6-digit code for `secret`, as an authenticator app would show it.

    allauth accepts only the current 30-second step, so near the end of a step
    this waits for the next one: a browser test then has time to type the code.
    """
    if time.time() % 30 > 25:
        time.sleep(30.5 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application by a fresh verified user (pass `user=` to choose)."""

    class Meta:
        model = Application

    user = factory.SubFactory(UserFactory)
    affiliation = Affiliation.BUSINESS
    organisation = factory.Sequence(lambda n: f"Company {n}")
    position = "Supply-chain manager"
    country = "JP"
    sectors = factory.LazyFunction(lambda: ["semiconductors"])
    statement = "Twenty years buying wafers and substrates for a Japanese electronics group."
    conflict_of_interest = "None"
    accepts_handling_rules = True
    status = Application.Status.SUBMITTED


def invitation_make(
    *, inviter: User, email: str, expires_in: timedelta = timedelta(days=14)
) -> tuple[Invitation, str]:
    """An invitation row as the service would store it; returns it with its code."""
    code = secrets.token_urlsafe(16)
    invitation = Invitation.objects.create(
        inviter=inviter,
        email=email,
        token=Invitation.token_for(code),
        expires_at=timezone.now() + expires_in,
    )
    return invitation, code
