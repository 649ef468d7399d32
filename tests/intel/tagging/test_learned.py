"""The learned layer's pure core: features, file format, training and the combined decision."""

from __future__ import annotations

import gzip
import json
import math
import pickle
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from intel.tagging.engine import Tagger, default_tagger
from intel.tagging.learned import (
    LearnedModel,
    LearnedTag,
    LearnedTagger,
    ModelError,
    report_features,
)
from intel.tagging.learned_training import Example, Settings, held_out_threshold_f1, train
from intel.tagging.normalise import normalise

ROOT = Path(__file__).resolve().parents[3]
# The shipped labelled set once it exists, else the one beside the tests.
SHIPPED_LABELLED = ROOT / "intel" / "tagging" / "data" / "labelled_reports.jsonl"
LABELLED = (
    SHIPPED_LABELLED
    if SHIPPED_LABELLED.exists()
    else Path(__file__).with_name("labelled_reports.jsonl")
)
PHRASE = "tolling slots were withdrawn"


def labelled() -> list[dict]:
    """The train split (every row of a set without one)."""
    with LABELLED.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row for row in rows if row.get("split", "train") == "train"]


def example(row: dict, weight: float = 1.0) -> Example:
    return Example(
        title=row["title"],
        body=row["body"],
        labels={family: frozenset(row[family]) for family in ("sectors", "signals")},
        weight=weight,
    )


def labels_of(tagger) -> dict[str, list[str]]:
    return {
        family: sorted(label.slug for label in tagger.taxonomy.labels(family))
        for family in ("sectors", "signals")
    }


# A phrase the lexicon does not know, always meaning a supply disruption, in
# reports about different sectors and places.
PHRASE_REPORTS = [
    ("Smelter update", f"Refiners in Ohio said {PHRASE} for the quarter.", "critical-minerals"),
    ("Wafer fabs", f"Foundry customers were told {PHRASE} after the outage.", "semiconductors"),
    ("Cathode plant", f"Two cathode makers confirmed {PHRASE} again this month.", "batteries"),
    ("Grain terminal", f"At the port, {PHRASE} and barges now wait a week.", "food-security"),
    (
        "Drug makers",
        f"Contract manufacturers said {PHRASE} until further notice.",
        "pharmaceuticals",
    ),
    ("Steel plate", f"Yards buying plate heard that {PHRASE} without warning.", "shipbuilding"),
    ("Satellite parts", f"Suppliers of star trackers said {PHRASE} in November.", "space"),
    ("Fibre", f"Carbon fibre buyers say {PHRASE} and lead times doubled.", "advanced-materials"),
]


def phrase_examples(weight: float = 1.0) -> list[Example]:
    return [
        Example(
            title=title,
            body=body,
            labels={"sectors": frozenset({sector}), "signals": frozenset({"supply-disruption"})},
            weight=weight,
        )
        for title, body, sector in PHRASE_REPORTS
    ]


@pytest.fixture(scope="module")
def lexicon():
    return default_tagger()


@pytest.fixture(scope="module")
def base_model(lexicon):
    return train([example(row) for row in labelled()], lexicon=lexicon, labels=labels_of(lexicon))


@pytest.fixture(scope="module")
def phrase_model(lexicon):
    examples = [example(row) for row in labelled()] + phrase_examples(weight=3.0)
    return train(examples, lexicon=lexicon, labels=labels_of(lexicon))


def test_learned_layer_imports_without_django_numpy_or_sklearn():
    # Workers and tagtext load and run models without the training stack.
    code = (
        "import sys\n"
        "from intel.tagging.learned import LearnedModel, LearnedTagger, Thresholds\n"
        "from intel.tagging.engine import default_tagger\n"
        "model = LearnedModel(labels={'sectors': ['energy'], 'signals': []}, features=[' grid '],\n"
        "    bias=[-1.0], weights=[[(0, 3.0)]],\n"
        "    thresholds={'sectors': Thresholds(0.5, 0.4), 'signals': Thresholds(0.5, 0.4)})\n"
        "model = LearnedModel.from_bytes(model.to_bytes())\n"
        "tags = LearnedTagger(default_tagger().taxonomy, model).tag('Grid', 'The grid failed.')\n"
        "assert [t.slug for t in tags.sectors] == ['energy'], tags\n"
        "heavy = ('django', 'numpy', 'sklearn', 'scipy')\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in heavy]\n"
        "assert not heavy, sorted(heavy)\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "Licences now take 45 days; several applications came back unprocessed.",
        "U.S.-China chip curbs: \u201cnew\u201d rules (again)...  Tokyo's reply",
        "出荷前に当局の審査が必要になった。納入が滞っている",
        "ＡＳＭＬの露光装置、輸出規制の対象に（オランダ政府）",
        "Mixed: 経済産業省 said licences for GaN wafers",
        "Café résumé: AI半導体 and under_score words, EV向け電池",
        "𠮷野家の牛丼、タイヤのタイ国向け輸出が止まった",
    ],
)
def test_search_finds_exactly_the_features_training_sees(text):
    # Inference searches the text for the model's features; it must find the
    # same set that training extracted, or the weights would mean something else.
    corpus = [text] + [row["body"] for row in labelled()[:40]]
    features = sorted(set().union(*(report_features("", body) for body in corpus)))
    model = LearnedModel(
        labels={"sectors": [], "signals": []},
        features=features,
        bias=[],
        weights=[[] for _ in features],
        thresholds={},
    )
    index = {feature: i for i, feature in enumerate(features)}
    texts = {"title": normalise("Title: export controls"), "body": normalise(text)}
    expected = {index[f] for f in report_features("Title: export controls", text) if f in index}
    assert model.find(texts) == expected
    # The tagger finds them in the lexicon's own scan, and the same ones.
    found: set[int] = set()
    Tagger(default_tagger().taxonomy, features=features).score(
        "Title: export controls", text, found
    )
    assert found - {-1} == expected


def test_the_lexicon_gives_the_same_results_with_a_models_features_in_its_automaton(
    lexicon, base_model
):
    # Feature keys share the lexicon's automaton (and some of its keys) but
    # are never scored, resolved or read as paraphrase hints.
    with_features = Tagger(lexicon.taxonomy, lexicon.gazetteer, features=base_model.features)
    for row in labelled()[:120]:
        assert with_features.score(row["title"], row["body"], set()) == lexicon.score(
            row["title"], row["body"]
        )
        alone = lexicon.tag(row["title"], row["body"]).to_dict()
        assert with_features.tag(row["title"], row["body"]).to_dict() == alone


def test_scores_as_integer_sums_equal_the_sum_of_the_weights(base_model):
    rng = random.Random(7)
    for _ in range(200):
        present = rng.sample(range(len(base_model.features)), rng.randint(1, 40))
        expected = [
            bias
            + sum(w for i in present for col, w in base_model.weights[i] if col == column)
            / math.sqrt(len(present))
            for column, bias in enumerate(base_model.bias)
        ]
        assert base_model.scores(present) == pytest.approx(expected, abs=1e-5)
    assert base_model.scores([]) == base_model.bias


def test_model_round_trips_through_its_file_format(base_model):
    blob = base_model.to_bytes()
    again = LearnedModel.from_bytes(blob)
    assert again.to_bytes() == blob
    text = labelled()[0]
    assert again.probabilities(text["title"], text["body"]) == pytest.approx(
        base_model.probabilities(text["title"], text["body"]), abs=1e-5
    )


@pytest.mark.parametrize(
    "blob",
    [
        pickle.dumps({"format": "cip-learned-tagger"}),
        b"",
        gzip.compress(b"[1, 2, 3]"),
        gzip.compress(json.dumps({"format": "cip-learned-tagger", "format_version": 99}).encode()),
        gzip.compress(json.dumps({"format": "cip-learned-tagger", "format_version": 1}).encode()),
    ],
)
def test_anything_but_a_model_file_is_refused(blob):
    with pytest.raises(ModelError):
        LearnedModel.from_bytes(blob)


def test_training_is_deterministic(lexicon, base_model):
    again = train([example(row) for row in labelled()], lexicon=lexicon, labels=labels_of(lexicon))
    assert again.to_bytes() == base_model.to_bytes()


def test_thresholds_come_from_cross_validation_and_are_recorded(base_model):
    metrics = base_model.info["metrics"]
    assert set(metrics) == {"sectors", "signals"}
    for figures in metrics.values():
        assert 0 < figures["cv_combined"]["f1"] <= 1
    assert base_model.info["training_size"] == len(labelled())
    for thresholds in base_model.thresholds.values():
        assert 0 < thresholds.weak <= thresholds.model <= 1  # 1: the model alone adds nothing


# Reports in which the phrase appears, none of them a training example.
PHRASE_VALIDATION = [
    ("Copper", f"Cable makers in Chile report {PHRASE} since Monday."),
    ("Magnets", f"Magnet buyers in Osaka were told {PHRASE} this week."),
    ("Vaccines", f"Fill-finish plants say {PHRASE} for two lots."),
    ("Ammonia", f"Fertiliser importers said {PHRASE} at short notice."),
]


def phrase_validation(*, disruption: bool) -> list[Example]:
    signals = frozenset({"supply-disruption"} if disruption else ())
    return [
        Example(title, body, {"sectors": frozenset(), "signals": signals}, source="validation")
        for title, body in PHRASE_VALIDATION
    ]


def test_validation_reports_choose_the_thresholds(lexicon):
    # The lexicon never gives the phrase's signal: whether the model may is
    # decided by what the validation reports say it means.
    examples = [example(row) for row in labelled()] + phrase_examples()
    found = {}
    for disruption in (True, False):
        model = train(
            examples,
            lexicon=lexicon,
            labels=labels_of(lexicon),
            validation=phrase_validation(disruption=disruption),
        )
        assert model.info["thresholds_chosen_on"] == {"validation": 4, "out_of_fold": 0}
        assert model.info["training_size"] == len(examples), "validation reports train nothing"
        tagger = LearnedTagger(lexicon.taxonomy, model)
        found[disruption] = [
            "supply-disruption" in tagger.tag(title, body).as_contract()["signals"]
            for title, body in PHRASE_VALIDATION
        ]
    assert found == {True: [True] * 4, False: [False] * 4}


def test_held_out_estimate_scores_each_half_with_the_other_halfs_thresholds(lexicon, phrase_model):
    right = phrase_validation(disruption=True)
    figures = held_out_threshold_f1(phrase_model, right, lexicon=lexicon)
    signals = figures["signals"]
    assert signals["lexicon_f1"] == 0.0, "the lexicon never gives the phrase's signal"
    # Splits with an empty half are left out; the others find the phrase's
    # signal in the half that did not choose the thresholds.
    assert 0 < len(signals["held_out_f1"]) <= 5
    assert all(f1 > 0.5 for f1 in signals["held_out_f1"])


def test_analysts_reports_choose_thresholds_and_the_tuned_split_does_not(lexicon, base_model):
    accepted = [replace(item, source="accepted") for item in phrase_examples()]
    model = train(
        [example(row) for row in labelled()] + accepted,
        lexicon=lexicon,
        labels=labels_of(lexicon),
    )
    assert model.info["thresholds_chosen_on"] == {"validation": 0, "out_of_fold": len(accepted)}
    # With nothing else to go by, every training example is scored out of fold.
    assert base_model.info["thresholds_chosen_on"] == {
        "validation": 0,
        "out_of_fold": len(labelled()),
    }


def test_model_never_removes_what_the_lexicon_gives(lexicon, base_model):
    tagger = LearnedTagger(lexicon.taxonomy, base_model)
    for row in labelled():
        alone = lexicon.tag(row["title"], row["body"]).as_contract()
        both = tagger.tag(row["title"], row["body"]).as_contract()
        assert set(alone["sectors"]) <= set(both["sectors"])
        assert set(alone["signals"]) <= set(both["signals"])
        assert alone["countries"] == both["countries"]


def test_a_repeated_labelling_pattern_changes_later_predictions(lexicon, base_model, phrase_model):
    title, body = "Aluminium buyers", f"Our European customers say {PHRASE} for December."
    assert "supply-disruption" not in lexicon.tag(title, body).as_contract()["signals"]
    before = LearnedTagger(lexicon.taxonomy, base_model).tag(title, body)
    assert "supply-disruption" not in before.as_contract()["signals"]
    after = LearnedTagger(lexicon.taxonomy, phrase_model).tag(title, body)
    (tag,) = [tag for tag in after.signals if tag.slug == "supply-disruption"]
    assert isinstance(tag, LearnedTag)
    assert tag.source == "model"
    assert tag.probability >= phrase_model.thresholds["signals"].model
    # The evidence is the phrase's n-grams, pointing at the words in the body.
    texts = {feature.text for feature in tag.features}
    assert texts & {"tolling", "tolli", "tolling slots", "slots", "withdrawn", "slots were"}
    for feature in tag.features:
        assert feature.span.field == "body"
        assert body[feature.span.start : feature.span.end].casefold() == feature.text
    assert tag.to_dict()["model"]["features"][0]["text"] == tag.features[0].text


def test_japanese_features_point_at_the_original_characters(lexicon, phrase_model):
    model = replace(phrase_model)
    tagger = LearnedTagger(lexicon.taxonomy, model)
    body = "ＡＳＭＬ向けの出荷が止まり、納入が滞っている。"
    result = tagger.tag("", body)
    for tag in (*result.sectors, *result.signals):
        if isinstance(tag, LearnedTag):
            for feature in tag.features:
                written = body[feature.span.start : feature.span.end]
                assert normalise(written).text == feature.text


def test_training_needs_enough_examples(lexicon):
    with pytest.raises(ValueError, match="at least"):
        train(
            phrase_examples()[:3], lexicon=lexicon, labels=labels_of(lexicon), settings=Settings()
        )
