"""The model shipped in the repository: up to date with the labelled set, used by `tagtext`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from intel.tagging.engine import default_tagger, default_taxonomy
from intel.tagging.learned import LearnedModel, LearnedTagger
from intel.tagging.learned_runtime import SHIPPED_MODEL, labelled_examples, train_model
from intel.tagging.learned_training import examples_digest
from tests.intel.tagging.test_learned import ROOT

REFRESH = "the shipped model is out of date: run `python manage.py train_tagger --ship`"


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return LearnedModel.from_bytes(SHIPPED_MODEL.read_bytes())


def test_shipped_model_was_trained_on_the_current_train_split(shipped):
    examples = labelled_examples()
    assert examples, "the shipped labelled set has a train split"
    assert shipped.info["training_digest"] == examples_digest(examples), REFRESH
    assert shipped.info["training_size"] == len(examples)


def test_shipped_model_is_reproducible_from_the_repository(shipped):
    # Features and weights depend on the labelled set alone; the thresholds
    # also on the lexicon, whose edits need no new model to stay correct.
    again = train_model(labelled_examples(), lexicon=default_tagger())
    assert again.features == shipped.features
    assert again.bias == pytest.approx(shipped.bias, abs=1e-4)
    for mine, theirs in zip(again.weights, shipped.weights, strict=True):
        assert [column for column, _ in mine] == [column for column, _ in theirs]
        assert [weight for _, weight in mine] == pytest.approx(
            [weight for _, weight in theirs], abs=1e-4
        )


def test_tagtext_uses_the_shipped_model_without_a_database(shipped, tmp_path):
    lines = [
        {"id": row_id, "title": title, "body": body}
        for row_id, (title, body) in enumerate(
            (example.title, example.body) for example in labelled_examples()[:60]
        )
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "tagtext"],
        cwd=ROOT,
        env=env,
        input="".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
        capture_output=True,
        text=True,
        check=True,
    )
    tagger = LearnedTagger(default_taxonomy(), shipped)
    expected = [
        {"id": line["id"], **tagger.tag(line["title"], line["body"]).as_contract()}
        for line in lines
    ]
    got = [json.loads(out) for out in result.stdout.splitlines()]
    assert got == expected
    # The command's tagger is the workers' with the shipped layer beside it.
    code = (
        "import django; django.setup()\n"
        "from intel.tagging.runtime import current_tagger\n"
        "tagger = current_tagger()\n"
        "print(type(tagger).__name__, tagger.model.info['training_digest'])\n"
    )
    probe = subprocess.run(  # noqa: S603 - fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "community.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split() == ["LearnedTagger", shipped.info["training_digest"]]
