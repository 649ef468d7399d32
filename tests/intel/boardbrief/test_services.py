"""The questions service decides on its own: analysts only, whoever calls it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from intel.boardbrief import services
from intel.models import BoardBrief

pytestmark = pytest.mark.django_db


def test_only_analysts_may_write_questions(contributor, published):
    with pytest.raises(PermissionDenied):
        services.board_questions_save(
            digest=published, analyst=contributor, questions_en="Q?", questions_ja=""
        )
    assert not BoardBrief.objects.exists()


def test_questions_are_read_one_per_line_without_list_marks(analyst, published):
    brief = services.board_questions_save(
        digest=published, analyst=analyst, questions_en="- One?\n\n* Two?\n", questions_ja="一？"
    )
    assert brief.questions("en") == ["One?", "Two?"] and brief.questions("ja") == ["一？"]
