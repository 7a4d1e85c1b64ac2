"""Stable addresses: every NCPM quarter has its own page, and every year of 999 data is reachable."""

import datetime

import pytest
from django.urls import reverse

from performance.models import MeasureFigure, PriorityAreaCommentary, ReportingPeriod
from tests.factories import PUBLISHED
from tests.helpers import status_and_heading
from tests.html_tables import parse_page


@pytest.fixture
def two_quarters(demo_data):
    """The demo quarter (to June 2023) and a later one (to September 2023) with its own figures."""
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    september = ReportingPeriod.objects.create(publish_at=PUBLISHED, period_end=datetime.date(2023, 9, 30))
    for figure in june.figures.all():
        MeasureFigure.objects.create(
            period=september,
            measure=figure.measure,
            latest=figure.latest + 1,
            previous=figure.previous,
            baseline=figure.baseline,
        )
    PriorityAreaCommentary.objects.create(
        period=september, priority_area=june.commentaries.first().priority_area, body="September's comment."
    )
    return june, september


def test_each_quarter_has_its_own_page_at_a_stable_address(client, two_quarters):
    june, september = two_quarters
    page = client.get(reverse("performance:ncpm-period", args=["2023-06"])).content.decode()
    homicide = next(t for t in parse_page(page).tables if t.caption.endswith("Reduce Murder and Homicide"))
    assert homicide.row("Homicide (all offences)") == [
        "Homicide (all offences)",
        "2",
        "15",
        "87% decrease -13 Significant",
        "7",
        "71% decrease -5 Small numbers",
    ]
    assert "September's comment." not in page

    later = client.get(reverse("performance:ncpm-period", args=["2023-09"])).content.decode()
    homicide = next(t for t in parse_page(later).tables if t.caption.endswith("Reduce Murder and Homicide"))
    assert homicide.row("Homicide (all offences)")[1] == "3"
    assert "September's comment." in later


def test_the_archive_lists_every_quarter_newest_first(client, two_quarters):
    page = client.get(reverse("performance:ncpm-archive")).content.decode()
    september = page.index(reverse("performance:ncpm-period", args=["2023-09"]))
    june = page.index(reverse("performance:ncpm-period", args=["2023-06"]))
    assert september < june


def test_the_police_data_page_shows_the_latest_quarter_and_links_to_the_archive(client, two_quarters):
    page = client.get(reverse("performance:police-data")).content.decode()
    assert "for the 12 months to 30 September 2023" in page
    assert reverse("performance:ncpm-archive") in page


def test_a_quarter_not_held_is_not_found(client, demo_data):
    assert status_and_heading(client.get(reverse("performance:ncpm-period", args=["2019-03"]))) == (
        404,
        "Not Found",
    )
    assert status_and_heading(client.get("/document-library/police-data/ncpm/2023-6/")) == (404, "Not Found")


def test_public_pages_answer_conditional_requests_with_304(client, demo_data):
    url = reverse("performance:police-data")
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert "for the 12 months to 30 June 2023" in first.content.decode()  # the page, with its figures
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


def test_a_change_to_the_content_moves_last_modified(client, demo_data):
    url = reverse("performance:police-data")
    first = client.get(url)
    PriorityAreaCommentary.objects.update(body="Changed.")  # a bulk update sends no signal …
    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = "Changed again."
    commentary.save()  # … a save does
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "Changed again." in again.content.decode()
