"""The "At a glance" summary and the "On this page" contents at the top of the Police Data page
and of an NCPM quarter's page.

Given the demo data, which holds the reference page's figures, each summary sentence is checked
against ``figures.json`` (a copy of the reference figures): the expected wording is worked out
here from its numbers, not from the summary's own functions.
"""

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from lxml import html

from performance.models import (
    CallAnswerMonth,
    MeasureFigure,
    PageSection,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)
from performance.publishing.caching import content_version
from tests.helpers import DEMO_FIGURES

FIGURES = json.loads(DEMO_FIGURES.read_text())
GLANCE = '//section[contains(@class, "at-a-glance")]'


def whole_percent(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def nth(number: int) -> str:
    return (
        f"{number}{'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
    )


def month_words(day: datetime.date) -> str:
    return day.strftime("%B %Y")


def expected_999() -> str:
    columns = FIGURES["calls_999_columns"]
    newest = dict(zip(columns, max(FIGURES["calls_999"], key=lambda row: row[0]), strict=True))
    share = Decimal(str(newest["pct_under_10s"]))
    target = FIGURES["answer_target"]["percent_within_seconds"]
    month = datetime.date.fromisoformat(f"{newest['month']}-01")
    against = "below" if share < target else "meeting"
    return (
        f"999 calls: {share:.1f}% answered in under 10 seconds in {month_words(month)}, {against} the "
        f"{target}% target; ranked {nth(newest['national_rank'])} nationally."
    )


def expected_ons() -> str:
    ons = FIGURES["ons_recorded_crime"]
    change = whole_percent(
        Decimal(ons["offences"] - ons["previous_offences"]) * 100 / ons["previous_offences"]
    )
    way = "down" if change < 0 else "up"
    period_end = datetime.date.fromisoformat(ons["period_end"])
    return (
        f"Recorded crime (excluding fraud): {way} {abs(change)}% on the year before "
        f"({ons['offences']:,} offences in the 12 months to {month_words(period_end)})."
    )


def expected_ncpm() -> list[str]:
    ncpm = FIGURES["ncpm"]
    period = f"the 12 months to {month_words(datetime.date.fromisoformat(ncpm['period_end']))}"
    measures = [m for area in ncpm["priority_areas"] for m in area["measures"]]
    counts = [m for m in measures if m.get("unit") != "percent"]
    lower = sum(m["current"] < m["previous"] for m in counts)
    higher = sum(m["current"] > m["previous"] for m in counts)
    assert lower + higher == len(counts)  # no measure is unchanged in the reference quarter
    sentences = [
        f"National measures: {lower} of {len(counts)} crime measures were lower in {period} than in "
        f"the 12 months before; {higher} were higher."
    ]
    for measure in measures:
        if measure.get("unit") == "percent":
            points = measure["current"] - measure["previous"]
            unit = "percentage point" if abs(points) == 1 else "percentage points"
            sentences.append(
                f"{measure['name']}: {measure['current']}% in {period}, {abs(points)} {unit} "
                f"{'above' if points > 0 else 'below'} the 12 months before."
            )
    return sentences


def glance(page: str) -> list[str]:
    """The summary's items as read, in order."""
    tree = html.fromstring(page)
    return [" ".join(item.text_content().split()) for item in tree.xpath(GLANCE + "//li")]


def glance_links(page: str) -> list[str]:
    return [link.get("href") for link in html.fromstring(page).xpath(GLANCE + "//li/a")]


def contents(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    (nav,) = tree.xpath('//nav[@aria-label="On this page"]')
    return [(link.get("href"), link.text_content().strip()) for link in nav.xpath(".//a")]


def ids(page: str) -> set[str]:
    return {element.get("id") for element in html.fromstring(page).xpath("//*[@id]")}


def police_data(client) -> str:
    response = client.get(reverse("performance:police-data"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def page(client, demo_data):
    return police_data(client)


def test_every_summary_sentence_matches_the_reference_figures(page):
    assert glance(page) == [expected_999(), expected_ons(), *expected_ncpm()]


def test_the_summary_comes_straight_after_the_heading_then_the_contents(page):
    main = html.fromstring(page).xpath("//main")[0]
    children = list(main)
    assert [child.tag for child in children[:3]] == ["h1", "section", "nav"]
    assert "at-a-glance" in children[1].get("class")
    assert children[2].get("aria-label") == "On this page"


def test_each_summary_item_links_to_a_section_on_the_page(page):
    links = glance_links(page)
    assert links[:3] == ["#calls-999", "#ons", "#ncpm"]
    assert all(link.removeprefix("#") in ids(page) for link in links)


def test_the_contents_list_every_section_in_page_order(page):
    tree = html.fromstring(page)
    sections = [heading.text_content().strip() for heading in tree.xpath("//main//h2")]
    listed = contents(page)
    assert [label for _, label in listed] == [h for h in sections if h not in ("At a glance", "On this page")]
    assert [href for href, _ in listed][:4] == ["#calls-999", "#ons", "#ncpm", "#appendix"]
    assert [href for href, _ in listed][-2:] == ["#reporting", "#glossary"]
    assert all(href.removeprefix("#") in ids(page) for href, _ in listed)


def test_a_renamed_section_is_listed_by_its_new_heading(client, demo_data):
    section = PageSection.objects.get(slot="calls_999")
    section.heading = "Answering 999 calls"
    section.save()
    page = police_data(client)
    assert ("#calls-999", "Answering 999 calls") in contents(page)


def test_a_newer_draft_month_is_not_summarised(client, demo_data):
    home = SiteSettings.objects.get().home_force
    CallAnswerMonth.objects.create(
        force=home,
        month=datetime.date(2023, 10, 1),
        total_calls=10_000,
        mean_answer_seconds=Decimal("5"),
        pct_under_10s=Decimal("95.0"),
        pct_10_to_60s=Decimal("5.0"),
        pct_60s_and_over=Decimal("0.0"),
    )  # a draft: no publication time
    assert glance(police_data(client))[0] == expected_999()


def test_missing_data_gives_no_sentence_rather_than_a_wrong_one(client, demo_data):
    CallAnswerMonth.objects.all().delete()
    items = glance(police_data(client))
    assert not any(item.startswith("999 calls") for item in items) and items[0] == expected_ons()

    RecordedCrimePeriod.objects.update(publish_at=None)  # back to drafts
    assert glance(police_data(client)) == expected_ncpm()

    ReportingPeriod.objects.update(publish_at=None)
    page = police_data(client)
    assert glance(page) == [] and "At a glance" not in page
    assert len(contents(page)) >= 5  # the sections are still there to go to


def test_the_summary_and_contents_cost_no_query(client, demo_data, django_assert_num_queries):
    """Measured before the summary was added: 19 for the Police Data page (its own test, 16
    since) and 9 for a quarter's page: 8 since the office's groups are read in one query, 9 since
    the quarter's charge/summons rates are read (one query); the summary is worded from the rows
    those queries read."""
    content_version(fresh=True)
    with django_assert_num_queries(9):
        page = client.get(reverse("performance:ncpm-period", args=["2023-06"])).content.decode()
    assert glance(page) == expected_ncpm()


def test_a_quarters_page_summarises_its_own_quarter(client, demo_data):
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    september = ReportingPeriod.objects.create(
        publish_at=june.publish_at, period_end=datetime.date(2023, 9, 30)
    )
    for figure in june.figures.select_related("measure"):
        MeasureFigure.objects.create(
            period=september, measure=figure.measure, latest=figure.previous, previous=figure.previous
        )
    page = client.get(reverse("performance:ncpm-period", args=["2023-09"])).content.decode()
    items = glance(page)
    assert items[0] == (
        "National measures: All 11 crime measures were the same in the 12 months to September 2023 "
        "as in the 12 months before."
    )
    assert any("the same as the 12 months before" in item for item in items[1:])

    june_page = client.get(reverse("performance:ncpm-period", args=["2023-06"])).content.decode()
    assert glance(june_page) == expected_ncpm()


def test_a_quarters_contents_list_its_statement_priority_areas_charge_rates_and_method(client, demo_data):
    page = client.get(reverse("performance:ncpm-period", args=["2023-06"])).content.decode()
    listed = contents(page)
    areas = [
        area["name"] for area in FIGURES["ncpm"]["priority_areas"] if area["measures"]
    ]  # cyber crime has no force figures, and no section
    # then the charge/summons rates, and how the page judges whether a change is larger than chance
    assert [label for _, label in listed][1:] == [
        *areas,
        "Charges and summonses",
        "Whether a change is larger than chance",
    ]
    assert listed[0][0].startswith("#statement-")
    assert all(href.removeprefix("#") in ids(page) for href, _ in listed)
    assert all(link.removeprefix("#") in ids(page) for link in glance_links(page))
