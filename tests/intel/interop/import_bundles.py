"""STIX 2.1 bundles the import tests feed in: one built with `stix2`, one in MISP's shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import stix2

TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"

GALLIUM = (
    "China's commerce ministry added gallium and germanium to its export control list; "
    "Japanese semiconductor fabs report licence delays of six weeks and a price shock "
    "for wafers from their suppliers."
)


def stix2_bundle(*, modified: str = "2026-11-20T09:00:00.000Z") -> bytes:
    """A bundle in the shape our exporter writes, built by the OASIS library itself."""
    platform = stix2.Identity(
        id="identity--3f0b8f45-1c3c-5d4a-9a57-1f0e2c6d8b11",
        name="Partner platform",
        identity_class="organization",
        created="2026-01-01T00:00:00.000Z",
        modified="2026-01-01T00:00:00.000Z",
    )
    japan = stix2.Location(
        id="location--6f1f4b3e-6b6d-5f0e-8d9c-7a2a1c3b4d5e",
        country="JP",
        created="2026-01-01T00:00:00.000Z",
        modified="2026-01-01T00:00:00.000Z",
    )
    china = stix2.Location(
        id="location--0c9a7a1e-2b3c-5d4e-9f6a-8b7c6d5e4f3a",
        country="cn",
        created="2026-01-01T00:00:00.000Z",
        modified="2026-01-01T00:00:00.000Z",
    )
    report = stix2.Report(
        id="report--8a6b2f2e-0d2c-5b8f-9e71-3c4d5e6f7a8b",
        created="2026-11-20T09:00:00.000Z",
        modified=modified,
        published="2026-11-19T00:00:00.000Z",
        name="Gallium export licences delay Japanese fabs",
        description=GALLIUM,
        labels=["semiconductors", "export-control"],
        confidence=85,
        created_by_ref=platform.id,
        object_refs=[japan.id, china.id, platform.id],
        object_marking_refs=[TLP2_AMBER_STRICT],
        external_references=[
            {"source_name": "ministry notice", "url": "https://example.org/notice/2026-41"},
            {"source_name": "internal", "external_id": "CIP-4711"},
        ],
    )
    return stix2.Bundle(platform, japan, china, report).serialize().encode()


_MISP_BUNDLE: dict[str, Any] = {
    "type": "bundle",
    "id": "bundle--2f0d6a5c-3f3c-4c2e-9a1e-5d0a8c7b6e41",
    "objects": [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "name": "MISP-ISAC",
            "identity_class": "organization",
        },
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": TLP1_AMBER,
            "created": "2017-01-20T00:00:00.000Z",
            "definition_type": "tlp",
            "name": "TLP:AMBER",
            "definition": {"tlp": "amber"},
        },
        {
            "type": "report",
            "spec_version": "2.1",
            "id": "report--a6ef17d6-91cb-4a05-b10b-2f045daf874c",
            "created_by_ref": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "name": "Rare earth magnet shipments held at port",
            "description": (
                "Customs in Shanghai are holding neodymium magnet shipments bound for "
                "European robotics makers; a supply disruption of at least a month."
            ),
            "published": "2026-11-02T10:16:00Z",
            "report_types": ["threat-report"],
            "labels": ["Threat-Report", 'misp:tool="MISP-STIX-Converter"', "tlp:green"],
            "object_refs": [
                "indicator--91ae0a21-c7ae-4c7f-b84b-b84a7ce53d1f",
                "observed-data--5e384ae7-672c-4250-9cda-3b4da964451a",
                "note--4f8a3cf6-2e52-4a0b-8f6a-8a0e2c9d1b7e",
                "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            ],
            "object_marking_refs": [TLP1_AMBER],
            "x_misp_attribute_count": 2,
            "x_misp_distribution": "1",
        },
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--91ae0a21-c7ae-4c7f-b84b-b84a7ce53d1f",
            "created_by_ref": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "pattern": "[domain-name:value = 'magnet-tracking.example']",
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": "2026-11-02T10:15:00Z",
            "kill_chain_phases": [
                {"kill_chain_name": "misp-category", "phase_name": "Network activity"}
            ],
            "labels": [
                'misp:type="domain"',
                'misp:category="Network activity"',
                'misp:to_ids="True"',
            ],
        },
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": "observed-data--5e384ae7-672c-4250-9cda-3b4da964451a",
            "created_by_ref": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "first_observed": "2026-11-02T10:15:00Z",
            "last_observed": "2026-11-02T10:15:00Z",
            "number_observed": 1,
            "object_refs": ["ipv4-addr--9d7e3b1a-6f4c-5a2b-8e1d-0c3f5a7b9d2e"],
            "labels": ['misp:type="ip-dst"', 'misp:category="Network activity"'],
        },
        {
            "type": "ipv4-addr",
            "spec_version": "2.1",
            "id": "ipv4-addr--9d7e3b1a-6f4c-5a2b-8e1d-0c3f5a7b9d2e",
            "value": "198.51.100.7",
        },
        {
            "type": "note",
            "spec_version": "2.1",
            "id": "note--4f8a3cf6-2e52-4a0b-8f6a-8a0e2c9d1b7e",
            "created_by_ref": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-03T08:00:00.000Z",
            "modified": "2026-11-03T08:00:00.000Z",
            "abstract": "Event report: magnet holds spread to Ningbo",
            "content": (
                "The holds now also apply at Ningbo. Two German robotics integrators "
                "expect stockpiling of magnets through the first quarter."
            ),
            "object_refs": ["report--a6ef17d6-91cb-4a05-b10b-2f045daf874c"],
            "labels": ['misp:data-layer="Event Report"'],
            "x_misp_name": "Magnet holds update",
        },
        {
            "type": "grouping",
            "spec_version": "2.1",
            "id": "grouping--1b2c3d4e-5f60-4718-9a0b-c1d2e3f4a5b6",
            "created_by_ref": "identity--a0c22599-9e58-4da4-96ac-7051603fa951",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "name": "Rare earth magnet shipments held at port",
            "context": "suspicious-activity",
            "object_refs": ["indicator--91ae0a21-c7ae-4c7f-b84b-b84a7ce53d1f"],
            "labels": ['misp:tool="MISP-STIX-Converter"'],
        },
        {
            "type": "x-misp-event-note",
            "spec_version": "2.1",
            "id": "x-misp-event-note--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "created": "2026-11-02T10:15:00.000Z",
            "modified": "2026-11-02T10:15:00.000Z",
            "x_misp_value": "analyst comment",
        },
    ],
}


def misp_dict() -> dict[str, Any]:
    """A MISP STIX 2.1 export (misp-stix's shape), as a dict a test may break."""
    return copy.deepcopy(_MISP_BUNDLE)


def misp_bundle() -> bytes:
    return json.dumps(misp_dict()).encode()
