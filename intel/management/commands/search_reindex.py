"""`manage.py search_reindex`: rewrite the search index of every submitted contribution.

The services keep the index in step as they write; this is for rows written
some other way (a bulk load, a copy from another database, an index built by
an older version). Batches of one transaction each, in id order, so an
interrupted run resumes with `--after-id`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intel.models import Contribution
from intel.reports.services.search_index import search_index_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rewrite the search index (PostgreSQL tsvector or SQLite FTS5) of every submission."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Contributions per batch.")
        parser.add_argument("--after-id", type=int, default=0, help="Resume after this id.")

    def handle(self, *args: Any, **options: Any) -> None:
        after_id = options["after_id"]
        total = Contribution.objects.filter(submitted_at__isnull=False, pk__gt=after_id).count()
        self.stdout.write(f"{total} contribution(s) to index.")
        done = 0
        for done, last_id in search_index_rebuild(
            batch_size=max(1, options["batch_size"]), after_id=after_id
        ):
            share = done / total if total else 1.0
            filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stdout.write(f"[{bar}] {share:4.0%} {done}/{total} (last id {last_id})")
        self.stdout.write(self.style.SUCCESS(f"Indexed {done} contribution(s)."))
