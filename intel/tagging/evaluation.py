"""The shipped labelled reports, their fixed split, and how tagging is scored on them.

Owns the labelled set's location and shape (``data/labelled_reports.jsonl``:
one ``{"id", "lang", "title", "body", "sectors", "signals", "countries",
"split"}`` object a line), reading it by split, and micro precision / recall /
F1 per contract family and per language. Pure Python with no Django import:
the quality command, the tests and any learned layer read the same reports
the same way. The protocol (who wrote what, and why the test split is never
used for tuning or training) is in docs/tagging.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

LABELLED_PATH = Path(__file__).parent / "data" / "labelled_reports.jsonl"
# Reports written in the fourth round in styles unlike the labelled set's and
# never read while writing the lexicon: they choose the learned layer's
# thresholds and train nothing (docs/tagging.md).
VALIDATION_PATH = Path(__file__).parent / "data" / "validation_reports.jsonl"
FAMILIES = ("sectors", "signals", "countries")
SPLITS = ("train", "test")
LANGS = ("en", "ja")
Split = Literal["train", "test"]
Predict = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class LabelledSetError(ValueError):
    """A labelled line is malformed."""


def _read(path: str | Path, *, required: set[str]) -> Iterator[tuple[int, dict]]:
    """Each non-blank line of a labelled file with its line number, checked for `required`."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            report = json.loads(line)
            if not isinstance(report, dict):
                raise LabelledSetError(f"line {number}: not a JSON object")
            if required - set(report) or report["lang"] not in LANGS:
                raise LabelledSetError(f"line {number}: malformed labelled report")
            yield number, report


def load_labelled(*, split: Split | None = None, path: str | Path = LABELLED_PATH) -> list[dict]:
    """The labelled reports in file order, only those of ``split`` when given."""
    if split is not None and split not in SPLITS:
        raise LabelledSetError(f"unknown split {split!r}; expected one of {SPLITS}")
    reports = []
    for number, report in _read(path, required={"id", "lang", "title", "body", "split", *FAMILIES}):
        if report["split"] not in SPLITS:
            raise LabelledSetError(f"line {number}: malformed labelled report")
        if split is None or report["split"] == split:
            reports.append(report)
    return reports


def load_reports(path: str | Path) -> list[dict]:
    """Every report of a labelled file in file order, whatever its split (or none)."""
    return [
        report for _, report in _read(path, required={"id", "lang", "title", "body", *FAMILIES})
    ]


@dataclass
class Counts:
    """True positives, false positives and false negatives of one family."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


Table = dict[str, dict[str, Counts]]  # subset ("all", "en", "ja") -> family -> counts


def score(reports: Iterable[Mapping[str, Any]], predict: Predict) -> Table:
    """Micro counts per family for all reports and per language.

    ``predict`` takes a ``{"id", "title", "body"}`` object and returns the
    ``tagtext`` line for it; it never sees the gold labels.
    """
    table: Table = {subset: {family: Counts() for family in FAMILIES} for subset in ("all", *LANGS)}
    for report in reports:
        predicted = predict({key: report[key] for key in ("id", "title", "body")})
        for family in FAMILIES:
            gold, got = set(report[family]), set(predicted[family])
            for subset in ("all", report["lang"]):
                counts = table[subset][family]
                counts.tp += len(gold & got)
                counts.fp += len(got - gold)
                counts.fn += len(gold - got)
    return table


def table_as_dict(table: Table, sizes: Mapping[str, int]) -> dict[str, Any]:
    """JSON-ready: ``{subset: {"reports": n, family: {precision, recall, f1, …}}}``."""
    return {
        subset: {
            "reports": sizes.get(subset, 0),
            **{family: counts.as_dict() for family, counts in families.items()},
        }
        for subset, families in table.items()
    }
