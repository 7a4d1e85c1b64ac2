"""Every force's 999 call answering in a month, side by side: rows, sorting, group averages,
the median chart, the national comparison set, and a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.calls.ranking import ranks_deferred, ranks_recompute
from performance.models import CallAnswerMonth, Force, NationalComparison, SiteSettings
from performance.publishing.caching import content_version
from performance.shared import calculations
from tests.factories import PUBLISHED
from tests.html_tables import parse_page

SEPTEMBER_2023 = datetime.date(2023, 9, 1)
URL = reverse("performance:calls-999-national", args=["2023-09"])

# September 2023 for other forces: (share under 10 s, calls). Norfolk's own, as published:
# 87.1% of 11,628 calls (the demo data).
OTHERS = {
    "Suffolk": ("79.0", 8_000),  # Most Similar Group and the Regional 7 Force group
    "Lincolnshire": ("91.5", 6_000),  # Most Similar Group
    "Essex": ("81.7", 20_000),  # Regional 7 Force group
    "Kent": ("73.9", 25_000),  # Regional 7 Force group
    "Merseyside": ("95.2", 22_000),  # neither
}


FILLER = ("60.0", 1_000)  # every other England and Wales force, so that the month is national data


def national_shares() -> dict:
    """OTHERS, and every other England and Wales force at FILLER, ranked below them all."""
    others = Force.objects.filter(kind=Force.Kind.TERRITORIAL).exclude(name__in=[*OTHERS, "Norfolk"])
    return {**OTHERS, **{force.name: FILLER for force in others}}


def ranked_forces() -> int:
    return Force.objects.filter(kind=Force.Kind.TERRITORIAL).count()


def add_months(shares=None, *, month=SEPTEMBER_2023, publish_at=PUBLISHED):
    shares = national_shares() if shares is None else shares
    forces = {force.name: force for force in Force.objects.filter(name__in=shares)}
    with ranks_deferred():
        for name, (share, calls) in shares.items():
            under = Decimal(share)
            CallAnswerMonth.objects.create(
                publish_at=publish_at,
                force=forces[name],
                month=month,
                total_calls=calls,
                mean_answer_seconds=Decimal("8.25"),
                median_answer_seconds=Decimal("4.1"),
                pct_under_10s=under,
                pct_10_to_60s=Decimal(99) - under,
                pct_60s_and_over=Decimal("1.0"),
            )
    ranks_recompute(months=[month])


def table(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    return next(t for t in parse_page(response.content.decode()).tables if t.caption.startswith("999 call"))


def forces(rows) -> list[str]:
    """The forces named in OTHERS and Norfolk, in the order shown."""
    names = [row[0].split(" (")[0] for row in rows]
    return [name for name in names if name in OTHERS or name in ("Norfolk", "Scotland")]


def test_every_public_force_is_listed_best_first_with_ranks_of_n_and_groups_marked(client, demo_data):
    add_months()
    add_months({"Northern Ireland": ("98.0", 5_000)}, publish_at=None)  # a draft: not public

    shown = table(client)

    assert forces(shown.rows) == ["Merseyside", "Lincolnshire", "Norfolk", "Essex", "Suffolk", "Kent"]
    norfolk = shown.row("Norfolk (home force, Most Similar Group, Regional 7 Force)")
    n = ranked_forces()
    assert norfolk[1:] == [
        "11,628",
        "7.57",
        "",
        "87.1% ▼, below the 90% target",
        "12.2%",
        "0.7%",
        f"3rd of {n}",
    ]
    assert shown.row("Suffolk (Most Similar Group, Regional 7 Force)")[-1] == f"5th of {n}"
    assert shown.row("Merseyside")[-1] == f"1st of {n}"
    assert len(shown.rows) == n  # the draft is not listed


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("force", ["Essex", "Kent", "Lincolnshire", "Merseyside", "Norfolk", "Suffolk"]),
        ("-calls", ["Kent", "Merseyside", "Essex", "Norfolk", "Suffolk", "Lincolnshire"]),
        ("under_10s", ["Kent", "Suffolk", "Essex", "Norfolk", "Lincolnshire", "Merseyside"]),
        ("-rank", ["Kent", "Suffolk", "Essex", "Norfolk", "Lincolnshire", "Merseyside"]),
    ],
)
def test_any_column_sorts_the_table_and_says_so_with_aria_sort(client, demo_data, sort, expected):
    add_months()
    response = client.get(f"{URL}?sort={sort}")
    assert forces(table(client, f"{URL}?sort={sort}").rows) == expected
    page = response.content.decode()
    assert page.count("aria-sort=") == 1
    assert ('aria-sort="descending"' if sort.startswith("-") else 'aria-sort="ascending"') in page


def test_the_sort_is_kept_and_other_parameters_dropped(client, demo_data):
    add_months()
    by_calls = forces(table(client, f"{URL}?sort=-calls").rows)
    assert forces(table(client, f"{URL}?utm_source=x&sort=-calls").rows) == by_calls
    assert by_calls[0] == "Kent"


def test_an_unknown_sort_falls_back_to_the_rank_and_forces_without_a_rank_come_last(client, demo_data):
    add_months()
    add_months({"Scotland": ("99.0", 30_000)})  # stored, not ranked among England and Wales
    assert forces(table(client, f"{URL}?sort=nonsense").rows)[-1] == "Scotland"
    assert forces(table(client).rows)[0] == "Merseyside"


def test_group_averages_are_weighted_by_each_forces_calls(client, demo_data):
    add_months()
    averages = next(
        t for t in parse_page(client.get(URL).content.decode()).tables if t.caption.startswith("Group")
    )
    shares = {**national_shares(), "Norfolk": ("87.1", 11_628)}
    office = SiteSettings.objects.get()
    for group in (office.most_similar_group, office.regional_group):
        members = [(Decimal(shares[f.name][0]), shares[f.name][1]) for f in group.members.all()]
        row = averages.row(f"{group.name} ({len(members)} forces)")
        assert row[1] == calculations.thousands(sum(calls for _, calls in members))
        assert row[3] == calculations.percent(calculations.weighted_mean(members))
    assert (
        calculations.percent(calculations.weighted_mean([(Decimal("90.0"), 1), (Decimal("80.0"), 3)]))
        == "82.5%"
    )
    shares = national_shares()
    everyone = [(Decimal(share), calls) for share, calls in shares.values()] + [(Decimal("87.1"), 11_628)]
    england_and_wales = averages.row(f"England and Wales ({ranked_forces()} forces)")
    assert england_and_wales[1] == calculations.thousands(sum(calls for _, calls in everyone))
    assert england_and_wales[3] == calculations.percent(calculations.weighted_mean(everyone))


def test_the_median_chart_compares_the_home_force_with_the_median_force(client, demo_data):
    add_months()
    page = client.get(URL).content.decode()
    shares = [Decimal(s) for s, _ in national_shares().values()] + [Decimal("87.1")]
    median = calculations.median(shares)
    assert median == Decimal("60.0")  # most forces are the fillers
    assert (
        "In September 2023, Norfolk answered 87.1% of 999 calls within 10 seconds, against an England and "
        "Wales median of 60.0%: 27.1 percentage points above." in page
    )


def test_the_median_chart_speaks_of_the_pages_month_and_shows_the_24_months_to_it(client, demo_data):
    for month in (datetime.date(2023, 8, 1), SEPTEMBER_2023):
        add_months(month=month)
    august = client.get(reverse("performance:calls-999-national", args=["2023-08"])).content.decode()
    # Norfolk's August is the demo's own figure; the other forces' are the same every month.
    assert "In August 2023, Norfolk answered" in august
    assert "In September 2023, Norfolk answered" not in august
    # The chart's months are those up to the page's: September is not among them.
    assert "share of 999 calls answered in under 10 seconds, August 2023</" in august
    september = client.get(URL).content.decode()
    assert "In September 2023, Norfolk answered 87.1% of 999 calls" in september
    # Other forces' figures 24 and 23 months before September 2023: only the later is charted.
    for month in (datetime.date(2021, 9, 1), datetime.date(2021, 10, 1)):
        add_months(month=month)
    september = client.get(URL).content.decode()
    assert "share of 999 calls answered in under 10 seconds, October 2021 to September 2023</" in september


def test_a_month_without_figures_is_not_found_and_the_police_data_page_links_the_latest_month(
    client, demo_data
):
    assert client.get(reverse("performance:calls-999-national", args=["2001-01"])).status_code == 404
    police_data = reverse("performance:police-data")
    assert URL not in client.get(police_data).content.decode()  # only the home force held
    add_months()
    assert URL in client.get(police_data).content.decode()


def test_the_queries_do_not_grow_with_forces_or_months(client, demo_data, django_assert_num_queries):
    add_months()
    content_version(fresh=True)
    with django_assert_num_queries(6) as captured:
        client.get(URL)
    for earlier in (datetime.date(2023, 7, 1), datetime.date(2023, 8, 1)):  # more months
        add_months(month=earlier)
    add_months({"Scotland": ("99.0", 30_000), "Northern Ireland": ("97.0", 20_000)})  # more forces
    content_version(fresh=True)
    with django_assert_num_queries(len(captured)):
        response = client.get(URL)
    assert response.status_code == 200
    shown = next(t for t in parse_page(response.content.decode()).tables if t.caption.startswith("999 call"))
    # Every force listed, best first, with the forces added; Scotland, not ranked, last.
    assert forces(shown.rows) == [
        "Merseyside",
        "Lincolnshire",
        "Norfolk",
        "Essex",
        "Suffolk",
        "Kent",
        "Scotland",
    ]
    assert len(shown.rows) == ranked_forces() + 2  # Scotland and Northern Ireland too


def test_the_sitemap_lists_the_months_published_for_more_than_one_force(client, demo_data):
    assert URL not in client.get("/sitemap.xml").content.decode()  # only the home force held
    add_months({"Suffolk": ("79.0", 8_000)}, month=datetime.date(2023, 8, 1), publish_at=None)  # a draft
    add_months()
    listed = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{URL}" in listed
    assert reverse("performance:calls-999-national", args=["2023-08"]) not in listed


def test_with_northern_ireland_in_the_national_set_psni_is_ranked_out_of_one_more_and_the_page_says_so(
    client, demo_data
):
    # Given every England and Wales force's September 2023 and PSNI's, all published
    add_months()
    add_months({"Northern Ireland": ("98.0", 5_000)})
    n = ranked_forces()
    before = table(client)
    assert before.row("Northern Ireland")[-1] == ""  # not ranked among England and Wales
    assert before.row("Norfolk (home force, Most Similar Group, Regional 7 Force)")[-1] == f"3rd of {n}"

    # When the office ranks among England, Wales and Northern Ireland
    office = SiteSettings.objects.get()
    office.national_comparison = NationalComparison.WITH_NORTHERN_IRELAND
    office.save()  # recomputes the ranks, from the published months

    # Then PSNI has a national rank, every "of N" counts it, and the page names the set
    response = client.get(URL)
    page = response.content.decode()
    shown = next(t for t in parse_page(page).tables if t.caption.startswith("999 call"))
    assert shown.row("Northern Ireland")[-1] == f"1st of {n + 1}"
    assert shown.row("Norfolk (home force, Most Similar Group, Regional 7 Force)")[-1] == f"4th of {n + 1}"
    assert shown.row("Merseyside")[-1] == f"2nd of {n + 1}"
    averages = next(t for t in parse_page(page).tables if t.caption.startswith("Group"))
    assert averages.row(f"England, Wales and Northern Ireland ({n + 1} forces)")
    assert "The national rank is among the forces of England, Wales and Northern Ireland." in page
    assert (
        "Rank among the forces of England, Wales and Northern Ireland on the share answered in under 10 seconds"
        in page
    )
    assert "England, Wales and Northern Ireland median" in page
    assert "England and Wales" not in page.replace("Police forces in England, Wales and Northern Ireland", "")


def test_the_every_force_key_lists_each_column_shown_with_the_national_set(client, demo_data):
    add_months()
    response = client.get(URL)
    key = response.context["table"].key_shown
    assert [short for short, _ in key] == [
        "Calls",
        "Mean (s)",
        "Median (s)",
        "Under 10\u00a0s",
        "10 to 60\u00a0s",
        "60\u00a0s and over",
        "National rank",
    ]
    assert dict(key)["National rank"] == (
        "Rank among the forces of England and Wales on the share answered in under 10 seconds"
    )
