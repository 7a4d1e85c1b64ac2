"""Every response forbids the powerful browser features the site never uses."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db.utils import OperationalError

from performance.publishing import caching
from tests.helpers import status_and_heading

POLICY_FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def assert_restrictive(response):
    policy = response["Permissions-Policy"]
    for feature in POLICY_FEATURES:
        assert feature in policy
    assert "*" not in policy and "self" not in policy  # no feature is allowed to anyone


@pytest.mark.parametrize(
    "url",
    [
        "/document-library/police-data/",
        "/document-library/police-data/data/ncpm.json",
        "/static/css/site.css",
        "/admin/login/",
        "/no-such-page/",
    ],
)
def test_every_response_carries_a_restrictive_permissions_policy(client, demo_data, url):
    assert_restrictive(client.get(url))


def test_a_stored_copy_carries_it_too(client, demo_data, settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client.get("/document-library/police-data/")
    caching.content_version(fresh=True)
    with mock.patch("performance.publishing.caching._read_version") as read:
        assert_restrictive(client.get("/document-library/police-data/"))
    read.assert_not_called()  # answered from the stored copy
    cache.clear()


def test_the_503_page_carries_it_too(client, db):
    with mock.patch("performance.publishing.caching._read_version", side_effect=OperationalError("down")):
        response = client.get("/document-library/police-data/")
    assert status_and_heading(response) == (503, "Sorry, the figures are temporarily unavailable")
    assert_restrictive(response)
