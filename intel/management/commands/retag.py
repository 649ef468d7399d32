"""`manage.py retag`: re-tag contributions after the taxonomy (or the feedback) changed.

Works in batches, each contribution in its own transaction, and by default
picks only contributions tagged with an older taxonomy version, so an
interrupted run resumes where it stopped when started again. Analysts'
corrections are kept (the tagging service never touches them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intel.models import Contribution
from intel.tagging.runtime import current_tagger
from intel.tagging.services import UNTAGGED_STATUSES, contribution_tag

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Re-tag submitted contributions tagged with an older taxonomy version (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="Contributions per batch.")
        parser.add_argument(
            "--all", action="store_true", help="Re-tag every contribution, even up-to-date ones."
        )
        parser.add_argument(
            "--after-id", type=int, default=0, help="Resume an --all run after this id."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        version = current_tagger(max_age=0).taxonomy.version
        pending = Contribution.objects.exclude(status__in=UNTAGGED_STATUSES).order_by("pk")
        if not options["all"]:
            pending = pending.exclude(fingerprint__taxonomy_version=version)
        last_id = options["after_id"]
        total = pending.filter(pk__gt=last_id).count()
        self.stdout.write(f"Taxonomy version {version}: {total} contribution(s) to re-tag.")
        done = 0
        while True:
            ids = list(pending.filter(pk__gt=last_id).values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            for contribution_id in ids:
                contribution_tag(contribution_id=contribution_id)
            done += len(ids)
            last_id = ids[-1]
            self._progress(done, total, last_id)
        self.stdout.write(self.style.SUCCESS(f"Re-tagged {done} contribution(s)."))

    def _progress(self, done: int, total: int, last_id: int) -> None:
        share = done / total if total else 1.0
        filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"[{bar}] {share:4.0%} {done}/{total} (last id {last_id})")
