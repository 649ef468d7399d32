"""PostgreSQL only: the GIN index on the full-text column.

SQLite has no GIN index (search there reads the FTS5 table of migration 0010),
so the index is created and dropped only when the database is PostgreSQL.
It is not declared in the model's Meta for the same reason.
"""

from django.db import migrations

INDEX = "intel_contr_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON intel_contribution USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("intel", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
