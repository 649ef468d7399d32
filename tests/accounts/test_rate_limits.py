"""Sign-in and sign-up stay rate-limited (allauth, through the shared cache)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password(
    anonymous, contributor, password
):
    for _ in range(5):
        anonymous.post(reverse("account_login"), {"login": contributor.email, "password": "x"})
    response = anonymous.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert "_auth_user_id" not in anonymous.session
    assert "Too many failed login attempts" in response.content.decode()


def test_signup_is_rate_limited_per_address(anonymous):
    statuses = [
        anonymous.post(
            reverse("account_signup"),
            {"email": f"flood{n}@example.org", "password1": "pw", "password2": "pw"},
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429
