"""Open data: every public table as CSV and JSON at stable addresses, and the datasets page.

(Being written: the functions below are the contract the pages rely on.)
"""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse


def calls_999_csv_url(*, force=None, year: int | None = None, month=None) -> str:
    """Address of the 999 CSV, optionally for one force (its police.uk id), year or month."""
    query = {}
    if force is not None:
        query["force"] = force.police_uk_id or force.name
    if year is not None:
        query["year"] = year
    if month is not None:
        query["month"] = f"{month:%Y-%m}"
    url = reverse("performance:data-calls-999-csv")
    return f"{url}?{urlencode(query)}" if query else url


def ncpm_csv_url(*, period=None, area=None) -> str:
    """Address of the NCPM CSV, optionally for one period (YYYY-MM) and one priority area (slug)."""
    query = {}
    if period is not None:
        query["period"] = f"{period.period_end:%Y-%m}"
    if area is not None:
        query["area"] = area.slug
    url = reverse("performance:data-ncpm-csv")
    return f"{url}?{urlencode(query)}" if query else url


def _todo(request):
    return HttpResponse("Not yet available.", status=501)


datasets = calls_999_csv = calls_999_json = ncpm_csv = ncpm_json = ons_csv = ons_json = _todo
