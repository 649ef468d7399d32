"""Which taxonomy terms produced a piece of evidence (pure; used by the feedback layer).

An automatic tag stores the text it matched ("restricting exports"); the
feedback layer needs the taxonomy term behind it ("restrict exports") to
re-weight. The engine expands each term into its keys (inflections, spelling
variants); a term produced the evidence when one of its keys equals the
normalised evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from intel.tagging.matching import term_keys
from intel.tagging.normalise import normalise_term
from intel.tagging.taxonomy import Kind, Taxonomy


def matching_terms(taxonomy: Taxonomy, kind: Kind, slug: str, evidence: Iterable[str]) -> set[str]:
    """The texts of `slug`'s terms whose keys match any of the `evidence` strings."""
    wanted = {normalise_term(text) for text in evidence}
    if not wanted:
        return set()
    found = set()
    for label in taxonomy.labels(kind):
        if label.slug != slug:
            continue
        for term in label.terms:
            if term_keys(normalise_term(term.text), term, kind) & wanted:
                found.add(term.text)
    return found
