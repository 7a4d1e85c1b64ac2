"""The recorded crime open data's preview and confirm, run as background tasks and followed on
their pages (``performance.imports.jobs``, ``performance.crime.recorded_crime_tasks``).

The suite runs tasks at once (``TASK_BACKEND=immediate``); the tests that show what a person
sees before the work has run switch to the database backend, where an upload only queues it, and
then run the queued task as the worker (``manage.py db_worker``) would."""

from __future__ import annotations

import datetime
import io
import logging
import re
import time

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from performance.crime import recorded_crime, recorded_crime_tasks
from performance.crime.recorded_crime_admin import NOT_PREVIEWED
from performance.imports import jobs as import_jobs
from performance.imports.jobs import ImportJob, JobProgress, job_state
from performance.models import ImportLog, ImportUpload, MeasureFigureRevision, OffenceCount, ReportingPeriod
from tests.data import make_recorded_crime_files as files
from tests.factories import recorded_crime_forces, staff
from tests.helpers import signed_in, tasks_run_on_commit, upload
from tests.test_authorization_matrix import database_fingerprint

IMPORT_URL = reverse("admin:performance_offencecount_import")
CONFIRM_URL = reverse("admin:performance_offencecount_process_import")
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(db, django_user_model, media):
    return staff(django_user_model, "Editor", "editor")


@pytest.fixture
def queued(settings):
    """Tasks are queued in the database, as in production, and run only when a test says."""
    settings.TASKS = DATABASE_BACKEND


@pytest.fixture
def demo_release(tmp_path):
    """The open data for 2021/22 to 2023/24: with the demo office, it adds draft quarters and
    revises the figures of its published quarter (June 2023)."""
    sheets = files.release_sheets(years=["2021_22", "2022_23", "2023_24"])
    return files.write_xlsx(sheets, tmp_path / "recorded-crime-2024-01-25.xlsx")


def confirm(client, job: ImportJob):
    """Press the preview's Confirm button, as its page serves it."""
    form = client.get(job_url(job)).context["confirm_form"]
    with tasks_run_on_commit():
        return client.post(CONFIRM_URL, {field.html_name: field.value() for field in form})


def job_url(job: ImportJob) -> str:
    return reverse("admin:performance_offencecount_import_job", args=[job.pk])


def progress_url(job: ImportJob) -> str:
    return reverse("admin:performance_offencecount_import_job_progress", args=[job.pk])


def worker_runs_the_queue() -> None:
    """What ``manage.py db_worker`` does with each task waiting: claim it, run it, record how it
    ended (its ``run_task``; its loop takes an exclusive transaction, which a test's cannot hold)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


def csv_release(tmp_path, name="recorded-crime-2024_25.csv"):
    return files.write_csv(files.release_sheets()["2024_25"], tmp_path / name)


@pytest.fixture
def forces(db):
    recorded_crime_forces()


# --------------------------------------------------------------------------------------------
# The upload answers at once; the worker does the work
# --------------------------------------------------------------------------------------------


def test_an_upload_answers_at_once_with_a_waiting_job_and_its_queued_preview(
    forces, editor, queued, tmp_path, monkeypatch
):
    """Given the database task backend, when a file is uploaded, then the answer is the job's
    page at once: the file is stored and its preview queued, not read."""
    monkeypatch.setattr(recorded_crime, "release_import", lambda *a, **k: pytest.fail("read in the request"))
    client = signed_in(editor)
    path = csv_release(tmp_path)

    begun = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, IMPORT_URL, path)
    seconds = time.perf_counter() - begun

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job_url(job)
    assert (job.kind, job.status, job.user, job.file_name) == ("preview", "waiting", editor, path.name)
    task = DBTaskResult.objects.get()
    assert (task.status, task.task_path, task.args_kwargs["args"]) == (
        "READY",
        "performance.crime.recorded_crime_tasks.recorded_crime_preview",
        [str(job.pk)],
    )
    assert job.task_result_id == str(task.pk)
    assert job.upload.file and job.upload.preview_fingerprint == ""  # kept; not confirmable yet
    assert len(queries) < 30 and seconds < 1.0  # measured well under 0.3 s; see the README

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Waiting for the background worker to start it" in page.content.decode()
    assert page.context["confirm_form"] is None


def test_the_worker_runs_the_preview_through_its_stages_to_the_confirm_button(
    forces, editor, queued, tmp_path, monkeypatch
):
    """Given a queued preview, when the worker runs it, then each stage is reported with the
    rows read, and the page shows the summary and the Confirm button."""
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    job = ImportJob.objects.get()
    reported = []
    write = JobProgress.write

    def write_and_look(progress):
        write(progress)
        reported.append((progress.stage, progress.done, progress.total))
        if progress.stage == recorded_crime.STAGE_COMPARING:  # what the page's script then reads
            reported.append(client.get(progress_url(job)).json())

    monkeypatch.setattr(JobProgress, "write", write_and_look)

    worker_runs_the_queue()

    rows = len(files.release_sheets()["2024_25"]) - 1  # below the header, fraud rows included
    seen = reported[-1]
    assert reported[:-1] == [
        (recorded_crime.STAGE_READING, 0, 0),
        (recorded_crime.STAGE_COMPARING, rows, rows),
    ]
    assert {key: seen[key] for key in ("status", "final", "stage", "done", "total", "text")} == {
        "status": "running",
        "final": False,
        "stage": recorded_crime.STAGE_COMPARING,
        "done": rows,
        "total": rows,
        "text": f"Comparing it with the figures held: {rows} of {rows} rows",
    }
    job.refresh_from_db()
    assert job.status == "finished" and DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert (job.stage, job.done, job.total) == (recorded_crime.STAGE_COMPARING, rows, rows)
    page = client.get(job_url(job))
    assert "Counts: 160 new, 0 changed, 0 unchanged, 0 removed." in page.content.decode()
    assert page.context["confirm_form"] is not None
    assert OffenceCount.objects.count() == 0


def test_the_page_and_its_json_show_the_stage_and_how_far(forces, editor, queued, tmp_path):
    """Given a preview the worker is reading, its page has the progress bar and its text in a
    polite live region, and the JSON the page's script reads says the same."""
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    job = ImportJob.objects.get()
    import_jobs.job_claim(job.pk)
    JobProgress(job, units=recorded_crime_tasks.UNITS)(recorded_crime.STAGE_READING, 40_000, 165_000)

    page = client.get(job_url(job)).content.decode()
    data = client.get(progress_url(job)).json()

    assert re.search(
        r'<div role="status" aria-live="polite" aria-atomic="true">\s*'
        r'<progress id="import-progress-bar" aria-labelledby="import-progress-text" max="165000" value="40000">'
        r"</progress>\s*"
        r'<p id="import-progress-text" class="import-progress-text">Reading the file: 40,000 of 165,000 rows</p>',
        page,
    )
    assert {key: data[key] for key in ("status", "final", "stage", "done", "total", "text", "quiet")} == {
        "status": "running",
        "final": False,
        "stage": "Reading the file",
        "done": 40_000,
        "total": 165_000,
        "text": "Reading the file: 40,000 of 165,000 rows",
        "quiet": "",
    }
    assert "html" not in data


def test_without_javascript_the_page_checks_again_by_itself_until_told_to_stop(
    forces, editor, queued, tmp_path
):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    job = ImportJob.objects.get()

    page = client.get(job_url(job)).content.decode()
    stopped = client.get(job_url(job) + "?refresh=off").content.decode()

    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'<a href="{job_url(job)}?refresh=off">Stop checking by itself</a>' in page
    assert f'<a href="{job_url(job)}" class="import-progress-check">Check again</a>' in page
    assert 'http-equiv="refresh"' not in stopped and "Check again" in stopped
    worker_runs_the_queue()
    assert 'http-equiv="refresh"' not in client.get(job_url(job)).content.decode()  # it has ended


def test_a_job_with_no_news_says_so_rather_than_spinning(forces, editor, queued, tmp_path):
    """A worker that is not running leaves a job waiting; one that died leaves it running."""
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    job = ImportJob.objects.get()
    later = timezone.now() + datetime.timedelta(minutes=3)

    assert job_state(job, now=later).quiet_text.startswith(
        "It has waited 3 minutes without starting: the background worker may be busy with another "
        "import, or not running."
    )
    import_jobs.job_claim(job.pk)
    job.refresh_from_db()
    JobProgress(job, units=recorded_crime_tasks.UNITS)(recorded_crime.STAGE_READING, 10_000, 0)
    assert job_state(job).quiet_text == ""
    assert job_state(job, now=timezone.now() + datetime.timedelta(minutes=7)).quiet_text == (
        "No progress for 7 minutes: the background worker may have stopped. If it has, nothing was "
        "imported: tell whoever runs the site, then upload the file again."
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    caches["progress"].clear()
    assert "No progress for 10 minutes" in client.get(progress_url(job)).json()["quiet"]


def test_progress_is_written_on_each_new_stage_and_at_most_once_a_second_within_one(editor):
    job = ImportJob(pk="00000000-0000-0000-0000-000000000001", user=editor)
    now = [100.0]
    progress = JobProgress(job, units=recorded_crime_tasks.UNITS, clock=lambda: now[0])
    written = []
    progress.write = lambda: (
        written.append((progress.stage, progress.done)),
        setattr(progress, "written_at", now[0]),
    )

    for done in range(0, 50_000, 10_000):  # five reports within 0.4 s
        progress(recorded_crime.STAGE_READING, done, 0)
        now[0] += 0.1
    now[0] += 1
    progress(recorded_crime.STAGE_READING, 50_000, 0)
    progress(recorded_crime.STAGE_COMPARING, 50_000, 50_000)

    assert written == [
        (recorded_crime.STAGE_READING, 0),
        (recorded_crime.STAGE_READING, 50_000),
        (recorded_crime.STAGE_COMPARING, 50_000),
    ]


def test_a_task_queued_twice_runs_once(forces, editor, tmp_path):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    job = ImportJob.objects.get()
    assert job.status == "finished"

    assert recorded_crime_tasks.recorded_crime_preview.call(str(job.pk)) == "not waiting"


# --------------------------------------------------------------------------------------------
# Only the uploader, in the sign-in that uploaded
# --------------------------------------------------------------------------------------------


def test_another_user_or_sign_in_gets_404_for_the_job_and_400_for_its_confirm(
    forces, editor, django_user_model, tmp_path
):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    preview = ImportJob.objects.get()
    token = {"token": preview.upload.token}
    others = (signed_in(staff(django_user_model, "Publisher", "publisher")), signed_in(editor))
    before = database_fingerprint()

    for other in others:
        assert other.get(job_url(preview)).status_code == 404
        assert other.get(progress_url(preview)).status_code == 404
        with tasks_run_on_commit():
            assert other.post(CONFIRM_URL, token).status_code == 400
        assert "Preview of" not in other.get(IMPORT_URL).content.decode()  # not among their imports

    assert database_fingerprint() == before and ImportJob.objects.count() == 1
    assert client.get(job_url(preview)).status_code == 200


def test_a_preview_still_running_cannot_be_confirmed(forces, editor, queued, tmp_path):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    stored = ImportUpload.objects.get()  # its token is not on any page yet; say someone guessed it

    with tasks_run_on_commit():
        response = client.post(CONFIRM_URL, {"token": stored.token})

    assert response.status_code == 400 and response.content.decode() == NOT_PREVIEWED
    assert ImportJob.objects.get().kind == "preview"


def test_your_imports_lists_this_sign_ins_running_and_recent_imports(forces, editor, queued, tmp_path):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path, "first.csv"))
    worker_runs_the_queue()
    upload(client, IMPORT_URL, csv_release(tmp_path, "second.csv"))
    first, second = ImportJob.objects.order_by("created_at")

    page = client.get(IMPORT_URL).content.decode()

    listed = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>\s*\([^)]*\): ([^<]+)</li>', page)
    assert listed == [
        (job_url(second), "Preview of second.csv", "Waiting for the background worker to start it"),
        (job_url(first), "Preview of first.csv", "previewed"),
    ]


# --------------------------------------------------------------------------------------------
# What it ends with
# --------------------------------------------------------------------------------------------


def test_the_result_lists_the_new_draft_quarters_and_the_revision_waiting(
    demo_data, media, demo_release, django_user_model
):
    """Given the demo office (its June 2023 quarter published), when an Editor imports the open
    data for 2021/22 to 2023/24, then the result says which draft quarters it created and that a
    revision waits on June 2023, each with a link to review it, and links to the import log."""
    editor = staff(django_user_model, "Editor")
    client = signed_in(editor)
    quarters_before = set(ReportingPeriod.objects.values_list("period_end", flat=True))
    upload(client, IMPORT_URL, demo_release)
    preview = ImportJob.objects.get()

    confirmed = confirm(client, preview)
    job = ImportJob.objects.get(kind="confirm")
    assert confirmed.url == job_url(job)
    page = client.get(confirmed.url)
    text = page.content.decode()

    new = sorted(set(ReportingPeriod.objects.values_list("period_end", flat=True)) - quarters_before)
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    log = ImportLog.objects.get()
    assert (
        june.publish_at is not None and MeasureFigureRevision.objects.filter(period=june).pending().exists()
    )
    assert job.status == "finished" and job.message.startswith(f"Imported {demo_release.name}: ")
    assert job.links == [
        {
            "text": "4 new draft quarters, March 2023, September 2023, December 2023 and March 2024",
            "url": reverse("admin:performance_reportingperiod_changelist") + "?publication=draft",
            "link": "review them",
        },
        {
            "text": "Revised figures wait on the published quarter June 2023 until a Publisher publishes it again",
            "url": reverse("admin:performance_reportingperiod_change", args=[june.pk]),
            "link": "review it",
        },
        {
            "text": "Who imported which file, when, and what it changed, is kept in its import log",
            "url": reverse("admin:performance_importlog_change", args=[log.pk]),
            "link": "open the import log",
        },
    ]
    assert new == [
        datetime.date(2023, 3, 31),
        datetime.date(2023, 9, 30),
        datetime.date(2023, 12, 31),
        datetime.date(2024, 3, 31),
    ]
    for item in job.links:
        assert f'{item["text"]}: <a href="{item["url"]}">{item["link"]}</a>' in text
    assert f"<title>Imported {demo_release.name} |" in text
    preview_page = client.get(job_url(preview)).content.decode()
    assert f'You have confirmed this file: <a href="{job_url(job)}">follow its import</a>.' in preview_page

    # The same release again revises nothing, and says what still waits from the first import.
    upload(client, IMPORT_URL, demo_release)
    confirm(client, ImportJob.objects.filter(kind="preview").first())
    again = ImportJob.objects.filter(kind="confirm").first()
    assert again.pk != job.pk and again.links[:-1] == [
        {
            "text": "Revised figures from an earlier import still wait on the published quarter June 2023",
            "url": reverse("admin:performance_reportingperiod_change", args=[june.pk]),
            "link": "review it",
        }
    ]


def test_a_failed_task_says_why_in_a_staff_members_words_and_changes_nothing(
    forces, editor, tmp_path, monkeypatch, caplog
):
    """Given a confirm that fails half-way (after writing its counts), then nothing is imported,
    the page says why in plain words, and the traceback is in the log for whoever runs the site."""
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    preview = ImportJob.objects.get()

    def busy(sender, **kwargs):
        assert OffenceCount.objects.exists()  # the counts were written, in the transaction
        raise OperationalError("database is locked")

    recorded_crime.recorded_crime_imported.connect(busy, dispatch_uid="test_busy")
    before = database_fingerprint()
    try:
        with caplog.at_level(logging.ERROR, logger="performance.imports.jobs"):
            response = confirm(client, preview)
    finally:
        recorded_crime.recorded_crime_imported.disconnect(dispatch_uid="test_busy")

    job = ImportJob.objects.get(kind="confirm")
    message = (
        "The import stopped because the database was busy with other changes for too long. Nothing "
        f"was imported. Upload the file again; if this happens again, tell whoever runs the site "
        f"(reference: job {job.pk})."
    )
    assert (job.status, job.message, job.stage) == ("failed", message, recorded_crime.STAGE_COMPUTING)
    assert database_fingerprint() == before
    assert not OffenceCount.objects.exists() and not ImportLog.objects.exists()
    assert ImportUpload.objects.get().confirmed_at is None
    page = client.get(response.url).content.decode()
    assert f"The import of {preview.file_name} stopped" in page and message in page
    assert any(
        record.exc_info and "database is locked" in str(record.exc_info[1]) for record in caplog.records
    )


def test_a_failed_preview_in_the_worker_is_recorded_as_failed_there_too(
    forces, editor, queued, tmp_path, monkeypatch
):
    client = signed_in(editor)
    upload(client, IMPORT_URL, csv_release(tmp_path))
    monkeypatch.setattr(
        recorded_crime, "release_import", lambda *a, **k: (_ for _ in ()).throw(MemoryError())
    )

    worker_runs_the_queue()

    job = ImportJob.objects.get()
    assert job.status == "failed" and job.message.startswith(
        "The preview stopped because reading the file needed more memory than the server has. Nothing was imported."
    )
    assert DBTaskResult.objects.get().status == "FAILED"


def test_the_command_still_imports_in_its_own_process(forces, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_recorded_crime", str(csv_release(tmp_path)), stdout=out)

    assert "Counts: 160 new" in out.getvalue() and not ImportJob.objects.exists()
    assert OffenceCount.objects.count() == 160
