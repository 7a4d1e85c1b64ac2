"""999 files headed as real downloads head them import first time; a column the import does not
read is a warning, never a refusal."""

import datetime
from decimal import Decimal

import pytest

from performance.calls.resources import CallAnswerMonthResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import CallAnswerMonth, Force
from tests.helpers import json_document

NORFOLK_SEPTEMBER = {
    "total_calls": 11628,
    "mean_answer_seconds": Decimal("7.57"),
    "pct_under_10s": Decimal("87.1"),
    "pct_10_to_60s": Decimal("12.2"),
    "pct_60s_and_over": Decimal("0.7"),
}
PERCENT_HEADINGS = (
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
)
VARIANTS = {
    "median answer time": (
        (
            "Force",
            "Month",
            "Total calls",
            "Mean answer time (seconds)",
            "Median answer time (in seconds)",
            *PERCENT_HEADINGS,
        ),
        ("Norfolk", "Sep-23", "11628", "7.57", "5", "87.1", "12.2", "0.7"),
    ),
    "under 10 seconds without 'in'": (
        (
            "Force",
            "Month",
            "Total calls",
            "Mean answer time (seconds)",
            "% of calls answered under 10 seconds",
            *PERCENT_HEADINGS[1:],
        ),
        ("Norfolk", "Sep-23", "11628", "7.57", "87.1", "12.2", "0.7"),
    ),
    "at 60 seconds or longer": (
        (
            "Force",
            "Month",
            "Total calls",
            "Mean answer time (seconds)",
            *PERCENT_HEADINGS[:2],
            "% of calls answered at 60 seconds or longer",
        ),
        ("Norfolk", "Sep-23", "11628", "7.57", "87.1", "12.2", "0.7"),
    ),
    "average answer time in seconds": (
        ("Force", "Month", "Total calls", "Average answer time in seconds", *PERCENT_HEADINGS),
        ("Norfolk", "Sep-23", "11628", "7.57", "87.1", "12.2", "0.7"),
    ),
    "numbers of calls": (
        (
            "Force",
            "Month",
            "Total calls",
            "Mean answer time (seconds)",
            "Number of calls answered under 10 seconds",
            "Number of calls answered in 10 to under 60 seconds",
            "Number of calls answered at 60 seconds or longer",
            *PERCENT_HEADINGS,
        ),
        ("Norfolk", "Sep-23", "11628", "7.57", "10128", "1419", "81", "87.1", "12.2", "0.7"),
    ),
}


@pytest.fixture
def norfolk(db):
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


def csv_file(rows) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


def imported(data: bytes):
    return CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=False, file_name="999.csv"
    )


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_a_realistic_heading_variant_imports_the_same_figures(norfolk, variant):
    result = imported(csv_file(VARIANTS[variant]))

    assert not result.has_errors(), [str(error.error) for error in result.base_errors]
    month = CallAnswerMonth.objects.get(force=norfolk, month=datetime.date(2023, 9, 1))
    assert {name: getattr(month, name) for name in NORFOLK_SEPTEMBER} == NORFOLK_SEPTEMBER


def test_a_column_the_import_does_not_read_is_a_warning_not_a_refusal(norfolk):
    header, row = VARIANTS["average answer time in seconds"]
    result = imported(csv_file([(*header, "Force region code"), (*row, "E12000006")]))

    assert not result.has_errors()
    assert result.release_warnings == [
        'Column "Force region code" is not one this import reads: it was ignored.'
    ]
    assert CallAnswerMonth.objects.filter(force=norfolk).count() == 1


def test_open_data_gives_percentages_worked_out_from_counts_when_only_counts_are_held(client, norfolk):
    from django.urls import reverse

    header = ("Force", "Month", "Total calls", "Mean answer time (seconds)")
    counts = (
        "Number of calls answered under 10 seconds",
        "Number of calls answered in 10 to under 60 seconds",
        "Number of calls answered at 60 seconds or longer",
    )
    imported(csv_file([(*header, *counts), ("Norfolk", "Sep-23", "11628", "7.57", "10128", "1419", "81")]))
    CallAnswerMonth.objects.update(publish_at=datetime.datetime(2023, 10, 19, tzinfo=datetime.UTC))

    document = json_document(client, reverse("performance:data-calls-999-json"))

    row = document["rows"][0]
    assert (row["calls_under_10s"], row["pct_under_10s"], row["pct_10_to_60s"], row["pct_60s_and_over"]) == (
        10128,
        87.1,  # 10,128 of 11,628
        12.2,
        0.7,
    )


def test_the_median_answer_time_is_stored_when_the_file_gives_it(norfolk):
    imported(csv_file(VARIANTS["median answer time"]))

    assert CallAnswerMonth.objects.get(force=norfolk).median_answer_seconds == Decimal(5)


def test_the_999_table_has_a_median_column_only_where_a_median_is_held(norfolk):
    from performance.shared.tables import call_answer_table

    imported(csv_file(VARIANTS["median answer time"]))
    held = call_answer_table(CallAnswerMonth.objects.with_ranks(), caption="999")
    CallAnswerMonth.objects.update(median_answer_seconds=None)
    not_held = call_answer_table(CallAnswerMonth.objects.with_ranks(), caption="999")

    assert [full for _, full in held.headers[2:4]] == [
        "Mean Answer Time (seconds)",
        "Median Answer Time (seconds)",
    ]
    assert held.rows[0][2:4] == ["7.57", "5"]
    assert "Median Answer Time (seconds)" not in [full for _, full in not_held.headers]
    assert len(not_held.columns) == len(not_held.rows[0]) == len(held.columns) - 1


def test_the_999_tables_column_key_lists_only_the_columns_shown(norfolk):
    from django.template.loader import render_to_string

    from performance.shared.tables import call_answer_table

    imported(csv_file(VARIANTS["median answer time"]))
    held = call_answer_table(CallAnswerMonth.objects.with_ranks(), caption="999")
    CallAnswerMonth.objects.update(median_answer_seconds=None)
    not_held = call_answer_table(CallAnswerMonth.objects.with_ranks(), caption="999")

    assert "Median (s)" in dict(held.key_shown)
    assert [short for short, _ in not_held.key_shown] == [
        "Calls",
        "Mean (s)",
        "Under 10\u00a0s",
        "10 to 60\u00a0s",
        "60\u00a0s and over",
        "National rank",
        "MSG rank",
        "Regional rank",
    ]
    key = render_to_string("performance/includes/data_table.html", {"table": not_held}).split("table-key")[1]
    assert "Median" not in key
    assert "<dt>Mean (s)</dt><dd>Mean Answer Time (seconds)</dd>" in key
