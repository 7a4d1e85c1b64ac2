"""Importing the Home Office's police recorded crime open data (Police Force Area tables).

Files are generated in the published layout (tests/data/make_recorded_crime_files.py): a cover and
a notes sheet, one sheet per financial year (one from before burglary's 2017 renaming), fraud rows
for Action Fraud, CIFAS and UK Finance, and the ONS short names' quirks. The expected counts are
worked out here from the rows the generator wrote, not by the importer's code."""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.crime import recorded_crime
from performance.crime.recorded_crime import RELEASE_NAME, recorded_crime_imported, release_import
from performance.imports.spreadsheets import MAX_FILE_BYTES
from performance.models import Force, ImportLog, ImportUpload, Offence, OffenceCount
from tests.data import make_recorded_crime_files as files
from tests.factories import recorded_crime_forces, staff
from tests.helpers import signed_in, tasks_run_on_commit, upload
from tests.test_authorization_matrix import database_fingerprint

IMPORT_URL = reverse("admin:performance_offencecount_import")
CONFIRM_URL = reverse("admin:performance_offencecount_process_import")
CHANGELIST_URL = reverse("admin:performance_offencecount_changelist")
# The Force Name cells of the generated files, as the forces are held.
HELD_NAME = {
    "Norfolk ": "Norfolk",
    "Suffolk": "Suffolk",
    "London, City of": "City of London",
    "Devon & Cornwall": "Devon and Cornwall",
    "British Transport Police": "British Transport Police",
}
QUARTER_END = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}


@pytest.fixture
def forces(db):
    recorded_crime_forces()


@pytest.fixture
def release(tmp_path):
    """The release as published (cover, notes, 2016-17, 2023_24, 2024_25), written three ways."""
    sheets = files.release_sheets()
    return {
        "sheets": sheets,
        "xlsx": files.write_xlsx(sheets, tmp_path / "recorded-crime.xlsx"),
        "ods": files.write_ods(sheets, tmp_path / "recorded-crime.ods"),
        "csv": files.write_csv(sheets["2024_25"], tmp_path / "recorded-crime-2024_25.csv"),
    }


def imported(path, **options):
    with open(path, "rb") as opened:
        return release_import(opened, file_name=path.name, **options)


def imported_bytes(data: bytes, name: str, **options):
    return release_import(io.BytesIO(data), file_name=name, **options)


def held(**filters) -> list[tuple]:
    return sorted(
        OffenceCount.objects.filter(**filters).values_list(
            "force__name",
            "quarter_end",
            "offence__code",
            "offence__description",
            "offence__group",
            "offence__subgroup",
            "count",
        )
    )


def quarter_end(year: str, quarter: int) -> datetime.date:
    years, month, day = QUARTER_END[quarter]
    return datetime.date(int(year[:4]) + years, month, day)


def expected_rows(rows: list[list]) -> list[tuple]:
    """What a year's rows should become, worked out from the rows themselves."""
    header, *data = rows
    column = {name: index for index, name in enumerate(header)}
    expected = []
    for row in data:
        name = row[column["Force Name"]]
        if name not in HELD_NAME:
            continue  # the fraud reporting bodies
        expected.append(
            (
                HELD_NAME[name],
                quarter_end(row[column["Financial Year"]], row[column["Financial Quarter"]]),
                row[column["Offence Code"]],
                row[column["Offence Description"]],
                row[column["Offence Group"]],
                row[column["Offence Subgroup"]],
                row[column["Number of Offences"]],
            )
        )
    return sorted(expected)


def year_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    files.csv.writer(out).writerows(rows)
    return out.getvalue().encode()


# --------------------------------------------------------------------------------------------
# What a good file imports
# --------------------------------------------------------------------------------------------


def test_xlsx_ods_and_csv_import_identically(forces, release):
    summary = imported(release["xlsx"])
    assert summary.problems == [] and summary.imported
    from_xlsx = held()
    OffenceCount.objects.all().delete()
    Offence.objects.all().delete()

    assert imported(release["ods"]).imported
    assert held() == from_xlsx
    OffenceCount.objects.all().delete()

    assert imported(release["csv"]).imported
    april_2024_on = datetime.date(2024, 4, 1)
    assert held() == [row for row in from_xlsx if row[1] >= april_2024_on]


def test_every_count_is_the_published_row_and_quarters_sum_as_the_rows_do(forces, release):
    sheets = release["sheets"]
    summary = imported(release["ods"])

    assert held() == sorted(row for year in files.YEARS for row in expected_rows(sheets[year]))
    # 2024/25 Q2 (July to September 2024), summed by force from the rows the generator wrote.
    sums = defaultdict(int)
    for row in sheets["2024_25"][1:]:
        if row[1] == 2 and row[2] in HELD_NAME:
            sums[HELD_NAME[row[2]]] += row[7]
    held_sums = defaultdict(int)
    for name, count in OffenceCount.objects.filter(quarter_end=datetime.date(2024, 9, 30)).values_list(
        "force__name", "count"
    ):
        held_sums[name] += count
    assert held_sums == sums
    assert summary.quarter_ends[0] == datetime.date(2016, 6, 30)
    assert summary.quarter_ends[-1] == datetime.date(2025, 3, 31)
    assert summary.quarters_text == "2016/17 Q1 (April to June 2016) to 2024/25 Q4 (January to March 2025)"


def test_fraud_reporting_bodies_are_skipped_and_counted(forces, release):
    summary = imported(release["xlsx"])

    per_body = 3 * 4  # one row a quarter in each of the three years
    assert summary.skipped == {"Action Fraud": per_body, "CIFAS": per_body, "UK Finance": per_body}
    assert summary.skipped_text == (
        "Skipped 36 rows that are not police forces: Action Fraud (12), CIFAS (12), UK Finance (12)."
    )
    assert summary.rows_read == 3 * 4 * (5 * 8 + 3)
    assert not Offence.objects.filter(code=files.FRAUD[0]).exists()
    log = ImportLog.objects.get()
    assert log.resource == RELEASE_NAME and summary.skipped_text in log.warnings


def test_british_transport_police_is_stored_as_its_special_force(forces, release):
    imported(release["xlsx"])

    btp = OffenceCount.objects.filter(force__name="British Transport Police")
    assert btp.count() == 3 * 4 * 8
    assert {count.force.kind for count in btp.select_related("force")} == {Force.Kind.SPECIAL}


def test_burglary_keeps_the_subgroup_each_year_was_published_under(forces, release):
    imported(release["xlsx"])

    burglary = Offence.objects.filter(code="28A").order_by("subgroup")
    assert [offence.subgroup for offence in burglary] == ["Domestic burglary", "Residential burglary"]
    before_2017 = OffenceCount.objects.filter(quarter_end=datetime.date(2016, 6, 30), offence__code="28A")
    assert {count.offence.subgroup for count in before_2017} == {"Domestic burglary"}
    after = OffenceCount.objects.filter(quarter_end=datetime.date(2024, 6, 30), offence__code="28A")
    assert {count.offence.subgroup for count in after} == {"Residential burglary"}


def test_a_later_release_replaces_the_counts_of_every_quarter_it_covers(forces, release, tmp_path):
    first = imported(release["xlsx"])
    assert (first.new, first.changed, first.unchanged, first.removed) == (3 * 4 * 5 * 8, 0, 0, 0)
    older_years = held(quarter_end__lt=datetime.date(2024, 4, 1))

    # The next release revises 2024/25 (other counts) and no longer has theft from the person.
    revised_offences = [offence for offence in files.OFFENCES if offence[0] != "39"]
    revised = files.year_rows("2024_25", offences=revised_offences, seed=2)
    summary = imported_bytes(year_csv(revised), "revised.csv")

    assert summary.imported
    assert held(quarter_end__gte=datetime.date(2024, 4, 1)) == expected_rows(revised)
    assert held(quarter_end__lt=datetime.date(2024, 4, 1)) == older_years
    rows = 4 * 5 * 7
    assert summary.removed == 4 * 5  # theft from the person, each force and quarter
    assert summary.new == 0 and summary.changed + summary.unchanged == rows
    assert summary.changed > rows / 2


def test_importing_the_same_file_again_changes_nothing(forces, release):
    imported(release["xlsx"])
    before = database_fingerprint()

    again = imported(release["ods"], dry_run=True)

    assert (again.new, again.changed, again.removed) == (0, 0, 0)
    assert again.unchanged == 3 * 4 * 5 * 8
    assert database_fingerprint() == before


def test_a_confirmed_import_sends_the_signal_with_its_quarters_and_user(forces, release, django_user_model):
    user = django_user_model.objects.create_user(username="importer", password="x", is_staff=True)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["quarter_ends"], kwargs["user"]))

    recorded_crime_imported.connect(receiver)
    try:
        imported(release["csv"], dry_run=True)
        assert received == []
        imported(release["csv"], user=user)
    finally:
        recorded_crime_imported.disconnect(receiver)
    quarters = {datetime.date(2024, 6, 30), datetime.date(2024, 9, 30), datetime.date(2024, 12, 31)}
    assert received == [(None, quarters | {datetime.date(2025, 3, 31)}, user)]


def test_the_write_makes_no_query_per_row(forces):
    def queries_for(years):
        OffenceCount.objects.all().delete()
        rows = [files.HEADER] + [row for year in years for row in files.year_rows(year)[1:]]
        with CaptureQueriesContext(connection) as queries:
            assert imported_bytes(year_csv(rows), "years.csv").imported
        return len(queries), OffenceCount.objects.count()

    one_year, rows = queries_for(["2024_25"])
    three_years, more_rows = queries_for(["2016-17", "2023_24", "2024_25"])

    assert more_rows == 3 * rows
    assert three_years - one_year <= more_rows // recorded_crime.BATCH_SIZE + 1


# --------------------------------------------------------------------------------------------
# Files refused whole: every problem, and nothing changed
# --------------------------------------------------------------------------------------------

CSV_HEADER = ",".join(files.HEADER)
MURDER = "Murder,Violence against the person,Homicide,1"


def bad_workbook(tmp_path, change) -> bytes:
    sheets = files.release_sheets(years=["2024_25"])
    change(sheets)
    return files.write_xlsx(sheets, tmp_path / "bad.xlsx").read_bytes()


def without_count_column(sheets):
    sheets["2024_25"] = [row[:-1] for row in sheets["2024_25"]]


def with_text_count(sheets):
    sheets["2024_25"][2][7] = "12a"


def only_cover_and_notes(sheets):
    del sheets["2024_25"]


def with_a_numeric_code(sheets):
    sheets["2024_25"][2][6] = 4.1  # a cell that showed "4.10" or "4.1": a number cannot say which


def with_a_combined_code(sheets):
    sheets["2024_25"][2][6] = "1/4.1/4.10/4.2"  # as some copies carry homicide


BAD_CSV = {
    "unknown force": (
        f"{CSV_HEADER}\r\n2024/25,1,Narnia,{MURDER},3\r\n",
        'Row 2, column Force Name: "Narnia" is not a force we know. Check the spelling, or add the '
        "name as an alias of the force in the admin.",
    ),
    "bad quarter": (
        f"{CSV_HEADER}\r\n2024/25,5,Norfolk,{MURDER},3\r\n",
        'Row 2, column Financial Quarter: "5" is not a financial quarter: it must be 1, 2, 3 or 4.',
    ),
    "bad year": (
        f"{CSV_HEADER}\r\n2024/26,1,Norfolk,{MURDER},3\r\n",
        'Row 2, column Financial Year: "2024/26" is not a financial year; give it as published, e.g. "2024/25".',
    ),
    "no code": (
        f"{CSV_HEADER}\r\n2024/25,1,Norfolk,Murder,Violence against the person,Homicide,,3\r\n",
        "Row 2, column Offence Code: the cell is empty; every row needs its Offence Code.",
    ),
    "duplicate row": (
        f"{CSV_HEADER}\r\n2024/25,1,Norfolk,{MURDER},3\r\n2024/25,1,Norfolk ,{MURDER},4\r\n",
        "Row 3: Norfolk, 2024/25 quarter 1, offence 1 (Murder) is given twice: first at row 2. "
        "Each force, quarter and offence has one row.",
    ),
}


@pytest.mark.parametrize("case", BAD_CSV, ids=str)
def test_a_csv_with_a_bad_row_is_refused_whole(forces, release, case):
    imported(release["xlsx"])
    before = database_fingerprint()
    content, message = BAD_CSV[case]
    good_row = f"2024/25,2,Suffolk,{MURDER},7\r\n"

    summary = imported_bytes((content + good_row).encode(), "bad.csv")

    assert summary.problems == [message]
    assert not summary.imported
    assert database_fingerprint() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            with_text_count,
            'Sheet 2024_25, row 3, column Number of Offences: "12a" is not a whole number.',
        ),
        (
            without_count_column,
            'Sheet 2024_25, row 1: the header has no column "Number of Offences". Each year\'s sheet '
            "needs every column of the published table.",
        ),
        (
            only_cover_and_notes,
            "The workbook has no financial-year sheets: none is named like 2024_25 or has the header "
            "Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group, "
            'Offence Subgroup, Offence Code, Number of Offences. Its sheets are: "Cover sheet", "Notes".',
        ),
        (
            with_a_numeric_code,
            'Sheet 2024_25, row 3, column Offence Code: "4.1" is a number, not text, so a code such '
            "as 4.10 would read as 4.1: give the Offence Code as text.",
        ),
        (
            with_a_combined_code,
            'Sheet 2024_25, row 3, column Offence Code: "1/4.1/4.10/4.2" combines several offence '
            "codes in one; its count cannot be split between them: give each code its own row, as "
            "the Home Office publishes them.",
        ),
    ],
    ids=["text in the count", "missing column", "no year sheets", "numeric code", "combined code"],
)
def test_a_workbook_with_a_problem_is_refused_whole(forces, release, tmp_path, change, message):
    imported(release["xlsx"])
    before = database_fingerprint()

    summary = imported_bytes(bad_workbook(tmp_path, change), "bad.xlsx")

    assert summary.problems == [message]
    assert database_fingerprint() == before


@pytest.mark.parametrize("writer", [files.write_xlsx, files.write_ods], ids=["xlsx", "ods"])
def test_offence_codes_stay_text_so_4_10_is_not_4_1(forces, tmp_path, writer):
    homicide = [
        ("4.1", "Manslaughter", "Violence against the person", "Homicide"),
        ("4.10", "Corporate manslaughter", "Violence against the person", "Homicide"),
    ]
    sheets = files.release_sheets(years=["2024_25"], offences=homicide)

    summary = imported(writer(sheets, tmp_path / f"homicide.{writer.__name__[-4:]}"))

    assert summary.imported, summary.problems
    assert sorted(Offence.objects.values_list("code", "description")) == [
        ("4.1", "Manslaughter"),
        ("4.10", "Corporate manslaughter"),
    ]
    assert held() == expected_rows(sheets["2024_25"])


def test_every_problem_is_listed_up_to_the_limit_then_counted(forces):
    rows = "".join(f"2024/25,1,Norfolk,{MURDER},{n}x\r\n" for n in range(60))
    summary = imported_bytes(f"{CSV_HEADER}\r\n{rows}".encode(), "bad.csv")
    assert len(summary.problems) == 51
    assert summary.problems[0] == 'Row 2, column Number of Offences: "0x" is not a whole number.'
    assert summary.problems[-1] == "… and 10 more problems."


def test_a_file_that_is_not_a_spreadsheet_is_refused(forces):
    before = database_fingerprint()
    summary = imported_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n", "release.pdf")
    assert summary.problems == [
        "This is not a spreadsheet. Upload the release as published (.ods), saved as Excel (.xlsx), "
        "or one year's sheet saved as CSV."
    ]
    assert database_fingerprint() == before


def test_a_file_over_100_mb_is_refused_before_it_is_read(forces, tmp_path):
    big = tmp_path / "big.ods"
    with big.open("wb") as out:
        out.truncate(100 * 1024 * 1024 + 1)  # sparse: no 100 MB written
    before = database_fingerprint()
    summary = imported(big)
    assert summary.problems == [
        "The file is 104,857,601 bytes, over the 100 MB (104,857,600 bytes) limit. Remove anything "
        "that is not part of the release and try again."
    ]
    assert database_fingerprint() == before
    assert MAX_FILE_BYTES == 5 * 1024 * 1024  # the other releases keep their 5 MB


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_the_command_dry_run_previews_and_writes_nothing(forces, release):
    before = database_fingerprint()
    out = io.StringIO()

    call_command("import_recorded_crime", str(release["xlsx"]), "--dry-run", stdout=out)

    assert database_fingerprint() == before
    text = out.getvalue()
    assert (
        f"Would import recorded-crime.xlsx ({RELEASE_NAME}): 480 new, 0 changed, 0 unchanged, 0 removed."
        in text
    )
    assert "Skipped 36 rows that are not police forces" in text
    assert "Forces: 5." in text

    call_command("import_recorded_crime", str(release["xlsx"]), stdout=out)
    assert OffenceCount.objects.count() == 480
    assert ImportLog.objects.get().user is None


def test_the_command_refuses_a_bad_file_listing_every_problem(forces, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{CSV_HEADER}\r\n2024/25,7,Narnia,{MURDER},x\r\n")
    before = database_fingerprint()
    with pytest.raises(CommandError) as refused:
        call_command("import_recorded_crime", str(bad))
    assert str(refused.value).splitlines() == [
        "The file was not imported; nothing has changed.",
        '- Row 2, column Force Name: "Narnia" is not a force we know. Check the spelling, or add the '
        "name as an alias of the force in the admin.",
        '- Row 2, column Financial Quarter: "7" is not a financial quarter: it must be 1, 2, 3 or 4.',
        '- Row 2, column Number of Offences: "x" is not a whole number.',
    ]
    assert database_fingerprint() == before


# --------------------------------------------------------------------------------------------
# The admin: upload, preview, confirm
# --------------------------------------------------------------------------------------------


@pytest.fixture
def editor(db, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return staff(django_user_model, "Editor", "editor")


def confirm(client, token: dict):
    """Confirm as the preview's button does, its import run in the background (here at once)."""
    with tasks_run_on_commit():
        return client.post(CONFIRM_URL, token)


def confirm_fields(preview) -> dict:
    return {field.html_name: field.value() for field in preview.context["confirm_form"]}


def said(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_admin_upload_preview_and_confirm(forces, release, editor):
    client = signed_in(editor)
    changelist = client.get(CHANGELIST_URL)
    assert changelist.status_code == 200 and IMPORT_URL in changelist.content.decode()

    preview = upload(client, IMPORT_URL, release["ods"], follow=True)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Preview of recorded-crime.ods" in page
    assert "Counts: 480 new, 0 changed, 0 unchanged, 0 removed." in page
    assert "Skipped 36 rows that are not police forces" in page
    assert OffenceCount.objects.count() == 0  # a preview writes nothing
    token = confirm_fields(preview)
    stored = ImportUpload.objects.get()
    assert stored.file and not stored.data and default_storage.exists(stored.file.name)
    assert stored.preview_fingerprint  # what the confirm must find held

    confirmed = confirm(client, token)
    assert confirmed.status_code == 302 and confirmed.url.startswith(IMPORT_URL)
    result = client.get(confirmed.url).content.decode()
    assert "Imported recorded-crime.ods: 480 new, 0 changed, 0 unchanged, 0 removed." in result
    assert held() == sorted(row for year in files.YEARS for row in expected_rows(release["sheets"][year]))
    log = ImportLog.objects.get()
    assert (log.user, log.rows_new, log.resource) == (editor, 480, RELEASE_NAME)
    assert reverse("admin:performance_importlog_change", args=[log.pk]) in result
    stored.refresh_from_db()
    assert stored.confirmed_at is not None and stored.import_log == log
    assert not default_storage.exists(stored.file.name)  # the file goes once imported

    before = database_fingerprint()
    again = confirm(client, token)
    assert again.status_code == 302 and again.url == confirmed.url  # to the import it made
    level, message = said(again)[-1]
    assert level == "warning" and re.match(
        r"recorded-crime.ods was already imported on .* by editor", message
    )
    assert database_fingerprint() == before


def test_admin_preview_lists_every_problem_and_offers_no_confirm(forces, editor):
    client = signed_in(editor)
    response = upload(
        client,
        IMPORT_URL,
        f"{CSV_HEADER}\r\n2024/25,1,Narnia,{MURDER},3\r\n".encode(),
        "bad.csv",
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["confirm_form"] is None
    page = response.content.decode()
    assert "bad.csv was not imported" in page and "is not a force we know" in page
    assert not ImportUpload.objects.exists()  # a refused file is not kept


def test_admin_refuses_an_upload_over_this_releases_limit(forces, editor, monkeypatch):
    monkeypatch.setattr(recorded_crime, "MAX_FILE_BYTES", 1024 * 1024)
    response = upload(signed_in(editor), IMPORT_URL, b"x" * (1024 * 1024 + 1), "big.csv", follow=True)
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "The file is 1,048,577 bytes, over the 1 MB (1,048,576 bytes) limit. Remove anything that is "
        "not part of the release and try again."
    ]
    assert not ImportUpload.objects.exists()


def test_admin_confirm_refuses_a_foreign_or_unknown_token(forces, release, editor, django_user_model):
    token = confirm_fields(upload(signed_in(editor), IMPORT_URL, release["csv"], follow=True))
    attempts = (
        (signed_in(staff(django_user_model, "Publisher", "publisher")), token),
        (signed_in(editor), token),  # the same user in another sign-in
        (signed_in(editor), {"token": "made-up"}),
        (signed_in(editor), {**token, "file_name": "other.csv"}),
    )
    before = database_fingerprint()

    for client, data in attempts:
        response = confirm(client, data)
        assert response.status_code == 400
    assert database_fingerprint() == before


def test_admin_confirm_is_refused_if_the_held_counts_changed_since_the_preview(forces, release, editor):
    client = signed_in(editor)
    token = confirm_fields(upload(client, IMPORT_URL, release["csv"], follow=True))
    revised = files.year_rows("2024_25", seed=3)
    assert imported_bytes(year_csv(revised), "someone-elses.csv").imported  # after the preview
    before = database_fingerprint()

    response = confirm(client, token)

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "recorded-crime-2024_25.csv was not imported" in page
    assert f"Nothing was imported: {recorded_crime.PREVIEW_OUTDATED}" in page
    assert database_fingerprint() == before


def test_staff_without_the_import_permission_cannot_import(forces, release, django_user_model):
    viewer = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    client = signed_in(viewer)
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, IMPORT_URL, release["csv"], follow=True).status_code == 403
    assert not ImportUpload.objects.exists()


def test_a_release_day_entered_at_the_preview_is_recorded_with_the_import(forces, release, editor):
    client = signed_in(editor)

    asked = upload(client, IMPORT_URL, release["csv"], follow=True)
    assert "The file does not say when it was published. Enter the day" in asked.content.decode()
    preview = upload(client, IMPORT_URL, release["csv"], published_on="24/07/2025", follow=True)
    assert "Release: published 24 July 2025 (as entered)." in preview.content.decode()
    confirm(client, confirm_fields(preview))

    assert ImportLog.objects.get().release_published_on == datetime.date(2025, 7, 24)


def test_the_command_takes_the_release_day_when_the_file_does_not_say(forces, release):
    out = io.StringIO()
    call_command("import_recorded_crime", str(release["csv"]), "--published-on", "2025-07-24", stdout=out)

    assert "Release: published 24 July 2025 (as entered)." in out.getvalue()
    assert ImportLog.objects.get().release_published_on == datetime.date(2025, 7, 24)
