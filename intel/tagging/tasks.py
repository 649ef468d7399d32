"""Celery tasks of tagging: automatic tags and cluster of one contribution; model training."""

from __future__ import annotations

import logging

from celery import shared_task

from intel.tagging.services import contribution_tag

logger = logging.getLogger(__name__)


@shared_task(name="intel.tag_contribution")
def tag_contribution(contribution_id: int) -> bool:
    """Automatic tags and duplicate cluster for one contribution (idempotent)."""
    return contribution_tag(contribution_id=contribution_id)


@shared_task(name="intel.train_tagger")
def train_tagger() -> int:
    """A new learned-layer version when the training data changed (idempotent).

    Returns the newest version number, 0 when there is none yet.
    """
    from intel.tagging.learned_runtime import tagger_model_train

    row, created = tagger_model_train()
    if row is None:
        return 0
    if created:
        logger.info("trained tagger model v%s on %s examples", row.version, row.training_size)
    return int(row.version)
