"""`manage.py build_digests --week YYYY-MM-DD [--sector SLUG]`: build digests on demand."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from intel.digests import core as digest_core
from intel.digests.services import BuildOutcome, digests_build_week
from intel.vocabulary import Sector


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--week: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Build (or refresh) the weekly digest drafts of one week: every sector, or one with "
        "--sector. Published digests and analysts' edits are never changed. The week is the "
        "Monday-to-Sunday week (Asia/Tokyo) holding --week; by default the week just ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week",
            type=_date,
            help="any date in the week (YYYY-MM-DD); default: the week that ended last Sunday",
        )
        parser.add_argument(
            "--sector", action="append", choices=Sector.values, help="one sector (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: datetime.date | None = options["week"]
        week = digest_core.week_start_of(day) if day else digest_core.last_full_week(timezone.now())
        if day and day != week:
            self.stdout.write(f"{day} is in the week starting Monday {week}.")
        sectors: list[str] | None = options["sector"] or None
        if sectors:
            self.stdout.write(f"Building {len(sectors)} digest(s) for the week of {week}…")
        else:
            self.stdout.write(
                f"Building the digests of every sector with material, week of {week}…"
            )
        started = time.perf_counter()
        try:
            results = digests_build_week(week_start=week, sectors=sectors)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        for number, result in enumerate(results, start=1):
            if result.outcome == BuildOutcome.EMPTY:
                detail = "nothing accepted this week; no draft"
            else:
                detail = (
                    f"digest {result.digest_id}, version {result.version}, {result.items} items"
                )
            self.stdout.write(
                f"  [{number}/{len(results)}] {result.sector}: {result.outcome} ({detail})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.perf_counter() - started:.2f} s: "
                + ", ".join(
                    f"{sum(1 for r in results if r.outcome == outcome)} {outcome}"
                    for outcome in ("created", "refreshed", "published", "empty")
                )
                + "."
            )
        )
