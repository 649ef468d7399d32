"""Writes for board briefs: the analyst's questions for a board, audited like digest edits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel.models import BoardBrief, Digest
from intel.models.boardbrief import MAX_QUESTIONS_LENGTH

# A board reads a handful of short questions, and the brief must stay one A4 page.
MAX_QUESTIONS = 5
MAX_QUESTION_LENGTH = 200


def _clean(text: str, field: str) -> tuple[str, dict[str, ValidationError]]:
    text = (text or "").strip()
    if len(text) > MAX_QUESTIONS_LENGTH:
        message = _("Keep the questions under %(count)s characters.")
        return text, {field: ValidationError(message % {"count": MAX_QUESTIONS_LENGTH})}
    questions = [line.strip() for line in text.splitlines() if line.strip()]
    if len(questions) > MAX_QUESTIONS:
        message = _("Ask at most %(count)s questions, one per line.")
        return text, {field: ValidationError(message % {"count": MAX_QUESTIONS})}
    if any(len(question) > MAX_QUESTION_LENGTH for question in questions):
        message = _("Keep each question under %(count)s characters.")
        return text, {field: ValidationError(message % {"count": MAX_QUESTION_LENGTH})}
    return text, {}


@transaction.atomic
def board_questions_save(
    *, digest: Digest, analyst: User, questions_en: str, questions_ja: str
) -> BoardBrief:
    """Set the questions of the digest's sector and week, before or after it is published.

    They belong to the week, not to one version of the digest, so a
    correction keeps them; every change is audited on the digest.
    """
    require_analyst(analyst)
    english, errors = _clean(questions_en, "questions_en")
    japanese, more = _clean(questions_ja, "questions_ja")
    errors.update(more)
    if errors:
        raise ValidationError(errors)
    brief, _created = BoardBrief.objects.select_for_update().get_or_create(
        sector=digest.sector, week_start=digest.week_start
    )
    changed = [
        language
        for language, before, after in (
            ("en", brief.questions_en, english),
            ("ja", brief.questions_ja, japanese),
        )
        if before != after
    ]
    if not changed:
        return brief
    brief.questions_en, brief.questions_ja, brief.edited_by = english, japanese, analyst
    brief.save(update_fields=["questions_en", "questions_ja", "edited_by", "updated_at"])
    audit_record(
        actor=analyst,
        action="digest.board_questions",
        target=digest,
        data={"languages": changed, "published": digest.is_published},
    )
    return brief
