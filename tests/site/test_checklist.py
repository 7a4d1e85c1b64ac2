"""The staff checklist of what the site must publish: where each item is, its newest public version,
and whether it is up to date, judged against a day passed in (never the real clock)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from performance.models import (
    CommissionerStatement,
    Document,
    DocumentCategory,
    RecordedCrimePeriod,
    ReportingPeriod,
    RequiredItem,
)
from performance.site.checklist import (
    MISSING,
    OK,
    OVERDUE,
    category_judgement,
    checklist,
    ons_releases,
    statement_judgement,
)
from tests.factories import PUBLISHED, staff
from tests.helpers import signed_in
from tests.test_authorization_matrix import served_form_data

MARCH, JUNE, SEPTEMBER = datetime.date(2023, 3, 31), datetime.date(2023, 6, 30), datetime.date(2023, 9, 30)
JUNE_RELEASED = datetime.date(2023, 10, 19)
STATEMENT_ITEM = "The Commissioner's statement on the National Crime and Policing Measures"
JUNE_OVERDUE = (
    "No statement for the 12 months to 30 June 2023, although ONS released those figures on 19 October 2023."
)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --------------------------------------------------------------------------------------------
# The judgements, from plain dates
# --------------------------------------------------------------------------------------------


def test_a_statement_is_due_on_the_release_day_and_overdue_the_day_after():
    releases = {JUNE: JUNE_RELEASED}
    on_the_day = statement_judgement(
        releases=releases, with_statement={MARCH}, refresh_days=0, today=JUNE_RELEASED
    )
    day_after = statement_judgement(
        releases=releases, with_statement={MARCH}, refresh_days=0, today=day("2023-10-20")
    )
    assert on_the_day.status == OK
    assert on_the_day.reason == "The statement for the 12 months to 30 June 2023 is due by 19 October 2023."
    assert day_after.status == OVERDUE
    assert day_after.reason == JUNE_OVERDUE


def test_days_allowed_after_the_release_move_the_boundary():
    releases = {JUNE: JUNE_RELEASED}
    last_day = statement_judgement(
        releases=releases, with_statement={MARCH}, refresh_days=14, today=day("2023-11-02")
    )
    late = statement_judgement(
        releases=releases, with_statement={MARCH}, refresh_days=14, today=day("2023-11-03")
    )
    assert last_day.status == OK
    assert late.status == OVERDUE
    assert late.reason == (
        "No statement for the 12 months to 30 June 2023, although ONS released those figures on "
        "19 October 2023 (it was due within 14 days)."
    )


def test_overdue_names_the_earliest_quarter_without_a_statement_and_counts_the_rest():
    releases = {SEPTEMBER: day("2024-01-25"), JUNE: JUNE_RELEASED, MARCH: day("2023-07-20")}
    judgement = statement_judgement(
        releases=releases, with_statement={MARCH}, refresh_days=None, today=day("2024-02-01")
    )
    assert judgement.reason == f"{JUNE_OVERDUE} 1 later quarter has none either."


def test_no_statement_at_all_and_none_due_yet_is_missing():
    judgement = statement_judgement(
        releases={JUNE: JUNE_RELEASED}, with_statement=set(), refresh_days=0, today=JUNE_RELEASED
    )
    assert judgement == statement_judgement(
        releases={}, with_statement=set(), refresh_days=0, today=JUNE_RELEASED
    )
    assert judgement.status == MISSING


def test_a_document_is_overdue_once_older_than_the_days_allowed():
    published = day("2023-01-01")
    assert (
        category_judgement(
            published_on=published, refresh_days=90, today=day("2023-04-01"), missing=""
        ).status
        == OK
    )
    late = category_judgement(published_on=published, refresh_days=90, today=day("2023-04-02"), missing="")
    assert late.status == OVERDUE
    assert late.reason == (
        "The newest was published on 1 January 2023, more than 90 days ago: a newer one was due by 1 April 2023."
    )


def test_with_no_days_set_a_document_never_goes_out_of_date():
    assert (
        category_judgement(
            published_on=day("2001-01-01"), refresh_days=None, today=day("2030-01-01"), missing=""
        ).status
        == OK
    )


def test_no_document_is_missing_with_the_reason_given():
    assert category_judgement(
        published_on=None, refresh_days=90, today=day("2023-01-01"), missing="None."
    ) == (category_judgement(published_on=None, refresh_days=None, today=day("2023-01-01"), missing="None."))
    assert (
        category_judgement(
            published_on=None, refresh_days=None, today=day("2023-01-01"), missing="None."
        ).status
        == MISSING
    )


def test_an_announced_release_counts_once_its_day_has_come():
    june = RecordedCrimePeriod(
        period_end=JUNE,
        published_on=JUNE_RELEASED,
        next_release_on=day("2024-01-25"),
        next_period_end=SEPTEMBER,
    )
    assert ons_releases([june], today=day("2024-01-24")) == {JUNE: JUNE_RELEASED}
    assert ons_releases([june], today=day("2024-01-25")) == {
        JUNE: JUNE_RELEASED,
        SEPTEMBER: day("2024-01-25"),
    }
    assert ons_releases([june], today=day("2023-10-18")) == {}


# --------------------------------------------------------------------------------------------
# The checklist, from the database (the migration's default items and categories)
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def row_for(name_starts: str, today: datetime.date):
    return next(row for row in checklist(today=today) if row.item.name.startswith(name_starts))


def quarter_with_statement(period_end: datetime.date, publish_at=PUBLISHED) -> ReportingPeriod:
    period = ReportingPeriod.objects.create(period_end=period_end, publish_at=publish_at)
    CommissionerStatement.objects.create(period=period, body="<p>The statement.</p>")
    return period


def document(slug: str, title: str, published_on: str, *, draft: bool = False) -> Document:
    """A document in category ``slug``, published at 9am on its publication day (or a draft)."""
    published_on = day(published_on)
    return Document.objects.create(
        title=title,
        file=ContentFile(b"Year,Count\n2023,1\n", name="document.csv"),
        category=DocumentCategory.objects.get(slug=slug),
        published_on=published_on,
        publish_at=None if draft else datetime.datetime.combine(published_on, datetime.time(9), datetime.UTC),
    )


@pytest.fixture
def june_released(db):
    """ONS released the 12 months to June 2023 on 19 October 2023; the March quarter has its statement."""
    RecordedCrimePeriod.objects.create(period_end=JUNE, published_on=JUNE_RELEASED, publish_at=PUBLISHED)
    return quarter_with_statement(MARCH)


def test_the_statement_is_overdue_the_day_after_the_release(june_released):
    assert row_for(STATEMENT_ITEM, JUNE_RELEASED).status == OK
    late = row_for(STATEMENT_ITEM, day("2023-10-20"))
    assert (late.status, late.reason) == (OVERDUE, JUNE_OVERDUE)
    assert late.where_url == reverse("performance:ncpm-archive")
    assert late.latest_url == reverse("performance:ncpm-period", args=["2023-03"])
    assert late.updated == PUBLISHED


def test_a_published_statement_makes_it_up_to_date(june_released):
    quarter_with_statement(JUNE)
    row = row_for(STATEMENT_ITEM, day("2023-10-20"))
    assert (row.status, row.reason) == (OK, "")
    assert row.latest_title == "The Commissioner's statement, 12 months to 30 June 2023"


def test_a_draft_quarters_statement_does_not_count(june_released):
    quarter_with_statement(JUNE, publish_at=None)
    assert row_for(STATEMENT_ITEM, day("2023-10-20")).reason == JUNE_OVERDUE


def test_a_statement_scheduled_after_the_day_does_not_count_on_it(june_released):
    quarter_with_statement(JUNE, publish_at=datetime.datetime(2023, 10, 21, 9, 0, tzinfo=datetime.UTC))
    assert row_for(STATEMENT_ITEM, day("2023-10-20")).status == OVERDUE
    assert row_for(STATEMENT_ITEM, day("2023-10-21")).status == OK


def test_the_days_allowed_are_the_items_own(june_released):
    RequiredItem.objects.filter(rule=RequiredItem.Check.NCPM_STATEMENT).update(refresh_days=14)
    assert row_for(STATEMENT_ITEM, day("2023-11-02")).status == OK
    assert row_for(STATEMENT_ITEM, day("2023-11-03")).status == OVERDUE


def test_a_release_announced_but_not_yet_imported_is_due_once_its_day_has_come(june_released):
    quarter_with_statement(JUNE)
    RecordedCrimePeriod.objects.filter(period_end=JUNE).update(
        next_release_on=day("2024-01-25"), next_period_end=SEPTEMBER
    )
    assert row_for(STATEMENT_ITEM, day("2024-01-25")).status == OK
    assert row_for(STATEMENT_ITEM, day("2024-01-26")).reason == (
        "No statement for the 12 months to 30 September 2023, although ONS released those figures on "
        "25 January 2024."
    )


def test_no_statement_yet_is_missing(db):
    row = row_for(STATEMENT_ITEM, JUNE_RELEASED)
    assert (row.status, row.latest_url, row.updated) == (MISSING, "", None)


def test_a_category_item_shows_its_newest_public_document_and_goes_overdue(db):
    document("decisions", "Decision 2022/14", "2022-12-01")
    newest = document("decisions", "Decision 2023/01", "2023-01-01")
    document("decisions", "Decision 2023/02 (draft)", "2023-01-05", draft=True)

    row = row_for("Decisions of significant public interest", day("2023-04-01"))  # refreshed every 90 days
    assert (row.status, row.latest_title, row.latest_url) == (
        OK,
        "Decision 2023/01",
        newest.get_absolute_url(),
    )
    assert row.updated == day("2023-01-01")
    assert row.where_name == "Decisions"
    assert row.where_url == reverse("performance:library-category", args=["decisions"])
    assert row_for("Decisions of significant public interest", day("2023-04-02")).status == OVERDUE


def test_a_document_dated_after_the_day_does_not_count_on_it(db):
    document("decisions", "Decision 2023/01", "2023-01-01")
    dated_later = document("decisions", "Decision 2023/09", "2023-09-01")
    Document.objects.filter(pk=dated_later.pk).update(
        publish_at=datetime.datetime(2023, 8, 1, tzinfo=datetime.UTC)
    )
    assert (
        row_for("Decisions of significant public interest", day("2023-08-31")).latest_title
        == "Decision 2023/01"
    )


def test_a_category_item_with_nothing_public_is_missing(db):
    document("complaints", "Complaints figures (draft)", "2023-01-01", draft=True)
    row = row_for("Complaints information", day("2023-04-01"))
    assert (row.status, row.reason, row.updated) == (MISSING, "Nothing public in Complaints.", None)


def test_only_documents_with_the_items_words_in_their_title_count(db):
    document("plans-and-reports", "Police and Crime Plan 2021-2024", "2021-06-01")
    document("plans-and-reports", "ANNUAL REPORT 2022/23", "2023-07-01")
    document("plans-and-reports", "Estates strategy", "2023-08-01")

    today = day("2023-09-01")
    assert row_for("The Police and Crime Plan", today).latest_title == "Police and Crime Plan 2021-2024"
    assert row_for("The annual report", today).latest_title == "ANNUAL REPORT 2022/23"  # any case
    DocumentCategory.objects.filter(slug="plans-and-reports").update(name="Plans")
    Document.objects.filter(title__startswith="Police and Crime Plan").delete()
    row = row_for("The Police and Crime Plan", today)
    assert (row.status, row.reason) == (
        MISSING,
        "Nothing public in Plans, with “Police and Crime Plan” in its title.",
    )


def test_the_checklist_takes_six_queries_however_much_is_held(june_released, django_assert_num_queries):
    for n in range(5):
        document("decisions", f"Decision {n}", f"2023-0{n + 1}-01")
        document("finance", f"Budget {n}", f"2023-0{n + 1}-01")
    quarter_with_statement(JUNE)
    RequiredItem.objects.create(name="Another", category=DocumentCategory.objects.get(slug="other"), order=99)
    # The items, their newest documents, the ONS releases, the quarters with a statement, the
    # latest published quarter and whether it says each priority area applies.
    with django_assert_num_queries(6):
        rows = checklist(today=day("2023-10-20"))
    assert len(rows) == RequiredItem.objects.count()
    found = {row.item.name: (row.status, row.latest_title) for row in rows}  # what each row found
    statement = next(name for name in found if name.startswith(STATEMENT_ITEM))
    assert found[statement] == (OK, "The Commissioner's statement, 12 months to 30 June 2023")
    assert found["Decisions of significant public interest"] == (OVERDUE, "Decision 4")
    assert found["Budget and statement of accounts"] == (OK, "Budget 4")
    assert found["Another"] == (MISSING, "")


# --------------------------------------------------------------------------------------------
# The admin page
# --------------------------------------------------------------------------------------------


def test_staff_who_may_view_the_items_see_the_checklist(client, django_user_model, june_released):
    client.force_login(staff(django_user_model, "Editor"))
    response = client.get(reverse("admin:performance_requireditem_checklist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Each publication the site must carry" in page
    assert '<th scope="col">Status</th>' in page
    assert "<strong>Missing</strong>: Nothing public in Complaints." in page
    assert '<th scope="row">The Police and Crime Plan' in page
    assert f'href="{reverse("performance:library-category", args=["complaints"])}"' in page


def test_the_list_of_items_links_to_the_checklist(client, django_user_model, db):
    client.force_login(staff(django_user_model, "Editor"))
    page = client.get(reverse("admin:performance_requireditem_changelist")).content.decode()
    assert f'href="{reverse("admin:performance_requireditem_checklist")}"' in page


def test_staff_without_the_view_permission_are_refused(client, django_user_model, db):
    client.force_login(staff(django_user_model, None))
    response = client.get(reverse("admin:performance_requireditem_checklist"))
    assert response.status_code in (302, 403)
    assert "Each publication the site must carry" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("admin:performance_requireditem_checklist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_publisher_changes_the_checklist_and_an_editor_cannot(django_user_model, db):
    """What the site must publish is the office's to decide: a Publisher edits an item (the new
    applicability item among them); an Editor may read the items but not change them."""
    item = RequiredItem.objects.get(rule=RequiredItem.Check.NCPM_APPLICABILITY)
    url = reverse("admin:performance_requireditem_change", args=[item.pk])
    publisher = signed_in(staff(django_user_model, "Publisher"))
    data = served_form_data(publisher.get(url))
    data["refresh_days"] = "14"
    assert publisher.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.refresh_days == 14

    editor = signed_in(staff(django_user_model, "Editor"))
    data["refresh_days"] = "30"
    editor.post(url, data)
    item.refresh_from_db()
    assert item.refresh_days == 14
