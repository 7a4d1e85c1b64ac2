"""Importing the Home Office's crime outcomes open data (Police Force Area tables).

Files are generated in the published layout (tests/data/make_outcomes_files.py): a cover and a
notes sheet, one sheet per financial year, several outcome types with both of their counts, the
ONS short names' quirks, and an edition's other headings. The expected rows are worked out here
from the rows the generator wrote, not by the importer's code."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from performance.crime.outcomes_import import RELEASE_NAME, release_import
from performance.models import ImportLog, ImportUpload, Offence, OutcomeCount
from tests.crime.test_recorded_crime_import import HELD_NAME, QUARTER_END
from tests.data import make_outcomes_files as files
from tests.factories import recorded_crime_forces, staff
from tests.helpers import signed_in, tasks_run_on_commit, upload
from tests.test_authorization_matrix import database_fingerprint

IMPORT_URL = reverse("admin:performance_outcomecount_import")
CONFIRM_URL = reverse("admin:performance_outcomecount_process_import")
CHANGELIST_URL = reverse("admin:performance_outcomecount_changelist")
ROWS_A_YEAR = 4 * len(files.FORCES) * len(files.OFFENCES) * len(files.OUTCOMES)


@pytest.fixture
def forces(db):
    recorded_crime_forces()


@pytest.fixture
def release(tmp_path):
    sheets = files.release_sheets()
    return {
        "sheets": sheets,
        "xlsx": files.write_xlsx(sheets, tmp_path / "crime-outcomes.xlsx"),
        "ods": files.write_ods(sheets, tmp_path / "crime-outcomes.ods"),
        "variant_csv": files.write_csv(
            files.release_sheets(variant=True)["2023_24"], tmp_path / "crime-outcomes-2023_24.csv"
        ),
    }


def imported(path, **options):
    with open(path, "rb") as opened:
        return release_import(opened, file_name=path.name, **options)


def expected_rows(rows: list[list]) -> list[tuple]:
    """The rows a sheet should give, as held: (force, quarter end, code, type, description, group,
    in quarter, earlier)."""
    expected = []
    for year, quarter, force, _, _, _, code, description, group, number, in_quarter, earlier in rows[1:]:
        years, month, day = QUARTER_END[quarter]
        quarter_end = datetime.date(int(year[:4]) + years, month, day)
        expected.append(
            (HELD_NAME[force], quarter_end, code, number, description, group, in_quarter, earlier)
        )
    return sorted(expected)


def held() -> list[tuple]:
    return sorted(
        OutcomeCount.objects.values_list(
            "force__name",
            "quarter_end",
            "offence__code",
            "outcome_type",
            "outcome_description",
            "outcome_group",
            "recorded_in_quarter",
            "recorded_earlier",
        )
    )


def test_a_workbook_is_previewed_then_imported_row_for_row(forces, release):
    preview = imported(release["xlsx"], dry_run=True)
    assert not preview.problems
    assert (preview.rows_read, preview.new, preview.outcome_types) == (
        2 * ROWS_A_YEAR,
        2 * ROWS_A_YEAR,
        [1, 3, 8, 14, 18],
    )
    assert OutcomeCount.objects.count() == 0  # a preview writes nothing

    summary = imported(release["xlsx"])
    assert summary.imported and summary.new == 2 * ROWS_A_YEAR
    assert held() == sorted(row for year in files.YEARS for row in expected_rows(release["sheets"][year]))
    log = ImportLog.objects.get()
    assert (log.resource, log.rows_new) == (RELEASE_NAME, 2 * ROWS_A_YEAR)

    again = imported(release["ods"])  # the same release as published: nothing changes
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2 * ROWS_A_YEAR)


def test_an_editions_other_headings_are_read_as_the_same_columns(forces, release):
    summary = imported(release["variant_csv"])
    assert not summary.problems
    assert held() == expected_rows(files.release_sheets(variant=True)["2023_24"])


def test_a_changed_count_replaces_the_held_one_and_a_missing_row_is_removed(forces, release, tmp_path):
    imported(release["variant_csv"])
    rows = files.release_sheets()["2023_24"]
    rows[1][10] += 5  # Norfolk, Q1, murder, charged: 5 more in the quarter
    del rows[2]
    summary = imported(files.write_csv(rows, tmp_path / "revised.csv"))
    assert (summary.changed, summary.removed) == (1, 1)
    assert held() == expected_rows(rows)


BAD_FILES = {
    "a missing column": (
        lambda rows: [row[:-1] for row in rows],
        'the header has no column "Force outcomes for offences recorded in previous quarters"',
    ),
    "a count that is not a number": (
        lambda rows: [rows[0], [*rows[1][:10], "many", rows[1][11]], *rows[2:]],
        'Row 2, column Force outcomes for offences recorded in quarter: "many" is not a whole number.',
    ),
    "an unknown force": (
        lambda rows: [rows[0], [rows[1][0], rows[1][1], "Narnia", *rows[1][3:]], *rows[2:]],
        'Row 2, column Force Name: "Narnia" is not a force we know.',
    ),
    "an outcome type that is not a number": (
        lambda rows: [rows[0], [*rows[1][:9], "one", *rows[1][10:]], *rows[2:]],
        'Row 2, column Outcome Type: "one" is not an outcome type',
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_input_is_refused_with_a_clear_problem_and_nothing_written(forces, release, tmp_path, name):
    imported(release["variant_csv"])
    spoil, problem = BAD_FILES[name]
    bad = files.write_csv(spoil(files.release_sheets()["2023_24"]), tmp_path / "bad.csv")
    before = database_fingerprint()
    summary = imported(bad)
    assert not summary.imported
    assert any(problem in line for line in summary.problems), summary.problems
    assert database_fingerprint() == before


def test_a_pdf_is_refused_as_not_a_spreadsheet(forces):
    summary = release_import(io.BytesIO(b"%PDF-1.7 not a table"), file_name="outcomes.pdf")
    assert summary.problems and "not a spreadsheet" in summary.problems[0]
    assert OutcomeCount.objects.count() == 0


# --------------------------------------------------------------------------------------------
# The admin: upload, preview, confirm, in the background
# --------------------------------------------------------------------------------------------


@pytest.fixture
def editor(db, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return staff(django_user_model, "Editor", "editor")


def test_admin_upload_preview_and_confirm(forces, release, editor):
    client = signed_in(editor)
    changelist = client.get(CHANGELIST_URL)
    assert changelist.status_code == 200 and IMPORT_URL in changelist.content.decode()
    assert "Import crime outcomes open data" in client.get(IMPORT_URL).content.decode()

    preview = upload(client, IMPORT_URL, release["ods"], follow=True)
    page = preview.content.decode()
    assert "Preview of crime-outcomes.ods" in page
    assert f"Outcome counts: {2 * ROWS_A_YEAR:,} new, 0 changed, 0 unchanged, 0 removed." in page
    assert OutcomeCount.objects.count() == 0
    token = {field.html_name: field.value() for field in preview.context["confirm_form"]}
    assert ImportUpload.objects.get().preview_fingerprint

    with tasks_run_on_commit():
        confirmed = client.post(CONFIRM_URL, token)
    assert confirmed.status_code == 302 and confirmed.url.startswith(IMPORT_URL)
    result = client.get(confirmed.url).content.decode()
    assert f"Imported crime-outcomes.ods: {2 * ROWS_A_YEAR:,} new, 0 changed" in result
    assert held() == sorted(row for year in files.YEARS for row in expected_rows(release["sheets"][year]))
    assert ImportLog.objects.get().user == editor


def test_admin_preview_of_a_bad_file_offers_no_confirm_and_writes_nothing(forces, editor):
    rows = files.release_sheets()["2023_24"]
    rows[1][2] = "Narnia"
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    preview = upload(signed_in(editor), IMPORT_URL, data.getvalue(), "bad.csv", follow=True)
    page = preview.content.decode()
    assert "bad.csv was not imported" in page and "Narnia" in page
    assert preview.context.get("confirm_form") is None
    assert not OutcomeCount.objects.exists() and not Offence.objects.exists()
    assert not ImportUpload.objects.exists()  # a refused file is forgotten


COLUMNS_URL = reverse("admin:performance_outcomecount_import_columns")


def test_a_heading_not_known_is_chosen_by_staff_and_remembered(forces, editor):
    """Given an edition heading Outcome Type as "Outcome Code", the preview asks which column
    holds the outcome type; the answer reads the file again, and is remembered for the next file."""
    rows = files.release_sheets()["2023_24"]
    rows[0][9] = "Outcome Code"
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    client = signed_in(editor)

    asked = upload(client, IMPORT_URL, data.getvalue(), "renamed.csv", follow=True)
    form = asked.context["column_form"]
    assert form is not None and list(form.fields) == ["token", "column_outcome_type"]
    assert "Which column holds the outcome type?" in asked.content.decode()
    assert not OutcomeCount.objects.exists()

    wrong = client.post(COLUMNS_URL, {"token": form["token"].value(), "column_outcome_type": ""})
    assert wrong.status_code == 200 and "Choose the column that holds" in wrong.content.decode()

    with tasks_run_on_commit():
        chosen = client.post(
            COLUMNS_URL, {"token": form["token"].value(), "column_outcome_type": "Outcome Code"}
        )
    assert chosen.status_code == 302
    preview = client.get(chosen.url)
    assert preview.context["confirm_form"] is not None
    assert f"Outcome counts: {ROWS_A_YEAR:,} new" in preview.content.decode()

    again = upload(client, IMPORT_URL, data.getvalue(), "renamed-again.csv", follow=True)
    assert again.context["confirm_form"] is not None and again.context["column_form"] is None


def test_the_column_choice_of_another_sign_in_is_refused(forces, editor, django_user_model):
    rows = files.release_sheets()["2023_24"]
    rows[0][9] = "Outcome Code"
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    asked = upload(signed_in(editor), IMPORT_URL, data.getvalue(), "renamed.csv", follow=True)
    token = asked.context["column_form"]["token"].value()
    other = signed_in(staff(django_user_model, "Editor", "other"))
    before = database_fingerprint()
    response = other.post(COLUMNS_URL, {"token": token, "column_outcome_type": "Outcome Code"})
    assert response.status_code == 400
    assert database_fingerprint() == before
