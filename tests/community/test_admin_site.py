"""The admin reads as the site's own: its name, distinct section titles, and read-only
records that offer no destructive action."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from intel.models import Digest, SectorAssessment, Subscription
from tests.intel.briefings.factories import SubscriptionFactory
from tests.intel.digests.factories import DigestFactory, SectorAssessmentFactory

pytestmark = pytest.mark.django_db


def test_admin_index_carries_the_site_name_and_distinct_section_titles(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin:index")).content.decode()
    assert "Community Intelligence Platform" in page
    assert "Django administration" not in page
    captions = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", page)
    assert captions, "the index lists its sections"
    assert len(captions) == len({c.strip().lower() for c in captions}), captions


def test_subscriptions_offer_no_delete(client_for, admin_user):
    subscription = SubscriptionFactory()
    client = client_for(admin_user)
    listing = client.get(reverse("admin:intel_subscription_changelist")).content.decode()
    assert "delete_selected" not in listing
    response = client.post(reverse("admin:intel_subscription_delete", args=[subscription.pk]))
    assert response.status_code == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("model", ["digest", "sectorassessment"])
def test_digests_and_assessments_are_shown_read_only(client_for, admin_user, model):
    obj = DigestFactory() if model == "digest" else SectorAssessmentFactory()
    client = client_for(admin_user)
    assert client.get(reverse(f"admin:intel_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:intel_{model}_change", args=[obj.pk])).status_code == 200
    assert client.get(reverse(f"admin:intel_{model}_add")).status_code == 403
    response = client.post(reverse(f"admin:intel_{model}_delete", args=[obj.pk]))
    assert response.status_code == 403
    assert (Digest if model == "digest" else SectorAssessment).objects.filter(pk=obj.pk).exists()


def test_admin_pages_refuse_a_contributor(client_for, contributor):
    response = client_for(contributor).get(reverse("admin:intel_digest_changelist"))
    assert response.status_code in (302, 403)
    assert "digest" not in response.content.decode().lower()
