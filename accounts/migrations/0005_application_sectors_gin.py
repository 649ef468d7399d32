"""PostgreSQL only: a GIN index for the vetting queue's sector filter (`sectors @> '["x"]'`).

SQLite has no GIN and no JSON containment, so the selector falls back to a text
match there and this migration does nothing.
"""

from django.db import migrations

INDEX = "accounts_application_sectors_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_application USING gin (sectors)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_membership_vetting")]

    operations = [migrations.RunPython(create_index, drop_index)]
