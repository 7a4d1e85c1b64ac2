"""The crime outcomes open data's preview and confirm, run as background tasks exactly as the
recorded crime open data's are (``recorded_crime_tasks``): the same jobs, guarantees and pages;
what a confirm created is the draft quarters whose charge rates it recomputed."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import reverse
from django_tasks import task

from performance.crime import outcomes_import
from performance.crime.models.crime_outcomes import OutcomeCount
from performance.crime.outcome import open_data_outcome
from performance.crime.recorded_crime import STAGE_COMPARING, STAGE_READING, STAGE_WRITING
from performance.crime.recorded_crime_tasks import (
    OpenDataRelease,
    confirm_run,
    month_year,
    preview_run,
    quarters_text,
)
from performance.imports.jobs import job_run

UNITS = {
    STAGE_READING: "rows",
    STAGE_COMPARING: "rows",
    STAGE_WRITING: "outcome counts",
    outcomes_import.STAGE_COMPUTING: "quarters",
}


@dataclass(frozen=True)
class RatesOutcome:
    """The draft quarters whose charge rates an import wrote, and the published ones it left."""

    written: list
    published: list

    def links(self) -> list[dict]:
        drafts_url = reverse("admin:performance_reportingperiod_changelist") + "?publication=draft"
        items = []
        if self.written:
            items.append(
                {
                    "text": f"Charge rates were computed for {len(self.written)} draft "
                    f"quarter{'' if len(self.written) == 1 else 's'}, {quarters_text(self.written)}",
                    "url": drafts_url,
                    "link": "review them" if len(self.written) > 1 else "review it",
                }
            )
        for period_end in self.published:
            items.append(
                {
                    "text": f"The published quarter {month_year(period_end)} keeps the charge rates the public has seen",
                    "url": "",
                    "link": "",
                }
            )
        if not items:
            items.append({"text": "No NCPM quarter's charge rates changed.", "url": "", "link": ""})
        return items

    def recorded(self) -> dict:
        return open_data_outcome(new_drafts=[], recomputed_drafts=self.written, revised=[])


def outcomes_release_import(*args, **kwargs):
    """``outcomes_import.release_import``, looked up when called (tests replace it)."""
    return outcomes_import.release_import(*args, **kwargs)


OUTCOMES = OpenDataRelease(
    model=OutcomeCount,
    release_import=outcomes_release_import,
    outcome_before=lambda: None,
    outcome_after=lambda before, summary: RatesOutcome(summary.rates_written, summary.published_kept),
)


@task()
def outcomes_preview(job_id: str) -> str:
    """Read the uploaded outcomes file and say what it would change: a preview job."""
    return job_run(job_id, functools.partial(preview_run, release=OUTCOMES), units=UNITS)


@task()
def outcomes_confirm(job_id: str) -> str:
    """Import the previewed outcomes file: a confirm job."""
    return job_run(job_id, functools.partial(confirm_run, release=OUTCOMES), units=UNITS)
