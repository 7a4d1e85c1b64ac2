"""The open data described for programs: a Frictionless Data Package (v1) of every registered
dataset's CSV file, served beside the files as ``datapackage.json``.

Everything in it is read from the registry (``performance.publishing.opendata``): each CSV file
is a resource whose Table Schema is written from the dataset's ``Column``s — heading, words,
type and unit, declared once beside the columns — and its ``primary_key``. A tool such as
``frictionless validate`` can check the files against it, and a program can read the files
without guessing what a column holds.

The package lists no rows of its own: its resources are the CSV files, which hold published
rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from performance.publishing.opendata import LICENCE, TYPES, Column, Dataset

# The licence's identifier in the Open Definition's list, which Data Package readers know it by.
LICENCE_ID = "OGL-UK-3.0"
PACKAGE_DESCRIPTION = (
    "Police performance figures as published on the Police Data page: each table is a CSV file "
    "(UTF-8, a header row of column names, CRLF line ends), described here by a Table Schema. "
    "An empty cell means the figure is not published."
)


def licences() -> list[dict]:
    return [{"name": LICENCE_ID, "title": LICENCE["name"], "path": LICENCE["url"]}]


def field_descriptor(column: Column) -> dict:
    """A column as a Table Schema field: the unit, when the column has one, as a ``unit``
    property of its own and in the words as well, for readers that show only the description.

    >>> from performance.publishing.opendata import Column
    >>> field_descriptor(Column("mean_answer_seconds", "decimal", "Mean time to answer.", unit="seconds"))
    {'name': 'mean_answer_seconds', 'title': 'Mean answer seconds', 'description': 'Mean time to answer. Unit: seconds.', 'type': 'number', 'unit': 'seconds'}
    >>> field_descriptor(Column("national_rank_joint", "boolean", "true when shared."))["trueValues"]
    ['true']
    """
    description = f"{column.description} Unit: {column.unit}." if column.unit else column.description
    field = {
        "name": column.name,
        "title": column.heading,
        "description": description,
        "type": TYPES[column.type].table_schema,
    }
    if column.unit:
        field["unit"] = column.unit
    if column.type == "boolean":  # as the CSV writes them, and nothing else
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    return field


def table_schema(dataset: Dataset) -> dict:
    schema = {
        "fields": [field_descriptor(column) for column in dataset.columns],
        "missingValues": [""],
    }
    if dataset.primary_key:
        schema["primaryKey"] = list(dataset.primary_key)
    return schema


def source(dataset: Dataset) -> dict:
    return {"title": dataset.source.publisher, "path": dataset.source.url}


def csv_resource(dataset: Dataset, *, absolute: Callable[[str], str]) -> dict:
    """The dataset's CSV file, in full, at its absolute address (``absolute(path)``)."""
    return {
        "name": dataset.slug,
        "profile": "tabular-data-resource",
        "title": dataset.title,
        "description": dataset.description,
        "path": absolute(dataset.csv_url),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True},
        "sources": [source(dataset)],
        "licenses": licences(),
        "schema": table_schema(dataset),
    }


def data_package(
    datasets: Iterable[Dataset], *, absolute: Callable[[str], str], homepage: str, publisher: str | None
) -> dict:
    """The Data Package of ``datasets``, their addresses made absolute by ``absolute``; the
    datasets page at ``homepage``; ``publisher`` the office that publishes them, when known."""
    datasets = list(datasets)
    sources = []
    for dataset in datasets:
        if source(dataset) not in sources:
            sources.append(source(dataset))
    package = {
        "profile": "tabular-data-package",
        "name": "police-performance-data",
        "title": f"Police performance data published by the {publisher}"
        if publisher
        else "Police performance data",
        "description": PACKAGE_DESCRIPTION,
        "homepage": homepage,
        "licenses": licences(),
        "sources": sources,
        "resources": [csv_resource(dataset, absolute=absolute) for dataset in datasets],
    }
    if publisher:
        package["contributors"] = [{"title": publisher, "role": "publisher"}]
    return package
