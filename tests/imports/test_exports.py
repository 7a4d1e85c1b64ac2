"""Staff exports: text a spreadsheet would run as a formula is neutralised; numbers stay numbers.

A force's name is the only free text in the 999 export, so the hostile values are force names.
The exports are downloaded through the admin as an Editor, the way staff get them.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from performance.calls.resources import CallAnswerMonthExportResource
from performance.crime.resources import MeasureFigureExportResource, RecordedCrimeFigureExportResource
from performance.imports.resources import SafeCSV, SafeXLSX
from performance.models import (
    CallAnswerMonth,
    Force,
    Measure,
    MeasureFigure,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
)
from performance.shared.formulas import formula_neutralised
from tests.factories import PUBLISHED
from tests.helpers import read_csv

HOSTILE_NAMES = [
    "=cmd|' /C calc'!A0",
    "+44 1603 000000",
    "-2+3",
    "@SUM(1,1)",
    "\tTabbed",
    "\rReturned",
]
JANUARY = datetime.date(2023, 1, 1)
HEADER = [  # as the 999 import reads them, so an export can be imported again
    "Force",
    "Month",
    "Total calls",
    "Mean answer time (seconds)",
    "Median answer time (seconds)",
    "Calls answered in under 10 seconds",
    "Calls answered in 10 to under 60 seconds",
    "Calls answered in 60 seconds and over",
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
]


@pytest.fixture
def editor(db, client, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


@pytest.fixture
def calls(db):
    """Norfolk's January 2023 (counts and percentages) and a month for each force with a hostile name."""
    norfolk = Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")
    CallAnswerMonth.objects.create(
        publish_at=PUBLISHED,
        force=norfolk,
        month=JANUARY,
        total_calls=9933,
        mean_answer_seconds=Decimal("7.45"),
        median_answer_seconds=Decimal("6.35"),
        calls_under_10s=8473,
        calls_10_to_60s=1400,
        calls_60s_and_over=60,
        pct_under_10s=Decimal("85.3"),
        pct_10_to_60s=Decimal("14.1"),
        pct_60s_and_over=Decimal("0.6"),
    )
    for index, name in enumerate(HOSTILE_NAMES):
        force = Force.objects.create(name=name, full_name=name, kind=Force.Kind.SPECIAL)
        CallAnswerMonth.objects.create(
            publish_at=PUBLISHED,
            force=force,
            month=datetime.date(2023, index + 2, 1),
            total_calls=100 + index,
            mean_answer_seconds=Decimal("6.5"),
            pct_under_10s=Decimal("90.0"),
            pct_10_to_60s=Decimal("9.0"),
            pct_60s_and_over=Decimal("1.0"),
        )


def export_form(resource_class, format_index: int) -> dict:
    """The admin export form: the format, the one resource and every field ticked."""
    prefix = resource_class.__name__.lower()
    return {
        "format": str(format_index),
        "resource": "0",
        **{f"{prefix}_{name}": "on" for name in resource_class().get_export_order()},
    }


def exported(client, model_name: str, resource_class, format_index: int):
    response = client.post(
        reverse(f"admin:performance_{model_name}_export"), export_form(resource_class, format_index)
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def test_export_formats_offered_are_the_safe_ones(client, editor, calls):
    response = client.get(reverse("admin:performance_callanswermonth_export"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [label for value, label in form.fields["format"].choices if value != ""] == ["csv", "xlsx"]


def test_csv_export_neutralises_formulas_and_leaves_numbers_bare(client, editor, calls):
    response = exported(client, "callanswermonth", CallAnswerMonthExportResource, 0)

    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    rows = read_csv(text)
    assert rows[0] == HEADER
    by_force = {row[0]: row for row in rows[1:]}
    assert set(by_force) == {"Norfolk", *("'" + name for name in HOSTILE_NAMES)}
    assert by_force["Norfolk"] == [
        "Norfolk",
        "2023-01-01",
        "9933",
        "7.45",
        "6.35",
        "8473",
        "1400",
        "60",
        "85.3",
        "14.1",
        "0.6",
    ]
    assert by_force["'=cmd|' /C calc'!A0"][1:4] == ["2023-02-01", "100", "6.50"]
    assert by_force["'-2+3"][4:] == ["", "", "", "", "90.0", "9.0", "1.0"]  # counts not published: empty
    assert "Norfolk,2023-01-01,9933,7.45,6.35,8473,1400,60,85.3,14.1,0.6\r\n" in text  # numbers unquoted
    assert "'=cmd|' /C calc'!A0,2023-02-01,100,6.50,,,,,90.0,9.0,1.0\r\n" in text
    assert not any(row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])


def test_xlsx_export_keeps_numbers_and_dates_native_and_neutralises_formulas(client, editor, calls):
    response = exported(client, "callanswermonth", CallAnswerMonthExportResource, 1)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == HEADER
    by_force = {row[0].value: row for row in rows[1:]}
    assert set(by_force) == {"Norfolk", *("'" + name for name in HOSTILE_NAMES)}  # a carriage return kept

    norfolk = by_force["Norfolk"]
    assert [cell.value for cell in norfolk] == [
        "Norfolk",
        datetime.datetime(2023, 1, 1),
        9933,
        7.45,
        6.35,
        8473,
        1400,
        60,
        85.3,
        14.1,
        0.6,
    ]
    assert norfolk[1].is_date
    assert [cell.data_type for cell in norfolk[2:]] == ["n"] * 9
    assert all(isinstance(cell.value, int) for cell in norfolk[2:3] + norfolk[5:8])
    for row in rows[1:]:
        assert row[0].data_type == "s"  # text, never a formula ("f")
        assert row[0].value == "Norfolk" or row[0].value[0] == "'"
    assert by_force["'@SUM(1,1)"][4].value is None  # counts not published: an empty cell


def test_other_exports_keep_numbers_and_dates_native(client, editor, calls):
    norfolk = Force.objects.get(name="Norfolk")
    period = RecordedCrimePeriod.objects.create(publish_at=PUBLISHED, period_end=datetime.date(2025, 6, 30))
    RecordedCrimeFigure.objects.create(
        period=period, force=norfolk, total=58881, offence_groups={"Homicide": 5}
    )
    area = PriorityArea.objects.create(name="Reduce Murder and Homicide")
    measure = Measure.objects.create(priority_area=area, name="-Homicide (all offences)")
    quarter = ReportingPeriod.objects.create(publish_at=PUBLISHED, period_end=datetime.date(2023, 6, 30))
    MeasureFigure.objects.create(period=quarter, measure=measure, latest=2, previous=15, baseline=7)

    ons = load_workbook(
        io.BytesIO(exported(client, "recordedcrimefigure", RecordedCrimeFigureExportResource, 1).content)
    ).active
    ncpm = load_workbook(
        io.BytesIO(exported(client, "measurefigure", MeasureFigureExportResource, 1).content)
    ).active

    assert [[cell.value for cell in row] for row in ons.iter_rows()] == [
        ["Area Code", "Area Name", "Year ending", "Total recorded crime (excluding fraud)"],
        ["E23000024", "Norfolk", datetime.datetime(2025, 6, 30), 58881],
    ]
    assert ons["C2"].is_date
    assert [[cell.value for cell in row] for row in ncpm.iter_rows()] == [
        ["Measure", "12 months ending", "Latest 12 months", "Previous 12 months", "2019 baseline"],
        ["'-Homicide (all offences)", datetime.datetime(2023, 6, 30), 2, 15, 7],
    ]
    assert ncpm["B2"].is_date and ncpm["C2"].data_type == "n"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_neutralised_prefixes_text_a_spreadsheet_would_run(prefix):
    value = f"{prefix}1+1"
    assert formula_neutralised(value) == f"'{prefix}1+1"
    assert formula_neutralised(prefix) == f"'{prefix}"


@pytest.mark.parametrize(
    "value",
    [
        "Norfolk",
        "Devon & Cornwall",
        "",
        " =not at the start",
        "'=already quoted",
        -13,
        0,
        7.45,
        Decimal("-0.5"),
        None,
        JANUARY,
    ],
)
def test_formula_neutralised_leaves_everything_else_alone(value):
    assert formula_neutralised(value) == value
    assert type(formula_neutralised(value)) is type(value)


def test_safe_formats_neutralise_a_copy_of_the_dataset(calls):
    dataset = CallAnswerMonthExportResource().export()
    names = [row[0] for row in dataset]
    assert sorted(names) == sorted(["Norfolk", *HOSTILE_NAMES])

    csv_rows = read_csv(SafeCSV().export_data(dataset))
    sheet = load_workbook(io.BytesIO(SafeXLSX().export_data(dataset))).active

    safe = [formula_neutralised(name) for name in names]
    assert [row[0] for row in csv_rows[1:]] == safe
    assert [cell.value for cell in sheet["A"][1:]] == list(safe)
    assert [row[0] for row in dataset] == names  # the dataset itself is left as it was


def test_a_999_export_imports_again_as_unchanged(demo_data):
    from performance.calls.resources import CallAnswerMonthResource
    from performance.imports.resources import SpreadsheetFormat
    from performance.models import CallAnswerMonth

    exported_csv = SafeCSV().export_data(CallAnswerMonthExportResource().export())
    result = CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(exported_csv.encode()), dry_run=True
    )

    assert [str(e.error) for e in result.base_errors] == []
    assert result.totals["skip"] == CallAnswerMonth.objects.count() == 23
    assert result.totals["new"] == result.totals["update"] == 0
