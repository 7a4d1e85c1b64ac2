import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from performance.publishing import caching
from tests.factories import staff


@pytest.fixture(autouse=True)
def content_version_read_afresh():
    """Each test reads the content version, and what is kept for it, afresh: a version is a
    time, and two tests' databases can share one."""
    caching.forget_version()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory):
    """Where the demo data, once loaded by ``load_demo_data``, is kept as a fixture file."""
    return tmp_path_factory.mktemp("demo") / "demo.json"


@pytest.fixture
def editor(django_user_model, db):
    """A staff account in the Editor group (files may define their own, signed-in, editor)."""
    return staff(django_user_model, "Editor", "editor")


@pytest.fixture
def publisher(django_user_model, db):
    return staff(django_user_model, "Publisher", "publisher")


@pytest.fixture
def demo_data(db, demo_snapshot):
    """The demo office, as `make run` loads it. The first test loads it with the same command;
    later tests load that result as a fixture, which takes a fraction of the time."""
    if demo_snapshot.exists():
        call_command("loaddata", str(demo_snapshot), verbosity=0)
        return
    call_command("load_demo_data", stdout=io.StringIO())
    models = apps.get_app_config("performance").get_models()  # in dependency order
    objects = [obj for model in models for obj in model._default_manager.order_by("pk")]
    demo_snapshot.write_text(serializers.serialize("json", objects))


def on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """A test marked ``postgresql`` needs PostgreSQL: on SQLite it is skipped, and listed at the end."""
    if on_postgresql():
        return
    skip = pytest.mark.skip(reason=POSTGRESQL_ONLY)
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)


POSTGRESQL_ONLY = "needs PostgreSQL"


def pytest_terminal_summary(terminalreporter):
    """The size of the generated authorization matrix, when it ran; and, on SQLite, every test
    that needs PostgreSQL and so did not run."""
    import sys

    matrix = sys.modules.get("tests.test_authorization_matrix")
    if matrix is not None and matrix.CELLS:
        terminalreporter.write_line(matrix.pytest_matrix_size())
    not_run = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if "PostgreSQL" in str(report.longrepr) or POSTGRESQL_ONLY in str(report.longrepr)
    ]
    if not_run:
        terminalreporter.write_line(
            f"{len(not_run)} PostgreSQL-only test{'s' if len(not_run) != 1 else ''} did not run "
            "(this run was on SQLite; run with DATABASE_URL=postgres://… to include them):",
            yellow=True,
            bold=True,
        )
        for nodeid in not_run:
            terminalreporter.write_line(f"  {nodeid}")
