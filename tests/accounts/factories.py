"""factory_boy factories for accounts."""

from __future__ import annotations

import time
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

from accounts import roles
from accounts.models import Affiliation, Membership, User

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
    """The current 6-digit code for `secret`, as an authenticator app would show it."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
