"""Token authentication in one query, with knox's rules kept: expiry, the sweep of the
user's other expired tokens, the second factor, the member's standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from accounts.authentication import TokenAuthentication
from tests.helpers import api_token_for

pytestmark = pytest.mark.django_db


def _authenticate(key: str):
    return TokenAuthentication().authenticate_credentials(key.encode())


def test_one_query_reads_token_user_membership_and_second_factor(contributor, analyst):
    for user, passed in ((contributor, False), (analyst, True)):
        key = api_token_for(user)
        with CaptureQueriesContext(connection) as queries:
            got, token = _authenticate(key)
            # Membership and the second factor come with the token: no query for them.
            vetted = got.is_vetted_contributor
        assert len(queries.captured_queries) == 1
        assert got == user and token.user_id == user.pk
        assert got.second_factor_passed is passed
        assert vetted or user != contributor


def test_the_users_other_expired_tokens_are_swept_and_an_expired_one_refused(contributor):
    expired = api_token_for(contributor)
    AuthToken.objects.filter(token_key=expired[:15]).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    current = api_token_for(contributor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {expired}")
    assert client.get(reverse("api-report-list")).status_code == 401
    assert not AuthToken.objects.filter(token_key=expired[:15]).exists()
    stale = api_token_for(contributor)
    AuthToken.objects.filter(token_key=stale[:15]).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {current}")
    assert client.get(reverse("api-report-list")).status_code == 200
    assert list(AuthToken.objects.filter(user=contributor).values_list("token_key", flat=True)) == [
        current[:15]
    ]


def test_a_wrong_key_with_a_known_prefix_is_refused(contributor):
    key = api_token_for(contributor)
    wrong = key[:15] + ("0" if key[15] != "0" else "1") + key[16:]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {wrong}")
    assert client.get(reverse("api-report-list")).status_code == 401


def test_the_token_user_and_membership_read_are_the_stored_ones(contributor, analyst):
    for user in (contributor, analyst):
        got, token = _authenticate(api_token_for(user))
        stored = AuthToken.objects.select_related("user").get(digest=token.digest)
        assert model_to_dict(token) == model_to_dict(stored)
        assert token.created == stored.created and token.expiry == stored.expiry
        assert model_to_dict(got) == model_to_dict(stored.user)
        assert got.updated_at == stored.user.updated_at
        if user == contributor:
            assert got.membership.user is got
            assert model_to_dict(got.membership) == model_to_dict(
                type(got.membership).objects.get(user=user)
            )
        else:
            with pytest.raises(ObjectDoesNotExist):
                got.membership  # noqa: B018 - reading it is the test


def test_an_inactive_users_token_is_refused(contributor):
    key = api_token_for(contributor)
    type(contributor).objects.filter(pk=contributor.pk).update(is_active=False)
    with pytest.raises(AuthenticationFailed):
        _authenticate(key)
