"""NCPM figures computed from the recorded crime open data: each figure keeps how the home force
compares with other forces, a published quarter's recomputed figures wait as revisions for a
Publisher, and the demo measures get their definitions.

The definitions follow the NCPM appendix of the Police Data page, in the open data's terms
(Offence Subgroup, or Offence Code where a subgroup is too wide). Measures are matched by name;
a measure not listed (victim satisfaction, entered by hand) keeps empty definitions, and a
definition a Publisher has already filled in is left alone.

- Homicide: the "Homicide" subgroup (murder, manslaughter including corporate manslaughter,
  infanticide). Murder only: offence code 1.
- Violence with injury: the "Violence with injury" subgroup.
- Grievous bodily harm: code 5D, "Assault with intent to cause serious harm" (section 18 GBH
  with intent). Since April 2012 the Home Office counts section 20 GBH (without intent) with
  section 47 ABH under 8N "Assault with injury", so the open data cannot separate it; the
  force's own GBH figure may include it.
- Actual bodily harm: the assault-with-injury codes 8N (assault with injury), 8P (racially or
  religiously aggravated assault with injury), 8S (on a constable) and 8T (on an emergency
  worker other than a constable). GBH and ABH do not add up to violence with injury: that also
  counts attempted murder, endangering life and the other offences the appendix lists.
- Drug trafficking: the "Trafficking of drugs" subgroup (supply, not possession).
- Neighbourhood crime: residential burglary + vehicle offences + theft from the person +
  robbery of personal property (each also a measure of its own).
- Residential burglary: the "Residential burglary" subgroup and its name before April 2017,
  "Domestic burglary". The 2017 change was more than a rename: residential burglary also counts
  burglaries of sheds and garages within a home's grounds, which "Non-domestic burglary"
  counted before. "Non-domestic burglary" is mostly business burglary and is not counted, so a
  year before April 2017 is not like-for-like; NCPM quarters (baseline 2019) only use later
  years.
- Robbery: "Robbery of personal property" only; robbery of business property is not
  neighbourhood crime.
"""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NEIGHBOURHOOD = {
    "Residential burglary": ["Residential burglary", "Domestic burglary"],
    "Vehicle offences": ["Vehicle offences"],
    "Theft from the person": ["Theft from the person"],
    "Robbery": ["Robbery of personal property"],
}

DEFINITIONS = {
    # measure name: (offence subgroups, offence codes)
    "Homicide (all offences)": (["Homicide"], []),
    "Murder only": ([], ["1"]),
    "All violence with injury": (["Violence with injury"], []),
    "Grievous Bodily Harm": ([], ["5D"]),
    "Actual Bodily Harm": ([], ["8N", "8P", "8S", "8T"]),
    "Drug trafficking offences": (["Trafficking of drugs"], []),
    "All neighbourhood crime": ([name for names in NEIGHBOURHOOD.values() for name in names], []),
    **{name: (subgroups, []) for name, subgroups in NEIGHBOURHOOD.items()},
}


def fill_definitions(apps, schema_editor):
    Measure = apps.get_model("performance", "Measure")
    for measure in Measure.objects.using(schema_editor.connection.alias).filter(name__in=DEFINITIONS):
        if measure.offence_subgroups or measure.offence_codes:
            continue
        measure.offence_subgroups, measure.offence_codes = DEFINITIONS[measure.name]
        measure.save(update_fields=["offence_subgroups", "offence_codes"])


class Migration(migrations.Migration):

    dependencies = [
        ('performance', '0008_recorded_crime_open_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmeasurefigure',
            name='comparison',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='How the home force\'s change compares with other forces\', computed from the recorded crime open data (``ncpm.ncpm_figures_update``): for "previous" and "baseline", the Most Similar Group\'s median percent change and the force\'s position among England and Wales forces. Empty for a figure entered by hand.'),
        ),
        migrations.AddField(
            model_name='measurefigure',
            name='comparison',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='How the home force\'s change compares with other forces\', computed from the recorded crime open data (``ncpm.ncpm_figures_update``): for "previous" and "baseline", the Most Similar Group\'s median percent change and the force\'s position among England and Wales forces. Empty for a figure entered by hand.'),
        ),
        migrations.AddField(
            model_name='historicalmeasurefigure',
            name='revisions_applied',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='The revisions of this published figure a Publisher applied, oldest first: the day and each figure from → to, e.g. [{"applied_on": "2026-12-02", "changes": [["latest", "2.0", "3.0"]]}]. Written when a ``MeasureFigureRevision`` is applied (those rows are the record); kept here so that the page shows it without another query.'),
        ),
        migrations.AddField(
            model_name='measurefigure',
            name='revisions_applied',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='The revisions of this published figure a Publisher applied, oldest first: the day and each figure from → to, e.g. [{"applied_on": "2026-12-02", "changes": [["latest", "2.0", "3.0"]]}]. Written when a ``MeasureFigureRevision`` is applied (those rows are the record); kept here so that the page shows it without another query.'),
        ),
        migrations.CreateModel(
            name='MeasureFigureRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('before_latest', models.DecimalField(blank=True, decimal_places=1, help_text='The published most recent 12 months.', max_digits=12, null=True)),
                ('before_previous', models.DecimalField(blank=True, decimal_places=1, help_text='The published previous 12 months.', max_digits=12, null=True)),
                ('before_baseline', models.DecimalField(blank=True, decimal_places=1, help_text='The published 2019 baseline.', max_digits=12, null=True)),
                ('before_comparison', models.JSONField(blank=True, default=dict, help_text='The published comparison.')),
                ('latest', models.DecimalField(decimal_places=1, help_text='The recomputed figure.', max_digits=12, verbose_name='most recent 12 months')),
                ('previous', models.DecimalField(decimal_places=1, help_text='The recomputed figure.', max_digits=12, verbose_name='previous 12 months')),
                ('baseline', models.DecimalField(blank=True, decimal_places=1, help_text='The recomputed figure.', max_digits=12, null=True, verbose_name='2019 baseline')),
                ('comparison', models.JSONField(blank=True, default=dict, help_text='The recomputed comparison.')),
                ('computed_at', models.DateTimeField(auto_now=True, help_text='When the open data last gave these figures.')),
                ('applied_at', models.DateTimeField(blank=True, help_text='When a Publisher applied the change (blank: waiting).', null=True)),
                ('applied_by', models.ForeignKey(blank=True, help_text='The Publisher who applied it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('measure', models.ForeignKey(help_text='The measure.', on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='performance.measure')),
                ('period', models.ForeignKey(help_text='The quarter.', on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='performance.reportingperiod')),
            ],
            options={
                'ordering': ['period', 'measure', 'computed_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('applied_at__isnull', True)), fields=('period', 'measure'), name='one_pending_revision_per_figure')],
            },
        ),
        migrations.RunPython(fill_definitions, migrations.RunPython.noop),
    ]
