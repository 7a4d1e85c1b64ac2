"""An office brings in its history from its own "Police Data" page: the page's 999 table layout
(Month, Total Calls, Mean Answer Time (seconds), three "% 999 calls answered …" columns and three
ranking columns with "14th"-style ordinals) imports for the home force, ranks kept as entered.

The file is built here from the published figures (``figures.json``), laid out and worded as the
page prints them: text months, thousands separators, "%" signs, ordinals, one table per year with
its header row repeated, newest year first."""

import datetime
import json
from decimal import Decimal

import pytest

from performance.calls.resources import CallAnswerMonthResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import CallAnswerMonth, CallAnswerRank, SiteSettings
from performance.shared.calculations import ordinal
from tests.factories import PUBLISHED
from tests.helpers import DEMO_FIGURES

FIGURES = json.loads(DEMO_FIGURES.read_text())
RANKING = "ranking for % of 999 calls answered in under 10 seconds"


def page_header(regional_group: str) -> list[str]:
    return [
        "Month",
        "Total Calls",
        "Mean Answer Time (seconds)",
        "% 999 calls answered in under 10 seconds",
        "% 999 calls answered in 10 to under 60 seconds",
        "% 999 calls answered in 60 seconds and over",
        f"National {RANKING}",
        f"Most Similar Group {RANKING}",
        f"{regional_group} {RANKING}",
    ]


def page_row(row) -> list[str]:
    month, total, mean, under_10, to_60, over_60, national, msg, regional = row
    return [
        datetime.date.fromisoformat(month + "-01").strftime("%B %Y"),
        f"{total:,}",
        str(mean),
        f"{under_10:.1f}%",
        f"{to_60:.1f}%",
        f"{over_60:.1f}%",
        ordinal(national),
        ordinal(msg),
        ordinal(regional),
    ]


def office_table(rows, regional_group="Regional 7 Force") -> bytes:
    """The page's tables, newest year first, each with its header row, as a CSV."""
    lines = []
    for year in sorted({row[0][:4] for row in rows}, reverse=True):
        lines.append(page_header(regional_group))
        lines.extend(page_row(row) for row in rows if row[0].startswith(year))
    return "".join(",".join(f'"{cell}"' for cell in line) + "\r\n" for line in lines).encode()


def imported(data: bytes, *, dry_run=False):
    return CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=dry_run, file_name="police-data-page.csv"
    )


@pytest.fixture
def office(demo_data):
    """The demo office with no 999 months held: what an office has before its back-fill."""
    CallAnswerMonth.objects.all().delete()
    return SiteSettings.objects.select_related("home_force", "regional_group").get()


def problems(result) -> list[str]:
    return [str(error.error) for error in result.base_errors] + [
        str(error.error) for _, errors in result.row_errors() for error in errors
    ]


def test_the_offices_own_table_imports_every_month_for_the_home_force(office):
    result = imported(office_table(FIGURES["calls_999"], office.regional_group.name))

    assert problems(result) == []
    assert result.totals["new"] == len(FIGURES["calls_999"]) == 23
    held = {
        m.month.strftime("%Y-%m"): m
        for m in CallAnswerMonth.objects.filter(force=office.home_force).with_ranks()
    }
    assert set(held) == {row[0] for row in FIGURES["calls_999"]}
    for month, total, mean, under_10, to_60, over_60, national, msg, regional in FIGURES["calls_999"]:
        stored = held[month]
        assert (stored.total_calls, stored.mean_answer_seconds) == (total, Decimal(str(mean)))
        assert [stored.pct_under_10s, stored.pct_10_to_60s, stored.pct_60s_and_over] == [
            Decimal(str(under_10)),
            Decimal(str(to_60)),
            Decimal(str(over_60)),
        ]
        ranks = CallAnswerRank.objects.filter(call_month=stored)
        assert {(r.scope, r.rank, r.joint, r.source) for r in ranks} == {
            ("national", national, False, "entered"),
            ("msg", msg, False, "entered"),
            ("regional", regional, False, "entered"),
        }
    assert result.release_warnings[0] == (
        "The file has no Force column: every row is read as Norfolk's (the home force), as in the "
        "office's own 999 table."
    )


def test_the_back_filled_months_show_the_ranks_as_entered_once_published(office):
    imported(office_table(FIGURES["calls_999"], office.regional_group.name))
    CallAnswerMonth.objects.update(publish_at=PUBLISHED)

    january = CallAnswerMonth.objects.with_ranks().get(month=datetime.date(2023, 1, 1))

    assert [january.rank_for(scope).text for scope in ("national", "msg", "regional")] == [
        "14th",  # the office's table does not say how many were ranked
        "2nd",
        "2nd",
    ]


def test_importing_the_same_table_again_changes_nothing(office):
    data = office_table(FIGURES["calls_999"], office.regional_group.name)
    imported(data)
    ranks = list(CallAnswerRank.objects.order_by("pk").values_list("pk", "rank"))

    again = imported(data)

    assert (again.totals["new"], again.totals["update"], again.totals["skip"]) == (0, 0, 23)
    assert list(CallAnswerRank.objects.order_by("pk").values_list("pk", "rank")) == ranks


def test_a_corrected_rank_is_a_warning_in_the_preview_and_kept_on_confirm(office):
    imported(office_table(FIGURES["calls_999"], office.regional_group.name))
    corrected = [list(row) for row in FIGURES["calls_999"]]
    corrected[-1][6] = 5  # September 2023: national 4th → 5th

    preview = imported(office_table(corrected, office.regional_group.name), dry_run=True)

    assert "Row 10: the National rank for September 2023 changes from 4th to 5th." in (
        preview.release_warnings
    )
    september = CallAnswerRank.objects.get(call_month__month=datetime.date(2023, 9, 1), scope="national")
    assert september.rank == 4  # the preview changed nothing
    imported(office_table(corrected, office.regional_group.name))
    september.refresh_from_db()
    assert september.rank == 5


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "14st",
            'Row 2, column "National ranking for % of 999 calls answered in under 10 seconds": "14st" is not '
            'a rank we can read: 14 is written "14th".',
        ),
        (
            "50th",
            'Row 2, column "National ranking for % of 999 calls answered in under 10 seconds": "50th" is past '
            "the last place: 43 are ranked.",
        ),
        (
            "first",
            'Row 2, column "National ranking for % of 999 calls answered in under 10 seconds": "first" is '
            'not a rank we can read; give a position such as "14th", "14" or "joint 2nd".',
        ),
    ],
)
def test_a_rank_that_is_not_a_place_is_refused_and_nothing_changes(office, cell, message):
    rows = [list(row) for row in FIGURES["calls_999"] if row[0] == "2023-09"]
    data = office_table(rows, office.regional_group.name).decode().replace('"4th"', f'"{cell}"', 1).encode()

    result = imported(data)

    assert problems(result) == [message]
    assert not CallAnswerMonth.objects.exists() and not CallAnswerRank.objects.exists()


def test_a_file_with_neither_a_force_column_nor_ranks_asks_for_the_force(office):
    header = "Month,Total Calls,Mean Answer Time (seconds),% 999 calls answered in under 10 seconds,% 999 calls answered in 10 to under 60 seconds,% 999 calls answered in 60 seconds and over\r\n"
    result = imported((header + '"September 2023","11,628",7.57,87.1%,12.2%,0.7%\r\n').encode())

    assert problems(result) == ['The header row (row 1) is not right. Missing column: "Force".']
    assert not CallAnswerMonth.objects.exists()


def test_an_editor_cannot_change_a_published_months_rank_by_file(office, django_user_model):
    from tests.factories import staff

    imported(office_table(FIGURES["calls_999"], office.regional_group.name))
    CallAnswerMonth.objects.update(publish_at=PUBLISHED)
    corrected = [list(row) for row in FIGURES["calls_999"]]
    corrected[-1][6] = 5  # the figures stay as they are: only a published month's rank changes

    result = CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(office_table(corrected, office.regional_group.name)),
        dry_run=False,
        file_name="police-data-page.csv",
        user=staff(django_user_model, "Editor"),
    )

    assert problems(result) == [
        "This file changes or adds figures that are already published or scheduled (Norfolk September "
        "2023: National 5th). Only a Publisher can confirm it; nothing has changed."
    ]
    assert CallAnswerRank.objects.get(call_month__month=datetime.date(2023, 9, 1), scope="national").rank == 4


def test_the_preview_shows_each_rows_ranks_as_the_file_gives_them(office):
    from performance.imports.resources import preview_text

    preview = CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(office_table(FIGURES["calls_999"], office.regional_group.name)),
        dry_run=True,
        file_name="police-data-page.csv",
        retain_instance_in_row_result=True,  # as the admin's preview does
    )

    january = next(row.instance for row in preview.rows if row.instance.month == datetime.date(2023, 1, 1))
    cells = CallAnswerMonthResource.preview_cells(january)
    assert cells[1:3] == ["January 2023", "9,933"]
    assert cells[-1] == preview_text("14th / 2nd / 2nd")
    assert not CallAnswerMonth.objects.exists()
