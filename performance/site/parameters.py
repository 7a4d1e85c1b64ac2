"""The query parameters the open data files read (their documented filters), for the page cache
to keep (``caching.QUERY_PARAMETERS``): registered by the app's ready(), after the domains'
open data modules have registered their datasets."""

from performance.publishing.caching import QUERY_PARAMETERS
from performance.publishing.opendata import DATASETS

for dataset in DATASETS:
    for suffix in ("csv", "json"):
        QUERY_PARAMETERS[f"performance:{dataset.url_name}-{suffix}"] = tuple(
            filter.name for filter in dataset.filters
        )

QUERY_PARAMETERS["performance:search"] = ("q", "page")
