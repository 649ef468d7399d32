"""Keeps each contribution's weighted full-text document up to date (PostgreSQL only).

Weights: title A, summary (or a case study's context) B, the rest C, so
ts_rank puts a title hit above a summary hit above a body hit. English and
other space-separated text is parsed by PostgreSQL's `english` configuration
(stemming); CJK text is turned into bigrams in Python and written as a
tsvector literal (see intel.text), so Japanese works whatever the database
locale. On SQLite nothing is stored and search falls back to icontains.
"""

from __future__ import annotations

from django.db import connection

from intel.models import Contribution, FieldReport
from intel.text import cjk_tsvector_literal, latin_text


def weighted_parts(contribution: Contribution) -> list[tuple[str, str]]:
    """(text, weight) pairs of what search should find in `contribution`."""
    detail = contribution.detail
    if isinstance(detail, FieldReport):
        return [(detail.title, "A"), (detail.summary, "B"), (detail.body, "C")]
    rest = "\n".join(
        [detail.challenge, detail.actions_taken, detail.outcome, detail.lessons_learned]
    )
    return [(detail.title, "A"), (detail.context, "B"), (rest, "C")]


def search_index_update(*, contribution: Contribution) -> None:
    if connection.vendor != "postgresql":
        return
    pieces: list[str] = []
    params: list[str] = []
    for text, weight in weighted_parts(contribution):
        pieces.append(f"setweight(to_tsvector('english', %s), '{weight}')")
        params.append(latin_text(text))
        pieces.append("%s::tsvector")
        params.append(cjk_tsvector_literal(text, weight))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Contribution._meta.db_table} SET search_vector = {' || '.join(pieces)} "  # noqa: S608 - only weights and table name are interpolated
            "WHERE id = %s",
            [*params, contribution.pk],
        )
