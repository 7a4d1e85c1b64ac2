"""robots.txt: crawlers may read the public site but not the staff pages, and find the sitemap."""

import pytest
from django.urls import reverse

from performance.publishing import caching

URL = "/robots.txt"


def directives(response) -> list[tuple[str, str]]:
    """The file's ``Field: value`` lines, as a crawler reads them (blank lines and comments skipped)."""
    lines = response.content.decode().splitlines()
    return [
        tuple(part.strip() for part in line.split(":", 1))
        for line in lines
        if line and not line.startswith("#")
    ]


def test_robots_txt_allows_the_site_but_not_the_admin(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    found = directives(response)
    assert found[0] == ("User-agent", "*")
    assert ("Disallow", "/admin/") in found
    assert ("Allow", "/") in found
    assert not [value for field, value in found if field == "Disallow" and value != "/admin/"]


def test_robots_txt_names_the_sitemap_absolutely_from_the_request(client, db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "police.example.org"]

    response = client.get(URL, HTTP_HOST="police.example.org", secure=True)

    sitemaps = [value for field, value in directives(response) if field == "Sitemap"]
    assert sitemaps == ["https://police.example.org/sitemap.xml"]
    assert reverse("sitemap") == "/sitemap.xml"
    assert [value for field, value in directives(client.get(URL)) if field == "Sitemap"] == [
        "http://testserver/sitemap.xml"
    ]


def test_the_sitemap_it_names_is_served(client, demo_data):
    sitemap = next(value for field, value in directives(client.get(URL)) if field == "Sitemap")
    response = client.get(sitemap.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert b"<urlset" in response.content


def test_robots_txt_is_cached_like_the_public_pages(client, demo_data, settings, django_assert_num_queries):
    response = client.get(URL)
    assert response["Cache-Control"].startswith("public")
    assert response.has_header("Last-Modified") and response.has_header("ETag")
    assert client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    settings.PAGE_CACHE_SECONDS = 600
    caching.forget_version()
    client.get(URL)
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.content == response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_robots_txt_is_only_read(client, db, method):
    assert getattr(client, method)(URL).status_code == 405
