"""`manage.py tagtext`: tag JSON Lines from stdin with the workers' tagger (DESIGN §4).

Input, one object a line: {"id": …, "title": …, "body": …} (English or Japanese).
Output, one line per input line: {"id": …, "sectors": […], "signals": […],
"countries": […]}. A line that is not a JSON object yields
{"id": null, "error": "…"} in its place, so outputs stay aligned with inputs,
and the command exits with status 1 after the last line.

The tagger is the workers' (`intel.tagging.runtime.current_tagger`): the
taxonomy tables with analysts' feedback when a migrated database is there,
else the shipped taxonomy file, so no database is needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from community.memory import end_process
from intel.tagging.engine import Tagger, tag_jsonl_line
from intel.tagging.runtime import current_tagger
from intel.tagging.taxonomy import Taxonomy, TaxonomyError

_BLOCK = 256


class Command(BaseCommand):
    help = "Tag JSON Lines ({id, title, body}) from stdin; write {id, sectors, signals, countries}."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def run_from_argv(self, argv: list[str]) -> None:
        super().run_from_argv(argv)  # a failure exits inside, with its status
        end_process()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--taxonomy",
            type=Path,
            help="A taxonomy JSON file to use instead of the shipped default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tagger = self._tagger(options["taxonomy"])
        out = sys.stdout
        failures = 0
        # Lines go out in blocks: one write per line costs more than tagging
        # a short one. Each block keeps input order.
        pending: list[str] = []
        for line_number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("expected a JSON object")
                result: dict[str, Any] = tag_jsonl_line(tagger, obj)
            except ValueError as exc:
                failures += 1
                result = {"id": None, "error": f"line {line_number}: {exc}"}
                sys.stderr.write(f"tagtext: line {line_number}: {exc}\n")
            pending.append(json.dumps(result, ensure_ascii=False))
            if len(pending) >= _BLOCK:
                out.write("\n".join(pending) + "\n")
                pending.clear()
        if pending:
            out.write("\n".join(pending) + "\n")
        out.flush()
        if failures:
            raise CommandError(f"{failures} input line(s) could not be read", returncode=1)

    def _tagger(self, path: Path | None) -> Tagger:
        if path is None:
            return current_tagger()
        try:
            return Tagger(Taxonomy.load(path))
        except (OSError, ValueError, TaxonomyError) as exc:
            raise CommandError(f"cannot load taxonomy {path}: {exc}") from exc
