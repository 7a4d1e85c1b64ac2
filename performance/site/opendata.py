"""The open data on the site: the datasets page, the data files' views, one per format, for
every dataset in the registry (``performance.publishing.opendata``), and the data package that
describes them (``performance.publishing.datapackage``); ``urls`` gives each registered dataset
its addresses."""

import json

from django.shortcuts import render
from django.urls import reverse

from performance.publishing.caching import public_page
from performance.publishing.datapackage import data_package
from performance.publishing.opendata import (
    DATA_PACKAGE_NAME,
    DATASETS,
    LICENCE,
    NOTES,
    DataFile,
    Dataset,
    csv_file,
    data_file,
    json_file,
    kept_file,
    open_data,
)
from performance.site.office import site_settings_for


@public_page
def datasets(request):
    return render(
        request, "performance/datasets.html", {"datasets": DATASETS, "notes": NOTES, "licence": LICENCE}
    )


@open_data
def dataset_csv(request, dataset: Dataset):
    return data_file(
        request, f"{dataset.slug}.csv", dataset, lambda: csv_file(dataset, dataset.selection(request.GET))
    )


@open_data
def dataset_json(request, dataset: Dataset):
    def write():
        extra = dataset.json_extra(site_settings_for(request)) if dataset.json_extra else {}
        return json_file(dataset, dataset.selection(request.GET), **extra)

    return data_file(request, f"{dataset.slug}.json", dataset, write)


@open_data
def datapackage(request):
    """The Data Package of every dataset's CSV file. Its addresses are absolute, so it is kept
    for each host the site answers to."""

    def write():
        settings = site_settings_for(request)
        package = data_package(
            DATASETS,
            absolute=request.build_absolute_uri,
            homepage=request.build_absolute_uri(reverse("performance:datasets")),
            publisher=settings.office_name if settings and settings.office_name else None,
        )
        return DataFile(json.dumps(package, ensure_ascii=False, indent=2).encode(), "application/json")

    origin = f"{request.scheme}://{request.get_host()}"
    return kept_file(f"{DATA_PACKAGE_NAME}.json:{origin}", write)


# The view of each format a dataset's files are written in, by the files' suffix.
VIEWS = {"csv": dataset_csv, "json": dataset_json}
