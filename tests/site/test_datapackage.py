"""The data package: every open data CSV file described for programs (Frictionless Data Package
v1, with a Table Schema per file), and checked with the ``frictionless`` package the way a
reader's tool would check it: the package is valid, and every file's rows match its schema.
"""

import csv
import dataclasses
import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from frictionless import Package, validate

from performance.models import CallAnswerMonth, SiteSettings
from performance.publishing import caching, opendata
from performance.publishing.datapackage import LICENCE_ID, field_descriptor
from performance.publishing.opendata import DATASETS, LICENCE, TYPES, Column
from tests.helpers import read_json

URL = "/document-library/police-data/data/datapackage.json"
# The field types of Table Schema v1 (https://specs.frictionlessdata.io/table-schema/#types-and-formats).
TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
    "year", "yearmonth", "duration", "geopoint", "geojson", "any",
}  # fmt: skip


@pytest.fixture
def other_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "data.example.org"]
    return "data.example.org"


def served_package(client, **headers) -> dict:
    response = client.get(URL, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return read_json(response)


def local_copy(client, package: dict, folder) -> str:
    """The package and its files written to ``folder`` as a reader would download them: each
    resource's file fetched from its address, and its path rewritten to the file's name."""
    for resource in package["resources"]:
        address = urlsplit(resource["path"])
        response = client.get(address.path, QUERY_STRING=address.query)
        assert response.status_code == 200, resource["path"]
        name = f"{resource['name']}.csv"
        (folder / name).write_bytes(response.content)
        resource["path"] = name
    path = folder / "datapackage.json"
    path.write_text(json.dumps(package))
    return str(path)


def problems(report) -> list[str]:
    return [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors] + [
        error.message for error in report.errors
    ]


# --------------------------------------------------------------------------------------------
# Valid, as a reader's tool checks it
# --------------------------------------------------------------------------------------------


def test_the_package_and_every_file_validate_with_frictionless(client, demo_data, tmp_path):
    package = served_package(client)
    assert Package.validate_descriptor(package).valid, problems(Package.validate_descriptor(package))

    report = validate(local_copy(client, package, tmp_path))

    assert problems(report) == []
    assert report.valid
    checked = {task.name: task.stats["rows"] for task in report.tasks}
    assert set(checked) == {dataset.slug for dataset in DATASETS}
    assert all(rows > 0 for rows in checked.values()), checked  # the demo data has rows in each


def test_frictionless_reports_a_file_that_does_not_match_its_schema(client, demo_data, tmp_path):
    """The check above could fail: a count that is not a whole number is an error."""
    package = served_package(client)
    path = local_copy(client, package, tmp_path)
    calls = tmp_path / "999-calls.csv"
    rows = list(csv.reader(io.StringIO(calls.read_text(), newline="")))
    rows[1][rows[0].index("total_calls")] = "many"
    with calls.open("w", newline="") as file:
        csv.writer(file, lineterminator="\r\n").writerows(rows)

    report = validate(path)

    assert not report.valid
    assert any("total_calls" in message and "integer" in message for message in problems(report))


def test_frictionless_reports_two_rows_with_the_same_key(client, demo_data, tmp_path):
    package = served_package(client)
    path = local_copy(client, package, tmp_path)
    ons = tmp_path / "recorded-crime.csv"
    lines = ons.read_bytes().split(b"\r\n")
    ons.write_bytes(b"\r\n".join([*lines[:2], lines[1], *lines[2:]]))

    assert not validate(path).valid


# --------------------------------------------------------------------------------------------
# What it says
# --------------------------------------------------------------------------------------------


def test_the_package_names_its_licence_sources_and_home(client, demo_data):
    package = served_package(client)

    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "police-performance-data"
    assert package["licenses"] == [{"name": LICENCE_ID, "title": LICENCE["name"], "path": LICENCE["url"]}]
    assert package["homepage"] == "http://testserver" + reverse("performance:datasets")
    assert [source["path"] for source in package["sources"]] == [dataset.source.url for dataset in DATASETS]
    office = SiteSettings.objects.for_site().office_name
    assert office and package["title"] == f"Police performance data published by the {office}"
    assert package["contributors"] == [{"title": office, "role": "publisher"}]


def test_one_resource_per_csv_file_at_its_absolute_address(client, demo_data, other_host):
    package = served_package(client, HTTP_HOST="data.example.org", secure=True)

    assert [resource["name"] for resource in package["resources"]] == [dataset.slug for dataset in DATASETS]
    for resource, dataset in zip(package["resources"], DATASETS, strict=True):
        assert resource["path"] == f"https://data.example.org{dataset.csv_url}"
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == (
            "csv",
            "text/csv",
            "utf-8",
        )
        assert resource["title"] == dataset.title
        assert resource["sources"] == [{"title": dataset.source.publisher, "path": dataset.source.url}]


def test_every_column_is_a_field_with_its_heading_type_and_words(client, demo_data):
    package = served_package(client)
    for resource, dataset in zip(package["resources"], DATASETS, strict=True):
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == [column.name for column in dataset.columns]
        for field, column in zip(fields, dataset.columns, strict=True):
            assert field["type"] in TABLE_SCHEMA_TYPES, field
            assert field["title"] and field["description"].startswith(column.description), field


def test_every_csv_file_parses_with_one_column_count_and_the_schemas_header(client, demo_data):
    """Each file in full and at each documented filter's example, read by Python's csv module
    in strict mode: every row as long as the header, and the header the schema's field names."""
    for resource, dataset in zip(served_package(client)["resources"], DATASETS, strict=True):
        names = [field["name"] for field in resource["schema"]["fields"]]
        for query in ["", *(f"{data_filter.name}={data_filter.example}" for data_filter in dataset.filters)]:
            response = client.get(urlsplit(resource["path"]).path, QUERY_STRING=query)
            assert response.status_code == 200, (dataset.slug, query)
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline=""), strict=True))
            assert rows[0] == names, (dataset.slug, query)
            assert len(rows) > 1, (dataset.slug, query)  # the demo data has rows for each example
            lengths = {len(row) for row in rows}
            assert lengths == {len(names)}, (dataset.slug, query, lengths)


def test_measured_columns_carry_their_units(client, demo_data):
    fields = {
        (resource["name"], field["name"]): field
        for resource in served_package(client)["resources"]
        for field in resource["schema"]["fields"]
    }

    assert fields["999-calls", "mean_answer_seconds"]["unit"] == "seconds"
    assert fields["999-calls", "mean_answer_seconds"]["description"].endswith("Unit: seconds.")
    assert fields["999-calls", "pct_under_10s"]["unit"] == "percent"
    assert fields["999-calls", "calls_under_10s"]["unit"] == "calls"
    assert fields["recorded-crime", "total_recorded_crime_excluding_fraud"]["unit"] == "offences"
    assert fields["ncpm", "change_baseline_percent"]["unit"] == "percent"
    # An NCPM figure's unit is the row's own (offences or percent): its unit column says which.
    assert "unit" not in fields["ncpm", "latest"] and "percent" in fields["ncpm", "unit"]["description"]
    assert "unit" not in fields["999-calls", "force"]


def test_rows_are_keyed_by_what_names_them(client, demo_data):
    keys = {
        resource["name"]: resource["schema"].get("primaryKey")
        for resource in served_package(client)["resources"]
    }
    assert keys == {
        "999-calls": ["force", "month"],
        "ncpm": ["period_end", "priority_area", "measure"],
        "charge-rates": ["period_end", "force", "measure"],
        "ncpm-applicability": ["period_end", "priority_area"],
        "recorded-crime": ["force", "year_ending"],
    }


def test_months_are_yearmonths_and_flags_are_true_or_false(client, demo_data):
    fields = {
        field["name"]: field
        for field in served_package(client)["resources"][0]["schema"]["fields"]  # 999 calls
    }
    assert fields["month"]["type"] == "yearmonth"
    assert fields["total_calls"]["type"] == "integer"
    assert fields["mean_answer_seconds"]["type"] == "number"
    assert fields["last_revised"]["type"] == "datetime"
    assert (fields["national_rank_joint"]["trueValues"], fields["national_rank_joint"]["falseValues"]) == (
        ["true"],
        ["false"],
    )


# --------------------------------------------------------------------------------------------
# Declared once, with the columns
# --------------------------------------------------------------------------------------------


def test_every_column_type_has_a_table_schema_type():
    assert {column_type.table_schema for column_type in TYPES.values()} <= TABLE_SCHEMA_TYPES


def test_a_column_with_no_type_is_refused():
    with pytest.raises(TypeError):
        Column("total_calls", description="999 calls.")  # type: ignore[call-arg]
    with pytest.raises(AssertionError):
        Column("total_calls", "", "999 calls.")
    with pytest.raises(AssertionError):
        Column("total_calls", "count", "999 calls.")


def test_every_registered_column_has_a_type_a_field_type_and_words():
    for dataset in DATASETS:
        for column in dataset.columns:
            field = field_descriptor(column)
            assert column.type in TYPES and field["type"] in TABLE_SCHEMA_TYPES, (dataset.slug, column.name)
            assert column.description and field["title"], (dataset.slug, column.name)


def test_a_key_naming_no_column_is_refused_when_the_app_loads(monkeypatch):
    monkeypatch.setattr(opendata, "DATASETS", [])
    calls = next(dataset for dataset in DATASETS if dataset.slug == "999-calls")
    with pytest.raises(ImproperlyConfigured, match="no column 'day'"):
        opendata.register(dataclasses.replace(calls, primary_key=("force", "day")))
    with pytest.raises(ImproperlyConfigured, match="names the data package"):
        opendata.register(dataclasses.replace(calls, slug="datapackage"))


# --------------------------------------------------------------------------------------------
# Served like the files
# --------------------------------------------------------------------------------------------


def test_the_datasets_page_links_to_the_package(client, demo_data):
    html = client.get(reverse("performance:datasets")).content.decode()
    assert f'<a href="{URL}">' in html
    assert f'<a href="{LICENCE["url"]}">{LICENCE["name"]}</a>' in html


def test_served_like_the_files_readable_from_any_site(client, demo_data):
    response = client.get(URL)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public")
    assert response.has_header("ETag") and response.has_header("Last-Modified")
    assert client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.post(URL).status_code == 405


def test_kept_for_the_content_version_and_written_afresh_on_a_change(
    client, demo_data, settings, other_host, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    caching.forget_version()
    first = client.get(URL)
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.content == first.content

    other_host = client.get(URL, HTTP_HOST="data.example.org")
    assert (
        b"http://data.example.org/" in other_host.content and b"http://testserver/" not in other_host.content
    )

    settings_row = SiteSettings.objects.for_site()
    settings_row.office_name = "Office of the Commissioner for Somewhere"
    settings_row.save()
    assert "for Somewhere" in read_json(client.get(URL))["title"]
    cache.clear()


def test_a_small_constant_number_of_queries(client, demo_data, django_assert_num_queries):
    caching.content_version(fresh=True)
    with django_assert_num_queries(2):  # the office's settings, and its groups' forces
        client.get(URL)
    CallAnswerMonth.objects.all().delete()  # the rows do not count: the package lists none
    caching.content_version(fresh=True)
    with django_assert_num_queries(2):
        client.get(URL)
