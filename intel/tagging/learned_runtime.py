"""The Django side of the learned layer: which model workers use, and training it.

`current_model()` is the newest `TaggerModel` row, cached per process and
re-checked at most every `TAGGING_REVISION_CHECK_SECONDS`, like the
taxonomy; with no database, an unmigrated one or no row yet, it is the model
shipped in the repository (`intel/tagging/data/model.json.gz`, built by
`manage.py train_tagger --ship` from the shipped labelled set's train split),
so `tagtext` needs no database.

Training data: the shipped labelled set's **train** split (never its test
split) plus every accepted contribution, labelled with the sectors and
signals analysts accepted it with. A contribution on which an analyst
corrected a sector or signal counts `CORRECTION_WEIGHT` times. The shipped
validation reports (`intel/tagging/data/validation_reports.jsonl`, never read
while writing the lexicon) train nothing: they choose the decision
thresholds, together with the contributions (see `learned_training`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from intel.tagging.engine import Tagger
from intel.tagging.evaluation import (
    LABELLED_PATH,
    VALIDATION_PATH,
    Split,
    load_labelled,
    load_reports,
)
from intel.tagging.learned import (
    FAMILIES,
    FEATURES_VERSION,
    SHIPPED_MODEL,
    LearnedModel,
    ModelError,
    tagger_with,
)
from intel.tagging.learned_training import Example, Settings, examples_digest, train
from intel.tagging.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

LABELLED_REPORTS = LABELLED_PATH
CORRECTION_WEIGHT = 3.0
# Serialises version numbers across concurrent trainings on PostgreSQL.
_TRAIN_LOCK_KEY = 0x4349505F4D444C  # "CIP_MDL"


def labelled_examples(path: Path | None = None, *, split: Split = "train") -> list[Example]:
    """The labelled reports of one split (default: the shipped set's) as training examples."""
    return [_example(row, "labelled") for row in labelled_rows(path, split=split)]


def validation_examples(path: Path = VALIDATION_PATH) -> list[Example]:
    """The validation reports that choose thresholds; none if there is no file."""
    if not path.exists():
        return []
    return [_example(row, "validation") for row in load_reports(path)]


def _example(row: dict[str, Any], source: str) -> Example:
    return Example(
        title=str(row.get("title") or ""),
        body=str(row.get("body") or ""),
        labels={family: frozenset(row.get(family) or ()) for family in FAMILIES},
        source=source,
    )


def labelled_rows(path: Path | None = None, *, split: Split | None = None) -> list[dict[str, Any]]:
    """The rows of a labelled set (default: the shipped one); none if there is no file."""
    path = path or LABELLED_REPORTS
    if not path.exists():
        return []
    return load_labelled(split=split, path=path)


def contribution_examples() -> Iterator[Example]:
    """Every accepted contribution with the sectors and signals it was accepted with."""
    from intel.models import Contribution, ContributionTag, Status, TagKind, TagSource
    from intel.tagging.services import contribution_text

    corrected = ContributionTag.objects.filter(
        contribution=OuterRef("pk"),
        source=TagSource.ANALYST,
        kind__in=[TagKind.SECTOR, TagKind.SIGNAL],
    )
    accepted = (
        Contribution.objects.filter(status=Status.ACCEPTED)
        .select_related("fieldreport", "casestudy")
        .prefetch_related("sector_rows", "signal_rows")
        .annotate(corrected=Exists(corrected))
        .order_by("pk")
    )
    for contribution in accepted.iterator(chunk_size=500):
        title, body = contribution_text(contribution)
        yield Example(
            title=title,
            body=body,
            labels={
                "sectors": frozenset(row.sector for row in contribution.sector_rows.all()),
                "signals": frozenset(row.signal for row in contribution.signal_rows.all()),
            },
            weight=CORRECTION_WEIGHT if contribution.corrected else 1.0,
            source="corrected" if contribution.corrected else "accepted",
        )


def model_labels(taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The labels a model learns: every sector and signal of the taxonomy."""
    return {family: sorted(label.slug for label in taxonomy.labels(family)) for family in FAMILIES}


def train_model(
    examples: list[Example],
    *,
    lexicon: Tagger,
    training: Settings | None = None,
    validation: list[Example] | None = None,
) -> LearnedModel:
    """Train on `examples` with `lexicon` as the evidence beside the model.

    `validation`: the reports that choose thresholds (default: the shipped ones).
    """
    return train(
        examples,
        lexicon=lexicon,
        labels=model_labels(lexicon.taxonomy),
        settings=training,
        validation=validation_examples() if validation is None else validation,
        info={
            "taxonomy_version": lexicon.taxonomy.version,
            "taxonomy_fingerprint": lexicon.taxonomy.fingerprint,
        },
    )


def tagger_model_train(
    *, labelled_path: Path | None = None, training: Settings | None = None, force: bool = False
) -> tuple[Any | None, bool]:
    """Train a new model version from the labelled set and analysts' work.

    Returns `(TaggerModel, created)`. When nothing changed since the newest
    version (same training-set digest, same feature definition) no version is
    added unless `force`, so the periodic task can run as often as it likes. With too few examples
    to cross-validate, nothing is trained and the newest version (or None)
    is returned.
    """
    from intel.models import TaggerModel
    from intel.tagging.runtime import current_lexicon_tagger

    labelled = labelled_examples(labelled_path)
    contributions = list(contribution_examples())
    examples = labelled + contributions
    validation = validation_examples()
    digest = examples_digest(examples)
    latest = TaggerModel.objects.order_by("-version").first()
    if (
        latest is not None
        and latest.digest == digest
        and not force
        and _up_to_date(latest, validation)
    ):
        return latest, False
    training = training or Settings()
    if len(examples) < training.folds:
        logger.warning(
            "only %s training examples; the tagger model is not retrained", len(examples)
        )
        return latest, False
    lexicon = current_lexicon_tagger(max_age=0)
    model = train_model(examples, lexicon=lexicon, training=training, validation=validation)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TRAIN_LOCK_KEY])
        version = (TaggerModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        model.info["version"] = version
        trained_at = timezone.now()
        model.info["trained_at"] = trained_at.isoformat()
        row = TaggerModel.objects.create(
            version=version,
            trained_at=trained_at,
            training_size=len(examples),
            contributions=len(contributions),
            corrected=sum(1 for example in contributions if example.source == "corrected"),
            metrics=model.info["metrics"],
            digest=digest,
            blob=model.to_bytes(),
        )
    return row, True


def _up_to_date(row: Any, validation: list[Example]) -> bool:
    """Whether a stored version was made with today's feature definition and
    had its thresholds chosen on today's validation reports."""
    try:
        model = LearnedModel.from_bytes(bytes(row.blob))
    except ModelError:
        return False
    validation_digest = examples_digest(validation) if validation else None
    return (
        model.info.get("features") == FEATURES_VERSION
        and model.info.get("validation_digest") == validation_digest
    )


@cache
def shipped_model() -> LearnedModel | None:
    """The model shipped in the repository, or None if there is none."""
    try:
        return LearnedModel.from_bytes(SHIPPED_MODEL.read_bytes())
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class _Cached:
    version: int
    model: LearnedModel
    checked_at: float


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def current_model(*, max_age: float | None = None) -> LearnedModel | None:
    """The model workers use now: the newest stored version, else the shipped one."""
    from intel.models import TaggerModel

    if max_age is None:
        max_age = settings.TAGGING_REVISION_CHECK_SECONDS
    cached = _cache.get("model")
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < max_age:
        return cached.model
    try:
        version = TaggerModel.objects.aggregate(top=Max("version"))["top"]
    except DatabaseError:
        return shipped_model()
    if version is None:
        return shipped_model()
    if cached is not None and cached.version == version:
        _cache["model"] = _Cached(version, cached.model, now)
        return cached.model
    with _lock:
        blob = TaggerModel.objects.filter(version=version).values_list("blob", flat=True).first()
        try:
            model = LearnedModel.from_bytes(bytes(blob or b""))
        except ModelError:
            logger.exception("tagger model v%s cannot be read; using the shipped model", version)
            return shipped_model()
        _cache["model"] = _Cached(version, model, now)
    return model


_combined: list[tuple[Tagger, LearnedModel, Tagger]] = []


def with_learned_layer(lexicon: Tagger, model: LearnedModel | None) -> Tagger:
    """`lexicon` with `model` beside it, built once per (lexicon, model) pair."""
    if model is None:
        return lexicon
    if _combined and _combined[0][0] is lexicon and _combined[0][1] is model:
        return _combined[0][2]
    tagger = tagger_with(lexicon, model)
    _combined[:] = [(lexicon, model, tagger)]
    return tagger
