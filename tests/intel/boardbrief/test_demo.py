"""seed_demo writes the board's questions on the published demo digest, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from intel.models import BoardBrief, Digest

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_board_questions_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    published = Digest.objects.get(status="published")
    brief = BoardBrief.objects.get(sector=published.sector, week_start=published.week_start)
    assert len(brief.questions("en")) == 3 and len(brief.questions("ja")) == 3
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert BoardBrief.objects.count() == 1
    assert AuditEvent.objects.filter(action="digest.board_questions").count() == 1
    assert "board brief questions" not in out.getvalue()
