"""Bring the terms of the shipped taxonomy `2026.12-7` to tables seeded before it.

The same add-only sync as `0010_taxonomy_sync`: a label or term already in the
tables, including one edited or deactivated since, is left as it is.
"""

import importlib

from django.db import migrations

sync_taxonomy = importlib.import_module("intel.migrations.0010_taxonomy_sync").sync_taxonomy


class Migration(migrations.Migration):
    dependencies = [("intel", "0026_taxonomy_sync_2026_12_6")]

    operations = [migrations.RunPython(sync_taxonomy, migrations.RunPython.noop)]
