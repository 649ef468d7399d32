"""Keeps each contribution's search document up to date, on PostgreSQL and SQLite.

What is indexed: the title, the summary (or a case study's context), the rest
of the text and the tags — sectors, signals and countries by their slugs and
their English and Japanese names, and every kept automatic or analyst tag by
its slug. Never the author's name, e-mail or organisation (see
`intel.reports.search`).

- PostgreSQL: the weighted `search_vector` (title A, summary B, tags B, the
  rest C). Latin text is parsed by PostgreSQL's `english` configuration
  (stemming); CJK text becomes bigrams in Python, written as a tsvector
  literal (see intel.text), so Japanese works whatever the database locale.
- SQLite: one row of the FTS5 table `intel_contribution_fts` (created by
  migration 0010), holding the analysed text of each column.

Called by every service that changes what is indexed (saving, submitting,
resubmitting, tagging, tag corrections), inside its transaction;
`search_index_rebuild` (`manage.py search_reindex`) rewrites the index in
batches, for rows written some other way (bulk loads, older versions).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import translation

from intel.countries import country_name
from intel.models import (
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    ContributionTag,
    FieldReport,
    Kind,
)
from intel.reports.search import FTS_TABLE, index_text
from intel.text import cjk_tsvector_literal, latin_text
from intel.vocabulary import Sector, Signal, choice_label

_NAMING_LANGUAGES = ("en", "ja")


# What `weighted_parts` reads, as paths from a contribution (for `only()`
# beside `select_related("fieldreport", "casestudy")`, or for `values_list`,
# whose rows `weighted_values` takes in this order); keep them together.
WEIGHTED_FIELDS = (
    "kind",
    "title",
    "fieldreport__summary",
    "fieldreport__body",
    "casestudy__context",
    "casestudy__challenge",
    "casestudy__actions_taken",
    "casestudy__outcome",
    "casestudy__lessons_learned",
)


def weighted_parts(contribution: Contribution) -> list[tuple[str, str]]:
    """(text, weight) pairs of what search should find in `contribution`'s text."""
    detail = contribution.detail
    if isinstance(detail, FieldReport):
        return weighted_values(Kind.REPORT, detail.title, detail.summary, detail.body)
    return weighted_values(
        Kind.CASE_STUDY, detail.title, None, None, detail.context, detail.challenge,
        detail.actions_taken, detail.outcome, detail.lessons_learned,
    )  # fmt: skip


def weighted_values(kind: str, title: str, *texts: str | None) -> list[tuple[str, str]]:
    """`weighted_parts` of one row of `WEIGHTED_FIELDS`' values (as `values_list` reads
    them: the other kind's fields are None)."""
    if kind == Kind.REPORT:
        summary, body = texts[:2]
        return [(title, "A"), (summary or "", "B"), (body or "", "C")]
    context, *rest = texts[2:]
    return [(title, "A"), (context or "", "B"), ("\n".join(text or "" for text in rest), "C")]


def tag_text(*, sectors: Iterable[str], signals: Iterable[str], countries: Iterable[str],
             other_tags: Iterable[str] = ()) -> str:  # fmt: skip
    """The tags as searchable text: slugs, and the names readers know them by."""
    sectors, signals, countries = list(sectors), list(signals), list(countries)
    words = [*sectors, *signals, *countries, *other_tags]
    for language in _NAMING_LANGUAGES:
        with translation.override(language):
            words += [choice_label(Sector, slug) for slug in sectors]
            words += [choice_label(Signal, slug) for slug in signals]
            words += [country_name(code, language) for code in countries]
    return "\n".join(str(word) for word in words)


def _tags_of(contribution: Contribution) -> str:
    """Read from the database: the caller's instance may hold rows prefetched
    before the change being indexed."""
    kept = ContributionTag.objects.filter(contribution=contribution, removed=False)
    return tag_text(
        sectors=ContributionSector.objects.filter(contribution=contribution).values_list(
            "sector", flat=True
        ),
        signals=ContributionSignal.objects.filter(contribution=contribution).values_list(
            "signal", flat=True
        ),
        countries=ContributionCountry.objects.filter(contribution=contribution).values_list(
            "country", flat=True
        ),
        other_tags=kept.order_by("slug").values_list("slug", flat=True).distinct(),
    )


def _prefetched_tags_of(contribution: Contribution) -> str:
    """The same from rows a batch prefetched (no query)."""
    return tag_text(
        sectors=[row.sector for row in contribution.sector_rows.all()],
        signals=[row.signal for row in contribution.signal_rows.all()],
        countries=[row.country for row in contribution.country_rows.all()],
        other_tags=sorted({tag.slug for tag in contribution.tags.all() if not tag.removed}),
    )


def search_index_update(*, contribution: Contribution) -> None:
    _write([(contribution.pk, weighted_parts(contribution), _tags_of(contribution))])


def search_index_update_many(*, contribution_ids: Iterable[int]) -> None:
    """Re-index a batch (the bulk tagging path): a fixed number of statements per batch."""
    batch = list(
        Contribution.objects.filter(pk__in=list(contribution_ids))
        .select_related("fieldreport", "casestudy")
        .prefetch_related("sector_rows", "signal_rows", "country_rows", "tags")
        .order_by("pk")
    )
    rows = [(c.pk, weighted_parts(c), _prefetched_tags_of(c)) for c in batch]
    if not rows:
        return
    if connection.vendor == "postgresql":
        _postgres_update_many(rows)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608 - constant table name
                [[pk] for pk, _parts, _tags in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, tags) "  # noqa: S608 - constant table name
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    [pk, *(index_text(text) for text, _weight in parts), index_text(tags)]
                    for pk, parts, tags in rows
                ],
            )


def _vector_sql(parts: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The tsvector expression of one contribution's weighted parts, and its parameters."""
    pieces: list[str] = []
    params: list[str] = []
    for text, weight in parts:
        pieces.append(f"setweight(to_tsvector('english', %s), '{weight}')")
        params.append(latin_text(text))
        pieces.append("%s::tsvector")
        params.append(cjk_tsvector_literal(text, weight))
    return " || ".join(pieces), params


def _postgres_update_many(rows: list[tuple[int, list[tuple[str, str]], str]]) -> None:
    values: list[str] = []
    params: list[Any] = []
    for pk, parts, tags in rows:
        expression, expression_params = _vector_sql([*parts, (tags, "B")])
        values.append(f"(%s, {expression})")
        params += [pk, *expression_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Contribution._meta.db_table} AS c SET search_vector = v.vector "  # noqa: S608 - only weights and table name are interpolated
            f"FROM (VALUES {', '.join(values)}) AS v(id, vector) WHERE c.id = v.id",
            params,
        )


def search_index_rebuild(*, batch_size: int = 500, after_id: int = 0) -> Iterator[tuple[int, int]]:
    """Re-index every submitted contribution after `after_id`, in id order, one
    transaction per batch; yields (contributions done, last id) after each batch."""
    pending = (
        Contribution.objects.filter(submitted_at__isnull=False, pk__gt=after_id)
        .select_related("fieldreport", "casestudy")
        .prefetch_related("sector_rows", "signal_rows", "country_rows", "tags")
        .order_by("pk")
    )
    done, last_id = 0, after_id
    while True:
        with transaction.atomic():
            batch = list(pending.filter(pk__gt=last_id)[:batch_size])
            if not batch:
                return
            _write(
                [
                    (
                        contribution.pk,
                        weighted_parts(contribution),
                        _prefetched_tags_of(contribution),
                    )
                    for contribution in batch
                ]
            )
        done, last_id = done + len(batch), batch[-1].pk
        yield done, last_id


def _write(rows: list[tuple[int, list[tuple[str, str]], str]]) -> None:
    if connection.vendor == "postgresql":
        for pk, parts, tags in rows:
            _postgres_update(pk, [*parts, (tags, "B")])
    elif connection.vendor == "sqlite":
        for pk, parts, tags in rows:
            title, summary, body = (text for text, _weight in parts)
            sqlite_index_write(pk, title=title, summary=summary, body=body, tags=tags)


def _postgres_update(pk: int, parts: list[tuple[str, str]]) -> None:
    expression, params = _vector_sql(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Contribution._meta.db_table} SET search_vector = {expression} "  # noqa: S608 - only weights and table name are interpolated
            "WHERE id = %s",
            [*params, pk],
        )


def sqlite_index_write(pk: int, *, title: str, summary: str, body: str, tags: str) -> None:
    """Replace the FTS5 row of contribution `pk` (also used by the migration that fills it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608 - constant table name
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body, tags) "  # noqa: S608 - constant table name
            "VALUES (%s, %s, %s, %s, %s)",
            [pk, index_text(title), index_text(summary), index_text(body), index_text(tags)],
        )
