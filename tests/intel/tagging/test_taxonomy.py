"""The taxonomy: its JSON form, validation, overrides, and the shipped default."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from intel.tagging.matching import english_variants
from intel.tagging.normalise import normalise_term
from intel.tagging.taxonomy import DEFAULT_PATH, Taxonomy, TaxonomyError

ROOT = Path(__file__).resolve().parents[3]

CONTRACT_SECTORS = [
    "critical-minerals", "semiconductors", "batteries", "energy", "food-security", "defense",
    "ai", "quantum", "robotics", "telecommunications", "pharmaceuticals", "shipbuilding",
    "space", "advanced-materials",
]  # fmt: skip
CONTRACT_SIGNALS = [
    "export-control", "sanctions", "tariff", "supply-disruption", "price-shock",
    "capacity-expansion", "investment", "acquisition", "technology-breakthrough", "regulation",
    "stockpiling", "talent-movement", "cyber-incident",
]  # fmt: skip


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def minimal(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": "t1",
        "sectors": [
            {"slug": "energy", "en": "Energy", "ja": "エネルギー", "terms": {"en": ["oil"]}}
        ],
        "signals": [{"slug": "tariff", "en": "Tariff", "ja": "関税", "terms": {"ja": ["関税"]}}],
    }
    data.update(changes)
    return data


def test_default_taxonomy_has_exactly_the_contract_sectors_and_signals(taxonomy):
    assert [label.slug for label in taxonomy.sectors] == CONTRACT_SECTORS
    assert [label.slug for label in taxonomy.signals] == CONTRACT_SIGNALS


def test_every_label_has_english_and_japanese_labels_and_terms(taxonomy):
    for label in (*taxonomy.sectors, *taxonomy.signals):
        assert label.label_en
        assert label.label_ja
        languages = {term.lang for term in label.terms}
        assert languages == {"en", "ja"}, label.slug
        assert len(label.terms) >= 20, label.slug


def test_countries_are_iso_alpha_2_and_cover_pycountry(taxonomy):
    codes = [label.slug for label in taxonomy.countries]
    assert codes == sorted(codes)
    assert set(codes) == {country.alpha_2 for country in pycountry.countries}
    assert "EU" not in codes


def test_supranational_names_are_not_country_terms(taxonomy):
    country_terms = {normalise_term(t.text) for c in taxonomy.countries for t in c.terms}
    for name in ("EU", "European Union", "欧州連合", "ASEAN", "G7", "OPEC", "NATO", "Brussels"):
        assert normalise_term(name) not in country_terms, name


def _keys(terms) -> set[str]:
    keys = set()
    for term in terms:
        lemma = normalise_term(term.text)
        keys |= english_variants(lemma, verb=False) if lemma.isascii() else {lemma}
    return keys


def test_commodities_map_to_known_sectors_and_never_repeat_their_sectors_terms(taxonomy):
    sector_keys = {label.slug: _keys(label.terms) for label in taxonomy.sectors}
    gallium = next(c for c in taxonomy.commodities if c.slug == "gallium")
    assert gallium.sectors == ("critical-minerals", "semiconductors")
    for commodity in taxonomy.commodities:
        for sector in commodity.sectors:
            # A term in both would count twice towards the sector.
            shared = _keys(commodity.terms) & sector_keys[sector]
            assert not shared, (commodity.slug, sector, shared)


def test_round_trips_through_to_dict(taxonomy):
    again = Taxonomy.from_dict(json.loads(json.dumps(taxonomy.to_dict(), ensure_ascii=False)))
    assert again == taxonomy
    assert again.fingerprint == taxonomy.fingerprint


def test_load_reads_a_json_file(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(minimal()), encoding="utf-8")
    loaded = Taxonomy.load(path)
    assert loaded.version == "t1"
    assert [term.text for term in loaded.sectors[0].terms] == ["oil"]


def test_term_objects_carry_weight_and_case(tmp_path):
    data = minimal(
        countries=[
            {"slug": "US", "terms": {"en": [{"term": "US", "case_sensitive": True, "weight": 0.9}]}}
        ]
    )
    (term,) = Taxonomy.from_dict(data).countries[0].terms
    assert (term.text, term.weight, term.case_sensitive) == ("US", 0.9, True)
    assert Taxonomy.from_dict(data).to_dict()["countries"][0]["terms"]["en"] == [
        {"term": "US", "weight": 0.9, "case_sensitive": True}
    ]


@pytest.mark.parametrize(
    "data",
    [
        minimal(sectors=[{"slug": "Energy!", "terms": {}}]),
        minimal(countries=[{"slug": "usa", "terms": {}}]),
        minimal(commodities=[{"slug": "oil", "sectors": ["nope"], "terms": {}}]),
        minimal(signals=[{"slug": "tariff", "terms": {"fr": ["droits"]}}]),
        minimal(sectors=[{"slug": "energy", "terms": {}}, {"slug": "energy", "terms": {}}]),
        {"sectors": []},
    ],
)
def test_malformed_taxonomies_are_refused(data):
    with pytest.raises(TaxonomyError):
        Taxonomy.from_dict(data)


def test_weight_overrides_make_a_new_version_and_match_terms_loosely(taxonomy):
    changed = taxonomy.with_weight_overrides({("signals", "tariff", "Tariffs"): 0.1})
    assert changed.version.startswith(taxonomy.version + "+w")
    assert changed.fingerprint != taxonomy.fingerprint
    tariff = next(label for label in changed.signals if label.slug == "tariff")
    assert next(t.weight for t in tariff.terms if t.text == "tariffs") == 0.1
    assert taxonomy.with_weight_overrides({("signals", "tariff", "tariffs"): 0.1}) == changed


def test_weight_override_of_an_unknown_term_is_refused(taxonomy):
    with pytest.raises(TaxonomyError):
        taxonomy.with_weight_overrides({("signals", "tariff", "no such phrase"): 0.5})


def test_english_terms_match_their_inflections():
    assert {"sanctions", "sanctioned", "sanctioning"} <= english_variants("sanction", verb=True)
    assert {"export bans", "banned exports"} <= (
        english_variants("export ban", verb=True) | english_variants("ban exports", verb=True)
    )
    assert "rare earths" in english_variants("rare earth", verb=False)
    assert "subsidized" in english_variants("subsidised", verb=True)
    assert "mined" not in english_variants("mine", verb=False)


def test_shipped_json_is_what_the_generator_writes():
    """The countries section is generated; re-running the generator is a no-op."""
    result = subprocess.run(
        [sys.executable, "-m", "intel.tagging.build_default_taxonomy", "--check"],
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, "run: python -m intel.tagging.build_default_taxonomy"


def test_default_path_is_inside_the_package():
    assert DEFAULT_PATH.parent.name == "tagging"
    assert re.fullmatch(r"[\w.+-]+", Taxonomy.load(DEFAULT_PATH).version)
