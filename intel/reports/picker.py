"""The review page's tag picker: readable options per kind, and what a typed name means.

An analyst types what they would say — "Export control", 輸出規制, "stockpile",
"export-control" — and the picker finds the tag: the slug, the English or
Japanese label, or one of the taxonomy's terms, compared after the tagger's
own normalisation (NFKC, width folding) and case folding; failing an exact
match, a name only one tag's slug, labels or terms begin with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from intel.models import TagKind, TaxonomyLabel, TaxonomyTerm
from intel.tagging.normalise import normalise_term
from intel.tagging.runtime import ENGINE_KIND, TAG_KIND

MAX_SUGGESTIONS = 5


@dataclass
class TagOption:
    kind: str
    slug: str
    label_en: str
    label_ja: str
    terms: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The label in the active language (English when there is no Japanese one)."""
        if (get_language() or "en").startswith("ja") and self.label_ja:
            return self.label_ja
        return self.label_en or self.slug

    @property
    def other_label(self) -> str:
        other = self.label_en if self.label == self.label_ja else self.label_ja
        return "" if other == self.label else other

    def match_keys(self) -> set[str]:
        return {
            _key(text) for text in (self.slug, self.label_en, self.label_ja, *self.terms) if text
        }


def _key(text: str) -> str:
    return normalise_term(text).casefold()


def tag_options(*, kind: str | None = None, with_terms: bool = False) -> list[TagOption]:
    """Active tags (of one kind, or every kind), by label; terms only when asked (2 queries)."""
    tag_kinds: dict[str, str] = {str(engine): tag for engine, tag in TAG_KIND.items()}
    labels = TaxonomyLabel.objects.filter(active=True, kind__in=list(tag_kinds))
    if kind is not None:
        labels = labels.filter(kind=ENGINE_KIND[kind])
    if with_terms:
        labels = labels.prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.only("label_id", "text"))
        )
    return [
        TagOption(
            kind=tag_kinds[label.kind],
            slug=label.slug,
            label_en=label.label_en,
            label_ja=label.label_ja,
            terms=[term.text for term in label.terms.all()] if with_terms else [],
        )
        for label in labels.order_by("kind", "label_en", "slug")
    ]


def resolve_tag(*, kind: str, text: str) -> str:
    """The slug `text` names among `kind`'s tags, or a ValidationError saying what to type."""
    key = _key(text)
    if not key:
        raise ValidationError({"slug": _("Type a tag's name, or choose one from the list.")})
    options = tag_options(kind=kind, with_terms=True)
    exact = {option.slug for option in options if key in option.match_keys()}
    if len(exact) == 1:
        return exact.pop()
    starting = exact or {
        option.slug for option in options if any(k.startswith(key) for k in option.match_keys())
    }
    if len(starting) == 1:
        return starting.pop()
    if starting:
        named = [o.label for o in options if o.slug in starting][:MAX_SUGGESTIONS]
        raise ValidationError(
            {"slug": _("“%(text)s” could mean %(names)s: type more of the name.")
             % {"text": text, "names": ", ".join(named)}}
        )  # fmt: skip
    raise ValidationError(
        {
            "slug": _("No %(kind)s is called “%(text)s”.")
            % {"kind": TagKind(kind).label, "text": text}
        }
    )
