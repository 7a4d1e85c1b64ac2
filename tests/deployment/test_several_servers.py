"""Several app servers: two gunicorn servers and a worker sharing one database, one Redis cache
and one media folder, as a deployment behind a load balancer runs them.

The ``servers`` fixture builds that deployment, once for this file, with production settings
(DEBUG off, collected static files, plain HTTP as behind a proxy that terminates TLS): a database
of its own (a scratch database on the PostgreSQL server in DATABASE_URL when the suite runs on
PostgreSQL, as in CI, dropped afterwards; otherwise a SQLite file), migrated and holding the
demo data, an Editor and a Publisher; its own ``redis-server`` on a free port, keeping nothing
on disk; one media folder; then app servers A and B and one ``manage.py db_worker``, started
together. Every request is sent with the same Host, as through the one proxy in front of both
servers. Every process is stopped, by its process group, whatever happens; a failing test prints
the servers' and the worker's logs.

The Editor signs in once, on A, and uses both servers with that one session:

- a 999 month previewed on A is confirmed on B (the preview's token, made on A, is honoured on B)
  and waits as a draft; the Police Data page and the 999 archive, stored in the shared cache by
  A, are answered by B from that copy without the draft; a Publisher publishes the month on B,
  and both servers' pages show it (the content version moves for both);
- a document uploaded on A is served by B from the shared media folder, before and after a
  Publisher publishes it, and the worker reads it (a task queued in the shared database; the
  worker records its result there).

A last test checks the other way to share media: S3-compatible storage (MEDIA_STORAGE=s3), as
the settings configure it from the environment.

The helpers (``sign_in``, ``submit``, ``import_preview``, ``import_confirm``, ``publish``,
``enqueue``, ``wait_for_tasks``, ``page_text``) drive the admin as a browser does, so an import
that runs as a background task is tested by previewing it on A, confirming it on B and waiting
for the worker with ``wait_for_tasks``.

Never skipped: ``make install-test`` installs Debian's redis-server, and a missing one is a
failure.
"""

import contextlib
import hashlib
import html
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from performance.management.commands.bench_extraction import text_pdf
from performance.publishing.caching import VERSION_CHECK_SECONDS
from tests.deployment.test_faults import ScratchPostgres, end_process, free_port
from tests.helpers import ROOT

HOST = "localhost"  # the site's name, as the proxy in front of both servers passes it on
POLICE_DATA = "/document-library/police-data/"
ARCHIVE_999 = "/document-library/police-data/999-calls/"
STARTUP_SECONDS = 60
# Each process reads the content version from the database at most once a second.
CHANGE_SHOWN_WITHIN = VERSION_CHECK_SECONDS + 3

OCTOBER_FILE = "\r\n".join(
    [
        "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
        "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over",
        "Norfolk,Oct-23,11111,7.31,88.8,10.9,0.3",
    ]
).encode()
SEPTEMBER_SHOWN = "In September 2023, Norfolk received 11,628 calls to 999"
OCTOBER_SHOWN = "In October 2023, Norfolk received 11,111 calls to 999"


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass(frozen=True)
class Server:
    name: str
    port: int


@dataclass
class Deployment:
    env: dict
    logs: Path
    a: Server
    b: Server
    cache: redis.Redis
    passwords: dict[str, str]
    worker_id: str
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, command: list[str]) -> Process:
        """``command`` in a process group of its own (so that stopping it stops its children),
        its output in its log."""
        log = self.logs / f"{name}.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start_manage(self, name: str, *args: str) -> Process:
        return self.start(name, [sys.executable, "manage.py", *args])

    def manage(self, *args: str, timeout: float = 120) -> str:
        """``manage.py`` with the servers' settings; its output, once it has succeeded."""
        name = f"{len(self.processes)}-manage-{args[0]}"
        return finish(self.start_manage(name, *args), timeout=timeout)

    def stop(self) -> None:
        for process in reversed(self.processes):
            end_process(process.popen)

    def all_logs(self) -> str:
        return "\n".join(
            f"----- {process.name} (exit {process.popen.poll()}) -----\n{process.log_text()[-20_000:]}"
            for process in self.processes
        )

    @contextlib.contextmanager
    def logs_on_failure(self):
        try:
            yield
        except Exception:
            print(self.all_logs())
            raise


def finish(process: Process, timeout: float = 180) -> str:
    """Wait for a command; its output, or a failure that shows it."""
    try:
        code = process.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_process(process.popen)
        pytest.fail(f"{process.name} did not finish within {timeout} s:\n{process.log_text()}")
    assert code == 0, f"{process.name} failed (exit {code}):\n{process.log_text()}"
    return process.log_text()


def wait_until_ready(deployment: Deployment, checks: dict[Process, object]) -> None:
    """Wait until each process's check passes, failing with its log if it exits or is too slow."""
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = dict(checks)
    while waiting:
        for process, ready in list(waiting.items()):
            assert process.popen.poll() is None, f"{process.name} stopped:\n{process.log_text()}"
            with contextlib.suppress(OSError, redis.RedisError):
                if ready():
                    del waiting[process]
        assert time.monotonic() < deadline, (
            f"Not ready within {STARTUP_SECONDS} s: {', '.join(p.name for p in waiting)}\n"
            + deployment.all_logs()
        )
        time.sleep(0.1)


def redis_binary() -> str:
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")
    if not binary:
        pytest.fail("redis-server is not installed (Debian package redis-server): run `make install-test`.")
    return binary


def settings_env(*, database_url: str, redis_url: str, work: Path) -> dict:
    """The environment of every server, the worker and each command: production settings, read
    from the environment alone (nothing inherited from this run's or a developer's settings)."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pcc_site.settings",
        READ_DOTENV="0",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        TASK_BACKEND="database",
        HTTPS="0",  # plain HTTP from the proxy: no redirect to HTTPS, cookies not Secure-only
        TRUSTED_PROXIES="0",
        PAGE_CACHE_SECONDS="600",
        REQUIRE_2FA="0",  # staff sign in with a password (two-factor sign-in has tests of its own)
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def scratch_database(work: Path):
    """A new, empty database's URL: on the PostgreSQL server of DATABASE_URL when the suite runs
    on PostgreSQL, dropped afterwards; otherwise a SQLite file in ``work``."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://", "pgsql://")):
        yield f"sqlite:///{work / 'servers.sqlite3'}"
        return
    postgres = ScratchPostgres(configured)
    name = postgres.create("servers")
    try:
        yield postgres.url(name)
    finally:
        postgres.drop(name)


def free_ports(count: int) -> list[int]:
    """``count`` different ports that nothing listens on."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return list(ports)


STAFF = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

for username, role, password in {accounts!r}:
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
"""


@pytest.fixture(scope="module")
def servers():
    work = Path(tempfile.mkdtemp(prefix="pcc-servers-"))
    (work / "media").mkdir()
    redis_port, port_a, port_b = free_ports(3)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        database_url = cleanup.enter_context(scratch_database(work))
        passwords = {"editor": secrets.token_urlsafe(12), "publisher": secrets.token_urlsafe(12)}
        deployment = Deployment(
            env=settings_env(
                database_url=database_url, redis_url=f"redis://127.0.0.1:{redis_port}/0", work=work
            ),
            logs=work,
            a=Server("A", port_a),
            b=Server("B", port_b),
            cache=redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=5),
            passwords=passwords,
            worker_id=f"worker-{secrets.token_hex(4)}",
        )
        cleanup.callback(deployment.stop)
        cleanup.callback(deployment.cache.close)

        redis_command = [redis_binary(), "--port", str(redis_port), "--bind", "127.0.0.1"]
        redis_command += ["--save", "", "--appendonly", "no"]  # nothing kept on disk
        cache = deployment.start("redis", redis_command)
        static = deployment.start_manage("collectstatic", "collectstatic", "--noinput", "-v", "0")
        finish(deployment.start_manage("migrate", "migrate", "--noinput", "-v", "0"))
        accounts = [
            ("editor", "Editor", passwords["editor"]),
            ("publisher", "Publisher", passwords["publisher"]),
        ]
        setup = [
            deployment.start_manage("load_demo_data", "load_demo_data"),
            deployment.start_manage("staff", "shell", "--no-imports", "-c", STAFF.format(accounts=accounts)),
            static,
        ]
        for command in setup:
            finish(command)

        app = [sys.executable, "-m", "gunicorn", "pcc_site.wsgi", "--workers", "1", "--timeout", "60"]
        app += ["--graceful-timeout", "2", "--no-control-socket"]
        server_a = deployment.start("server-A", [*app, "--bind", f"127.0.0.1:{port_a}"])
        server_b = deployment.start("server-B", [*app, "--bind", f"127.0.0.1:{port_b}"])
        worker_options = ["--interval", "0.2", "--no-startup-delay", "--worker-id", deployment.worker_id]
        worker = deployment.start_manage("worker", "db_worker", *worker_options)
        wait_until_ready(
            deployment,
            {
                cache: deployment.cache.ping,
                server_a: lambda: answers(deployment.a),
                server_b: lambda: answers(deployment.b),
                worker: lambda: "Starting worker" in worker.log_text(),
            },
        )
        yield deployment


# --------------------------------------------------------------------------------------------
# A browser: cookies, forms and the admin
# --------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    path: str  # the address that answered, after any redirect

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Browser:
    """One person's browser: its cookies (a session, the CSRF cookie) go with every request, to
    whichever server it is sent; redirects are followed on that server."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(
        self, server: Server, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> Response:
        for _ in range(5):
            headers = {"Host": HOST}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            if method == "POST":
                headers.update({"Content-Type": content_type, "Origin": f"http://{HOST}"})
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            try:
                connection.request(method, path, body=body or None, headers=headers)
                answer = connection.getresponse()
                response = Response(answer.status, answer.headers, answer.read(), path)
            finally:
                connection.close()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.status not in (301, 302, 303):
                return response
            location = urlsplit(urljoin(path, response.headers["Location"]))
            method, body, path = "GET", b"", location.path + (f"?{location.query}" if location.query else "")
        raise AssertionError(f"Too many redirects from {path} on {server.name}")

    def get(self, server: Server, path: str) -> Response:
        return self.request(server, "GET", path)

    def post(self, server: Server, path: str, data: dict, files: dict | None = None) -> Response:
        if files:
            body = encode_multipart(BOUNDARY, {**data, **files})
            return self.request(server, "POST", path, body, MULTIPART_CONTENT)
        return self.request(
            server, "POST", path, urlencode(data, doseq=True).encode(), "application/x-www-form-urlencoded"
        )


def answers(server: Server) -> bool:
    return Browser().get(server, "/admin/login/").status == 200


@dataclass
class Form:
    action: str
    data: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class FormReader(HTMLParser):
    """Every form of a page with the values a browser would send as it stands (checked boxes,
    selected options, a select's first option when none is selected), its file fields and each
    select's options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.select: tuple[str, bool] | None = None
        self.option: list | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            self.forms.append(Form(action=attributes.get("action") or ""))
        elif not self.forms or "disabled" in attributes:
            return
        elif tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind == "file":
                self.forms[-1].files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.forms[-1].data.setdefault(name, []).append(attributes.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self.forms[-1].data.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in attributes)
            self.forms[-1].options[name] = []
        elif tag == "option" and self.select:
            self.option = [attributes.get("value"), "selected" in attributes, ""]
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None and self.select:
            value, selected, label = self.option
            label = label.strip()
            value = label if value is None else value
            self.forms[-1].options[self.select[0]].append((value, label))
            if selected:
                self.forms[-1].data.setdefault(self.select[0], []).append(value)
            self.option = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            options = self.forms[-1].options[name]
            if not multiple and name not in self.forms[-1].data and options:
                self.forms[-1].data[name] = [options[0][0]]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.forms[-1].data[self.textarea[0]] = [self.textarea[1].removeprefix("\n")]
            self.textarea = None


def form_with(page: Response, name: str) -> Form:
    """The page's one form with a field called ``name``."""
    reader = FormReader()
    reader.feed(page.text)
    found = [form for form in reader.forms if name in form.data or name in form.files or name in form.options]
    assert len(found) == 1, (
        f"{len(found)} forms with {name!r} on {page.path} ({page.status}):\n{page_text(page)[:3000]}"
    )
    return found[0]


def submit(
    browser: Browser, server: Server, page: Response, having: str, values=None, files=None
) -> Response:
    """Fill in the form of ``page`` that has the field ``having`` and send it to ``server`` (which
    need not be the server that gave the page), as a browser would."""
    form = form_with(page, having)
    data = {**form.data, **{name: [value] for name, value in (values or {}).items()}}
    uploads = {name: SimpleUploadedFile(*upload) for name, upload in (files or {}).items()}
    return browser.post(server, urljoin(page.path, form.action), data, uploads)


def page_text(response: Response) -> str:
    """The page's words, tags left out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def sign_in(deployment: Deployment, server: Server, username: str) -> Browser:
    """A browser signed in to the admin as ``username``, through the sign-in form."""
    browser = Browser()
    form = browser.get(server, "/admin/login/?next=/admin/")
    values = {"username": username, "password": deployment.passwords[username]}
    signed_in = submit(browser, server, form, "password", values)
    assert (signed_in.status, signed_in.path) == (200, "/admin/"), page_text(signed_in)[:2000]
    assert "sessionid" in browser.cookies
    return browser


def admin_path(model: str, view: str = "") -> str:
    return f"/admin/performance/{model}/{view}"


def import_preview(browser: Browser, server: Server, model: str, name: str, data: bytes) -> Response:
    """Upload a file on ``model``'s import page: the preview, with its confirm form."""
    page = browser.get(server, admin_path(model, "import/"))
    preview = submit(browser, server, page, "import_file", files={"import_file": (name, data)})
    assert preview.status == 200, page_text(preview)[:3000]
    return preview


def import_confirm(browser: Browser, server: Server, preview: Response) -> Response:
    """Send the preview's confirm form (its token alone) to ``server``."""
    return submit(browser, server, preview, "token")


def drafts(browser: Browser, server: Server, model: str) -> dict[int, str]:
    """What the admin lists as drafts of ``model``: each row's words, by the row's id."""
    listed = browser.get(server, admin_path(model, "?publication=draft"))
    assert listed.status == 200, page_text(listed)[:2000]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", listed.text, re.S):
        if link := re.search(rf'href="{admin_path(model)}(\d+)/change/', row):
            rows[int(link.group(1))] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
    return rows


def the_one(rows: dict[int, str], words: str) -> int:
    """The id of the one row that begins with ``words``."""
    found = [pk for pk, row in rows.items() if row.startswith(words)]
    assert len(found) == 1, f"{len(found)} rows begin with {words!r}: {rows}"
    return found[0]


def publish(browser: Browser, server: Server, model: str, pk: int, reason: str) -> Response:
    """Publish one item now from its "publish" page, giving ``reason`` if its checks ask for one."""
    page = browser.get(server, admin_path(model, f"{pk}/publish/"))
    assert page.status == 200, page_text(page)[:2000]
    needs_reason = "publication_reason" in form_with(page, "publish_at").data
    return submit(browser, server, page, "publish_at", {"publication_reason": reason} if needs_reason else {})


def public(server: Server, path: str) -> Response:
    """``path`` as an anonymous reader gets it from ``server``."""
    return Browser().get(server, path)


def shown_soon(server: Server, path: str, words: str) -> Response:
    """The public page at ``path`` once ``server`` shows ``words`` on it, which it must do within
    CHANGE_SHOWN_WITHIN seconds of the change."""
    deadline = time.monotonic() + CHANGE_SHOWN_WITHIN
    while words not in page_text(shown := public(server, path)):
        assert time.monotonic() < deadline, f"{server.name} does not show {words!r} on {path}"
        time.sleep(0.2)
    return shown


def cache_stats(deployment: Deployment) -> tuple[int, int]:
    """How many SET commands the shared cache has run, and how many reads found their key."""
    info = deployment.cache.info("all")
    return info.get("cmdstat_set", {}).get("calls", 0), info["keyspace_hits"]


# --------------------------------------------------------------------------------------------
# The worker
# --------------------------------------------------------------------------------------------

ENQUEUE = """
import json
from django.utils.module_loading import import_string
print(json.dumps(str(import_string({path!r}).enqueue(*{args!r}).id)))
"""

WAIT_FOR_TASKS = """
import json, time
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
deadline = time.monotonic() + {timeout!r}
unfinished = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
while unfinished.exists() and time.monotonic() < deadline:
    time.sleep(0.1)
print(json.dumps([
    dict(id=str(r.id), task=r.task_path, status=r.status, worker_ids=r.worker_ids,
         return_value=r.return_value, traceback=r.traceback)
    for r in DBTaskResult.objects.order_by("enqueued_at")
]))
"""


def last_json_line(output: str):
    return json.loads(output.strip().splitlines()[-1])


def enqueue(deployment: Deployment, task_path: str, *args) -> str:
    """Queue the task at ``task_path`` in the shared database, as a server would; its id."""
    code = ENQUEUE.format(path=task_path, args=list(args))
    return last_json_line(deployment.manage("shell", "--no-imports", "-c", code))


def wait_for_tasks(deployment: Deployment, timeout: float = 30) -> dict[str, dict]:
    """Wait until the worker has run every queued task; each task's result, by id."""
    code = WAIT_FOR_TASKS.format(timeout=timeout)
    results = last_json_line(deployment.manage("shell", "--no-imports", "-c", code, timeout=timeout + 60))
    unfinished = [r for r in results if r["status"] in ("READY", "RUNNING")]
    assert not unfinished, f"The worker left tasks unfinished after {timeout} s: {unfinished}"
    return {result["id"]: result for result in results}


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def editor(servers) -> Browser:
    """The Editor, signed in once, on A; the same session is used on both servers."""
    return sign_in(servers, servers.a, "editor")


@pytest.fixture(scope="module")
def publisher(servers) -> Browser:
    return sign_in(servers, servers.b, "publisher")


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other_and_published_on_both(
    servers, editor, publisher
):
    a, b = servers.a, servers.b
    with servers.logs_on_failure():
        preview = import_preview(editor, a, "callanswermonth", "999-october-2023.csv", OCTOBER_FILE)
        assert "1 new, 0 updated, 0 unchanged." in page_text(preview)
        assert "New Home force Norfolk October 2023 11,111 7.31" in page_text(preview)

        confirmed = import_confirm(editor, b, preview)
        said = page_text(confirmed)
        assert confirmed.status == 200, said
        assert re.fullmatch(
            re.escape(admin_path("callanswermonth", "import/result/")) + r"\d+/", confirmed.path
        ), said
        assert "Imported 999-october-2023.csv: 1 new, 0 updated, 0 unchanged." in said
        assert "1 new draft 999 month Norfolk (home force), October 2023" in said
        listed = drafts(editor, a, "callanswermonth")
        october = the_one(listed, "Norfolk October 2023 Draft 11,111")
        assert list(listed) == [october] and drafts(editor, b, "callanswermonth") == listed

        # Each page, stored in the shared cache by A, is answered by B from that copy: B stores
        # nothing, and its read finds the key. The draft is on neither. (First, both servers
        # read the content version afresh, whatever changed just before this test.)
        time.sleep(VERSION_CHECK_SECONDS)
        before = {}
        for path in (POLICE_DATA, ARCHIVE_999):
            from_a = public(a, path)
            assert from_a.status == 200, page_text(from_a)[:2000]
            stored, found = cache_stats(servers)
            from_b = public(b, path)
            assert cache_stats(servers)[0] == stored, f"B stored {path} again instead of using A's copy"
            assert cache_stats(servers)[1] > found, f"B did not read {path} from the shared cache"
            assert (from_b.status, from_b.headers["ETag"]) == (200, from_a.headers["ETag"])
            assert from_b.body == from_a.body
            assert SEPTEMBER_SHOWN in page_text(from_b) and OCTOBER_SHOWN not in page_text(from_b)
            before[path] = from_a

        published = publish(publisher, b, "callanswermonth", october, reason="Checked with the force.")
        said = page_text(published)
        assert published.path == admin_path("callanswermonth", f"{october}/change/"), said[:2000]
        assert "1 published." in said
        assert drafts(publisher, a, "callanswermonth") == {}

        for server in (a, b):
            for path, old in before.items():
                shown = shown_soon(server, path, OCTOBER_SHOWN)
                assert shown.headers["ETag"] != old.headers["ETag"]
                assert shown.headers["Last-Modified"] != old.headers["Last-Modified"]
                if path == ARCHIVE_999:
                    assert "October 2023 11,111 7.31 88.8%" in page_text(shown)


def test_a_document_uploaded_on_one_server_is_served_by_the_other_and_read_by_the_worker(
    servers, editor, publisher
):
    a, b = servers.a, servers.b
    title = f"Police and crime panel papers {secrets.token_hex(3)}"
    pdf = text_pdf([[title, "Uploaded on one app server, served by another."]])
    with servers.logs_on_failure():
        form = editor.get(a, admin_path("document", "add/"))
        category = next(value for value, label in form_with(form, "category").options["category"] if value)
        values = {"title": title, "category": category, "published_on": "07/11/2023"}
        upload = {"file": ("panel-papers.pdf", pdf, "application/pdf")}
        added = submit(editor, a, form, "title", values, upload)
        assert added.path == admin_path("document"), page_text(added)[:3000]
        document = the_one(drafts(editor, b, "document"), title)
        address = f"/document-library/documents/{document}/panel-papers.pdf"

        preview = editor.get(b, f"{address}?preview=1")  # a draft, shown to staff
        assert (preview.status, preview.headers["Content-Type"]) == (200, "application/pdf")
        assert preview.body == pdf
        assert public(b, address).status == 404

        task = enqueue(servers, "tests.deployment.server_tasks.document_digest", document)
        result = wait_for_tasks(servers)[task]
        assert (result["status"], result["worker_ids"]) == ("SUCCESSFUL", [servers.worker_id]), result
        assert result["return_value"] == {"title": title, "sha256": hashlib.sha256(pdf).hexdigest()}

        published = publish(publisher, b, "document", document, reason="Papers for the panel.")
        assert "1 published." in page_text(published), page_text(published)[:2000]
        for server in (a, b):
            served = public(server, address)
            assert (served.status, served.body) == (200, pdf)
        for server in (a, b):
            shown_soon(server, "/document-library/", title)


# --------------------------------------------------------------------------------------------
# Media on S3-compatible storage, instead of a shared folder
# --------------------------------------------------------------------------------------------

READ_STORAGE = (
    "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
)


def storage_setting(**environment: str) -> subprocess.CompletedProcess:
    """The media storage the production settings configure from ``environment``, as JSON."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="pcc_site.settings", READ_DOTENV="0", SECRET_KEY=secrets.token_urlsafe(50)
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {READ_STORAGE}"],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_media_on_s3_compatible_storage_is_a_setting():
    result = storage_setting(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="opcc-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
        AWS_S3_REGION_NAME="eu-west-2",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "opcc-media",
            "endpoint_url": "https://s3.example.net",
            "region_name": "eu-west-2",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    assert json.loads(storage_setting().stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    refused = storage_setting(MEDIA_STORAGE="s3")
    assert refused.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in refused.stderr


def job_followed(browser: Browser, server: Server, job_path: str, timeout: float = 60) -> dict:
    """The job's progress, as its page's script reads it, once it has ended."""
    deadline = time.monotonic() + timeout
    while True:
        answer = browser.get(server, job_path.rstrip("/") + "/progress/")
        assert answer.status == 200, page_text(answer)[:2000]
        state = json.loads(answer.text)
        if state["final"]:
            return state
        assert time.monotonic() < deadline, f"the job at {job_path} did not end: {state}"
        time.sleep(0.2)


def test_the_open_data_previewed_on_one_server_is_confirmed_on_the_other_both_run_by_the_worker(
    servers, editor
):
    """The recorded crime open data, as published: uploaded on A (the request only queues the
    preview), previewed by the worker, followed and confirmed on B, imported by the worker, and
    its result read on A."""
    from tests.data import make_recorded_crime_files as layout

    a, b = servers.a, servers.b
    with servers.logs_on_failure(), tempfile.TemporaryDirectory() as folder:
        path = layout.write_xlsx(layout.release_sheets(), Path(folder) / "recorded-crime.xlsx")
        page = editor.get(a, admin_path("offencecount", "import/"))
        queued = submit(editor, a, page, "import_file", files={"import_file": (path.name, path.read_bytes())})
        assert queued.status == 200 and "/import/" in queued.path, page_text(queued)[:2000]
        job_path = queued.path

        preview = job_followed(editor, b, job_path)  # the worker ran it; B follows it
        assert preview["status"] == "finished", preview
        previewed = editor.get(b, job_path)
        assert "Rows read:" in page_text(previewed)

        confirmed = submit(editor, b, previewed, "token")
        assert confirmed.status == 200 and confirmed.path != job_path, page_text(confirmed)[:2000]
        result = job_followed(editor, a, confirmed.path)
        assert result["status"] == "finished", result
        assert "new" in page_text(editor.get(a, confirmed.path))
        counts = editor.get(b, admin_path("offencecount"))
        assert counts.status == 200 and 'class="field-count_display"' in counts.text  # counts are listed
