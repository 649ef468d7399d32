"""What a TAXII collection holds for one reader, filtered and paged in a fixed number of queries.

A collection ("all", or one sector) is the union of four sources, each read
in `date_added` order and merged by the key (date_added, source, row, part):

- the platform's own objects — the TLP 2.0 marking definitions up to the
  reader's clearance, our identity and the extension definition — and, for
  readers who receive contributions, a location per country (all added at
  `stix.EPOCH`);
- organisation identities: one per organisation behind a named or
  organisation-only contribution the reader receives (added with the first);
- contributions (`selectors.contributions_for_reader`: accepted, analysts
  only, at or below clearance), added when last changed;
- published digests (report, and a note with the sector's assessment),
  redacted to the reader's clearance (`digest_view`), added when published.
  Every published version of a week is a version of the same object.

A page reads at most `limit + 2` rows per source, then builds only the STIX
objects on the page, so its cost does not grow with the collection. The
`next` token is the key of the page's last object. `match[id]` compares the
requested ids with the ids of the reader's rows (UUIDv5 cannot be reversed):
one query of primary keys, its cost linear in the contributions the reader
may receive.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from intel.countries import CODES
from intel.digests import core as digest_core
from intel.interop import selectors, stix
from intel.models import Attribution, Contribution, ContributionSector, Digest, DigestStatus
from intel.reports.selectors import row_exists
from intel.vocabulary import Sector

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
VERSION_KEYWORDS = ("last", "first", "all")
SUPPORTED_MATCH = ("id", "type", "version", "spec_version")
STATIC, ORGANISATION, CONTRIBUTION, DIGEST = range(4)


class BadRequest(ValueError):
    """A filter or paging parameter the server cannot read (HTTP 400, message for the client)."""


# --- Collections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    id: str
    sector: str  # "" for all sectors
    title: str
    description: str


def collection_id(sector: str) -> str:
    return str(uuid.uuid5(stix.NAMESPACE, f"taxii-collection:{sector or 'all'}"))


def collections() -> list[Collection]:
    found = [
        Collection(
            id=collection_id(""),
            sector="",
            title=_("All sectors"),
            description=_("Everything you may receive, every sector."),
        )
    ]
    for sector in Sector:
        found.append(
            Collection(
                id=collection_id(sector.value),
                sector=sector.value,
                title=str(sector.label),
                description=_("Contributions and weekly digests of this sector."),
            )
        )
    return found


def collection(identifier: str) -> Collection | None:
    return next((c for c in collections() if c.id == identifier), None)


# --- Filters -----------------------------------------------------------------------------


@dataclass
class Filters:
    added_after: datetime.datetime | None = None
    types: set[str] | None = None
    ids: set[str] | None = None
    versions: list[str] = field(default_factory=lambda: ["last"])
    version_times: set[str] = field(default_factory=set)
    version_moments: list[datetime.datetime] = field(default_factory=list)
    spec_version_ok: bool = True
    limit: int = DEFAULT_LIMIT
    after: tuple[Any, ...] | None = None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _moment(value: str, name: str) -> datetime.datetime:
    moment = parse_datetime(value.strip())
    if moment is None or moment.tzinfo is None:
        raise BadRequest(
            _("%(name)s must be a timestamp with a time zone, like 2026-01-01T00:00:00.000Z.")
            % {"name": name}
        )
    return moment.astimezone(datetime.UTC)


def encode_cursor(key: tuple[Any, ...]) -> str:
    moment, *rest = key
    raw = json.dumps([moment.isoformat(), *rest], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str) -> tuple[Any, ...]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        moment, rank, row, part = json.loads(raw)
        parsed = datetime.datetime.fromisoformat(moment)
        if not isinstance(rank, int) or not isinstance(part, int) or parsed.tzinfo is None:
            raise ValueError
        if not isinstance(row, int | str) or isinstance(row, bool):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(_("This next token was not issued by this server.")) from None
    return (parsed, rank, row, part)


def parse_filters(params: Any, *, default_version: str = "last") -> Filters:
    """The TAXII query parameters (`added_after`, `limit`, `next`, `match[…]`)."""
    filters = Filters(versions=[default_version])
    for name in params:
        if name.startswith("match[") and name[6:-1] not in SUPPORTED_MATCH:
            raise BadRequest(
                _("Unsupported filter %(name)s; this server filters on %(supported)s.")
                % {"name": name, "supported": ", ".join(f"match[{m}]" for m in SUPPORTED_MATCH)}
            )
    if params.get("added_after"):
        filters.added_after = _moment(params["added_after"], "added_after")
    if "limit" in params:
        try:
            filters.limit = int(params["limit"])
        except ValueError:
            raise BadRequest(_("limit must be a whole number.")) from None
        if filters.limit < 1:
            raise BadRequest(_("limit must be at least 1."))
        filters.limit = min(filters.limit, MAX_LIMIT)
    if params.get("next"):
        filters.after = _decode_cursor(params["next"])
    if params.get("match[type]"):
        filters.types = set(_split(params["match[type]"]))
    if params.get("match[id]"):
        filters.ids = set(_split(params["match[id]"]))
    if params.get("match[spec_version]"):
        filters.spec_version_ok = "2.1" in _split(params["match[spec_version]"])
    if params.get("match[version]"):
        values = _split(params["match[version]"])
        keywords = [value for value in values if value in VERSION_KEYWORDS]
        times = [value for value in values if value not in VERSION_KEYWORDS]
        filters.versions = keywords
        filters.version_moments = [_moment(value, "match[version]") for value in times]
        filters.version_times = {stix.timestamp(moment) for moment in filters.version_moments}
    return filters


# --- Entries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One object version in a collection, known before the object is built."""

    date_added: datetime.datetime
    rank: int
    row: int | str
    part: int
    id: str
    version: datetime.datetime

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.date_added, self.rank, self.row, self.part)

    @property
    def type(self) -> str:
        return self.id.split("--", 1)[0]


@dataclass
class Page:
    entries: list[Entry]
    more: bool
    objects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next(self) -> str | None:
        return encode_cursor(self.entries[-1].key) if self.more and self.entries else None


@dataclass
class Reader:
    user: Any
    clearance: str
    receives_contributions: bool


def _wanted(filters: Filters, entry: Entry, *, versions: set[str] | None = None) -> bool:
    """The filters a source could not apply in SQL; `versions` are its choices for
    first/last (None: the entry is its object's only version)."""
    if filters.types is not None and entry.type not in filters.types:
        return False
    if filters.ids is not None and entry.id not in filters.ids:
        return False
    if filters.added_after is not None and entry.date_added <= filters.added_after:
        return False
    if filters.after is not None and entry.key <= filters.after:
        return False
    if "all" in filters.versions:
        return True
    if filters.version_times and stix.timestamp(entry.version) in filters.version_times:
        return True
    if versions is None:
        return bool({"last", "first"} & set(filters.versions))
    return bool(versions & set(filters.versions))


def _after_q(filters: Filters, rank: int, date_field: str, key_field: str) -> Q:
    """Rows that may hold entries after the cursor (the part is checked in Python)."""
    condition = Q()
    if filters.added_after is not None:
        condition &= Q(**{f"{date_field}__gt": filters.added_after})
    if filters.after is not None:
        moment, cursor_rank, row, _part = filters.after
        if cursor_rank > rank:
            condition &= Q(**{f"{date_field}__gt": moment})
        elif cursor_rank < rank:
            condition &= Q(**{f"{date_field}__gte": moment})
        else:
            condition &= Q(**{f"{date_field}__gt": moment}) | Q(
                **{date_field: moment, f"{key_field}__gte": row}
            )
    return condition


def _types_allow(filters: Filters, *types: str) -> bool:
    return filters.types is None or bool(filters.types & set(types))


def _static_entries(reader: Reader, filters: Filters) -> list[Entry]:
    objects: list[tuple[str, datetime.datetime]] = [
        (stix.TLP_MARKING_IDS[level], stix.TLP_MARKING_CREATED)
        for level in digest_core.allowed_levels(reader.clearance)
    ]
    objects += [(stix.PLATFORM_IDENTITY_ID, stix.EPOCH), (stix.EXTENSION_ID, stix.EPOCH)]
    if reader.receives_contributions:
        objects += [(stix.location_id(code), stix.EPOCH) for code in sorted(CODES)]
    entries = [
        Entry(stix.EPOCH, STATIC, stix_id, 0, stix_id, version) for stix_id, version in objects
    ]
    return sorted(
        (entry for entry in entries if _wanted(filters, entry)), key=lambda entry: entry.key
    )


def _in_collection(queryset: QuerySet[Contribution], sector: str) -> QuerySet[Contribution]:
    return queryset.filter(row_exists(ContributionSector, "sector", sector)) if sector else queryset


def _organisation_entries(reader: Reader, sector: str, filters: Filters) -> list[Entry]:
    if not reader.receives_contributions or not _types_allow(filters, "identity"):
        return []
    rows = (
        _in_collection(
            selectors.contributions_for_reader(user=reader.user, clearance=reader.clearance),
            sector,
        )
        .exclude(attribution=Attribution.ANONYMOUS)
        .exclude(organisation="")
        .values("organisation")
        .annotate(first=Min("updated_at"))
    )
    first: dict[str, tuple[datetime.datetime, str]] = {}
    for row in rows:
        name = " ".join(row["organisation"].split())
        identity = stix.organisation_identity_id(name)
        if identity not in first or row["first"] < first[identity][0]:
            first[identity] = (row["first"], name)
    entries = [
        Entry(moment, ORGANISATION, name, 0, identity, stix.EPOCH)
        for identity, (moment, name) in first.items()
    ]
    return sorted(
        (entry for entry in entries if _wanted(filters, entry)), key=lambda entry: entry.key
    )


def _contribution_entries(reader: Reader, sector: str, filters: Filters) -> list[Entry]:
    if not reader.receives_contributions or not _types_allow(filters, "report"):
        return []
    queryset = _in_collection(
        selectors.contributions_for_reader(user=reader.user, clearance=reader.clearance), sector
    )
    if filters.ids is not None:
        wanted = {i for i in filters.ids if i.startswith("report--")}
        pks = [
            pk
            for pk in queryset.values_list("pk", flat=True).iterator(chunk_size=10_000)
            if stix.contribution_report_id(pk) in wanted
        ]
        queryset = queryset.filter(pk__in=pks)
    if filters.version_moments and not {"all", "first", "last"} & set(filters.versions):
        queryset = queryset.filter(updated_at__in=filters.version_moments)
    rows = (
        queryset.filter(_after_q(filters, CONTRIBUTION, "updated_at", "pk"))
        .order_by("updated_at", "pk")
        .values_list("pk", "updated_at", "created_at")[: filters.limit + 2]
    )
    entries = [
        Entry(updated, CONTRIBUTION, pk, 0, stix.contribution_report_id(pk), max(updated, created))
        for pk, updated, created in rows
    ]
    return [entry for entry in entries if _wanted(filters, entry)]


def _digest_queryset(sector: str, filters: Filters) -> QuerySet[Digest]:
    queryset = Digest.objects.filter(status=DigestStatus.PUBLISHED)
    if sector:
        queryset = queryset.filter(sector=sector)
    if filters.ids is not None:
        weeks = set(
            Digest.objects.filter(status=DigestStatus.PUBLISHED)
            .values_list("sector", "week_start", "snapshot__assessment__current__id")
            .distinct()
        )
        wanted = Q(pk__in=[])
        for digest_sector, week, assessment in weeks:
            ids = {stix.digest_report_id(digest_sector, week)}
            if assessment:
                ids.add(_note_id(digest_sector, week, assessment))
            if ids & filters.ids:
                wanted |= Q(sector=digest_sector, week_start=week)
        queryset = queryset.filter(wanted)
    return queryset


def _note_id(sector: str, week: datetime.date, assessment: Any) -> str:
    return stix.stix_id("note", "digest-assessment", f"{sector}:{week}:{assessment}")


def _digest_entries(reader: Reader, sector: str, filters: Filters) -> list[Entry]:
    if not _types_allow(filters, "report", "note"):
        return []
    queryset = _digest_queryset(sector, filters)
    versions = set(filters.versions)
    if filters.version_moments and "all" not in versions:
        queryset = queryset.filter(published_at__in=filters.version_moments)
    elif "all" not in versions:
        # Only the first or the latest published version of each week.
        corrected = Digest.objects.filter(
            status=DigestStatus.PUBLISHED, previous__isnull=False
        ).values("previous_id")
        choice = Q(pk__in=[])
        if "first" in versions:
            choice |= Q(version=1)
        if "last" in versions:
            choice |= ~Q(pk__in=corrected)
        queryset = queryset.filter(choice)
    if filters.types is not None and "report" not in filters.types:
        queryset = queryset.filter(snapshot__assessment__current__id__isnull=False)
    rows = list(
        queryset.filter(_after_q(filters, DIGEST, "published_at", "pk"))
        .order_by("published_at", "pk")
        .values(
            "pk",
            "sector",
            "week_start",
            "version",
            "published_at",
            "previous_id",
            "snapshot__assessment__current__id",
            "snapshot__assessment__current__assessed_at",
        )[: filters.limit + 2]
    )
    entries = []
    for row in rows:
        week, moment = row["week_start"], row["published_at"]
        if moment is None:  # never: published rows have a publication time (a constraint)
            continue
        modified = max(moment, stix.digest_created(week))
        entries.append(
            Entry(
                moment, DIGEST, row["pk"], 0, stix.digest_report_id(row["sector"], week), modified
            )
        )
        if row["snapshot__assessment__current__id"]:
            assessed = datetime.datetime.fromisoformat(
                row["snapshot__assessment__current__assessed_at"]
            )
            note = _note_id(row["sector"], week, row["snapshot__assessment__current__id"])
            entries.append(Entry(moment, DIGEST, row["pk"], 1, note, assessed))
    # A row's versions: what "first"/"last" meant for it was decided in SQL above.
    return [entry for entry in entries if _wanted(filters, entry, versions=versions)]


def page(reader: Reader, coll: Collection, filters: Filters) -> Page:
    """The page of entries after `filters.after` (nothing at all if spec_version rules it out)."""
    if not filters.spec_version_ok:
        return Page(entries=[], more=False)
    sources: list[Callable[[], Iterable[Entry]]] = [
        lambda: _static_entries(reader, filters),
        lambda: _organisation_entries(reader, coll.sector, filters),
        lambda: _contribution_entries(reader, coll.sector, filters),
        lambda: _digest_entries(reader, coll.sector, filters),
    ]
    merged = sorted((entry for source in sources for entry in source()), key=lambda e: e.key)
    return Page(entries=merged[: filters.limit], more=len(merged) > filters.limit)


def build_objects(reader: Reader, entries: list[Entry]) -> list[dict[str, Any]]:
    """The STIX objects of `entries`, in their order: a fixed number of queries."""
    contribution_pks = [e.row for e in entries if e.rank == CONTRIBUTION]
    digest_pks = [e.row for e in entries if e.rank == DIGEST]
    built: dict[tuple[int, int | str, int], Any] = {}
    if contribution_pks:
        rows = selectors.with_stix_rows(
            selectors.contributions_for_reader(user=reader.user, clearance=reader.clearance).filter(
                pk__in=contribution_pks
            )
        )
        for contribution in rows:
            built[(CONTRIBUTION, contribution.pk, 0)] = stix.contribution_objects(contribution)[0]
    if digest_pks:
        views = selectors.digests_with_views(
            pks=[int(pk) for pk in digest_pks], clearance=reader.clearance
        )
        for pk, (digest, view) in views.items():
            report, *notes = stix.digest_objects(digest, view)
            built[(DIGEST, pk, 0)] = report
            if notes:
                built[(DIGEST, pk, 1)] = notes[0]
    objects = []
    for entry in entries:
        if entry.rank == STATIC:
            obj = _static_object(str(entry.row))
        elif entry.rank == ORGANISATION:
            obj = stix.organisation_identity(str(entry.row))
        else:
            obj = built.get((entry.rank, entry.row, entry.part))
        if obj is not None:
            objects.append(stix.as_json(obj))
    return objects


_STATIC_OBJECTS: dict[str, Callable[[], Any]] = {
    **{
        marking: partial(stix.tlp_marking, level) for level, marking in stix.TLP_MARKING_IDS.items()
    },
    stix.PLATFORM_IDENTITY_ID: stix.platform_identity,
    stix.EXTENSION_ID: stix.extension_definition,
    **{stix.location_id(code): partial(stix.location, code) for code in CODES},
}


def _static_object(stix_id: str) -> Any:
    return _STATIC_OBJECTS[stix_id]()
