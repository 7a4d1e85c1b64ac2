from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0018_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="importlog",
            name="outcome",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="What the import created and changed, and what waits for a Publisher, as its "
                "result page lists it (``performance.imports.outcomes``; empty for older imports).",
            ),
        ),
    ]
