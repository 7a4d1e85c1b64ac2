"""NCPM figures computed from the Home Office's recorded crime open data (``performance.crime.ncpm``).

The fixture's Norfolk quarters add up to the reference page's NCPM figures (the demo data's
``figures.json`` is a copy of them), spread over the offences each measure counts, with offences
no measure counts mixed in.
"""

import datetime
import json
import statistics
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.crime import ncpm
from performance.management.commands.load_demo_data import DEMO_DATA
from performance.models import (
    Force,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    NationalComparison,
    Offence,
    OffenceCount,
    ReportingPeriod,
    SiteSettings,
)
from performance.publishing import gate as publication
from performance.publishing.caching import content_version
from performance.shared import calculations
from tests.factories import PUBLISHED, staff
from tests.helpers import json_document
from tests.html_tables import parse_page
from tests.site.test_police_data_page import (
    PUBLISHED_NCPM_HEADER,
    PUBLISHED_NCPM_TABLES,
    as_published,
    assert_headings,
    rows,
)

JUNE_2023 = datetime.date(2023, 6, 30)
YEARS = ("latest", "previous", "baseline")
QUARTERS = {
    "latest": calculations.twelve_month_quarter_ends(JUNE_2023),
    "previous": calculations.twelve_month_quarter_ends(datetime.date(2022, 6, 30)),
    "baseline": calculations.twelve_month_quarter_ends(datetime.date(2019, 6, 30)),
}
SATISFACTION = "Improve satisfaction among victims - with a particular focus on victims of domestic abuse"

OFFENCES = {  # code: (description, group, subgroup), as the open data names them
    "1": ("Murder", "Violence against the person", "Homicide"),
    "4.1": ("Manslaughter", "Violence against the person", "Homicide"),
    "2": ("Attempted murder", "Violence against the person", "Violence with injury"),
    "5D": (
        "Assault with intent to cause serious harm",
        "Violence against the person",
        "Violence with injury",
    ),
    "8N": ("Assault with injury", "Violence against the person", "Violence with injury"),
    "8P": (
        "Racially or religiously aggravated assault with injury",
        "Violence against the person",
        "Violence with injury",
    ),
    "4.4": (  # split out of violence with injury in April 2018, and still part of it
        "Causing death or serious injury by dangerous driving",
        "Violence against the person",
        "Death or serious injury – unlawful driving",
    ),
    "92A": ("Trafficking in controlled drugs", "Drug offences", "Trafficking of drugs"),
    "92B": ("Possession of controlled drugs (excluding cannabis)", "Drug offences", "Possession of drugs"),
    "28E": ("Residential burglary of a home", "Burglary", "Residential burglary"),
    "28A": ("Burglary in a dwelling", "Burglary", "Domestic burglary"),  # the naming before April 2017
    "30C": ("Burglary business and community", "Burglary", "Non-residential burglary"),
    "45": ("Theft from a vehicle", "Theft offences", "Vehicle offences"),
    "39": ("Theft from the person", "Theft offences", "Theft from the person"),
    "34B": ("Robbery of personal property", "Robbery", "Robbery of personal property"),
    "34A": ("Robbery of business property", "Robbery", "Robbery of business property"),
}

# Which fixture offences each measure counts, written out by hand (not read from the definitions).
# Grievous and actual bodily harm are supplied by the force: the open data cannot give them.
COUNTED = {
    "Homicide (all offences)": {"1", "4.1"},
    "Murder only": {"1"},
    "All violence with injury": {"2", "5D", "8N", "8P", "4.4"},
    "Drug trafficking offences": {"92A"},
    "All neighbourhood crime": {"28E", "28A", "45", "39", "34B"},
    "Residential burglary": {"28E", "28A"},
    "Vehicle offences": {"45"},
    "Theft from the person": {"39"},
    "Robbery": {"34B"},
}


def reference_figures() -> dict[str, tuple[int, int, int]]:
    """The reference page's NCPM figures: measure -> (latest, previous, baseline)."""
    figures = json.loads((DEMO_DATA / "figures.json").read_text())["ncpm"]
    return {
        measure["name"]: (measure["current"], measure["previous"], measure["baseline"])
        for area in figures["priority_areas"]
        for measure in area["measures"]
        if measure.get("unit") != "percent"
    }


def norfolk_offence_years() -> dict[str, tuple[int, int, int]]:
    """Each fixture offence's yearly totals for Norfolk, chosen so that the measures add up to the
    reference page's figures."""
    ref = {name: dict(zip(YEARS, values, strict=True)) for name, values in reference_figures().items()}
    aggravated = {"latest": 100, "previous": 90, "baseline": 80}
    unlawful_driving = {"latest": 14, "previous": 11, "baseline": 17}

    def years(value):
        return tuple(value(year) for year in YEARS)

    return {
        "1": years(lambda y: ref["Murder only"][y]),
        "4.1": years(lambda y: ref["Homicide (all offences)"][y] - ref["Murder only"][y]),
        "5D": years(lambda y: ref["Grievous Bodily Harm"][y]),
        "8P": years(lambda y: aggravated[y]),
        "8N": years(lambda y: ref["Actual Bodily Harm"][y] - aggravated[y]),
        "4.4": years(lambda y: unlawful_driving[y]),
        "2": years(
            lambda y: (
                ref["All violence with injury"][y]
                - ref["Grievous Bodily Harm"][y]
                - ref["Actual Bodily Harm"][y]
                - unlawful_driving[y]
            )
        ),
        "92A": years(lambda y: ref["Drug trafficking offences"][y]),
        "28E": years(lambda y: ref["Residential burglary"][y]),
        "45": years(lambda y: ref["Vehicle offences"][y]),
        "39": years(lambda y: ref["Theft from the person"][y]),
        "34B": years(lambda y: ref["Robbery"][y]),
        "92B": (500, 480, 610),  # counted by no measure
        "30C": (300, 320, 410),
        "34A": (40, 35, 52),
    }


def quarterly(total: int) -> list[int]:
    """A year's total over its four quarters (uneven, as real quarters are)."""
    parts = [total // 4 + (1 if i < total % 4 else 0) for i in range(4)]
    return [parts[0] + parts[1] // 3, parts[1] - parts[1] // 3, parts[2], parts[3]]


def offences() -> dict[str, Offence]:
    return {
        code: Offence.objects.get_or_create(code=code, description=d, group=g, subgroup=s)[0]
        for code, (d, g, s) in OFFENCES.items()
    }


def add_counts(force: Force, offence_years: dict[str, tuple[int, ...]], *, years=YEARS) -> list[tuple]:
    """OffenceCount rows for ``force``; returns (year, code, count) for every row written."""
    held = offences()
    written, objects = [], []
    for code, totals in offence_years.items():
        for year, total in zip(years, totals, strict=True):
            for quarter_end, count in zip(QUARTERS[year], quarterly(total), strict=True):
                objects.append(
                    OffenceCount(force=force, quarter_end=quarter_end, offence=held[code], count=count)
                )
                written.append((year, code, count))
    OffenceCount.objects.bulk_create(objects)
    return written


@pytest.fixture
def open_data(demo_data):
    """The demo office without its typed-in NCPM quarter, and Norfolk's open data."""
    ReportingPeriod.objects.all().delete()
    norfolk = Force.objects.get(name="Norfolk")
    return add_counts(norfolk, norfolk_offence_years())


FORCE_SUPPLIED = ("Grievous Bodily Harm", "Actual Bodily Harm")


def computed_tables() -> dict[str, str]:
    """The reference page's NCPM tables as the open data gives them: without satisfaction and
    the bodily harm measures, which the force supplies."""
    return {
        area: "\n".join(line for line in text.splitlines() if not line.strip().startswith(FORCE_SUPPLIED))
        for area, text in PUBLISHED_NCPM_TABLES.items()
        if area != SATISFACTION
    }


def ncpm_tables(html: str) -> dict:
    return {t.caption: t for t in parse_page(html).tables if t.caption.startswith("Norfolk Constabulary: ")}


def public_quarter(client):
    content_version(fresh=True)
    return client.get(reverse("performance:ncpm-period", args=["2023-06"]))


def publish(period):
    period.publish_at = PUBLISHED
    period.save()


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------


def test_demo_measures_are_defined_by_the_ncpm_appendix_and_satisfaction_is_entered_by_hand(demo_data):
    defined = {m.name: (m.offence_subgroups, m.offence_codes) for m in Measure.objects.all()}
    assert defined["Homicide (all offences)"] == (["Homicide"], [])
    assert defined["Murder only"] == ([], ["1"])
    assert defined["Residential burglary"] == (["Residential burglary", "Domestic burglary"], [])
    assert defined["Robbery"] == (["Robbery of personal property"], [])
    assert defined["Satisfaction amongst victims of domestic abuse"] == ([], [])
    assert defined["All violence with injury"] == (
        ["Violence with injury", "Death or serious injury – unlawful driving"],
        ["4.4", "4.6", "4.8", "4.9", "37.1"],
    )
    assert defined["Grievous Bodily Harm"] == defined["Actual Bodily Harm"] == ([], [])  # force-supplied
    neighbourhood = set(defined["All neighbourhood crime"][0])
    parts = ("Residential burglary", "Vehicle offences", "Theft from the person", "Robbery")
    assert neighbourhood == {subgroup for part in parts for subgroup in defined[part][0]}


def test_the_migrations_fill_the_same_definitions_as_the_demo_loader(demo_data):
    filled = import_module("performance.migrations.0009_ncpm_from_open_data")
    corrections = import_module("performance.migrations.0016_ncpm_definitions")
    for name, (subgroups, codes) in filled.DEFINITIONS.items():
        measure = Measure.objects.get(name=name)
        subgroups, codes = corrections.corrected(name, subgroups, codes) or (subgroups, codes)
        assert (measure.offence_subgroups, measure.offence_codes) == (subgroups, codes), name


def test_the_migration_corrects_the_old_definitions_and_leaves_changed_ones_alone(demo_data):
    """An installation whose bodily harm and violence with injury measures still have 0009's
    definitions: GBH and ABH become supplied by the force, violence with injury counts unlawful
    driving. A definition a Publisher changed is left as it is."""
    corrections = import_module("performance.migrations.0016_ncpm_definitions")
    old = {
        "Actual Bodily Harm": ([], ["8N", "8P", "8S", "8T"]),
        "Grievous Bodily Harm": ([], ["5D", "8N"]),  # changed by a Publisher
        "All violence with injury": (["Violence with injury"], ["99"]),
    }
    for name, (subgroups, codes) in old.items():
        Measure.objects.filter(name=name).update(offence_subgroups=subgroups, offence_codes=codes)
    editor = SimpleNamespace(connection=connection)

    corrections.correct_definitions(django_apps, editor)

    defined = {m.name: (m.offence_subgroups, m.offence_codes) for m in Measure.objects.filter(name__in=old)}
    assert defined == {
        "Actual Bodily Harm": ([], []),
        "Grievous Bodily Harm": ([], ["5D", "8N"]),
        "All violence with injury": (
            ["Violence with injury", "Death or serious injury – unlawful driving"],
            ["99", "4.4", "4.6", "4.8", "4.9", "37.1"],
        ),
    }
    corrections.correct_definitions(django_apps, editor)  # again: nothing more changes
    assert {
        m.name: (m.offence_subgroups, m.offence_codes) for m in Measure.objects.filter(name__in=old)
    } == defined


def test_measure_admin_shows_the_definition_fields_with_their_help_text(client, demo_data, django_user_model):
    client.force_login(staff(django_user_model, "Publisher"))
    measure = Measure.objects.get(name="Residential burglary")
    html = client.get(reverse("admin:performance_measure_change", args=[measure.pk])).content.decode()
    assert 'name="offence_subgroups"' in html and 'name="offence_codes"' in html
    assert "Counted from the recorded crime open data" in html
    assert "list the names older years used too" in html


def test_offence_codes_entered_by_staff_must_be_text(demo_data):
    measure = Measure.objects.get(name="Murder only")
    measure.offence_codes = [4.1, "1/4.1", "4.10"]
    with pytest.raises(ValidationError) as raised:
        measure.full_clean()
    assert raised.value.message_dict == {
        "offence_codes": [
            "4.1 is a number, not text, so a code such as 4.10 would read as 4.1: give the Offence "
            "Code as text.",
            '"1/4.1" combines several offence codes in one; its count cannot be split between them: '
            "give each code its own row, as the Home Office publishes them.",
            'Give each offence code in quotes, as the open data spells it, e.g. ["1", "4.10"].',
        ]
    }
    measure.offence_codes, measure.offence_subgroups = [" 4.10 "], ["Homicide", 7]
    with pytest.raises(ValidationError) as raised:
        measure.full_clean()
    assert list(raised.value.message_dict) == ["offence_subgroups"]
    measure.offence_subgroups = ["  Violence   with injury "]
    measure.full_clean()
    assert (measure.offence_codes, measure.offence_subgroups) == (["4.10"], ["Violence with injury"])


# --------------------------------------------------------------------------------------------
# Computing
# --------------------------------------------------------------------------------------------


def test_computed_quarter_reproduces_the_reference_ncpm_tables(client, open_data, django_user_model):
    result = ncpm.ncpm_figures_update()
    assert result.created == [JUNE_2023]
    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    assert period.publish_at is None  # a draft for a Publisher to check and publish
    publish(period)
    response = public_quarter(client)
    assert response.status_code == 200
    tables = ncpm_tables(response.content.decode())
    expected = computed_tables()
    assert list(tables) == [f"Norfolk Constabulary: {area}" for area in expected]
    for area, text in expected.items():
        table = tables[f"Norfolk Constabulary: {area}"]
        assert_headings(table.header, PUBLISHED_NCPM_HEADER)
        assert as_published(table.rows) == rows(text)


def test_figures_equal_sums_computed_independently_from_the_rows(open_data):
    ncpm.ncpm_figures_update()
    figures = {f.measure.name: f for f in MeasureFigure.objects.select_related("measure")}
    assert set(figures) == set(COUNTED)  # satisfaction is entered by hand
    for name, codes in COUNTED.items():
        expected = [
            sum(count for y, code, count in open_data if y == year and code in codes) for year in YEARS
        ]
        figure = figures[name]
        assert [figure.latest, figure.previous, figure.baseline] == expected, name
        assert tuple(expected) == reference_figures()[name]


def test_compute_runs_one_query_however_many_forces_and_measures(open_data, django_assert_num_queries):
    measures = ncpm.defined_measures()
    years = ncpm.ComparisonYears.ending(JUNE_2023)
    for force in Force.objects.exclude(name="Norfolk")[:10]:
        add_counts(force, norfolk_offence_years())
    with django_assert_num_queries(1):
        counted = ncpm.measures_offences(measures)
    with django_assert_num_queries(1):
        computed = ncpm.ncpm_figures_compute(years=years, measures=measures, counted=counted)
    assert len(computed) == 11


def test_residential_burglary_counts_the_pre_2017_domestic_burglary_naming(db):
    norfolk = Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary")
    held = offences()
    year_2016 = calculations.twelve_month_quarter_ends(datetime.date(2017, 3, 31))
    year_2015 = calculations.twelve_month_quarter_ends(datetime.date(2016, 3, 31))
    for quarter in (*year_2015, *year_2016):
        OffenceCount.objects.create(force=norfolk, quarter_end=quarter, offence=held["28A"], count=100)
        OffenceCount.objects.create(force=norfolk, quarter_end=quarter, offence=held["30C"], count=7)
    measure = Measure(
        pk=1, name="Residential burglary", offence_subgroups=["Residential burglary", "Domestic burglary"]
    )
    years = ncpm.ComparisonYears(latest=year_2016, previous=year_2015)
    computed = ncpm.ncpm_figures_compute(years=years, measures=[measure])
    assert computed[norfolk.pk][1] == ncpm.ComputedFigure(latest=400, previous=400, baseline=None)


def test_a_missing_quarter_gives_no_figure_rather_than_a_wrong_one(open_data):
    OffenceCount.objects.filter(quarter_end=datetime.date(2023, 3, 31)).delete()
    result = ncpm.ncpm_figures_update()
    assert result.created == []
    assert not ReportingPeriod.objects.exists()
    years = ncpm.ComparisonYears.ending(JUNE_2023)
    computed = ncpm.ncpm_figures_compute(years=years, measures=ncpm.defined_measures())
    norfolk = Force.objects.get(name="Norfolk")
    assert {figure.latest for figure in computed[norfolk.pk].values()} == {None}


def test_a_missing_baseline_quarter_leaves_only_the_baseline_blank(open_data):
    OffenceCount.objects.filter(quarter_end=datetime.date(2018, 12, 31)).delete()
    ncpm.ncpm_figures_update()
    figure = MeasureFigure.objects.get(measure__name="Murder only")
    assert (figure.latest, figure.previous, figure.baseline) == (2, 10, None)


def test_an_import_signal_recomputes_the_quarters_it_touched(open_data):
    ncpm.recorded_crime_imported.send(sender=None, quarter_ends={datetime.date(2023, 6, 30)}, user=None)
    assert ReportingPeriod.objects.filter(period_end=JUNE_2023).exists()


def test_an_import_of_unrelated_quarters_touches_nothing(open_data):
    ncpm.recorded_crime_imported.send(sender=None, quarter_ends={datetime.date(2015, 6, 30)}, user=None)
    assert not ReportingPeriod.objects.exists()


def test_a_draft_quarter_is_rewritten_in_place(open_data):
    ncpm.ncpm_figures_update()
    OffenceCount.objects.filter(quarter_end=JUNE_2023, offence__code="1").update(count=5)
    ncpm.ncpm_figures_update(quarter_ends={JUNE_2023})
    june_murders = quarterly(2)[3]
    assert MeasureFigure.objects.get(measure__name="Murder only").latest == 2 - june_murders + 5
    assert not MeasureFigureRevision.objects.exists()


# --------------------------------------------------------------------------------------------
# Revisions of a published quarter
# --------------------------------------------------------------------------------------------


@pytest.fixture
def revised(open_data):
    """A published quarter whose data then changed: one more murder in its last quarter."""
    ncpm.ncpm_figures_update()
    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    publish(period)
    murders = OffenceCount.objects.get(quarter_end=JUNE_2023, offence__code="1")
    murders.count += 1
    murders.save()
    ncpm.ncpm_figures_update(quarter_ends={JUNE_2023})
    return period


def test_changed_data_for_a_published_quarter_waits_as_a_draft_revision(client, revised):
    pending = MeasureFigureRevision.objects.pending().select_related("measure")
    assert sorted(r.measure.name for r in pending) == ["Homicide (all offences)", "Murder only"]
    assert MeasureFigure.objects.get(measure__name="Murder only").latest == 2  # not changed silently
    table = ncpm_tables(public_quarter(client).content.decode())[
        "Norfolk Constabulary: Reduce Murder and Homicide"
    ]
    assert table.row("Murder only")[1] == "2"
    assert "Revised on" not in public_quarter(client).content.decode()


def test_recomputing_again_keeps_one_pending_revision_per_figure(revised):
    ncpm.ncpm_figures_update(quarter_ends={JUNE_2023})
    assert MeasureFigureRevision.objects.pending().count() == 2


def test_data_changed_back_withdraws_the_pending_revision(revised):
    murders = OffenceCount.objects.get(quarter_end=JUNE_2023, offence__code="1")
    murders.count -= 1
    murders.save()
    ncpm.ncpm_figures_update(quarter_ends={JUNE_2023})
    assert not MeasureFigureRevision.objects.exists()


def test_an_editor_cannot_apply_a_revision(client, revised, django_user_model):
    editor = staff(django_user_model, "Editor")
    with pytest.raises(PermissionDenied):
        ncpm.ncpm_revisions_apply(period=revised, user=editor)
    client.force_login(editor)
    client.post(
        reverse("admin:performance_reportingperiod_changelist"),
        {"action": "publish_now", "_selected_action": [revised.pk]},
    )
    assert MeasureFigureRevision.objects.pending().count() == 2
    assert MeasureFigure.objects.get(measure__name="Murder only").latest == 2


def test_a_publisher_applies_it_and_the_quarter_says_revised_on_with_what_changed(
    client, revised, django_user_model
):
    publisher = staff(django_user_model, "Publisher")
    client.force_login(publisher)
    change_page = client.get(reverse("admin:performance_reportingperiod_change", args=[revised.pk]))
    assert "Murder only: most recent 12 months from 2 to 3" in change_page.content.decode()
    changelist = reverse("admin:performance_reportingperiod_changelist")
    confirmation = client.post(changelist, {"action": "publish_now", "_selected_action": [revised.pk]})
    assert "2 recomputed figures are waiting and will be applied" in confirmation.content.decode()
    response = client.post(
        changelist,
        {
            "action": "publish_now",
            "_selected_action": [revised.pk],
            "post": "yes",
            "publication_reason": "ONS revised the open data.",
        },
    )
    assert response.status_code == 302
    assert not MeasureFigureRevision.objects.pending().exists()
    revised.refresh_from_db()
    assert revised.publish_at == PUBLISHED  # the first-published time is kept
    assert MeasureFigureRevision.objects.applied().filter(applied_by=publisher).count() == 2
    client.logout()
    html = public_quarter(client).content.decode()
    table = ncpm_tables(html)["Norfolk Constabulary: Reduce Murder and Homicide"]
    # 10 → 3 is within chance: 2·(1 + 13 + 78 + 286) / 2¹³ = 0.092, with fewer than 20 offences
    assert table.row("Murder only")[1:4] == ["3", "10", "70% decrease -7 Small numbers"]
    today = calculations.revised_on_text(timezone.localdate(), "x").split(":")[0]
    assert f"{today}: Murder only: most recent 12 months from 2 to 3." in html
    assert f"{today}: Homicide (all offences): most recent 12 months from 2 to 3." in html
    data = json_document(client, reverse("performance:data-ncpm-json"), {"period": "2023-06"})
    murder = next(row for row in data["rows"] if row["measure"] == "Murder only")
    assert murder["revisions"] == f"{today}: Murder only: most recent 12 months from 2 to 3."
    figure = MeasureFigure.objects.get(measure__name="Murder only")
    assert [h.latest for h in figure.history.order_by("history_date")][-2:] == [2, 3]  # both kept
    assert figure.history.latest("history_date").history_user == publisher


# --------------------------------------------------------------------------------------------
# Compared with other forces
# --------------------------------------------------------------------------------------------

# Homicides, latest and previous 12 months (the baseline repeats the previous year), so each
# force's percent change is known: Norfolk and Suffolk tie.
HOMICIDES = {
    "Norfolk": (9, 10),  # -10%
    "Suffolk": (18, 20),  # -10%, Most Similar Group
    "Lincolnshire": (5, 4),  # +25%, Most Similar Group
    "Wiltshire": (6, 10),  # -40%, Most Similar Group
    "Essex": (20, 40),  # -50%
    "Kent": (10, 10),  # 0%
    "British Transport Police": (1, 10),  # -90%, not a territorial force: not ranked
}


@pytest.fixture
def forces_compared(demo_data):
    ReportingPeriod.objects.all().delete()
    for name, (latest, previous) in HOMICIDES.items():
        add_counts(Force.objects.get(name=name), {"1": (latest, previous, previous)})
    ncpm.ncpm_figures_update()
    return MeasureFigure.objects.get(measure__name="Murder only")


def test_msg_median_and_england_and_wales_position_are_exact_with_ties(forces_compared):
    changes = {
        name: Decimal(latest - previous) * 100 / previous for name, (latest, previous) in HOMICIDES.items()
    }
    group = [changes[n] for n in ("Norfolk", "Suffolk", "Lincolnshire", "Wiltshire")]
    national = {n: c for n, c in changes.items() if n != "British Transport Police"}
    below = sum(1 for c in national.values() if c < changes["Norfolk"])
    tied = sum(1 for c in national.values() if c == changes["Norfolk"]) > 1
    assert (statistics.median(group), below + 1, tied, len(national)) == (Decimal(-10), 3, True, 6)
    stored = forces_compared.comparison["previous"]
    assert Decimal(stored["msg_median"]) == statistics.median(group)
    assert (stored["rank"], stored["joint"], stored["of"]) == (below + 1, tied, len(national))


def comparison_table(html: str, area: str = "Reduce Murder and Homicide"):
    caption = f"How Norfolk Constabulary's changes compare: {area}"
    return next(t for t in parse_page(html).tables if t.caption == caption)


def test_the_quarter_page_words_how_the_change_compares(client, forces_compared):
    # Given Norfolk's 10% fall, its Most Similar Group's median fall of 10% and a shared 3rd place
    publish(forces_compared.period)

    # When a resident reads the quarter
    html = public_quarter(client).content.decode()

    # Then one plain sentence says how Norfolk compares, and the detail is in a table
    assert (
        "Murder only, against the previous 12 months: Norfolk Constabulary&#x27;s change was about the "
        "same as most similar forces&#x27;."
    ) in html
    assert "Most Similar Group&#x27;s median change was" not in html
    table = comparison_table(html)
    assert table.row("Murder only, on the previous 12 months") == [
        "Murder only, on the previous 12 months",
        "10% decrease",
        "10% decrease",
        "joint 3rd of 6",
    ]
    assert table.header[-1].endswith("Position in England and Wales (1st: the largest fall)")


def test_with_northern_ireland_in_the_national_set_the_position_counts_psni_and_names_the_set(
    client, demo_data
):
    # Given an office that ranks among England, Wales and Northern Ireland, and PSNI's counts
    office = SiteSettings.objects.get()
    office.national_comparison = NationalComparison.WITH_NORTHERN_IRELAND
    office.save()
    ReportingPeriod.objects.all().delete()
    for name, (latest, previous) in {**HOMICIDES, "Northern Ireland": (7, 10)}.items():  # -30%
        add_counts(Force.objects.get(name=name), {"1": (latest, previous, previous)})

    # When the figures are computed
    ncpm.ncpm_figures_update()

    # Then PSNI is one of the forces compared, and the sentence names the set
    figure = MeasureFigure.objects.get(measure__name="Murder only")
    assert (figure.comparison["previous"]["rank"], figure.comparison["previous"]["of"]) == (4, 7)
    publish(figure.period)
    table = comparison_table(public_quarter(client).content.decode())
    assert table.row("Murder only, on the previous 12 months")[-1] == "joint 4th of 7"
    assert table.header[-1].endswith(
        "Position in England, Wales and Northern Ireland (1st: the largest fall)"
    )


def test_pages_run_the_same_queries_with_one_force_or_many(client, demo_data, django_assert_num_queries):
    ReportingPeriod.objects.all().delete()
    add_counts(Force.objects.get(name="Norfolk"), norfolk_offence_years())
    ncpm.ncpm_figures_update()
    publish(ReportingPeriod.objects.get())
    urls = [reverse("performance:ncpm-period", args=["2023-06"]), reverse("performance:police-data")]
    counts = []
    for url in urls:
        content_version(fresh=True)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    for force in Force.objects.filter(kind=Force.Kind.TERRITORIAL).exclude(name="Norfolk"):
        add_counts(force, norfolk_offence_years())
    ncpm.ncpm_figures_update()
    ncpm.ncpm_revisions_apply(period=ReportingPeriod.objects.get(), user=publication.SYSTEM)
    assert MeasureFigure.objects.filter(comparison__has_key="previous").count() == len(COUNTED)
    for url, count in zip(urls, counts, strict=True):
        content_version(fresh=True)
        with django_assert_num_queries(count):
            response = client.get(url)
        assert (
            comparison_table(response.content.decode()).row("Murder only, on the previous 12 months")[-1]
            == "joint 1st of 43"
        )


def test_a_baseline_that_became_incomplete_is_revised_to_no_figure(client, open_data):
    ncpm.ncpm_figures_update()
    period = ReportingPeriod.objects.get()
    publish(period)
    OffenceCount.objects.filter(quarter_end=datetime.date(2018, 12, 31)).delete()
    ncpm.ncpm_figures_update(quarter_ends={datetime.date(2018, 12, 31)})
    assert MeasureFigureRevision.objects.pending().count() == len(COUNTED)
    ncpm.ncpm_revisions_apply(period=period, user=publication.SYSTEM)
    html = public_quarter(client).content.decode()
    assert "Murder only: 2019 baseline from 5 to no figure." in html
    table = ncpm_tables(html)["Norfolk Constabulary: Reduce Murder and Homicide"]
    assert table.row("Murder only")[4:] == ["", ""]


# --------------------------------------------------------------------------------------------
# From a file in the published layout, through the import
# --------------------------------------------------------------------------------------------


def financial_quarter(quarter_end: datetime.date) -> tuple[str, str, int]:
    """(sheet name, Financial Year, Financial Quarter) of a quarter's last day: 30 June 2023 is
    2023/24 Q1, on the sheet "2023_24"."""
    start = quarter_end.year if quarter_end.month > 3 else quarter_end.year - 1
    quarter = {6: 1, 9: 2, 12: 3, 3: 4}[quarter_end.month]
    return f"{start}_{(start + 1) % 100:02d}", f"{start}/{(start + 1) % 100:02d}", quarter


def published_layout(offence_years: dict[str, tuple[int, ...]]) -> dict[str, list[list]]:
    """Norfolk's counts as the Home Office lays them out: a cover sheet, then one sheet per
    financial year with the published header, fraud bodies' rows among the forces'."""
    from tests.data.make_recorded_crime_files import HEADER

    sheets: dict[str, list[list]] = {"Cover sheet": [["Police recorded crime open data"]]}
    for code, totals in offence_years.items():
        description, group, subgroup = OFFENCES[code]
        for year, total in zip(YEARS, totals, strict=True):
            for quarter_end, count in zip(QUARTERS[year], quarterly(total), strict=True):
                sheet, financial_year, quarter = financial_quarter(quarter_end)
                rows = sheets.setdefault(sheet, [HEADER])
                rows.append([financial_year, quarter, "Norfolk ", description, group, subgroup, code, count])
                rows.append(
                    [financial_year, quarter, "Action Fraud", "Fraud", "Fraud offences", "Fraud", "53A", 9]
                )
    return dict(sorted(sheets.items(), key=lambda item: item[0] != "Cover sheet"))


def test_the_reference_tables_are_reproduced_from_a_file_in_the_published_layout(client, demo_data, tmp_path):
    """The reference page's NCPM tables, from a workbook laid out as the Home Office publishes it,
    imported as staff import it; nothing typed."""
    from performance.crime.recorded_crime import release_import
    from tests.data.make_recorded_crime_files import write_xlsx

    ReportingPeriod.objects.all().delete()
    path = write_xlsx(
        published_layout(norfolk_offence_years()), tmp_path / "prc-pfa-mar2013-onwards-tables.xlsx"
    )
    with path.open("rb") as file:
        summary = release_import(file, file_name=path.name)
    assert not summary.problems, summary.problems

    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    assert period.publish_at is None  # a draft until a Publisher publishes it
    publish(period)
    tables = ncpm_tables(public_quarter(client).content.decode())
    expected = computed_tables()
    assert list(tables) == [f"Norfolk Constabulary: {area}" for area in expected]
    for area, text in expected.items():
        assert as_published(tables[f"Norfolk Constabulary: {area}"].rows) == rows(text), area


# --------------------------------------------------------------------------------------------
# A measure's offences missing, or named differently, in a file
# --------------------------------------------------------------------------------------------


def test_offences_counted_0_give_0_and_offences_absent_give_no_figure(db):
    """Given a held year in which robbery of business property was counted 0 every quarter and
    assault with intent (5D) has no row at all, the first measure's figure is 0 and the second
    has none."""
    norfolk = Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary")
    held = offences()
    latest, previous = QUARTERS["latest"], calculations.twelve_month_quarter_ends(datetime.date(2022, 6, 30))
    OffenceCount.objects.bulk_create(
        OffenceCount(force=norfolk, quarter_end=quarter, offence=held[code], count=count)
        for quarter in (*previous, *latest)
        for code, count in (("34A", 0), ("1", 3))
    )
    business_robbery = Measure(pk=1, name="Robbery of business property", offence_codes=["34A"])
    intent = Measure(pk=2, name="Assault with intent to cause serious harm (5D)", offence_codes=["5D"])

    computed = ncpm.ncpm_figures_compute(
        years=ncpm.ComparisonYears(latest=latest, previous=previous), measures=[business_robbery, intent]
    )

    assert computed[norfolk.pk] == {
        1: ncpm.ComputedFigure(latest=0, previous=0, baseline=None),
        2: ncpm.ComputedFigure(latest=None, previous=None, baseline=None),
    }


def test_a_file_without_a_measures_offences_warns_and_leaves_its_figures_as_they_were(
    client, demo_data, tmp_path
):
    """An installation still counting GBH as code 5D, and a release without 5D: the import says
    so, and the published figure stays (no revision to 0)."""
    from performance.crime.recorded_crime import release_import
    from tests.data.make_recorded_crime_files import write_xlsx

    ReportingPeriod.objects.all().delete()
    Measure.objects.filter(name="Grievous Bodily Harm").update(offence_codes=["5D"])
    years = norfolk_offence_years()
    with write_xlsx(published_layout(years), tmp_path / "with-5d.xlsx").open("rb") as file:
        first = release_import(file, file_name="with-5d.xlsx")
    assert first.imported and first.warnings == []
    period = ReportingPeriod.objects.get(period_end=JUNE_2023)
    publish(period)
    gbh = MeasureFigure.objects.get(period=period, measure__name="Grievous Bodily Harm")

    without = {code: totals for code, totals in years.items() if code != "5D"}
    with write_xlsx(published_layout(without), tmp_path / "without-5d.xlsx").open("rb") as file:
        summary = release_import(file, file_name="without-5d.xlsx")

    assert summary.imported
    assert summary.warnings == [
        "No offence in this file is counted by Grievous Bodily Harm (offence code 5D): its figures "
        "are left as they were. Check its definition (Measures) against the file's names."
    ]
    assert summary.warnings[0] in summary.import_log.warnings
    gbh.refresh_from_db()
    assert (gbh.latest, gbh.previous, gbh.baseline) == (613, 628, 454)
    pending = MeasureFigureRevision.objects.pending().values_list("measure__name", flat=True)
    assert "Grievous Bodily Harm" not in pending


def test_a_measure_keeps_its_years_when_a_later_edition_renames_its_subgroup(demo_data, tmp_path):
    """2023/24 as one edition named it, then 2024/25 from an edition that writes "Vehicle
    Offences" and shortens "Miscellaneous crimes against society" to "Miscellaneous crimes": the
    import names each new name, and both years count."""
    from performance.crime.recorded_crime import release_import
    from tests.data import make_recorded_crime_files as files

    forces = ["Norfolk ", "Suffolk"]
    offences_then = [*files.OFFENCES, files.MISCELLANEOUS]
    then = files.release_sheets(years=["2023_24"], forces=forces, offences=offences_then)
    later = files.release_sheets(years=["2024_25"], forces=forces, offences=files.drifted(offences_then))
    miscellaneous = Measure.objects.create(
        priority_area=Measure.objects.get(name="Vehicle offences").priority_area,
        name="Miscellaneous crimes against society",
        offence_subgroups=["Miscellaneous crimes against society"],
    )
    vehicle = Measure.objects.get(name="Vehicle offences")
    for name, sheets in (("then.xlsx", then), ("later.ods", later)):
        writer = files.write_xlsx if name.endswith("xlsx") else files.write_ods
        with writer(sheets, tmp_path / name).open("rb") as file:
            summary = release_import(file, file_name=name)
        assert summary.imported, summary.problems

    assert summary.warnings == [
        'Offence group "Miscellaneous crimes" is new: the data held so far has no such name. Check '
        "that the measures' definitions count it as they should.",
        'Offence group "Theft Offences" is new: the data held so far spells it "Theft offences". '
        "Check that the measures' definitions count it as they should.",
        'Offence group "Vehicle Offences" is new: the data held so far spells it "Vehicle offences". '
        "Check that the measures' definitions count it as they should.",
        'Offence subgroup "Miscellaneous crimes" is new: the data held so far has no such name. '
        "Check that the measures' definitions count it as they should.",
        'Offence subgroup "Vehicle Offences" is new: the data held so far spells it "Vehicle '
        "offences\". Check that the measures' definitions count it as they should.",
    ]

    def norfolk_total(sheets, sheet, code):
        return sum(row[7] for row in sheets[sheet][1:] if row[2] == "Norfolk " and row[6] == code)

    march_2025 = datetime.date(2025, 3, 31)
    years = ncpm.ComparisonYears(
        latest=calculations.twelve_month_quarter_ends(march_2025),
        previous=calculations.twelve_month_quarter_ends(datetime.date(2024, 3, 31)),
    )
    computed = ncpm.ncpm_figures_compute(years=years, measures=[miscellaneous, vehicle])
    norfolk = computed[Force.objects.get(name="Norfolk").pk]
    for measure, code in ((miscellaneous, "802"), (vehicle, "45")):
        assert norfolk[measure.pk] == ncpm.ComputedFigure(
            latest=norfolk_total(later, "2024_25", code),
            previous=norfolk_total(then, "2023_24", code),
            baseline=None,
        ), measure.name


def test_appendix_lists_each_heading_with_what_it_and_the_measures_after_it_count():
    measures = [
        Measure(name="Murder only", offence_codes=["1"], definition="Code 1 only."),
        Measure(
            name="Homicide (all offences)", definition_heading="Homicide", offence_subgroups=["Homicide"]
        ),
        Measure(name="Grievous Bodily Harm", definition="From the force."),
        Measure(name="Satisfaction", definition_heading="Satisfaction"),
    ]

    entries = ncpm.appendix_definitions(measures)

    assert [(entry["measure"].definition_heading, entry["sources"]) for entry in entries] == [
        (
            "Homicide",
            [
                {
                    "name": "Murder only",
                    "definition": "Code 1 only.",
                    "source": "Counted from the Home Office recorded crime open data: offence code 1.",
                },
                {
                    "name": "Homicide (all offences)",
                    "definition": "",
                    "source": "Counted from the Home Office recorded crime open data: offence subgroup Homicide.",
                },
                {
                    "name": "Grievous Bodily Harm",
                    "definition": "From the force.",
                    "source": "Supplied by the force: not in the national open data.",
                },
            ],
        ),
        (
            "Satisfaction",
            [
                {
                    "name": "Satisfaction",
                    "definition": "",
                    "source": "Supplied by the force: not in the national open data.",
                }
            ],
        ),
    ]
