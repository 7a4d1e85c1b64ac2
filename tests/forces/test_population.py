"""Police force area populations from the ONS mid-year estimates (``performance.forces.population``):
the local authorities summed through the ONS lookup, checked against sums made here from the
generated files, bad files refused with nothing written, and the admin's preview and confirm."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.forces import population
from performance.models import Force, ForcePopulation
from tests.data import make_population_files as files
from tests.factories import staff
from tests.helpers import signed_in, tasks_run_on_commit

FORCES = {
    "E23000024": "Norfolk",
    "E23000025": "Suffolk",
    "E23000012": "Cumbria",
    "W15000002": "Dyfed-Powys",
    "W15000004": "Gwent",
    "E23000008": "Essex",  # in neither file
}
IMPORT_URL = "admin:performance_forcepopulation_estimates"


@pytest.fixture
def forces(db):
    return {
        code: Force.objects.create(name=name, full_name=f"{name} Police", ons_code=code)
        for code, name in FORCES.items()
    }


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def expected_sums(estimates: bytes, lookup: bytes) -> dict[str, int]:
    """Each force area's residents, summed here from the two files as a person would: every
    local authority of the lookup once, its all-ages figure read from the estimates."""
    table = rows_of(estimates)
    header = next(index for index, row in enumerate(table) if row[:1] == ["Code"])
    all_ages = table[header].index("All ages")
    by_code = {row[0]: int(row[all_ages].replace(",", "")) for row in table[header + 1 :] if row}
    lookup_rows = rows_of(lookup)
    la, pfa = lookup_rows[0].index("LAD23CD"), lookup_rows[0].index("PFA23CD")
    areas = {row[la]: row[pfa] for row in lookup_rows[1:]}
    sums: dict[str, int] = {}
    for la_code, pfa_code in areas.items():
        sums[pfa_code] = sums.get(pfa_code, 0) + by_code[la_code]
    return sums


def test_each_force_areas_residents_are_the_sum_of_its_local_authorities(forces):
    estimates, lookup = files.estimates_csv(), files.lookup_csv()

    result = population.populations_from_files(
        estimates=estimates, estimates_name="mye2.csv", lookup=lookup, lookup_name="lookup.csv", year=2023
    )

    expected = expected_sums(estimates, lookup)
    assert {area.force.ons_code: area.population for area in result.areas} == expected
    assert expected["E23000024"] == 143_000 + 133_500 + 144_000 + 145_300  # Norwich counted once
    assert {area.force.name: area.local_authorities for area in result.areas} == {
        "Norfolk": 4,
        "Suffolk": 3,
        "Cumbria": 2,
        "Dyfed-Powys": 3,
        "Gwent": 3,
    }
    assert result.warnings == ["No population for Essex: not in these files."]


def test_a_table_by_police_force_area_needs_no_lookup(forces):
    result = population.populations_from_files(
        estimates=files.pfa_table_csv(), estimates_name="pfa.csv", year=2023
    )

    assert {area.force.ons_code: area.population for area in result.areas} == expected_sums(
        files.estimates_csv(), files.lookup_csv()
    )


def refusal(forces_, **kwargs) -> list[str]:
    with pytest.raises(population.PopulationRefused) as refused:
        population.populations_from_files(
            estimates_name="mye2.csv", lookup_name="lookup.csv", year=2023, **kwargs
        )
    return refused.value.problems


def test_a_local_authority_whose_code_changed_is_refused_naming_both_codes(forces):
    problems = refusal(forces, estimates=files.estimates_csv(old_codes=True), lookup=files.lookup_csv())

    assert problems == [
        "E06000063 (Cumberland, in Cumbria) is in the lookup but has no mid-2023 estimate: are both "
        "files for the same boundaries?",
        "E07000026 (Cumberland, row 18) has an estimate but is not in the lookup: a code that "
        "changed? Use a lookup for the estimates' boundaries.",
    ]


def test_a_local_authority_without_an_estimate_is_refused(forces):
    problems = refusal(forces, estimates=files.estimates_csv(drop="W06000021"), lookup=files.lookup_csv())

    assert problems == [
        "W06000021 (Monmouthshire, in Gwent) is in the lookup but has no mid-2023 estimate: are both "
        "files for the same boundaries?"
    ]


def test_a_police_force_area_code_no_force_has_is_refused(forces):
    problems = refusal(
        forces, estimates=files.estimates_csv(), lookup=files.lookup_csv(extra_pfa=("E23000099", "Nowhere"))
    )

    assert problems == [
        "The lookup's police force area E23000099 (Nowhere) is not any force's ONS code. Check the "
        "forces' ONS codes (Forces) or the lookup."
    ]


def test_a_population_that_is_not_a_whole_number_is_refused(forces):
    estimates = files.estimates_csv().replace(b'"143,000"', b"lots")

    problems = refusal(forces, estimates=estimates, lookup=files.lookup_csv())

    assert len(problems) == 1 and problems[0] == 'Row 11, E07000143: the population "lots" is not a number.'


def test_a_lookup_without_its_columns_is_refused(forces):
    problems = refusal(forces, estimates=files.estimates_csv(), lookup=b"Code,Name\nE07000143,Breckland\n")

    assert len(problems) == 1 and problems[0].startswith("No header row was found.")


# --------------------------------------------------------------------------------------------
# The admin: preview, confirm, all or nothing, Publishers only
# --------------------------------------------------------------------------------------------


def post_files(client, estimates: bytes, lookup: bytes | None, **fields):
    data = {
        "year": "2023",
        "source": "ONS mid-2023 population estimates",
        "source_url": "",
        "estimates": SimpleUploadedFile("mye2.csv", estimates),
        **fields,
    }
    if lookup is not None:
        data["lookup"] = SimpleUploadedFile("lookup.csv", lookup)
    return client.post(reverse(IMPORT_URL), data)


def test_a_publisher_previews_then_confirms_and_every_force_area_is_saved(forces, django_user_model):
    client = signed_in(staff(django_user_model, "Publisher"))
    estimates, lookup = files.estimates_csv(), files.lookup_csv()

    preview = post_files(client, estimates, lookup)

    assert preview.status_code == 200
    assert ForcePopulation.objects.count() == 0  # nothing before the confirmation
    page = preview.content.decode()
    assert '<th scope="row">Norfolk</th><td>4</td><td>565800</td>' in page
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    with tasks_run_on_commit():
        confirmed = client.post(reverse(IMPORT_URL), {"confirm": "1", "payload": payload})

    assert confirmed.status_code == 302
    saved = {row.force.ons_code: row.population for row in ForcePopulation.objects.filter(year=2023)}
    assert saved == expected_sums(estimates, lookup)
    assert set(ForcePopulation.objects.values_list("source", flat=True)) == {
        "ONS mid-2023 population estimates"
    }


def test_a_refused_file_shows_its_problems_and_saves_nothing(forces, django_user_model):
    client = signed_in(staff(django_user_model, "Publisher"))

    response = post_files(client, files.estimates_csv(old_codes=True), files.lookup_csv())

    assert response.status_code == 200
    assert "Nothing has been saved." in response.content.decode()
    assert "E07000026" in response.content.decode()
    assert 'name="payload"' not in response.content.decode()
    assert ForcePopulation.objects.count() == 0


def test_a_changed_preview_is_refused_and_saves_nothing(forces, django_user_model):
    client = signed_in(staff(django_user_model, "Publisher"))
    page = post_files(client, files.estimates_csv(), files.lookup_csv()).content.decode()
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)

    tampered = payload[:5] + ("A" if payload[5] != "A" else "B") + payload[6:]  # the signed figures

    response = client.post(reverse(IMPORT_URL), {"confirm": "1", "payload": tampered})

    assert response.status_code == 302
    assert ForcePopulation.objects.count() == 0


def test_an_editor_may_read_populations_but_not_import_or_change_them(forces, django_user_model):
    client = signed_in(staff(django_user_model, "Editor"))
    row = ForcePopulation.objects.create(
        force=forces["E23000024"], year=2023, population=565_800, source="ONS mid-2023"
    )

    assert client.get(reverse("admin:performance_forcepopulation_changelist")).status_code == 200
    assert post_files(client, files.estimates_csv(), files.lookup_csv()).status_code == 403
    assert client.get(reverse("admin:performance_forcepopulation_add")).status_code == 403
    client.post(
        reverse("admin:performance_forcepopulation_change", args=[row.pk]),
        {"force": row.force_id, "year": 2023, "population": 1, "source": "x", "version": row.version},
    )
    row.refresh_from_db()
    assert row.population == 565_800


def test_a_typed_population_needs_its_source(forces):
    from django.core.exceptions import ValidationError

    row = ForcePopulation(force=forces["E23000024"], year=2023, population=565_800, source=" ")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "source" in error.value.message_dict
