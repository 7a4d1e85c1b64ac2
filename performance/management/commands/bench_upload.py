"""Time the recorded crime open data through the admin as staff use it, with a real worker.

For a release of ~165,000 rows (XLSX, the published layout) and one of 1,000,000 rows (CSV):
upload (the request that queues the preview), the preview run by ``manage.py db_worker``, the
confirm (the request that queues it) and the import run by the worker, until the job's page says
it has ended. Prints each request's time, the wall time from upload to the end, and the peak
memory of every process: this one (the app's requests), the worker, and each child the file was
read in (from the worker's log). Goals: ≤ 10 s for 165,000 rows, ≤ 60 s for 1,000,000, no
process over 1 GB, each request ≤ 300 ms. Prints; asserts nothing. Run it on a scratch
database with the database task backend (``make bench-upload`` does).
"""

import csv
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from performance.forces.models import Force

GOALS = {165_000: 10, 1_000_000: 60}  # rows -> seconds, upload to end
REQUEST_GOAL = 0.3
MEMORY_GOAL = 1024 * 1024 * 1024
CHILD_PEAK = re.compile(r"Read a file \(recorded_crime\) in a child process: .*peak memory (\d+) MB")


def peak_of(pid: int) -> int:
    """A running process's peak resident memory in bytes (VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class Command(BaseCommand):
    help = "Time the recorded crime open data's upload, preview and confirm through the admin and a worker."

    def handle(self, *args, **options):
        if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
            raise CommandError("Run with TASK_BACKEND=database: the bench needs a real worker.")
        user, _ = get_user_model().objects.get_or_create(
            username="bench-upload", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(user)
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            files = [(self.release_xlsx(folder), 165_000), (self.million_csv(folder), 1_000_000)]
            log = folder / "worker.log"
            with log.open("w") as log_file:
                worker = subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "LOG_LEVEL": "INFO"},
                )
                try:
                    self.stdout.write(
                        f"{'file':<34} {'upload s':>8} {'preview s':>9} {'confirm s':>9} {'import s':>8} "
                        f"{'total s':>8}  goal"
                    )
                    for path, goal_rows in files:
                        self.run_one(client, path, goal_rows)
                    worker_peak = peak_of(worker.pid)
                finally:
                    worker.terminate()
                    worker.wait(timeout=30)
            children = [int(peak) * 1024 * 1024 for peak in CHILD_PEAK.findall(log.read_text())]
        app_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.stdout.write("\nPeak memory (goal: no process over 1 GB):")
        for name, peak in (
            ("app (this process: the requests)", app_peak),
            ("worker (manage.py db_worker)", worker_peak),
            *((f"child reading file {n}", peak) for n, peak in enumerate(children, start=1)),
        ):
            verdict = "ok" if peak <= MEMORY_GOAL else "OVER"
            self.stdout.write(f"  {name:<36} {peak / 1024 / 1024:>7.0f} MB  {verdict}")

    def run_one(self, client: Client, path: Path, goal_rows: int) -> None:
        begun = time.perf_counter()
        with path.open("rb") as file:
            started = time.perf_counter()
            response = client.post(reverse("admin:performance_offencecount_import"), {"import_file": file})
            upload_seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise CommandError(f"The upload of {path.name} was not accepted ({response.status_code}).")
        job_url = response.url
        preview_seconds = self.wait(client, job_url)
        page = client.get(job_url).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', page)
        if token is None:
            raise CommandError(f"The preview of {path.name} offers no confirm: {page[:2000]}")
        started = time.perf_counter()
        response = client.post(reverse("admin:performance_offencecount_process_import"), {"token": token[1]})
        confirm_seconds = time.perf_counter() - started
        import_seconds = self.wait(client, response.url)
        total = time.perf_counter() - begun
        goal = GOALS[goal_rows]
        requests_ok = max(upload_seconds, confirm_seconds) <= REQUEST_GOAL
        self.stdout.write(
            f"{path.name:<34} {upload_seconds:>8.2f} {preview_seconds:>9.1f} {confirm_seconds:>9.2f} "
            f"{import_seconds:>8.1f} {total:>8.1f}  ≤ {goal} s: {'ok' if total <= goal else 'MISSED'}; "
            f"requests ≤ {REQUEST_GOAL * 1000:.0f} ms: {'ok' if requests_ok else 'MISSED'}"
        )

    def wait(self, client: Client, job_url: str) -> float:
        """Seconds until the job's page says it has ended."""
        progress = job_url.rstrip("/") + "/progress/"
        started = time.perf_counter()
        while True:
            answer = client.get(progress)
            if answer.status_code == 503:  # SQLite: the import's write transaction holds the lock
                self.stdout.write(f"  (the job's page answered 503 at {time.perf_counter() - started:.0f} s)")
                time.sleep(0.5)
                continue
            if answer.status_code != 200:
                raise CommandError(f"{progress} answered {answer.status_code}")
            state = answer.json()
            if state["final"]:
                if state["status"] not in ("finished",):
                    raise CommandError(f"The job ended {state['status']}: {state.get('text')}")
                return time.perf_counter() - started
            time.sleep(0.1)

    def release_xlsx(self, folder: Path) -> Path:
        """Six years × every force × 150 offence codes × 4 quarters (~165,000 rows), as published."""
        from tests.data import make_recorded_crime_files as layout  # the layout the tests use

        forces = [force.name for force in Force.objects.order_by("name")]
        offences = [
            (f"{n}", f"Offence {n}", f"Offence group {n % 12}", f"Offence subgroup {n % 40}")
            for n in range(1, 151)
        ]
        years = [f"{start}_{(start + 1) % 100:02d}" for start in range(2019, 2025)]
        sheets = layout.release_sheets(years=years, forces=forces, offences=offences)
        return layout.write_xlsx(sheets, folder / "recorded-crime-165k.xlsx")

    def million_csv(self, folder: Path) -> Path:
        """1,000,000 rows in one CSV: every force × quarter × offence over enough years."""
        from tests.data.make_hostile_files import RECORDED_CRIME_HEADER

        forces = [force.name for force in Force.objects.exclude(kind=Force.Kind.SPECIAL).order_by("name")]
        path = folder / "recorded-crime-1m.csv"
        per_quarter = 1_000_000 // (len(forces) * 4 * 10) + 1
        written = 0
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(RECORDED_CRIME_HEADER)
            for year in range(2015, 2025):
                for quarter in range(1, 5):
                    for force in forces:
                        for code in range(1, per_quarter + 1):
                            if written == 1_000_000:
                                return path
                            writer.writerow(
                                [
                                    f"{year}/{(year + 1) % 100:02d}",
                                    quarter,
                                    force,
                                    f"Offence {code}",
                                    f"Offence group {code % 12}",
                                    f"Offence subgroup {code % 40}",
                                    f"{code}",
                                    (code * 7 + quarter + year) % 300,
                                ]
                            )
                            written += 1
        return path
