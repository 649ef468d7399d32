"""Reading a partner's STIX 2.1 bundle: parse, validate, and map to what we import.

Pure functions over the uploaded bytes (no database): `read_bundle` either
returns every `report` and `note` with text as an `ImportItem`, with the
counts of what it skipped, or raises `BundleError` listing every problem it
found (object index and id, and what is wrong), so the service can refuse the
whole bundle before it writes anything. Objects are checked by the OASIS
`stix2` library (`stix2.parse`, custom properties and objects allowed, as
MISP's `x_misp_*` and OpenCTI's `x_opencti_*` are everywhere); types we do
not import are counted by type and skipped. See docs/interop.md ("Import").
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import stix2
from django.utils.translation import gettext as _
from stix2.exceptions import STIXError

from intel.countries import CODES
from intel.interop import stix
from intel.text import detect_language, has_visible_text, strip_bidi_controls
from intel.validation import EARLIEST_DATE, MAX_EVIDENCE_LINKS
from intel.vocabulary import TLP_ORDER, Tlp

# As much as a JSON request body may hold (DATA_UPLOAD_MAX_MEMORY_SIZE), so the
# upload page and the API accept the same bundles.
MAX_BYTES = 2 * 1024 * 1024
MAX_OBJECTS = 5_000
# How many problems a refusal lists: enough to fix a bundle, not a wall of text.
MAX_PROBLEMS = 50
IMPORTED_TYPES = ("report", "note")
# What an unmarked object is handled as: a partner that shares without a
# marking has not said it may go further than our analysts and cleared readers.
DEFAULT_TLP = Tlp.AMBER

TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 50_000

# The well-known marking-definition ids: TLP 2.0 (the ones we export,
# `intel.interop.stix`) and TLP 1.0 (STIX 2.1 specification, section 7.2.1.4).
TLP_MARKING_IDS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
    **{marking_id: level for level, marking_id in stix.TLP_MARKING_IDS.items()},
}
# TLP names as markings and MISP tags spell them ("tlp:white" is TLP 1.0's CLEAR).
_TLP_NAMES: dict[str, str] = {
    "white": Tlp.CLEAR,
    "clear": Tlp.CLEAR,
    "green": Tlp.GREEN,
    "amber": Tlp.AMBER,
    "amber+strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}


class BundleError(Exception):
    """The bundle cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportItem:
    """One partner object as it becomes a field report in review."""

    stix_id: str
    stix_type: str
    modified: datetime.datetime
    title: str
    summary: str
    body: str
    date_observed: datetime.date
    tlp: str
    information_credibility: int
    language: str
    links: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass
class ReadBundle:
    items: list[ImportItem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def tlp_from_name(name: str) -> str | None:
    """Our TLP for "TLP:AMBER", "tlp:amber+strict", "white" …; None if it is not one."""
    value = name.strip().lower().removeprefix("tlp:").strip()
    return _TLP_NAMES.get(value)


def _marking_tlp(marking: Mapping[str, Any]) -> str | None:
    """The TLP a marking-definition object in the bundle stands for, if any."""
    known = TLP_MARKING_IDS.get(str(marking.get("id", "")))
    if known:
        return known
    definition = marking.get("definition")
    if marking.get("definition_type") == "tlp" and isinstance(definition, Mapping):
        return tlp_from_name(str(definition.get("tlp", "")))
    for extension in (marking.get("extensions") or {}).values():
        if isinstance(extension, Mapping) and "tlp_2_0" in extension:
            return tlp_from_name(str(extension["tlp_2_0"]))
    return tlp_from_name(str(marking.get("name", "")))


def _object_tlp(obj: Mapping[str, Any], markings: Mapping[str, str]) -> str:
    """The most restrictive TLP among the object's markings and MISP `tlp:` labels."""
    levels = [markings[ref] for ref in obj.get("object_marking_refs", ()) if ref in markings]
    levels += [
        level
        for label in obj.get("labels", ())
        if str(label).lower().startswith("tlp:") and (level := tlp_from_name(str(label)))
    ]
    if not levels:
        return DEFAULT_TLP
    return max(levels, key=TLP_ORDER.__getitem__)


def credibility_from_confidence(confidence: int | None) -> int:
    """Admiralty credibility for a STIX `confidence` (the specification's appendix
    scale: 1 confirmed at 80–100 … 5 improbable below 20; none: 6, cannot be judged)."""
    if confidence is None:
        return 6
    for floor, credibility in ((80, 1), (60, 2), (40, 3), (20, 4)):
        if confidence >= floor:
            return credibility
    return 5


def _line(text: str, limit: int) -> str:
    """One visible line of at most `limit` characters (titles and summaries)."""
    line = " ".join(strip_bidi_controls(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).date()
    return datetime.date.fromisoformat(str(value)[:10])


def _timestamp(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _references(obj: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Web addresses (at most the evidence-link limit) and the rest as text lines."""
    links: list[str] = []
    lines: list[str] = []
    for reference in obj.get("external_references", ()):
        url = str(reference.get("url", "")).strip()
        name = str(reference.get("source_name", "")).strip()
        external_id = str(reference.get("external_id", "")).strip()
        described = " ".join(part for part in (name, external_id) if part)
        is_web = url.startswith(("https://", "http://"))
        if is_web and url not in links and len(links) < MAX_EVIDENCE_LINKS:
            links.append(url)
        elif url or described:
            lines.append(" ".join(part for part in (described, url) if part))
    return links, lines


def _texts(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """(title, summary, main text) of a report or note; the main text may be empty."""
    if obj["type"] == "report":
        text = str(obj.get("description", "")).strip()
        title = str(obj.get("name", ""))
        summary = text
    else:
        text = str(obj.get("content", "")).strip()
        abstract = str(obj.get("abstract", "")).strip()
        title = abstract or text.split("\n", 1)[0]
        summary = abstract or text
    return _line(title, TITLE_MAX), _line(summary, SUMMARY_MAX), text


def _body(
    obj: Mapping[str, Any], text: str, *, authors: Mapping[str, str], lines: Iterable[str]
) -> str:
    """The main text, then what else the partner said, so analysts and the tagger read it."""
    parts = [text]
    creator = authors.get(str(obj.get("created_by_ref", "")))
    if creator:
        parts.append(_("Created by: %(name)s") % {"name": creator})
    labels = [str(label) for label in obj.get("labels", ()) if not str(label).startswith("tlp:")]
    if labels:
        parts.append(_("Labels: %(labels)s") % {"labels": ", ".join(labels)})
    authors_ = obj.get("authors")
    if authors_:
        parts.append(_("Authors: %(names)s") % {"names": ", ".join(map(str, authors_))})
    lines = list(lines)
    if lines:
        parts.append(_("References:") + "\n" + "\n".join(f"- {line}" for line in lines))
    parts.append(_("Imported STIX object: %(id)s") % {"id": obj["id"]})
    return "\n\n".join(part for part in parts if part)[:BODY_MAX]


def _countries(obj: Mapping[str, Any], locations: Mapping[str, str]) -> tuple[str, ...]:
    found = (locations.get(ref) for ref in obj.get("object_refs", ()))
    return tuple(dict.fromkeys(code for code in found if code))


def _parse_json(raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        raise BundleError(
            [
                _("The file is %(size)s bytes; a bundle may be at most %(limit)s bytes.")
                % {"size": len(raw), "limit": MAX_BYTES}
            ]
        )
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BundleError([_("The file is not UTF-8 text, so it is not a STIX bundle.")]) from None
    except RecursionError:
        raise BundleError(
            [_("The file's JSON is nested too deeply to be a STIX bundle.")]
        ) from None
    except json.JSONDecodeError as error:
        raise BundleError(
            [
                _("The file is not JSON (line %(line)s, column %(column)s: %(reason)s).")
                % {"line": error.lineno, "column": error.colno, "reason": error.msg}
            ]
        ) from None


def _bundle_objects(data: Any) -> list[Any]:
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise BundleError([_('This JSON is not a STIX bundle (its "type" is not "bundle").')])
    if "spec_version" in data:
        # STIX 2.0 bundles carry spec_version; 2.1 moved it onto each object.
        raise BundleError(
            [
                _("This is a STIX %(version)s bundle; only STIX 2.1 can be imported.")
                % {"version": data.get("spec_version")}
            ]
        )
    objects = data.get("objects", [])
    if not isinstance(objects, list):
        raise BundleError([_('The bundle\'s "objects" is not a list.')])
    if len(objects) > MAX_OBJECTS:
        raise BundleError(
            [
                _("The bundle holds %(count)s objects; at most %(limit)s can be imported at once.")
                % {"count": len(objects), "limit": MAX_OBJECTS}
            ]
        )
    return objects


def _check_object(index: int, obj: Any) -> tuple[Mapping[str, Any] | None, str | None]:
    """The object as `stix2` parsed it, or the problem with it."""
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        return None, _("object %(index)s: not a STIX object (no type).") % {"index": index}
    where = f"{index} ({obj.get('id', obj['type'])})"
    if obj.get("spec_version", "2.1") != "2.1":
        return None, _("object %(where)s: spec_version %(version)s, only 2.1 is imported.") % {
            "where": where,
            "version": obj.get("spec_version"),
        }
    try:
        parsed = stix2.parse(obj, allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return None, _("object %(where)s: %(problem)s") % {"where": where, "problem": error}
    return parsed, None


def read_bundle(raw: bytes, *, today: datetime.date) -> ReadBundle:
    """Every importable object of the bundle in `raw`, or `BundleError` listing all problems.

    `today` bounds the date observed (a partner's clock may run ahead; a date
    in the future is refused like a member's would be).
    """
    objects = _bundle_objects(_parse_json(raw))
    problems: list[str] = []
    parsed: list[tuple[int, Mapping[str, Any]]] = []
    seen: set[str] = set()
    for index, obj in enumerate(objects):
        stix_object, problem = _check_object(index, obj)
        if stix_object is None:
            problems.append(str(problem))
            continue
        identifier = str(stix_object["id"])
        if identifier in seen and stix_object["type"] in IMPORTED_TYPES:
            problems.append(
                _("object %(index)s (%(id)s): the same id appears twice in the bundle.")
                % {"index": index, "id": identifier}
            )
        seen.add(identifier)
        parsed.append((index, stix_object))
    if problems:
        raise BundleError(problems[:MAX_PROBLEMS])

    markings: dict[str, str] = dict(TLP_MARKING_IDS)
    locations: dict[str, str] = {}
    authors: dict[str, str] = {}
    for _index, obj in parsed:
        if obj["type"] == "marking-definition" and (level := _marking_tlp(obj)):
            markings[obj["id"]] = level
        elif obj["type"] == "location" and str(obj.get("country", "")).upper() in CODES:
            locations[obj["id"]] = str(obj["country"]).upper()
        elif obj["type"] == "identity":
            authors[obj["id"]] = str(obj.get("name", ""))

    result = ReadBundle()
    for index, obj in parsed:
        kind = str(obj["type"])
        if kind not in IMPORTED_TYPES:
            result.skipped[kind] += 1
            continue
        title, summary, text = _texts(obj)
        if not has_visible_text(text) or not has_visible_text(title):
            result.skipped[_("%(type)s without text") % {"type": kind}] += 1
            continue
        observed = _date(obj.get("published") or obj["created"])
        if not EARLIEST_DATE <= observed <= today:
            problems.append(
                _("object %(index)s (%(id)s): its date %(date)s is not between 1900 and today.")
                % {"index": index, "id": obj["id"], "date": observed.isoformat()}
            )
            continue
        links, lines = _references(obj)
        body = _body(obj, text, authors=authors, lines=lines)
        result.items.append(
            ImportItem(
                stix_id=str(obj["id"]),
                stix_type=kind,
                modified=_timestamp(obj.get("modified") or obj["created"]),
                title=title,
                summary=summary,
                body=body,
                date_observed=observed,
                tlp=_object_tlp(obj, markings),
                information_credibility=credibility_from_confidence(obj.get("confidence")),
                language=detect_language(title, text),
                links=tuple(links),
                countries=_countries(obj, locations),
            )
        )
    if problems:
        raise BundleError(problems[:MAX_PROBLEMS])
    return result
