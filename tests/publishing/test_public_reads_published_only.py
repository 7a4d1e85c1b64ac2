"""The public reads what was published, nothing else.

Every address an anonymous reader can GET (generated from the URL conf, with values from the
demo office's rows, and the open data's filtered files the Police Data and open data pages link
to) is rendered before and after a raw write: a row of a table that is not published content,
written as the system and as an Editor, one table at a time, and each release imported as the
system and as an Editor. An Editor's or the system's import may add drafts and pending
revisions; neither may change a byte the public is served. A Publisher's change must show, or
the comparison would prove nothing.

The tables written are generated from the model registry (``RAW_WRITES`` must have a builder for
every model that is not published content), and the addresses from the URL conf
(``ADDRESSES`` must give one for every public pattern), so a new table or view is covered
without anyone remembering it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import difflib
import hashlib
import io
import time
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from performance.calls.resources import CallAnswerMonthResource
from performance.crime.outcomes_import import release_import as outcomes_release_import
from performance.crime.recorded_crime import release_import
from performance.crime.resources import MeasureFigureResource, RecordedCrimeFigureResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import (
    CallAnswerMonth,
    ChargeRateFigure,
    ColumnMapping,
    Document,
    DocumentCategory,
    Force,
    ForcePopulation,
    ImportJob,
    ImportLog,
    ImportUpload,
    LibraryPage,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    Meeting,
    Offence,
    OffenceCount,
    OutcomeCount,
    PriorityApplicability,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimeRevision,
    ReportingPeriod,
    ReviewStep,
    SiteSettings,
)
from performance.publishing import caching
from performance.publishing import gate as publication
from performance.publishing.opendata import DATASETS
from performance.shared.calculations import twelve_month_quarter_ends
from tests.data import make_outcomes_files, make_recorded_crime_files
from tests.factories import PUBLISHED, staff
from tests.helpers import DATA

GOOD = DATA / "good"
NOT_PUBLIC = ("admin/",)  # staff only: every path under it asks for a sign-in

# --------------------------------------------------------------------------------------------
# Every public address
# --------------------------------------------------------------------------------------------


def public_patterns() -> dict[str, str]:
    """Every URL pattern an anonymous reader can GET, by name ("/<route>" for an unnamed one),
    with its route from the site's root: the root URL conf walked through its includes."""
    found = {}

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(NOT_PUBLIC):
                continue
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                found[f"{namespace}{entry.name}" if entry.name else f"/{route}"] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def month_address(month: datetime.date) -> str:
    return reverse("performance:calls-999-national", args=[f"{month:%Y-%m}"])


# The addresses of each pattern with parameters, from every row there is: the published rows'
# pages answer 200 and the drafts' 404, and both must stay as they are.
ADDRESSES = {
    "performance:library-category": lambda: [c.get_absolute_url() for c in DocumentCategory.objects.all()],
    "performance:library-meeting": lambda: [m.get_absolute_url() for m in Meeting.objects.all()],
    "performance:document": lambda: [d.get_absolute_url() for d in Document.objects.all()],
    "performance:calls-999-national": lambda: [
        month_address(month) for month in CallAnswerMonth.objects.values_list("month", flat=True).distinct()
    ],
    "performance:ncpm-period": lambda: [p.get_absolute_url() for p in ReportingPeriod.objects.all()],
    "performance:library-page": lambda: [
        reverse("performance:library-page", args=[slug])
        for slug in LibraryPage.objects.values_list("slug", flat=True)
    ],
}
# Patterns no address can be made for from the demo office's rows, and why. None today.
NOT_ENUMERABLE: dict[str, str] = {}
# Pages whose links (same site, one level) are followed: the open data files' filtered variants
# and the library's filters and sort orders.
CRAWLED_FROM = ("performance:datasets", "performance:police-data", "performance:library")
# Addresses no page links to: searches of the library (its index is built from the documents)
# and of the whole site.
SEARCHES = (
    "/document-library/?q=crime",
    "/document-library/?q=meeting&sort=published",
    "/document-library/search/?q=crime",
    "/document-library/search/?q=999+calls",
)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag in ("a", "link") else None
        if href:
            self.hrefs.append(href)


def same_site_links(page: str, body: bytes) -> list[str]:
    """The addresses on this site that ``body`` (the page at ``page``) links to, fragments
    dropped; staff pages, static and media files left out."""
    parser = Links()
    parser.feed(body.decode("utf-8", "replace"))
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(f"http://testserver{page}", href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        if parts.path.startswith(("/admin/", "/static/", "/media/")):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def enumerated_addresses() -> dict[str, list[str]]:
    """Each public pattern's addresses, from the URL conf and the rows held now."""
    addresses = {}
    for name, route in public_patterns().items():
        if name in NOT_ENUMERABLE:
            continue
        if "<" not in route:
            addresses[name] = [f"/{route}"]
        elif name in ADDRESSES:
            addresses[name] = sorted(set(ADDRESSES[name]()))
        else:
            addresses[name] = []
    return addresses


def site_addresses() -> list[str]:
    """Every public address: the URL conf's, then the links followed from ``CRAWLED_FROM``."""
    by_pattern = enumerated_addresses()
    empty = [name for name, found in by_pattern.items() if not found]
    assert not empty, (
        f"No address for the public URL pattern(s) {empty}: add them to ADDRESSES (or, with the "
        "reason, to NOT_ENUMERABLE) so that the pages they serve are compared too."
    )
    addresses = dict.fromkeys(address for found in by_pattern.values() for address in found)
    addresses.update(dict.fromkeys(open_data_filtered()))
    client = Client()
    for name in CRAWLED_FROM:
        page = reverse(name)
        for link in same_site_links(page, client.get(page).content):
            addresses.update(dict.fromkeys([link, *json_twin(link)]))
    addresses.update(dict.fromkeys(SEARCHES))
    return list(addresses)


def open_data_filtered() -> list[str]:
    """Each open data file with each documented filter, at its documented example."""
    return [
        f"{url}?{urlencode({data_filter.name: data_filter.example})}"
        for dataset in DATASETS
        for url in (dataset.csv_url, dataset.json_url)
        for data_filter in dataset.filters
    ]


def json_twin(address: str) -> list[str]:
    """The JSON file with the same filters as a linked CSV file."""
    path, _, query = address.partition("?")
    if not path.startswith(reverse("performance:datasets")) or not path.endswith(".csv"):
        return []
    return [path.removesuffix(".csv") + ".json" + (f"?{query}" if query else "")]


# --------------------------------------------------------------------------------------------
# Rendering the site
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    location: str
    body: bytes

    @property
    def digest(self) -> str:
        head = f"{self.status}\n{self.content_type}\n{self.location}\n".encode()
        return hashlib.sha256(head + self.body).hexdigest()


def caches_cleared() -> None:
    """Nothing is served from what was kept: the page cache, the rows and files kept for the
    content version, and the version itself."""
    cache.clear()
    caching.forget_version()
    caching.public_page_parameters.cache_clear()


def site_rendered(addresses) -> dict[str, Answer]:
    """Each address as an anonymous reader gets it (no preview, redirects not followed). The
    Last-Modified and ETag headers follow the content version, which a raw write may move: only
    the status, the content type, a redirect's target and the body are compared."""
    caches_cleared()
    client = Client()
    answers = {}
    for address in addresses:
        response = client.get(address)
        # The test client closes a streaming answer (a document's file) once it is read whole.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers[address] = Answer(
            response.status_code, response.get("Content-Type", ""), response.get("Location", ""), body
        )
    return answers


def text_of(body: bytes) -> list[str]:
    return body.decode("utf-8", "replace").splitlines()


def differences(before: dict[str, Answer], after: dict[str, Answer]) -> str:
    """Which addresses changed, and a short diff of the first one's body ("" when none did)."""
    changed = [address for address in before if before[address].digest != after[address].digest]
    if not changed:
        return ""
    first = changed[0]
    was, now = before[first], after[first]
    diff = list(
        difflib.unified_diff(
            text_of(was.body), text_of(now.body), f"{first} before", f"{first} after", n=1, lineterm=""
        )
    )
    shown = "\n".join(diff[:40] + (["…"] if len(diff) > 40 else []))
    return (
        f"{len(changed)} of {len(before)} public addresses changed:\n"
        + "\n".join(f"  {address}" for address in changed)
        + f"\n\n{first}: status {was.status} -> {now.status}, {was.content_type} -> {now.content_type}\n"
        + shown
    )


@dataclass
class Site:
    addresses: list[str]
    answers: dict[str, Answer]
    seconds: float

    def unchanged_after(self) -> None:
        """Render every address again; fail with what changed. An address that exists only now
        (a draft's page) must answer 404."""
        after = site_rendered(self.addresses)
        assert not (problem := differences(self.answers, after)), problem
        new = [address for address in site_addresses() if address not in self.answers]
        answered = site_rendered(new)
        public = {address: answer.status for address, answer in answered.items() if answer.status != 404}
        assert not public, f"New addresses the public can read (drafts' pages must answer 404): {public}"


@pytest.fixture
def site(demo_data) -> Site:
    """The public site as an anonymous reader gets it before the write, the content last changed
    when the demo office was published (not when the demo data was loaded, moments ago): a date
    the public is shown to the day could not move otherwise."""
    SiteSettings.objects.update(content_changed_at=PUBLISHED)
    started = time.perf_counter()
    addresses = site_addresses()
    answers = site_rendered(addresses)
    return Site(addresses, answers, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# Raw writes: a row of every table that is not published content
# --------------------------------------------------------------------------------------------


def home_force() -> Force:
    return SiteSettings.objects.for_site().home_force


def offence_new(user) -> Offence:
    """A naming of an offence the open data has not used before."""
    return Offence.objects.create(
        code="5D",
        description="Assault with intent to cause serious harm (renamed)",
        group="Violence against the person",
        subgroup="Violence with injury",
    )


def offence_counts_new(user) -> list[OffenceCount]:
    """The home force's counts for every quarter from July 2021 to June 2023: the 12 months to
    June 2022 and June 2023 (the demo's ONS years) and the NCPM quarter's latest and previous
    years. Anything reading them at render time would show other totals and figures."""
    force = home_force()
    offences = [
        Offence.objects.get_or_create(code=code, description=description, group=group, subgroup=subgroup)[0]
        for code, description, group, subgroup in make_recorded_crime_files.OFFENCES
    ]
    return OffenceCount.objects.bulk_create(
        OffenceCount(force=force, quarter_end=end, offence=offence, count=1000 + index)
        for index, end in enumerate(
            [
                *twelve_month_quarter_ends(datetime.date(2022, 6, 30)),
                *twelve_month_quarter_ends(datetime.date(2023, 6, 30)),
            ]
        )
        for offence in offences
    )


def outcome_counts_new(user) -> list[OutcomeCount]:
    """The home force's charges for every quarter from July 2021 to June 2023, the demo's
    published NCPM quarter's 12 months and the 12 months before: anything computing a charge
    rate at render time would show one."""
    force = home_force()
    offences = [
        Offence.objects.get_or_create(code=code, description=description, group=group, subgroup=subgroup)[0]
        for code, description, group, subgroup in make_recorded_crime_files.OFFENCES
    ]
    return OutcomeCount.objects.bulk_create(
        OutcomeCount(
            force=force,
            quarter_end=end,
            offence=offence,
            outcome_type=1,
            outcome_description="Charged/Summonsed",
            outcome_group="Charged/Summonsed",
            recorded_in_quarter=50 + index,
            recorded_earlier=20,
        )
        for index, end in enumerate(
            [
                *twelve_month_quarter_ends(datetime.date(2022, 6, 30)),
                *twelve_month_quarter_ends(datetime.date(2023, 6, 30)),
            ]
        )
        for offence in offences
    )


def column_mapping_new(user) -> ColumnMapping:
    headings = ["Force", "Month", "Calls presented", "Mean answer time"]
    return ColumnMapping.objects.create(
        release="performance.CallAnswerMonth",
        headings_key=ColumnMapping.key_for(headings),
        headings=headings,
        choices={"total_calls": "Calls presented"},
        updated_by=user,
    )


def import_upload_new(user) -> ImportUpload:
    from django.contrib.auth import get_user_model

    uploader = user or staff(get_user_model(), "Editor", "uploader")
    return ImportUpload.objects.create(
        token="t" * 64,
        user=uploader,
        session_key="s" * 32,
        resource="performance.CallAnswerMonth",
        file_name="calls-2023-10.csv",
        data=(GOOD / "calls-national-2023-10.csv").read_bytes(),
    )


def import_job_new(user) -> ImportJob:
    """An import of the open data in the background, finished, with what it says it created."""
    upload = import_upload_new(user)
    return ImportJob.objects.create(
        upload=upload,
        user=upload.user,
        session_key=upload.session_key,
        resource="performance.OffenceCount",
        file_name="recorded-crime.xlsx",
        kind=ImportJob.Kind.CONFIRM,
        status=ImportJob.Status.FINISHED,
        stage="Computing the quarters' measures",
        done=14,
        total=14,
        lines=["Counts: 165,600 new, 0 changed, 0 unchanged, 0 removed."],
        message="Imported recorded-crime.xlsx: 165,600 new, 0 changed, 0 unchanged, 0 removed.",
        links=[
            {
                "text": "14 new draft quarters, March 2020 to June 2023",
                "url": "/admin/",
                "link": "review them",
            }
        ],
    )


def import_log_new(user) -> ImportLog:
    return ImportLog.objects.create(
        user=user,
        resource="999 calls",
        file_name="calls-2023-10.csv",
        sha256="0" * 64,
        rows_new=43,
        warnings="A force's calls changed by more than half on the previous month.",
    )


def measure_figure_revision_new(user) -> MeasureFigureRevision:
    """A recomputed figure for the published quarter, waiting for a Publisher."""
    figure = MeasureFigure.objects.filter(period__publish_at__isnull=False).select_related("period").first()
    return MeasureFigureRevision.objects.create(
        period=figure.period,
        measure=figure.measure,
        before_latest=figure.latest,
        before_previous=figure.previous,
        before_baseline=figure.baseline,
        latest=figure.latest + 7,
        previous=figure.previous + 3,
        baseline=None if figure.baseline is None else figure.baseline + 1,
    )


def recorded_crime_revision_new(user) -> RecordedCrimeRevision:
    """A recomputed year before for the published ONS headline, waiting for a Publisher."""
    figure = RecordedCrimeFigure.objects.filter(
        period__publish_at__isnull=False, previous_total__isnull=False
    ).first()
    return RecordedCrimeRevision.objects.create(
        period=figure.period,
        force=figure.force,
        before_previous_total=figure.previous_total,
        before_previous_source=figure.previous_source,
        previous_total=figure.previous_total // 3,
        previous_source="open data",
        previous_release_on=datetime.date(2024, 1, 25),
    )


def force_population_new(user) -> ForcePopulation:
    """Another mid-2023 population for the home force and one for another force, saved as an
    import saves them, with the rates recomputed from them: a published figure's rate waits for
    a Publisher as a revision."""
    from django.test import TestCase

    from performance.forces.population import populations_save

    other = Force.objects.exclude(pk=home_force().pk).exclude(ons_code=None).first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        populations_save(
            year=2023,
            populations={home_force().pk: 700_000, other.pk: 800_000},
            source="ONS mid-2023 (revised)",
        )
    assert RecordedCrimeRevision.objects.filter(applied_at=None).exists()  # the rates were recomputed
    return ForcePopulation.objects.get(force=other, year=2023)


def review_step_new(user) -> ReviewStep:
    """A published page sent for review with a note, and a decision on it: a record for staff."""
    from django.contrib.contenttypes.models import ContentType

    page = LibraryPage.objects.exclude(publish_at=None).first()
    common = {
        "content_type": ContentType.objects.get_for_model(LibraryPage),
        "object_id": page.pk,
        "item_name": page.title,
        "user": user,
        "submitter": user,
    }
    ReviewStep.objects.create(**common, action=ReviewStep.Action.SUBMITTED, note="<b>New</b> intro.")
    return ReviewStep.objects.create(**common, action=ReviewStep.Action.SENT_BACK, note="Say more.")


# One builder for each table that is not published content (published content is written only
# through the gate, publication.GATED), keyed by model name.
RAW_WRITES = {
    "Offence": offence_new,
    "OffenceCount": offence_counts_new,
    "OutcomeCount": outcome_counts_new,
    "ColumnMapping": column_mapping_new,
    "ImportUpload": import_upload_new,
    "ImportJob": import_job_new,
    "ImportLog": import_log_new,
    "MeasureFigureRevision": measure_figure_revision_new,
    "RecordedCrimeRevision": recorded_crime_revision_new,
    "ReviewStep": review_step_new,
    "ForcePopulation": force_population_new,
}


def raw_models() -> list[str]:
    """The app's models that are not published content (nor the history kept of a model)."""
    return [
        model.__name__
        for model in apps.get_app_config("performance").get_models()
        if publication.publication_model(model) is None and not model.__name__.startswith("Historical")
    ]


def test_every_table_that_is_not_published_content_has_a_raw_write():
    assert sorted(RAW_WRITES) == sorted(raw_models())


# --------------------------------------------------------------------------------------------
# Imports: each release, with a file of real shape
# --------------------------------------------------------------------------------------------


def resource_import(resource_class, path: Path, user) -> None:
    """The admin's import for ``user`` (its confirm), or the command's for the system."""
    if user is None:
        call_command(COMMANDS[resource_class], str(path), stdout=io.StringIO())
        return
    result = resource_class().import_data(
        SpreadsheetFormat().create_dataset(path.read_bytes()), dry_run=False, file_name=path.name, user=user
    )
    problems = [str(error.error) for error in result.base_errors] + [
        f"Row {number}: {error.error}" for number, errors in result.row_errors() for error in errors
    ]
    assert problems == []


COMMANDS = {
    CallAnswerMonthResource: "import_999",
    RecordedCrimeFigureResource: "import_ons_p1",
    MeasureFigureResource: "import_ncpm",
}


def calls_999_imported(user, folder: Path) -> None:
    """October 2023 for the 43 forces: a month the demo office has not published."""
    resource_import(CallAnswerMonthResource, GOOD / "calls-national-2023-10.csv", user)


def ons_p1_imported(user, folder: Path) -> None:
    """Table P1 for the year ending June 2025: a period not held."""
    resource_import(RecordedCrimeFigureResource, GOOD / "ons-table-p1-ye-june-2025.xlsx", user)


def ncpm_imported(user, folder: Path) -> None:
    """Every measure for the 12 months to September 2023: a quarter not held."""
    path = folder / "ncpm-2023-09.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Measure", "12 months ending", "Latest 12 months", "Previous 12 months"])
        for measure in Measure.objects.order_by("pk"):
            writer.writerow([measure.name, "30/09/2023", "71.5" if measure.is_percent else "120", "64"])
    resource_import(MeasureFigureResource, path, user)


def recorded_crime_imported(user, folder: Path) -> None:
    """The open data for 2021/22 to 2023/24: it covers the demo's ONS years and its published
    NCPM quarter (whose recomputed figures wait as revisions) and adds draft quarters."""
    sheets = make_recorded_crime_files.release_sheets(years=["2021_22", "2022_23", "2023_24"])
    path = make_recorded_crime_files.write_xlsx(sheets, folder / "recorded-crime.xlsx")
    if user is None:
        call_command("import_recorded_crime", str(path), stdout=io.StringIO())
        return
    with path.open("rb") as opened:
        summary = release_import(opened, file_name=path.name, user=user)
    assert summary.problems == []


def outcomes_imported(user, folder: Path) -> None:
    """The crime outcomes open data for 2021/22 to 2023/24: it covers the demo's published NCPM
    quarter, whose charge rates stay as the public has seen them (none)."""
    sheets = make_outcomes_files.release_sheets(years=["2021_22", "2022_23", "2023_24"])
    path = make_recorded_crime_files.write_xlsx(sheets, folder / "crime-outcomes.xlsx")
    with path.open("rb") as opened:
        summary = outcomes_release_import(opened, file_name=path.name, user=user)
    assert summary.problems == []


IMPORTS = {
    "999 calls": calls_999_imported,
    "crime outcomes open data": outcomes_imported,
    "ONS Table P1": ons_p1_imported,
    "NCPM figures": ncpm_imported,
    "recorded crime open data": recorded_crime_imported,
}


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------

ACTORS = ("system", "editor")


@contextlib.contextmanager
def acting(actor: str, request):
    """The write made for the system (no request: a command, a recomputation) or an Editor (as a
    request of theirs would make it). Gives the user, None for the system."""
    if actor == "system":
        yield None
        return
    user = request.getfixturevalue("editor")
    with publication.acting_as(user):
        yield user


def test_the_site_renders_the_same_twice(site):
    """Given nothing written, every address answers the same: the comparison is fair."""
    site.unchanged_after()
    assert len(site.addresses) >= 50


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("model_name", sorted(RAW_WRITES))
def test_a_raw_write_changes_nothing_the_public_reads(site, model_name, actor, request):
    model = apps.get_model("performance", model_name)
    rows_before = model.objects.count()

    with acting(actor, request) as user:
        RAW_WRITES[model_name](user)

    assert model.objects.count() > rows_before
    site.unchanged_after()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("release", sorted(IMPORTS))
def test_an_import_changes_nothing_the_public_reads(site, release, actor, request, tmp_path):
    logs_before = ImportLog.objects.count()

    with acting(actor, request) as user:
        IMPORTS[release](user, tmp_path)

    assert ImportLog.objects.count() == logs_before + 1
    site.unchanged_after()


def test_charge_rates_computed_for_a_draft_quarter_change_nothing_the_public_reads(site, tmp_path):
    """Given both releases imported for the system (the recorded crime data adds draft quarters,
    and the outcomes import computes their charge rates), nothing the public reads changes; once
    a Publisher publishes a quarter, its page shows its rates."""
    recorded_crime_imported(None, tmp_path)
    outcomes_imported(None, tmp_path)
    drafts = ChargeRateFigure.objects.filter(period__publish_at__isnull=True)
    assert drafts.exists()
    site.unchanged_after()

    period = drafts.first().period
    period.publish_at = PUBLISHED
    period.save()
    page = Client().get(period.get_absolute_url())
    assert page.status_code == 200 and "led to a charge or summons" in page.content.decode()


def test_a_publishers_change_is_seen(site, publisher):
    """Given a published NCPM figure, when a Publisher changes it, then its quarter's page and
    the NCPM open data change: the comparison sees what the public sees."""
    figure = MeasureFigure.objects.filter(period__publish_at__isnull=False).select_related("period").first()

    with publication.acting_as(publisher):
        figure.latest += Decimal(1)
        figure.save()

    after = site_rendered(site.addresses)
    changed = {address for address in site.addresses if site.answers[address].digest != after[address].digest}
    assert {figure.period.get_absolute_url(), reverse("performance:data-ncpm-csv")} <= changed


def test_a_draft_quarters_applicability_changes_nothing_the_public_reads(site, editor):
    """Given a new draft quarter, which starts with the published quarter's statement of which
    national priorities apply, when an Editor changes an answer, the public reads nothing new."""
    with publication.acting_as(editor):
        september = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))
        answer = september.applicability.order_by("priority_area__order").last()
        answer.applies, answer.reason = False, "Led by the regional unit."
        answer.save()

    assert september.applicability.count() == PriorityArea.objects.count()
    site.unchanged_after()


def test_a_publishers_change_to_applicability_is_seen(site, publisher):
    """Given the published quarter's applicability, when a Publisher changes an answer, then the
    Police Data page, the quarter's page and the applicability open data change."""
    answer = (
        PriorityApplicability.objects.filter(period__publish_at__isnull=False)
        .select_related("period")
        .first()
    )

    with publication.acting_as(publisher):
        answer.applies, answer.reason = False, "Led by the regional unit."
        answer.save()

    after = site_rendered(site.addresses)
    changed = {address for address in site.addresses if site.answers[address].digest != after[address].digest}
    assert {
        reverse("performance:police-data"),
        answer.period.get_absolute_url(),
        reverse("performance:data-ncpm-applicability-csv"),
    } <= changed
