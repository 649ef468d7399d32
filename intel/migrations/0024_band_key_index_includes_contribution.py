from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0023_fingerprint_tags_digest"),
    ]

    # The new index is built before the old one goes, so candidates are never
    # looked up without one.
    operations = [
        migrations.AddIndex(
            model_name="contributionband",
            index=models.Index(
                fields=["band", "key"], include=("contribution",), name="intel_band_key_inc"
            ),
        ),
        migrations.RemoveIndex(
            model_name="contributionband",
            name="intel_band_key_idx",
        ),
    ]
