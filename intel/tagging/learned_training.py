"""Training the learned layer: feature selection, one logistic regression per label, thresholds.

Pure Python with no Django import; scikit-learn and scipy are imported only
here, so inference never loads them. Deterministic: the same examples and
settings give the same model bytes.

Steps:

1. features of every example (`learned.report_features`); keep those found in
   at least `min_df` examples and in at most `max_df` of them, then the
   `max_features` most associated with some label (chi-squared);
2. one L2-regularised logistic regression per sector and signal over binary
   features scaled to unit length, examples weighted (analysts' corrections
   count more); tiny weights are dropped so the model stays small;
3. thresholds per family: the `Thresholds` pair with the best micro F1 of
   the combined decision (lexicon and model together) on reports the lexicon
   was not written from. Those are the validation reports, scored by the
   final model, and the analysts' contributions among the training examples,
   each scored by a k-fold model that did not see it. The shipped labelled
   train split is left out there: its misses were read to write the lexicon,
   so on it the lexicon misses almost nothing and every threshold looks
   useless. With neither kind of report, every training example is scored
   out of fold.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from intel.tagging.engine import Tagger
from intel.tagging.learned import (
    FAMILIES,
    FEATURES_VERSION,
    LearnedModel,
    Thresholds,
    _sigmoid,
    report_features,
)

# Kana endings and particles (ている, して) are grammar, found in nearly every
# Japanese report; they would cost a search hit each and say nothing.
_HIRAGANA_ONLY = re.compile("[\u3041-\u309f]+")


@dataclass(frozen=True)
class Example:
    """A labelled report: text, the gold sectors and signals, and its weight."""

    title: str
    body: str
    labels: dict[str, frozenset[str]]
    weight: float = 1.0
    source: str = "labelled"


# Sources of examples the lexicon's rules were written from (the shipped
# labelled train split): they train the model but do not choose thresholds
# while other reports can.
LEXICON_TUNED_SOURCES = frozenset({"labelled"})


@dataclass(frozen=True)
class Settings:
    min_df: int = 2
    max_df: float = 0.2
    max_features: int = 8000
    regularisation: float = 32.0  # scikit-learn's C
    features_per_label: int = 30
    prune: float = 0.2  # drop weights below this share of the label's largest
    folds: int = 5
    seed: int = 0
    # 1.0: the model alone never gives the label (what reports that show its
    # additions wrong choose).
    thresholds_grid: tuple[float, ...] = tuple(round(0.05 * step, 2) for step in range(4, 21))
    meta: dict[str, Any] = field(default_factory=dict)


def examples_digest(examples: Sequence[Example]) -> str:
    """A digest of the training examples, stored with the model (is it up to date?)."""
    digest = hashlib.sha256()
    for example in examples:
        record = [
            example.title,
            example.body,
            {family: sorted(example.labels.get(family, ())) for family in FAMILIES},
            example.weight,
        ]
        digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def _fit(
    docs: Sequence[set[str]],
    targets: Sequence[Sequence[int]],
    weights: Sequence[float],
    columns: int,
    settings: Settings,
) -> tuple[list[str], list[float], list[list[tuple[int, float]]]]:
    """Features, bias and sparse weights of one model fitted on `docs`."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_selection import chi2
    from sklearn.preprocessing import normalize

    counts: dict[str, int] = {}
    for doc in docs:
        for feature in doc:
            counts[feature] = counts.get(feature, 0) + 1
    ceiling = max(settings.min_df, settings.max_df * len(docs))
    candidates = sorted(
        f
        for f, n in counts.items()
        if settings.min_df <= n <= ceiling and not _HIRAGANA_ONLY.fullmatch(f)
    )
    index = {feature: i for i, feature in enumerate(candidates)}
    y = np.zeros((len(docs), columns), dtype=np.int8)
    for row, labels in enumerate(targets):
        y[row, list(labels)] = 1
    rows, cols = [], []
    for row, doc in enumerate(docs):
        for feature in doc:
            col = index.get(feature)
            if col is not None:
                rows.append(row)
                cols.append(col)
    shape = (len(docs), len(candidates))
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    if len(candidates) > settings.max_features:
        best = np.zeros(len(candidates))
        for column in range(columns):
            if 0 < y[:, column].sum() < len(docs):
                scores, _ = chi2(x, y[:, column])
                best = np.maximum(best, np.nan_to_num(scores))
        # Stable order: the score, then the feature text.
        top = sorted(np.argsort(-best, kind="stable")[: settings.max_features])
        candidates = [candidates[i] for i in top]
        x = x[:, top]
    sample_weight = np.asarray(weights, dtype=float)
    # First pass over every candidate; the second keeps only the features some
    # label leans on most, so inference finds and adds up few of them.
    _bias, first = _regressions(normalize(x, norm="l2"), y, sample_weight, settings)
    keep: set[int] = set()
    for column in range(columns):
        strongest = np.argsort(-np.abs(first[:, column]), kind="stable")
        keep.update(int(i) for i in strongest[: settings.features_per_label] if first[i, column])
    selected = sorted(keep)
    candidates = [candidates[i] for i in selected]
    bias, matrix = _regressions(normalize(x[:, selected], norm="l2"), y, sample_weight, settings)
    sparse_rows = [
        [(int(col), float(matrix[row, col])) for col in np.flatnonzero(matrix[row])]
        for row in range(len(candidates))
    ]
    return candidates, bias, sparse_rows


def _regressions(x: Any, y: Any, sample_weight: Any, settings: Settings) -> tuple[list[float], Any]:
    """Bias and pruned weight matrix (features x columns) of one regression per column."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    docs, columns = y.shape
    bias: list[float] = []
    matrix = np.zeros((x.shape[1], columns))
    for column in range(columns):
        target = y[:, column]
        positives = int(target.sum())
        if positives == 0 or positives == docs:
            # Nothing to learn: a constant, far from any threshold.
            bias.append(-8.0 if positives == 0 else 8.0)
            continue
        classifier = LogisticRegression(
            C=settings.regularisation,
            solver="liblinear",
            random_state=settings.seed,
            max_iter=1000,
        )
        classifier.fit(x, target, sample_weight=sample_weight)
        coef = classifier.coef_[0]
        largest = float(np.abs(coef).max()) or 1.0
        coef = np.where(np.abs(coef) >= settings.prune * largest, coef, 0.0)
        matrix[:, column] = coef
        bias.append(float(classifier.intercept_[0]))
    return bias, matrix


def _model(
    fitted: tuple[list[str], list[float], list[list[tuple[int, float]]]],
    labels: dict[str, list[str]],
    thresholds: dict[str, Thresholds] | None = None,
    info: dict[str, Any] | None = None,
) -> LearnedModel:
    features, bias, weights = fitted
    return LearnedModel(
        labels=labels,
        features=features,
        bias=bias,
        weights=weights,
        thresholds=thresholds or {family: Thresholds() for family in FAMILIES},
        info=info or {},
    )


def _f1(true_positives: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = true_positives / predicted if predicted else 1.0
    recall = true_positives / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


_View = tuple[dict[str, set[str]], dict[str, set[str]]]


def _decision_counts(
    family: str,
    thresholds: Thresholds | None,
    examples: Sequence[Example],
    probabilities: Sequence[dict[tuple[str, str], float]],
    views: Sequence[_View],
    labels: dict[str, list[str]],
) -> tuple[int, int]:
    """(right, given) labels of one family under `thresholds` (None: the lexicon alone)."""
    hits = predicted = 0
    for example, probs, (given, weak) in zip(examples, probabilities, views, strict=True):
        out = set(given[family])
        if thresholds is not None:
            for slug in labels[family]:
                p = probs[(family, slug)]
                if p >= thresholds.model or (slug in weak[family] and p >= thresholds.weak):
                    out.add(slug)
        predicted += len(out)
        hits += len(out & example.labels.get(family, frozenset()))
    return hits, predicted


def _gold(family: str, examples: Sequence[Example]) -> int:
    return sum(len(example.labels.get(family, ())) for example in examples)


def _choose_thresholds(
    examples: Sequence[Example],
    probabilities: Sequence[dict[tuple[str, str], float]],
    views: Sequence[_View],
    labels: dict[str, list[str]],
    grid: Sequence[float],
) -> tuple[dict[str, Thresholds], dict[str, Any]]:
    chosen: dict[str, Thresholds] = {}
    metrics: dict[str, Any] = {}
    for family in FAMILIES:
        gold_total = _gold(family, examples)

        def evaluate(thresholds: Thresholds | None, family: str = family) -> tuple[int, int]:
            return _decision_counts(family, thresholds, examples, probabilities, views, labels)

        best: tuple[float, float, float, float] | None = None
        for model_t in grid:
            for weak_t in grid:
                if weak_t > model_t:
                    continue
                hits, predicted = evaluate(Thresholds(model=model_t, weak=weak_t))
                f1 = _f1(hits, predicted, gold_total)[2]
                # Ties go to the stricter pair: fewer labels the lexicon did not find.
                key = (f1, model_t, weak_t)
                if best is None or key > best[:3]:
                    best = (*key, 0.0)
        chosen[family] = Thresholds(model=best[1], weak=best[2]) if best else Thresholds()
        lexicon_only = _f1(*evaluate(None), gold_total)
        combined = _f1(*evaluate(chosen[family]), gold_total)
        metrics[family] = {
            "cv_lexicon": dict(zip(("precision", "recall", "f1"), lexicon_only, strict=True)),
            "cv_combined": dict(zip(("precision", "recall", "f1"), combined, strict=True)),
        }
    return chosen, metrics


def held_out_threshold_f1(
    model: LearnedModel,
    reports: Sequence[Example],
    *,
    lexicon: Tagger,
    splits: int = 5,
    grid: Sequence[float] = Settings.thresholds_grid,
) -> dict[str, dict[str, Any]]:
    """F1 of the combined decision on reports that did not choose its thresholds.

    Thresholds chosen on validation reports score those reports optimistically.
    Here each of `splits` two-way splits of `reports` (by a hash of their
    text) chooses thresholds on one half and scores the other, both ways
    round. Per family: the lexicon's F1 and one held-out F1 per split.
    """
    labels = model.labels
    probabilities = [model.probabilities(report.title, report.body) for report in reports]
    views = [lexicon_view(lexicon, report.title, report.body) for report in reports]
    held_out: dict[str, list[float]] = {family: [] for family in FAMILIES}

    def pick(indices: list[int]) -> tuple[list[Example], list[Any], list[_View]]:
        return (
            [reports[i] for i in indices],
            [probabilities[i] for i in indices],
            [views[i] for i in indices],
        )

    for split in range(splits):
        halves: tuple[list[int], list[int]] = ([], [])
        for index, report in enumerate(reports):
            text = f"{split}:{report.title}\n{report.body}".encode()
            halves[hashlib.sha256(text).digest()[0] & 1].append(index)
        if not all(halves):
            continue
        counts = dict.fromkeys(FAMILIES, (0, 0))
        for choose, scored in ((halves[0], halves[1]), (halves[1], halves[0])):
            chosen, _metrics = _choose_thresholds(*pick(choose), labels, grid)
            for family in FAMILIES:
                hits, predicted = _decision_counts(family, chosen[family], *pick(scored), labels)
                counts[family] = (counts[family][0] + hits, counts[family][1] + predicted)
        for family in FAMILIES:
            held_out[family].append(_f1(*counts[family], _gold(family, reports))[2])
    return {
        family: {
            "lexicon_f1": _f1(
                *_decision_counts(family, None, reports, probabilities, views, labels),
                _gold(family, reports),
            )[2],
            "held_out_f1": held_out[family],
        }
        for family in FAMILIES
    }


def lexicon_view(
    tagger: Tagger, title: str, body: str
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(labels the lexicon gives, labels with sub-threshold lexicon evidence) per family."""
    totals, texts = tagger.score(title, body)
    result = tagger._result(totals, texts)
    given: dict[str, set[str]] = {
        family: {tag.slug for tag in getattr(result, family)} for family in FAMILIES
    }
    weak: dict[str, set[str]] = {
        family: {slug for (kind, slug) in totals if kind == family} - given[family]
        for family in FAMILIES
    }
    return given, weak


def train(
    examples: Sequence[Example],
    *,
    lexicon: Tagger,
    labels: dict[str, list[str]],
    settings: Settings | None = None,
    info: dict[str, Any] | None = None,
    validation: Sequence[Example] = (),
) -> LearnedModel:
    """A model of `labels` trained on `examples`; thresholds as the module says.

    `validation` reports never train the model; they only choose thresholds.
    """
    settings = settings or Settings()
    if len(examples) < settings.folds:
        raise ValueError(f"need at least {settings.folds} examples to train, got {len(examples)}")
    columns = [(family, slug) for family in FAMILIES for slug in labels[family]]
    position = {column: i for i, column in enumerate(columns)}
    docs = [report_features(example.title, example.body) for example in examples]
    targets = [
        [
            position[(family, slug)]
            for family in FAMILIES
            for slug in sorted(example.labels.get(family, ()))
            if (family, slug) in position
        ]
        for example in examples
    ]
    weights = [example.weight for example in examples]

    # Out-of-fold probabilities: every example scored by a model that never saw it.
    probabilities: list[dict[tuple[str, str], float]] = [{} for _ in examples]
    order = sorted(
        range(len(examples)),
        key=lambda i: hashlib.sha256(f"{settings.seed}:{i}".encode()).hexdigest(),
    )
    for fold in range(settings.folds):
        held = set(order[fold :: settings.folds])
        train_idx = [i for i in range(len(examples)) if i not in held]
        model = _model(
            _fit(
                [docs[i] for i in train_idx],
                [targets[i] for i in train_idx],
                [weights[i] for i in train_idx],
                len(columns),
                settings,
            ),
            labels,
        )
        feature_index = {feature: i for i, feature in enumerate(model.features)}
        for i in held:
            values = model.scores([feature_index[f] for f in docs[i] if f in feature_index])
            probabilities[i] = {
                column: _sigmoid(value) for column, value in zip(columns, values, strict=True)
            }
    fitted = _fit(docs, targets, weights, len(columns), settings)
    final = _model(fitted, labels)

    chosen_on = [i for i, e in enumerate(examples) if e.source not in LEXICON_TUNED_SOURCES]
    scored = [examples[i] for i in chosen_on] + list(validation)
    scored_probabilities = [probabilities[i] for i in chosen_on] + [
        final.probabilities(e.title, e.body) for e in validation
    ]
    if not scored:
        scored, scored_probabilities = list(examples), probabilities
    views = [lexicon_view(lexicon, example.title, example.body) for example in scored]
    thresholds, metrics = _choose_thresholds(
        scored, scored_probabilities, views, labels, settings.thresholds_grid
    )
    record = {
        **(info or {}),
        "training_size": len(examples),
        "training_digest": examples_digest(examples),
        "features": FEATURES_VERSION,
        "sources": _count_sources(examples),
        "thresholds_chosen_on": {
            "validation": len(validation),
            "out_of_fold": len(scored) - len(validation),
        },
        "settings": {
            "min_df": settings.min_df,
            "max_df": settings.max_df,
            "max_features": settings.max_features,
            "regularisation": settings.regularisation,
            "features_per_label": settings.features_per_label,
            "prune": settings.prune,
            "folds": settings.folds,
            "seed": settings.seed,
        },
        "metrics": metrics,
    }
    if validation:
        record["validation_digest"] = examples_digest(validation)
    return _model(fitted, labels, thresholds, record)


def _count_sources(examples: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.source] = counts.get(example.source, 0) + 1
    return dict(sorted(counts.items()))
