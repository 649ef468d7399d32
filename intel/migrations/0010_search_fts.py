"""SQLite only: the FTS5 table search reads (see intel.reports.search), filled once.

PostgreSQL keeps its `search_vector` column and GIN index (migration 0002);
there this migration does nothing. On SQLite it creates the table and indexes
every contribution already submitted, from the historical models.
"""

from django.db import migrations

TABLE = "intel_contribution_fts"


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
        "title, summary, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    from intel.reports.services.search_index import sqlite_index_write, tag_text

    def rows(model, field, pk):
        rows = apps.get_model("intel", model).objects.filter(contribution_id=pk)
        return rows.values_list(field, flat=True)

    def tags(contribution):
        return tag_text(
            sectors=rows("ContributionSector", "sector", contribution.pk),
            signals=rows("ContributionSignal", "signal", contribution.pk),
            countries=rows("ContributionCountry", "country", contribution.pk),
        )

    for report in apps.get_model("intel", "FieldReport").objects.filter(
        submitted_at__isnull=False
    ):
        sqlite_index_write(report.pk, title=report.title, summary=report.summary,
                           body=report.body, tags=tags(report))  # fmt: skip
    for study in apps.get_model("intel", "CaseStudy").objects.filter(submitted_at__isnull=False):
        rest = "\n".join(
            [study.challenge, study.actions_taken, study.outcome, study.lessons_learned]
        )
        sqlite_index_write(study.pk, title=study.title, summary=study.context, body=rest,
                           tags=tags(study))  # fmt: skip


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("intel", "0009_date_observed_check_for_unsaved_rows")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
