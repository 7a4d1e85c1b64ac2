"""The open data on the site: the datasets page and the data files' views, one per format, for
every dataset in the registry (``performance.publishing.opendata``); ``urls`` gives each
registered dataset its addresses."""

from django.shortcuts import render

from performance.publishing.caching import public_page
from performance.publishing.opendata import (
    DATASETS,
    NOTES,
    Dataset,
    csv_file,
    data_file,
    json_file,
    open_data,
)
from performance.site.office import site_settings_for


@public_page
def datasets(request):
    return render(request, "performance/datasets.html", {"datasets": DATASETS, "notes": NOTES})


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


# The view of each format a dataset's files are written in, by the files' suffix.
VIEWS = {"csv": dataset_csv, "json": dataset_json}
