"""NCPM definitions that count what their names say; help text for the definition fields.

Existing installations whose definitions are still those migration 0009 filled in are corrected.
A definition a Publisher has changed since is left alone (its measure is matched by its exact
name and its exact definition):

- "Actual Bodily Harm" counted codes ["8N", "8P", "8S", "8T"]. Since the Home Office merged
  8F/8G into 8N ("Assault with injury", April 2012), 8N also holds GBH without intent (section
  20), so the open data cannot give ABH. Its codes are cleared: the measure becomes
  **supplied by the force** (entered by hand, like victim satisfaction), and the appendix says so.
- "Grievous Bodily Harm" counted code ["5D"], which is only GBH with intent (section 18). Its
  codes are cleared for the same reason: supplied by the force.
- "All violence with injury" counted the subgroup ["Violence with injury"] only, leaving out
  "Death or serious injury – unlawful driving" (codes 4.4, 4.6, 4.8, 4.9, 37.1), which the April
  2018 Counting Rules split out but which is still violence with injury, as the appendix says.
  It now counts that subgroup and those codes too.

Figures already held for these measures are not changed: GBH's and ABH's stay as computed until
staff enter the force's own; violence with injury is recomputed by the next import of the open
data (a published quarter's change then waits for a Publisher, as usual).

The open data's counts remain available under honest names, should an office want them as
measures of their own: "Assault with injury (8N, 8P, 8S, 8T)" and "Assault with intent to
cause serious harm (5D)".
"""

from django.db import migrations, models

UNLAWFUL_DRIVING = "Death or serious injury \u2013 unlawful driving"
UNLAWFUL_DRIVING_CODES = ["4.4", "4.6", "4.8", "4.9", "37.1"]

CORRECTIONS = {
    # measure name: (definition as 0009 filled it in, corrected definition), each (subgroups, codes)
    "Actual Bodily Harm": (([], ["8N", "8P", "8S", "8T"]), ([], [])),
    "Grievous Bodily Harm": (([], ["5D"]), ([], [])),
    "All violence with injury": (
        (["Violence with injury"], []),
        (["Violence with injury", UNLAWFUL_DRIVING], UNLAWFUL_DRIVING_CODES),
    ),
}


def corrected(name: str, subgroups: list, codes: list, *, backwards: bool = False) -> tuple | None:
    """The corrected (subgroups, codes) for a measure, or None to leave it as it is."""
    if name not in CORRECTIONS:
        return None
    before, after = CORRECTIONS[name]
    if backwards:
        before, after = after, before
    if name == "All violence with injury" and not backwards:
        if subgroups != before[0]:
            return None
        return after[0], [*codes, *(code for code in after[1] if code not in codes)]
    return after if (subgroups, codes) == before else None


def correct_definitions(apps, schema_editor, *, backwards=False):
    Measure = apps.get_model("performance", "Measure")
    for measure in Measure.objects.using(schema_editor.connection.alias).filter(name__in=CORRECTIONS):
        definition = corrected(
            measure.name, measure.offence_subgroups, measure.offence_codes, backwards=backwards
        )
        if definition is not None:
            measure.offence_subgroups, measure.offence_codes = definition
            measure.save(update_fields=["offence_subgroups", "offence_codes"])


def restore_definitions(apps, schema_editor):
    correct_definitions(apps, schema_editor, backwards=True)



class Migration(migrations.Migration):

    dependencies = [
        ('performance', '0015_ons_year_before_and_releases'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalmeasure',
            name='offence_codes',
            field=models.JSONField(blank=True, default=list, help_text='Offence Codes it counts besides its subgroups, as text in quotes: ["1"] for murder only; "4.10" and "4.1" are different offences. One code each: a combined code such as "1/4.1" is refused.'),
        ),
        migrations.AlterField(
            model_name='historicalmeasure',
            name='offence_subgroups',
            field=models.JSONField(blank=True, default=list, help_text='For a police-recorded measure: the Offence Subgroups of the Home Office\'s recorded crime open data it counts, e.g. ["Residential burglary", "Domestic burglary"] (list the names older years used too). Case, spacing and dashes do not matter, and a code counted under one of these keeps counting when a later year renames the subgroup. Blank for a measure supplied by the force (entered by hand).'),
        ),
        migrations.AlterField(
            model_name='measure',
            name='offence_codes',
            field=models.JSONField(blank=True, default=list, help_text='Offence Codes it counts besides its subgroups, as text in quotes: ["1"] for murder only; "4.10" and "4.1" are different offences. One code each: a combined code such as "1/4.1" is refused.'),
        ),
        migrations.AlterField(
            model_name='measure',
            name='offence_subgroups',
            field=models.JSONField(blank=True, default=list, help_text='For a police-recorded measure: the Offence Subgroups of the Home Office\'s recorded crime open data it counts, e.g. ["Residential burglary", "Domestic burglary"] (list the names older years used too). Case, spacing and dashes do not matter, and a code counted under one of these keeps counting when a later year renames the subgroup. Blank for a measure supplied by the force (entered by hand).'),
        ),
        migrations.RunPython(correct_definitions, restore_definitions),
    ]
