"""The OASIS validator as the interop tests use it: every export must pass with 0 errors.

Warnings accepted (docs/interop.md says why): {103} ids are UUIDv5, not v4
(deterministic ids are what make a re-export an update); {218} our
report_types are outside the open report-type-ov vocabulary, which names
cyber-threat content only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from stix2validator import ValidationOptions, validate_parsed_json

ACCEPTED_WARNINGS = {"103", "218"}


def assert_valid_stix(data: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Validate a bundle; return it parsed. Fails on any error or unaccepted warning."""
    parsed = json.loads(data) if isinstance(data, str | bytes) else data
    results = validate_parsed_json(parsed, ValidationOptions(version="2.1"))
    results = results if isinstance(results, list) else [results]
    for result in results:
        assert result.is_valid, [str(error) for error in result.errors]
        for warning in result.warnings:
            code = re.search(r"\{(\d+)\}", str(warning))
            assert code and code.group(1) in ACCEPTED_WARNINGS, str(warning)
    return parsed


def objects_of(bundle: dict[str, Any], stix_type: str) -> list[dict[str, Any]]:
    return [obj for obj in bundle["objects"] if obj["type"] == stix_type]
