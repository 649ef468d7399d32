"""Indexes for the weekly scans (digests, sector dashboards) and an author's newest-first list."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0009_date_observed_check_for_unsaved_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contribution",
            name="intel_contr_accepted_idx",
        ),
        migrations.AddIndex(
            model_name="contribution",
            index=models.Index(
                fields=["status", "accepted_at", "tlp", "kind", "supply_chain_stage", "id"],
                name="intel_contr_accepted_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="contribution",
            index=models.Index(
                fields=["author", "-updated_at", "-id"], name="intel_contr_author_recent"
            ),
        ),
    ]
