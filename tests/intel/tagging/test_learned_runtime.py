"""The learned layer in the site: versions, training from analysts' work, workers, review page."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from intel.models import ContributionTag, TaggerModel
from intel.reports import services
from intel.tagging import learned_runtime
from intel.tagging.learned import LearnedModel, LearnedTagger
from intel.tagging.learned_runtime import (
    contribution_examples,
    current_model,
    labelled_examples,
    tagger_model_train,
)
from intel.tagging.runtime import current_tagger
from intel.tagging.services import tag_correct
from intel.tagging.tasks import train_tagger
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review
from tests.intel.tagging.test_learned import LABELLED, PHRASE, PHRASE_REPORTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled_set(tmp_path, monkeypatch):
    """The test labelled set with a train/test split, as the shipped file has."""
    path = tmp_path / "labelled.jsonl"
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for index, row in enumerate(rows):
            row["split"] = "test" if index % 4 == 3 else "train"
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    monkeypatch.setattr(learned_runtime, "LABELLED_REPORTS", path)
    return path


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    learned_runtime._cache.clear()
    yield
    learned_runtime._cache.clear()


def accepted_report(author, analyst, django_capture_on_commit_callbacks, **fields):
    report = FieldReportFactory(author=author, **fields)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(contribution=report, actor=author)
    review(report, analyst)
    return report


def phrase_reports_corrected_to_supply_disruption(
    contributor, analyst, django_capture_on_commit_callbacks
):
    """Accepted reports using PHRASE whose signal an analyst corrected to supply-disruption."""
    for report_title, report_body, sector in PHRASE_REPORTS:
        report = accepted_report(
            contributor,
            analyst,
            django_capture_on_commit_callbacks,
            title=report_title,
            summary=report_body,
            body=report_body,
            sectors=[sector],
            signals=["capacity-expansion"],
        )
        tag_correct(
            contribution=report,
            analyst=analyst,
            kind="signal",
            slug="supply-disruption",
            present=True,
        )
        tag_correct(
            contribution=report,
            analyst=analyst,
            kind="signal",
            slug="capacity-expansion",
            present=False,
        )
        services.report_accept(contribution=report, analyst=analyst)


def test_training_uses_the_train_split_only(labelled_set):
    rows = [json.loads(line) for line in labelled_set.read_text(encoding="utf-8").splitlines()]
    train_titles = {row["title"] for row in rows if row["split"] == "train"}
    examples = labelled_examples(labelled_set)
    assert {example.title for example in examples} == train_titles
    assert len(examples) < len(rows)


def test_train_command_adds_a_version_only_when_the_data_changed(labelled_set):
    out = StringIO()
    call_command("train_tagger", labelled=labelled_set, stdout=out)
    first = TaggerModel.objects.get()
    assert first.version == 1
    assert first.training_size == len(labelled_examples(labelled_set))
    assert set(first.metrics) == {"sectors", "signals"}
    assert "version 1" in out.getvalue()
    model = LearnedModel.from_bytes(bytes(first.blob))
    assert model.info["version"] == 1
    assert model.info["training_digest"] == first.digest

    out = StringIO()
    call_command("train_tagger", labelled=labelled_set, stdout=out)
    assert TaggerModel.objects.count() == 1
    assert "no version added" in out.getvalue()
    call_command("train_tagger", labelled=labelled_set, force=True, stdout=StringIO())
    assert list(TaggerModel.objects.values_list("version", flat=True)) == [2, 1]


def test_train_command_evaluates_on_the_test_split(labelled_set, tmp_path):
    out = StringIO()
    output = tmp_path / "model.json.gz"
    call_command(
        "train_tagger", ship=True, labelled=labelled_set, output=output, evaluate=True, stdout=out
    )
    text = out.getvalue()
    test_rows = sum(1 for line in labelled_set.read_text().splitlines() if '"test"' in line)
    assert f"test split: {test_rows} reports" in text
    assert "| lexicon + model | ja |" in text
    assert "each half scored with thresholds chosen on the other half" in text
    assert LearnedModel.from_bytes(output.read_bytes()).info["training_size"] == len(
        labelled_examples(labelled_set)
    )
    # Shipping never writes the database.
    assert not TaggerModel.objects.exists()


def test_periodic_task_is_scheduled_and_idempotent(labelled_set):
    entry = settings.CELERY_BEAT_SCHEDULE["train-tagger"]
    assert entry["task"] == train_tagger.name == "intel.train_tagger"
    assert train_tagger.delay().get() == 1
    assert train_tagger.delay().get() == 1
    assert TaggerModel.objects.count() == 1


def test_analyst_corrections_improve_later_tagging(
    labelled_set, contributor, analyst, django_capture_on_commit_callbacks
):
    # Analysts keep adding the same signal to reports that use a phrase the
    # lexicon does not know; after training, new reports with it get the signal.
    title, body = "Aluminium buyers", f"Our European customers say {PHRASE} for December."
    tagger_model_train()
    assert (
        "supply-disruption"
        not in current_tagger(max_age=0).tag(title, body).as_contract()["signals"]
    )
    phrase_reports_corrected_to_supply_disruption(
        contributor, analyst, django_capture_on_commit_callbacks
    )

    examples = [example for example in contribution_examples() if example.source == "corrected"]
    assert len(examples) == len(PHRASE_REPORTS)
    assert all(example.labels["signals"] == {"supply-disruption"} for example in examples)
    row, created = tagger_model_train()
    assert created and row.version == 2 and row.corrected == len(PHRASE_REPORTS)

    tagger = current_tagger(max_age=0)
    assert isinstance(tagger, LearnedTagger)
    result = tagger.tag(title, body)
    assert "supply-disruption" in result.as_contract()["signals"]


def test_workers_switch_to_a_new_version_after_the_revision_check(labelled_set):
    tagger_model_train()
    first = current_model(max_age=0)
    assert first is not None and first.info["version"] == 1
    tagger_model_train(force=True)
    assert current_model(max_age=3600) is first  # still trusted within the check interval
    assert current_model(max_age=0).info["version"] == 2


def test_a_version_trained_on_the_old_feature_definition_is_retrained(labelled_set):
    tagger_model_train()
    first = TaggerModel.objects.get()
    model = LearnedModel.from_bytes(bytes(first.blob))
    # Before the features moved onto the lexicon's views, no version was recorded.
    del model.info["features"]
    TaggerModel.objects.filter(pk=first.pk).update(blob=model.to_bytes())
    row, created = tagger_model_train()
    assert created
    assert row.version == 2
    assert tagger_model_train() == (row, False)


def test_unreadable_stored_model_falls_back_to_the_shipped_one(labelled_set, caplog):
    TaggerModel.objects.create(
        version=1,
        trained_at="2026-12-01T00:00:00Z",
        training_size=0,
        digest="x",
        blob=b"\x80\x04not a model",
    )
    assert current_model(max_age=0) is learned_runtime.shipped_model()
    assert "cannot be read" in caplog.text


def test_review_page_shows_the_features_behind_a_model_tag(
    labelled_set,
    client_for,
    contributor,
    other_contributor,
    analyst,
    django_capture_on_commit_callbacks,
):
    phrase_reports_corrected_to_supply_disruption(
        contributor, analyst, django_capture_on_commit_callbacks
    )
    tagger_model_train()
    learned_runtime._cache.clear()
    report = FieldReportFactory(
        author=contributor,
        title="Aluminium buyers",
        summary="Customers report trouble.",
        body=f"Our European customers say {PHRASE} for December.",
        sectors=["critical-minerals"],
        signals=["price-shock"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(contribution=report, actor=contributor)
    tag = ContributionTag.objects.get(
        contribution=report, source="auto", kind="signal", slug="supply-disruption"
    )
    assert tag.model_evidence["source"] == "model"
    features = [feature["text"] for feature in tag.model_evidence["features"]]
    assert features

    url = reverse("intel:review_detail", args=[report.pk])
    content = client_for(analyst).get(url).content.decode()
    assert 'data-testid="model-evidence-signal-supply-disruption"' in content
    assert f'<mark class="model-feature">{features[0]}</mark>' in content
    for persona in (contributor, other_contributor):
        assert client_for(persona).get(url).status_code in (403, 404)


def test_tagging_benchmark_measures_the_engine_with_and_without_the_layer(monkeypatch):
    from intel.benchmarks import tagging as benchmark
    from intel.tagging.learned import Thresholds

    model = LearnedModel(
        labels={"sectors": ["energy"], "signals": ["tariff"]},
        features=[" grid ", " levy "],
        bias=[-1.0, -1.0],
        weights=[[(0, 3.0)], [(1, 3.0)]],
        thresholds={"sectors": Thresholds(0.6, 0.5), "signals": Thresholds(0.6, 0.5)},
    )
    monkeypatch.setattr(benchmark, "shipped_model", lambda: model)
    out = StringIO()
    call_command("benchmark", "tagging", "--reports", "4", "--seconds", "0.05", stdout=out)
    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["engine_reports_per_s"] > 0
    assert figures["engine_with_learned_layer_reports_per_s"] > 0
    assert figures["target_met"] == (
        min(figures["engine_reports_per_s"], figures["engine_with_learned_layer_reports_per_s"])
        >= figures["target_reports_per_s"]
    )
    assert any("with the learned layer" in line for line in lines[:-1])


def test_too_few_examples_train_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(learned_runtime, "LABELLED_REPORTS", tmp_path / "missing.jsonl")
    assert tagger_model_train() == (None, False)
    assert train_tagger.delay().get() == 0
    with pytest.raises(CommandError, match="too few"):
        call_command("train_tagger", stdout=StringIO())
    assert not TaggerModel.objects.exists()


def test_training_examples_cost_a_fixed_number_of_queries(
    contributor, analyst, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for index in range(3):
        report = accepted_report(
            contributor, analyst, django_capture_on_commit_callbacks, title=f"Report {index}"
        )
        services.report_accept(contribution=report, analyst=analyst)
    with django_assert_max_num_queries(3):
        examples = list(contribution_examples())
    assert [example.source for example in examples] == ["accepted"] * 3
    assert all(example.labels["signals"] == {"export-control"} for example in examples)
