"""A file whose needed column is headed in a way the import does not know: the preview asks
which of the file's columns holds it, remembers the answer for the next file with the same
headings (stored, editable in the admin, with its history), and the command line takes the
same choice as ``--map``."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from performance.models import CallAnswerMonth, ColumnMapping, ImportUpload
from tests.factories import staff
from tests.helpers import signed_in, upload

IMPORT = "admin:performance_callanswermonth_import"
COLUMNS = "admin:performance_callanswermonth_import_columns"
CONFIRM = "admin:performance_callanswermonth_process_import"
HEADER = (
    "Force,Month,Calls offered,Mean answer time (seconds),% of calls answered in under 10 seconds,"
    "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over,Region\r\n"
)
OCTOBER = HEADER + "Norfolk,2023-10,11000,7.2,87.0,12.4,0.6,East\r\n"
NOVEMBER = HEADER + "Norfolk,2023-11,10500,7.4,86.0,13.3,0.7,East\r\n"


@pytest.fixture
def publisher_client(demo_data, django_user_model) -> Client:
    return signed_in(staff(django_user_model, "Publisher"))


def uploaded(client: Client, text: str, name="999-october.csv"):
    """The 999 import page's answer to ``text`` uploaded as a CSV file."""
    return upload(client, reverse(IMPORT), text, name, format="0")


def choose(client: Client, asked, **choices):
    form = asked.context["column_form"]
    data = {"token": form["token"].value(), **{f"column_{key}": value for key, value in choices.items()}}
    return client.post(reverse(COLUMNS), data)


def held_months() -> set:
    return set(CallAnswerMonth.objects.filter(force__name="Norfolk").values_list("month", flat=True))


def test_the_preview_asks_which_column_holds_a_needed_column_it_cannot_find(publisher_client):
    before = held_months()

    asked = uploaded(publisher_client, OCTOBER)

    form = asked.context["column_form"]
    assert list(form.fields) == ["token", "column_total_calls"]
    assert form.fields["column_total_calls"].label == "Which column holds the total calls?"
    assert [value for value, _ in form.fields["column_total_calls"].choices] == [
        "",
        "Calls offered",
        "Region",
    ]
    assert asked.context.get("confirm_form") is None
    assert b"Which column holds the total calls?" in asked.content
    assert held_months() == before and not ColumnMapping.objects.exists()


def test_the_choice_previews_the_file_then_confirms_and_is_remembered_with_its_author(publisher_client):
    asked = uploaded(publisher_client, OCTOBER)

    preview = choose(publisher_client, asked, total_calls="Calls offered")

    assert preview.status_code == 200
    assert preview.context["preview_rows"][0][1][:3] == ["Norfolk", "October 2023", "11,000"]
    assert 'Column "Calls offered" is read as "Total calls"' in preview.context["result"].release_warnings[0]
    remembered = ColumnMapping.objects.get()
    assert remembered.choices == {"total_calls": "Calls offered"}
    assert remembered.headings[:3] == ["Force", "Month", "Calls offered"]
    assert remembered.updated_by.username == "publisher"
    assert remembered.history.get().history_user.username == "publisher"  # audited
    assert ImportUpload.objects.filter(preview_fingerprint="").count() == 0  # the step's copy is gone

    token = preview.context["confirm_form"]["token"].value()
    publisher_client.post(reverse(CONFIRM), {"token": token})
    assert CallAnswerMonth.objects.get(force__name="Norfolk", month="2023-10-01").total_calls == 11000


def test_the_next_file_with_the_same_headings_previews_without_asking(publisher_client):
    choose(publisher_client, uploaded(publisher_client, OCTOBER), total_calls="Calls offered")

    preview = uploaded(publisher_client, NOVEMBER, name="999-november.csv")

    assert preview.context.get("column_form") is None
    assert preview.context["preview_rows"][0][1][:3] == ["Norfolk", "November 2023", "10,500"]
    warning = preview.context["result"].release_warnings[0]
    assert warning.startswith('Column "Calls offered" is read as "Total calls", as chosen by publisher on ')
    assert warning.endswith(" for files with these headings.")


def test_a_file_with_other_headings_is_asked_about_afresh(publisher_client):
    choose(publisher_client, uploaded(publisher_client, OCTOBER), total_calls="Calls offered")

    asked = uploaded(publisher_client, OCTOBER.replace(",Region", ",Area"))

    assert asked.context["column_form"] is not None


@pytest.mark.parametrize(
    ("choice", "problem"),
    [
        ("", 'Choose the column that holds "Total calls".'),
        ("Not in the file", 'Choose one of the file\'s columns for "Total calls".'),
    ],
)
def test_a_choice_that_is_not_one_of_the_files_columns_is_asked_again(publisher_client, choice, problem):
    asked = uploaded(publisher_client, OCTOBER)

    again = choose(publisher_client, asked, total_calls=choice)

    assert again.context["column_form"].errors["column_total_calls"] == [problem]
    assert not ColumnMapping.objects.exists()
    assert again.context.get("confirm_form") is None


def test_one_column_of_the_file_cannot_hold_two_needed_columns(publisher_client):
    asked = uploaded(publisher_client, OCTOBER.replace("Month,", "Period of time,"))
    assert set(asked.context["column_form"].fields) == {"token", "column_month", "column_total_calls"}

    again = choose(publisher_client, asked, month="Calls offered", total_calls="Calls offered")

    assert again.context["column_form"].non_field_errors() == [
        '"Calls offered" is chosen for more than one column; each of the file\'s columns holds one thing.'
    ]
    assert not ColumnMapping.objects.exists()


def test_another_users_file_cannot_be_given_columns(publisher_client, django_user_model):
    asked = uploaded(publisher_client, OCTOBER)
    other = signed_in(staff(django_user_model, "Publisher", "another"))

    response = choose(other, asked, total_calls="Calls offered")

    assert response.status_code == 400
    assert not ColumnMapping.objects.exists()


def test_the_column_choice_steps_token_never_confirms_an_import(publisher_client):
    asked = uploaded(publisher_client, OCTOBER)
    before = held_months()

    publisher_client.post(reverse(CONFIRM), {"token": asked.context["column_form"]["token"].value()})

    assert held_months() == before


def test_a_remembered_choice_can_be_corrected_in_the_admin_with_its_history(publisher_client):
    choose(publisher_client, uploaded(publisher_client, OCTOBER), total_calls="Calls offered")
    remembered = ColumnMapping.objects.get()
    url = reverse("admin:performance_columnmapping_change", args=[remembered.pk])

    page = publisher_client.get(url)
    assert page.status_code == 200
    assert page.context["adminform"].form.fields["column_total_calls"].initial == "Calls offered"
    publisher_client.post(url, {"column_total_calls": "", "column_median_answer_seconds": "Region"})

    remembered.refresh_from_db()
    assert remembered.choices == {"median_answer_seconds": "Region"}
    assert remembered.history.count() == 2
    assert publisher_client.get(reverse("admin:performance_columnmapping_add")).status_code == 403


def test_the_command_line_takes_the_same_choice_as_map(demo_data, tmp_path):
    path = tmp_path / "999-october.csv"
    path.write_text(OCTOBER)

    with pytest.raises(CommandError) as refused:
        call_command("import_999", str(path), stdout=io.StringIO())
    assert 'say which: --map "Total calls=HEADING"' in str(refused.value)

    out = io.StringIO()
    call_command("import_999", str(path), "--map", "Total calls=Calls offered", stdout=out)
    assert 'Column "Calls offered" is read as "Total calls", as chosen for this import.' in out.getvalue()
    assert CallAnswerMonth.objects.get(force__name="Norfolk", month="2023-10-01").total_calls == 11000
    assert not ColumnMapping.objects.exists()  # for that import only


@pytest.mark.parametrize(
    ("choice", "problem"),
    [
        ("Total calls=Calls made", 'The file has no column headed "Calls made" to read as chosen.'),
        ("Totl calls=Calls offered", '"Totl calls" is not a column this import reads'),
        ("Total calls", '"Total calls" is not a column choice; write it as "Total calls=Calls presented".'),
    ],
)
def test_a_map_that_does_not_fit_the_file_is_refused_and_nothing_changes(
    demo_data, tmp_path, choice, problem
):
    path = tmp_path / "999-october.csv"
    path.write_text(OCTOBER)
    before = held_months()

    with pytest.raises(CommandError) as refused:
        call_command("import_999", str(path), "--map", choice, stdout=io.StringIO())

    assert problem in str(refused.value)
    assert held_months() == before
