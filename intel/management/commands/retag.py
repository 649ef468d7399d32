"""`manage.py retag`: re-tag contributions after the taxonomy (or the feedback) changed.

Works in batches through the bulk tagging path (`contributions_tag`: one
transaction and a fixed number of statements per batch), and by default picks
only contributions tagged with an older taxonomy version, so an interrupted
run resumes where it stopped when started again. `--after-id`/`--through-id`
bound the id range, so several processes can share one re-tagging run.
Analysts' corrections are kept (the tagging service never touches them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intel.models import Contribution
from intel.tagging.runtime import current_tagger, freeze_taggers
from intel.tagging.services import MAX_BATCH, UNTAGGED_STATUSES, contributions_tag

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Re-tag submitted contributions tagged with an older taxonomy version (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=MAX_BATCH,
            help=f"Contributions per batch (at most {MAX_BATCH} commit together).",
        )
        parser.add_argument(
            "--all", action="store_true", help="Re-tag every contribution, even up-to-date ones."
        )
        parser.add_argument(
            "--after-id", type=int, default=0, help="Start after this id (resume an --all run)."
        )
        parser.add_argument(
            "--through-id", type=int, default=None, help="Stop after this id (inclusive)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        # The tagger's tables live as long as the run: kept out of the garbage
        # collector's full passes, which otherwise cost about a tenth of it.
        freeze_taggers()
        try:
            self._retag(batch_size, options)
        finally:
            freeze_taggers(enabled=False)

    def _retag(self, batch_size: int, options: dict[str, Any]) -> None:
        version = current_tagger(max_age=0).taxonomy.version
        pending = Contribution.objects.exclude(status__in=UNTAGGED_STATUSES).order_by("pk")
        if not options["all"]:
            pending = pending.exclude(fingerprint__taxonomy_version=version)
        if options["through_id"] is not None:
            pending = pending.filter(pk__lte=options["through_id"])
        last_id = options["after_id"]
        total = pending.filter(pk__gt=last_id).count()
        self.stdout.write(f"Taxonomy version {version}: {total} contribution(s) to re-tag.")
        done = 0
        while True:
            ids = list(pending.filter(pk__gt=last_id).values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            contributions_tag(contribution_ids=ids, durable=False)
            done += len(ids)
            last_id = ids[-1]
            self._progress(done, total, last_id)
        self.stdout.write(self.style.SUCCESS(f"Re-tagged {done} contribution(s)."))

    def _progress(self, done: int, total: int, last_id: int) -> None:
        share = done / total if total else 1.0
        filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"[{bar}] {share:4.0%} {done}/{total} (last id {last_id})")
