"""`manage.py tagging_quality`: precision, recall and F1 of the tagger on the labelled set.

Scores one split of the shipped labelled reports (the test split unless told
otherwise), or every report of another file (`--file`, such as the shipped
validation set), per contract family and per language, predicting each report
exactly as `tagtext` does: in-process through the same functions, or with
`--via-tagtext` through the real command in a subprocess. The gold labels never
reach the tagger. Prints a table, or one JSON object with `--json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intel.tagging.engine import tag_jsonl_line
from intel.tagging.evaluation import (
    FAMILIES,
    LABELLED_PATH,
    LANGS,
    SPLITS,
    VALIDATION_PATH,
    LabelledSetError,
    load_labelled,
    load_reports,
    score,
    table_as_dict,
)
from intel.tagging.runtime import current_tagger


class Command(BaseCommand):
    help = "Precision / recall / F1 per family and language on a split of the labelled set."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--split", choices=SPLITS, default="test", help="Which split to score (default: test)."
        )
        parser.add_argument("--labelled", type=Path, default=LABELLED_PATH, help="Labelled file.")
        parser.add_argument(
            "--file",
            type=Path,
            help="Score every report of this JSON Lines file, whatever its split "
            f"(e.g. {VALIDATION_PATH.name}, the validation set).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead.")
        parser.add_argument(
            "--via-tagtext",
            action="store_true",
            help="Tag through `manage.py tagtext` in a subprocess instead of in-process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["split"] if options["file"] is None else str(options["file"])
        try:
            if options["file"] is not None:
                reports = load_reports(options["file"])
            else:
                reports = load_labelled(split=options["split"], path=options["labelled"])
        except (OSError, ValueError, TypeError, LabelledSetError) as exc:
            raise CommandError(f"cannot read labelled reports: {exc}") from exc
        if options["via_tagtext"]:
            predictions = _tagtext_subprocess(reports)
            table = score(reports, lambda obj: predictions[str(obj["id"])])
        else:
            tagger = current_tagger()
            table = score(reports, lambda obj: tag_jsonl_line(tagger, obj))
        sizes = {"all": len(reports), **dict.fromkeys(LANGS, 0)}
        for report in reports:
            sizes[report["lang"]] += 1
        figures = table_as_dict(table, sizes)
        if options["json"]:
            self.stdout.write(json.dumps({"split": name, "subsets": figures}))
            return
        self.stdout.write(f"split: {name} ({len(reports)} reports)")
        header = "subset    n    " + "  ".join(f"{family:^22}" for family in FAMILIES)
        self.stdout.write(header)
        self.stdout.write(" " * 15 + "  ".join(f"{'P     R     F1':^22}" for _ in FAMILIES))
        for subset, row in figures.items():
            cells = "  ".join(
                f"{row[f]['precision']:.3f} {row[f]['recall']:.3f} {row[f]['f1']:.3f}".center(22)
                for f in FAMILIES
            )
            self.stdout.write(f"{subset:<8}{row['reports']:>4}   {cells}")


def _tagtext_subprocess(reports: list[dict]) -> Mapping[str, Mapping[str, Any]]:
    """``{id: tagtext line}`` from the real command, fed ids, titles and bodies only."""
    lines = "".join(
        json.dumps({key: report[key] for key in ("id", "title", "body")}, ensure_ascii=False) + "\n"
        for report in reports
    )
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "tagtext"],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"tagtext failed: {result.stderr.strip()}")
    outputs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {str(output["id"]): output for output in outputs}
