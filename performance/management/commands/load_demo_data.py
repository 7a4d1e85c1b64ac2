"""Load the demo office: every force, the home force's groups, its published figures and demo prose.

Idempotent: rows are matched on their natural keys and updated, so running it twice changes
nothing. Every row passes ``full_clean()``, the same validation staff meet in the admin.
"""

import csv
import datetime
import json
import zoneinfo
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.ranking import ranks_deferred, ranks_recompute
from performance.crime.charge_rates import charge_rates_compute
from performance.crime.models.crime_outcomes import ChargeRateFigure
from performance.crime.models.ncpm import (
    CommissionerStatement,
    Measure,
    MeasureFigure,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingPeriod,
)
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.crime.ons import period_rates
from performance.forces.models import (
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    SiteSettings,
)
from performance.imports.spreadsheets import normalise_force_name
from performance.library.models import (
    Document,
    DocumentCategory,
    LibraryPage,
    Meeting,
    PageSection,
    ReportingChannel,
)
from performance.management.commands.bench_extraction import (
    text_pdf,  # one text PDF writer, for the demo and the benchmark
)

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"

RANK_COLUMNS = {
    CallAnswerRank.Scope.NATIONAL: "national_rank",
    CallAnswerRank.Scope.MOST_SIMILAR: "msg_rank",
    CallAnswerRank.Scope.REGIONAL: "regional_rank",
}

FORCE_KINDS = {
    "Northern Ireland": Force.Kind.NORTHERN_IRELAND,
    "Scotland": Force.Kind.SCOTLAND,
    "British Transport Police": Force.Kind.SPECIAL,
}


def saved(model, lookup: dict, values: dict):
    """Create or update one row by its natural key, validated as the admin would. A row that
    already holds these values is left alone, so loading twice changes nothing."""
    instance = model.objects.filter(**lookup).first()
    if instance is not None and all(getattr(instance, field) == value for field, value in values.items()):
        return instance
    instance = instance or model(**lookup)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    CHANGES.append(instance)
    return instance


CHANGES: list = []


# The demo figures are shown as published on the day ONS released the quarter they belong to.
DEMO_PUBLISHED = datetime.datetime(2023, 10, 19, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Command(BaseCommand):
    help = "Load (or refresh) the demo data: forces, groups, figures and demo pages."

    def handle(self, *args, **options):
        CHANGES.clear()
        with transaction.atomic(), ranks_deferred():
            self.load(*args, **options)
        if CHANGES:
            ranks_recompute()
            SiteSettings.content_changed()

    def load(self, *args, **options):
        figures = json.loads((DEMO_DATA / "figures.json").read_text())
        content = json.loads((DEMO_DATA / "content.json").read_text())
        self.load_forces()
        names = Force.objects.name_lookup()
        home = names[normalise_force_name(figures["force"])]
        groups = self.load_groups(figures, content, names)
        self.load_settings(content["site_settings"], home, groups)
        self.load_calls(figures, home)
        self.load_populations(content["populations"], names)
        self.load_ons(figures["ons_recorded_crime"], home)
        self.load_ncpm(figures["ncpm"], content)
        self.load_charge_rates(json.loads((DEMO_DATA / "charge_rates.json").read_text()), names, groups)
        self.load_library(content)
        self.load_documents(content)
        for channel in content["reporting_channels"]:
            saved(ReportingChannel, {"name": channel["name"]}, channel)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded for {home.full_name}."))

    def load_forces(self):
        with (DEMO_DATA / "forces.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                force = saved(
                    Force,
                    {"name": row["short_name"]},
                    {
                        "full_name": row["force_name"],
                        "ons_code": row["ons_code"] or None,
                        "police_uk_id": row["police_uk_id"],
                        "region": row["ons_region"],
                        "kind": FORCE_KINDS.get(row["short_name"], Force.Kind.TERRITORIAL),
                    },
                )
                if row["police_uk_id"]:
                    ForceAlias.objects.get_or_create(alias=row["police_uk_id"], defaults={"force": force})

    def load_groups(self, figures, content, names):
        definitions = {
            ForceGroup.Kind.MOST_SIMILAR: ("Most Similar Group", figures["most_similar_group"]),
            ForceGroup.Kind.REGIONAL: (
                figures["regional_group"]["name"],
                figures["regional_group"]["forces"],
            ),
        }
        groups = {}
        for kind, (name, members) in definitions.items():
            group = saved(
                ForceGroup,
                {"name": name},
                {"kind": kind, "description": content["group_descriptions"][kind]},
            )
            forces = [names[normalise_force_name(member)] for member in members]
            ForceGroupMembership.objects.filter(group=group).exclude(force__in=forces).delete()
            for force in forces:
                ForceGroupMembership.objects.get_or_create(group=group, force=force)
            groups[kind] = group
        return groups

    def load_settings(self, values, home, groups):
        values = {key: value for key, value in values.items() if key != "home_force"}
        existing = SiteSettings.objects.first()
        saved(
            SiteSettings,
            {"pk": existing.pk} if existing else {},
            {
                **values,
                "home_force": home,
                "most_similar_group": groups[ForceGroup.Kind.MOST_SIMILAR],
                "regional_group": groups[ForceGroup.Kind.REGIONAL],
            },
        )

    def load_calls(self, figures, home):
        columns = figures["calls_999_columns"]
        group_sizes = {
            CallAnswerRank.Scope.MOST_SIMILAR: len(figures["most_similar_group"]),
            CallAnswerRank.Scope.REGIONAL: len(figures["regional_group"]["forces"]),
        }
        for values in figures["calls_999"]:
            row = dict(zip(columns, values, strict=True))
            month = saved(
                CallAnswerMonth,
                {"force": home, "month": day(row["month"] + "-01")},
                {
                    "total_calls": row["total_calls"],
                    "mean_answer_seconds": Decimal(str(row["mean_answer_seconds"])),
                    "pct_under_10s": Decimal(str(row["pct_under_10s"])),
                    "pct_10_to_60s": Decimal(str(row["pct_10_to_60s"])),
                    "pct_60s_and_over": Decimal(str(row["pct_60s_and_over"])),
                    "publish_at": DEMO_PUBLISHED,
                },
            )
            # Published ranks for months whose national data is not held: entered, as published,
            # with how many forces each group ranks (how many were ranked nationally is not given).
            for scope, column in RANK_COLUMNS.items():
                saved(
                    CallAnswerRank,
                    {"call_month": month, "scope": scope, "source": CallAnswerRank.Source.ENTERED},
                    {"rank": row[column], "out_of": group_sizes.get(scope)},
                )

    def load_populations(self, populations, names):
        """Typed populations with their source, as a Publisher enters them: the demo's rates."""
        force = names[normalise_force_name(populations["force"])]
        for year, population in populations["years"].items():
            saved(
                ForcePopulation,
                {"force": force, "year": int(year)},
                {
                    "population": population,
                    "source": populations["source"],
                    "source_url": populations["source_url"],
                },
            )

    def load_ons(self, ons, home):
        latest_end = day(ons["period_end"])
        latest = saved(
            RecordedCrimePeriod,
            {"period_end": latest_end},
            {
                "published_on": day(ons["published"]),
                "next_release_on": day(ons["next_release"]["date"]),
                "next_period_end": day(ons["next_release"]["period_end"]),
                "publish_at": DEMO_PUBLISHED,
            },
        )
        previous = saved(
            RecordedCrimePeriod,
            {"period_end": latest_end.replace(year=latest_end.year - 1)},
            {"publish_at": DEMO_PUBLISHED},
        )
        saved(RecordedCrimeFigure, {"period": previous, "force": home}, {"total": ons["previous_offences"]})
        saved(  # the year before as revised in the same release, as the office's page compares it
            RecordedCrimeFigure,
            {"period": latest, "force": home},
            {
                "total": ons["offences"],
                "previous_total": ons["previous_offences"],
                "previous_source": "open data",
                "previous_release_on": latest.published_on,
            },
        )
        for period in (previous, latest):  # the rates as the import computes them (``ons``)
            figure = RecordedCrimeFigure.objects.get(period=period, force=home)
            saved(RecordedCrimeFigure, {"pk": figure.pk}, {"rates": period_rates(period)[home.pk]})

    def load_ncpm(self, ncpm, content):
        period = saved(
            ReportingPeriod,
            {"period_end": day(ncpm["period_end"])},
            {
                "previous_period_end": day(ncpm["previous_period_end"]),
                "baseline_period_end": day(ncpm["baseline_period_end"]),
                "publish_at": DEMO_PUBLISHED,
            },
        )
        areas = {
            area["name"]: saved(PriorityArea, {"name": area["name"]}, {"slug": slugify(area["name"]), **area})
            for area in content["priority_areas"]
        }
        measures = {}
        for area in ncpm["priority_areas"]:
            for figure in area["measures"]:
                details = content["measures"][figure["name"]]
                measure = saved(
                    Measure,
                    {"name": figure["name"]},
                    {
                        "priority_area": areas[area["name"]],
                        "unit": figure.get("unit", details["unit"]),
                        "order": details["order"],
                        "definition_heading": details["definition_heading"],
                        "definition": details["definition"],
                        "offence_subgroups": details["offence_subgroups"],
                        "offence_codes": details["offence_codes"],
                    },
                )
                measures[measure.name] = measure
                saved(
                    MeasureFigure,
                    {"period": period, "measure": measure},
                    {
                        key: Decimal(figure[source])
                        for key, source in (
                            ("latest", "current"),
                            ("previous", "previous"),
                            ("baseline", "baseline"),
                        )
                    },
                )
        for name, details in content["measures"].items():
            measures[name].components.set([measures[part] for part in details["components"]])
        for area_name, body in content["commentary"].items():
            saved(
                PriorityAreaCommentary, {"period": period, "priority_area": areas[area_name]}, {"body": body}
            )

    def load_charge_rates(self, demo, names, groups):
        """The demo quarter's charge/summons rates for the Most Similar Group's forces, computed
        from illustrative counts (``charge_rates.json``) by the function the imports use."""
        period = ReportingPeriod.objects.get(period_end=day(demo["period_end"]))
        counts = {names[normalise_force_name(name)].pk: years for name, years in demo["forces"].items()}
        computed = charge_rates_compute(
            latest={pk: tuple(years["latest"]) for pk, years in counts.items()},
            previous={pk: tuple(years["previous"]) for pk, years in counts.items()},
            group_ids=ForceGroupMembership.objects.filter(
                group=groups[ForceGroup.Kind.MOST_SIMILAR]
            ).values_list("force_id", flat=True),
            england_wales_ids=(),
        )
        for force_id, rate in computed.items():
            saved(ChargeRateFigure, {"period": period, "measure": None, "force_id": force_id}, vars(rate))

    def load_library(self, content):
        for page_values in content["pages"]:
            values = {key: value for key, value in page_values.items() if key != "sections"}
            values["publish_at"] = DEMO_PUBLISHED
            page = saved(LibraryPage, {"slug": values.pop("slug")}, values)
            for order, section in enumerate(page_values["sections"]):
                saved(PageSection, {"page": page, "slot": section["slot"], "order": order}, section)
            page.sections.filter(order__gte=len(page_values["sections"])).delete()

    def load_documents(self, content):
        """A meeting with its papers, a few documents and the June 2023 quarter's statement (with
        which national priorities apply), each file a small PDF of its own words (so search finds
        them)."""
        categories = {  # a new site has them from its migrations; a test's emptied database does not
            values["slug"]: DocumentCategory.objects.filter(slug=values["slug"]).first()
            or saved(DocumentCategory, {"slug": values["slug"]}, {**values, "order": order})
            for order, values in enumerate(content["document_categories"])
        }
        for values in content["meetings"]:
            meeting = saved(
                Meeting,
                {"title": values["title"], "held_on": day(values["held_on"])},
                {"summary": values["summary"], "publish_at": DEMO_PUBLISHED},
            )
            for document in values["documents"]:
                self.load_document(
                    document,
                    category=categories["meetings"],
                    published_on=meeting.held_on,
                    meeting=meeting,
                    meeting_part=document["part"],
                )
        for document in content["documents"]:
            self.load_document(
                document,
                category=categories[document["category"]],
                published_on=day(document["published_on"]),
            )
        values = content["statement"]
        period = ReportingPeriod.objects.get(period_end=day(values["period_end"]))
        statement = saved(
            CommissionerStatement, {"period": period}, {"title": values["title"], "body": values["body"]}
        )
        statement.documents.set(Document.objects.filter(title__in=values["documents"]))
        for area_name, stated in values["applicability"].items():
            saved(
                PriorityApplicability,
                {"period": period, "priority_area": PriorityArea.objects.get(name=area_name)},
                {"applies": stated["applies"], "reason": stated["reason"]},
            )

    def load_document(self, values, **fields):
        found = Document.objects.filter(title=values["title"]).first()
        if found is not None:
            return found
        document = Document(
            title=values["title"],
            summary=values["summary"],
            publish_at=DEMO_PUBLISHED,
            file=ContentFile(text_pdf([values["lines"]]), name=f"{slugify(values['title'])[:80]}.pdf"),
            **fields,
        )
        document.full_clean()
        document.save()
        CHANGES.append(document)
        return document
