"""`manage.py tagging_quality`: the table's shape, the split it reads, the tagtext path."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intel.tagging.evaluation import FAMILIES, VALIDATION_PATH, load_labelled, load_reports, score

pytestmark = pytest.mark.django_db


def _quality(*args: str) -> dict:
    out = StringIO()
    call_command("tagging_quality", "--json", *args, stdout=out)
    return json.loads(out.getvalue().splitlines()[-1])


def _line(report_id: str, split: str, title: str, **labels: list[str]) -> str:
    return json.dumps(
        {"id": report_id, "lang": "en", "title": title, "body": "", "split": split,
         "sectors": [], "signals": [], "countries": [], **labels}
    )  # fmt: skip


def test_prints_precision_recall_f1_per_family_and_language_for_the_test_split():
    figures = _quality()
    test = load_labelled(split="test")
    assert figures["split"] == "test"
    assert set(figures["subsets"]) == {"all", "en", "ja"}
    assert figures["subsets"]["all"]["reports"] == len(test)
    assert figures["subsets"]["en"]["reports"] + figures["subsets"]["ja"]["reports"] == len(test)
    for subset in figures["subsets"].values():
        for family in FAMILIES:
            assert set(subset[family]) == {"precision", "recall", "f1", "tp", "fp", "fn"}
            assert 0.0 <= subset[family]["f1"] <= 1.0
    # Gold positives (tp + fn) are the test split's labels, none from training.
    for family in FAMILIES:
        counts = figures["subsets"]["all"][family]
        assert counts["tp"] + counts["fn"] == sum(len(r[family]) for r in test)


def test_reads_only_the_requested_split(tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        "\n".join([
            _line("t1", "test", "China tightens gallium export controls", countries=["CN"]),
            _line("r1", "train", "Tariffs on Korean steel", countries=["KR"], signals=["tariff"]),
            _line("r2", "train", "Sanctions on Russian banks", countries=["RU"]),
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    figures = _quality("--labelled", str(labelled))
    assert figures["subsets"]["all"]["reports"] == 1
    countries = figures["subsets"]["all"]["countries"]
    assert (countries["tp"], countries["fp"], countries["fn"]) == (1, 0, 0)
    # Its gold says no signal, so export-control is a false positive here.
    assert figures["subsets"]["all"]["signals"]["fp"] == 1
    train = _quality("--labelled", str(labelled), "--split", "train")
    assert train["subsets"]["all"]["reports"] == 2
    assert train["subsets"]["all"]["countries"]["tp"] == 2


def test_scores_every_report_of_another_file_whatever_its_split(tmp_path):
    probe = tmp_path / "probe.jsonl"
    lines = [
        _line("p1", "train", "Sanctions on Russian banks", countries=["RU"]),
        json.dumps(
            {"id": "p2", "lang": "en", "title": "Tariffs on Korean steel", "body": "",
             "sectors": [], "signals": ["tariff"], "countries": ["KR"]}
        ),  # no split at all
    ]  # fmt: skip
    probe.write_text("\n".join(lines) + "\n", encoding="utf-8")
    figures = _quality("--file", str(probe))
    assert figures["split"] == str(probe)
    assert figures["subsets"]["all"]["reports"] == 2
    assert figures["subsets"]["all"]["countries"]["tp"] == 2


def test_the_shipped_validation_set_is_scored_and_kept_apart_from_the_labelled_set():
    figures = _quality("--file", str(VALIDATION_PATH))
    validation = load_reports(VALIDATION_PATH)
    assert figures["subsets"]["all"]["reports"] == len(validation) >= 40
    assert not {r["id"] for r in validation} & {r["id"] for r in load_labelled()}


def test_a_probe_line_that_is_not_an_object_is_a_clear_error(tmp_path):
    probe = tmp_path / "probe.jsonl"
    probe.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read labelled reports"):
        _quality("--file", str(probe))


def test_the_tagger_never_sees_gold_labels():
    seen: list[set[str]] = []

    def predict(obj):
        seen.append(set(obj))
        return {"sectors": [], "signals": [], "countries": []}

    score(load_labelled(split="test")[:5], predict)
    assert seen and all(keys == {"id", "title", "body"} for keys in seen)


def test_through_the_real_tagtext_command_gives_the_same_table(tmp_path, monkeypatch):
    # The subprocess gets no usable database, so both sides use the shipped taxonomy.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/none.sqlite3")
    assert _quality("--via-tagtext") == _quality()


def test_unreadable_labelled_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read labelled reports"):
        call_command("tagging_quality", "--labelled", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read labelled reports"):
        call_command("tagging_quality", "--labelled", str(tmp_path / "none"), stdout=StringIO())


def test_text_table_has_a_row_per_subset():
    out = StringIO()
    call_command("tagging_quality", stdout=out)
    rows = [line.split()[0] for line in out.getvalue().splitlines()[3:]]
    assert rows == ["all", "en", "ja"]
