"""The publication gate on the paths that slipped past it: history revert, add views under a
published parent, imports adding to published periods, content with no draft state, documents
dated in the future, and saves that race each other; the rule's stored half (a published row made
to look like a draft in memory), and a registry that names every content model."""

import datetime
import hashlib
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models.signals import pre_save
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from performance.calls.resources import CallAnswerMonthResource
from performance.crime.resources import MeasureFigureResource, RecordedCrimeFigureResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import (
    CallAnswerMonth,
    Document,
    DocumentCategory,
    ImportLog,
    LibraryPage,
    MeasureFigure,
    PageSection,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingChannel,
    ReportingPeriod,
    SiteSettings,
    StaleEdit,
)
from performance.publishing import gate as publication
from tests.factories import staff
from tests.helpers import signed_in
from tests.test_authorization_matrix import database_fingerprint, served_form_data

JUNE_2023 = datetime.date(2023, 6, 30)


@pytest.fixture
def viewer(django_user_model, db):
    user = staff(django_user_model, None, "viewer")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="performance", codename__startswith="view_")
    )
    return user


def admin_url(obj, view: str, *args) -> str:
    return reverse(f"admin:performance_{obj._meta.model_name}_{view}", args=args)


def revert_url(obj, history_row) -> str:
    return admin_url(obj, "simple_history", obj.pk, history_row.history_id)


def post_as_served(client: Client, url: str, served_by: Client | None = None):
    """Post a form back exactly as it was served (to ``served_by``, by default the poster)."""
    served = (served_by or client).get(url)
    return client.post(url, served_form_data(served))


# --------------------------------------------------------------------------------------------
# 1. History revert
# --------------------------------------------------------------------------------------------


def test_view_only_staff_cannot_overwrite_published_content_by_reverting(demo_data, viewer, publisher):
    page = LibraryPage.objects.get(template=LibraryPage.Template.POLICE_DATA)
    earliest = page.history.order_by("history_id").first()
    page.title = "Police Data (revised)"
    page.save()
    month = CallAnswerMonth.objects.filter(publish_at__isnull=False).first()
    month.total_calls += 1
    month.save()
    as_viewer, as_publisher = signed_in(viewer), signed_in(publisher)
    before = database_fingerprint()
    for obj, first in ((page, earliest), (month, month.history.order_by("history_id").first())):
        response = post_as_served(as_viewer, revert_url(obj, first), served_by=as_publisher)
        assert response.status_code == 403
    assert database_fingerprint() == before


def test_an_editor_cannot_publish_or_withdraw_a_quarter_by_reverting(demo_data, editor, publisher):
    quarter = ReportingPeriod.objects.get(period_end=JUNE_2023)
    published_version = quarter.history.order_by("-history_id").first()
    quarter.publish_at = None  # withdrawn by a Publisher
    quarter.save()
    withdrawn_version = quarter.history.order_by("-history_id").first()
    quarter.publish_at = published_version.publish_at  # and published again
    quarter.save()

    as_editor, as_publisher = signed_in(editor), signed_in(publisher)
    # Back to the withdrawn version (withdrawing it) and, once withdrawn, to the published one.
    response = post_as_served(as_editor, revert_url(quarter, withdrawn_version), as_publisher)
    assert response.status_code == 403
    quarter.refresh_from_db()
    assert quarter.publish_at == published_version.publish_at

    quarter.publish_at = None
    quarter.save()
    before = database_fingerprint()
    response = post_as_served(as_editor, revert_url(quarter, published_version), as_publisher)
    assert response.status_code == 403
    assert database_fingerprint() == before


def test_a_revert_posted_exactly_as_served_succeeds(demo_data, editor):
    quarter = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))
    area = PriorityArea.objects.first()
    commentary = quarter.commentaries.create(priority_area=area, body="First words.")
    commentary.body = "Second words."
    commentary.save()
    first = commentary.history.order_by("history_id").first()

    response = post_as_served(signed_in(editor), revert_url(commentary, first))

    assert response.status_code == 302
    commentary.refresh_from_db()
    assert (commentary.body, commentary.version) == ("First words.", 2)


# --------------------------------------------------------------------------------------------
# 2. Add views look at the parent
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (PageSection, lambda: {"page": police_data_page().pk, "slot": "ons", "body": "Unreviewed."}),
        (
            MeasureFigure,
            lambda: {"period": june().pk, "measure": unused_measure().pk, "latest": 1, "previous": 1},
        ),
        (
            RecordedCrimeFigure,
            lambda: {
                "period": RecordedCrimePeriod.objects.first().pk,
                "force": force_without_ons_figure().pk,
                "total": 1,
            },
        ),
    ],
    ids=["section-on-published-page", "figure-in-published-quarter", "ons-figure-in-published-period"],
)
def test_an_editor_cannot_add_to_published_content(demo_data, editor, model, data):
    as_editor, form = signed_in(editor), data()
    before = database_fingerprint()
    response = as_editor.post(reverse(f"admin:performance_{model._meta.model_name}_add"), form)
    assert response.status_code == 200  # the form again: a published parent is not a choice
    assert "Select a valid choice" in response.content.decode()
    assert database_fingerprint() == before


def test_an_editor_cannot_add_commentary_inline_to_a_published_quarter(demo_data, editor, publisher):
    quarter = june()
    url = admin_url(quarter, "change", quarter.pk)
    as_editor = signed_in(editor)
    data = served_form_data(signed_in(publisher).get(url))
    prefix = "commentaries"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    area = PriorityArea.objects.exclude(commentaries__period=quarter).first()
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": total + 1,
            f"{prefix}-{total}-priority_area": area.pk,
            f"{prefix}-{total}-body": "Unreviewed.",
        }
    )
    before = database_fingerprint()
    assert as_editor.post(url, data).status_code == 403
    assert database_fingerprint() == before


# --------------------------------------------------------------------------------------------
# 3. Imports adding rows to published periods
# --------------------------------------------------------------------------------------------


def imported(resource_class, data: bytes, user):
    return resource_class().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=False, file_name="release.csv", user=user
    )


def refusal(result) -> list[str]:
    return [str(error.error) for error in result.base_errors]


def test_an_editors_ncpm_import_cannot_add_a_measure_to_a_published_quarter(demo_data, editor):
    measure = unused_measure()
    before = database_fingerprint()
    result = imported(
        MeasureFigureResource,
        f"Measure,12 months ending,Latest 12 months,Previous 12 months\r\n{measure.name},30/06/2023,5,4\r\n".encode(),
        editor,
    )
    assert refusal(result) == [
        f"This file changes or adds figures that are already published or scheduled ({measure.name}, "
        "12 months to 30 June 2023). Only a Publisher can confirm it; nothing has changed."
    ]
    assert database_fingerprint() == before


def test_an_editors_ons_import_cannot_add_a_force_to_a_published_period(demo_data, editor):
    period = RecordedCrimePeriod.objects.filter(publish_at__isnull=False).first()
    force = force_without_ons_figure(period)
    before = database_fingerprint()
    result = imported(RecordedCrimeFigureResource, ons_file(period, force), editor)
    assert refusal(result) == [
        f"This file changes or adds figures that are already published or scheduled ({force.name}, {period}). "
        "Only a Publisher can confirm it; nothing has changed."
    ]
    assert database_fingerprint() == before


def test_a_publisher_adds_to_a_published_period(demo_data, publisher):
    period = RecordedCrimePeriod.objects.filter(publish_at__isnull=False).first()
    force = force_without_ons_figure(period)
    result = imported(RecordedCrimeFigureResource, ons_file(period, force), publisher)
    assert not result.has_errors()
    assert RecordedCrimeFigure.objects.get(period=period, force=force).total == 51234


# --------------------------------------------------------------------------------------------
# Rollback after writing: a refusal that comes once rows are written leaves nothing behind
# --------------------------------------------------------------------------------------------


def whole_database() -> str:
    """Every table, import previews and sessions excepted."""
    return hashlib.sha256(database_fingerprint().encode()).hexdigest()


@pytest.mark.parametrize("release", ["999", "ons", "ncpm"])
def test_a_refusal_after_rows_are_written_rolls_back_every_table(demo_data, editor, release):
    """The file's first rows are new drafts (written); its last row changes a published figure,
    which the publication check refuses only after every row is written."""
    norfolk = SiteSettings.objects.get().home_force
    if release == "999":
        published = CallAnswerMonth.objects.filter(force=norfolk, publish_at__isnull=False).latest("month")
        resource_class, data = (
            CallAnswerMonthResource,
            (
                "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
                "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
                "Norfolk,2031-01,11000,7.5,88.0,11.0,1.0\r\n".replace("2031-01", "2024-11")
                + "Norfolk,2024-12,11000,7.5,88.0,11.0,1.0\r\n"
                + f"Norfolk,{published.month:%Y-%m},{published.total_calls + 5},7.5,88.0,11.0,1.0\r\n"
            ).encode(),
        )
    elif release == "ons":
        period = RecordedCrimePeriod.objects.filter(publish_at__isnull=False).first()
        resource_class, data = RecordedCrimeFigureResource, ons_file(period, force_without_ons_figure(period))
    else:
        draft = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))
        assert draft.publish_at is None
        resource_class, data = (
            MeasureFigureResource,
            (
                "Measure,12 months ending,Latest 12 months,Previous 12 months\r\n"
                f"{unused_measure().name},30/09/2023,5,4\r\n{unused_measure().name},31/12/2023,5,4\r\n"
                f"{unused_measure().name},30/06/2023,5,4\r\n"
            ).encode(),
        )
    logs = ImportLog.objects.count()
    before = whole_database()

    result = imported(resource_class, data, editor)

    assert "Only a Publisher can confirm it; nothing has changed." in refusal(result)[0]
    assert whole_database() == before
    assert ImportLog.objects.count() == logs


# --------------------------------------------------------------------------------------------
# 6. Content with no draft state, and documents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "get_object",
    [
        lambda: SiteSettings.objects.get(),
        lambda: ReportingChannel.objects.first(),
        lambda: PriorityArea.objects.first(),
        lambda: unused_measure(),
    ],
    ids=["site-settings", "reporting-channel", "priority-area", "measure"],
)
def test_content_the_public_sees_at_once_is_changed_by_publishers_only(
    demo_data, editor, publisher, get_object
):
    obj = get_object()
    url = admin_url(obj, "change", obj.pk)
    as_editor, as_publisher = signed_in(editor), signed_in(publisher)
    data = served_form_data(as_publisher.get(url))
    before = database_fingerprint()
    assert as_editor.post(url, data).status_code == 403
    assert database_fingerprint() == before
    assert as_publisher.post(url, data).status_code == 302
    assert database_fingerprint() != before


def test_a_document_is_public_only_once_published_and_its_date_has_come(
    client, demo_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    draft = Document.objects.create(
        title="Draft decision",
        file=ContentFile(b"%PDF-1.4\n", name="draft.pdf"),
        published_on=today,
        category=DocumentCategory.objects.get(slug="other"),
    )
    future = Document.objects.create(
        title="Next month's report",
        file=ContentFile(b"%PDF-1.4\n", name="next.pdf"),
        published_on=today + datetime.timedelta(days=30),
        publish_at=timezone.now() - datetime.timedelta(hours=1),
        category=DocumentCategory.objects.get(slug="other"),
    )
    library = client.get(reverse("performance:library")).content.decode()
    assert "Draft decision" not in library and "Next month&#x27;s report" not in library
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    later = Document.objects.published(timezone.now() + datetime.timedelta(days=31))
    assert list(later.filter(pk__in=[draft.pk, future.pk])) == [future]


# --------------------------------------------------------------------------------------------
# 7. One-at-a-time editing that holds
# --------------------------------------------------------------------------------------------


def test_a_stale_inline_cannot_overwrite_a_figure_saved_on_its_own_page(demo_data, publisher):
    quarter = june()
    as_publisher = signed_in(publisher)
    stale_quarter_form = served_form_data(as_publisher.get(admin_url(quarter, "change", quarter.pk)))
    figure = quarter.figures.first()
    figure_url = admin_url(figure, "change", figure.pk)
    figure_form = served_form_data(as_publisher.get(figure_url))
    assert as_publisher.post(figure_url, {**figure_form, "latest": "999"}).status_code == 302

    response = as_publisher.post(admin_url(quarter, "change", quarter.pk), stale_quarter_form)

    assert response.status_code == 200
    assert "Someone else saved this since you opened it" in response.content.decode()
    figure.refresh_from_db()
    assert figure.latest == 999


def test_two_copies_of_one_row_cannot_both_be_saved(demo_data):
    """The check and the write are one UPDATE: the second copy's save writes nothing."""
    pk = ReportingChannel.objects.first().pk
    first, second = ReportingChannel.objects.get(pk=pk), ReportingChannel.objects.get(pk=pk)
    first.description = "First."
    first.save()
    second.description = "Second."
    with pytest.raises(StaleEdit), transaction.atomic():
        second.save()
    stored = ReportingChannel.objects.get(pk=pk)
    assert (stored.description, stored.version, second.version) == (
        "First.",
        first.version,
        first.version - 1,
    )


def test_a_save_racing_another_gets_the_message_not_an_error_page(demo_data, publisher):
    """Another save lands between this form's check and its write (here in the same transaction,
    so it is rolled back with the refused save): the editor is told, nothing is written."""
    channel = ReportingChannel.objects.first()
    original = channel.description
    url = admin_url(channel, "change", channel.pk)
    client = signed_in(publisher)
    data = {**served_form_data(client.get(url)), "description": "Mine."}

    def someone_else_saves(sender, instance, **kwargs):
        if instance.pk == channel.pk and instance.description == "Mine.":
            ReportingChannel.objects.filter(pk=channel.pk).update(
                description="Theirs.", version=instance.version
            )

    pre_save.connect(someone_else_saves, sender=ReportingChannel)
    try:
        response = client.post(url, data, follow=True)
    finally:
        pre_save.disconnect(someone_else_saves, sender=ReportingChannel)
    assert response.status_code == 200
    assert "Someone else saved this since you opened it" in response.content.decode()
    channel.refresh_from_db()
    assert channel.description == original  # nothing of this save was written


@pytest.mark.postgresql  # simultaneous writers
@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_saves_of_one_record_exactly_one_wins(django_user_model):
    channel = ReportingChannel.objects.create(name="101", contact="101", description="Non-emergencies.")
    channel.description = "Revised."
    channel.save()
    may_change = Permission.objects.filter(
        codename__in=["view_reportingchannel", "change_reportingchannel", "publish_reportingchannel"]
    )
    users = []
    for number in range(30):
        user = django_user_model.objects.create_user(username=f"publisher{number}", is_staff=True)
        user.user_permissions.set(may_change)
        users.append(user)
    url = reverse("admin:performance_reportingchannel_change", args=[channel.pk])
    forms = []
    for user in users:
        client = signed_in(user)
        forms.append((client, served_form_data(client.get(url))))
    start = threading.Barrier(len(forms))
    outcomes = []

    def save(client, data, number):
        try:
            start.wait()
            response = client.post(url, {**data, "description": f"Saved by {number}."}, follow=True)
            outcomes.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(c, d, n)) for n, (c, d) in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    channel.refresh_from_db()
    refused = [body for status, body in outcomes if "Someone else saved this since you opened it" in body]
    assert [status for status, _ in outcomes] == [200] * 30
    assert (len(refused), channel.version) == (29, 2)
    assert channel.history.count() == 3  # created, revised once before the race, saved once in it


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def june() -> ReportingPeriod:
    return ReportingPeriod.objects.get(period_end=JUNE_2023)


def police_data_page() -> LibraryPage:
    return LibraryPage.objects.get(template=LibraryPage.Template.POLICE_DATA)


def unused_measure():
    """A measure with no figures yet (a new measure definition)."""
    from performance.models import Measure

    return Measure.objects.get_or_create(
        name="Knife crime", defaults={"priority_area": PriorityArea.objects.first(), "order": 99}
    )[0]


def force_without_ons_figure(period=None):
    from performance.models import Force

    period = period or RecordedCrimePeriod.objects.first()
    return (
        Force.objects.filter(ons_code__startswith="E23")
        .exclude(recorded_crime__period=period)
        .order_by("name")
        .first()
    )


def ons_file(period, force) -> bytes:
    return (
        f"Table P1: Police recorded crime by police force area, year ending {period.period_end:%B %Y}\r\n"
        "Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        f"{force.ons_code},{force.name},51234\r\n"
    ).encode()


# --------------------------------------------------------------------------------------------
# The stored half of the rule: what the database holds decides, whatever the object in memory says
# --------------------------------------------------------------------------------------------


def published_month() -> CallAnswerMonth:
    month = CallAnswerMonth.objects.filter(publish_at__isnull=False).order_by("month").first()
    assert month is not None and not publication.is_draft(month)
    return month


def published_figure() -> MeasureFigure:
    figure = MeasureFigure.objects.filter(period__publish_at__isnull=False).select_related("period").first()
    assert figure is not None and not publication.is_draft(figure)
    return figure


def draft_period() -> ReportingPeriod:
    return ReportingPeriod.objects.create(period_end=datetime.date(2024, 9, 30))  # publish_at None: a draft


def test_an_editor_cannot_save_a_published_month_made_to_look_like_a_draft_in_memory(demo_data, editor):
    month = published_month()
    calls = month.total_calls
    month.publish_at, month.total_calls = None, calls + 1  # a draft, as far as memory goes

    assert publication.may_write(editor, month, "change")  # the in-memory half alone would allow it
    with pytest.raises(PermissionDenied):
        publication.assert_may_write(month, "change", user=editor)
    with publication.acting_as(editor), pytest.raises(PermissionDenied):
        month.save()

    stored = CallAnswerMonth.objects.get(pk=month.pk)
    assert (stored.total_calls, stored.publish_at is not None) == (calls, True)


def test_a_publisher_may_save_a_published_month_made_a_draft(demo_data, publisher):
    month = published_month()
    month.publish_at = None  # withdrawn

    publication.assert_may_write(month, "change", user=publisher)
    with publication.acting_as(publisher):
        month.save()

    assert CallAnswerMonth.objects.get(pk=month.pk).publish_at is None


def test_an_editor_cannot_move_a_published_figure_to_a_draft_quarter(demo_data, editor):
    figure = published_figure()
    published_in = figure.period_id
    figure.period = draft_period()  # the figure now looks like part of a draft

    assert publication.may_write(editor, figure, "change")
    with pytest.raises(PermissionDenied):
        publication.assert_may_write(figure, "change", user=editor)
    with publication.acting_as(editor), pytest.raises(PermissionDenied):
        figure.save()

    assert MeasureFigure.objects.get(pk=figure.pk).period_id == published_in


def test_a_publisher_may_move_a_published_figure_to_a_draft_quarter(demo_data, publisher):
    figure = published_figure()
    figure.period = draft = draft_period()

    publication.assert_may_write(figure, "change", user=publisher)
    with publication.acting_as(publisher):
        figure.save()

    assert MeasureFigure.objects.get(pk=figure.pk).period_id == draft.pk


# --------------------------------------------------------------------------------------------
# Every content model is in the gate's registry
# --------------------------------------------------------------------------------------------

# Models that are not content, so outside the gate (history models, "Historical…", are left out
# by name: they are written by django-simple-history alongside the rows they record).
NOT_CONTENT = {
    # A computed change to a published NCPM figure, waiting for a Publisher: it reaches the
    # public only when a Publisher publishes the quarter (``ncpm.ncpm_revisions_apply``).
    "MeasureFigureRevision",
    # A recomputed year before of a published ONS headline, waiting for a Publisher: public only
    # when a Publisher publishes the period again (``ons.ons_revisions_apply``).
    "RecordedCrimeRevision",
    # What an import read and who confirmed it: records of the work, never shown to the public.
    "ImportUpload",
    "ImportJob",
    "ImportLog",
    "ColumnMapping",
    # The recorded crime open data as imported: the public sees only the figures computed from it
    # into drafts and revisions (``ncpm``), which the gate covers.
    "Offence",
    "OffenceCount",
}


def is_publishable(model) -> bool:
    """Has its own "published from" time."""
    return any(field.name == "publish_at" for field in model._meta.get_fields())


def unregistered(candidates) -> list[str]:
    """Each of ``candidates`` (models) that has a "published from" time, or points (ForeignKey, OneToOne) at a
    model that has one, but is in none of the gate's lists, as "Model: why"."""
    registered = {*publication.DRAFTABLE, *publication.PARENT, *publication.ALWAYS_PUBLIC}
    missing = []
    for model in candidates:
        if model.__name__.startswith("Historical") or model.__name__ in NOT_CONTENT or model in registered:
            continue
        reasons = ["has publish_at"] if is_publishable(model) else []
        reasons += [
            f"{field.name} points at {field.related_model.__name__}"
            for field in model._meta.get_fields()
            if (field.many_to_one or field.one_to_one)
            and field.concrete
            and isinstance(field.related_model, type)
            and is_publishable(field.related_model)
        ]
        if reasons:
            missing.append(f"{model.__name__}: {', '.join(reasons)}")
    return missing


def test_every_model_with_a_publication_is_in_the_gates_registry():
    app_models = list(apps.get_app_config("performance").get_models())

    assert unregistered(app_models) == []
    # The exemptions name models that exist, so that a renamed one is not silently exempt.
    assert {model.__name__ for model in app_models} >= NOT_CONTENT


@isolate_apps("performance")
def test_the_registry_check_reports_a_publishable_model_and_one_pointing_at_it():
    class Bulletin(models.Model):  # noqa: DJ008 (never saved or shown)
        publish_at = models.DateTimeField(null=True)

        class Meta:
            app_label = "performance"

    class BulletinItem(models.Model):  # noqa: DJ008
        bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE)

        class Meta:
            app_label = "performance"

    class BulletinCover(models.Model):  # noqa: DJ008
        period = models.OneToOneField(ReportingPeriod, on_delete=models.CASCADE)

        class Meta:
            app_label = "performance"

    assert unregistered([Bulletin, BulletinItem, BulletinCover, CallAnswerMonth]) == [
        "Bulletin: has publish_at",
        "BulletinItem: bulletin points at Bulletin",
        "BulletinCover: period points at ReportingPeriod",
    ]
