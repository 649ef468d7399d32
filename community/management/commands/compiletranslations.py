"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib.

Django's own `compilemessages` needs GNU gettext installed; this needs only
the virtualenv, so `make run` works on a machine that has just Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogues into .mo files (no gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        catalogues = sorted(
            po for locale_dir in settings.LOCALE_PATHS for po in Path(locale_dir).rglob("*.po")
        )
        if not catalogues:
            raise CommandError("No .po files found under LOCALE_PATHS.")
        for po_path in catalogues:
            try:
                catalogue = polib.pofile(str(po_path))
            except OSError as exc:
                raise CommandError(f"{po_path}: {exc}") from exc
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"compiled {po_path} ({catalogue.percent_translated()}% translated)")
