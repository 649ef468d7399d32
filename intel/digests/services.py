"""Weekly digests and sector assessments: build, edit, publish, correct, assess.

The life of a sector's week:

    (build) draft ─► edited ─► published ─► (correct) version 2: edited ─► published …

- The build (`digests_build_week`, weekly from Celery beat, on demand from
  `manage.py build_digests`) creates version 1 as a draft, or refreshes the
  computed parts (`snapshot`, items' facts and scores) of the week's open
  version. It never writes what analysts write (summary, its handling level,
  notes, item order, drops, item notes) and never touches a published
  version; running it twice changes nothing the second time.
- Every analyst step is a conditional update on the status, so a publish that
  races an edit or another publish wins once and the loser gets a
  `WorkflowError` (409 in the API). Published versions are immutable.
- A correction copies the published version's analyst text and item
  decisions into a new version (with a correction note), recomputes the
  figures, and is published like any draft; publishing it sets
  `correction_pending_briefing` so the next briefing leads with it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel import validation
from intel.digests import queries as digest_queries
from intel.errors import WorkflowError
from intel.models import Digest, DigestItem, DigestStatus, SectorAssessment, SectorClass
from intel.models.digests import OPEN_DIGEST_STATUSES
from intel.vocabulary import Sector, Tlp

MIN_NOTE_LENGTH = 10


class BuildOutcome:
    CREATED = "created"
    REFRESHED = "refreshed"
    PUBLISHED = "published"  # left alone: the week's latest version is published
    EMPTY = "empty"  # nothing to digest and no draft yet: listed, not drafted


@dataclass(frozen=True)
class BuildResult:
    sector: str
    week_start: datetime.date
    digest_id: int | None
    version: int
    outcome: str
    items: int


def _clean_sectors(sectors: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(sectors)) if sectors else list(Sector.values)
    unknown = [sector for sector in chosen if sector not in Sector.values]
    if unknown:
        raise ValidationError({"sector": _("Unknown sector: %(name)s") % {"name": unknown[0]}})
    return chosen


# --- Build ---------------------------------------------------------------------------


def digests_build_week(
    *,
    week_start: datetime.date,
    sectors: Iterable[str] | None = None,
    actor: User | None = None,
) -> list[BuildResult]:
    """Build or refresh the digests of `sectors` (default: all) for one week.

    The figures of every sector are computed together (a few statements, see
    `intel.digests.queries`), then all sectors' digests are stored in one short
    transaction whose number of statements does not depend on the number of
    sectors or items. Building all sectors drafts only those with material:
    a sector with nothing accepted that week and no digest yet comes back
    `EMPTY`, so the queue holds no blank drafts. A sector named on its own is
    drafted even when empty — the analyst asked for it.
    """
    if actor is not None:
        require_analyst(actor)
    week_start = validation.clean_week_start(week_start, field="week_start")
    chosen = _clean_sectors(sectors)
    computed = digest_queries.compute_week(week_start=week_start, sectors=chosen)
    return _store_week(
        week_start=week_start, chosen=chosen, computed=computed, actor=actor,
        draft_empty=bool(sectors),
    )  # fmt: skip


def _latest_locked(week_start: datetime.date, sectors: Sequence[str]) -> dict[str, Digest]:
    """The week's latest version of each sector that has one, locked (one statement).

    Rows are locked in sector order, so two builds of overlapping sectors queue
    behind each other instead of deadlocking.
    """
    newest = (
        Digest.objects.filter(sector=OuterRef("sector"), week_start=OuterRef("week_start"))
        .order_by("-version")
        .values("version")[:1]
    )
    return {
        digest.sector: digest
        for digest in Digest.objects.select_for_update()
        .filter(week_start=week_start, sector__in=sectors, version=Subquery(newest))
        .order_by("sector")
    }


def _create_drafts(
    week_start: datetime.date,
    sectors: Sequence[str],
    computed: Mapping[str, digest_queries.ComputedWeek],
    latest: dict[str, Digest],
) -> set[str]:
    """Insert version 1 of `sectors` in one statement, computed parts included.

    A concurrent build may create some of the rows first: the unique
    constraint decides, and this build then refreshes the winner's rows.
    Returns the sectors this build created; `latest` gains every sector's row.
    """
    missing = list(sectors)
    mine: set[str] = set()
    while missing:
        now = timezone.now()
        try:
            with transaction.atomic():
                created = Digest.objects.bulk_create(
                    Digest(
                        sector=sector,
                        week_start=week_start,
                        snapshot=computed[sector].snapshot,
                        computed_at=now,
                    )
                    for sector in missing
                )
        except IntegrityError:
            latest.update(_latest_locked(week_start, missing))
            still_missing = [sector for sector in missing if sector not in latest]
            if len(still_missing) == len(missing):
                raise  # not another build's rows: a real error
            missing = still_missing
            continue
        latest.update({digest.sector: digest for digest in created})
        mine = {digest.sector for digest in created}
        break
    return mine


@transaction.atomic
def _store_week(
    *,
    week_start: datetime.date,
    chosen: Sequence[str],
    computed: Mapping[str, digest_queries.ComputedWeek],
    actor: User | None,
    draft_empty: bool,
) -> list[BuildResult]:
    latest = _latest_locked(week_start, chosen)
    created = _create_drafts(
        week_start,
        [s for s in chosen if s not in latest and (draft_empty or computed[s].items)],
        computed,
        latest,
    )
    published = [d.pk for d in latest.values() if d.status == DigestStatus.PUBLISHED]
    published_items = dict(
        DigestItem.objects.filter(digest__in=published)
        .values("digest")
        .annotate(count=Count("pk"))
        .values_list("digest", "count")
    )
    open_digests = [
        (latest[sector], computed[sector])
        for sector in chosen
        if sector in latest and latest[sector].status != DigestStatus.PUBLISHED
    ]
    _apply_computed(open_digests, created={latest[sector].pk for sector in created})
    results = []
    for sector in chosen:
        digest = latest.get(sector)
        if digest is None:
            results.append(BuildResult(sector, week_start, None, 0, BuildOutcome.EMPTY, 0))
            continue
        if digest.status == DigestStatus.PUBLISHED:
            count = published_items.get(digest.pk, 0)
            results.append(
                BuildResult(
                    sector, week_start, digest.pk, digest.version, BuildOutcome.PUBLISHED, count
                )
            )
            continue
        outcome = BuildOutcome.CREATED if sector in created else BuildOutcome.REFRESHED
        items = len(computed[sector].items)
        if outcome == BuildOutcome.CREATED or actor is not None:
            audit_record(
                actor=actor,
                action="digest.build",
                target=digest,
                data={"outcome": outcome, "items": items},
            )
        results.append(BuildResult(sector, week_start, digest.pk, digest.version, outcome, items))
    return results


def _apply_computed(
    pairs: Sequence[tuple[Digest, digest_queries.ComputedWeek]], *, created: Set[int] = frozenset()
) -> None:
    """Write the computed parts into open digests, keeping every analyst decision.

    A fixed number of statements whatever the number of digests and items:
    one update of the snapshots (none for the digests in `created`, inserted
    with theirs), one read of the items, then at most one delete, one update
    and one insert of items.

    Items are matched by key. In an untouched draft the order is the computed
    rank and vanished items go. Once an analyst has edited, their positions,
    drops and notes stay; new items join at the end and vanished ones are
    kept, marked stale (never shown to readers), so nothing they wrote is lost.
    """
    now = timezone.now()
    refreshed = [digest for digest, _computed in pairs if digest.pk not in created]
    for digest, computed in pairs:
        if digest.pk not in created:
            digest.snapshot, digest.computed_at, digest.updated_at = computed.snapshot, now, now
    if refreshed:
        Digest.objects.bulk_update(refreshed, ["snapshot", "computed_at", "updated_at"])
    existing_of: dict[int, dict[str, DigestItem]] = {digest.pk: {} for digest in refreshed}
    if refreshed:
        for stored in DigestItem.objects.filter(digest__in=[digest.pk for digest in refreshed]):
            existing_of[stored.digest_id][stored.key] = stored
    to_create: list[DigestItem] = []
    to_update: list[DigestItem] = []
    to_delete: list[int] = []
    for digest, computed in pairs:
        existing = existing_of.get(digest.pk, {})
        untouched = digest.status == DigestStatus.DRAFT
        next_position = max((item.position for item in existing.values()), default=0) + 1
        for entry in computed.items:
            item = existing.pop(entry.key, None)
            if item is None:
                to_create.append(
                    DigestItem(
                        digest=digest,
                        key=entry.key,
                        position=entry.rank if untouched else next_position,
                        rank=entry.rank,
                        score=entry.score,
                        tlp=entry.tlp,
                        data=entry.data,
                    )
                )
                next_position += 0 if untouched else 1
                continue
            before = (item.position, item.rank, item.score, item.tlp, item.data, item.stale)
            item.rank, item.score, item.tlp, item.data, item.stale = (
                entry.rank, entry.score, entry.tlp, entry.data, False,
            )  # fmt: skip
            if untouched:
                item.position = entry.rank
            if before != (item.position, item.rank, item.score, item.tlp, item.data, item.stale):
                to_update.append(item)
        if untouched:
            to_delete.extend(item.pk for item in existing.values())
        else:
            for item in existing.values():
                if not item.stale:
                    item.stale = True
                    to_update.append(item)
    if to_delete:
        DigestItem.objects.filter(pk__in=to_delete).delete()
    if to_update:
        DigestItem.objects.bulk_update(
            to_update, ["position", "rank", "score", "tlp", "data", "stale"]
        )
    if to_create:
        _insert_items(to_create)


_ITEM_COLUMNS = {  # column: SQL type, for the rows of `_insert_items`
    "digest_id": "bigint", "key": "text", "position": "integer", "rank": "integer",
    "score": "double precision", "tlp": "text", "dropped": "boolean", "stale": "boolean",
    "note": "text",
}  # fmt: skip


def _insert_items(items: Sequence[DigestItem]) -> None:
    """Insert new digest items in one statement.

    PostgreSQL: the rows travel as one JSON array. `bulk_create` would send the
    items' JSON either as a text array (psycopg then escapes every quote of
    every item in Python) or as one parameter per value of one long statement;
    for a week's 700 items either costs several times the insert itself. A
    float's JSON text reads back as the same float, so the rows are the same.
    """
    if connection.vendor != "postgresql":
        DigestItem.objects.bulk_create(items)
        return
    rows = [
        {**{column: getattr(item, column) for column in _ITEM_COLUMNS}, "data": item.data}
        for item in items
    ]
    columns = ", ".join(connection.ops.quote_name(column) for column in [*_ITEM_COLUMNS, "data"])
    values = ", ".join(
        f"CAST(r ->> '{column}' AS {sql_type})" for column, sql_type in _ITEM_COLUMNS.items()
    )
    table = connection.ops.quote_name(DigestItem._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {values}, r -> 'data'"  # noqa: S608 - our names
        " FROM jsonb_array_elements(%s::jsonb) AS r"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows)])


# --- Analyst edits --------------------------------------------------------------------


def _clean_edit(
    digest: Digest,
    *,
    summary: str | None,
    summary_tlp: str | None,
    notes: str | None,
    order: Sequence[int] | None,
    dropped: Iterable[int] | None,
    item_notes: Mapping[int, str] | None,
) -> tuple[dict[int, DigestItem], set[int] | None]:
    errors: dict[str, list[ValidationError]] = {}
    items = {item.pk: item for item in digest.items.all()}
    if summary is not None and len(summary) > 20_000:
        errors["summary"] = [ValidationError(_("Keep the summary under 20,000 characters."))]
    if summary_tlp is not None and summary_tlp not in Tlp.values:
        errors["summary_tlp"] = [ValidationError(_("Choose a handling level."))]
    if notes is not None and len(notes) > 10_000:
        errors["notes"] = [ValidationError(_("Keep the notes under 10,000 characters."))]
    if order is not None and (len(order) != len(items) or set(order) != set(items)):
        errors["order"] = [
            ValidationError(_("List every item of this digest exactly once, in the new order."))
        ]
    dropped_ids = None if dropped is None else {int(pk) for pk in dropped}
    if dropped_ids is not None and not dropped_ids <= set(items):
        errors["dropped"] = [ValidationError(_("Only items of this digest can be dropped."))]
    if item_notes is not None:
        if not set(item_notes) <= set(items):
            errors["item_notes"] = [ValidationError(_("Only items of this digest take notes."))]
        elif any(len(note) > 2000 for note in item_notes.values()):
            errors["item_notes"] = [ValidationError(_("Keep each note under 2,000 characters."))]
    if errors:
        raise ValidationError(errors)
    return items, dropped_ids


@transaction.atomic
def digest_edit(
    *,
    digest: Digest,
    analyst: User,
    summary: str | None = None,
    summary_tlp: str | None = None,
    notes: str | None = None,
    order: Sequence[int] | None = None,
    dropped: Iterable[int] | None = None,
    item_notes: Mapping[int, str] | None = None,
) -> Digest:
    """Change what analysts own; `None` leaves a part as it is.

    `order` lists every item id in the new order, `dropped` is the complete
    set of dropped item ids, `item_notes` maps item ids to their notes.
    """
    require_analyst(analyst)
    items, dropped_ids = _clean_edit(
        digest, summary=summary, summary_tlp=summary_tlp, notes=notes, order=order,
        dropped=dropped, item_notes=item_notes,
    )  # fmt: skip
    fields: dict[str, object] = {}
    if summary is not None and summary != digest.summary:
        fields["summary"] = summary
    if summary_tlp is not None and summary_tlp != digest.summary_tlp:
        fields["summary_tlp"] = summary_tlp
    if notes is not None and notes != digest.notes:
        fields["notes"] = notes
    changed_items: dict[int, DigestItem] = {}
    if order is not None:
        for position, pk in enumerate(order, start=1):
            if items[pk].position != position:
                items[pk].position = position
                changed_items[pk] = items[pk]
    if dropped_ids is not None:
        for pk, item in items.items():
            if item.dropped != (pk in dropped_ids):
                item.dropped = pk in dropped_ids
                changed_items[pk] = item
    for pk, note in (item_notes or {}).items():
        if items[pk].note != note.strip():
            items[pk].note = note.strip()
            changed_items[pk] = items[pk]
    now = timezone.now()
    # The conditional update is the gate: a digest published meanwhile stays as it is.
    updated = Digest.objects.filter(pk=digest.pk, status__in=OPEN_DIGEST_STATUSES).update(
        **(
            {"status": DigestStatus.EDITED, "edited_by": analyst, "edited_at": now, **fields}
            if fields or changed_items
            else {}
        ),
        updated_at=now,
    )
    if updated != 1:
        raise WorkflowError(_("A published digest cannot be changed; correct it instead."))
    if not fields and not changed_items:
        return digest
    DigestItem.objects.bulk_update(list(changed_items.values()), ["position", "dropped", "note"])
    audit_record(
        actor=analyst,
        action="digest.edit",
        target=digest,
        data={
            "fields": sorted(fields),
            "items_changed": len(changed_items),
            "dropped": sorted(pk for pk, item in items.items() if item.dropped),
        },
    )
    digest.refresh_from_db()
    return digest


@transaction.atomic
def digest_publish(*, digest: Digest, analyst: User) -> Digest:
    """Freeze the digest for its readers; who and when are recorded."""
    require_analyst(analyst)
    now = timezone.now()
    updated = Digest.objects.filter(pk=digest.pk, status__in=OPEN_DIGEST_STATUSES).update(
        status=DigestStatus.PUBLISHED,
        published_at=now,
        published_by=analyst,
        correction_pending_briefing=digest.version > 1,
        updated_at=now,
    )
    if updated != 1:
        raise WorkflowError(_("This digest has already been published."))
    digest.refresh_from_db()
    audit_record(
        actor=analyst,
        action="digest.publish",
        target=digest,
        data={
            "version": digest.version,
            "items": digest.items.filter(dropped=False, stale=False).count(),
        },
    )
    return digest


@transaction.atomic
def digest_correct(*, digest: Digest, analyst: User, correction_note: str) -> Digest:
    """Open a new version of a published digest to correct it.

    The new version starts from the published one (summary, notes, item
    order, drops and notes), with figures recomputed from today's data. It
    is published like a draft; until then readers keep the published version.
    """
    require_analyst(analyst)
    note = (correction_note or "").strip()
    if len(note) < MIN_NOTE_LENGTH:
        raise ValidationError(
            {
                "correction_note": _("Say what is corrected, in at least %(count)s characters.")
                % {"count": MIN_NOTE_LENGTH}
            }
        )
    if digest.status != DigestStatus.PUBLISHED:
        raise WorkflowError(_("Only a published digest can be corrected; edit the draft instead."))
    if Digest.objects.filter(previous=digest).exists():
        raise WorkflowError(_("This version has already been corrected; correct the latest one."))
    now = timezone.now()
    try:
        with transaction.atomic():
            correction = Digest.objects.create(
                sector=digest.sector,
                week_start=digest.week_start,
                version=digest.version + 1,
                previous=digest,
                status=DigestStatus.EDITED,
                snapshot=digest.snapshot,
                computed_at=digest.computed_at,
                summary=digest.summary,
                summary_tlp=digest.summary_tlp,
                notes=digest.notes,
                correction_note=note,
                edited_by=analyst,
                edited_at=now,
            )
    except IntegrityError:
        raise WorkflowError(_("Someone else is already correcting this digest.")) from None
    copied = ("key", "position", "rank", "score", "tlp", "dropped", "stale", "note", "data")
    DigestItem.objects.bulk_create(
        [
            DigestItem(digest=correction, **{name: getattr(item, name) for name in copied})
            for item in digest.items.all()
        ]
    )
    computed = digest_queries.compute_week(week_start=digest.week_start, sectors=[digest.sector])
    _apply_computed([(correction, computed[digest.sector])])
    audit_record(
        actor=analyst,
        action="digest.correct",
        target=correction,
        reason=note,
        data={"corrects": digest.pk, "version": correction.version},
    )
    return correction


def digest_corrections_mark_briefed(*, digest_ids: Iterable[int]) -> int:
    """Briefings call this once a correction went out: it is no longer pending.

    A conditional update, so a briefing run twice marks (and reports) each once.
    """
    return Digest.objects.filter(pk__in=list(digest_ids), correction_pending_briefing=True).update(
        correction_pending_briefing=False, correction_briefed_at=timezone.now()
    )


# --- Sector assessments ------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    analyst: User,
    sector: str,
    sector_class: str,
    autonomy: int,
    indispensability: int,
    rationale: str,
) -> SectorAssessment:
    """Append an assessment; the latest one is the sector's current class and scores."""
    require_analyst(analyst)
    errors: dict[str, list[ValidationError]] = {}
    if sector not in Sector.values:
        errors["sector"] = [ValidationError(_("Choose a sector."))]
    if sector_class not in SectorClass.values:
        errors["sector_class"] = [ValidationError(_("Choose green, blue or red."))]
    for name, value in (("autonomy", autonomy), ("indispensability", indispensability)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [ValidationError(_("Give a score from 1 to 5."))]
    rationale = (rationale or "").strip()
    if len(rationale) < MIN_NOTE_LENGTH:
        errors["rationale"] = [
            ValidationError(
                _("Explain the assessment in at least %(count)s characters.")
                % {"count": MIN_NOTE_LENGTH}
            )
        ]
    if errors:
        raise ValidationError(errors)
    assessment = SectorAssessment.objects.create(
        sector=sector,
        sector_class=sector_class,
        autonomy=autonomy,
        indispensability=indispensability,
        rationale=rationale,
        assessed_by=analyst,
    )
    audit_record(
        actor=analyst,
        action="sector.assess",
        target=assessment,
        reason=rationale,
        data={
            "sector": sector,
            "class": sector_class,
            "autonomy": autonomy,
            "indispensability": indispensability,
        },
    )
    return assessment
