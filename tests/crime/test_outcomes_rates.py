"""Charge/summons rates from the crime outcomes and recorded crime open data (``crime.charge_rates``).

Both releases are generated in the published layout (tests/data/make_outcomes_files.py and
make_recorded_crime_files.py) and imported as staff import them. Every expected figure is summed
here from the generated rows, not by the code under test."""

from __future__ import annotations

import datetime
import math
import statistics
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.crime import recorded_crime
from performance.crime.outcomes_import import release_import as outcomes_import
from performance.models import (
    ChargeRateFigure,
    Force,
    ForceGroupMembership,
    Measure,
    ReportingPeriod,
    SiteSettings,
)
from performance.publishing.caching import content_version
from performance.shared import calculations
from tests.crime.test_recorded_crime_import import HELD_NAME
from tests.data import make_outcomes_files as outcome_files
from tests.data import make_recorded_crime_files as crime_files
from tests.helpers import csv_rows

YEARS = ["2022_23", "2023_24"]
PERIOD_END = datetime.date(2024, 3, 31)
Z = 1.959963984540054  # the 97.5th percentile of the normal distribution


@pytest.fixture
def world(demo_data, tmp_path):
    """The demo office with one draft quarter (12 months to March 2024) and no other, the
    generated files' forces, and both releases' files for 2022/23 and 2023/24."""
    ReportingPeriod.objects.all().delete()
    if not Force.objects.filter(name="British Transport Police").exists():
        Force.objects.create(
            name="British Transport Police", full_name="British Transport Police", kind="special"
        )
    crime_sheets = crime_files.release_sheets(years=YEARS)
    outcome_sheets = outcome_files.release_sheets(years=YEARS)
    return {
        "period": ReportingPeriod.objects.create(period_end=PERIOD_END),
        "crime_sheets": crime_sheets,
        "outcome_sheets": outcome_sheets,
        "crime_file": crime_files.write_xlsx(crime_sheets, tmp_path / "recorded-crime.xlsx"),
        "outcomes_file": outcome_files.write_xlsx(outcome_sheets, tmp_path / "crime-outcomes.xlsx"),
    }


def imported(function, path):
    with open(path, "rb") as opened:
        summary = function(opened, file_name=path.name)
    assert summary.imported, summary.problems
    return summary


@pytest.fixture
def both(world):
    imported(recorded_crime.release_import, world["crime_file"])
    imported(outcomes_import, world["outcomes_file"])
    return world


def sums(world, sheet: str, counted=lambda code, subgroup: True) -> tuple[dict, dict]:
    """Each force's charges (type 1, both counts) and offences recorded in one year's sheet,
    summed here from the generated rows."""
    charges, offences = {}, {}
    for row in world["outcome_sheets"][sheet][1:]:
        force, group, subgroup, code, number = HELD_NAME[row[2]], row[4], row[5], row[6], row[9]
        if number == 1 and "fraud" not in group.lower() and counted(code, subgroup):
            charges[force] = charges.get(force, 0) + row[10] + row[11]
    for row in world["crime_sheets"][sheet][1:]:
        if row[2] not in HELD_NAME:
            continue  # Action Fraud, CIFAS, UK Finance
        force, group, subgroup, code, count = HELD_NAME[row[2]], row[4], row[5], row[6], row[7]
        if "fraud" not in group.lower() and counted(code, subgroup):
            offences[force] = offences.get(force, 0) + count
    return charges, offences


def wilson(successes: int, total: int) -> tuple[float, float]:
    """The 95% Wilson score interval, in percent, by its formula."""
    p = successes / total
    centre = (p + Z * Z / (2 * total)) / (1 + Z * Z / total)
    half = Z / (1 + Z * Z / total) * math.sqrt(p * (1 - p) / total + Z * Z / (4 * total * total))
    return (centre - half) * 100, (centre + half) * 100


def check_figures(world, measure: Measure | None, counted=lambda code, subgroup: True):
    charges, offences = sums(world, "2023_24", counted)
    previous_charges, previous_offences = sums(world, "2022_23", counted)
    figures = {
        f.force.name: f
        for f in ChargeRateFigure.objects.filter(period=world["period"], measure=measure).select_related(
            "force"
        )
    }
    assert set(figures) == set(HELD_NAME.values())
    territorial = set(Force.objects.filter(kind=Force.Kind.TERRITORIAL).values_list("name", flat=True))
    ew_charges = sum(charges.get(name, 0) for name in offences if name in territorial)
    ew_offences = sum(offences[name] for name in offences if name in territorial)
    group = set(
        ForceGroupMembership.objects.filter(group=SiteSettings.objects.get().most_similar_group).values_list(
            "force__name", flat=True
        )
    )
    group_rates = [
        charges.get(name, 0) * 100 / offences[name] for name in offences if name in group and offences[name]
    ]
    for name, figure in figures.items():
        assert (figure.charges, figure.offences) == (charges.get(name, 0), offences[name])
        assert (figure.previous_charges, figure.previous_offences) == (
            previous_charges.get(name, 0),
            previous_offences[name],
        )
        assert figure.rate == Decimal(charges.get(name, 0)) * 100 / Decimal(offences[name])
        assert (figure.england_wales_charges, figure.england_wales_offences) == (ew_charges, ew_offences)
        if len(group_rates) >= 2:
            assert float(figure.msg_median_rate) == pytest.approx(statistics.median(group_rates), abs=1e-4)
        else:
            assert figure.msg_median_rate is None
        if figure.charges <= figure.offences:
            low, high = wilson(figure.charges, figure.offences)
            assert float(figure.interval_low) == pytest.approx(low, abs=1e-4)
            assert float(figure.interval_high) == pytest.approx(high, abs=1e-4)
    return figures


def test_all_crime_rates_equal_sums_made_from_the_generated_rows(both):
    figures = check_figures(both, None)
    assert figures["Norfolk"].charges > 0 and figures["Norfolk"].offences > 0


def test_a_measures_rates_count_its_offences_only(both):
    measure = Measure.objects.get(name="Residential burglary")
    names = {calculations.name_key(name) for name in measure.offence_subgroups}
    check_figures(
        both,
        measure,
        counted=lambda code, subgroup: (
            calculations.name_key(subgroup) in names or code in measure.offence_codes
        ),
    )


def test_the_rates_follow_whichever_release_comes_last(world):
    imported(outcomes_import, world["outcomes_file"])
    assert not ChargeRateFigure.objects.exists()  # no offences recorded held yet: no rate
    imported(recorded_crime.release_import, world["crime_file"])  # its import computes them
    check_figures(world, None)


def test_a_published_quarter_keeps_the_rates_the_public_has_seen(both):
    period = both["period"]
    period.publish_at = timezone.now() - datetime.timedelta(days=1)
    period.save()
    before = sorted(ChargeRateFigure.objects.values_list("pk", "charges", "offences"))
    rows = outcome_files.release_sheets(years=YEARS, seed=2)
    path = outcome_files.write_xlsx(rows, both["outcomes_file"].with_name("revised.xlsx"))
    summary = imported(outcomes_import, path)
    assert summary.published_kept == [PERIOD_END]
    assert any("March 2024 is published" in warning for warning in summary.warnings)
    assert sorted(ChargeRateFigure.objects.values_list("pk", "charges", "offences")) == before


def test_the_quarters_page_shows_the_rates_only_once_published(client, both):
    url = reverse("performance:ncpm-period", args=["2024-03"])
    content_version(fresh=True)
    assert client.get(url).status_code == 404  # a draft quarter is not public
    period = both["period"]
    period.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    period.save()
    content_version(fresh=True)
    page = client.get(url).content.decode()
    norfolk = ChargeRateFigure.objects.get(period=period, measure=None, force__name="Norfolk")
    rate = calculations.round_half_away(Decimal(norfolk.charges) * 100 / norfolk.offences, 1)
    assert (
        f"In the 12 months to March 2024, {rate}% of recorded crimes in Norfolk led to a charge or summons"
        in page
    )
    assert "Charges and summonses" in page and 'id="chart-charge-rates"' in page
    assert "Norfolk Constabulary: charge/summons rate, 12 months to March 2024" in page


def test_the_quarters_page_reads_the_rates_in_one_query_however_many(client, both):
    period = both["period"]
    period.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    period.save()
    url = reverse("performance:ncpm-period", args=["2024-03"])
    counts = []
    for only_norfolks_all_crime in (False, True):  # every force and measure, then one figure
        if only_norfolks_all_crime:
            ChargeRateFigure.objects.exclude(force__name="Norfolk").delete()
            ChargeRateFigure.objects.exclude(measure=None).delete()
        content_version(fresh=True)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
        assert sum("chargeratefigure" in query["sql"] for query in captured.captured_queries) == 1
    assert counts[0] == counts[1]


def test_the_open_data_file_holds_every_forces_published_rates(client, both):
    url = reverse("performance:data-charge-rates-csv")
    content_version(fresh=True)
    assert csv_rows(client, url)[1:] == []  # nothing published yet
    period = both["period"]
    period.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    period.save()
    content_version(fresh=True)
    rows = csv_rows(client, url)
    header, body = rows[0], rows[1:]
    assert header[:7] == [
        "period_end",
        "force",
        "force_ons_code",
        "measure",
        "charges",
        "offences",
        "charge_rate",
    ]
    assert len(body) == ChargeRateFigure.objects.count()
    norfolk = next(
        row for row in body if row[1] == "Norfolk" and row[3] == "All recorded crime (excluding fraud)"
    )
    charges, offences = sums(both, "2023_24")
    assert norfolk[4:7] == [
        str(charges["Norfolk"]),
        str(offences["Norfolk"]),
        str(calculations.round_half_away(Decimal(charges["Norfolk"]) * 100 / offences["Norfolk"], 1)),
    ]
