"""The task outbox: work asked for in a transaction, kept until the broker has it."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """One task to publish (`community.queue`), written in the transaction that asked for it.

    Deleted once the broker accepted it; a row still here is work the broker
    has not seen yet, republished by the sweep (`manage.py flush_outbox`).
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
