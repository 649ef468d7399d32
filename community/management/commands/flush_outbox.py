"""`manage.py flush_outbox`: publish the tasks that waited in the outbox while the broker was away.

The same sweep as the `community.flush_outbox` beat task and the one every
worker runs at start (`community.queue.outbox_flush`); safe from cron and
alongside them. Exits with an error while the broker is still unreachable.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from community.celery import app
from community.queue import BATCH_SIZE, outbox_flush, outbox_pending


class Command(BaseCommand):
    help = "Publish to the broker the tasks waiting in the outbox (safe to run at any time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Tasks per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if app.conf.task_always_eager:
            self.stdout.write("No broker (REDIS_URL unset): tasks run in-process; nothing to do.")
            return
        self.stdout.write(f"{outbox_pending()} task(s) waiting in the outbox.")
        result = outbox_flush(
            batch_size=max(1, options["batch_size"]),
            progress=lambda done: self.stdout.write(f"published {done} …"),
        )
        if result.error:
            raise CommandError(
                f"Broker unreachable ({result.error}): published {result.published}, "
                f"{result.pending} still waiting."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Published {result.published} task(s); {result.pending} waiting.")
        )
