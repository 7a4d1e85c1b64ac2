"""Rich text: stored Markdown becomes exactly the HTML the old ``markdown`` filter showed for it
(migration 0021), the new ``rich_text`` filter shows that HTML unchanged, and hostile HTML is
removed when text is saved and again when a page shows it."""

import datetime
import json
from pathlib import Path

import markdown as markdown_lib
import nh3
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from performance.shared.richtext import cleaned_html
from performance.templatetags.performance_tags import rich_text

BEFORE, AFTER = ("performance", "0020_review_steps"), ("performance", "0021_rich_text")
CONTENT = Path(__file__).resolve().parents[2] / "performance" / "demo_data" / "content.json"


def old_markdown_filter(text: str) -> str:
    """The ``markdown`` template filter as it was before rich text (a copy, kept as the reference)."""
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags={"p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote", "abbr"},
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


SAMPLES = [
    "",
    "One paragraph.",
    'First paragraph.\n\nSecond, with **bold**, _italics_ and a [link](https://www.ons.gov.uk/ "ONS").',
    "- a bullet\n- another\n\n3. starts at three\n4. then four",
    '## A heading the page keeps as text\n\nCrime & disorder < 5% "quoted" — 1,234 offences.',
    "> A quotation.\n\nCall [101](tel:101) or [e-mail](mailto:office@example.org) or [the library](/document-library/).",
    '<script>alert(1)</script><b onclick=x>bold</b> <a href="javascript:alert(1)">x</a> <abbr title="x">ONS</abbr>',
    "Line one  \nline two after a break.\n\n* star bullet\n\n    indented code",
]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stored_markdown_becomes_the_html_the_old_filter_showed_byte_for_byte(migrated_back):
    apps = migrated_back
    PriorityArea = apps.get_model("performance", "PriorityArea")
    period = apps.get_model("performance", "ReportingPeriod").objects.create(
        period_end=datetime.date(2023, 6, 30),
        previous_period_end=datetime.date(2022, 6, 30),
        baseline_period_end=datetime.date(2019, 6, 30),
    )
    page = apps.get_model("performance", "LibraryPage").objects.create(
        slug="p", title="P", summary="S", intro=SAMPLES[2], body=SAMPLES[3]
    )
    stored = {}  # (model name, pk, field): the Markdown written
    for number, text in enumerate(SAMPLES):
        area = PriorityArea.objects.create(name=f"Area {number}", slug=f"area-{number}", order=number)
        rows = [
            ("ReportingChannel", "description", {"name": f"Channel {number}"}),
            ("PageSection", "body", {"page": page, "slot": "ons", "order": number}),
            ("Measure", "definition", {"priority_area": area, "name": f"Measure {number}"}),
            ("PriorityAreaCommentary", "body", {"period": period, "priority_area": area}),
        ]
        for model_name, field, values in rows:
            row = apps.get_model("performance", model_name).objects.create(**values, **{field: text})
            stored[model_name, row.pk, field] = text
    stored["LibraryPage", page.pk, "intro"] = SAMPLES[2]
    stored["LibraryPage", page.pk, "body"] = SAMPLES[3]
    history = apps.get_model("performance", "HistoricalPriorityAreaCommentary").objects.create(
        id=999,
        period_id=period.pk,
        priority_area_id=area.pk,
        body=SAMPLES[3],
        version=1,
        updated_at=timezone.now(),
        history_date=timezone.now(),
        history_type="~",
    )

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    apps = executor.loader.project_state([AFTER]).apps

    for (model_name, pk, field), text in stored.items():
        html = getattr(apps.get_model("performance", model_name).objects.get(pk=pk), field)
        assert html == old_markdown_filter(text), (model_name, field, text)
        assert rich_text(html) == html, (model_name, field, text)
    converted = apps.get_model("performance", "HistoricalPriorityAreaCommentary").objects.get(
        history_id=history.history_id
    )
    assert converted.body == old_markdown_filter(SAMPLES[3])
    assert "<script>" not in "".join(old_markdown_filter(text) for text in SAMPLES)


def test_the_demo_texts_are_the_html_the_old_filter_showed_and_show_unchanged():
    content = json.loads(CONTENT.read_text())
    texts = [page[key] for page in content["pages"] for key in ("intro", "body")]
    texts += [section["body"] for page in content["pages"] for section in page["sections"]]
    texts += [measure["definition"] for measure in content["measures"].values()]
    texts += list(content["commentary"].values())
    texts += [channel["description"] for channel in content["reporting_channels"]]
    assert any("<ul>" in text for text in texts)
    for text in texts:
        assert rich_text(text) == text
        assert cleaned_html(text) == text


HOSTILE = (
    '<p onclick="steal()">Crime fell.<script>alert(1)</script></p>'
    '<p><a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>'
    '<iframe src="https://example.org"></iframe><h2 style="color:red">Big</h2></p>'
)


def assert_harmless(html: str):
    for bad in (
        "<script",
        "alert(1)",
        "onclick",
        "onerror",
        "javascript:",
        "<img",
        "<iframe",
        "style=",
        "<h2",
    ):
        assert bad not in html, bad
    assert "Crime fell." in html


@pytest.mark.django_db
def test_hostile_html_is_removed_when_saved_and_when_shown(client, demo_data):
    from django.urls import reverse

    from performance.models import PriorityAreaCommentary, ReportingChannel

    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = HOSTILE
    commentary.save()
    commentary.refresh_from_db()
    assert_harmless(commentary.body)

    # Written past the save (an old row, a bulk update): the page cleans it again.
    ReportingChannel.objects.update(description=HOSTILE)
    assert_harmless(rich_text(HOSTILE))
    page = client.get(reverse("performance:police-data")).content.decode()
    reporting = page[page.index('<section id="reporting"') :]
    reporting = reporting[reporting.index("</h2>") : reporting.index("</section>")]
    assert_harmless(reporting)
    assert reporting.count("Crime fell.") == ReportingChannel.objects.count()


def test_headings_above_level_3_and_empty_paragraphs_are_not_kept():
    assert cleaned_html("<h1>A</h1><h3>B</h3><h4>C</h4><h5>D</h5>") == "A<h3>B</h3><h4>C</h4>D"
    assert cleaned_html("<p></p>") == ""
    assert cleaned_html("<p><br></p>") == ""
