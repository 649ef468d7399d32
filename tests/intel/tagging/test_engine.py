"""The tagging engine: boundaries, scripts, places, evidence, weights, contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from intel.tagging import (
    Tagger,
    Taxonomy,
    default_tagger,
    default_taxonomy,
    tag_jsonl_line,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return default_tagger()


def countries(tagger: Tagger, title: str, body: str = "") -> list[str]:
    return tagger.tag(title, body).as_contract()["countries"]


def test_pure_engine_and_dedup_import_without_django():
    # The Django side (runtime, services, selectors, tasks) lives beside them, never imported.
    code = (
        "import sys\n"
        "import intel.tagging, intel.tagging.engine, intel.tagging.bench\n"
        "import intel.tagging.build_default_taxonomy, intel.tagging.dedup\n"
        "import intel.tagging.evaluation\n"
        "intel.tagging.default_tagger().tag('China', '')\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- word boundaries and scripts ----------------------------------------------


def test_country_name_inside_a_longer_word_does_not_match(tagger):
    assert countries(tagger, "Nigeria expands refinery") == ["NG"]
    assert countries(tagger, "Niger halts uranium exports") == ["NE"]


def test_short_latin_term_needs_word_boundaries(tagger):
    result = tagger.tag("He said the chain of custody was maintained", "")
    assert "ai" not in result.as_contract()["sectors"]
    assert "ai" in tagger.tag("AI-powered drug discovery", "").as_contract()["sectors"]


def test_latin_term_next_to_japanese_still_matches(tagger):
    assert "ai" in tagger.tag("政府、AI開発を支援", "").as_contract()["sectors"]


def test_japanese_terms_match_as_substrings(tagger):
    result = tagger.tag("対中輸出規制を強化", "経済産業省はガリウムの輸出管理を厳格化した。")
    contract = result.as_contract()
    assert "export-control" in contract["signals"]
    assert {"CN", "JP"} <= set(contract["countries"])


def test_short_katakana_terms_do_not_match_inside_longer_katakana_words(tagger):
    assert countries(tagger, "タイヤ需要が回復、マリン事業も好調") == []
    assert countries(tagger, "タイの工場を増強") == ["TH"]


def test_longer_match_hides_the_shorter_one_inside_it(tagger):
    assert countries(tagger, "インドネシアの製錬所") == ["ID"]
    assert countries(tagger, "North Korea tests a missile") == ["KP"]
    assert countries(tagger, "Papua New Guinea copper mine") == ["PG"]


def test_partial_overlaps_both_count(tagger):
    assert set(countries(tagger, "日米韓が首脳会談")) == {"JP", "US", "KR"}
    assert set(countries(tagger, "日英伊の次期戦闘機")) == {"JP", "GB", "IT"}


def test_short_codes_match_only_in_capitals(tagger):
    assert countries(tagger, "US imposes tariffs", "") == ["US"]
    assert countries(tagger, "Suppliers told us prices would rise", "") == []
    assert countries(tagger, "Prices above US$1,000 a tonne", "") == []


def test_one_kanji_prefix_counts_only_without_a_kanji_before_it(tagger):
    assert countries(tagger, "米インテル、新工場") == ["US"]
    assert countries(tagger, "南米チリの銅鉱山") == ["CL"]
    assert countries(tagger, "北米メーカーの動向") == []


# --- places -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The EU agreed new rules",
        "European Union ministers met",
        "Brussels proposes a tariff",
        "ASEAN leaders met",
        "欧州連合（EU）が新規制",
        "東南アジア諸国連合の会合",
        "G7 and OPEC statements",
        "NATO allies",
    ],
)
def test_supranational_bodies_never_become_countries(tagger, text):
    assert countries(tagger, text) == []


def test_supranational_bodies_are_reported_as_blocs(tagger):
    result = tagger.tag("Brussels and ASEAN respond", "欧州連合も懸念を示した。")
    assert {tag.slug for tag in result.blocs} == {"eu", "asean"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dutch chip toolmaker", "NL"),
        ("Beijing retaliates", "CN"),
        ("米国が関税を発表", "US"),
        ("オランダ政府が規制", "NL"),
        ("The Hague tightens rules", "NL"),
        ("Seoul responds", "KR"),
        ("Taipei says", "TW"),
        ("Korean battery makers", "KR"),
        ("the Kremlin said", "RU"),
        ("豪州のリチウム", "AU"),
        ("Türkiye and Turkey", "TR"),
    ],
)
def test_demonyms_capitals_and_japanese_names(tagger, text, code):
    assert countries(tagger, text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "china clay and bone china exports",
        "a guinea pig study",
        "turkey prices before the holiday",
        "Chad Bown of PIIE said",
        "Jordan Peterson spoke",
        "a plant in Georgia",
        "中国電力の火力発電所",
        "自由で開かれたインド太平洋",
    ],
)
def test_ambiguous_names_stay_quiet(tagger, text):
    assert countries(tagger, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("New Mexico lawmakers", ["US"]), ("a New Jersey drugmaker", ["US"]), ("Jersey City", ["US"])],
)
def test_us_states_named_after_another_place_are_the_us_never_that_place(tagger, text, expected):
    assert tagger.tag(text, "").as_contract()["countries"] == expected


# --- families, evidence, weights ----------------------------------------------


def test_commodity_implies_its_sectors(tagger):
    result = tagger.tag("", "Exporters of gallium now need a licence.")
    assert "critical-minerals" in result.as_contract()["sectors"]
    assert [tag.slug for tag in result.commodities] == ["gallium"]
    focus = tagger.tag("Gallium export curbs", "Gallium prices doubled for chipmakers.")
    assert {"critical-minerals", "semiconductors"} <= set(focus.as_contract()["sectors"])


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Lithium miner expands", "The lithium mine in the Pilbara adds a second pit."),
        ("リチウム鉱山を拡張", "豪州のリチウム鉱山が新たな採掘区画を開く。"),
        ("Graphite output rises", "The graphite mine raised output for the third quarter."),
    ],
)
def test_a_commoditys_second_sector_needs_evidence_of_its_own(tagger, title, body):
    # Lithium is a critical mineral first and a battery material second: a
    # mining story about it is not a battery story until batteries come up.
    sectors = tagger.tag(title, body).as_contract()["sectors"]
    assert "critical-minerals" in sectors
    assert "batteries" not in sectors
    with_batteries = tagger.tag(title, body + " It supplies cathode makers for EV batteries.")
    assert "batteries" in with_batteries.as_contract()["sectors"]


def test_spans_point_at_the_original_text(tagger):
    title = "ＥＵ and China: export  controls"
    result = tagger.tag(title, "中国の輸出規制")
    (signal,) = [tag for tag in result.signals if tag.slug == "export-control"]
    texts = {(span.field, title[span.start : span.end]) for span in signal.spans}
    assert ("title", "export  controls") in texts
    assert any(span.field == "body" and span.text == "輸出規制" for span in signal.spans)


def test_spans_stay_right_after_characters_outside_the_basic_plane(tagger):
    body = "😀😀中国の輸出規制"
    (country,) = tagger.tag("", body).countries
    (span,) = country.spans
    assert (span.start, span.end, body[span.start : span.end]) == (2, 4, "中国")


def test_terms_never_match_across_character_boundaries(tagger):
    # The UTF-16 bytes of 「ぼ玌橂」 contain those of 「米豪」 one byte off.
    assert "米豪".encode("utf-16-be") == "ぼ玌橂".encode("utf-16-be")[1:5]
    assert countries(tagger, "ぼ玌橂") == []


def test_random_text_never_breaks_spans(tagger):
    pieces = [
        "China",
        " the US ",
        "輸出規制",
        "ＡＩ",
        "ｶﾞﾘｳﾑ",
        "…",
        "ﬁ",
        "e\u0301",
        "😀",
        "\n\n",
        "-",
    ]
    for count in range(1, 40):
        body = "".join(pieces[(count * index) % len(pieces)] for index in range(count))
        result = tagger.tag(body[:7], body)
        for family in (result.sectors, result.signals, result.countries, result.commodities):
            for tag in family:
                for span in tag.spans:
                    source = body[:7] if span.field == "title" else body
                    assert source[span.start : span.end] == span.text


def test_title_matches_weigh_more_than_body_matches(tagger):
    in_title = tagger.tag("Sanctions on shipping firms", "")
    in_body = tagger.tag("", "Sanctions on shipping firms")
    assert in_title.signals[0].score == 2 * in_body.signals[0].score


def test_a_single_weak_body_mention_is_not_enough(tagger):
    assert tagger.tag("", "The company cited energy costs.").as_contract()["sectors"] == []
    assert tagger.tag("", "Prices were broadly stable.").as_contract()["signals"] == []


def test_results_are_sorted_by_score_then_slug(tagger):
    result = tagger.tag("Lithium and cobalt", "Lithium battery makers in China and Chile.")
    for family in (result.sectors, result.signals, result.countries):
        keys = [(-tag.score, tag.slug) for tag in family]
        assert keys == sorted(keys)


def test_lowering_a_term_weight_changes_the_result():
    taxonomy = default_taxonomy()
    title, body = "", "Washington announced new sanctions on Russian banks."
    assert "sanctions" in Tagger(taxonomy).tag(title, body).as_contract()["signals"]

    quieter = taxonomy.with_weight_overrides({("signals", "sanctions", "sanctions"): 0.2})
    assert quieter.version != taxonomy.version
    assert "sanctions" not in Tagger(quieter).tag(title, body).as_contract()["signals"]
    # The original taxonomy's cached automaton is untouched.
    assert "sanctions" in Tagger(taxonomy).tag(title, body).as_contract()["signals"]


def test_taggers_share_one_automaton_per_taxonomy_version():
    taxonomy = default_taxonomy()
    assert Tagger(taxonomy)._matcher is Tagger(Taxonomy.load())._matcher


def test_to_dict_is_json_ready(tagger):
    data = tagger.tag("China restricts graphite exports", "").to_dict()
    assert json.loads(json.dumps(data))["taxonomy_version"] == default_taxonomy().version
    assert data["signals"][0]["spans"][0] == {
        "field": "title",
        "start": 6,
        "end": 15,
        "text": "restricts",
    }


# --- the tagtext contract -----------------------------------------------------


def test_tag_jsonl_line_returns_the_contract_shape(tagger):
    line = {"id": 7, "title": "Beijing bans gallium exports", "body": "中国商務省が発表した。"}
    out = tag_jsonl_line(tagger, line)
    assert list(out) == ["id", "sectors", "signals", "countries"]
    assert out["id"] == 7
    assert out["countries"] == ["CN"]
    assert "export-control" in out["signals"]
    assert all(isinstance(slug, str) for key in ("sectors", "signals") for slug in out[key])


def test_tag_jsonl_line_treats_missing_text_as_empty(tagger):
    assert tag_jsonl_line(tagger, {"id": "a"}) == {
        "id": "a",
        "sectors": [],
        "signals": [],
        "countries": [],
    }
    assert tag_jsonl_line(tagger, {"id": "b", "title": None, "body": "Japan"})["countries"] == [
        "JP"
    ]


# --- numeric price moves --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "shock"),
    [
        ("Spot prices rose 25% in a week.", True),
        ("Quotes jumped about 40 per cent after the announcement.", True),
        ("LNG prices in North Asia rose 25% in a week.", True),
        ("コバルト価格は1か月で6割上昇した。", True),
        ("スポット価格が40％上昇した。", True),
        ("Spot assessments for the grade are up about 18% since Monday.", True),
        ("The benchmark rose by approximately 22 per cent in five sessions.", True),
        ("Quotations have risen by some 25 to 30 per cent within a fortnight.", True),
        ("相場は2週間で3割高となった。", True),
        ("Offers from other mills are up 25-30% since the fire.", True),  # a range
        ("Prompt spot is up 23% since Friday's close.", True),
        ("輸入価格は2か月で1.6倍になった。", True),  # a multiple
        ("見積もりは昨年同期のほぼ倍です。", True),  # 倍 alone: twice
        ("運賃は前年の1.1倍にとどまった。", False),  # a tenth more
        ("見積もり依頼の件数が前月の2倍になった。", False),  # demand, not price
        ("Offers are up 5-8% on the month.", False),
        ("Spot assessments for the grade are up about 8% since Monday.", False),
        ("Wheat prices rose 8% today.", False),  # a single-digit move is ordinary news
        ("Prices were 25% of last year's total.", False),  # a share, not a move
        ("Output rose 25% but prices held.", False),  # the number alone is not enough
    ],
)
def test_numeric_price_moves_count_from_fifteen_percent(tagger, body, shock):
    signals = tagger.tag("", body).as_contract()["signals"]
    assert ("price-shock" in signals) is shock


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("Warsaw doubles its call-off of 155mm shells", "defense"),
        ("Comms satellite for a Toulouse prime runs five months late", "telecommunications"),
        ("Comms satellite for a Toulouse prime runs five months late", "space"),
        ("Distributor designated for selling microcontrollers and FPGAs", "semiconductors"),
        ("中国商務部、PPS樹脂に反ダンピング調査", "advanced-materials"),
        ("Prepreg deliveries to aerospace customers slip", "advanced-materials"),
        ("Fishmeal offers jump after a poor anchovy season", "food-security"),
        ("ホタテの水産加工、ベトナムへ", "food-security"),
    ],
)
def test_named_products_give_their_sector(tagger, title, sector):
    assert sector in tagger.tag(title, "").as_contract()["sectors"]


def test_numeric_price_move_is_evidence_with_its_span(tagger):
    tag = next(t for t in tagger.tag("", "Spot prices rose 25% in a week.").signals)
    assert tag.slug == "price-shock"
    assert "prices rose 25%" in [span.text for span in tag.spans]


# --- the compiled automaton on disk ---------------------------------------------


def test_compiled_automaton_is_cached_on_disk_and_reused_by_a_new_process(tmp_path):
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from intel.tagging import Tagger, default_taxonomy\n"
        "tagger = Tagger(default_taxonomy(), cache_dir=Path(sys.argv[1]))\n"
        "print(tagger.tag('大連の代理店', 'Gallium export licences').as_contract())\n"
    )
    runs = [
        subprocess.run(  # noqa: S603 - fixed code
            [sys.executable, "-c", code, str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
        for _ in range(2)
    ]  # fmt: skip
    files = list(tmp_path.glob("matcher-*.pickle"))
    assert len(files) == 1
    assert runs[0] == runs[1]
    assert "'CN'" in runs[0] and "export-control" in runs[0]


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path):
    from intel.tagging import engine

    taxonomy = default_taxonomy()
    gazetteer = engine.default_gazetteer()
    path = engine._disk_path(taxonomy, gazetteer, tmp_path)
    path.write_bytes(b"not a pickle")
    matcher = engine._load_or_build(taxonomy, gazetteer, tmp_path)
    assert matcher.automaton is not None
    assert path.read_bytes() != b"not a pickle"
    # An unwritable cache directory only costs the build.
    assert engine._load_or_build(taxonomy, gazetteer, tmp_path / "file" / "x") is not None


def test_the_disk_cache_keeps_only_the_newest_automata(tmp_path, monkeypatch):
    import os

    from intel.tagging import engine

    monkeypatch.setattr(engine, "DISK_CACHE_FILES", 2)
    for age in range(4):
        old = tmp_path / f"matcher-old{age}.pickle"
        old.write_bytes(b"x")
        os.utime(old, (1_000_000 + age, 1_000_000 + age))
    engine._load_or_build(default_taxonomy(), engine.default_gazetteer(), tmp_path)
    kept = sorted(path.name for path in tmp_path.glob("matcher-*.pickle"))
    assert len(kept) == 2
    assert "matcher-old3.pickle" in kept and "matcher-old0.pickle" not in kept
