"""Faults: the database going away while the site runs, and an import killed mid-way.

The site and the commands run in subprocesses against real servers: gunicorn serving the site,
PostgreSQL behind a closed port or a proxy that is cut and restored, ``import_999`` killed with
SIGKILL. The PostgreSQL tests use scratch databases on the server in ``DATABASE_URL`` when that is
PostgreSQL (as in CI), otherwise on the local server at 127.0.0.1:5432; they are dropped afterwards.
The helpers here are shared with ``test_backup.py``.
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import quote

import dj_database_url
import psycopg
import pytest
from django.db.utils import OperationalError
from django.template.loader import render_to_string
from psycopg import sql

from performance.management.commands.bench_import import national_calls_csv
from performance.models import Force
from performance.publishing.caching import forget_version
from tests.helpers import ROOT, status_and_heading

LOCAL_POSTGRES = "postgres://pcc:pcc@127.0.0.1:5432/pcc"
PAGE = "/document-library/police-data/"
PUBLIC_PAGES = [PAGE, "/document-library/", "/document-library/police-data/999-calls/"]
FRIENDLY = ["the figures are temporarily unavailable", "try again in a few minutes", "always dial 999"]
# Nothing about the fault or the configuration may reach the public.
LEAKS = ["traceback", "secret_key", "database", "psycopg", "settings", "operationalerror", "5432"]


# --------------------------------------------------------------------------------------------
# Subprocesses
# --------------------------------------------------------------------------------------------


def subprocess_env(database_url: str, **extra: str) -> dict:
    """The environment for the site or a command: production settings (DEBUG off) with plain
    static files storage, and the given database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(
        DJANGO_SETTINGS_MODULE="pcc_site.settings_test",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="test",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def manage(
    *args: str, database_url: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def free_port() -> int:
    """A port nothing listens on (bound for a moment by the kernel's choice, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def end_process(process: subprocess.Popen) -> None:
    """Stop a process this test started (and its process group), however it is doing."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def get(self, path: str, timeout: float = 20) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read().decode())
        finally:
            connection.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def site_server(database_url: str, log: Path):
    """The site under gunicorn (one sync worker, so one persistent database connection)."""
    port = free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "pcc_site.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"),
                *("--graceful-timeout", "2", "--no-control-socket"),
            ],
            cwd=ROOT,
            env=subprocess_env(database_url),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"The site did not start:\n{server.log_text()}"
            assert time.monotonic() < deadline, f"The site did not answer within 30 s:\n{server.log_text()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        yield server
    finally:
        end_process(process)


# --------------------------------------------------------------------------------------------
# PostgreSQL scratch databases
# --------------------------------------------------------------------------------------------


class ScratchPostgres:
    """Creates and drops scratch databases, named for this run, on one PostgreSQL server."""

    def __init__(self, url: str):
        config = dj_database_url.parse(url)
        self.host = config["HOST"] or "127.0.0.1"
        self.port = int(config["PORT"] or 5432)
        self.user = config["USER"]
        self.password = config["PASSWORD"]
        self.prefix = f"pcc_scratch_{os.getpid()}_{secrets.token_hex(3)}"
        self.created: list[str] = []
        self.demo: str | None = None  # the demo_database fixture's database, made once a session

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def url(self, name: str, *, port: int | None = None) -> str:
        credentials = quote(self.user, safe="") + (
            f":{quote(self.password, safe='')}" if self.password else ""
        )
        return f"postgres://{credentials}@{self.host}:{port or self.port}/{name}"

    def create(self, purpose: str, *, template: str | None = None) -> str:
        """A new database: empty, or a copy of ``template``."""
        name = f"{self.prefix}_{purpose}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        deadline = time.monotonic() + 10
        with self.connect() as connection:
            while True:
                try:
                    connection.execute(statement)
                    break
                except psycopg.errors.ObjectInUse:  # the template's last user is still leaving
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(list(self.created)):
            self.drop(name)
        self.demo = None

    def query(self, name: str, statement, params=()) -> list[tuple]:
        with self.connect(name) as connection:
            return connection.execute(statement, params).fetchall()


# One per server for the whole run: test_backup.py imports these fixtures, and pytest then runs
# each session fixture once per module, so they share what they make through here.
_servers: dict[str, ScratchPostgres] = {}


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL server for the fault and backup tests: the one in DATABASE_URL when the
    suite runs on PostgreSQL (CI), otherwise the local development server."""
    configured = os.environ.get("DATABASE_URL", "")
    on_postgres = configured.startswith(("postgres://", "postgresql://", "pgsql://"))
    url = configured if on_postgres else LOCAL_POSTGRES
    server = _servers.setdefault(url, ScratchPostgres(url))
    try:
        server.connect().close()
    except psycopg.OperationalError as error:
        if on_postgres:
            pytest.fail(f"The PostgreSQL server in DATABASE_URL cannot be reached: {error}")
        pytest.skip(f"No PostgreSQL server at {server.host}:{server.port} for the fault tests: {error}")
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def demo_database(postgres) -> str:
    """A migrated database holding the demo data, to copy with ``scratch(…, template=…)``."""
    if postgres.demo is None:
        name = postgres.create("demo")
        manage("migrate", "--noinput", "-v", "0", database_url=postgres.url(name))
        manage("load_demo_data", database_url=postgres.url(name))
        postgres.demo = name
    return postgres.demo


@pytest.fixture
def scratch(postgres):
    """Make scratch databases for one test; they are dropped after it, whatever happened."""
    made = []

    def create(purpose: str, *, template: str | None = None) -> str:
        name = postgres.create(f"{purpose}_{secrets.token_hex(2)}", template=template)
        made.append(name)
        return name

    try:
        yield create
    finally:
        for name in made:
            postgres.drop(name)


def table_checksums(postgres: ScratchPostgres, name: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and an MD5 of all its rows: equal means the same contents."""
    with postgres.connect(name) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
            for table in tables
        }


# --------------------------------------------------------------------------------------------
# A database that goes away
# --------------------------------------------------------------------------------------------


class TcpProxy:
    """Forwards a local port to the database server. ``stop()`` closes the listener and cuts
    every open connection, as a database server that went away would; ``start()`` listens on the
    same port again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.pumps: list[threading.Thread] = []
        self.acceptor: threading.Thread | None = None
        self.stopping = threading.Event()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self.stopping = threading.Event()
        self.acceptor = threading.Thread(target=self._accept, args=(listener, self.stopping), daemon=True)
        self.acceptor.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.acceptor is not None:
            self.acceptor.join(timeout=5)
            self.acceptor = None
        with self.lock:
            sockets, self.sockets = self.sockets, set()
            pumps, self.pumps = self.pumps, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for pump in pumps:
            pump.join(timeout=5)
        for sock in sockets:
            sock.close()

    def _accept(self, listener: socket.socket, stopping: threading.Event) -> None:
        with listener:
            while not stopping.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    upstream = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    client.close()
                    continue
                client.settimeout(None)
                upstream.settimeout(None)
                with self.lock:
                    self.sockets.update((client, upstream))
                    for source, target in ((client, upstream), (upstream, client)):
                        pump = threading.Thread(target=self._pump, args=(source, target), daemon=True)
                        self.pumps.append(pump)
                        pump.start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def assert_friendly_503(response: Response) -> None:
    assert response.status == 503, response.text
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.text.lower()
    for words in FRIENDLY:
        assert words in text
    for leak in LEAKS:
        assert leak not in text, f"The 503 page mentions {leak!r}"


def test_database_unreachable_answers_friendly_503(tmp_path):
    """Nothing listens on the database port: every public page says so kindly, and the log
    says why."""
    closed = free_port()
    with site_server(f"postgres://pcc:pcc@127.0.0.1:{closed}/pcc", tmp_path / "site.log") as server:
        responses = [server.get(path) for path in PUBLIC_PAGES]
        log = server.log_text()
    for response in responses:
        assert_friendly_503(response)
        assert str(closed) not in response.text
        assert 'href="/static/css/site.css"' in response.text  # the template, not the fallback
    assert f"Database unavailable: GET {PAGE} answered 503" in log
    assert "Connection refused" in log


def test_site_recovers_by_itself_when_the_database_returns(postgres, demo_database, scratch, tmp_path):
    name = scratch("recovery", template=demo_database)
    proxy = TcpProxy((postgres.host, postgres.port))
    proxy.start()
    try:
        with site_server(postgres.url(name, port=proxy.port), tmp_path / "site.log") as server:
            up = server.get(PAGE)
            assert up.status == 200, up.text[:2000]
            assert "9,933" in up.text

            proxy.stop()  # the server goes away, taking the site's open connection with it
            for path in PUBLIC_PAGES:
                assert_friendly_503(server.get(path))

            proxy.start()  # and comes back: the same site process serves the page again
            again = server.get(PAGE)
            assert again.status == 200, again.text[:2000]
            assert again.text == up.text
            assert server.process.poll() is None
            assert server.log_text().count("Booting worker") == 1, "the worker was restarted"
    finally:
        proxy.stop()


# --------------------------------------------------------------------------------------------
# The middleware in-process: what it catches and what it does not
# --------------------------------------------------------------------------------------------


def test_503_page_renders_without_a_request_or_database():
    page = render_to_string("503.html")  # pytest-django refuses any database query here
    assert "temporarily unavailable" in page
    assert "always dial 999" in page


def test_last_modified_lookup_failing_answers_503(client):
    """The ``condition`` decorator's Last-Modified lookup is the first query of every public page."""
    with mock.patch(
        "performance.publishing.caching._read_version", side_effect=OperationalError("server closed")
    ) as lookup:
        forget_version()  # so this request reads the content version
        response = client.get(PAGE)
    assert lookup.called
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "ETag" not in response and "Last-Modified" not in response
    assert "server closed" not in response.content.decode()


def test_other_errors_are_not_hidden_as_503(client):
    client.raise_request_exception = False
    forget_version()
    with mock.patch("performance.publishing.caching._read_version", side_effect=ValueError("a bug")):
        response = client.get(PAGE)
    assert status_and_heading(response) == (500, "Server Error (500)")
    assert "temporarily unavailable" not in response.content.decode()


def test_plain_fallback_if_the_503_page_cannot_render(client):
    forget_version()
    with (
        mock.patch("performance.publishing.caching._read_version", side_effect=OperationalError("down")),
        mock.patch("performance.shared.middleware.render_to_string", side_effect=ValueError("no manifest")),
    ):
        response = client.get(PAGE)
    assert response.status_code == 503
    text = response.content.decode().lower()
    assert all(words in text for words in FRIENDLY)


# --------------------------------------------------------------------------------------------
# An import killed mid-way
# --------------------------------------------------------------------------------------------


def test_import_killed_mid_way_leaves_the_database_as_it_was(postgres, demo_database, scratch, tmp_path):
    name = scratch("sigkill", template=demo_database)
    forces = [
        SimpleNamespace(full_name=row[0])
        for row in postgres.query(
            name,
            "SELECT full_name FROM performance_force WHERE kind <> %s ORDER BY name",
            [Force.Kind.SPECIAL.value],
        )
    ]
    assert len(forces) == 45
    release = tmp_path / "national.csv"
    release.write_bytes(national_calls_csv(forces, 120))  # 5,400 rows, some changing held months

    before = table_checksums(postgres, name)
    assert before["performance_callanswermonth"][0] > 0
    assert {"performance_callanswerrank", "performance_importlog", "performance_sitesettings"} <= set(before)

    app_name = f"pcc-sigkill-{secrets.token_hex(4)}"
    env = subprocess_env(postgres.url(name), PGAPPNAME=app_name)
    with (tmp_path / "import.out").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_999", str(release)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Mid-way: the import's transaction is open and has written rows (it has a transaction ID).
        with postgres.connect(name) as watcher:
            deadline = time.monotonic() + 60
            while True:
                writing = watcher.execute(
                    "SELECT state FROM pg_stat_activity WHERE application_name = %s "
                    "AND backend_xid IS NOT NULL AND state IN ('active', 'idle in transaction')",
                    [app_name],
                ).fetchall()
                if writing:
                    break
                assert process.poll() is None, "the import ended before it could be killed mid-way"
                assert time.monotonic() < deadline, "the import never opened its transaction"
                time.sleep(0.005)
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
            deadline = time.monotonic() + 10
            while watcher.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", [app_name]
            ).fetchall():
                assert time.monotonic() < deadline, "the killed import's session never ended"
                time.sleep(0.05)
    finally:
        end_process(process)
    assert "Imported" not in (tmp_path / "import.out").read_text(errors="replace")

    after = table_checksums(postgres, name)
    assert after == before
    assert not postgres.query(name, "SELECT 1 FROM performance_importlog WHERE file_name = 'national.csv'")

    # The same import left to finish does change those tables, so the checksums would have seen it.
    manage("import_999", str(release), database_url=postgres.url(name))
    finished = table_checksums(postgres, name)
    assert finished["performance_callanswermonth"] != before["performance_callanswermonth"]
    assert finished["performance_importlog"][0] == before["performance_importlog"][0] + 1
