"""Celery task of tagging: automatic tags and the duplicate cluster of one contribution."""

from __future__ import annotations

import logging

from celery import shared_task

from intel.tagging.services import contribution_tag

logger = logging.getLogger(__name__)


@shared_task(name="intel.tag_contribution")
def tag_contribution(contribution_id: int) -> bool:
    """Automatic tags and duplicate cluster for one contribution (idempotent)."""
    return contribution_tag(contribution_id=contribution_id)
