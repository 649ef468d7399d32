"""ISO 3166-1 alpha-2 countries with names in the reader's language (from pycountry).

The one country module of the site: accounts (applications, memberships,
their forms, filters and API) and intel (classification, digests, tags)
both read their codes and names here, and templates through the one
`country_name` filter (`intel.templatetags.intel_tags`). The database keeps
the upper-case code the fixed vocabulary uses.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language

CODES: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _translator(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def _english_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    translate = _translator(language).gettext
    pairs = []
    for country in pycountry.countries:
        if language == "en":
            name = _english_name(country.alpha_2)
        else:
            # Prefer the common name ("Taiwan") where the catalogue has it; the
            # catalogues are otherwise keyed by the ISO short name.
            common = getattr(country, "common_name", None)
            name = translate(common) if common else country.name
            if not common or name == common:
                name = translate(country.name)
        pairs.append((country.alpha_2, name))
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def _language(language: str | None) -> str:
    return (language or get_language() or "en")[:2]


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, in `language` (default: the active one)."""
    return list(_choices(_language(language)))


def country_name(code: str, language: str | None = None) -> str:
    """The name of `code` in `language` (default: the active one); the code itself if unknown."""
    code = (code or "").upper()
    language = _language(language)
    if language == "en":
        return _english_name(code)
    return dict(_choices(language)).get(code, code)
