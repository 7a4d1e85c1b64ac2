"""A large import followed in Chromium, as a staff member sees it: upload the recorded crime open
data, watch its preview go through its stages, confirm it, and read what it created, the page
moving on by itself each time without being reloaded.

Tasks are queued in the database, as in production, and run by the worker's own code in a
thread of the test process, paused once at a stage so that the test can look at the page then.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from django.urls import reverse

from performance.crime import recorded_crime
from performance.imports.jobs import ImportJob, JobProgress
from tests.browser.conftest import PASSWORD, axe_violations
from tests.data import make_recorded_crime_files as files

pytestmark = pytest.mark.browser

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PERMISSIONS = ["view_offencecount", "import_offencecount", "view_reportingperiod", "view_importlog"]


@pytest.fixture
def staff_member(site, django_user_model):
    """An Editor's rights over the open data, given directly (the groups do not survive the live
    server's flushed database)."""
    user = django_user_model.objects.create_user(username="analyst", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="performance", codename__in=PERMISSIONS)
    )
    return user


@pytest.fixture
def release_file(tmp_path):
    """The open data for 2021/22 to 2023/24: with the demo office it adds draft quarters and
    revises its published quarter."""
    sheets = files.release_sheets(years=["2021_22", "2022_23", "2023_24"])
    return files.write_xlsx(sheets, tmp_path / "recorded-crime-2024-01-25.xlsx")


class Worker:
    """``manage.py db_worker``'s loop in a thread: every task waiting, run and recorded. With
    SQLite in memory it shares the test's connection, as the live server does."""

    def __init__(self):
        self.shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite"}
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.errors: list[BaseException] = []

    def run(self):
        from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker

        for alias, conn in self.shared.items():
            connections[alias] = conn
        try:
            DatabaseWorker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="browser-test",
            ).run()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.errors.append(error)
        finally:
            if not self.shared:
                connections.close_all()

    def __enter__(self):
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(timeout=60)
        for conn in self.shared.values():
            conn.dec_thread_sharing()
        assert not self.thread.is_alive() and not self.errors


def navigations(page) -> list[str]:
    """The main frame's navigations from now on: a reload would add one."""
    seen: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and seen.append(frame.url))
    return seen


def test_an_import_is_followed_from_its_upload_to_what_it_created_without_a_reload(
    site, signed_in, release_file, settings, monkeypatch
):
    page = signed_in
    settings.TASKS = DATABASE_BACKEND

    # 1. Upload: the answer is the preview's page at once, waiting for the worker.
    page.goto(site.url + reverse("admin:performance_offencecount_import"))
    page.set_input_files("input[type=file][name=import_file]", str(release_file))
    page.click("form[enctype='multipart/form-data'] input[type=submit]")
    preview_job = ImportJob.objects.get()
    preview_url = site.url + reverse("admin:performance_offencecount_import_job", args=[preview_job.pk])
    page.wait_for_url(preview_url)
    assert page.locator("h1").inner_text() == f"Reading {release_file.name}"
    region = page.locator("div[role=status][aria-live=polite]")
    assert region.locator("progress").count() == 1
    assert (
        region.locator(".import-progress-text").inner_text()
        == "Waiting for the background worker to start it"
    )
    assert axe_violations(page) == []
    page.evaluate("window.followedWithoutReload = true")
    since_waiting = navigations(page)

    # 2. The worker reads it: the page follows its stages (paused at one to look at it).
    reached, go_on = threading.Event(), threading.Event()
    write = JobProgress.write

    def write_and_pause(progress):
        write(progress)
        if progress.stage == recorded_crime.STAGE_COMPARING and not go_on.is_set():
            reached.set()
            go_on.wait(timeout=30)

    monkeypatch.setattr(JobProgress, "write", write_and_pause)
    with Worker():
        assert reached.wait(timeout=30)
        text = region.locator(".import-progress-text")
        text.filter(has_text="Comparing it with the figures held").wait_for(timeout=10_000)
        rows = int(region.locator("progress").get_attribute("max"))
        assert rows > 500  # three years × 4 quarters × 5 forces × 8 offences, and fraud rows
        assert region.locator("progress").get_attribute("value") == str(rows)
        assert text.inner_text() == f"Comparing it with the figures held: {rows:,} of {rows:,} rows"
        assert axe_violations(page) == []
        go_on.set()

    # 3. The preview's summary and its Confirm button replace the progress, on the same page.
    page.locator("h1", has_text=f"Preview of {release_file.name}").wait_for(timeout=15_000)
    assert page.evaluate("window.followedWithoutReload") is True
    assert since_waiting == [] and page.url == preview_url
    assert page.evaluate("document.activeElement.id") == "import-job-title"
    assert page.title().startswith(f"Preview of {release_file.name} |")
    assert page.locator("ul.import-summary li", has_text="Counts:").count() == 1
    assert axe_violations(page) == []

    # 4. Confirm: the import's page, followed to what the import created.
    page.get_by_role("button", name="Confirm import").click()
    confirm_job = ImportJob.objects.get(kind=ImportJob.Kind.CONFIRM)
    confirm_url = site.url + reverse("admin:performance_offencecount_import_job", args=[confirm_job.pk])
    page.wait_for_url(confirm_url)
    assert page.locator("h1").inner_text() == f"Importing {release_file.name}"
    page.evaluate("window.followedWithoutReload = true")
    since_confirm = navigations(page)
    with Worker():
        pass
    page.locator("h1", has_text=f"Imported {release_file.name}").wait_for(timeout=15_000)
    assert page.evaluate("window.followedWithoutReload") is True
    assert since_confirm == [] and page.url == confirm_url
    outcome = page.locator("ul.import-outcome li")
    assert "new draft quarters" in outcome.nth(0).inner_text()
    assert outcome.nth(0).get_by_role("link", name="review them").count() == 1
    waiting = outcome.filter(has_text="Revised figures wait on the published quarter June 2023")
    assert waiting.get_by_role("link", name="review it").count() == 1
    assert outcome.get_by_role("link", name="open the import log").count() == 1
    assert axe_violations(page) == []
    assert page.console_errors == []

    # 5. Its link leads to the drafts it created.
    outcome.nth(0).get_by_role("link", name="review them").click()
    page.wait_for_url("**publication=draft**")
