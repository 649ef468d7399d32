"""Celery tasks of tagging: one submission, a batch, the backlog drain, model training.

Each submission queues `tag_contribution` for its report. When many reports
need tagging at once (a taxonomy edit, analysts' corrections, an import),
`tag_backlog` runs on the beat schedule and fans the stale contributions out
in batches of `MAX_BATCH` to `tag_contributions`, so every worker takes
batches through the bulk path and several workers drain the backlog in
parallel; `train_tagger` makes a new learned-layer version. All are idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init

from community.queue import enqueue_now
from intel.tagging.runtime import current_tagger, freeze_taggers
from intel.tagging.selectors import stale_contribution_ids
from intel.tagging.services import MAX_BATCH, contribution_tag, contributions_tag

logger = logging.getLogger(__name__)

# Batches queued per backlog run: enough to keep a few workers busy until the
# next run, few enough that a run never queues the same backlog twice over.
BACKLOG_BATCHES = 50


@worker_process_init.connect
def _freeze_taggers_in_pool_processes(**kwargs: Any) -> None:
    # A pool process tags for as long as it lives (`freeze_taggers`).
    freeze_taggers()


@shared_task(name="intel.tag_contribution")
def tag_contribution(contribution_id: int) -> bool:
    """Automatic tags and duplicate cluster for one contribution (idempotent)."""
    return contribution_tag(contribution_id=contribution_id)


@shared_task(name="intel.tag_contributions")
def tag_contributions(contribution_ids: list[int]) -> int:
    """The bulk path for one batch of contributions; returns how many were tagged."""
    return len(contributions_tag(contribution_ids=contribution_ids, durable=False))


@shared_task(name="intel.tag_backlog")
def tag_backlog() -> int:
    """Queue batches of the contributions not tagged with the current taxonomy yet."""
    version = current_tagger(max_age=0).taxonomy.version
    ids = stale_contribution_ids(version=version, limit=MAX_BATCH * BACKLOG_BATCHES)
    for start in range(0, len(ids), MAX_BATCH):
        enqueue_now(tag_contributions, ids[start : start + MAX_BATCH])
    if ids:
        logger.info("tagging backlog: %d contribution(s) queued in batches", len(ids))
    return len(ids)


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
