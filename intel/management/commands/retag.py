"""`manage.py retag`: re-tag contributions after the taxonomy (or the feedback) changed.

Works in batches through the bulk tagging path (`contributions_tag`: one
transaction and a fixed number of statements per batch), and by default picks
only contributions tagged with an older taxonomy version, so an interrupted
run resumes where it stopped when started again. `--after-id`/`--through-id`
bound the id range, so several processes can share one re-tagging run;
`--processes N` starts N such processes on equal shares of the pending
contributions (PostgreSQL only) and waits for them.
Analysts' corrections are kept (the tagging service never touches them).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import QuerySet

from community.memory import end_process
from intel.models import Contribution
from intel.tagging.runtime import current_tagger, freeze_taggers
from intel.tagging.services import MAX_BATCH, UNTAGGED_STATUSES, contributions_tag

BAR_WIDTH = 30
# Batches whose ids one query of the pending contributions fetches.
_BATCHES_PER_PAGE = 16


def id_ranges(ids: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """(after id, through id) of at most `parts` runs sharing sorted `ids` about equally."""
    if not ids:
        return []
    share = -(-len(ids) // max(1, parts))
    return [
        (ids[start] - 1, ids[min(len(ids), start + share) - 1])
        for start in range(0, len(ids), share)
    ]


def share_command(
    after: int, through: int, *, everything: bool, batch_size: int = MAX_BATCH
) -> list[str]:
    """The command line of one `retag` run over the ids after `after` through `through`."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "retag"]
    command += ["--after-id", str(after), "--through-id", str(through)]
    command += ["--batch-size", str(batch_size), *(["--all"] if everything else [])]
    return command


class Command(BaseCommand):
    help = "Re-tag submitted contributions tagged with an older taxonomy version (resumable)."

    def run_from_argv(self, argv: list[str]) -> None:
        super().run_from_argv(argv)  # a failure exits inside, with its status
        end_process()

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
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Re-tag in this many processes at once (PostgreSQL; e.g. one per core).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        processes = options["processes"]
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        if processes > 1:
            if connection.vendor != "postgresql":
                raise CommandError(
                    "--processes needs PostgreSQL: SQLite lets one process write at a time."
                )
            self._retag_in_processes(processes, batch_size, options)
            return
        # The tagger's tables live as long as the run: kept out of the garbage
        # collector's full passes, which otherwise cost about a tenth of it.
        freeze_taggers()
        try:
            self._retag(batch_size, options)
        finally:
            freeze_taggers(enabled=False)

    @staticmethod
    def _pending(version: str, options: dict[str, Any]) -> QuerySet[Contribution]:
        pending = Contribution.objects.exclude(status__in=UNTAGGED_STATUSES).order_by("pk")
        if not options["all"]:
            pending = pending.exclude(fingerprint__taxonomy_version=version)
        if options["through_id"] is not None:
            pending = pending.filter(pk__lte=options["through_id"])
        return pending

    def _retag_in_processes(self, processes: int, batch_size: int, options: dict[str, Any]) -> None:
        """Run `retag` in `processes` children on equal shares of the pending ids.

        Each child is an ordinary resumable run over its id range; their
        output comes through with the share's number in front.
        """
        version = current_tagger(max_age=0).taxonomy.version
        pending = self._pending(version, options).filter(pk__gt=options["after_id"])
        ids = list(pending.values_list("pk", flat=True))
        ranges = id_ranges(ids, processes)
        self.stdout.write(
            f"Taxonomy version {version}: {len(ids)} contribution(s) to re-tag "
            f"in {len(ranges)} process(es)."
        )
        children = [
            subprocess.Popen(  # noqa: S603 - our own command; its arguments are numbers
                share_command(after, through, everything=options["all"], batch_size=batch_size),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for after, through in ranges
        ]
        lock = threading.Lock()
        readers = [
            threading.Thread(target=self._relay, args=(child.stdout, f"[{number}]", lock))
            for number, child in enumerate(children, start=1)
        ]
        for reader in readers:
            reader.start()
        try:
            codes = [child.wait() for child in children]
        except KeyboardInterrupt:
            for child in children:
                child.terminate()
            raise
        finally:
            for reader in readers:
                reader.join()
        failed = [
            f"--after-id {after} --through-id {through}"
            for (after, through), code in zip(ranges, codes, strict=True)
            if code != 0
        ]
        if failed:
            # Without --all a run re-tags only what is still stale, so it resumes.
            again = "re-run each failed share with --all" if options["all"] else "run again"
            raise CommandError(
                f"{len(failed)} of {len(ranges)} process(es) failed; {again} to finish "
                "(failed shares: " + "; ".join(failed) + ")."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Re-tagged {len(ids)} contribution(s) in {len(ranges)} processes.")
        )

    def _relay(self, stream: IO[str] | None, prefix: str, lock: threading.Lock) -> None:
        if stream is None:
            return
        for line in stream:
            with lock:
                self.stdout.write(f"{prefix} {line.rstrip()}")

    def _retag(self, batch_size: int, options: dict[str, Any]) -> None:
        version = current_tagger(max_age=0).taxonomy.version
        pending = self._pending(version, options)
        last_id = options["after_id"]
        total = pending.filter(pk__gt=last_id).count()
        self.stdout.write(f"Taxonomy version {version}: {total} contribution(s) to re-tag.")
        done = 0
        while True:
            # Ids a page of batches at a time: one query per batch cost 1-2 % of a run.
            page = list(
                pending.filter(pk__gt=last_id).values_list("pk", flat=True)[
                    : batch_size * _BATCHES_PER_PAGE
                ]
            )
            if not page:
                break
            for start in range(0, len(page), batch_size):
                ids = page[start : start + batch_size]
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
