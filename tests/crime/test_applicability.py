"""Which national priorities apply in the area: written on the quarter's form, carried forward to
each new quarter until changed, shown with the statement and in the open data once the quarter is
published, and checked by the staff checklist."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from performance.crime.applicability import applicability_carry_forward
from performance.models import (
    CommissionerStatement,
    Measure,
    PriorityApplicability,
    PriorityArea,
    ReportingPeriod,
    RequiredItem,
)
from performance.publishing import gate as publication
from performance.shared.tables import applicability_table
from performance.site.checklist import MISSING, OK, OVERDUE, applicability_judgement, checklist
from tests.factories import PUBLISHED, staff
from tests.helpers import csv_rows, signed_in
from tests.html_tables import parse_page
from tests.test_authorization_matrix import served_form_data

JUNE, SEPTEMBER, DECEMBER = (
    datetime.date(2023, 6, 30),
    datetime.date(2023, 9, 30),
    datetime.date(2023, 12, 31),
)
CYBER = "Tackle cyber-crime"
WHY = "Cyber crime is investigated by the regional cyber crime unit, not the force."
CAPTION = "Which national priorities apply in Norfolk"
ITEM = "Which national priorities apply in the area"


def stated(period: ReportingPeriod) -> dict[str, tuple[bool, str]]:
    return {
        row.priority_area.name: (row.applies, row.reason)
        for row in period.applicability.select_related("priority_area")
    }


def cyber_does_not_apply(period: ReportingPeriod) -> None:
    PriorityApplicability.objects.filter(period=period, priority_area__name=CYBER).update(
        applies=False, reason=WHY
    )


def police_data(client) -> str:
    return client.get(reverse("performance:police-data")).content.decode()


def table_on(page: str):
    return next((table for table in parse_page(page).tables if table.caption == CAPTION), None)


# --------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------


def test_a_priority_that_does_not_apply_needs_a_reason(demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    row = PriorityApplicability.objects.get(period=june, priority_area__name=CYBER)
    row.applies, row.reason = False, "  "
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict["reason"] == [
        "Say why this priority does not apply in the area: residents are told."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        PriorityApplicability.objects.filter(pk=row.pk).update(applies=False, reason="")


def test_one_answer_per_priority_area_and_quarter(demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityApplicability.objects.create(
            period=june, priority_area=PriorityArea.objects.get(name=CYBER), applies=True
        )


def test_the_table_drops_the_why_column_when_no_row_has_a_reason():
    every = applicability_table([("Reduce Serious Violence", True, "")], area_name="Norfolk")
    assert (every.columns, every.rows) == (
        ["National priority", "Applies in Norfolk"],
        [["Reduce Serious Violence", "Yes"]],
    )
    some = applicability_table([("A", True, ""), ("B", False, "Why not.")], area_name="Norfolk")
    assert some.columns == ["National priority", "Applies in Norfolk", "Why"]
    assert some.rows == [["A", "Yes", ""], ["B", "No", "Why not."]]
    assert applicability_table([], area_name="Norfolk") is None


# --------------------------------------------------------------------------------------------
# Carried forward until changed
# --------------------------------------------------------------------------------------------


def test_a_new_quarter_starts_with_the_latest_earlier_quarters_answers_as_a_draft(demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    cyber_does_not_apply(june)

    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)

    assert september.publish_at is None
    assert stated(september) == stated(june)
    assert stated(september)[CYBER] == (False, WHY)
    assert len(stated(september)) == PriorityArea.objects.count() == 6


def test_the_copy_comes_from_the_latest_earlier_quarter_with_answers(demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    cyber_does_not_apply(september)
    march = ReportingPeriod.objects.create(period_end=datetime.date(2023, 3, 31))  # none before it
    PriorityApplicability.objects.filter(period=september).delete()  # a quarter with none is skipped

    december = ReportingPeriod.objects.create(period_end=DECEMBER)

    assert stated(march) == {}
    assert stated(december) == stated(june)


def test_a_first_quarter_has_nothing_to_carry_forward(demo_data):
    PriorityApplicability.objects.all().delete()
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    assert not september.applicability.exists()
    assert applicability_carry_forward(period=september) == []


def test_carrying_forward_keeps_what_a_quarter_already_says(demo_data):
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    cyber_does_not_apply(september)
    PriorityApplicability.objects.filter(period=september).exclude(priority_area__name=CYBER).delete()

    written = applicability_carry_forward(period=september)

    assert len(written) == 5
    assert stated(september)[CYBER] == (False, WHY)


def test_a_quarter_an_import_creates_for_an_editor_starts_with_the_answers(demo_data, editor, tmp_path):
    path = tmp_path / "ncpm-2023-09.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Measure", "12 months ending", "Latest 12 months", "Previous 12 months"])
        for measure in Measure.objects.order_by("pk"):
            writer.writerow([measure.name, "30/09/2023", "71.5" if measure.is_percent else "120", "64"])

    with publication.acting_as(editor):
        call_command("import_ncpm", str(path), stdout=io.StringIO())

    september = ReportingPeriod.objects.get(period_end=SEPTEMBER)
    assert september.publish_at is None
    assert stated(september) == stated(ReportingPeriod.objects.get(period_end=JUNE))


# --------------------------------------------------------------------------------------------
# The quarter's form
# --------------------------------------------------------------------------------------------


def applicability_formset(page):
    return next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is PriorityApplicability
    )


def test_the_form_offers_each_area_without_an_answer_and_saves_only_those_answered(
    demo_data, django_user_model
):
    PriorityApplicability.objects.all().delete()
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    client = signed_in(staff(django_user_model, "Editor"))
    url = reverse("admin:performance_reportingperiod_change", args=[september.pk])
    areas = list(PriorityArea.objects.order_by("order", "name"))

    page = client.get(url)
    offered = applicability_formset(page)
    assert [form.initial.get("priority_area") for form in offered.forms] == [area.pk for area in areas]
    assert 'aria-label="Applies in the area"' in page.content.decode()

    # Saved as served: nothing answered, nothing saved.
    assert client.post(url, {**served_form_data(page), "_continue": "Save"}).status_code == 302
    assert not september.applicability.exists()

    # "No" without a reason: refused with the reason asked for, nothing saved.
    page = client.get(url)
    data = served_form_data(page)
    cyber = next(i for i, area in enumerate(areas) if area.name == CYBER)
    prefix = applicability_formset(page).forms[cyber].prefix
    data[f"{prefix}-applies"] = "False"
    refused = client.post(url, {**data, "_continue": "Save"})
    assert refused.status_code == 200
    assert "Say why this priority does not apply in the area: residents are told." in refused.content.decode()
    assert not september.applicability.exists()

    # With the reason, and one priority that applies: those two are saved.
    data[f"{prefix}-reason"] = WHY
    data[f"{applicability_formset(page).forms[0].prefix}-applies"] = "True"
    assert client.post(url, {**data, "_continue": "Save"}).status_code == 302
    assert stated(september) == {CYBER: (False, WHY), areas[0].name: (True, "")}
    # The next time, only the areas without an answer are offered.
    again = applicability_formset(client.get(url))
    assert len(again.extra_forms) == len(areas) - 2


def test_an_editor_cannot_change_a_published_quarters_answers(demo_data, django_user_model):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    client = signed_in(staff(django_user_model, "Editor"))
    page = client.get(reverse("admin:performance_reportingperiod_change", args=[june.pk]))
    inline = next(
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is PriorityApplicability
    )
    assert inline.formset.extra_forms == []
    assert not inline.has_change_permission and not inline.has_add_permission


# --------------------------------------------------------------------------------------------
# The public pages and the open data: only once the quarter is published
# --------------------------------------------------------------------------------------------


def test_the_published_quarters_answers_are_shown_with_its_statement(client, demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    cyber_does_not_apply(june)

    for page in (police_data(client), client.get(june.get_absolute_url()).content.decode()):
        table = table_on(page)
        assert table.header == ["National priority", "Applies in Norfolk", "Why"]
        assert [CYBER, "No", WHY] in table.rows
        assert ["Reduce Serious Violence", "Yes", ""] in table.rows
        statement = page.index('class="commissioner-statement"')
        assert statement < page.index(CAPTION) < page.index("</section>", statement)


def test_a_draft_quarters_answers_are_public_only_once_it_is_published(client, demo_data, publisher):
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    june_page = police_data(client)
    cyber_does_not_apply(september)

    assert police_data(client) == june_page  # the public still reads June's
    assert client.get(september.get_absolute_url()).status_code == 404
    assert (
        csv_rows(client, reverse("performance:data-ncpm-applicability-csv"), {"period": "2023-09"})[1:] == []
    )

    CommissionerStatement.objects.create(period=september, body="<p>September.</p>")
    with publication.acting_as(publisher):
        september.publish_at = PUBLISHED
        september.save()

    assert [CYBER, "No", WHY] in table_on(police_data(client)).rows
    rows = csv_rows(client, reverse("performance:data-ncpm-applicability-csv"), {"period": "2023-09"})
    assert [rows[-1][1], rows[-1][2], rows[-1][3]] == [CYBER, "false", WHY]


def test_the_open_data_lists_each_published_quarters_answers(client, demo_data):
    june = ReportingPeriod.objects.get(period_end=JUNE)
    cyber_does_not_apply(june)
    ReportingPeriod.objects.create(period_end=SEPTEMBER)  # a draft, with answers carried forward

    rows = csv_rows(client, reverse("performance:data-ncpm-applicability-csv"))

    assert rows[0] == ["period_end", "priority_area", "applies", "reason", "last_revised"]
    expected = [
        [
            "2023-06-30",
            area.name,
            "false" if area.name == CYBER else "true",
            WHY if area.name == CYBER else "",
        ]
        for area in PriorityArea.objects.order_by("order", "name")
    ]
    assert [row[:4] for row in rows[1:]] == expected


def test_the_pages_read_the_answers_with_the_priority_areas(client, demo_data, django_assert_num_queries):
    """No query more than the page took before: the answers come with the areas (16, as
    tests/site/test_police_data_page.py guards)."""
    from performance.publishing.caching import content_version

    content_version(fresh=True)
    with django_assert_num_queries(16):
        page = police_data(client)
    assert table_on(page) is not None


# --------------------------------------------------------------------------------------------
# The staff checklist
# --------------------------------------------------------------------------------------------


def test_the_judgement_names_the_areas_not_stated():
    areas = ["Reduce Murder", "Reduce Serious Violence", "Tackle Cyber Crime"]
    assert applicability_judgement(quarter=JUNE, areas=areas, stated=set(areas)).status == OK
    late = applicability_judgement(quarter=JUNE, areas=areas, stated={"Reduce Murder"})
    assert (late.status, late.reason) == (
        OVERDUE,
        "The 12 months to 30 June 2023 do not say whether these priorities apply in the area: "
        "Reduce Serious Violence, Tackle Cyber Crime.",
    )
    assert applicability_judgement(quarter=None, areas=areas, stated=set()) == applicability_judgement(
        quarter=None, areas=[], stated=set()
    )
    assert applicability_judgement(quarter=None, areas=areas, stated=set()).status == MISSING


def checklist_row():
    return next(row for row in checklist(today=datetime.date(2023, 11, 1)) if row.item.name.startswith(ITEM))


def test_the_checklist_is_up_to_date_when_the_latest_published_quarter_answers_every_area(demo_data):
    row = checklist_row()
    assert (row.status, row.reason) == (OK, "")
    assert row.item.rule == RequiredItem.Check.NCPM_APPLICABILITY
    assert row.latest_title == "Which national priorities apply, 12 months to 30 June 2023"
    assert row.latest_url == reverse("performance:ncpm-period", args=["2023-06"])


def test_the_checklist_is_overdue_when_the_latest_published_quarter_misses_an_area(demo_data):
    PriorityApplicability.objects.filter(priority_area__name=CYBER).delete()
    row = checklist_row()
    assert (row.status, row.reason) == (
        OVERDUE,
        f"The 12 months to 30 June 2023 do not say whether this priority applies in the area: {CYBER}.",
    )


def test_a_draft_quarters_answers_do_not_count(demo_data):
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)  # a draft, with every answer
    PriorityApplicability.objects.filter(period__period_end=JUNE, priority_area__name=CYBER).delete()
    assert september.applicability.count() == 6
    assert checklist_row().status == OVERDUE


def test_the_checklist_is_missing_with_no_published_quarter(db):
    row = checklist_row()
    assert (row.status, row.reason) == (MISSING, "No NCPM quarter has been published yet.")
