"""Display names for the codes we store: ISO 3166-1 countries and sector slugs.

Country names come from pycountry (with its own Japanese catalogue), so the
country select reads naturally in either interface language while the database
keeps the upper-case alpha-2 code of DESIGN.md §4.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from intel.vocabulary import Sector


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def _base_language() -> str:
    return (get_language() or "en").split("-")[0]


@cache
def _country_names(language: str) -> dict[str, str]:
    catalogue = _catalogue(language)
    names = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        translated = catalogue.gettext(country.name) if language != "en" else english
        names[country.alpha_2] = translated
    return names


COUNTRY_CODES: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


def country_name(code: str) -> str:
    """The name of `code` in the active language (the code itself if unknown)."""
    return _country_names(_base_language()).get((code or "").upper(), code)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the active language."""
    names = _country_names(_base_language())
    return sorted(names.items(), key=lambda item: item[1].casefold())


SECTOR_LABELS = dict(Sector.choices)


def sector_labels(slugs: list[str]) -> list[str]:
    return [str(SECTOR_LABELS.get(slug, slug)) for slug in slugs]


# Audit actions written by accounts; other apps' actions show as their code
# until they add a label here or their own.
AUDIT_ACTION_LABELS = {
    "application.submit": _("Application submitted"),
    "application.resubmit": _("Application resubmitted"),
    "application.request_info": _("More information requested"),
    "application.approve": _("Application approved"),
    "application.reject": _("Application rejected"),
    "membership.suspend": _("Membership suspended"),
    "membership.reinstate": _("Membership reinstated"),
    "membership.revoke": _("Membership revoked"),
    "membership.grade_change": _("Source grade changed"),
    "invitation.create": _("Invitation sent"),
    "invitation.accept": _("Invitation used"),
    "user.roles_change": _("Roles changed"),
    "account.delete": _("Account deleted"),
}


def action_label(action: str) -> str:
    return str(AUDIT_ACTION_LABELS.get(action, action))
