"""Staff text becomes HTML written with the prose editor: each stored Markdown value is replaced by
exactly the HTML the old ``markdown`` template filter made of it, so every page shows the same bytes.

The conversion is frozen here (Python-Markdown with sane_lists, then nh3 with the filter's old
allow-list) and does not use the app's code, which may change. Historical rows are converted too,
so an old version restored from the history reads as HTML. The Commissioner's statement was HTML
already and is left as it is.
"""

import markdown
import nh3
from django.db import migrations, models

OLD_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote", "abbr"}
OLD_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}

# model name: the Markdown fields; each with its historical model ("historical" + name).
FIELDS = {
    "reportingchannel": ["description"],
    "librarypage": ["intro", "body"],
    "pagesection": ["body"],
    "measure": ["definition"],
    "priorityareacommentary": ["body"],
}


def markdown_as_html(text):
    """What the ``markdown`` filter rendered for ``text`` until this migration."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=OLD_TAGS,
        attributes=OLD_ATTRIBUTES,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def markdown_to_html(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        for name in (model_name, "historical" + model_name):
            model = apps.get_model("performance", name)
            pk = model._meta.pk.attname
            for row in model.objects.values(pk, *fields).iterator():
                changed = {field: markdown_as_html(row[field]) for field in fields}
                if any(changed[field] != row[field] for field in fields):
                    model.objects.filter(**{pk: row[pk]}).update(**changed)


def keep_html(apps, schema_editor):
    """Going back leaves the HTML as it is: Markdown shows simple HTML as it is, so pages still read
    (the old filter keeps paragraphs, lists, emphasis and links; headings become plain text)."""


class Migration(migrations.Migration):

    dependencies = [
        ('performance', '0020_review_steps'),
    ]

    operations = [
        migrations.RunPython(markdown_to_html, keep_html),
        migrations.AlterField(
            model_name='commissionerstatement',
            name='body',
            field=models.TextField(help_text='The statement. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicalcommissionerstatement',
            name='body',
            field=models.TextField(help_text='The statement. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicallibrarypage',
            name='body',
            field=models.TextField(blank=True, help_text='The rest of the page. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicallibrarypage',
            name='intro',
            field=models.TextField(blank=True, help_text='The opening paragraphs. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicalmeasure',
            name='definition',
            field=models.TextField(blank=True, help_text='Appendix definition: what the measure counts. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicalpagesection',
            name='body',
            field=models.TextField(blank=True, help_text="The section's text. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed."),
        ),
        migrations.AlterField(
            model_name='historicalpriorityareacommentary',
            name='body',
            field=models.TextField(help_text='The supplementary comment for this priority area and quarter. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='historicalreportingchannel',
            name='description',
            field=models.TextField(help_text='How and when to use it. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='librarypage',
            name='body',
            field=models.TextField(blank=True, help_text='The rest of the page. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='librarypage',
            name='intro',
            field=models.TextField(blank=True, help_text='The opening paragraphs. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='measure',
            name='definition',
            field=models.TextField(blank=True, help_text='Appendix definition: what the measure counts. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='pagesection',
            name='body',
            field=models.TextField(blank=True, help_text="The section's text. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed."),
        ),
        migrations.AlterField(
            model_name='priorityareacommentary',
            name='body',
            field=models.TextField(help_text='The supplementary comment for this priority area and quarter. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
        migrations.AlterField(
            model_name='reportingchannel',
            name='description',
            field=models.TextField(help_text='How and when to use it. Use the toolbar or the keyboard (Ctrl+B bold, Ctrl+I italics): headings, bold, italics, lists, quotes and links are kept; anything else, such as pasted colours or fonts, is removed.'),
        ),
    ]
