"""The Police Data page, rendered from the demo data, against the reference page as published.

Expected rows are transcribed from the reference page; the page computes every difference, so a
match means the calculations and the templates agree with what the office published.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.models import CallAnswerMonth, Force, Measure, MeasureFigure, ReportingPeriod, SiteSettings
from performance.publishing.caching import content_version
from performance.shared import calculations
from tests.factories import PUBLISHED
from tests.helpers import status_and_heading
from tests.html_tables import parse_page

PUBLISHED_999_TABLES = {
    "Norfolk Constabulary 999 Call Performance Data (2023)": """
        January 2023 | 9,933 | 7.45 | 85.3% | 14.1% | 0.6% | 14th | 2nd | 2nd
        February 2023 | 9,060 | 7.29 | 86.6% | 12.8% | 0.6% | 7th | 2nd | 1st
        March 2023 | 10,356 | 7.57 | 86.1% | 13.2% | 0.7% | 4th | 1st | 1st
        April 2023 | 11,057 | 7.39 | 86.5% | 12.8% | 0.6% | 6th | 2nd | 1st
        May 2023 | 11,999 | 6.86 | 87.3% | 12.4% | 0.3% | 2nd | 1st | 1st
        June 2023 | 12,363 | 7.73 | 84.4% | 15.0% | 0.6% | 4th | 1st | 1st
        July 2023 | 12,629 | 7.18 | 87.0% | 12.6% | 0.4% | 3rd | 2nd | 1st
        August 2023 | 12,398 | 6.89 | 87.9% | 11.8% | 0.3% | 2nd | 2nd | 1st
        September 2023 | 11,628 | 7.57 | 87.1% | 12.2% | 0.7% | 4th | 2nd | 1st
    """,
    "Norfolk Constabulary 999 Call Performance Data (2022)": """
        January 2022 | 2,958 | 7.6 | 85.6% | 13.7% | 0.7% | 8th | 2nd | 1st
        February 2022 | 8,114 | 7.5 | 85.5% | 13.7% | 0.7% | 6th | 2nd | 1st
        March 2022 | 8,743 | 8.7 | 81.2% | 17.5% | 1.3% | 13th | 3rd | 2nd
        April 2022 | 9,185 | 7.7 | 84.0% | 15.5% | 0.5% | 9th | 2nd | 1st
        May 2022 | 9,535 | 8.6 | 82.0% | 17.0% | 1.0% | 11th | 3rd | 1st
        June 2022 | 10,103 | 10 | 77.5% | 21.0% | 1.6% | 17th | 3rd | 3rd
        July 2022 | 11,677 | 10.9 | 75.1% | 22.7% | 2.3% | 16th | 3rd | 3rd
        August 2022 | 11,518 | 11.2 | 74.7% | 22.8% | 2.5% | 22nd | 3rd | 4th
        September 2022 | 9,984 | 11.2 | 76.0% | 21.2% | 2.8% | 23rd | 4th | 5th
        October 2022 | 10,692 | 11.2 | 75.6% | 21.6% | 2.6% | 24th | 3rd | 4th
        November 2022 | 9,916 | 12 | 73.4% | 23.7% | 3.0% | 28th | 5th | 5th
        December 2022 | 9,661 | 8.8 | 81.4% | 17.3% | 1.3% | 18th | 2nd | 2nd
    """,
    "Norfolk Constabulary 999 Call Performance Data (2021)": """
        November 2021 | 8,720 | 8.8 | 82.8% | 15.9% | 1.3% | 8th | 2nd | 1st
        December 2021 | 9,105 | 9.3 | 82.0% | 16.3% | 1.7% | 11th | 2nd | 1st
    """,
}

PUBLISHED_999_HEADER = [
    "Month",
    "Total Calls",
    "Mean Answer Time (seconds)",
    "% 999 calls answered in under 10 seconds",
    "% 999 calls answered in 10 to under 60 seconds",
    "% 999 calls answered in 60 seconds and over",
    "National ranking for % of 999 calls answered in under 10 seconds",
    "Most Similar Group ranking for % of 999 calls answered in under 10 seconds",
    "Regional 7 Force ranking for % of 999 calls answered in under 10 seconds",
]

PUBLISHED_NCPM_TABLES = {
    "Reduce Murder and Homicide": """
        Homicide (all offences) | 2 | 15 | 87% decrease -13 | 7 | 71% decrease -5
        Murder only | 2 | 10 | 80% decrease -8 | 5 | 60% decrease -3
    """,
    "Reduce Serious Violence": """
        All violence with injury | 8,505 | 8,507 | 0% decrease -2 | 7,091 | 20% increase +1,414
        Grievous Bodily Harm | 613 | 628 | 2% decrease -15 | 454 | 35% increase +159
        Actual Bodily Harm | 5,515 | 5,964 | 8% decrease -449 | 5,574 | 1% decrease -59
    """,
    "Disrupt drugs supply and County Lines": """
        Drug trafficking offences | 443 | 437 | 1% increase +6 | 600 | 26% decrease -157
    """,
    "Reduce neighbourhood crime": """
        All neighbourhood crime | 3,770 | 3,793 | 1% decrease -23 | 6,139 | 39% decrease -2,369
        Residential burglary | 1,241 | 1,312 | 5% decrease -71 | 2,223 | 44% decrease -982
        Vehicle offences | 1,770 | 1,739 | 2% increase +31 | 2,834 | 38% decrease -1,064
        Theft from the person | 407 | 399 | 2% increase +8 | 577 | 29% decrease -170
        Robbery | 352 | 343 | 3% increase +9 | 505 | 30% decrease -153
    """,
    "Improve satisfaction among victims - with a particular focus on victims of domestic abuse": """
        Satisfaction amongst victims of domestic abuse | 78% | 77% | 1 percentage point increase | 79% | 1 percentage point decrease
    """,
}

PUBLISHED_NCPM_HEADER = [
    "Measure",
    "Most recent 12 months (to 30 June 2023)",
    "Previous 12 months (to 30 June 2022)",
    "Difference against previous 12 months",
    "2019 Baseline (12 months up to 30 June 2019)",
    "Difference against 2019 Baseline",
]


def assert_headings(shown: list[str], published: list[str]):
    """Each heading as read aloud ends with the published page's wording in full (a short
    heading is shown, and its full wording is given to screen readers and in the key)."""
    assert len(shown) == len(published)
    for heading, wording in zip(shown, published, strict=True):
        assert heading == wording or heading.endswith(f" {wording}"), (heading, wording)


def rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


# Each change of a count of offences also says whether it is larger than chance, after the
# published wording (tests/crime/test_change_significance.py checks which label each one gets).
CHANCE_LABELS = (" Significant", " Small numbers", " Within chance")


def without_chance_label(cell: str) -> str:
    return next((cell.removesuffix(label) for label in CHANCE_LABELS if cell.endswith(label)), cell)


def as_published(table_rows: list[list[str]]) -> list[list[str]]:
    """The table's rows in the published page's wording: each change without its chance label."""
    return [[without_chance_label(cell) for cell in row] for row in table_rows]


@pytest.fixture
def page(client, demo_data):
    response = client.get(reverse("performance:police-data"))
    assert response.status_code == 200
    return response.content.decode()


BELOW_TARGET = " ▼, below the 90% target"


def test_999_tables_show_every_published_month_in_the_right_row(page):
    tables = {t.caption: t for t in parse_page(page).tables if "999 Call" in t.caption}

    assert list(tables) == list(PUBLISHED_999_TABLES)  # newest year first
    for caption, expected in PUBLISHED_999_TABLES.items():
        assert_headings(tables[caption].header, PUBLISHED_999_HEADER)
        shown = [[cell.removesuffix(BELOW_TARGET) for cell in row] for row in tables[caption].rows]
        # As published, with how many forces each group ranks: 8 in the MSG, 7 in the region; the
        # page does not say how many were ranked nationally: the rank alone, and a note under the table.
        published = [[*row[:6], row[6], f"{row[7]} of 8", f"{row[8]} of 7"] for row in rows(expected)]
        assert shown == published  # months in calendar order


def test_months_below_the_target_are_marked_in_text(page):
    table = next(t for t in parse_page(page).tables if t.caption.endswith("(2023)"))
    # Every published month fell short of 90%, so each share carries the words, not just a colour.
    assert all(row[3].endswith(BELOW_TARGET) for row in table.rows)
    assert "▼ marks a month below the target of 90% answered in under 10 seconds." in page


def test_a_month_meeting_the_target_is_not_marked(client, demo_data):
    month = CallAnswerMonth.objects.get(month=datetime.date(2023, 9, 1))
    month.pct_under_10s, month.pct_10_to_60s, month.pct_60s_and_over = (
        Decimal("90.0"),
        Decimal("9.5"),
        Decimal("0.5"),
    )
    month.save()
    table = next(
        t
        for t in parse_page(client.get(reverse("performance:police-data")).content.decode()).tables
        if t.caption.endswith("(2023)")
    )
    assert table.row("September 2023")[3] == "90.0%"
    assert table.row("August 2023")[3] == "87.9%" + BELOW_TARGET


def test_ncpm_tables_show_every_measure_with_computed_differences(page):
    tables = {t.caption: t for t in parse_page(page).tables if t.caption.startswith("Norfolk Constabulary: ")}

    assert list(tables) == [f"Norfolk Constabulary: {area}" for area in PUBLISHED_NCPM_TABLES]
    for area, expected in PUBLISHED_NCPM_TABLES.items():
        table = tables[f"Norfolk Constabulary: {area}"]
        assert_headings(table.header, PUBLISHED_NCPM_HEADER)
        assert as_published(table.rows) == rows(expected)


def test_ons_headline_and_next_release(page):
    text = " ".join(page.split())
    assert (
        "The latest statistics were published on 19 October 2023 and covered the 12-month period to "
        "June 2023, showing police recorded crime (excluding fraud) in Norfolk decreased during this period by 6% (69,237 offences to 65,115)."
    ) in text
    assert (
        "ONS will next release crime statistics for all forces in England and Wales on 25 January 2024, "
        "covering the 12-month period to September 2023."
    ) in text


def test_the_dcpp_link_goes_to_the_pack_not_the_inspectorates_home_page(page):
    (link,) = re.findall(r'<a href="([^"]+)"[^>]*>Explore the Digital Crime and Performance Pack</a>', page)
    assert "digital-crime-and-performance-pack" in link
    assert link.rstrip("/") != "https://www.justiceinspectorates.gov.uk/hmicfrs"


def test_group_definitions_list_their_member_forces(page):
    text = " ".join(page.split())
    assert (
        "Devon and Cornwall, Lincolnshire, Norfolk, North Wales, North Yorkshire, Suffolk, West Mercia, Wiltshire."
    ) in text
    assert "Bedfordshire, Cambridgeshire, Essex, Hertfordshire, Kent, Norfolk, Suffolk." in text
    assert "Most Similar Group" in text and "Regional 7 Force" in text


def test_target_and_emergency_wording_come_from_settings(page):
    text = " ".join(page.split())
    assert "aim to answer 90% of 999 calls within 10 seconds" in text
    assert "In an emergency always dial 999." in text
    assert "Looking for Norfolk Police?" in text
    assert "Please note:</strong> StreetSafe is not for reporting crime or incidents." in text


def test_sections_appear_in_the_reference_order(page):
    """The reference page's sections, in its order, after the two this page opens with: its
    summary and its contents (tests/site/test_at_a_glance.py), which the reference page has not."""
    headings = [text for level, text in parse_page(page).headings if level in ("h1", "h2")]
    assert headings == [
        "Police Data",
        "At a glance",
        "On this page",
        "999 Call Performance Data",
        "Office for National Statistics",
        "National Crime and Policing Measures",
        "Appendix: what the measures count",
        "Note on crime recording standards",
        "Digital Crime and Performance Pack",
        "Reporting Crime",
        "Glossary",  # ours, after the reference page's sections
    ]


def test_the_glossary_defines_each_term_and_the_page_links_to_each_definition(page):
    # Given the Police Data page, when a resident meets a term, then it links to a plain definition
    document = parse_page(page)
    for anchor, term in [
        ("glossary-msg", "Most Similar Group"),
        ("glossary-ncpm", "National Crime and Policing Measures"),
        ("glossary-recorded-crime", "Police recorded crime"),
        ("glossary-points", "Percentage points"),
        ("glossary-median", "Median"),
    ]:
        assert re.search(rf'<dt id="{anchor}">{term}</dt>\s*<dd>[^<]+</dd>', page), term
        assert f'href="#{anchor}"' in page, term
    # Where the page's own words first use a term, it is the link (the office's intro, above the
    # sections, is its own prose)
    sections = page[page.index('<section id="calls-999"') :].lower()
    for anchor, term in [
        ("glossary-msg", "most similar group"),
        ("glossary-recorded-crime", "police recorded crime"),
        ("glossary-points", "percentage point"),
        ("glossary-median", "median"),
    ]:
        link = f'<a href="#{anchor}">{term}'
        words = sections.replace(link, "LINK")  # the term, where the page uses it other than the link
        assert "LINK" in words and words.index("LINK") < words.find(term) % len(words), term
    assert ("h2", "Glossary") in document.headings


def test_one_h1_and_headings_never_skip_a_level(page):
    levels = [int(level[1]) for level, _ in parse_page(page).headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_tables_have_captions_and_scoped_headers(page):
    parsed = parse_page(page)
    assert parsed.tables and all(t.caption for t in parsed.tables)
    # a heading may carry a class too (the columns in view on a phone)
    assert page.count('<th scope="col"') == sum(len(t.header) for t in parsed.tables)
    assert page.count('<th scope="row">') == sum(len(t.rows) for t in parsed.tables)


def test_commentary_rich_text_is_rendered_and_raw_html_is_removed(client, demo_data):
    from performance.models import PriorityAreaCommentary

    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = (
        "<p>First paragraph.</p><ul><li>a bullet</li><li>another</li></ul>"
        "<script>alert(1)</script><b onclick=x>bold</b>"
    )
    commentary.save()
    html = client.get(reverse("performance:police-data")).content.decode()
    assert "<li>a bullet</li>" in html
    assert "<script>alert(1)" not in html and "onclick" not in html


def add_history(years: int, periods: int):
    """Ten more years of 999 months for every group member, and more NCPM quarters."""
    home = SiteSettings.objects.get().home_force
    forces = [home, *Force.objects.exclude(pk=home.pk)[:8]]
    CallAnswerMonth.objects.bulk_create(
        CallAnswerMonth(
            publish_at=PUBLISHED,
            force=force,
            month=datetime.date(2005 + offset // 12, offset % 12 + 1, 1),
            total_calls=10_000,
            mean_answer_seconds=Decimal("7.5"),
            pct_under_10s=Decimal("85.0"),
            pct_10_to_60s=Decimal("14.0"),
            pct_60s_and_over=Decimal("1.0"),
        )
        for force in forces
        for offset in range(years * 12)
    )
    for quarter in range(periods):
        period = ReportingPeriod.objects.create(
            publish_at=PUBLISHED, period_end=datetime.date(2010 + quarter, 3, 31)
        )
        MeasureFigure.objects.bulk_create(
            MeasureFigure(period=period, measure=m, latest=10, previous=12, baseline=9)
            for m in Measure.objects.all()
        )


def test_ranks_published_without_how_many_were_ranked_are_explained_under_their_tables(client, demo_data):
    page = client.get(reverse("performance:police-data")).content.decode()
    assert page.count(calculations.ENTERED_RANKS_NOTE) == 3  # under each of the latest three years' tables

    CallAnswerMonth.objects.all().delete()  # no ranks at all: no note
    assert (
        calculations.ENTERED_RANKS_NOTE not in client.get(reverse("performance:police-data")).content.decode()
    )


def test_query_count_is_small_and_does_not_grow_with_history(client, demo_data, django_assert_num_queries):
    url = reverse("performance:police-data")
    content_version(fresh=True)  # read at most once a second per process, not per page
    with django_assert_num_queries(16) as captured:  # 14, the statement's documents, the every-force month
        client.get(url)
    add_history(years=10, periods=8)
    content_version(fresh=True)
    with django_assert_num_queries(len(captured)):
        response = client.get(url)
    page = response.content.decode()
    captions = [t.caption for t in parse_page(page).tables]
    assert sum("999 Call Performance Data (" in c for c in captions) == 3  # the latest three years
    assert reverse("performance:calls-999-archive") in page  # the rest one click away


def test_999_archive_shows_every_year_in_a_constant_number_of_queries(
    client, demo_data, django_assert_num_queries
):
    url = reverse("performance:calls-999-archive")
    content_version(fresh=True)
    with django_assert_num_queries(6) as captured:
        client.get(url)
    add_history(years=10, periods=8)
    content_version(fresh=True)
    with django_assert_num_queries(len(captured)):
        response = client.get(url)
    captions = [t.caption for t in parse_page(response.content.decode()).tables]
    assert sum("999 Call Performance Data (" in c for c in captions) == 13


def test_library_lists_the_police_data_page(client, demo_data):
    response = client.get(reverse("performance:library"))
    assert response.status_code == 200
    assert f'href="{reverse("performance:police-data")}"' in response.content.decode()


def test_plain_library_page_renders(client, demo_data):
    response = client.get(reverse("performance:library-page", args=["accountability-meetings"]))
    assert response.status_code == 200
    assert "<h1>Accountability meetings</h1>" in response.content.decode()


def test_police_data_page_renders_without_any_data(client, db):
    response = client.get(reverse("performance:police-data"))
    assert status_and_heading(response) == (200, "Police Data")
    page = response.content.decode()
    for section in ("999 call figures", "ONS recorded crime figures", "National Crime and Policing Measures"):
        assert f"No {section} have been published yet." in page


def test_the_appendix_says_under_each_definition_what_its_measures_count(page):
    """Generated from each measure's definition, so the appendix cannot disagree with the sums."""
    text = " ".join(page.split())
    appendix = text[text.index("Appendix: what the measures count") :]
    assert (
        "<dt>All violence with injury</dt> <dd><p>Counted from the Home Office recorded crime open "
        "data: offence subgroups Violence with injury; Death or serious injury – unlawful driving, "
        "and offence codes 4.4, 4.6, 4.8, 4.9, 37.1.</p></dd>"
    ) in appendix
    assert (
        "<dt>Grievous Bodily Harm</dt> <dd><p>Grievous bodily harm, from the force's own crime "
        "classification."
    ) in appendix
    for name in (
        "Grievous Bodily Harm",
        "Actual Bodily Harm",
        "Satisfaction amongst victims of domestic abuse",
    ):
        entry = appendix[appendix.index(f"<dt>{name}</dt>") :]
        assert entry.split("</dd>")[0].endswith(
            "<p>Supplied by the force: not in the national open data.</p>"
        )
    assert (
        "<dt>Murder only</dt> <dd><p>Counted from the Home Office recorded crime open data: offence code 1."
        in (appendix)
    )


def test_a_changed_definition_changes_the_appendix(client, demo_data):
    measure = Measure.objects.get(name="Robbery")
    measure.offence_subgroups, measure.offence_codes = [], ["34B"]
    measure.save()
    content_version(fresh=True)
    text = " ".join(client.get(reverse("performance:police-data")).content.decode().split())
    assert (
        "<dt>Robbery</dt> <dd><p>Counted from the Home Office recorded crime open data: offence code 34B.</p>"
        in (text)
    )
