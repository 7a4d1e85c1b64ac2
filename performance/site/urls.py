from django.urls import path, register_converter

from performance.library import views as library
from performance.publishing.opendata import DATA_PACKAGE_NAME, DATASETS
from performance.site import feeds, national, opendata, robots, views


class YearMonthConverter:
    """An NCPM quarter's address: the month its 12 months end, e.g. 2023-06."""

    regex = r"[0-9]{4}-[0-9]{2}"  # ASCII digits only: \d would also match other scripts' digits

    def to_python(self, value):
        """A real month of a real year, or no match (404)."""
        year, month = (int(part) for part in value.split("-"))
        if year < 1 or not 1 <= month <= 12:
            raise ValueError(f"{value} is not a month")
        return value

    def to_url(self, value):
        return value


register_converter(YearMonthConverter, "yyyy-mm")

app_name = "performance"

urlpatterns = [
    path("robots.txt", robots.robots_txt, name="robots"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("document-library/", library.index, name="library"),
    path("document-library/feed/", feeds.publications, name="feed"),
    path("document-library/search/", views.site_search, name="search"),
    path("document-library/category/<slug:slug>/", library.category, name="library-category"),
    path("document-library/meetings/<slug:slug>/", library.meeting, name="library-meeting"),
    path("document-library/documents/<int:pk>/<str:name>", views.document, name="document"),
    path("document-library/police-data/", views.police_data, name="police-data"),
    path("document-library/police-data/999-calls/", views.calls_999_archive, name="calls-999-archive"),
    path(
        "document-library/police-data/999-calls/<yyyy-mm:month>/",
        national.forces_month,
        name="calls-999-national",
    ),
    path("document-library/police-data/ncpm/", views.ncpm_archive, name="ncpm-archive"),
    path("document-library/police-data/ncpm/<yyyy-mm:period>/", views.ncpm_period, name="ncpm-period"),
    path("document-library/police-data/data/", opendata.datasets, name="datasets"),
    path(
        f"document-library/police-data/data/{DATA_PACKAGE_NAME}.json",
        opendata.datapackage,
        name="data-package",
    ),
    *(  # each registered dataset's files: 999-calls.csv (data-calls-999-csv), 999-calls.json, …
        path(
            f"document-library/police-data/data/{dataset.slug}.{suffix}",
            view,
            {"dataset": dataset},
            name=f"{dataset.url_name}-{suffix}",
        )
        for dataset in DATASETS
        for suffix, view in opendata.VIEWS.items()
    ),
    path("document-library/<slug:slug>/", views.library_page, name="library-page"),
]
