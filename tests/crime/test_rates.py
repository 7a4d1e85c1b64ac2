"""Rates per 1,000 residents (``performance.shared.rates``): the wording and the 95% Wilson
intervals with values worked here, and the rates computed with the NCPM figures and the ONS
headline from small data built here, shown to the public only once published."""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from performance.crime import ncpm, ons
from performance.forces.population import populations_save
from performance.models import (
    Force,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    Offence,
    OffenceCount,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
    ReportingPeriod,
    SiteSettings,
)
from performance.shared import calculations, rates
from tests.factories import PUBLISHED, staff
from tests.helpers import tasks_run_on_commit
from tests.html_tables import parse_page

Z = 1.959963984540054  # the 97.5th percentile of the normal distribution


def tenth(count: int, population: int) -> str:
    """count × 1,000 / population to one decimal place, halves up, by hand."""
    return str((Decimal(count) * 1000 / Decimal(population)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def wilson_by_hand(count: int, population: int) -> tuple[float, float]:
    """The 95% Wilson score interval per 1,000, from its formula."""
    p, n = count / population, population
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return (centre - half) * 1000, (centre + half) * 1000


# --------------------------------------------------------------------------------------------
# The pure functions
# --------------------------------------------------------------------------------------------


def test_a_rate_is_the_count_per_thousand_residents_to_one_decimal_place():
    assert rates.rate_text(rates.rate_per_thousand(65_115, 934_000)) == "69.7 per 1,000 residents"
    assert rates.rate_text(rates.rate_per_thousand(12_345, 1_000_000)) == "12.3 per 1,000 residents"
    assert (
        rates.rate_text(rates.rate_per_thousand(12_350, 1_000_000)) == "12.4 per 1,000 residents"
    )  # half up
    assert rates.rate_per_thousand(10, None) is None and rates.rate_text(None) == ""


@pytest.mark.parametrize("count, population", [(65_115, 934_000), (2, 916_120), (0, 500_000), (300, 1_000)])
def test_the_95_percent_interval_is_wilsons(count, population):
    low, high = rates.rate_interval(count, population)
    expected_low, expected_high = wilson_by_hand(count, population)

    assert float(low) == pytest.approx(max(expected_low, 0), abs=1e-6)
    assert float(high) == pytest.approx(expected_high, abs=1e-6)


def test_the_interval_is_worded_per_thousand_residents():
    low, high = wilson_by_hand(65_115, 934_000)
    assert (round(low, 1), round(high, 1)) == (69.2, 70.2)
    assert rates.rate_interval_text(65_115, 934_000) == "95% interval 69.2 to 70.2 per 1,000 residents"


def test_a_position_among_the_group_counts_from_the_highest_rate():
    group = {"a": 90, "b": 80, "home": 70, "c": 60, "d": 50, "e": 40, "f": 30, "g": 20}

    assert rates.rate_position_text(rates.rate_position(group, "home")) == "3rd highest of 8"
    assert rates.rate_position_text(rates.rate_position(group, "a")) == "highest of 8"
    assert rates.rate_position_text(rates.rate_position(group, "g")) == "lowest of 8"
    assert rates.rate_position_text(rates.rate_position({"a": 80, "home": Decimal("80.04")}, "home")) == (
        "joint 1st highest of 2"  # printed alike (80.0): the same position
    )


@pytest.mark.parametrize(
    "period_end, mid_year",
    [
        (datetime.date(2023, 6, 30), 2023),
        (datetime.date(2023, 9, 30), 2023),
        (datetime.date(2023, 12, 31), 2023),
        (datetime.date(2024, 3, 31), 2023),
        (datetime.date(2024, 6, 30), 2024),
    ],
)
def test_twelve_months_use_the_mid_year_inside_them(period_end, mid_year):
    assert rates.mid_year_within(period_end) == mid_year


# --------------------------------------------------------------------------------------------
# Computed with the NCPM figures
# --------------------------------------------------------------------------------------------

JUNE_2023 = datetime.date(2023, 6, 30)
LATEST = calculations.twelve_month_quarter_ends(JUNE_2023)
PREVIOUS = calculations.twelve_month_quarter_ends(datetime.date(2022, 6, 30))
# Robbery per quarter in each year, and residents at mid-2023, by force.
ROBBERY = {"Norfolk": (100, 110), "Suffolk": (150, 140), "Essex": (80, 90), "Kent": (400, 380)}
RESIDENTS = {"Norfolk": 934_000, "Suffolk": 770_000, "Essex": 1_900_000, "Kent": 1_600_000}
MSG = ("Norfolk", "Suffolk", "Essex")  # Kent is not in the group


@pytest.fixture
def counted(db):
    forces = {
        name: Force.objects.create(name=name, full_name=f"{name} Police", ons_code=f"E230000{index:02d}")
        for index, name in enumerate(ROBBERY)
    }
    group = ForceGroup.objects.create(name="MSG", kind=ForceGroup.Kind.MOST_SIMILAR)
    for name in MSG:
        ForceGroupMembership.objects.create(group=group, force=forces[name])
    SiteSettings.objects.create(office_name="Office", home_force=forces["Norfolk"], most_similar_group=group)
    area = PriorityArea.objects.create(name="Reduce neighbourhood crime")
    Measure.objects.create(priority_area=area, name="Robbery", offence_codes=["34B"])
    offence = Offence.objects.create(
        code="34B", description="Robbery of personal property", group="Robbery", subgroup="Robbery"
    )
    for name, (latest, previous) in ROBBERY.items():
        for quarter_ends, count in ((LATEST, latest), (PREVIOUS, previous)):
            for quarter_end in quarter_ends:
                OffenceCount.objects.create(
                    force=forces[name], quarter_end=quarter_end, offence=offence, count=count
                )
    return forces


def with_populations(forces, year=2023):
    for name, residents in RESIDENTS.items():
        ForcePopulation.objects.create(
            force=forces[name], year=year, population=residents, source="ONS mid-2023"
        )


def expected_rates() -> dict[str, str]:
    """Each group force's rate over the latest 12 months (four quarters), by hand."""
    return {name: tenth(ROBBERY[name][0] * 4, RESIDENTS[name]) for name in MSG}


def test_each_count_measure_gains_the_home_forces_rate_and_its_groups(counted):
    with_populations(counted)

    ncpm.ncpm_figures_update()

    figure = MeasureFigure.objects.get(period__period_end=JUNE_2023)
    rate = figure.comparison["rate"]
    expected = expected_rates()  # Norfolk 0.4, Suffolk 0.8, Essex 0.2
    low, high = wilson_by_hand(400, 934_000)
    assert rate == {
        "force": "Norfolk",
        "rate": expected["Norfolk"],
        "low": f"{low:.1f}",
        "high": f"{high:.1f}",
        "population": 934_000,
        "population_year": 2023,
        "position": [2, False, 3],
        "group": [
            ["Suffolk", expected["Suffolk"]],
            ["Norfolk", expected["Norfolk"]],
            ["Essex", expected["Essex"]],
        ],
    }
    assert ncpm.rate_notes(figure, force_name="Norfolk") == [
        f"Robbery, per 1,000 residents: Norfolk: {expected['Norfolk']} per 1,000 residents (95% interval "
        f"{low:.1f} to {high:.1f}; mid-2023 population 934,000), the 2nd highest of 3 similar forces."
    ]


def test_without_the_mid_years_population_no_rate_is_computed(counted):
    with_populations(counted, year=2022)  # another year's estimate never stands in

    ncpm.ncpm_figures_update()

    assert "rate" not in MeasureFigure.objects.get(period__period_end=JUNE_2023).comparison


def quarter_page(client) -> str:
    return client.get(ReportingPeriod.objects.get(period_end=JUNE_2023).get_absolute_url()).content.decode()


def test_the_rate_reaches_the_public_only_once_the_quarter_is_published(client, counted):
    with_populations(counted)
    ncpm.ncpm_figures_update()
    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    police_data = reverse("performance:police-data")

    assert "per 1,000 residents" not in client.get(police_data).content.decode()

    period.publish_at = PUBLISHED
    period.save()

    page = client.get(police_data).content.decode()
    tables = {table.caption: table.rows for table in parse_page(page).tables}
    assert "Norfolk Police: 0.4 per 1,000 residents" in page  # under the table, the full name
    assert tables["Norfolk Police: Reduce neighbourhood crime"][0][:3] == [
        "Robbery",
        "400",
        "440",
    ]  # counts alone
    caption = "Per 1,000 residents: Norfolk Police and similar forces, Reduce neighbourhood crime"
    assert tables[caption] == [
        ["Norfolk (this force)", "0.4"],  # the home force first, then the others by name
        ["Essex", "0.2"],
        ["Suffolk", "0.8"],
    ]
    assert "Norfolk Police: 0.4 per 1,000 residents" in quarter_page(client)


def test_a_population_saved_later_recomputes_a_draft_and_waits_for_a_publisher_on_a_published_quarter(
    counted,
):
    ncpm.ncpm_figures_update()
    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    period.publish_at = PUBLISHED
    period.save()

    with tasks_run_on_commit():
        populations_save(
            year=2023,
            populations={counted[name].pk: residents for name, residents in RESIDENTS.items()},
            source="ONS mid-2023",
        )

    assert "rate" not in MeasureFigure.objects.get(period=period).comparison  # what the public sees
    revision = MeasureFigureRevision.objects.get(period=period, applied_at=None)
    assert revision.comparison["rate"]["rate"] == expected_rates()["Norfolk"]


# --------------------------------------------------------------------------------------------
# Computed with the ONS headline
# --------------------------------------------------------------------------------------------


def test_the_ons_headline_gains_its_rate_and_the_groups_rates(client, counted):
    with_populations(counted)
    period = RecordedCrimePeriod.objects.create(period_end=JUNE_2023)
    totals = {"Norfolk": 65_115, "Suffolk": 40_000, "Essex": 150_000, "Kent": 130_000}
    for name, total in totals.items():
        RecordedCrimeFigure.objects.create(period=period, force=counted[name], total=total)

    ons.ons_previous_update()

    norfolk = RecordedCrimeFigure.objects.get(period=period, force=counted["Norfolk"])
    by_hand = {name: tenth(totals[name], RESIDENTS[name]) for name in totals}
    assert (by_hand["Norfolk"], by_hand["Suffolk"], by_hand["Essex"]) == ("69.7", "51.9", "78.9")
    assert norfolk.rates["rate"] == "69.7"
    assert norfolk.rates["position"] == [2, False, 3]
    assert norfolk.rates["group"] == [["Essex", "78.9"], ["Norfolk", "69.7"], ["Suffolk", "51.9"]]
    kent = RecordedCrimeFigure.objects.get(period=period, force=counted["Kent"])
    assert kent.rates["rate"] == by_hand["Kent"] == "81.3"  # 81.25: the half goes up
    assert "group" not in kent.rates

    assert "per 1,000 residents" not in client.get(reverse("performance:police-data")).content.decode()
    period.publish_at = PUBLISHED
    period.save()
    page = client.get(reverse("performance:police-data")).content.decode()
    assert (
        "For the size of its area: Norfolk: 69.7 per 1,000 residents (95% interval 69.2 to 70.2; mid-2023 "
        "population 934,000), the 2nd highest of 3 similar forces." in page
    )


def test_a_published_headlines_new_rate_waits_for_a_publisher_and_then_says_it_was_revised(
    counted, django_user_model
):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE_2023, publish_at=PUBLISHED)
    figure = RecordedCrimeFigure.objects.create(period=period, force=counted["Norfolk"], total=65_115)

    with tasks_run_on_commit():
        populations_save(year=2023, populations={counted["Norfolk"].pk: 934_000}, source="ONS mid-2023")

    figure.refresh_from_db()
    assert figure.rates == {}  # what the public sees, until a Publisher applies the revision
    revision = RecordedCrimeRevision.objects.get(period=period, applied_at=None)
    assert revision.notice == "Norfolk: the rate is now given: 69.7 per 1,000 residents"

    ons.ons_revisions_apply(period=period, user=staff(django_user_model, "Publisher"))

    figure.refresh_from_db()
    assert figure.rates["rate"] == "69.7"
    (notice,) = figure.revision_notices()
    assert notice.endswith(": the rate is now given: 69.7 per 1,000 residents.")
