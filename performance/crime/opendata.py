"""National Crime and Policing Measures and ONS police recorded crime as open data: their
datasets, their rows and the NCPM CSV's addresses.

The datasets join the open data registry (``performance.publishing.opendata``) when the app's
ready() imports this module; the site serves their files and lists them on the datasets page.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Max, Min
from django.urls import reverse

from performance.crime.models.crime_outcomes import ChargeRateFigure
from performance.crime.models.ncpm import MeasureFigure, PriorityApplicability, PriorityArea, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.forces.models import Force
from performance.forces.opendata import for_force_filter
from performance.publishing.opendata import (
    LAST_REVISED,
    Column,
    Dataset,
    Filter,
    FilterProblem,
    Selection,
    Source,
    filter_value,
    iso,
    month_filter,
    register,
)
from performance.shared import rates, shares
from performance.shared.calculations import round_half_away
from performance.shared.formulas import formula_neutralised

# --------------------------------------------------------------------------------------------
# Choosing the rows
# --------------------------------------------------------------------------------------------


def rate_cells(stored: dict | None) -> dict:
    """The rate columns of a row, from the rates stored with a figure (blank without them)."""
    stored = stored or {}
    position = tuple(stored["position"]) if stored.get("position") else None

    def number(key):
        return Decimal(stored[key]) if stored.get(key) is not None else None

    return {
        "rate_per_1000": number("rate"),
        "rate_interval_low": number("low"),
        "rate_interval_high": number("high"),
        "population": stored.get("population"),
        "population_mid_year": stored.get("population_year"),
        "rate_position_among_similar_forces": rates.rate_position_text(position) or None,
    }


def rate_columns(what: str) -> tuple[Column, ...]:
    return (
        Column(
            "rate_per_1000",
            "decimal",
            f"{what} per 1,000 residents of the force area, to one decimal place; blank when the "
            "population of the mid-year inside the 12 months is not held.",
            unit=rates.UNIT,
            title="Rate per 1,000 residents",
        ),
        Column(
            "rate_interval_low",
            "decimal",
            "Lower end of the rate's 95% Wilson score interval.",
            unit=rates.UNIT,
            title="Rate, 95% interval from",
        ),
        Column(
            "rate_interval_high",
            "decimal",
            "Upper end of the rate's 95% Wilson score interval.",
            unit=rates.UNIT,
            title="Rate, 95% interval to",
        ),
        Column(
            "population",
            "integer",
            "Residents of the force area (ONS mid-year estimate) the rate divides by.",
            unit="residents",
        ),
        Column(
            "population_mid_year",
            "integer",
            "The year of that mid-year estimate (30 June inside the 12 months).",
            title="Population mid-year",
        ),
        Column(
            "rate_position_among_similar_forces",
            "text",
            "The rate's position among the Most Similar Group's rates, e.g. \"3rd highest of 8\".",
            title="Position by rate among similar forces",
        ),
    )


def ncpm_selection(query) -> Selection:
    figures = (
        MeasureFigure.objects.filter(period__in=ReportingPeriod.objects.published())
        .select_related("period", "measure__priority_area")
        .order_by("period__period_end", "measure__priority_area__order", "measure__order", "measure__name")
    )
    filters = {}
    if (value := filter_value(query, "period")) is not None:
        month = month_filter("period", value)
        figures = figures.filter(period__period_end__year=month.year, period__period_end__month=month.month)
        filters["period"] = f"{month:%Y-%m}"
    if (value := filter_value(query, "area")) is not None:
        area = PriorityArea.objects.filter(slug=value).first()
        if area is None:
            raise FilterProblem(
                404, f"No priority area {value!r} is held. Use one such as reduce-serious-violence."
            )
        figures = figures.filter(measure__priority_area=area)
        filters["area"] = area.slug
    return Selection(rows=[ncpm_row(figure) for figure in figures], filters=filters)


def ncpm_row(figure: MeasureFigure) -> dict:
    row = {
        "period_end": figure.period.period_end,
        "previous_period_end": figure.period.previous_period_end,
        "baseline_period_end": figure.period.baseline_period_end,
        "priority_area": figure.measure.priority_area.name,
        "measure": figure.measure.name,
        "unit": figure.measure.unit,
        "latest": figure.latest,
        "previous": figure.previous,
        "baseline": figure.baseline,
    }
    for against, change in (("previous", figure.against_previous), ("baseline", figure.against_baseline)):
        row[f"change_{against}"] = change.absolute if change else None
        row[f"change_{against}_percent"] = change.percent if change else None
        row[f"change_{against}_text"] = change.text if change else None
        test = figure.change_test(against)
        row[f"change_{against}_significant"] = test.significant if test and test.p_value is not None else None
        row[f"change_{against}_p_value"] = test.p_value if test else None
    row.update(rate_cells((figure.comparison or {}).get("rate")))
    row["revisions"] = "; ".join(figure.revision_notices()) or None
    row["last_revised"] = figure.updated_at
    return row


def applicability_selection(query) -> Selection:
    """Each published quarter's statement of which national priorities apply in the area."""
    rows = (
        PriorityApplicability.objects.filter(period__in=ReportingPeriod.objects.published())
        .select_related("period", "priority_area")
        .order_by("period__period_end", "priority_area__order", "priority_area__name")
    )
    filters = {}
    if (value := filter_value(query, "period")) is not None:
        month = month_filter("period", value)
        rows = rows.filter(period__period_end__year=month.year, period__period_end__month=month.month)
        filters["period"] = f"{month:%Y-%m}"
    return Selection(
        rows=[
            {
                "period_end": row.period.period_end,
                "priority_area": row.priority_area.name,
                "applies": row.applies,
                "reason": row.reason or None,
                "last_revised": row.updated_at,
            }
            for row in rows
        ],
        filters=filters,
    )


def ons_selection(query) -> Selection:
    """Recorded crime by force and period; the publication dates are the newest period's."""
    figures = (
        RecordedCrimeFigure.objects.filter(period__in=RecordedCrimePeriod.objects.published())
        .select_related("force", "period")
        .order_by("force__name", "period__period_end")
    )
    filters = {}
    figures = list(for_force_filter(figures, query, filters))
    newest = max((figure.period for figure in figures), key=lambda period: period.period_end, default=None)
    return Selection(
        rows=[ons_row(figure) for figure in figures],
        filters=filters,
        published=newest.published_on if newest else None,
        next_release=newest.next_release_on if newest else None,
    )


def ons_row(figure: RecordedCrimeFigure) -> dict:
    return {
        "force": figure.force.name,
        "force_ons_code": figure.force.ons_code,
        "year_ending": figure.period.period_end,
        "total_recorded_crime_excluding_fraud": figure.total,
        **rate_cells(figure.rates),
        "published_on": figure.period.published_on,
        "last_revised": figure.updated_at,
    }


def ons_headline(force: Force | None) -> dict | None:
    """The Police Data page's ONS sentence for ``force`` and the figures and dates behind it."""
    headline = RecordedCrimeFigure.objects.headline_for(force) if force else None
    if headline is None:
        return None
    period = headline.period
    return {
        "force": formula_neutralised(force.name),
        "year_ending": iso(period.period_end),
        "latest": headline.latest.total,
        "previous_year_ending": iso(headline.previous_period_end) if headline.previous_total else None,
        "previous": headline.previous_total,
        "previous_source": headline.previous_source or None,
        "previous_published_on": iso(headline.latest.previous_release_on),
        "revisions": "; ".join(headline.revision_notices()) or None,
        "sentence": formula_neutralised(headline.sentence),
        "rate_sentence": formula_neutralised(headline.rate_sentence) or None,
        **{  # JSON numbers: one decimal place, as stored
            key: float(value) if isinstance(value, Decimal) else value
            for key, value in rate_cells(headline.latest.rates).items()
        },
        "published_on": iso(period.published_on),
        "next_release_on": iso(period.next_release_on),
        "next_period_end": iso(period.next_period_end),
    }


def ons_json_extra(settings) -> dict:
    """The JSON's headline: the home force's, from the office's settings (``settings``, or None)."""
    return {"headline": ons_headline(settings.home_force if settings else None)}


# --------------------------------------------------------------------------------------------
# Describing the datasets
# --------------------------------------------------------------------------------------------


def change_columns(against: str, label: str) -> tuple[Column, ...]:
    return (
        Column(
            f"change_{against}",
            "decimal",
            f"latest minus {label}: offences, or percentage points for a percentage measure; "
            f"blank when the {label} figure is not held.",
            title=f"Change against {label}",
        ),
        Column(
            f"change_{against}_percent",
            "integer",
            f"The change as a whole percentage of the {label} figure (halves rounded away from "
            f"zero); blank for a percentage measure and when the {label} figure is 0.",
            unit="percent",
            title=f"Percentage change against {label}",
        ),
        Column(
            f"change_{against}_text",
            "text",
            'The change as the Police Data page words it: "87% decrease", "0% decrease", '
            '"1 percentage point increase", "no change" or "n/a".',
            title=f"Change against {label}, in words",
        ),
        Column(
            f"change_{against}_significant",
            "boolean",
            f"Whether the change against the {label} figure is statistically significant: true when "
            "the exact test of two Poisson counts gives a two-sided p-value below 0.05 (the method is "
            "in the Police Data page's appendix); blank for a percentage measure, when the "
            f"{label} figure is not held, and when both figures are 0.",
            title=f"Change against {label} statistically significant",
        ),
        Column(
            f"change_{against}_p_value",
            "decimal",
            "The two-sided p-value of that test, to 4 decimal places (0.0000: below 0.00005): the "
            "chance of a change at least this large if the underlying level had not moved. Blank "
            "when there is no test.",
            places=4,
            title=f"Change against {label}, p-value",
        ),
    )


def ncpm_times(now) -> dict:
    return ReportingPeriod.objects.published(now).aggregate(
        first=Min("publish_at"), newest=Max("publish_at"), changed=Max("figures__updated_at")
    )


def applicability_times(now) -> dict:
    return (
        ReportingPeriod.objects.published(now)
        .filter(applicability__isnull=False)
        .aggregate(
            first=Min("publish_at"), newest=Max("publish_at"), changed=Max("applicability__updated_at")
        )
    )


def ons_times(now) -> dict:
    return RecordedCrimePeriod.objects.published(now).aggregate(
        first=Min("publish_at"), newest=Max("publish_at"), changed=Max("figures__updated_at")
    )


NCPM = Dataset(
    slug="ncpm",
    title="National Crime and Policing Measures figures",
    description="The home force's National Crime and Policing Measures, quarter by quarter: each "
    "measure for the latest 12 months, the previous 12 months and the 2019 baseline, with the "
    "differences as the Police Data page shows them and, for a count of offences, whether each "
    "change is statistically significant. Rows are in order of period, priority area and measure.",
    source=Source(
        "Home Office National Crime and Policing Measures; the force's figures as compiled by the office",
        "https://www.gov.uk/government/publications/national-crime-and-policing-measures",
    ),
    period_column="period_end",
    url_name="data-ncpm",
    order=20,
    primary_key=("period_end", "priority_area", "measure"),
    selection=ncpm_selection,
    publication_times=ncpm_times,
    filters=(
        Filter("period", "One quarter: the month its 12 months end, YYYY-MM.", "2023-06"),
        Filter("area", "One priority area, by the name used in its addresses.", "reduce-serious-violence"),
    ),
    columns=(
        Column("period_end", "date", "Last day of the latest 12 months.", title="Latest 12 months end"),
        Column(
            "previous_period_end",
            "date",
            "Last day of the previous 12 months.",
            title="Previous 12 months end",
        ),
        Column(
            "baseline_period_end", "date", "Last day of the 2019 baseline year.", title="Baseline year end"
        ),
        Column("priority_area", "text", "The national priority the measure belongs to."),
        Column("measure", "text", "The measure, as the NCPM tables name it."),
        Column("unit", "text", "count (offences) or percent (e.g. victim satisfaction, 0 to 100)."),
        Column("latest", "decimal", "The measure for the latest 12 months."),
        Column("previous", "decimal", "The measure for the previous 12 months."),
        Column(
            "baseline",
            "decimal",
            "The measure for the 2019 baseline year; blank when not held.",
        ),
        *change_columns("previous", "previous"),
        *change_columns("baseline", "baseline"),
        *rate_columns("A count measure's latest 12 months"),
        Column(
            "revisions",
            "text",
            "Revisions to the published figures, oldest first: when and what changed; blank when none.",
        ),
        LAST_REVISED,
    ),
)

register(NCPM)

NCPM_APPLICABILITY = Dataset(
    slug="ncpm-applicability",
    title="Which national priorities apply in the area",
    description="For each quarter of the National Crime and Policing Measures, whether each national "
    "priority applies in the force's area and, when one does not, why: the statement the Specified "
    "Information Order asks for with the statement on the measures. Rows are in order of period "
    "and priority area.",
    source=Source(
        "The office's statement on the National Crime and Policing Measures",
        "https://www.legislation.gov.uk/uksi/2021/547/contents/made",
    ),
    period_column="period_end",
    url_name="data-ncpm-applicability",
    order=25,  # after the NCPM figures (20), before ONS (30)
    primary_key=("period_end", "priority_area"),
    selection=applicability_selection,
    publication_times=applicability_times,
    filters=(Filter("period", "One quarter: the month its 12 months end, YYYY-MM.", "2023-06"),),
    columns=(
        Column(
            "period_end", "date", "Last day of the quarter's latest 12 months.", title="Latest 12 months end"
        ),
        Column("priority_area", "text", "The national priority, as the Home Office words it."),
        Column("applies", "boolean", "true when the priority applies in the force's area, false when not."),
        Column(
            "reason",
            "text",
            "Why the priority does not apply (or a note on how it does); blank when none is given.",
            title="Why",
        ),
        LAST_REVISED,
    ),
)

register(NCPM_APPLICABILITY)

ONS = Dataset(
    slug="recorded-crime",
    title="ONS police recorded crime",
    description="Total police recorded crime, excluding fraud, for each police force area held here "
    'and each "year ending" period, from Table P1 of the ONS police force area data tables. The '
    "JSON adds the home force's headline: the latest year against the year before. Rows are in "
    "order of force and period.",
    source=Source(
        "Office for National Statistics",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables",
    ),
    period_column="year_ending",
    url_name="data-ons",
    order=30,
    primary_key=("force", "year_ending"),
    selection=ons_selection,
    publication_times=ons_times,
    json_extra=ons_json_extra,
    filters=(
        Filter("force", "One police force area: the force's police.uk id or its short name.", "norfolk"),
    ),
    columns=(
        Column("force", "text", "The police force area, by the force's short name."),
        Column(
            "force_ons_code", "text", "ONS police force area code (E23… or W15…).", title="Force's ONS code"
        ),
        Column("year_ending", "date", "Last day of the 12 months."),
        Column(
            "total_recorded_crime_excluding_fraud",
            "integer",
            "Offences recorded by the police in the 12 months.",
            unit="offences",
            title="Total recorded crime (excluding fraud)",
        ),
        *rate_columns("Total recorded crime (excluding fraud)"),
        Column("published_on", "date", "The day ONS published the period; blank when not recorded."),
        LAST_REVISED,
    ),
)

register(ONS)


# --------------------------------------------------------------------------------------------
# Charge/summons rates
# --------------------------------------------------------------------------------------------

ALL_RECORDED_CRIME = "All recorded crime (excluding fraud)"


def charge_rates_selection(query) -> Selection:
    """Every force's charge/summons rates for the published quarters."""
    figures = (
        ChargeRateFigure.objects.filter(period__in=ReportingPeriod.objects.published())
        .select_related("period", "force", "measure")
        .order_by("period__period_end", "force__name", "measure__name")
    )
    filters = {}
    if (value := filter_value(query, "period")) is not None:
        month = month_filter("period", value)
        figures = figures.filter(period__period_end__year=month.year, period__period_end__month=month.month)
        filters["period"] = f"{month:%Y-%m}"
    figures = for_force_filter(figures, query, filters)
    rows = sorted((charge_rate_row(figure) for figure in figures), key=lambda row: (
        row["period_end"], row["force"], row["measure"] != ALL_RECORDED_CRIME, row["measure"]
    ))  # fmt: skip
    return Selection(rows=rows, filters=filters)


def rounded_rate(value):
    return None if value is None else round_half_away(value, 1)


def charge_rate_row(figure: ChargeRateFigure) -> dict:
    return {
        "period_end": figure.period.period_end,
        "force": figure.force.name,
        "force_ons_code": figure.force.ons_code,
        "measure": figure.measure.name if figure.measure_id else ALL_RECORDED_CRIME,
        "charges": figure.charges,
        "offences": figure.offences,
        "charge_rate": rounded_rate(figure.rate),
        "interval_low": rounded_rate(figure.interval_low),
        "interval_high": rounded_rate(figure.interval_high),
        "previous_charges": figure.previous_charges,
        "previous_offences": figure.previous_offences,
        "previous_charge_rate": rounded_rate(figure.previous_rate),
        "msg_median_rate": rounded_rate(figure.msg_median_rate),
        "england_wales_charges": figure.england_wales_charges,
        "england_wales_offences": figure.england_wales_offences,
        "england_wales_rate": rounded_rate(figure.england_wales_rate),
        "last_revised": figure.updated_at,
    }


def charge_rates_times(now) -> dict:
    """The published quarters that have charge rates (a quarter without any adds no rows)."""
    return (
        ReportingPeriod.objects.published(now)
        .filter(charge_rates__isnull=False)
        .aggregate(first=Min("publish_at"), newest=Max("publish_at"), changed=Max("charge_rates__updated_at"))
    )


def rate_column(name: str, description: str, title: str) -> Column:
    return Column(name, "decimal", description, places=1, unit="percent", title=title)


CHARGE_RATES = register(
    Dataset(
        slug="charge-rates",
        title="Charge/summons rates",
        description="Each force's charge/summons rate for each published NCPM quarter, for all "
        "recorded crime and for each measure counted from the Home Office's open data. "
        + shares.CHARGE_RATE_METHOD_TEXT
        + " Rows are in order of period, force and measure.",
        source=Source(
            "Home Office crime outcomes and police recorded crime open data",
            "https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables",
        ),
        period_column="period_end",
        url_name="data-charge-rates",
        order=23,  # after the NCPM figures (20), before the applicability statement (25)
        primary_key=("period_end", "force", "measure"),
        selection=charge_rates_selection,
        publication_times=charge_rates_times,
        filters=(
            Filter("period", "One quarter: the month its 12 months end, YYYY-MM.", "2023-06"),
            Filter("force", "One police force area: the force's police.uk id or its short name.", "norfolk"),
        ),
        columns=(
            Column("period_end", "date", "Last day of the 12 months.", title="12 months end"),
            Column("force", "text", "The police force area, by the force's short name."),
            Column(
                "force_ons_code",
                "text",
                "ONS police force area code (E23… or W15…).",
                title="Force's ONS code",
            ),
            Column(
                "measure", "text", f'The NCPM measure whose offences are counted, or "{ALL_RECORDED_CRIME}".'
            ),
            Column(
                "charges",
                "integer",
                "Charged/Summonsed outcomes (type 1) assigned in the 12 months, whenever the offence was recorded.",
                unit="outcomes",
            ),
            Column("offences", "integer", "Offences recorded in the same 12 months.", unit="offences"),
            rate_column(
                "charge_rate", "Charges as a percentage of offences recorded.", "Charge/summons rate"
            ),
            rate_column(
                "interval_low",
                "Lower end of the rate's 95% Wilson interval; blank when none.",
                "95% interval, low",
            ),
            rate_column(
                "interval_high",
                "Upper end of the rate's 95% Wilson interval; blank when none.",
                "95% interval, high",
            ),
            Column(
                "previous_charges",
                "integer",
                "Charges in the previous 12 months; blank when not held.",
                unit="outcomes",
            ),
            Column(
                "previous_offences",
                "integer",
                "Offences recorded in the previous 12 months; blank when not held.",
                unit="offences",
            ),
            rate_column(
                "previous_charge_rate",
                "The rate in the previous 12 months; blank when not held.",
                "Year before",
            ),
            rate_column(
                "msg_median_rate",
                "Median rate of the home force's Most Similar Group (the office's, the same on every "
                "row of a quarter and measure); blank when fewer than two of its forces have a rate.",
                "Most Similar Group median",
            ),
            Column(
                "england_wales_charges",
                "integer",
                "Charges summed over the forces of England and Wales with a rate.",
                unit="outcomes",
            ),
            Column(
                "england_wales_offences",
                "integer",
                "Offences recorded, summed over the same forces.",
                unit="offences",
            ),
            rate_column(
                "england_wales_rate",
                "England and Wales charges as a percentage of their offences recorded.",
                "England and Wales rate",
            ),
            LAST_REVISED,
        ),
    )
)


def charge_rates_csv_url(*, period=None) -> str:
    """Address of the charge rates CSV, optionally for one period."""
    url = reverse("performance:data-charge-rates-csv")
    return f"{url}?{urlencode({'period': f'{period.period_end:%Y-%m}'})}" if period is not None else url


# --------------------------------------------------------------------------------------------
# Addresses the pages link to
# --------------------------------------------------------------------------------------------


def ncpm_csv_url(*, period=None, area=None) -> str:
    """Address of the NCPM CSV, optionally for one period (YYYY-MM) and one priority area (slug)."""
    query = {}
    if period is not None:
        query["period"] = f"{period.period_end:%Y-%m}"
    if area is not None:
        query["area"] = area.slug
    url = reverse("performance:data-ncpm-csv")
    return f"{url}?{urlencode(query)}" if query else url


def ncpm_applicability_csv_url(*, period) -> str:
    """Address of the applicability CSV for one quarter (its 12 months ending, YYYY-MM)."""
    return f"{reverse('performance:data-ncpm-applicability-csv')}?{urlencode({'period': f'{period.period_end:%Y-%m}'})}"
