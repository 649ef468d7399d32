"""`manage.py train_tagger`: train the tagger's learned layer (see docs/tagging.md).

Default: a new model version in the database from the shipped labelled set's
train split plus analyst-classified contributions (nothing is added when
nothing changed, unless `--force`). `--ship`: a model from the train split
alone, written to the repository file `tagtext` falls back to, no database
needed. `--evaluate`: precision / recall / F1 on the labelled set's **test**
split, per family and language, with and without the layer, and the F1 on
each half of the validation reports with thresholds chosen on the other half.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intel.tagging import learned_runtime
from intel.tagging.engine import Tagger, default_tagger, tag_jsonl_line
from intel.tagging.evaluation import FAMILIES as EVALUATED
from intel.tagging.evaluation import score
from intel.tagging.learned import LearnedModel, tagger_with
from intel.tagging.learned_runtime import (
    SHIPPED_MODEL,
    labelled_examples,
    labelled_rows,
    shipped_model,
    tagger_model_train,
    train_model,
    validation_examples,
)
from intel.tagging.learned_training import held_out_threshold_f1


class Command(BaseCommand):
    help = "Train the tagger's learned layer: a new version in the database, or --ship the file."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ship",
            action="store_true",
            help="Train on the labelled train split only and write the shipped model file.",
        )
        parser.add_argument(
            "--output", type=Path, default=SHIPPED_MODEL, help="Where --ship writes the model."
        )
        parser.add_argument(
            "--labelled",
            type=Path,
            help="The labelled set (JSON Lines); default: the shipped one in intel/tagging/data/.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Add a version even when nothing changed."
        )
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Print P/R/F1 on the labelled test split with and without the layer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        labelled: Path = options["labelled"] or learned_runtime.LABELLED_REPORTS
        model: LearnedModel | None
        if options["ship"]:
            examples = labelled_examples(labelled)
            if not examples:
                raise CommandError(f"no train split in {labelled}")
            self.stdout.write(f"training on {len(examples)} labelled reports (train split) …")
            model = train_model(examples, lexicon=default_tagger())
            model.info["version"] = "shipped"
            output: Path = options["output"]
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(model.to_bytes())
            self.stdout.write(f"wrote {output} ({output.stat().st_size:,} bytes)")
            shipped_model.cache_clear()
        elif options["evaluate"]:
            model = shipped_model()
        else:
            self.stdout.write("training on the labelled set and analyst-classified reports …")
            row, created = tagger_model_train(labelled_path=labelled, force=options["force"])
            if row is None:
                raise CommandError(f"too few training examples (labelled set: {labelled})")
            if not created:
                self.stdout.write(f"nothing new since version {row.version}; no version added")
            else:
                self.stdout.write(
                    f"version {row.version}: {row.training_size} examples, "
                    f"{row.contributions} contributions ({row.corrected} corrected)"
                )
            model = LearnedModel.from_bytes(bytes(row.blob))
        if model is not None:
            chosen_on = model.info.get("thresholds_chosen_on", {})
            for family, figures in model.info.get("metrics", {}).items():
                self.stdout.write(
                    f"thresholds chosen on {chosen_on.get('validation', 0)} validation reports "
                    f"and {chosen_on.get('out_of_fold', 0)} out of fold, {family}: "
                    f"{model.thresholds[family].to_json()}; lexicon F1 "
                    f"{figures['cv_lexicon']['f1']:.3f}, with the layer "
                    f"{figures['cv_combined']['f1']:.3f}"
                )
        if options["evaluate"]:
            self._evaluate(labelled, model)

    def _evaluate(self, labelled: Path, model: LearnedModel | None) -> None:
        rows = labelled_rows(labelled, split="test")
        if not rows:
            raise CommandError(f"no test split in {labelled}")
        lexicon = default_tagger()
        taggers: list[tuple[str, Tagger]] = [("lexicon", lexicon)]
        if model is not None:
            taggers.append(("lexicon + model", tagger_with(lexicon, model)))
        self.stdout.write(f"test split: {len(rows)} reports")
        self.stdout.write(
            "| tagger | subset | " + " | ".join(f"{f} P / R / F1" for f in EVALUATED) + " |"
        )
        self.stdout.write("| --- | --- |" + " --- |" * len(EVALUATED))
        for name, tagger in taggers:
            table = score(rows, partial(tag_jsonl_line, tagger))
            for subset, families in table.items():
                cells = [
                    f"{c.precision:.3f} / {c.recall:.3f} / {c.f1:.3f}"
                    for c in (families[family] for family in EVALUATED)
                ]
                self.stdout.write(f"| {name} | {subset} | " + " | ".join(cells) + " |")
        validation = validation_examples()
        if model is None or not validation:
            return
        self.stdout.write(
            f"validation reports ({len(validation)}), each half scored with thresholds "
            "chosen on the other half, five splits:"
        )
        for family, figures in held_out_threshold_f1(model, validation, lexicon=lexicon).items():
            scores = ", ".join(f"{f1:.3f}" for f1 in figures["held_out_f1"])
            self.stdout.write(
                f"  {family}: lexicon F1 {figures['lexicon_f1']:.3f}, with the layer {scores}"
            )
