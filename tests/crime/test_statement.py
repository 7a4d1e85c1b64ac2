"""The Commissioner's quarterly statement on the National Crime and Policing Measures: shown on the
Police Data page and on its quarter's page exactly when its quarter is public, with its body
cleaned when saved and only its public documents linked."""

import datetime
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.models import (
    CommissionerStatement,
    Document,
    DocumentCategory,
    MeasureFigure,
    ReportingPeriod,
)
from performance.publishing.caching import content_version
from tests.factories import PUBLISHED

JUNE = datetime.date(2023, 6, 30)
SEPTEMBER = datetime.date(2023, 9, 30)
TITLE = "The Commissioner's statement on the June 2023 figures"
TITLE_HTML = "The Commissioner&#x27;s statement on the June 2023 figures"
BODY = "<p>Crime in Norfolk <strong>fell</strong> in the 12 months to June.</p>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def police_data(client, **params) -> str:
    return client.get(reverse("performance:police-data"), params).content.decode()


def quarter_page(client, period_end: datetime.date, **params):
    return client.get(reverse("performance:ncpm-period", args=[f"{period_end:%Y-%m}"]), params)


def statement_for(period: ReportingPeriod, **fields) -> CommissionerStatement:
    return CommissionerStatement.objects.create(period=period, **{"title": TITLE, "body": BODY, **fields})


def document(title: str, **fields) -> Document:
    """A document in the Performance category (``publish_at`` None: a draft)."""
    return Document.objects.create(
        **{
            "title": title,
            "file": ContentFile(b"Year,Count\n2023,1\n", name="response.csv"),
            "category": DocumentCategory.objects.get(slug="performance"),
            "published_on": datetime.date(2023, 10, 19),
            **fields,
        }
    )


def quarter(period_end: datetime.date, publish_at=None) -> ReportingPeriod:
    """A quarter with the demo quarter's figures (``publish_at`` None: a draft)."""
    june = ReportingPeriod.objects.get(period_end=JUNE)
    period = ReportingPeriod.objects.create(period_end=period_end, publish_at=publish_at)
    MeasureFigure.objects.bulk_create(
        MeasureFigure(period=period, measure=f.measure, latest=f.latest, previous=f.previous)
        for f in june.figures.all()
    )
    return period


@pytest.fixture
def june(demo_data) -> ReportingPeriod:
    """The demo quarter, published, without the demo's statement (each test writes its own)."""
    CommissionerStatement.objects.filter(period__period_end=JUNE).delete()
    return ReportingPeriod.objects.get(period_end=JUNE, publish_at__lte=timezone.now())


def test_a_published_quarters_statement_is_on_the_police_data_page_and_the_quarters_page(client, june):
    statement_for(june)

    page = police_data(client)
    assert f'">{TITLE_HTML}</h3>' in page
    assert BODY in page
    assert page.index(BODY) < page.index("Summary of National Crime and Policing Measures")

    own_page = quarter_page(client, JUNE).content.decode()
    assert f'">{TITLE_HTML}</h2>' in own_page
    assert BODY in own_page


def test_a_quarter_without_a_statement_shows_no_statement_section(client, june):
    assert 'class="commissioner-statement"' not in police_data(client)
    assert 'class="commissioner-statement"' not in quarter_page(client, JUNE).content.decode()


def test_a_draft_quarters_statement_is_in_neither_page(client, june):
    statement_for(quarter(SEPTEMBER), title="September's statement", body="<p>Not yet public.</p>")

    page = police_data(client)
    assert "September" not in page.split('id="ncpm"')[1].split('id="appendix"')[0]
    assert "Not yet public." not in page
    assert quarter_page(client, SEPTEMBER).status_code == 404


def test_a_staff_preview_shows_a_draft_quarters_statement(client, june, editor):
    statement_for(quarter(SEPTEMBER), title="September's statement", body="<p>Not yet public.</p>")
    client.force_login(editor)

    assert "Not yet public." not in police_data(client)
    assert "Not yet public." in police_data(client, preview="1")
    assert "Not yet public." in quarter_page(client, SEPTEMBER, preview="1").content.decode()


def test_a_scheduled_quarters_statement_appears_at_its_time(client, june):
    release = timezone.now() + datetime.timedelta(hours=2)
    statement_for(quarter(SEPTEMBER, publish_at=release), body="<p>September's statement.</p>")

    assert "September's statement." not in police_data(client)
    assert quarter_page(client, SEPTEMBER).status_code == 404

    with mock.patch("django.utils.timezone.now", return_value=release + datetime.timedelta(seconds=1)):
        assert "<p>September's statement.</p>" in police_data(client)
        assert "<p>September's statement.</p>" in quarter_page(client, SEPTEMBER).content.decode()


def test_scripts_and_event_handlers_are_removed_when_saved_and_never_rendered(client, june):
    statement = statement_for(
        june,
        body='<p onclick="steal()">Crime fell.</p><script>alert("statement")</script>'
        '<a href="javascript:alert(1)">more</a>',
    )

    statement.refresh_from_db()
    assert statement.body == '<p>Crime fell.</p><a rel="noopener noreferrer">more</a>'
    for page in (police_data(client), quarter_page(client, JUNE).content.decode()):
        assert "<p>Crime fell.</p>" in page
        assert 'alert("statement")' not in page
        assert "steal()" not in page
        assert "javascript:" not in page


def test_only_the_statements_public_documents_are_linked(client, june):
    response = document("The Commissioner's response to the latest crime data", publish_at=PUBLISHED)
    draft = document("A draft response")
    future = document(
        "A response dated next month",
        publish_at=PUBLISHED,
        published_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    statement_for(june).documents.set([response, draft, future])

    for page in (police_data(client), quarter_page(client, JUNE).content.decode()):
        assert (
            f'<a href="{response.get_absolute_url()}">The Commissioner&#x27;s response to the latest crime data</a>'
            in page
        )
        assert "A draft response" not in page and draft.get_absolute_url() not in page
        assert "A response dated next month" not in page and future.get_absolute_url() not in page


def test_a_staff_preview_links_the_statements_draft_documents(client, june, editor):
    draft = document("A draft response")
    statement_for(june).documents.set([draft])
    client.force_login(editor)

    assert f'<a href="{draft.get_absolute_url()}?preview=1">A draft response</a>' in police_data(
        client, preview="1"
    )


def queries_for(client, url: str) -> int:
    content_version(fresh=True)  # read at most once a second per process, not per page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_statement_costs_one_query_however_many_documents_and_quarters(client, june):
    urls = [reverse("performance:police-data"), reverse("performance:ncpm-period", args=["2023-06"])]
    without = [queries_for(client, url) for url in urls]
    statement = statement_for(june)
    statement.documents.set([document("Response", publish_at=PUBLISHED)])
    with_one = [queries_for(client, url) for url in urls]

    statement.documents.add(*(document(f"Annex {n}", publish_at=PUBLISHED) for n in range(5)))
    for period_end in (datetime.date(2022, 12, 31), datetime.date(2023, 3, 31)):
        earlier = quarter(period_end, publish_at=PUBLISHED)
        statement_for(earlier).documents.set([document(f"Response {period_end}", publish_at=PUBLISHED)])
    with_many = [queries_for(client, url) for url in urls]

    assert with_one == [count + 1 for count in without]  # the statement's documents
    assert with_many == with_one


def test_linking_a_document_to_a_statement_moves_the_content_version(demo_data, settings, tmp_path):
    from django.core.files.base import ContentFile

    from performance.models import CommissionerStatement, Document, DocumentCategory, ReportingPeriod
    from performance.publishing.caching import content_version

    settings.MEDIA_ROOT = tmp_path
    period = ReportingPeriod.objects.create(period_end=datetime.date(2030, 6, 30), publish_at=PUBLISHED)
    statement = CommissionerStatement.objects.create(period=period, body="<p>Crime fell.</p>")
    document = Document.objects.create(
        title="Response to the ONS release",
        file=ContentFile(b"%PDF-1.4\n", name="response.pdf"),
        published_on="2023-10-19",
        category=DocumentCategory.objects.get(slug="performance"),
    )
    before = content_version(fresh=True)

    statement.documents.add(document)

    assert content_version(fresh=True) > before


def test_linking_a_document_to_a_draft_quarters_statement_leaves_the_version_alone(
    demo_data, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from performance.models import CommissionerStatement, Document, DocumentCategory, ReportingPeriod
    from performance.publishing.caching import content_version

    settings.MEDIA_ROOT = tmp_path
    period = ReportingPeriod.objects.create(period_end=datetime.date(2030, 6, 30))
    statement = CommissionerStatement.objects.create(period=period, body="<p>Crime fell.</p>")
    document = Document.objects.create(
        title="Response to the ONS release",
        file=ContentFile(b"%PDF-1.4\n", name="response.pdf"),
        published_on="2023-10-19",
        category=DocumentCategory.objects.get(slug="performance"),
    )
    before = content_version(fresh=True)

    statement.documents.add(document)

    assert content_version(fresh=True) == before
