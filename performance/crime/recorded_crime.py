"""The Home Office's police recorded crime open data, Police Force Area tables.

The release is a workbook (``.ods`` as published, or saved as ``.xlsx``; one sheet exported as
``.csv`` also works) with a cover and notes, then one long sheet per financial year ("2024_25",
older editions "2019-20") headed Financial Year, Financial Quarter, Force Name, Offence
Description, Offence Group, Offence Subgroup, Offence Code, Number of Offences.

The file is read row by row (python-calamine for workbooks, the csv module for CSV) in a child
process whose memory and time are bounded (``untrusted``; the reading is ``recorded_crime_file``'s)
and every row is checked before anything is written. A file with any problem imports nothing; each problem
names the sheet, row, column and value. Rows for Action Fraud, CIFAS and UK Finance are not
forces' figures: they are skipped and counted. A clean file *replaces* the counts held for every
(force, quarter) it covers, since each release revises earlier quarters: counts the file no longer
has are removed. The write is one transaction of bulk statements; no query is made per row.

The same code runs the admin's preview and confirm and ``manage.py import_recorded_crime``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.dispatch import Signal

from performance.crime.models.open_data import Offence, OffenceCount
from performance.crime.recorded_crime_file import FileContents
from performance.forces.models import Force
from performance.imports import untrusted
from performance.imports.importing import confirms_serialise, resource_label
from performance.imports.models import ColumnMapping, ImportLog
from performance.imports.releases import OPEN_DATA_RELEASE, release_day, release_day_text
from performance.imports.resources import PREVIEW_OUTDATED, ReleaseProblems
from performance.imports.spreadsheets import SpreadsheetError, size_problem
from performance.shared import calculations

RELEASE_NAME = OPEN_DATA_RELEASE
MAX_FILE_BYTES = 100 * 1024 * 1024  # the published workbook is tens of MB; the other releases keep 5 MB
BATCH_SIZE = 5000
READ_CHUNK = 1024 * 1024

# The stages of an import, as a person following its progress is told them.
STAGE_READING = "Reading the file"
STAGE_COMPARING = "Comparing it with the figures held"
STAGE_WRITING = "Writing the counts"
STAGE_COMPUTING = "Computing the quarters' measures"

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as an import goes on; total 0 while not known."""


def no_progress(stage: str, done: int, total: int) -> None:
    """Progress nobody follows."""


recorded_crime_imported = Signal()
"""Sent inside a confirmed import's transaction, after its counts are written, with
``sender=None``, ``quarter_ends`` (the set of quarters the file covered), ``user`` (None from
the command line) and ``published_on`` (the release's publication day, None if not known). Work computed from the counts connects here, so it commits or rolls back with
them; a receiver may refuse the import by raising ``ReleaseProblems`` or ``PermissionDenied``."""

recorded_crime_checked = Signal()
"""Sent by every preview and confirm of a clean file, before anything is written, with
``sender=None``, ``namings`` (each offence naming in the file as (code, subgroup, first quarter
end, last quarter end)) and ``quarter_ends``. A receiver returns a list of warnings for staff (a
measure the file does not count); they are shown in the preview and kept in the import log."""


@dataclass
class RecordedCrimeImport:
    """What a file holds and what it would change (a preview), or changed (a confirmed import)."""

    file_name: str
    sha256: str = ""
    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)  # non-force name -> rows
    forces: list[str] = field(default_factory=list)
    quarter_ends: list[datetime.date] = field(default_factory=list)
    offences: int = 0
    offences_new: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)  # at most MAX_ERRORS_SHOWN, then a count
    warnings: list[str] = field(default_factory=list)  # things staff should check; not refusals
    held_fingerprint: str = ""
    import_log: ImportLog | None = None
    notes: list[str] = field(default_factory=list)  # text of the cover and notes sheets
    published_on: datetime.date | None = None  # the release's publication day
    published_on_how: str = ""  # how it was found: as entered, from the file's notes or name
    headings_missing: dict | None = None  # columns not found by their headings, for a person to choose

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def imported(self) -> bool:
        return self.import_log is not None

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def skipped_text(self) -> str:
        """
        >>> RecordedCrimeImport("x", skipped=Counter({"CIFAS": 2, "Action Fraud": 3})).skipped_text
        'Skipped 5 rows that are not police forces: Action Fraud (3), CIFAS (2).'
        """
        if not self.skipped:
            return ""
        names = ", ".join(f"{name} ({rows:,})" for name, rows in sorted(self.skipped.items()))
        return f"Skipped {self.rows_skipped:,} rows that are not police forces: {names}."

    @property
    def quarters_text(self) -> str:
        if not self.quarter_ends:
            return ""
        first, last = quarter_name(self.quarter_ends[0]), quarter_name(self.quarter_ends[-1])
        return first if first == last else f"{first} to {last}"

    @property
    def totals_text(self) -> str:
        return (
            f"{self.new:,} new, {self.changed:,} changed, {self.unchanged:,} unchanged, "
            f"{self.removed:,} removed"
        )

    @property
    def release_text(self) -> str:
        return release_day_text(
            self.published_on,
            self.published_on_how,
            asked="Enter the day the Home Office published it: without it, this release's figures "
            "cannot be matched to the ONS headline of the same release.",
        )

    def lines(self) -> list[str]:
        """The summary, one fact a line (the command prints it; the admin shows it as a list)."""
        lines = [
            self.release_text,
            f"Rows read: {self.rows_read:,}.",
            self.skipped_text,
            f"Forces: {len(self.forces):,}.",
            f"Quarters: {len(self.quarter_ends):,} ({self.quarters_text}).",
            f"Offences: {self.offences:,} ({self.offences_new:,} not held before).",
            f"Counts: {self.totals_text}.",
        ]
        return [line for line in lines if line]


def quarter_name(quarter_end: datetime.date) -> str:
    """
    >>> quarter_name(datetime.date(2024, 6, 30)), quarter_name(datetime.date(2025, 3, 31))
    ('2024/25 Q1 (April to June 2024)', '2024/25 Q4 (January to March 2025)')
    """
    start_year = quarter_end.year if quarter_end.month > 3 else quarter_end.year - 1
    number = {6: 1, 9: 2, 12: 3, 3: 4}[quarter_end.month]
    first_month = datetime.date(quarter_end.year, quarter_end.month - 2, 1)
    return f"{start_year}/{(start_year + 1) % 100:02d} Q{number} ({first_month:%B} to {quarter_end:%B %Y})"


# --------------------------------------------------------------------------------------------
# Reading, in the bounded child (``recorded_crime_file`` holds the reading and the row checks)
# --------------------------------------------------------------------------------------------


def size_check(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(size_problem(size, MAX_FILE_BYTES))


def release_read_in_child(
    file, summary: RecordedCrimeImport, *, reader: str, model, progress: Progress | None = None
) -> tuple[dict | None, str | None]:
    """Read ``file`` (a seekable binary file) with ``reader`` (a ``readers.reader_named`` name) in
    a child process whose memory and time are bounded (``untrusted``), as every open data release
    of the Police Force Area tables' shape is read: (the reader's result, the path of the arrays
    it wrote, which the caller removes), or (None, None) with ``summary.problems`` said. The
    result's facts (rows read, skipped, problems, notes, forces, quarters, offences) are copied
    to ``summary``, with the columns its header rows leave to a person (``headings_missing``);
    the column choices made before for ``model``'s files are the reader's to use."""
    forces = {key: (force.pk, force.name) for key, force in Force.objects.name_lookup().items()}
    choices = dict(
        ColumnMapping.objects.filter(release=resource_label(model)).values_list("headings_key", "choices")
    )
    options = {
        "file_name": summary.file_name,
        "forces": forces,
        "bounds": untrusted.RECORDED_CRIME,
        "choices": choices,
    }

    def rows_read(done: int, total: int) -> None:
        if progress is not None:
            progress(STAGE_READING, done, total)

    try:
        with untrusted.local_path(file) as path:
            result, data_path = untrusted.read_in_child(
                reader.rpartition(":")[2],
                path,
                options,
                cpu_seconds=untrusted.RECORDED_CRIME_SECONDS,
                progress=rows_read,
                reader=reader,
            )
    except untrusted.FileUnsafe as unsafe:
        summary.problems = [f"{unsafe} {untrusted.RELEASE_ADVICE}"]
        return None, None
    except untrusted.FileUnreadable as refused:
        summary.problems = [str(refused)]
        return None, None
    summary.rows_read = result["rows_read"]
    summary.skipped.update(result["skipped"])
    summary.problems = result["problems"]
    summary.notes = result["notes"]
    summary.forces = result["forces"]
    summary.quarter_ends = result["quarter_ends"]
    summary.offences = len(result["offences"])
    summary.headings_missing = result.get("headings_missing")
    return result, data_path


def file_read(file, summary: RecordedCrimeImport, *, progress: Progress | None = None) -> FileContents:
    """Read and check every row of ``file`` (a seekable binary file) in the bounded child.
    Problems go to ``summary.problems``; the file's contents are returned (complete only if
    there are none)."""
    contents = FileContents()
    result, data_path = release_read_in_child(
        file,
        summary,
        reader="performance.crime.recorded_crime_file:recorded_crime_rows",
        model=OffenceCount,
        progress=progress,
    )
    if result is None:
        return contents
    try:
        contents.offences = {tuple(naming): index for index, naming in enumerate(result["offences"])}
        contents.forces = dict.fromkeys(result["force_ids"])
        if not summary.problems:
            contents.counts = {
                (force_id, quarter, offence): count
                for force_id, quarter, offence, count in arrays_loaded(data_path, result["counts"], columns=4)
            }
    finally:
        untrusted.data_path_removed(data_path)
    return contents


def arrays_loaded(data_path: str, size: int, *, columns: int) -> Iterator[tuple]:
    """The rows the child wrote as ``columns`` arrays of ``size`` 64-bit integers, the second
    being a quarter end's ordinal: each row as a tuple, its quarter end a date."""
    arrays = []
    with open(data_path, "rb") as data:
        for _ in range(columns):
            column = array("q")
            column.fromfile(data, size)
            arrays.append(column)
    dates: dict[int, datetime.date] = {}
    for row in zip(*arrays, strict=True):
        ordinal = row[1]
        quarter = dates.get(ordinal)
        if quarter is None:
            quarter = dates[ordinal] = datetime.date.fromordinal(ordinal)
        yield (row[0], quarter, *row[2:])


def names_new_warnings(contents: FileContents) -> list[str]:
    """A warning for each Offence Group or Offence Subgroup name in the file that no offence held
    has (one query), so that staff check the measures' definitions: the names drift between
    editions ("Theft offences", later "Theft Offences"). Nothing on a first import."""
    held = {"group": {}, "subgroup": {}}
    for group, subgroup in Offence.objects.values_list("group", "subgroup").distinct().order_by():
        held["group"].setdefault(calculations.name_key(group), set()).add(group)
        held["subgroup"].setdefault(calculations.name_key(subgroup), set()).add(subgroup)
    if not held["group"]:
        return []
    warnings = []
    for position, key in ((2, "group"), (3, "subgroup")):
        for name in sorted({naming[position] for naming in contents.offences}):
            known = held[key].get(calculations.name_key(name), set())
            if name in known:
                continue
            before = " or ".join(f'"{other}"' for other in sorted(known))
            warnings.append(
                f'Offence {key} "{name}" is new: the data held so far '
                + (f"spells it {before}" if before else "has no such name")
                + ". Check that the measures' definitions count it as they should."
            )
    return warnings


def file_namings(contents: FileContents) -> list[tuple[str, str, datetime.date, datetime.date]]:
    """Each offence naming in the file: (code, subgroup, first quarter end, last quarter end)."""
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for _, quarter, index in contents.counts:
        first, last = spans.get(index, (quarter, quarter))
        spans[index] = (min(first, quarter), max(last, quarter))
    return [
        (code, subgroup, *spans[index])
        for (code, _, _, subgroup), index in contents.offences.items()
        if index in spans
    ]


def file_sha256(file) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(READ_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Comparing with the counts held, and writing
# --------------------------------------------------------------------------------------------


@dataclass
class Changes:
    offence_ids: dict  # offence index -> Offence pk (None: not held yet)
    new: list  # (force pk, quarter end, offence index, count)
    changed: list  # the same, for counts held with another value
    stale_ids: list  # held counts the file replaces (changed) or no longer has (removed)
    unchanged: int
    removed: int
    fingerprint: str


def changes_against_held(contents: FileContents) -> Changes:
    """How the file differs from the counts held for the (force, quarter)s it covers (two queries)."""
    held_offences = {
        tuple(naming): pk
        for pk, *naming in Offence.objects.values_list("pk", "code", "description", "group", "subgroup")
    }
    offence_ids = {index: held_offences.get(naming) for naming, index in contents.offences.items()}
    covered = {(force_id, quarter) for force_id, quarter, _ in contents.counts}
    held = {}
    rows = OffenceCount.objects.filter(
        force_id__in={force_id for force_id, _ in covered}, quarter_end__in={q for _, q in covered}
    ).values_list("pk", "force_id", "quarter_end", "offence_id", "count")
    for pk, force_id, quarter, offence_id, count in rows.iterator(chunk_size=BATCH_SIZE):
        if (force_id, quarter) in covered:
            held[(force_id, quarter, offence_id)] = (pk, count)
    fingerprint = hashlib.sha256(
        "\n".join(sorted(f"{f}|{q.isoformat()}|{o}|{c}" for (f, q, o), (_, c) in held.items())).encode()
    ).hexdigest()
    new, changed, stale_ids, unchanged, matched = [], [], [], 0, set()
    for (force_id, quarter, index), count in contents.counts.items():
        offence_id = offence_ids[index]
        found = held.get((force_id, quarter, offence_id)) if offence_id is not None else None
        if found is None:
            new.append((force_id, quarter, index, count))
            continue
        matched.add((force_id, quarter, offence_id))
        if found[1] == count:
            unchanged += 1
        else:
            changed.append((force_id, quarter, index, count))
            stale_ids.append(found[0])
    removed = [pk for key, (pk, _) in held.items() if key not in matched]
    return Changes(
        offence_ids=offence_ids,
        new=new,
        changed=changed,
        stale_ids=stale_ids + removed,
        unchanged=unchanged,
        removed=len(removed),
        fingerprint=fingerprint,
    )


def offences_created(offences: dict, offence_ids: dict) -> None:
    """Add the offence namings of a file (``offences``: naming -> index) that are not held yet
    (``offence_ids``: index -> pk, None when not held), filling in their pks."""
    missing = [naming for naming, index in offences.items() if offence_ids[index] is None]
    if missing:
        created = Offence.objects.bulk_create(
            [Offence(code=c, description=d, group=g, subgroup=s) for c, d, g, s in missing],
            batch_size=BATCH_SIZE,
        )
        for offence, naming in zip(created, missing, strict=True):
            offence_ids[offences[naming]] = offence.pk


def rows_deleted(model, pks: list[int]) -> None:
    """Delete ``model``'s rows ``pks`` in batches. Raw counts send no signals
    (performance/publishing/signals.py), so each batch is one DELETE statement."""
    per_delete = min(connection.ops.bulk_batch_size(["pk"], pks) or BATCH_SIZE, BATCH_SIZE)
    for start in range(0, len(pks), per_delete):
        model.objects.filter(pk__in=pks[start : start + per_delete]).delete()


def _write(contents: FileContents, changes: Changes) -> None:
    """Replace the stale counts and add the new ones, in bulk."""
    offences_created(contents.offences, changes.offence_ids)
    rows_deleted(OffenceCount, changes.stale_ids)  # the pages' content version moves once, after
    rows_insert(
        OffenceCount,
        {"force": "bigint", "quarter_end": "date", "offence": "bigint", "count": "integer"},
        (
            (force_id, quarter, changes.offence_ids[index], count)
            for force_id, quarter, index, count in itertools.chain(changes.new, changes.changed)
        ),
    )


def rows_insert(model, fields: dict[str, str], rows: Iterator[tuple]) -> None:
    """Insert rows of ``model`` (values in the order of ``fields``, each field with its
    PostgreSQL array type; a ``date`` field's values are dates), one statement per ``BATCH_SIZE``.

    ``bulk_create`` builds a model instance per row and, on SQLite, sends 249 rows a statement;
    for the release's ~165,000 rows that alone took most of the import's time. PostgreSQL gets
    each batch as one array per column (psycopg's executemany would send a statement per row);
    SQLite an executemany, which runs in-process."""
    ops, meta = connection.ops, model._meta
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in fields)
    insert = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) "
    dated = [position for position, kind in enumerate(fields.values()) if kind == "date"]
    unnest = ", ".join(f"%s::{kind}[]" for kind in fields.values())
    values = ", ".join(["%s"] * len(fields))
    dates: dict[datetime.date, object] = {}
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            if connection.vendor == "postgresql":
                cursor.execute(
                    insert + f"SELECT * FROM unnest({unnest})",
                    [list(column) for column in zip(*batch, strict=True)],
                )
                continue
            for index, row in enumerate(batch):
                row = list(row)
                for position in dated:
                    day = row[position]
                    if day not in dates:
                        dates[day] = ops.adapt_datefield_value(day)
                    row[position] = dates[day]
                batch[index] = row
            cursor.executemany(insert + f"VALUES ({values})", batch)


def release_import(
    file,
    *,
    file_name: str,
    user=None,
    dry_run: bool = False,
    preview_fingerprint: str | None = None,
    published_on: datetime.date | None = None,
    progress: Progress | None = None,
) -> RecordedCrimeImport:
    """Check ``file`` (a seekable binary file) and, unless ``dry_run``, import it: all or nothing.

    ``preview_fingerprint`` (the admin's confirm) refuses the file if the counts it would replace
    are no longer those its preview compared it with. ``progress`` is told each stage as it
    starts, and the rows read so far as they are read."""
    progress = progress or no_progress
    summary = RecordedCrimeImport(file_name=file_name)
    try:
        file.seek(0, io.SEEK_END)
        size_check(file.tell())
    except SpreadsheetError as error:
        summary.problems = [str(error)]
        return summary
    summary.sha256 = file_sha256(file)
    progress(STAGE_READING, 0, 0)
    contents = file_read(file, summary, progress=progress)
    summary.published_on, summary.published_on_how = release_day(
        entered=published_on, texts=summary.notes, file_name=file_name
    )
    if summary.refused:
        return summary
    try:
        with transaction.atomic():
            if not dry_run:
                confirms_serialise()  # imports of this release one at a time, admin and command alike
            progress(STAGE_COMPARING, summary.rows_read, summary.rows_read)
            changes = changes_against_held(contents)
            summary.held_fingerprint = changes.fingerprint
            summary.offences_new = sum(1 for pk in changes.offence_ids.values() if pk is None)
            summary.new, summary.changed = len(changes.new), len(changes.changed)
            summary.unchanged, summary.removed = changes.unchanged, changes.removed
            if preview_fingerprint is not None and preview_fingerprint != changes.fingerprint:
                raise ReleaseProblems([PREVIEW_OUTDATED])
            summary.warnings = names_new_warnings(contents) + [
                warning
                for _, warnings in recorded_crime_checked.send(
                    sender=None, namings=file_namings(contents), quarter_ends=set(summary.quarter_ends)
                )
                for warning in warnings or ()
            ]
            if dry_run:
                return summary
            progress(STAGE_WRITING, 0, len(changes.new) + len(changes.changed))
            _write(
                contents, changes
            )  # not public: what the public sees is computed from it into drafts and revisions
            summary.import_log = ImportLog.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                resource=RELEASE_NAME,
                file_name=file_name[:255],
                sha256=summary.sha256,
                rows_new=summary.new,
                rows_updated=summary.changed,
                rows_unchanged=summary.unchanged,
                release_published_on=summary.published_on,
                warnings="\n".join(
                    line
                    for line in (
                        summary.release_text if summary.published_on is None else "",
                        summary.skipped_text,
                        f"Removed {summary.removed:,} counts the file no longer has."
                        if summary.removed
                        else "",
                        *summary.warnings,
                    )
                    if line
                ),
            )
            progress(STAGE_COMPUTING, 0, len(summary.quarter_ends))
            recorded_crime_imported.send(
                sender=None,
                quarter_ends=set(summary.quarter_ends),
                user=summary.import_log.user,
                published_on=summary.published_on,
            )
    except ReleaseProblems as refused:
        summary.problems, summary.import_log = refused.messages, None
    except PermissionDenied as refused:
        summary.problems, summary.import_log = [str(refused) or "You may not import this file."], None
    return summary
