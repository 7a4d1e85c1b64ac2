"""The Home Office's crime outcomes open data, Police Force Area tables: checking a file,
comparing it with the outcomes held, and writing it.

The release has the recorded crime open data's shape (``outcomes_file`` reads it in the bounded
child, with the recorded crime reading's sheet finding and cell checks) and is imported the same
way (``recorded_crime``'s reading in the child, writing in bulk and release day): every row is
checked before anything is written, a file with any problem imports nothing, and a clean file
*replaces* the outcomes held for every (force, quarter) it covers. The offences are the recorded
crime open data's (``Offence``), so that a measure counts the same offences in both.

After a confirmed import the charge/summons rates of the draft NCPM quarters it touches are
recomputed in the same transaction (``charge_rates``).

The same code runs the admin's preview and confirm.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from performance.crime import charge_rates
from performance.crime.models.crime_outcomes import OutcomeCount
from performance.crime.models.open_data import Offence
from performance.crime.outcomes_file import DATA_COLUMNS
from performance.crime.recorded_crime import (
    BATCH_SIZE,
    STAGE_COMPARING,
    STAGE_READING,
    STAGE_WRITING,
    Progress,
    RecordedCrimeImport,
    arrays_loaded,
    file_sha256,
    no_progress,
    offences_created,
    release_read_in_child,
    rows_deleted,
    rows_insert,
    size_check,
)
from performance.imports import untrusted
from performance.imports.importing import confirms_serialise
from performance.imports.models import ImportLog
from performance.imports.releases import release_day
from performance.imports.resources import PREVIEW_OUTDATED, ReleaseProblems
from performance.imports.spreadsheets import SpreadsheetError

RELEASE_NAME = "Crime outcomes open data"
READER = "performance.crime.outcomes_file:outcome_rows"
STAGE_COMPUTING = "Computing the quarters' charge rates"


@dataclass
class OutcomesImport(RecordedCrimeImport):
    """What an outcomes file holds and what it would change (a preview), or changed (an import)."""

    outcome_types: list[int] = field(default_factory=list)
    published_kept: list[datetime.date] = field(default_factory=list)  # quarters not recomputed
    rates_written: list[datetime.date] = field(default_factory=list)

    @property
    def release_text(self) -> str:
        return "" if self.published_on else super().release_text

    def lines(self) -> list[str]:
        lines = [
            f"Rows read: {self.rows_read:,}.",
            self.skipped_text,
            f"Forces: {len(self.forces):,}.",
            f"Quarters: {len(self.quarter_ends):,} ({self.quarters_text}).",
            f"Offences: {self.offences:,} ({self.offences_new:,} not held before).",
            "Outcome types: " + ", ".join(str(number) for number in self.outcome_types) + ".",
            f"Outcome counts: {self.totals_text}.",
        ]
        return [line for line in lines if line]


@dataclass
class OutcomesContents:
    counts: dict = field(
        default_factory=dict
    )  # (force pk, quarter, offence index, outcome index) -> (in, earlier)
    offences: dict = field(default_factory=dict)  # naming -> index
    outcomes: list = field(default_factory=list)  # index -> (type, description, group)


def file_read(file, summary: OutcomesImport, *, progress: Progress | None = None) -> OutcomesContents:
    """Read and check every row of ``file`` in the bounded child."""
    contents = OutcomesContents()
    result, data_path = release_read_in_child(
        file, summary, reader=READER, model=OutcomeCount, progress=progress
    )
    if result is None:
        return contents
    try:
        contents.offences = {tuple(naming): index for index, naming in enumerate(result["offences"])}
        contents.outcomes = [tuple(naming) for naming in result["outcomes"]]
        summary.outcome_types = sorted({naming[0] for naming in contents.outcomes})
        if not summary.problems:
            contents.counts = {
                row[:4]: row[4:] for row in arrays_loaded(data_path, result["counts"], columns=DATA_COLUMNS)
            }
    finally:
        untrusted.data_path_removed(data_path)
    return contents


@dataclass
class Changes:
    offence_ids: dict  # offence index -> Offence pk (None: not held yet)
    new: list  # (force pk, quarter end, offence index, outcome index, in quarter, earlier)
    changed: list
    stale_ids: list
    unchanged: int
    removed: int
    fingerprint: str


def changes_against_held(contents: OutcomesContents) -> Changes:
    """How the file differs from the outcomes held for the (force, quarter)s it covers (two queries)."""
    held_offences = {
        tuple(naming): pk
        for pk, *naming in Offence.objects.values_list("pk", "code", "description", "group", "subgroup")
    }
    offence_ids = {index: held_offences.get(naming) for naming, index in contents.offences.items()}
    covered = {(force_id, quarter) for force_id, quarter, _, _ in contents.counts}
    held = {}
    rows = OutcomeCount.objects.filter(
        force_id__in={force_id for force_id, _ in covered}, quarter_end__in={q for _, q in covered}
    ).values_list(
        "pk",
        "force_id",
        "quarter_end",
        "offence_id",
        "outcome_type",
        "outcome_description",
        "outcome_group",
        "recorded_in_quarter",
        "recorded_earlier",
    )
    for pk, force_id, quarter, offence_id, number, description, group, in_quarter, earlier in rows.iterator(
        chunk_size=BATCH_SIZE
    ):
        if (force_id, quarter) in covered:
            held[(force_id, quarter, offence_id, number)] = (pk, (description, group, in_quarter, earlier))
    fingerprint = hashlib.sha256(
        "\n".join(
            sorted(f"{key[0]}|{key[1].isoformat()}|{key[2:]}|{value}" for key, (_, value) in held.items())
        ).encode()
    ).hexdigest()
    new, changed, stale_ids, unchanged, matched = [], [], [], 0, set()
    for (force_id, quarter, index, outcome), (in_quarter, earlier) in contents.counts.items():
        number, description, group = contents.outcomes[outcome]
        row = (force_id, quarter, index, outcome, in_quarter, earlier)
        offence_id = offence_ids[index]
        key = (force_id, quarter, offence_id, number)
        found = held.get(key) if offence_id is not None else None
        if found is None:
            new.append(row)
            continue
        matched.add(key)
        if found[1] == (description, group, in_quarter, earlier):
            unchanged += 1
        else:
            changed.append(row)
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


def _write(contents: OutcomesContents, changes: Changes) -> None:
    offences_created(contents.offences, changes.offence_ids)
    rows_deleted(OutcomeCount, changes.stale_ids)
    rows_insert(
        OutcomeCount,
        {
            "force": "bigint",
            "quarter_end": "date",
            "offence": "bigint",
            "outcome_type": "integer",
            "outcome_description": "text",
            "outcome_group": "text",
            "recorded_in_quarter": "integer",
            "recorded_earlier": "integer",
        },
        (
            (force_id, quarter, changes.offence_ids[index], *contents.outcomes[outcome], in_quarter, earlier)
            for force_id, quarter, index, outcome, in_quarter, earlier in itertools.chain(
                changes.new, changes.changed
            )
        ),
    )


def release_import(
    file,
    *,
    file_name: str,
    user=None,
    dry_run: bool = False,
    preview_fingerprint: str | None = None,
    published_on: datetime.date | None = None,
    progress: Progress | None = None,
) -> OutcomesImport:
    """Check ``file`` (a seekable binary file) and, unless ``dry_run``, import it: all or nothing,
    then recompute the charge rates of the draft quarters it touches."""
    progress = progress or no_progress
    summary = OutcomesImport(file_name=file_name)
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
                confirms_serialise()
            progress(STAGE_COMPARING, summary.rows_read, summary.rows_read)
            changes = changes_against_held(contents)
            summary.held_fingerprint = changes.fingerprint
            summary.offences_new = sum(1 for pk in changes.offence_ids.values() if pk is None)
            summary.new, summary.changed = len(changes.new), len(changes.changed)
            summary.unchanged, summary.removed = changes.unchanged, changes.removed
            if preview_fingerprint is not None and preview_fingerprint != changes.fingerprint:
                raise ReleaseProblems([PREVIEW_OUTDATED])
            if dry_run:
                return summary
            progress(STAGE_WRITING, 0, len(changes.new) + len(changes.changed))
            _write(contents, changes)  # not public: the charge rates computed from it are drafts
            progress(STAGE_COMPUTING, 0, len(summary.quarter_ends))
            result = charge_rates.charge_rates_update(quarter_ends=set(summary.quarter_ends))
            summary.rates_written, summary.published_kept = result.written, result.published
            summary.warnings = charge_rates.published_kept_warnings(result.published)
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
                        summary.skipped_text,
                        f"Removed {summary.removed:,} outcome counts the file no longer has."
                        if summary.removed
                        else "",
                        *summary.warnings,
                    )
                    if line
                ),
            )
    except ReleaseProblems as refused:
        summary.problems, summary.import_log = refused.messages, None
    except PermissionDenied as refused:
        summary.problems, summary.import_log = [str(refused) or "You may not import this file."], None
    return summary
