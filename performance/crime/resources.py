"""The imports of ONS's Table P1 (recorded crime by force area) and of the NCPM figures, and
their exports."""

from __future__ import annotations

import datetime
import json
import re

import tablib
from django.utils import timezone
from django.utils.dateformat import format as date_format
from import_export import fields, widgets

from performance.crime import ons
from performance.crime import outcome as crime_outcome
from performance.crime.models.ncpm import Measure, MeasureFigure, ReportingPeriod
from performance.crime.models.open_data import OffenceCount
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.forces.models import Force
from performance.forces.resources import ForceNames, alias_addable
from performance.imports.releases import release_day, release_day_text
from performance.imports.resources import (
    NATIVE,
    Prepared,
    ReadableExportResource,
    ReleaseResource,
    RowError,
    column_replace,
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
    header_key,
    normalise_force_name,
    percentage_value,
    text_value,
)
from performance.shared import calculations

# --------------------------------------------------------------------------------------------
# ONS police force area tables, Table P1
# --------------------------------------------------------------------------------------------

ONS_COLUMNS = [
    Column("area_code", "Area Code", ("Area code",)),
    Column("area_name", "Area Name", ("Area name", "Police force area")),
    Column("total", "Total recorded crime (excluding fraud)", ("Total recorded crime excluding fraud",)),
]
YEAR_ENDING = re.compile(r"year ending\s+([a-z]+)\s+(\d{4})", re.IGNORECASE)
FORCE_AREA_CODE = re.compile(r"^(E23|W15)\d{6}$")
OTHER_AREA_CODE = re.compile(r"^(K0[2-4]|E92|W92|E12)\d{6}$")
NOT_AVAILABLE = {"[x]", "[c]", "[z]", "..", ":", "x", "-"}


@release_registered
class RecordedCrimeFigureResource(ReleaseResource):
    """ONS "Police force area data tables", sheet Table P1: offences by force area for a year ending."""

    release_name = "ONS police force area tables (Table P1)"
    natural_key = ("period_id", "force_id")
    sheet_names = ("Table P1",)
    columns = ONS_COLUMNS
    example_name = "ons-table-p1-example.csv"
    preview_columns = [
        ("Area", lambda f: f.force.name),
        ("Year ending", lambda f: date_format(f.period.period_end, "F Y")),
        ("Total recorded crime (excluding fraud)", lambda f: f.total),
    ]
    example_rows = [
        ["Table P1: Police recorded crime by offence group and police force area, year ending June 2023"],
        [column.label for column in ONS_COLUMNS],
        ["E23000024", "Norfolk", 65115],
    ]

    period_id = fields.Field(attribute="period_id", column_name="period_id", widget=widgets.IntegerWidget())
    force_id = fields.Field(attribute="force_id", column_name="force_id", widget=widgets.IntegerWidget())
    force = fields.Field(attribute="force__name", column_name="force", readonly=True)
    offence_groups = fields.Field(
        attribute="offence_groups", column_name="offence_groups", widget=widgets.JSONWidget()
    )

    class Meta:
        model = RecordedCrimeFigure
        fields = ("period_id", "force_id", "force", "total", "offence_groups")
        import_id_fields = ("period_id", "force_id")

    def prepare(self, sheet: Sheet) -> Prepared:
        header = self.headings_found(sheet, ONS_COLUMNS, keep_extras=True)
        period_end = self._period_end(sheet, header)
        columns = {column.key: column for column in ONS_COLUMNS}
        by_code = {f.ons_code: f for f in Force.objects.exclude(ons_code=None)}
        forces = ForceNames(can_add_alias=alias_addable(self.import_user))
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            code = cell(cells, header, "area_code")
            name = cell(cells, header, "area_name")
            total_value = cell(cells, header, "total")
            code = str(code).strip() if code is not None else ""
            if OTHER_AREA_CODE.match(code) or (not name and total_value is None):
                continue  # country and region rows, and notes below the table
            row_errors: list[CellError] = []
            if FORCE_AREA_CODE.match(code):
                force = by_code.get(code)
                if force is None:
                    row_errors.append(
                        CellError(
                            number, "Area Code", code, "is not the ONS code of a police force area we know."
                        )
                    )
                elif (named := forces.lookup.get(normalise_force_name(str(name or "")))) not in (None, force):
                    row_errors.append(
                        RowError(
                            number,
                            f'the Area Code "{code}" is {force.name} but the Area Name "{name}" is '
                            f"{named.name}. A row's code and name must be the same police force area; "
                            "check the rows were not shifted or pasted out of line.",
                        )
                    )
                    force = None
            elif code:
                force = None
                row_errors.append(
                    CellError(
                        number,
                        "Area Code",
                        code,
                        "is not an ONS area code (E23…, W15…, or a country or region code).",
                    )
                )
            else:
                force = read_cell(
                    row_errors, number, columns["area_name"], lambda v: forces.get(text_value(v)), name
                )
            total = read_cell(row_errors, number, columns["total"], count_value, total_value)
            groups = {}
            for index, label in header.extras.items():
                value = cells[index] if index < len(cells) else None
                if value is None or (isinstance(value, str) and value.strip().lower() in NOT_AVAILABLE):
                    continue
                parsed = read_cell(row_errors, number, Column(label, label), count_value, value)
                if parsed is not None:
                    groups[label] = parsed
            if force is not None and not row_errors:
                if force.pk in seen:
                    row_errors.append(
                        CellError(
                            number, "Area Name", name, f"appears twice: rows {seen[force.pk]} and {number}."
                        )
                    )
                seen[force.pk] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((force, total, groups))
        problems_raise(errors)
        if not rows:
            raise SpreadsheetError("The table has no police force area rows (codes E23… or W15…).")
        self.period_end = period_end
        held_period = RecordedCrimePeriod.objects.filter(period_end=period_end).first()
        said, how = release_day(entered=None, texts=sheet.title_rows, file_name=sheet.file_name)
        self.published_on = said or (held_period.published_on if held_period else None)
        if self.published_on is None:
            release = (
                'The file does not say when ONS published it. Enter the day under "published on" on '
                "the ONS period before publishing it: until then the year before is compared as first "
                "published a year earlier, not as revised in this release."
            )
        else:
            release = release_day_text(self.published_on, how or "as the ONS period already has it", asked="")
        dataset = tablib.Dataset(headers=["period_id", "force_id", "force", "total", "offence_groups"])
        self.forces_by_pk = {}
        for force, total, groups in rows:
            self.forces_by_pk[force.pk] = force
            dataset.append([None, force.pk, force.name, total, json.dumps(groups)])
        return Prepared(
            dataset=dataset, warnings=[release, *self._warnings(rows, period_end, self.published_on)]
        )

    @staticmethod
    def _warnings(rows, period_end: datetime.date, published_on: datetime.date | None) -> list[str]:
        """Forces whose Table P1 total differs from the recorded crime open data of the same
        release for the same 12 months (the two are published together and should agree)."""
        held_release = ons.open_data_release()
        if held_release is None or published_on is None or held_release != published_on:
            return []
        open_data = OffenceCount.objects.year_totals(period_end, forces=[force for force, _, _ in rows])
        year = f"the year ending {date_format(period_end, 'F Y')}"
        return [
            f"{force.name}: Table P1 gives {calculations.thousands(total)} offences for {year}; the "
            f"recorded crime open data of the same release adds up to "
            f"{calculations.thousands(open_data[force.pk])} for the same 12 months. Check the files."
            for force, total, _ in rows
            if force.pk in open_data and open_data[force.pk] != total
        ]

    def _period_end(self, sheet: Sheet, header) -> datetime.date:
        numbers = [number for number, _ in sheet.rows if number < header.row]
        for number, title in zip(numbers, sheet.title_rows, strict=True):
            if match := YEAR_ENDING.search(title):
                month_name, year = match.groups()
                try:
                    first = datetime.datetime.strptime(f"1 {month_name} {year}", "%d %B %Y").date()
                except ValueError:
                    continue
                next_month = (first + datetime.timedelta(days=32)).replace(day=1)
                if next_month > timezone.localdate():
                    raise SpreadsheetError(
                        f'Row {number}: the title says "{match[0]}", a year that has not ended yet; '
                        "Table P1 covers a year that is over. Upload the table as ONS publishes it."
                    )
                return next_month - datetime.timedelta(days=1)
        raise SpreadsheetError(
            'The title above the table does not say which year it covers (e.g. "… year ending June 2025"). '
            "Upload the table as ONS publishes it, title row included."
        )

    def before_import(self, dataset, **kwargs):
        period, self.period_created = RecordedCrimePeriod.objects.get_or_create(
            period_end=self.period_end, defaults={"published_on": self.published_on}
        )
        self.periods_by_pk = {period.pk: period}
        column_replace(dataset, "period_id", [period.pk] * len(dataset))

    def after_release(self, dataset, result):
        """The year before of this period's figures, and of the next year's, which compares
        with them when the open data cannot (``ons``)."""
        next_year = calculations.same_day_years_earlier(self.period_end, -1)
        ons.ons_previous_update(
            periods=RecordedCrimePeriod.objects.filter(period_end__in=[self.period_end, next_year]),
            user=self.import_user,
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.force = self.forces_by_pk[row["force_id"]]
        instance.period = self.periods_by_pk[row["period_id"]]

    def outcome(self, result) -> dict:
        new, changed = self.written_rows()
        return crime_outcome.ons_outcome(
            period=next(iter(self.periods_by_pk.values())),
            created=self.period_created,
            new=new,
            changed=changed,
            changes_of=self.changes_of,
        )


# --------------------------------------------------------------------------------------------
# NCPM figures
# --------------------------------------------------------------------------------------------

NCPM_COLUMNS = [
    Column("measure", "Measure"),
    Column("period_end", "12 months ending", ("12 months to", "Period ending", "Year ending")),
    Column("latest", "Latest 12 months", ("Most recent 12 months", "Latest")),
    Column("previous", "Previous 12 months", ("Previous",)),
    Column("baseline", "2019 baseline", ("Baseline", "2019 Baseline"), required=False),
]
NCPM_TEMPLATE_HELP = [
    "Measure: exactly as named in the admin, e.g. All violence with injury.",
    "12 months ending: the last day of the latest 12 months, e.g. 30/06/2023.",
    "Latest 12 months, Previous 12 months, 2019 baseline: offences (whole numbers), or for a "
    "percentage measure the percentage from 0 to 100.",
]


def day_value(value) -> datetime.date:
    """A day: an Excel date, or dd/mm/yyyy (day first) or yyyy-mm-dd text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_value(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("is not a date we can read; use dd/mm/yyyy, e.g. 30/06/2023.")


def ncpm_period_end_value(value, *, today: datetime.date) -> datetime.date:
    """The last day of an NCPM quarter's latest 12 months: a quarter's end, over by ``today``,
    and after the 2019 baseline it is compared with (a quarter has one address, by its month).

    >>> ncpm_period_end_value("30/06/2023", today=datetime.date(2026, 12, 2))
    datetime.date(2023, 6, 30)
    >>> ncpm_period_end_value("15/06/2023", today=datetime.date(2026, 12, 2))
    Traceback (most recent call last):
    ...
    ValueError: is not the last day of a quarter; the 12 months end on 31 March, 30 June, 30 September or 31 December (e.g. 30/06/2023).
    """
    day = day_value(value)
    if not calculations.is_quarter_end(day):
        raise ValueError(
            "is not the last day of a quarter; the 12 months end on 31 March, 30 June, "
            "30 September or 31 December (e.g. 30/06/2023)."
        )
    if day >= today:
        raise ValueError(
            f"is {day.day} {day:%B %Y}, which has not come yet; the figures are for 12 months that are over."
        )
    period = ReportingPeriod(period_end=day)
    period.fill_comparison_periods()
    if period.baseline_period_end >= day:
        raise ValueError(
            f"is not after its 2019 baseline (the 12 months to {period.baseline_period_end:%d/%m/%Y}); "
            "the latest 12 months must end after 2019."
        )
    return day


@release_registered
class MeasureFigureResource(ReleaseResource):
    """NCPM figures in the documented template: measure, 12 months ending, latest, previous, baseline."""

    release_name = "National Crime and Policing Measures"
    natural_key = ("period_id", "measure_id")
    columns = NCPM_COLUMNS
    example_name = "ncpm-figures-template.csv"
    preview_columns = [
        ("Measure", lambda f: f.measure.name),
        ("12 months ending", lambda f: f.period.period_end),
        ("Latest 12 months", lambda f: f.latest),
        ("Previous 12 months", lambda f: f.previous),
        ("2019 baseline", lambda f: f.baseline),
    ]

    @classmethod
    def example(cls) -> tablib.Dataset:
        return ncpm_template()

    period_id = fields.Field(attribute="period_id", column_name="period_id", widget=widgets.IntegerWidget())
    measure_id = fields.Field(
        attribute="measure_id", column_name="measure_id", widget=widgets.IntegerWidget()
    )
    measure = fields.Field(attribute="measure__name", column_name="measure", readonly=True)

    class Meta:
        model = MeasureFigure
        fields = ("period_id", "measure_id", "measure", "latest", "previous", "baseline")
        import_id_fields = ("period_id", "measure_id")

    def prepare(self, sheet: Sheet) -> Prepared:
        header = self.headings_found(sheet, NCPM_COLUMNS)
        columns = {column.key: column for column in NCPM_COLUMNS}
        measures = {header_key(m.name): m for m in Measure.objects.prefetch_related("components")}
        today = timezone.localdate()
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            row_errors: list[CellError] = []

            def measure_lookup(value):
                found = measures.get(header_key(text_value(value)))
                if found is None:
                    raise ValueError(
                        "is not a measure we know. Use a measure's name exactly as it is in the admin."
                    )
                return found

            measure = read_cell(
                row_errors, number, columns["measure"], measure_lookup, cell(cells, header, "measure")
            )
            period_end = read_cell(
                row_errors,
                number,
                columns["period_end"],
                lambda v: ncpm_period_end_value(v, today=today),
                cell(cells, header, "period_end"),
            )
            parse = percentage_value if measure is not None and measure.is_percent else count_value
            values = {
                key: read_cell(
                    row_errors,
                    number,
                    columns[key],
                    fitted_to(MeasureFigure, key, parse),
                    cell(cells, header, key),
                    required=key != "baseline",
                )
                for key in ("latest", "previous", "baseline")
            }
            if not row_errors:
                key = (measure.pk, period_end)
                if key in seen:
                    row_errors.append(
                        CellError(
                            number,
                            "Measure",
                            measure.name,
                            f"appears twice for the same 12 months: rows {seen[key]} and {number}.",
                        )
                    )
                seen[key] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((measure, period_end, values))
        problems_raise(errors)
        self.period_ends = {period_end for _, period_end, _ in rows}
        self.measures_by_pk = {measure.pk: measure for measure, _, _ in rows}
        dataset = tablib.Dataset(
            headers=["period_end", "period_id", "measure_id", "measure", "latest", "previous", "baseline"]
        )
        for measure, period_end, values in rows:
            dataset.append(
                [
                    period_end,
                    None,
                    measure.pk,
                    measure.name,
                    values["latest"],
                    values["previous"],
                    values["baseline"],
                ]
            )
        return Prepared(dataset=dataset, warnings=self._warnings(rows))

    def _warnings(self, rows) -> list[str]:
        """Totals whose components (e.g. neighbourhood crime's four parts) do not add up."""
        figures = {(measure.pk, period_end): values for measure, period_end, values in rows}
        warnings = []
        for measure, period_end, values in rows:
            parts = list(measure.components.all())
            if not parts or not all((part.pk, period_end) in figures for part in parts):
                continue
            for key, label in (
                ("latest", "latest 12 months"),
                ("previous", "previous 12 months"),
                ("baseline", "2019 baseline"),
            ):
                part_values = [figures[(part.pk, period_end)][key] for part in parts]
                if values[key] is None or any(v is None for v in part_values):
                    continue
                if sum(part_values) != values[key]:
                    warnings.append(
                        f"{measure.name}, {label}: {calculations.thousands(values[key])}, but its parts "
                        f"({', '.join(part.name for part in parts)}) add up to {calculations.thousands(sum(part_values))}."
                    )
        return warnings

    def before_import(self, dataset, **kwargs):
        periods = {}
        self.periods_created = set()
        for period_end in self.period_ends:
            period = ReportingPeriod.objects.filter(period_end=period_end).first()
            if period is None:
                period = ReportingPeriod(period_end=period_end)
                period.save()
                self.periods_created.add(period.pk)
            periods[period_end] = period
        self.periods_by_pk = {period.pk: period for period in periods.values()}
        column_replace(dataset, "period_id", [periods[day].pk for day in dataset["period_end"]])

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.measure = self.measures_by_pk[row["measure_id"]]
        instance.period = self.periods_by_pk[row["period_id"]]

    def outcome(self, result) -> dict:
        new, changed = self.written_rows()
        return crime_outcome.ncpm_outcome(
            periods=self.periods_by_pk,
            created=self.periods_created,
            new=new,
            changed=changed,
            changes_of=self.changes_of,
        )


def ncpm_template() -> tablib.Dataset:
    """The NCPM template staff download from the admin: the headers and one row per measure."""
    dataset = tablib.Dataset(headers=[column.label for column in NCPM_COLUMNS])
    for measure in Measure.objects.select_related("priority_area"):
        dataset.append([measure.name, None, None, None, None])
    return dataset


# --------------------------------------------------------------------------------------------
# Exports for staff
# --------------------------------------------------------------------------------------------


class RecordedCrimeFigureExportResource(ReadableExportResource):
    columns = ONS_COLUMNS

    force = fields.Field(attribute="force__name", column_name="Area Name")
    ons_code = fields.Field(attribute="force__ons_code", column_name="Area Code")
    year_ending = fields.Field(
        attribute="period__period_end",
        column_name="Year ending",
        widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False),
    )

    class Meta:
        model = RecordedCrimeFigure
        fields = ("ons_code", "force", "year_ending", "total")
        export_order = fields
        widgets = {"total": NATIVE}

    def get_queryset(self):
        return super().get_queryset().select_related("force", "period")


class MeasureFigureExportResource(ReadableExportResource):
    columns = NCPM_COLUMNS

    measure = fields.Field(attribute="measure__name", column_name="Measure")
    period_end = fields.Field(
        attribute="period__period_end",
        column_name="12 months ending",
        widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False),
    )

    class Meta:
        model = MeasureFigure
        fields = ("measure", "period_end", "latest", "previous", "baseline")
        export_order = fields
        widgets = {name: NATIVE for name in ("latest", "previous", "baseline")}

    def get_queryset(self):
        return super().get_queryset().select_related("measure", "period")
