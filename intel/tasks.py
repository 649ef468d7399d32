"""Celery tasks of the intel app: thin wrappers that load ids and call services."""

from __future__ import annotations

from celery import shared_task

from intel.services.tagging import contribution_tag


@shared_task(name="intel.tag_contribution")
def tag_contribution(contribution_id: int) -> bool:
    """Automatic tags and duplicate cluster for one contribution (idempotent)."""
    return contribution_tag(contribution_id=contribution_id)
