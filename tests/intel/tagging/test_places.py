"""The gazetteer: places, capitals, agencies and demonyms as country evidence, and its guards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from intel.tagging import Tagger, default_tagger, default_taxonomy
from intel.tagging.places import WEIGHTS, Gazetteer, default_gazetteer

ROOT = Path(__file__).resolve().parents[3]


def countries(title: str, body: str = "") -> list[str]:
    return default_tagger().tag(title, body).as_contract()["countries"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prices rose at a smelter in Dalian", ["CN"]),
        ("Orders from Nagoya and Kaohsiung picked up", ["JP", "TW"]),
        ("A utility buyer in Bavaria signed the contract", ["DE"]),
        ("Our distributor in Wuxi confirmed the shipment", ["CN"]),
        ("Customers in Arizona and Ontario were told to wait", ["CA", "US"]),
        ("Nickel smelters on Sulawesi expect more work", ["ID"]),
        ("大連の代理店によると出荷が遅れている", ["CN"]),
        ("高雄と新竹の工場が稼働した", ["TW"]),
        ("今治の造船所がドックを増設する", ["JP"]),
        ("西オーストラリア州で分離工場が稼働", ["AU"]),
        # Letters NFKD keeps whole are folded too: "Wrocław" is written "Wroclaw".
        ("A cathode plant near Wroclaw adds a line", ["PL"]),
        ("ヨルダンからの調達が増えた", ["JO"]),
        ("成果は英科学誌に掲載された", ["GB"]),
    ],
)
def test_cities_and_regions_point_at_their_country(text, expected):
    assert sorted(countries(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Canberra said the review would finish in May", ["AU"]),
        ("Beijing ordered state firms to add storage", ["CN"]),
        ("BIS now requires a licence for these accelerators", ["US"]),
        ("KOTRA and MOTIE briefed suppliers", ["KR"]),
        ("MOFCOM returned the application", ["CN"]),
        ("商務部への申請が差し戻された", ["CN"]),
        ("国土交通省と防衛装備庁が発表した", ["JP"]),
        ("a Korean yard won the order", ["KR"]),
        ("韓国系の造船グループが買収した", ["KR"]),
        ("防衛装備移転三原則の運用指針を改めた", ["JP"]),
        # "Jersey" and "Georgia" inside a US state's name are the US, never JE or GE.
        ("a New Jersey drugmaker bought the plant", ["US"]),
        ("米ジョージア州に工場を建設する", ["US"]),
        # 「日中」 (Japan and China) inside 「今日中」 (within today) is neither.
        ("連絡文案は今日中に作ります", []),
    ],
)
def test_capitals_agencies_and_demonyms_are_country_evidence(text, expected):
    assert sorted(countries(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A plant in Georgia restarted",  # the country is never read from "Georgia"
        "Jersey cows and Guernsey herds",
        "Margins were nice this quarter",
        "Reading the demand signals cautiously",
        "Mobile processors sold well",
        "Turkey farms report a good season",
        "Producers of china clay report steady demand",
        "Dealers in japanned furniture and chili sauce",
        "チリソースの売れ行きが好調",
        "サムスンの新工場",
        "Brent crude stayed above $70",
    ],
)
def test_ambiguous_names_are_not_read_as_places(text):
    assert countries(text) == []


def test_a_named_country_outranks_a_place_and_places_never_replace_it():
    result = default_tagger().tag("", "Australia and Dalian")
    scores = {tag.slug: tag.score for tag in result.countries}
    assert scores["AU"] > scores["CN"] > 0
    assert WEIGHTS["city"] < WEIGHTS["capital"] == 1.0
    # A taxonomy ignore phrase wins over any gazetteer name inside it, and a longer
    # taxonomy name over a shorter one: the Gulf of Mexico is no country, New Mexico
    # is the US and never Mexico.
    assert countries("Gas from the Gulf of Mexico") == []
    assert countries("Gas from the Gulf of Mexico and New Mexico") == ["US"]


def test_place_evidence_has_spans_like_any_term():
    tag = default_tagger().tag("", "Officials in Kaohsiung said so").countries[0]
    assert tag.slug == "TW"
    assert [span.text for span in tag.spans] == ["Kaohsiung"]


def test_an_empty_gazetteer_leaves_only_the_taxonomy_s_place_names():
    tagger = Tagger(default_taxonomy(), Gazetteer.empty())
    assert tagger.tag("Smelter in Dalian", "").as_contract()["countries"] == []
    assert tagger.tag("Smelter in Beijing", "").as_contract()["countries"] == ["CN"]


def test_shipped_gazetteer_is_compact_valid_and_built_from_the_script():
    gazetteer = default_gazetteer()
    codes = {label.slug for label in default_taxonomy().countries}
    assert len(gazetteer.places) > 5000
    assert {place.country for place in gazetteer.places} <= codes
    assert {place.source for place in gazetteer.places} <= set(WEIGHTS)
    assert all(place.weight == WEIGHTS[place.source] for place in gazetteer.places)
    result = subprocess.run(
        [sys.executable, "-m", "intel.tagging.build_places", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        "data/places.json is stale: run python -m intel.tagging.build_places"
    )
