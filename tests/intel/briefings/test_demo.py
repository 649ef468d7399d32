"""Demo subscriptions for `seed_demo`: confirmed, one per language plus a member's, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest

from intel.briefings import demo as briefings_demo
from intel.models import Subscription

pytestmark = pytest.mark.django_db


def test_demo_subscriptions_are_created_once(contributor):
    briefings_demo.seed(StringIO(), member=contributor)
    out = StringIO()
    briefings_demo.seed(out, member=contributor)
    assert out.getvalue() == ""
    rows = {sub.email: sub for sub in Subscription.objects.all()}
    assert set(rows) == {"subscriber@example.org", "subscriber-ja@example.org", contributor.email}
    assert all(sub.status == "active" and sub.confirmed_at for sub in rows.values())
    assert rows["subscriber-ja@example.org"].language == "ja"
    assert rows[contributor.email].user == contributor
