"""The fixed vocabulary (sector, signal and country slugs) and the domain's fixed scales.

These slugs are a contract with other tools: never rename one. Labels are
translated through the normal catalogues (Japanese in locale/ja).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    CRITICAL_MINERALS = "critical-minerals", _("Critical minerals")
    SEMICONDUCTORS = "semiconductors", _("Semiconductors")
    BATTERIES = "batteries", _("Batteries")
    ENERGY = "energy", _("Energy")
    FOOD_SECURITY = "food-security", _("Food security")
    DEFENSE = "defense", _("Defence")
    AI = "ai", _("Artificial intelligence")
    QUANTUM = "quantum", _("Quantum")
    ROBOTICS = "robotics", _("Robotics")
    TELECOMMUNICATIONS = "telecommunications", _("Telecommunications")
    PHARMACEUTICALS = "pharmaceuticals", _("Pharmaceuticals")
    SHIPBUILDING = "shipbuilding", _("Shipbuilding")
    SPACE = "space", _("Space")
    ADVANCED_MATERIALS = "advanced-materials", _("Advanced materials")


class Signal(models.TextChoices):
    EXPORT_CONTROL = "export-control", _("Export control")
    SANCTIONS = "sanctions", _("Sanctions")
    TARIFF = "tariff", _("Tariff")
    SUPPLY_DISRUPTION = "supply-disruption", _("Supply disruption")
    PRICE_SHOCK = "price-shock", _("Price shock")
    CAPACITY_EXPANSION = "capacity-expansion", _("Capacity expansion")
    INVESTMENT = "investment", _("Investment / subsidy")
    ACQUISITION = "acquisition", _("M&A / foreign acquisition")
    TECHNOLOGY_BREAKTHROUGH = "technology-breakthrough", _("Technology breakthrough")
    REGULATION = "regulation", _("Regulation")
    STOCKPILING = "stockpiling", _("Stockpiling")
    TALENT_MOVEMENT = "talent-movement", _("Talent movement")
    CYBER_INCIDENT = "cyber-incident", _("Cyber incident")


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0, lowest to highest (see `TLP_ORDER`)."""

    CLEAR = "clear", _("TLP:CLEAR")
    GREEN = "green", _("TLP:GREEN")
    AMBER = "amber", _("TLP:AMBER")
    AMBER_STRICT = "amber+strict", _("TLP:AMBER+STRICT")
    RED = "red", _("TLP:RED")


TLP_ORDER: dict[str, int] = {level.value: rank for rank, level in enumerate(Tlp)}


def tlp_allows(clearance: str, level: str) -> bool:
    """True when a reader cleared to `clearance` may see an item marked `level`."""
    return TLP_ORDER[level] <= TLP_ORDER[clearance]


class SourceReliability(models.TextChoices):
    """Admiralty source reliability, from the contributor's vetted trust."""

    A = "A", _("A – Completely reliable")
    B = "B", _("B – Usually reliable")
    C = "C", _("C – Fairly reliable")
    D = "D", _("D – Not usually reliable")
    E = "E", _("E – Unreliable")
    F = "F", _("F – Reliability cannot be judged")


class InformationCredibility(models.IntegerChoices):
    """Admiralty information credibility, the author's judgement of the report itself."""

    CONFIRMED = 1, _("1 – Confirmed by other sources")
    PROBABLY_TRUE = 2, _("2 – Probably true")
    POSSIBLY_TRUE = 3, _("3 – Possibly true")
    DOUBTFUL = 4, _("4 – Doubtful")
    IMPROBABLE = 5, _("5 – Improbable")
    CANNOT_JUDGE = 6, _("6 – Truth cannot be judged")


def choice_label(choices: type[models.Choices], value: str) -> str:
    """The label of `value` in the active language (the value itself if it is not a choice)."""
    return str(choices(value).label) if value in choices.values else value


def sector_labels(slugs: Iterable[str], language: str | None = None) -> list[str]:
    """The sectors' labels in `language` (default: the active one), in the order given."""
    with translation.override(language or translation.get_language()):
        return [choice_label(Sector, slug) for slug in slugs]
