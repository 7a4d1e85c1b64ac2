"""The staff home (the admin's index): what is due, what waits for each role, the recent imports
and the pages grouped by task, in a number of queries that does not grow with the drafts."""

import datetime

import pytest
from django.urls import reverse
from lxml import html

from performance.calls.models import CallAnswerMonth
from performance.forces.home import home_force
from performance.imports.models import ImportLog
from performance.library.models import Document, LibraryPage
from performance.shared import calculations
from performance.site import staff_home
from tests.factories import staff
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def words(element) -> str:
    return " ".join(element.text_content().split())


def home_text(user):
    """The home's main part as a tree, and its text as a person reads it."""
    response = signed_in(user).get(reverse("admin:index"))
    assert response.status_code == 200
    main = html.fromstring(response.content).get_element_by_id("content-main")
    return main, words(main)


def headings(main, level: str) -> list[str]:
    return [words(h) for h in main.iter(level)]


def link(main, text: str) -> str:
    (found,) = [a.get("href") for a in main.iter("a") if words(a) == text]
    return found


def groups(main) -> list:
    return main.xpath(".//*[contains(@class, 'staff-home-group')]")


def test_the_month_after_wraps_the_year():
    assert calculations.month_after(datetime.date(2023, 12, 1)) == datetime.date(2024, 1, 1)
    assert calculations.month_after(datetime.date(2023, 10, 1)) == datetime.date(2023, 11, 1)


def test_the_due_999_month_is_the_month_after_the_newest_held(demo_data, django_user_model):
    force = home_force()
    newest = CallAnswerMonth.objects.filter(force=force).order_by("-month").first()
    CallAnswerMonth.objects.filter(pk=newest.pk).update(
        publish_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    publisher = staff(django_user_model, "Publisher")
    due = staff_home.calls_due(today=datetime.date(2030, 1, 1), can_publish=True)
    expected = calculations.month_after(newest.month)
    assert due.action == f"Import the 999 figures for {expected:%B %Y}"
    assert due.url == reverse("admin:performance_callanswermonth_import")
    assert f"The figures for {expected:%B %Y} are not held yet." in due.state
    _, text = home_text(publisher)
    assert "What is due" in text and "999 calls" in text


def test_a_draft_newest_month_is_to_be_published_first(demo_data):
    newest = CallAnswerMonth.objects.filter(force=home_force()).order_by("-month").first()
    CallAnswerMonth.objects.filter(pk=newest.pk).update(publish_at=None)
    due = staff_home.calls_due(today=datetime.date(2030, 1, 1), can_publish=True)
    assert due.action == f"Publish the 999 figures for {newest.month:%B %Y}"
    assert due.url == reverse("admin:performance_callanswermonth_change", args=[newest.pk])
    editor_due = staff_home.calls_due(today=datetime.date(2030, 1, 1), can_publish=False)
    assert editor_due.action.endswith("and submit them for review")


def test_a_publisher_sees_every_draft_and_the_revisions(demo_data, django_user_model):
    editor = staff(django_user_model, "Editor")
    publisher = staff(django_user_model, "Publisher")
    page = LibraryPage.objects.create(slug="draft-page", title="A draft page", summary="Draft.")
    soup, text = home_text(publisher)
    assert headings(soup, "h2")[:3] == ["What is due", "What waits for me", "My recent imports"]
    assert "A draft page (draft)" in text
    assert link(soup, "A draft page") == reverse("admin:performance_librarypage_change", args=[page.pk])
    soup, text = home_text(editor)
    assert "Your drafts" in headings(soup, "h2")
    assert "What waits for me" not in headings(soup, "h2")
    # No history says who changed it (made outside a request): the Editor sees it too.
    assert "A draft page (draft)" in text


def test_an_editor_sees_the_drafts_they_changed_not_another_editors(demo_data, django_user_model):
    editor = staff(django_user_model, "Editor")
    other = staff(django_user_model, "Editor", "other_editor")
    for user, title in ((editor, "Mine"), (other, "Theirs")):
        page = LibraryPage(slug=title.lower(), title=title, summary="Draft.")
        page._history_user = user
        page.save()
    _, text = home_text(editor)
    assert "Mine (draft)" in text
    assert "Theirs" not in text
    _, text = home_text(staff(django_user_model, "Publisher"))
    assert "Mine (draft)" in text and "Theirs (draft)" in text


def test_scheduled_content_is_listed_for_a_publisher(demo_data, django_user_model):
    Document.objects.filter(pk=Document.objects.first().pk).update(
        publish_at=datetime.datetime(2099, 1, 1, 9, tzinfo=datetime.UTC)
    )
    soup, text = home_text(staff(django_user_model, "Publisher"))
    assert "Scheduled" in headings(soup, "h3")
    assert "scheduled for 1 January 2099" in text


def test_my_recent_imports_show_the_result_and_link(demo_data, django_user_model):
    publisher = staff(django_user_model, "Publisher")
    log = ImportLog.objects.create(
        user=publisher,
        resource="999 calls",
        file_name="calls.csv",
        sha256="0" * 64,
        rows_new=3,
        rows_updated=1,
    )
    ImportLog.objects.create(resource="999 calls", file_name="someone-elses.csv", sha256="1" * 64)
    soup, text = home_text(publisher)
    assert "Imported: 3 new, 1 changed, 0 unchanged" in text
    assert "someone-elses.csv" not in text
    assert link(soup, "999 calls: calls.csv") == reverse("admin:performance_importlog_change", args=[log.pk])


def test_the_pages_are_grouped_by_task_with_the_technical_records_last_and_folded(
    demo_data, django_user_model
):
    soup, _ = home_text(staff(django_user_model, "Publisher"))
    names = [words(group.find(".//h3")) for group in groups(soup)]
    assert names[:4] == ["999 calls", "Crime and NCPM", "Document library", "Office settings"]
    assert names[-1] == "Technical records"
    technical = groups(soup)[-1]
    assert technical.tag == "details" and technical.get("open") is None
    assert "Offence counts" in words(technical)


def test_every_model_a_superuser_may_see_is_on_the_home(demo_data, django_user_model):
    from django.contrib import admin

    boss = django_user_model.objects.create_superuser(username="boss", password="unused")
    soup, _ = home_text(boss)
    hrefs = {a.get("href") for group in groups(soup) for a in group.iter("a")}
    for model in admin.site._registry:
        assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") in hrefs, model
    assert [words(group.find(".//h3")) for group in groups(soup)] == [
        "999 calls",
        "Crime and NCPM",
        "Document library",
        "Office settings",
        "Staff",
        "Technical records",
    ]


def test_the_home_reads_a_constant_number_of_queries(
    demo_data, django_user_model, django_assert_max_num_queries
):
    publisher = staff(django_user_model, "Publisher")
    client = signed_in(publisher)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("admin:index"))
    for number in range(30):
        LibraryPage.objects.create(slug=f"draft-{number}", title=f"Draft {number}", summary="Draft.")
    CallAnswerMonth.objects.update(publish_at=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("admin:index"))
    assert "All library pages drafts" in response.content.decode()


def test_once_the_newest_quarter_is_published_the_next_release_is_due_when_it_usually_comes_out(demo_data):
    from performance.crime.models.ncpm import ReportingPeriod

    newest = ReportingPeriod.objects.order_by("-period_end").first()
    ReportingPeriod.objects.filter(pk=newest.pk).update(
        publish_at=datetime.datetime(2023, 10, 19, tzinfo=datetime.UTC)
    )
    following = calculations.quarters_before(newest.period_end, -1)
    release = calculations.expected_release_month(following)
    before = staff_home.crime_due(can_publish=False, today=release - datetime.timedelta(days=1))
    assert before.done
    assert f"usually comes out in {release:%B %Y}" in before.state
    after = staff_home.crime_due(can_publish=False, today=release)
    assert (
        after.action
        == f"Import the recorded crime open data for the 12 months to {calculations.long_date(following)}"
    )
    assert after.url == reverse("admin:performance_offencecount_import")
