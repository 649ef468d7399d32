"""Japanese is first-class: the catalogue is complete and compiles."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_japanese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(CATALOGUE)).translated_entries():
        # A plural entry keeps its translations in msgstr[n] and leaves msgstr empty.
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            for placeholder in ("%(name)s", "%(count)s", "{", "}"):
                assert entry.msgid.count(placeholder) == translation.count(placeholder), entry.msgid


def test_compiletranslations_writes_mo_files():
    out = StringIO()
    call_command("compiletranslations", stdout=out)
    assert "100% translated" in out.getvalue()
    assert CATALOGUE.with_suffix(".mo").stat().st_size > 0
