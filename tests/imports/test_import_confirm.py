"""Confirming an admin import: the previewed file is kept in the database under a token only its
uploader's sign-in can use; a confirm imports once, only what its preview showed, and says
exactly what happened. Anything else is refused with a plain 400 and changes nothing."""

import datetime
import re
import secrets
import tempfile
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from performance.models import CallAnswerMonth, ImportLog, ImportUpload, MeasureFigure, ReportingPeriod
from tests.factories import staff
from tests.helpers import signed_in, upload

IMPORT_URL = reverse("admin:performance_callanswermonth_import")
CONFIRM_URL = reverse("admin:performance_callanswermonth_process_import")
CHANGELIST_URL = reverse("admin:performance_callanswermonth_changelist")
CALLS_HEADER = (
    "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
    "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over"
)
SEPTEMBER = datetime.date(2023, 9, 1)
# Norfolk August 2023 as held (unchanged), Norfolk September 2023 corrected, Suffolk's new.
CALLS_FILE = "\r\n".join(
    [
        CALLS_HEADER,
        "Norfolk,Aug-23,12398,6.89,87.9,11.8,0.3",
        "Norfolk,Sep-23,11700,7.5,87.0,12.3,0.7",
        "Suffolk,Sep-23,7512,7.02,85.2,14.0,0.8",
    ]
).encode()
UNKNOWN = (
    "Nothing has been imported: this preview cannot be confirmed. It is unknown, more than a day "
    "old, or was made by another user or in another sign-in. Upload the file again."
)
OUTDATED = (
    "Nothing was imported: Figures in this file have changed since your preview (someone has "
    "imported or edited them), so nothing has been imported; upload the file again to see the "
    "current differences."
)

# The file's new month arrives as a draft; its updated month was already published.
# The result page (tests/imports/test_import_results.py) says which row is a draft, and what next.
IMPORTED_WITH_A_DRAFT = "Imported 999-data.csv: 1 new, 1 updated, 1 unchanged."


@pytest.fixture
def publisher(demo_data, django_user_model):
    return staff(django_user_model, "Publisher", "publisher")


def preview(client, data: bytes = CALLS_FILE, name: str = "999-data.csv", url: str = IMPORT_URL) -> dict:
    """Upload a file as the admin's import page does; the fields of the confirm form it shows."""
    response = upload(client, url, data, name, format="0", resource="0")
    assert response.status_code == 200
    return {field.html_name: field.value() for field in response.context["confirm_form"]}


def said(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def held() -> tuple:
    """Everything a confirm could change: the 999 rows with their versions, logs and history."""
    rows = CallAnswerMonth.objects.order_by("force_id", "month").values_list(
        "force__name", "month", "version", "total_calls", "mean_answer_seconds"
    )
    return list(rows), ImportLog.objects.count(), CallAnswerMonth.history.count()


def norfolk_september() -> CallAnswerMonth:
    return CallAnswerMonth.objects.get(force__name="Norfolk", month=SEPTEMBER)


# --------------------------------------------------------------------------------------------
# Confirming as served
# --------------------------------------------------------------------------------------------


def test_confirm_imports_the_previewed_file_and_says_what_it_changed(publisher):
    client = signed_in(publisher)
    fields = preview(client)

    response = client.post(CONFIRM_URL, fields)

    log = ImportLog.objects.get()
    result_url = reverse("admin:performance_callanswermonth_import_result", args=[log.pk])
    assert (response.status_code, response.url) == (302, result_url)
    assert said(response) == [("success", IMPORTED_WITH_A_DRAFT)]
    september = norfolk_september()
    assert (september.total_calls, september.version) == (11700, 1)
    assert september.history.first().history_user == publisher
    assert CallAnswerMonth.objects.get(force__name="Suffolk", month=SEPTEMBER).total_calls == 7512
    log = ImportLog.objects.get()
    assert (log.user, log.file_name, log.rows_new, log.rows_updated, log.rows_unchanged) == (
        publisher,
        "999-data.csv",
        1,
        1,
        1,
    )
    stored = ImportUpload.objects.get()
    assert stored.import_log == log
    assert stored.confirmed_at is not None


def test_the_preview_keeps_the_file_in_the_database_and_the_confirm_form_carries_only_a_token(
    publisher, monkeypatch, tmp_path
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client = signed_in(publisher)

    response = upload(client, IMPORT_URL, CALLS_FILE, "999-data.csv", format="0")

    assert list(tmp_path.iterdir()) == []
    confirm_form = re.search(
        rf'<form action="{re.escape(CONFIRM_URL)}" method="POST">(.*?)</form>',
        response.content.decode(),
        re.S,
    )
    hidden = re.findall(r'<input type="hidden" name="(\w+)"', confirm_form.group(1))
    assert sorted(hidden) == ["csrfmiddlewaretoken", "token"]
    stored = ImportUpload.objects.get()
    assert response.context["confirm_form"].initial == {"token": stored.token}
    assert len(stored.token) == 43  # secrets.token_urlsafe(32)
    assert (stored.user, stored.session_key, stored.resource, stored.file_name, bytes(stored.data)) == (
        publisher,
        client.session.session_key,
        "performance.CallAnswerMonth",
        "999-data.csv",
        CALLS_FILE,
    )
    assert len(stored.preview_fingerprint) == 64
    assert stored.confirmed_at is None


def test_confirm_works_on_another_app_server(publisher, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client = signed_in(publisher)
    fields = preview(client)
    for left in tmp_path.iterdir():  # another server has neither this one's temporary files …
        left.unlink()
    cache.clear()  # … nor its local cache

    response = client.post(CONFIRM_URL, fields)

    assert said(response) == [("success", IMPORTED_WITH_A_DRAFT)]
    assert norfolk_september().total_calls == 11700


def test_a_second_confirm_says_it_was_already_imported_and_changes_nothing(publisher):
    client = signed_in(publisher)
    fields = preview(client)
    client.post(CONFIRM_URL, fields, follow=True)  # the changelist shows its message
    before = held()

    response = client.post(CONFIRM_URL, fields)

    stored = ImportUpload.objects.get()
    when = date_format(timezone.localtime(stored.confirmed_at), r"j F Y \a\t H:i")
    log_url = reverse("admin:performance_importlog_change", args=[stored.import_log.pk])
    assert (response.status_code, response.url) == (302, CHANGELIST_URL)
    assert said(response) == [
        (
            "warning",
            f"999-data.csv was already imported on {when} by publisher: 1 new, 1 updated, 1 unchanged "
            f'(<a href="{log_url}">import log</a>). Nothing more has been imported.',
        )
    ]
    assert held() == before


# --------------------------------------------------------------------------------------------
# Refused with a 400: nothing changes, and no file is named
# --------------------------------------------------------------------------------------------


def test_a_confirm_cannot_name_a_file(publisher):
    client = signed_in(publisher)
    fields = preview(client)
    victim = Path(tempfile.gettempdir()) / f"victim-{secrets.token_hex(8)}.txt"
    victim.write_bytes(b"not yours to delete")
    before = held()
    crafted = [
        {"import_file_name": victim.name, "original_file_name": "999.csv", "format": "0"},
        {"import_file_name": "../../etc/passwd", "original_file_name": "passwd", "format": "0"},
        {**fields, "import_file_name": victim.name},
        {**fields, "original_file_name": "other.csv"},
    ]
    try:
        for data in crafted:
            response = client.post(CONFIRM_URL, data)

            assert (response.status_code, response["Content-Type"]) == (400, "text/plain; charset=utf-8")
            assert victim.read_bytes() == b"not yours to delete"
    finally:
        victim.unlink(missing_ok=True)
    assert held() == before
    assert ImportUpload.objects.get().confirmed_at is None


def unknown_token(client, fields, users):
    return client, {"token": secrets.token_urlsafe(32)}


def another_users_token(client, fields, users):
    return client, preview(signed_in(staff(users, "Publisher", "other-publisher")))


def another_sign_in(client, fields, users):
    return signed_in(users.objects.get(username="publisher")), fields  # the same user, signed in again


def expired(client, fields, users):
    ImportUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    return client, fields


def no_token(client, fields, users):
    return client, {}


def format_7(client, fields, users):
    return client, {**fields, "format": "7"}


def format_x(client, fields, users):
    return client, {**fields, "format": "x"}


ONLY_A_TOKEN = "Nothing has been imported: a confirmation has only its token, not format."


@pytest.mark.parametrize(
    "crafted, problem",
    [
        pytest.param(unknown_token, UNKNOWN, id="unknown token"),
        pytest.param(another_users_token, UNKNOWN, id="another user's token"),
        pytest.param(another_sign_in, UNKNOWN, id="another sign-in"),
        pytest.param(expired, UNKNOWN, id="more than a day old"),
        pytest.param(no_token, "Nothing has been imported: the confirmation has no token.", id="empty"),
        pytest.param(format_7, ONLY_A_TOKEN, id="format=7"),
        pytest.param(format_x, ONLY_A_TOKEN, id="format=x"),
    ],
)
def test_a_confirm_that_is_not_this_sign_ins_preview_is_a_bad_request_and_changes_nothing(
    publisher, django_user_model, crafted, problem
):
    client = signed_in(publisher)
    client, data = crafted(client, preview(client), django_user_model)
    before = held()

    response = client.post(CONFIRM_URL, data)

    assert (response.status_code, response.content.decode()) == (400, problem)
    assert held() == before
    assert not ImportUpload.objects.exclude(confirmed_at=None).exists()


# --------------------------------------------------------------------------------------------
# Refused at confirm: the reason, as an error
# --------------------------------------------------------------------------------------------


def test_a_confirm_after_someone_changed_a_row_since_the_preview_is_refused(publisher):
    client = signed_in(publisher)
    fields = preview(client)
    september = norfolk_september()
    september.mean_answer_seconds = "7.60"  # someone corrects the month in the meantime
    september.save()
    before = held()

    response = client.post(CONFIRM_URL, fields)

    assert (response.status_code, response.url) == (302, IMPORT_URL)
    assert said(response) == [("error", OUTDATED)]
    assert held() == before
    assert ImportUpload.objects.get().confirmed_at is None


def test_an_editors_confirm_refused_by_the_publication_check_shows_the_reason_as_an_error(
    demo_data, django_user_model
):
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    september = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))  # a draft
    for figure in june.figures.all():
        MeasureFigure.objects.create(
            period=september, measure=figure.measure, latest=figure.latest, previous=figure.previous
        )
    editor = signed_in(staff(django_user_model, "Editor", "editor"))
    fields = preview(
        editor,
        b"Measure,12 months ending,Latest 12 months,Previous 12 months,2019 baseline\r\n"
        b"Grievous Bodily Harm,30/09/2023,600,640,450\r\n",
        name="ncpm.csv",
        url=reverse("admin:performance_measurefigure_import"),
    )
    september.publish_at = timezone.now()  # a Publisher publishes the quarter meanwhile
    september.save()
    figures = list(
        MeasureFigure.objects.order_by("pk").values_list("latest", "previous", "baseline", "version")
    )

    response = editor.post(reverse("admin:performance_measurefigure_process_import"), fields)

    assert (response.status_code, response.url) == (302, reverse("admin:performance_measurefigure_import"))
    [(level, message)] = said(response)
    assert level == "error"
    assert message.startswith("Nothing was imported: This file changes")
    assert message.endswith("Only a Publisher can confirm it; nothing has changed.")
    assert (
        list(MeasureFigure.objects.order_by("pk").values_list("latest", "previous", "baseline", "version"))
        == figures
    )
    assert ImportLog.objects.count() == 0
    assert ImportUpload.objects.get().confirmed_at is None


# --------------------------------------------------------------------------------------------
# Two confirms at once
# --------------------------------------------------------------------------------------------


def calls_for(month: datetime.date, *forces: str) -> bytes:
    rows = [f"{force},{month:%b-%y},9000,7.0,86.0,13.3,0.7" for force in forces]
    return "\r\n".join([CALLS_HEADER, *rows]).encode()


def confirm_at_once(confirms: list[tuple[Client, dict]]) -> list[list[tuple[str, str]]]:
    """Post every confirm at the same moment, each from its own thread and database connection."""
    barrier = threading.Barrier(len(confirms))
    outcomes = [None] * len(confirms)

    def run(index, client, fields):
        try:
            barrier.wait()
            outcomes[index] = said(client.post(CONFIRM_URL, fields))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *confirm)) for i, confirm in enumerate(confirms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def importing_publisher(django_user_model, username: str):
    """A Publisher's rights over 999 months, given directly: a transactional test may run after
    another has emptied every table, the roles' groups included."""
    user = django_user_model.objects.create_user(username=username, password="unused", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="performance",
            codename__in=[
                f"{action}_callanswermonth" for action in ("view", "add", "change", "import", "publish")
            ],
        )
    )
    return user


# SQLite's test database is one in-memory connection, so threads cannot race.
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_two_overlapping_confirms_at_once_exactly_one_imports(demo_data, django_user_model):
    first = signed_in(importing_publisher(django_user_model, "first"))
    second = signed_in(importing_publisher(django_user_model, "second"))
    for trial in range(5):
        month = datetime.date(2024, 1 + trial, 1)
        confirms = [
            (first, preview(first, calls_for(month, "Norfolk", "Suffolk"), name="first.csv")),
            (second, preview(second, calls_for(month, "Norfolk", "Essex"), name="second.csv")),
        ]
        logs = ImportLog.objects.count()

        outcomes = confirm_at_once(confirms)

        assert ImportLog.objects.count() == logs + 1
        winner = ImportLog.objects.latest("pk").file_name
        told = {name: [("error", OUTDATED)] for name in ("first.csv", "second.csv")}
        # The drafts it made are listed on the import's result page, where the winner lands.
        told[winner] = [("success", f"Imported {winner}: 2 new, 0 updated, 0 unchanged.")]
        assert outcomes == [told["first.csv"], told["second.csv"]]
        imported = {"first.csv": {"Norfolk", "Suffolk"}, "second.csv": {"Norfolk", "Essex"}}[winner]
        assert (
            set(CallAnswerMonth.objects.filter(month=month).values_list("force__name", flat=True)) == imported
        )
        norfolk = CallAnswerMonth.objects.get(force__name="Norfolk", month=month)
        assert (norfolk.version, norfolk.history.count()) == (0, 1)
