"""Bring the terms of the shipped taxonomy's December releases to tables seeded before them.

The same add-only sync as `0010_taxonomy_sync`: a label or term already in the
tables, including one edited or deactivated since, is left as it is.
"""

import importlib

from django.db import migrations

sync_taxonomy = importlib.import_module("intel.migrations.0010_taxonomy_sync").sync_taxonomy


class Migration(migrations.Migration):
    dependencies = [("intel", "0018_merge_pages_retag")]

    operations = [migrations.RunPython(sync_taxonomy, migrations.RunPython.noop)]
