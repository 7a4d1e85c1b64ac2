"""Open data at scale: the same bytes as before, a fixed number of queries, never stale.

``generated()`` makes a small national dataset: 32 England and Wales forces with computed ranks,
a force whose name a spreadsheet would run, ranks entered by hand, months with counts only, drafts
and scheduled rows, NCPM quarters with a revision and ONS years. The files in
``tests/data/opendata`` were written from it by the open-data views as they were when every file
was built from model instances on each request (commit 56c900a): the files now must be the same,
byte for byte. The NCPM files have since gained the columns saying whether each change is
statistically significant, and its p-value (written by the same views, every other byte unchanged).
"""

import calendar
import datetime
import hashlib
import json
import random
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import quote_etag

from performance.calls.ranking import ranks_recompute
from performance.models import (
    CALL_BANDS,
    CallAnswerMonth,
    CallAnswerRank,
    Force,
    ForceGroup,
    ForceGroupMembership,
    Measure,
    MeasureFigure,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)
from performance.publishing import caching
from tests.factories import PUBLISHED
from tests.helpers import DATA, read_csv, read_json

EXPECTED = DATA / "opendata"
SCHEDULED = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
REVISED = PUBLISHED + datetime.timedelta(hours=12)  # before most months' ranks became public
REVISED_LATER = PUBLISHED + datetime.timedelta(days=100)

FILES = {  # expected file: URL name and query
    "999-calls.csv": ("performance:data-calls-999-csv", ""),
    "999-calls.json": ("performance:data-calls-999-json", ""),
    "999-calls-force-02-2020.csv": ("performance:data-calls-999-csv", "force=force-02&year=2020"),
    "999-calls-2020-02.json": ("performance:data-calls-999-json", "month=2020-02"),
    "999-calls-hostile.csv": ("performance:data-calls-999-csv", "force=%3DAnglesey+M%C3%B4n"),
    "ncpm.csv": ("performance:data-ncpm-csv", ""),
    "ncpm.json": ("performance:data-ncpm-json", ""),
    "ncpm-2021-06-hostile-area.json": ("performance:data-ncpm-json", "period=2021-06&area=hostile-area"),
    "recorded-crime.csv": ("performance:data-ons-csv", ""),
    "recorded-crime.json": ("performance:data-ons-json", ""),
    "recorded-crime-force-03.json": ("performance:data-ons-json", "force=force-03"),
}
URL_NAMES = sorted({url_name for url_name, _ in FILES.values()})


def month_number(index: int) -> datetime.date:
    """The ``index``-th month from January 2020."""
    return datetime.date(2020 + index // 12, index % 12 + 1, 1)


def quarter_end(index: int) -> datetime.date:
    """The ``index``-th quarter end from March 2021."""
    year, month = 2021 + (2 + 3 * index) // 12, (2 + 3 * index) % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def generated(scale: int = 1) -> None:
    """The dataset, with ``2 * scale`` months, quarters and years; every figure and time fixed."""
    chance = random.Random(2024)
    forces = Force.objects.bulk_create(
        [
            Force(
                name=f"Force {n:02d}",
                full_name=f"Force {n:02d} Police",
                ons_code=f"E23{n:06d}",
                police_uk_id=f"force-{n:02d}",
            )
            for n in range(1, 33)
        ]
        + [
            Force(name="=Anglesey Môn", full_name="Heddlu Môn", kind=Force.Kind.SPECIAL),
            Force(
                name="Police Scotland",
                full_name="Police Scotland",
                kind=Force.Kind.SCOTLAND,
                police_uk_id="scotland",
            ),
        ]
    )
    hostile = forces[32]
    groups = {}
    for kind, members in (
        (ForceGroup.Kind.MOST_SIMILAR, forces[:8]),
        (ForceGroup.Kind.REGIONAL, [forces[0], *forces[8:11], hostile]),
    ):
        groups[kind] = ForceGroup.objects.create(name=f"{kind} group", kind=kind)
        ForceGroupMembership.objects.bulk_create(
            ForceGroupMembership(group=groups[kind], force=f) for f in members
        )
    SiteSettings.objects.create(
        office_name="The office",
        home_force=forces[0],
        most_similar_group=groups[ForceGroup.Kind.MOST_SIMILAR],
        regional_group=groups[ForceGroup.Kind.REGIONAL],
    )

    months = []
    for f, force in enumerate(forces):
        for m in range(2 * scale):
            total = 1000 + 37 * f + 11 * m
            counts = (total // 16, total - 2 * (total // 16), total // 16) if (f + m) % 4 < 2 else (None,) * 3
            under_10 = Decimal(chance.randint(600, 990)) / 10
            over_60 = min(Decimal(chance.randint(0, 40)) / 10, 100 - under_10)
            percents = (under_10, 100 - under_10 - over_60, over_60) if (f + m) % 4 else (None,) * 3
            publish_at = PUBLISHED + datetime.timedelta(days=m)
            if m == 2 * scale - 1 and f in (4, 5):
                publish_at = None if f == 4 else SCHEDULED
            month = CallAnswerMonth(
                force=force,
                month=month_number(m),
                total_calls=total,
                mean_answer_seconds=Decimal(chance.randint(300, 2500)) / 100,
                median_answer_seconds=None if m % 3 == 0 else Decimal(chance.randint(100, 1200)) / 100,
                publish_at=publish_at,
            )
            for (band, _), count, share in zip(CALL_BANDS, counts, percents, strict=True):
                setattr(month, f"calls_{band}", count)
                setattr(month, f"pct_{band}", share)
            months.append(month)
    CallAnswerMonth.objects.bulk_create(months)
    entered = CallAnswerMonth.objects.filter(force__in=[hostile, forces[1]])
    CallAnswerRank.objects.bulk_create(
        CallAnswerRank(call_month=month, scope=scope, rank=rank, joint=joint, out_of=out_of)
        for month in entered
        for scope, rank, joint, out_of in (("national", 3, True, 43), ("msg", 2, False, None))
    )
    ranks_recompute()

    areas = [
        PriorityArea.objects.create(name="Reduce Serious Violence", slug="reduce-serious-violence", order=1),
        PriorityArea.objects.create(name="@Hostile area", slug="hostile-area", order=2),
    ]
    measures = [
        Measure.objects.create(priority_area=areas[0], name="All violence with injury", order=1),
        Measure.objects.create(priority_area=areas[0], name="=Hostile measure", order=2),
        Measure.objects.create(
            priority_area=areas[1], name="Satisfaction", unit=Measure.Unit.PERCENT, order=1
        ),
    ]
    for q in range(2 * scale + 1):
        period = ReportingPeriod.objects.create(
            period_end=quarter_end(q), publish_at=PUBLISHED if q < 2 * scale else None
        )
        MeasureFigure.objects.bulk_create(
            MeasureFigure(
                period=period,
                measure=measure,
                latest=Decimal("78.5") + q if measure.is_percent else 100 + 7 * q + i,
                previous=Decimal("77.0") if measure.is_percent else 100 + 3 * q,
                baseline=None if (q + i) % 3 == 0 else (Decimal("79.0") if measure.is_percent else 90 + q),
                revisions_applied=[{"applied_on": "2024-02-01", "changes": [["latest", "2.0", "3.0"]]}]
                if (q, i) == (1, 0)
                else [],
            )
            for i, measure in enumerate(measures)
        )

    for y in range(2 * scale + 1):
        period = RecordedCrimePeriod.objects.create(
            period_end=datetime.date(2010 + y, 6, 30),
            published_on=datetime.date(2010 + y, 10, 19) if y % 2 else None,
            next_release_on=datetime.date(2011 + y, 1, 25),
            next_period_end=datetime.date(2010 + y, 9, 30),
            publish_at=PUBLISHED if y < 2 * scale else None,
        )
        RecordedCrimeFigure.objects.bulk_create(
            RecordedCrimeFigure(
                period=period,
                force=force,
                total=50000 + 97 * f + 13 * y,
                # the year before, as the Table P1 import of a year earlier stored it
                previous_total=50000 + 97 * f + 13 * (y - 1) if y else None,
                previous_source="Table P1" if y else "",
                previous_release_on=datetime.date(2009 + y, 10, 19) if y and (y - 1) % 2 else None,
            )
            for f, force in enumerate(forces[:32])
        )

    for model in (CallAnswerMonth, MeasureFigure, RecordedCrimeFigure):
        model.objects.update(updated_at=REVISED)
    CallAnswerMonth.objects.filter(force=forces[1]).update(updated_at=REVISED_LATER)
    MeasureFigure.objects.filter(measure=measures[2]).update(updated_at=REVISED_LATER)
    RecordedCrimeFigure.objects.filter(period__period_end__year=2011).update(updated_at=REVISED_LATER)


def url(name: str, visit: int | None = None) -> str:
    url_name, query = FILES[name]
    if visit is not None:
        query = f"{query}&visit={visit}" if query else f"visit={visit}"
    return reverse(url_name) + (f"?{query}" if query else "")


def months_in(response) -> set[tuple[str, str]]:
    """The force and month of each row of a 999 file, CSV or JSON."""
    if response["Content-Type"] == "application/json":
        return {(row["force"], row["month"]) for row in read_json(response)["rows"]}
    return {(row[0], row[2]) for row in read_csv(response)[1:]}


def what_it_holds(file) -> tuple:
    """A file's dataset and selection, whatever its size: a CSV's header row, or a JSON document's
    dataset, filters and columns (``file`` a response, or an expected file)."""
    if isinstance(file, Path):
        text = file.read_text(encoding="utf-8")
        is_json = file.suffix == ".json"
    else:
        text = file.content.decode("utf-8")
        is_json = file["Content-Type"] == "application/json"
    if is_json:
        document = json.loads(text)
        return document["dataset"], document["filters"], document["columns"]
    return tuple(read_csv(text)[0])


@pytest.fixture
def data(db):
    generated()


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_as_the_per_request_writer_wrote_it(client, data, name):
    response = client.get(url(name))

    assert response.status_code == 200
    assert response.content == (EXPECTED / name).read_bytes()
    assert response["ETag"] == quote_etag(hashlib.md5(response.content).hexdigest())


@pytest.fixture
def kept(settings, data):
    """Public pages cached, and so whole files kept, as in production."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    caching.forget_version()
    yield
    cache.clear()


WHOLE_FILES = [name for name, (_, query) in FILES.items() if not query]


@pytest.mark.parametrize("name", WHOLE_FILES)
def test_a_kept_file_is_served_as_written_with_no_query(client, kept, name, django_assert_num_queries):
    first = client.get(url(name))
    caching.content_version(fresh=True)  # read at most once a second: not the file's query
    with django_assert_num_queries(0):
        again = client.get(url(name, visit=1))  # an address the page cache has not seen

    assert first.content == again.content == (EXPECTED / name).read_bytes()
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again.get("Content-Disposition") == first.get("Content-Disposition")


def test_the_page_cache_keeps_no_second_copy_of_a_kept_file(client, kept):
    whole, filtered = url("999-calls.json"), url("999-calls-2020-02.json")
    client.get(whole)
    client.get(filtered)

    assert cache.get(caching.page_key(RequestFactory().get(whole))) is None
    assert cache.get(caching.page_key(RequestFactory().get(filtered))) is not None


QUERIES = {  # the rows; with a force, the force; with a priority area, the area; ONS's JSON also
    # the office's settings (2: the row, its groups' forces) and the home force's headline (1)
    "999-calls.csv": 2,
    "999-calls.json": 2,
    "999-calls-force-02-2020.csv": 3,
    "999-calls-2020-02.json": 2,
    "999-calls-hostile.csv": 3,
    "ncpm.csv": 1,
    "ncpm.json": 1,
    "ncpm-2021-06-hostile-area.json": 2,
    "recorded-crime.csv": 1,
    "recorded-crime.json": 4,
    "recorded-crime-force-03.json": 5,
}


@pytest.mark.parametrize("scale", [1, 10])
def test_queries_do_not_grow_with_the_rows(client, db, scale, django_assert_num_queries):
    generated(scale)
    for name in FILES:
        caching.content_version(fresh=True)
        with django_assert_num_queries(QUERIES[name], info=name):
            response = client.get(url(name))
        assert response.status_code == 200, name
        assert what_it_holds(response) == what_it_holds(EXPECTED / name), name  # the file asked for
    # Every force's months but a draft and a scheduled one.
    assert len(months_in(client.get(url("999-calls.csv")))) == 34 * 2 * scale - 2


@pytest.mark.parametrize("name", ["999-calls.csv", "999-calls.json"])
def test_publishing_a_month_writes_the_file_afresh(client, kept, name):
    before = client.get(url(name))
    draft = CallAnswerMonth.objects.get(publish_at=None)
    draft.publish_at = PUBLISHED
    draft.save()

    after = client.get(url(name), headers={"if-none-match": before["ETag"]})

    assert after.status_code == 200
    assert months_in(after) - months_in(before) == {("Force 05", "2020-02")}


def test_a_scheduled_month_is_in_the_file_once_its_time_comes(client, kept):
    before = client.get(url("999-calls.json"))
    later = SCHEDULED + datetime.timedelta(seconds=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.monotonic", return_value=10**9),  # a second later: the version is read again
    ):
        after = client.get(url("999-calls.json"), headers={"if-none-match": before["ETag"]})

    assert after.status_code == 200
    assert months_in(after) - months_in(before) == {("Force 06", "2020-02")}


def test_a_change_made_elsewhere_is_in_the_file_once_the_version_is_read(client, kept):
    client.get(url("ncpm.csv"))
    MeasureFigure.objects.filter(measure__name="All violence with injury").update(latest=4321)
    SiteSettings.objects.update(content_changed_at=timezone.now())  # as another process notes it

    with mock.patch("time.monotonic", return_value=10**9):  # a second later: the version is read again
        after = client.get(url("ncpm.csv")).content.decode()

    assert ",All violence with injury,count,4321," in after


def test_filters_still_pick_rows_once_the_whole_file_is_kept(client, kept):
    client.get(url("999-calls.csv"))

    filtered = client.get(url("999-calls-force-02-2020.csv"))
    assert filtered.content == (EXPECTED / "999-calls-force-02-2020.csv").read_bytes()
    assert filtered["Content-Disposition"] == 'attachment; filename="999-calls-force-02-2020.csv"'
    for query, status in (("force=", 400), ("year=20", 400), ("month=2020-13", 400), ("force=atlantis", 404)):
        response = client.get(f"{reverse('performance:data-calls-999-csv')}?{query}")
        assert response.status_code == status, query
        assert response["Content-Type"] == "text/plain; charset=utf-8"
