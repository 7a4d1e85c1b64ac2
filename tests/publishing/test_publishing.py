"""Safe publishing: drafts stay private, Publishers publish (now or at a set time), Editors
prepare; every change has history; a second editor cannot overwrite the first unseen."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import CallAnswerMonth, MeasureFigure, PriorityAreaCommentary, ReportingPeriod
from tests.helpers import status_and_heading
from tests.html_tables import parse_page

SEPTEMBER = datetime.date(2023, 9, 30)


@pytest.fixture
def draft_quarter(demo_data):
    """A new NCPM quarter (to September 2023) prepared as a draft, with figures and commentary."""
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    september = ReportingPeriod.objects.create(period_end=SEPTEMBER)
    for figure in june.figures.all():
        MeasureFigure.objects.create(
            period=september, measure=figure.measure, latest=figure.latest + 1, previous=figure.previous
        )
    PriorityAreaCommentary.objects.create(
        period=september, priority_area=june.commentaries.first().priority_area, body="Draft comment."
    )
    return september


def police_data(client, **params) -> str:
    return client.get(reverse("performance:police-data"), params).content.decode()


def test_a_draft_is_not_public(client, draft_quarter):
    assert "12 months to 30 September 2023" not in police_data(client)
    assert client.get(reverse("performance:ncpm-period", args=["2023-09"])).status_code == 404
    assert (
        reverse("performance:ncpm-period", args=["2023-09"])
        not in client.get(reverse("performance:ncpm-archive")).content.decode()
    )
    assert "2023-09-30" not in client.get(reverse("performance:data-ncpm-csv")).content.decode()


def test_staff_preview_shows_drafts_marked_as_a_preview(client, draft_quarter, editor):
    client.force_login(editor)
    assert "12 months to 30 September 2023" not in police_data(client)  # staff see the public page …
    page = police_data(client, preview="1")  # … unless they ask for the preview
    assert "for the 12 months to 30 September 2023" in page
    assert "Draft comment." in page
    assert "This page includes drafts and scheduled content" in page


def test_preview_is_for_staff_only(client, draft_quarter):
    page = police_data(client, preview="1")
    assert "12 months to 30 September 2023" not in page
    assert "This page includes drafts" not in page


def test_scheduled_content_goes_public_at_its_time_without_anyone_acting(client, draft_quarter):
    release = timezone.now() + datetime.timedelta(hours=2)
    draft_quarter.publish_at = release
    draft_quarter.save()
    assert "30 September 2023" not in police_data(client)

    with mock.patch("django.utils.timezone.now", return_value=release + datetime.timedelta(seconds=1)):
        page = police_data(client)
    assert "for the 12 months to 30 September 2023" in page
    assert "Draft comment." in page  # figures and commentary go with their quarter


def test_a_publisher_publishes_a_quarter_with_its_figures_and_commentary_in_one_action(
    client, draft_quarter, publisher
):
    client.force_login(publisher)
    response = client.post(
        reverse("admin:performance_reportingperiod_changelist"),
        {
            "action": "publish_now",
            "_selected_action": [draft_quarter.pk],
            "post": "yes",
            "publication_reason": "Statement to follow.",  # the quarter has none yet
        },
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("performance:ncpm-period", args=["2023-09"])).content.decode()
    homicide = next(t for t in parse_page(page).tables if t.caption.endswith("Reduce Murder and Homicide"))
    assert homicide.row("Homicide (all offences)")[1] == "3"
    assert "Draft comment." in page


def test_an_editor_cannot_publish(client, draft_quarter, editor):
    client.force_login(editor)
    changelist = client.get(reverse("admin:performance_reportingperiod_changelist")).content.decode()
    assert "publish_now" not in changelist
    response = client.post(
        reverse("admin:performance_reportingperiod_changelist"),
        {"action": "publish_now", "_selected_action": [draft_quarter.pk]},
    )
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None
    assert response.status_code in (200, 302)
    form = client.get(reverse("admin:performance_reportingperiod_change", args=[draft_quarter.pk]))
    assert "publish_at" not in form.context["adminform"].form.fields  # shown, not editable


def test_an_editor_edits_drafts_but_not_published_content(client, draft_quarter, editor):
    client.force_login(editor)
    published = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    draft_comment = draft_quarter.commentaries.get()
    published_comment = published.commentaries.first()

    def edit(comment):
        url = reverse("admin:performance_priorityareacommentary_change", args=[comment.pk])
        return client.post(
            url,
            {
                "period": comment.period_id,
                "priority_area": comment.priority_area_id,
                "body": "Edited.",
                "seen_version": comment.version,
            },
        )

    assert edit(draft_comment).status_code == 302
    assert edit(published_comment).status_code == 403
    published_comment.refresh_from_db()
    assert published_comment.body != "Edited."


def test_a_second_save_over_unseen_changes_is_refused(client, demo_data, publisher):
    client.force_login(publisher)
    channel = demo_data_channel()
    url = reverse("admin:performance_reportingchannel_change", args=[channel.pk])
    opened_version = channel.version
    form = {
        "name": channel.name,
        "contact": channel.contact,
        "link_text": channel.link_text,
        "description": channel.description,
        "caveat": channel.caveat,
        "order": channel.order,
    }
    first = client.post(url, {**form, "description": "First editor's words.", "seen_version": opened_version})
    assert first.status_code == 302
    second = client.post(
        url, {**form, "description": "Second editor's words.", "seen_version": opened_version}
    )
    assert second.status_code == 200
    assert "Someone else saved this since you opened it" in second.content.decode()
    channel.refresh_from_db()
    assert channel.description == "First editor's words."


def demo_data_channel():
    from performance.models import ReportingChannel

    return ReportingChannel.objects.get(is_emergency=False, caveat="")


def test_every_change_is_in_the_history_with_who_made_it_and_can_be_reverted(client, demo_data, publisher):
    client.force_login(publisher)
    channel = demo_data_channel()
    before = channel.description
    url = reverse("admin:performance_reportingchannel_change", args=[channel.pk])
    client.post(
        url,
        {
            "name": channel.name,
            "contact": channel.contact,
            "link_text": channel.link_text,
            "description": "Changed by mistake.",
            "caveat": channel.caveat,
            "order": channel.order,
            "seen_version": channel.version,
        },
    )
    latest = channel.history.first()
    assert (latest.description, latest.history_user, latest.history_type) == (
        "Changed by mistake.",
        publisher,
        "~",
    )
    history_page = client.get(reverse("admin:performance_reportingchannel_history", args=[channel.pk]))
    assert history_page.status_code == 200 and "Changed by mistake." in history_page.content.decode()

    earlier = channel.history.filter(description=before).first()
    revert_url = reverse(
        "admin:performance_reportingchannel_simple_history", args=[channel.pk, earlier.history_id]
    )
    form = client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}  # the form exactly as served
    assert client.post(revert_url, {k: v for k, v in data.items() if v is not None}).status_code == 302
    channel.refresh_from_db()
    assert channel.description == before


def test_imports_leave_history_rows_with_the_importer(demo_data, publisher):
    from performance.calls.resources import CallAnswerMonthResource
    from performance.imports.resources import SpreadsheetFormat

    data = (
        b"Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
        b"% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
        b"Norfolk,Sep-23,11700,7.5,87.0,12.3,0.7\r\nNorfolk,Oct-23,11000,7.2,87.0,12.4,0.6\r\n"
    )
    result = CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=False, file_name="999.csv", user=publisher
    )
    assert not result.has_errors()
    september = CallAnswerMonth.objects.get(force__name="Norfolk", month=datetime.date(2023, 9, 1))
    october = CallAnswerMonth.objects.get(force__name="Norfolk", month=datetime.date(2023, 10, 1))
    assert (september.history.first().history_type, september.history.first().history_user) == (
        "~",
        publisher,
    )
    assert (october.history.get().history_type, october.history.get().history_user) == ("+", publisher)
    assert october.publish_at is None  # imported figures arrive as drafts
    assert september.version == 1  # a later admin form opened before the import is refused


def test_an_editors_import_cannot_change_published_figures(demo_data, editor):
    from performance.calls.resources import CallAnswerMonthResource
    from performance.imports.resources import SpreadsheetFormat

    data = (
        b"Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
        b"% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
        b"Norfolk,Sep-23,11700,7.5,87.0,12.3,0.7\r\n"
    )
    result = CallAnswerMonthResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=False, file_name="999.csv", user=editor
    )
    assert [str(error.error) for error in result.base_errors] == [
        "This file changes or adds figures that are already published or scheduled (Norfolk September 2023). "
        "Only a Publisher can confirm it; nothing has changed."
    ]
    assert (
        CallAnswerMonth.objects.get(force__name="Norfolk", month=datetime.date(2023, 9, 1)).total_calls
        == 11628
    )


SERVED = {  # the page's heading, and the name of the table it imports into or exports from
    "admin:performance_callanswermonth_import": ("Import", "999 call months"),
    "admin:performance_callanswermonth_export": ("Export", "999 call months"),
    "admin:performance_recordedcrimefigure_import": ("Import", "ONS recorded crime figures"),
    "admin:performance_measurefigure_import": ("Import", "Measure figures"),
}


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:performance_callanswermonth_import",
        "admin:performance_callanswermonth_export",
        "admin:performance_recordedcrimefigure_import",
        "admin:performance_measurefigure_import",
        "admin:performance_measurefigure_import_template",
    ],
)
def test_import_and_export_need_their_own_permission(client, django_user_model, editor, url_name):
    url = reverse(url_name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("admin:login"))  # to sign in
    viewer = django_user_model.objects.create_user(username="viewer", password="unused", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="performance", codename__regex=r"^(view|change)_")
    )
    client.force_login(viewer)
    refused = client.get(url)  # changing rows is not importing or exporting
    assert status_and_heading(refused) == (403, "403 Forbidden")
    client.force_login(editor)
    served = client.get(url)
    assert served.status_code == 200
    if url_name.endswith("_template"):  # the example file, to fill in
        assert served["Content-Type"] == "text/csv; charset=utf-8"
        assert served.content.decode("utf-8-sig").startswith("Measure,12 months ending,Latest 12 months,")
    else:  # the page, under its table's name in the breadcrumbs
        heading, table = SERVED[url_name]
        assert status_and_heading(served) == (200, heading)
        changelist = reverse(url_name.rsplit("_", 1)[0] + "_changelist")
        assert f'<a href="{changelist}">{table}</a>' in served.content.decode()


# --------------------------------------------------------------------------------------------
# Checks before publishing, and publishing again
# --------------------------------------------------------------------------------------------

JUNE = datetime.date(2023, 6, 30)
CHANGELIST = "admin:performance_reportingperiod_changelist"


def publish_action(client, period, **confirmation):
    data = {"action": "publish_now", "_selected_action": [period.pk]}
    if confirmation:
        data.update(post="yes", **confirmation)
    return client.post(reverse(CHANGELIST), data)


def test_publishing_a_quarter_with_something_missing_first_shows_what_with_links_to_fix(
    client, draft_quarter, publisher
):
    client.force_login(publisher)
    response = publish_action(client, draft_quarter)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check before publishing" in page
    assert "There is no Commissioner&#x27;s statement for this quarter." in page
    change = reverse("admin:performance_reportingperiod_change", args=[draft_quarter.pk])
    assert f'href="{change}#statement-group"' in page
    assert 'name="publication_reason"' in page
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None


def test_going_on_without_a_reason_publishes_nothing(client, draft_quarter, publisher):
    client.force_login(publisher)
    history_rows = draft_quarter.history.count()
    response = publish_action(client, draft_quarter, publication_reason="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None
    assert draft_quarter.history.count() == history_rows


def test_going_on_with_a_reason_publishes_and_the_history_keeps_the_reason(client, draft_quarter, publisher):
    client.force_login(publisher)
    response = publish_action(client, draft_quarter, publication_reason="Statement to follow on 26/10.")
    assert response.status_code == 302
    draft_quarter.refresh_from_db()
    assert draft_quarter.is_published
    latest = draft_quarter.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == ("Statement to follow on 26/10.", publisher)
    shown = [str(message) for message in response.wsgi_request._messages]
    assert shown == ["1 published. Reason kept in the history: “Statement to follow on 26/10.”."]


def test_content_with_nothing_to_check_is_published_straight_away(client, demo_data, publisher):
    from performance.models import LibraryPage

    page = LibraryPage.objects.create(slug="new", title="New page", summary="A page.")
    client.force_login(publisher)
    response = client.post(
        reverse("admin:performance_librarypage_changelist"),
        {"action": "publish_now", "_selected_action": [page.pk]},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.is_published


@pytest.fixture
def june_revised(demo_data):
    """The published June 2023 quarter (with its statement) with one recomputed figure waiting."""
    from performance.models import MeasureFigureRevision

    june = ReportingPeriod.objects.get(period_end=JUNE)
    figure = june.figures.select_related("measure").get(measure__name="Grievous Bodily Harm")
    MeasureFigureRevision.objects.create(
        period=june,
        measure=figure.measure,
        before_latest=figure.latest,
        before_previous=figure.previous,
        before_baseline=figure.baseline,
        latest=figure.latest + 100,
        previous=figure.previous,
        baseline=figure.baseline,
    )
    return june


def test_publishing_again_applies_the_revisions_and_keeps_the_first_published_time(
    client, june_revised, publisher
):
    first_published = june_revised.publish_at
    client.force_login(publisher)
    response = publish_action(
        client, june_revised, publication_reason="ONS revised GBH.", statement_still_true="on"
    )
    assert response.status_code == 302
    june_revised.refresh_from_db()
    assert june_revised.publish_at == first_published
    assert not june_revised.revisions.pending().exists()
    figure = june_revised.figures.get(measure__name="Grievous Bodily Harm")
    assert figure.revisions_applied[-1]["applied_on"] == timezone.localdate().isoformat()
    shown = [str(message) for message in response.wsgi_request._messages]
    assert shown == [
        "Applied 1 revised figure to 12 months to 30 June 2023; first published 19/10/2023 09:30 kept. "
        "Reason kept in the history: “ONS revised GBH.”."
    ]


def test_revisions_to_a_quarter_with_a_statement_ask_that_it_still_reads_true(
    client, june_revised, publisher
):
    client.force_login(publisher)
    page = publish_action(client, june_revised).content.decode()
    assert "The statement still reads true with these revised figures" in page
    assert june_revised.statement.body in page
    assert "Grievous Bodily Harm: most recent 12 months from" in page
    statement = reverse("admin:performance_commissionerstatement_change", args=[june_revised.statement.pk])
    assert f'href="{statement}"' in page

    response = publish_action(client, june_revised, publication_reason="ONS revised GBH.")
    assert response.status_code == 200
    assert "tick this box if it still reads true, or edit it first" in response.content.decode()
    assert june_revised.revisions.pending().count() == 1  # nothing applied


def served_form(context) -> dict:
    """The change form's fields, and its inlines', as served."""
    forms = [context["adminform"].form]
    data = {}
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(key): value for key, value in management.initial.items()})
        forms += formset.formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_setting_published_from_on_a_draft_goes_through_the_checks(client, draft_quarter, publisher):
    client.force_login(publisher)
    change_url = reverse("admin:performance_reportingperiod_change", args=[draft_quarter.pk])
    data = served_form(client.get(change_url).context)
    data.update(publish_at_0="20/10/2023", publish_at_1="09:30:00", _save="Save")
    response = client.post(change_url, data)
    publish_url = reverse("admin:performance_reportingperiod_publish", args=[draft_quarter.pk])
    assert response.status_code == 302 and response.url.startswith(publish_url)
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None  # still a draft until the checks are seen

    page = client.get(response.url).content.decode()
    assert "There is no Commissioner&#x27;s statement for this quarter." in page
    assert client.post(publish_url, {"publish_at": "2023-10-20T09:30:00+01:00"}).status_code == 200
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None
    client.post(publish_url, {"publish_at": "2023-10-20T09:30:00+01:00", "publication_reason": "Late."})
    draft_quarter.refresh_from_db()
    assert timezone.localtime(draft_quarter.publish_at).strftime("%d/%m/%Y %H:%M") == "20/10/2023 09:30"
    assert draft_quarter.history.latest("history_date").history_change_reason == "Late."


def test_only_a_publisher_may_open_the_publish_page(client, draft_quarter, editor):
    client.force_login(editor)
    url = reverse("admin:performance_reportingperiod_publish", args=[draft_quarter.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"publication_reason": "Trying."}).status_code == 403
    draft_quarter.refresh_from_db()
    assert draft_quarter.publish_at is None
