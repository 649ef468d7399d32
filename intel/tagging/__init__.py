"""The tagging engine: sectors, signals, countries and commodities for report text.

Pure Python with no Django import, so Celery workers, the ``tagtext`` command
and the benchmarks all call the same code. Typical use::

    from intel.tagging import default_tagger

    result = default_tagger().tag(title, body)
    result.as_contract()  # {"sectors": [...], "signals": [...], "countries": [...]}

The engine modules (and `dedup`, the near-duplicate core) stay pure. The
Django side sits beside them and is never imported from here: `runtime` (the
tagger built from the taxonomy tables), `services` (automatic tags,
corrections, clusters), `selectors` (the review page's tags and clusters) and
`tasks` (the worker's task).
"""

from __future__ import annotations

from intel.tagging.engine import (
    Span,
    Tag,
    Tagger,
    TagResult,
    default_tagger,
    default_taxonomy,
    tag_jsonl_line,
)
from intel.tagging.normalise import NormalisedText, normalise
from intel.tagging.taxonomy import Label, Scoring, Taxonomy, TaxonomyError, Term

__all__ = [
    "Label",
    "NormalisedText",
    "Scoring",
    "Span",
    "Tag",
    "TagResult",
    "Tagger",
    "Taxonomy",
    "TaxonomyError",
    "Term",
    "default_tagger",
    "default_taxonomy",
    "normalise",
    "tag_jsonl_line",
]
