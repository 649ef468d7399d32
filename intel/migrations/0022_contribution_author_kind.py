from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0021_taxonomy_sync_2026_12_4"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contribution",
            index=models.Index(fields=["author", "kind", "status"], name="intel_contr_author_kind"),
        ),
    ]
