from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0022_contribution_author_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="contributionfingerprint",
            name="tags_digest",
            field=models.BinaryField(blank=True, null=True, verbose_name="automatic tags digest"),
        ),
    ]
