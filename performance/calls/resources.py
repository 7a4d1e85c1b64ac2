"""The import of police.uk's monthly 999 call answering release, and the 999 months' export."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format
from import_export import fields, widgets

from performance.calls import outcome, preview
from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.ranking import ranks_recompute, seen_at
from performance.forces.models import Force, SiteSettings
from performance.forces.resources import ForceNames, alias_addable
from performance.imports.resources import (
    NATIVE,
    Prepared,
    ReadableExportResource,
    ReleaseResource,
    RowError,
    fitted_to,
    problems_raise,
    read_cell,
    release_registered,
)
from performance.imports.spreadsheets import (
    CellError,
    Column,
    Sheet,
    SpreadsheetError,
    cell,
    count_value,
    data_rows,
    decimal_value,
    month_value,
    percentage_value,
    rank_value,
    text_value,
)
from performance.shared import calculations
from performance.shared.tables import UNDER_10S

MAX_ANSWER_SECONDS = 10_000  # the column holds up to 9,999.99


# --------------------------------------------------------------------------------------------
# 999 national release
# --------------------------------------------------------------------------------------------

RANK_SCOPE_KEYS = {"national_rank": "national", "msg_rank": "msg", "regional_rank": "regional"}
CALLS_COLUMNS = [
    Column(
        "force",
        "Force",
        ("Police Force", "Police Force Name", "Force Name", "Force name"),
        required_unless=tuple(RANK_SCOPE_KEYS),
        unless_note="Not in the office's own 999 table (the one with ranking columns): its rows are the home force's.",
    ),
    Column("month", "Month", ("Month-Year", "Month Year", "Date", "Period")),
    Column("total_calls", "Total calls", ("Total Calls Presented", "Total 999 calls", "Calls presented")),
    Column(
        "mean_answer_seconds",
        "Mean answer time (seconds)",
        (
            "Mean answer time",
            "Average answer time",
            "Average answer time (seconds)",
            "Average answer time in seconds",
            "Mean answer time in seconds",
            "Mean time to answer",
        ),
    ),
    Column(
        "median_answer_seconds",
        "Median answer time (seconds)",
        (
            "Median answer time",
            "Median answer time (in seconds)",
            "Median answer time in seconds",
            "Median time to answer",
        ),
        required=False,
    ),
    Column(
        "calls_under_10s",
        "Calls answered in under 10 seconds",
        (
            "Number of calls answered in under 10 seconds",
            "Number of calls answered under 10 seconds",
            "Calls answered under 10 seconds",
        ),
        required=False,
    ),
    Column(
        "calls_10_to_60s",
        "Calls answered in 10 to under 60 seconds",
        ("Number of calls answered in 10 to under 60 seconds", "Calls answered in 10 to 60 seconds"),
        required=False,
    ),
    Column(
        "calls_60s_and_over",
        "Calls answered in 60 seconds and over",
        (
            "Number of calls answered in 60 seconds and over",
            "60 seconds and over",
            "Calls answered in 60 seconds or longer",
            "Number of calls answered in 60 seconds or longer",
            "Number of calls answered at 60 seconds or longer",
            "Calls answered at 60 seconds or longer",
        ),
        required=False,
    ),
    Column(
        "pct_under_10s",
        "% of calls answered in under 10 seconds",
        (
            "Percentage of calls answered in under 10 seconds",
            "% calls answered in under 10 seconds",
            "% 999 calls answered in under 10 seconds",
            "% of calls answered under 10 seconds",
            "Percentage of calls answered under 10 seconds",
        ),
        required=False,
    ),
    Column(
        "pct_10_to_60s",
        "% of calls answered in 10 to under 60 seconds",
        (
            "Percentage of calls answered in 10 to under 60 seconds",
            "% calls answered in 10 to under 60 seconds",
            "% 999 calls answered in 10 to under 60 seconds",
        ),
        required=False,
    ),
    Column(
        "pct_60s_and_over",
        "% of calls answered in 60 seconds and over",
        (
            "Percentage of calls answered in 60 seconds and over",
            "% of calls answered in 60 seconds or longer",
            "% of calls answered at 60 seconds or longer",
            "Percentage of calls answered at 60 seconds or longer",
            "% 60 seconds and over",
            "% 999 calls answered in 60 seconds and over",
        ),
        required=False,
    ),
    # The office's own table (its "Police Data" page) ranks its force as the page printed it.
    Column(
        "national_rank",
        f"National ranking for {UNDER_10S}",
        ("National ranking", "National rank"),
        required=False,
    ),
    Column(
        "msg_rank",
        f"Most Similar Group ranking for {UNDER_10S}",
        ("Most Similar Group ranking", "MSG ranking", "MSG rank"),
        required=False,
    ),
    Column(
        "regional_rank",
        f"Regional ranking for {UNDER_10S}",
        ("Regional ranking", "Regional rank"),
        required=False,
    ),
]
CALLS_IGNORED = (
    "Force ID",
    "Force code",
    "Region",
)
BANDS = ("under_10s", "10_to_60s", "60s_and_over")


def answer_seconds_value(value) -> Decimal:
    """A mean or median answer time in seconds: from 0 to under ``MAX_ANSWER_SECONDS``."""
    number = decimal_value(value)
    if number >= MAX_ANSWER_SECONDS:
        raise ValueError(f"is not a plausible answer time; it must be under {MAX_ANSWER_SECONDS:,} seconds.")
    if number < 0:
        raise ValueError("is below zero; a time cannot be negative.")
    return number


@release_registered
class CallAnswerMonthResource(ReleaseResource):
    """police.uk's monthly 999 call answering data: one row per force per month."""

    release_name = "999 call answering (police.uk)"
    natural_key = ("force_id", "month")
    columns = CALLS_COLUMNS
    example_name = "999-calls-example.csv"
    preview_columns = [
        ("Force", lambda m: m.force.name),
        ("Month", lambda m: date_format(m.month, "F Y")),
        ("Total calls", lambda m: m.total_calls),
        ("Mean answer time (s)", lambda m: m.mean_answer_seconds),
        ("Median answer time (s)", lambda m: m.median_answer_seconds),
        *(
            (f"% {label}", lambda m, band=band: calculations.percent(m.band_percent(band)))
            for band, label in (
                ("under_10s", "under 10 s"),
                ("10_to_60s", "10 to 60 s"),
                ("60s_and_over", "60 s and over"),
            )
        ),
        ("Ranks in the file (national / MSG / regional)", lambda m: getattr(m, "ranks_in_file", None)),
    ]
    example_rows = [  # the median left empty: a column the release may not give
        [
            column.label
            for column in CALLS_COLUMNS
            if column.key not in RANK_SCOPE_KEYS and not column.key.startswith("calls_")
        ],
        ["Norfolk", "2023-09", 11628, 7.57, "", 87.1, 12.2, 0.7],
    ]

    force_id = fields.Field(attribute="force_id", column_name="force_id", widget=widgets.IntegerWidget())
    force = fields.Field(attribute="force__name", column_name="force", readonly=True)

    class Meta:
        model = CallAnswerMonth
        fields = (
            "force_id",
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{band}" for band in BANDS),
            *(f"pct_{band}" for band in BANDS),
        )
        import_id_fields = ("force_id", "month")

    def file_columns(self, settings) -> list[Column]:
        """The columns, with the office's own group names as the ranking headings' alternatives
        (its page heads a column "Regional 7 Force ranking for …")."""
        groups = {
            "msg_rank": settings and settings.most_similar_group,
            "regional_rank": settings and settings.regional_group,
        }
        return [
            dataclasses.replace(
                column,
                aliases=(*column.aliases, f"{groups[column.key].name} ranking for {UNDER_10S}"),
            )
            if groups.get(column.key)
            else column
            for column in CALLS_COLUMNS
        ]

    def rank_bounds(self, settings) -> dict[str, int | None]:
        """How many forces each scope ranks, for checking a rank typed in a file."""
        national = Force.objects.national(settings.national_comparison) if settings else Force.objects.none()
        bounds = {"national": national.count() or None}
        for scope, group in (
            ("msg", settings and settings.most_similar_group),
            ("regional", settings and settings.regional_group),
        ):
            bounds[scope] = group.memberships.count() or None if group else None
        return bounds

    def prepare(self, sheet: Sheet) -> Prepared:
        settings = SiteSettings.objects.select_related(
            "home_force", "most_similar_group", "regional_group"
        ).first()
        file_columns = self.file_columns(settings)
        header = self.headings_found(sheet, file_columns, ignored=CALLS_IGNORED)
        columns = {column.key: column for column in file_columns}
        present = set(header.positions)
        rank_keys = [key for key in RANK_SCOPE_KEYS if key in present]
        home = settings.home_force if settings else None
        if "force" not in present and home is None:
            raise SpreadsheetError(
                "The file has no Force column, so its rows would be the home force's, but no home force "
                "is set in the site settings. Add a Force column, or set the home force first."
            )
        bounds = self.rank_bounds(settings) if rank_keys else {}
        has_counts = all(f"calls_{band}" in present for band in BANDS)
        has_percents = all(f"pct_{band}" in present for band in BANDS)
        if not (has_counts or has_percents):
            raise SpreadsheetError(
                "The file needs the three band columns, as numbers of calls or as percentages: "
                '"Calls answered in under 10 seconds", "Calls answered in 10 to under 60 seconds", '
                '"Calls answered in 60 seconds and over" (or their "% of calls …" columns).'
            )
        forces = ForceNames(can_add_alias=alias_addable(self.import_user))
        self.home_force_id = home.pk if home else None
        self.entered_ranks = {}
        today = timezone.localdate()
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            row_errors: list[CellError] = []
            values = {}
            force = (
                read_cell(
                    row_errors,
                    number,
                    columns["force"],
                    lambda v: forces.get(text_value(v)),
                    cell(cells, header, "force"),
                )
                if "force" in present
                else home
            )
            month = read_cell(
                row_errors,
                number,
                columns["month"],
                lambda v: month_value(v, today=today),
                cell(cells, header, "month"),
            )
            values["total_calls"] = read_cell(
                row_errors, number, columns["total_calls"], count_value, cell(cells, header, "total_calls")
            )
            for key in ("mean_answer_seconds", "median_answer_seconds"):
                values[key] = read_cell(
                    row_errors,
                    number,
                    columns[key],
                    fitted_to(CallAnswerMonth, key, answer_seconds_value),
                    cell(cells, header, key),
                    required=columns[key].required,
                )
            for prefix, parse in (("calls", count_value), ("pct", percentage_value)):
                for band in BANDS:
                    key = f"{prefix}_{band}"
                    # With both kinds of band column a row may fill either kind; with one, it is required.
                    required = not (has_counts and has_percents)
                    values[key] = (
                        read_cell(
                            row_errors,
                            number,
                            columns[key],
                            parse,
                            cell(cells, header, key),
                            required=required,
                        )
                        if key in present
                        else None
                    )
            ranks = {
                RANK_SCOPE_KEYS[key]: read_cell(
                    row_errors,
                    number,
                    columns[key],
                    lambda v, scope=RANK_SCOPE_KEYS[key]: rank_value(v, out_of=bounds[scope]),
                    cell(cells, header, key),
                    required=False,
                )
                for key in rank_keys
            }
            if not row_errors:
                row_errors.extend(self._row_checks(number, values, columns))
            for band in BANDS:  # rounded to the column once the row checks have seen them as given
                key = f"pct_{band}"
                if not row_errors and values[key] is not None:
                    values[key] = read_cell(
                        row_errors,
                        number,
                        columns[key],
                        fitted_to(CallAnswerMonth, key, percentage_value),
                        cell(cells, header, key),
                    )
            if not row_errors and force is not None and month is not None:
                key = (force.pk, month)
                if key in seen:
                    row_errors.append(
                        CellError(
                            number,
                            "Month",
                            date_format(month, "F Y"),
                            f"appears twice for {force.name}: rows {seen[key]} and {number}. Each force and month may appear once.",
                        )
                    )
                seen[key] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((number, force, month, values))
                self.entered_ranks[force.pk, month] = (number, {k: v for k, v in ranks.items() if v})
        problems_raise(errors)
        warnings = preview.missing_months_warnings(rows, home) + self._warnings(rows)
        if "force" not in present:
            warnings.insert(
                0,
                f"The file has no Force column: every row is read as {home.name}'s (the home force), "
                "as in the office's own 999 table.",
            )
        return Prepared(
            dataset=self._dataset(rows),
            warnings=warnings + self._rank_warnings(),
            months={month for _, _, month, _ in rows},
            summary=preview.home_force_summary(rows, settings),
        )

    def _held_entered_ranks(self) -> dict:
        """The ranks entered by hand that the file's months hold: {(force id, month): {scope: rank}}."""
        held = defaultdict(dict)
        if not self.entered_ranks:
            return held
        forces = {force_id for force_id, _ in self.entered_ranks}
        months = {month for _, month in self.entered_ranks}
        for rank in CallAnswerRank.objects.filter(
            source=CallAnswerRank.Source.ENTERED,
            call_month__force_id__in=forces,
            call_month__month__in=months,
        ).select_related("call_month"):
            held[rank.call_month.force_id, rank.call_month.month][rank.scope] = rank
        return held

    def _rank_warnings(self) -> list[str]:
        """Ranks in the file that change ranks held, or that computed ranks will outshine."""
        held = self._held_entered_ranks()
        computed = set(
            CallAnswerRank.objects.filter(
                source=CallAnswerRank.Source.COMPUTED,
                preview=False,
                call_month__force_id__in={force_id for force_id, _ in self.entered_ranks},
                call_month__month__in={month for _, month in self.entered_ranks},
            ).values_list("call_month__force_id", "call_month__month")
        )
        names = dict(CallAnswerRank.Scope.choices)
        warnings = []
        for (force_id, month), (number, ranks) in sorted(
            self.entered_ranks.items(), key=lambda item: item[1][0]
        ):
            for scope, (rank, joint) in ranks.items():
                before = held[force_id, month].get(scope)
                if before is not None and (before.rank, before.joint) != (rank, joint):
                    warnings.append(
                        f"Row {number}: the {names[scope]} rank for {date_format(month, 'F Y')} changes from "
                        f"{calculations.rank_text(before.rank, joint=before.joint, out_of=before.out_of)} to "
                        f"{calculations.rank_text(rank, joint=joint)}."
                    )
            if ranks and (force_id, month) in computed:
                warnings.append(
                    f"Row {number}: ranks for {date_format(month, 'F Y')} are computed from the national data "
                    "held here; the file's ranks are kept, but the computed ones are shown."
                )
        return warnings

    def _computed_set_sizes(self) -> dict[tuple, int]:
        """How many forces the public's computed ranks of the file's months rank, by month and
        scope: the "of N" an entered rank for the same month and scope carries."""
        if not self.entered_ranks:
            return {}
        timelines: dict[tuple, list] = defaultdict(list)
        for month, scope, valid_from, out_of in CallAnswerRank.objects.filter(
            source=CallAnswerRank.Source.COMPUTED,
            preview=False,
            call_month__month__in={month for _, month in self.entered_ranks},
        ).values_list("call_month__month", "scope", "valid_from", "out_of"):
            timelines[month, scope].append((valid_from, out_of))
        now = timezone.now()
        sizes = {key: seen_at(timeline, now) for key, timeline in timelines.items()}
        return {key: size for key, size in sizes.items() if size}

    def entered_ranks_write(self) -> list[CallAnswerRank]:
        """Store the file's ranks as entered by hand, replacing any that differ; returns those
        written, for the publication check (a rank belongs to its month). A rank carries "of N"
        when the month has computed ranks in its scope (how many they rank); the office's table
        does not say, so otherwise none."""
        held = self._held_entered_ranks()
        set_sizes = self._computed_set_sizes()
        months = {
            (m.force_id, m.month): m
            for m in CallAnswerMonth.objects.filter(
                force_id__in={force_id for force_id, _ in self.entered_ranks},
                month__in={month for _, month in self.entered_ranks},
            )
        }
        new, changed = [], []
        for key, (_, ranks) in self.entered_ranks.items():
            for scope, (rank, joint) in ranks.items():
                stored = held[key].get(scope)
                out_of = set_sizes.get((key[1], scope), stored.out_of if stored else None)
                if out_of is not None and rank > out_of:
                    out_of = None  # past the last place the computed set has: no "of N" to give
                if stored is None:
                    new.append(
                        CallAnswerRank(
                            call_month=months[key], scope=scope, rank=rank, joint=joint, out_of=out_of
                        )
                    )
                elif (stored.rank, stored.joint, stored.out_of) != (rank, joint, out_of):
                    stored.rank, stored.joint, stored.out_of, stored.call_month = (
                        rank,
                        joint,
                        out_of,
                        months[key],
                    )
                    changed.append(stored)
        CallAnswerRank.objects.bulk_create(new)
        CallAnswerRank.objects.bulk_update(changed, ["rank", "joint", "out_of"])
        # The month's "last revised" follows its ranks, as after a recomputation.
        CallAnswerMonth.objects.filter(pk__in={rank.call_month_id for rank in new + changed}).update(
            updated_at=timezone.now()
        )
        return new + changed

    def after_import(self, dataset, result, **kwargs):
        if not (result.has_errors() or result.has_validation_errors()):
            self.written.extend(self.entered_ranks_write())
        super().after_import(dataset, result, **kwargs)

    def _row_checks(self, number: int, values: dict, columns: dict) -> list[CellError]:
        percents = [values[f"pct_{band}"] for band in BANDS]
        counts = [values[f"calls_{band}"] for band in BANDS]
        if (
            all(p is not None for p in percents)
            and all(p <= 1 for p in percents)
            and abs(sum(percents) - 1) <= Decimal("0.01")
        ):
            return [
                CellError(
                    number,
                    columns["pct_under_10s"].label,
                    values["pct_under_10s"],
                    "looks like a fraction: the three bands add up to 1, not 100. Give percentages from 0 to 100 (90 for 90%).",
                )
            ]
        if all(p is None for p in percents) and any(c is None for c in counts):
            return [
                CellError(
                    number,
                    columns["calls_under_10s"].label,
                    None,
                    "is empty: each row needs the band counts or the band percentages.",
                )
            ]
        month = CallAnswerMonth(
            total_calls=values["total_calls"],
            mean_answer_seconds=values["mean_answer_seconds"],
            **{k: v for k, v in values.items() if k.startswith(("pct_", "calls_"))},
        )
        try:
            month.clean()
        except ValidationError as error:
            return [
                RowError(
                    number, f"{message.rstrip('.')} ({self._columns_shown(field_name, values, columns)})."
                )
                for field_name, messages in error.message_dict.items()
                for message in messages
            ]
        return []

    @staticmethod
    def _columns_shown(field_name: str, values: dict, columns: dict) -> str:
        """The cells a whole-row problem is about, e.g. 'columns "Total calls" 9933, "…" 8473'."""
        prefix = field_name.split("_", 1)[0]  # "calls" or "pct"
        if field_name in (f"{prefix}_under_10s",) and f"{prefix}_10_to_60s" in values:
            keys = [f"{prefix}_{band}" for band in BANDS] + (["total_calls"] if prefix == "calls" else [])
        else:
            keys = [field_name, f"calls_{field_name.removeprefix('pct_')}", "total_calls"]
        cells = [f'"{columns[key].label}" {values[key]}' for key in keys if values.get(key) is not None]
        return "columns " + ", ".join(cells)

    def _dataset(self, rows) -> tablib.Dataset:
        headers = [
            "force_id",
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{b}" for b in BANDS),
            *(f"pct_{b}" for b in BANDS),
        ]
        dataset = tablib.Dataset(headers=headers)
        self.forces_by_pk = {}
        for _, force, month, values in rows:
            self.forces_by_pk[force.pk] = force
            dataset.append([force.pk, force.name, month, *(values[h] for h in headers[3:])])
        return dataset

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.force = self.forces_by_pk[row["force_id"]]  # no query per row for the preview
        if instance.force_id == self.home_force_id:
            instance.preview_tag = preview.HOME_FORCE_TAG
        _, ranks = self.entered_ranks.get((instance.force_id, instance.month), (None, {}))
        if ranks:
            instance.ranks_in_file = " / ".join(
                calculations.rank_text(*ranks[scope][:1], joint=ranks[scope][1]) if scope in ranks else "–"
                for scope in RANK_SCOPE_KEYS.values()
            )

    def _warnings(self, rows) -> list[str]:
        """Changes a person should look at twice: big monthly swings, already-published values changed."""
        months = {month for _, _, month, _ in rows}
        earlier = {calculations.month_before(month) for month in months}
        held = {
            (m.force_id, m.month): m
            for m in CallAnswerMonth.objects.filter(
                month__in=months | earlier, force_id__in={f.pk for _, f, _, _ in rows}
            )
        }
        in_file = {(force.pk, month): values for _, force, month, values in rows}
        warnings = []
        for number, force, month, values in sorted(rows, key=lambda r: r[0]):
            before = calculations.month_before(month)
            previous_total = in_file.get((force.pk, before), {}).get("total_calls")
            if previous_total is None and (force.pk, before) in held:
                previous_total = held[(force.pk, before)].total_calls
            if previous_total and abs(values["total_calls"] - previous_total) > previous_total / 2:
                change = calculations.difference(values["total_calls"], previous_total)
                warnings.append(
                    f"Row {number}: {force.name} had {calculations.thousands(values['total_calls'])} calls in "
                    f"{date_format(month, 'F Y')}, a {change.text} on {date_format(before, 'F Y')} "
                    f"({calculations.thousands(previous_total)}). Check the figure before you confirm."
                )
            existing = held.get((force.pk, month))
            if existing is not None:
                changed = [
                    field_name
                    for field_name, value in values.items()
                    if (value, getattr(existing, field_name)) != (None, None)
                    and (
                        value is None
                        or getattr(existing, field_name) is None
                        or Decimal(getattr(existing, field_name)) != Decimal(value)
                    )
                ]
                if changed:
                    labels = ", ".join(CallAnswerMonth._meta.get_field(name).verbose_name for name in changed)
                    warnings.append(
                        f"Row {number}: {force.name} {date_format(month, 'F Y')} is already held; this file changes {labels}."
                    )
        return warnings

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.ranks_before = outcome.home_ranks(self.home_force_id, self.prepared.months)

    def after_release(self, dataset, result):
        ranks_recompute(months=self.prepared.months)

    def outcome(self, result) -> dict:
        """New draft months, months changed (the home force's first) and the home force's ranks
        that changed."""
        new, changed = self.written_rows()
        home = self.forces_by_pk.get(self.home_force_id) or (
            Force.objects.filter(pk=self.home_force_id).first() if self.home_force_id else None
        )
        return outcome.calls_outcome(
            new=new,
            changed=changed,
            changes_of=self.changes_of,
            home_force_id=self.home_force_id,
            home_force_name=home.name if home else "the home force",
            ranks_before=getattr(self, "ranks_before", {}),
            ranks_after=outcome.home_ranks(self.home_force_id, self.prepared.months),
        )


# --------------------------------------------------------------------------------------------
# Export for staff
# --------------------------------------------------------------------------------------------


class CallAnswerMonthExportResource(ReadableExportResource):
    columns = CALLS_COLUMNS

    force = fields.Field(attribute="force__name", column_name="Force")
    month = fields.Field(
        attribute="month", column_name="Month", widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False)
    )

    class Meta:
        model = CallAnswerMonth
        name = "999 call months (readable columns)"
        fields = (
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{b}" for b in BANDS),
            *(f"pct_{b}" for b in BANDS),
        )
        export_order = fields
        widgets = {name: NATIVE for name in fields[2:]}

    def get_queryset(self):
        return super().get_queryset().select_related("force")
