"""sitemap.xml: the public pages, for search engines. Never a draft or a scheduled page, even for
staff.

Listed: the library, the Police Data page, the 999 and NCPM archives, the open data page, each
published NCPM quarter, every-force 999 month, plain library page and meeting, and each document
category. Not the
documents' files: each is linked from its category's page and from the library, and the feed
announces them. ``lastmod`` is when the page last changed where that is known (the times the
feed uses, ``feeds``); for the pages built from many kinds of content it is the content version,
the pages' own Last-Modified.

The sitemap is a public page like the others (``caching.public_page``); its address is wired
with ``urlpatterns`` below, included at /sitemap.xml by the site's URLs.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count, OuterRef, Subquery
from django.urls import path, reverse

from performance.calls.models import CallAnswerMonth
from performance.library.models import Document, DocumentCategory, LibraryPage, Meeting
from performance.publishing import caching
from performance.site.feeds import last_saved, quarters_revised, revised


class DataPagesSitemap(Sitemap):
    """The pages every site has, each built from many kinds of content."""

    URL_NAMES = (
        "performance:library",
        "performance:police-data",
        "performance:calls-999-archive",
        "performance:ncpm-archive",
        "performance:datasets",
    )

    def items(self):
        return self.URL_NAMES

    def location(self, url_name):
        return reverse(url_name)

    def lastmod(self, url_name):
        return caching.content_version()


class EveryForceMonthSitemap(Sitemap):
    """Each month's every-force table, for the months published for more than one force."""

    def items(self):
        return list(
            CallAnswerMonth.objects.published()
            .values("month")
            .annotate(forces=Count("id"))
            .filter(forces__gt=1)
            .order_by("-month")
            .values_list("month", flat=True)
        )

    def location(self, month):
        return reverse("performance:calls-999-national", args=[f"{month:%Y-%m}"])

    def lastmod(self, month):
        return caching.content_version()


class RevisedSitemap(Sitemap):
    """Rows annotated with ``revised_at`` (``feeds``), each with its own page."""

    def lastmod(self, row):
        return row.revised_at


class QuarterSitemap(RevisedSitemap):
    def items(self):
        return quarters_revised().order_by("-period_end")


class LibraryPageSitemap(RevisedSitemap):
    """Plain pages: the Police Data page is listed with the data pages."""

    def items(self):
        return revised(LibraryPage.objects.published().filter(template=LibraryPage.Template.PLAIN)).order_by(
            "order", "title"
        )


class MeetingSitemap(RevisedSitemap):
    def items(self):
        return revised(Meeting.objects.published()).order_by("-held_on", "title")


class CategorySitemap(Sitemap):
    """A category is public as soon as saved; its page changes with it and with its documents."""

    def items(self):
        newest_document = (
            Document.objects.published()
            .filter(category=OuterRef("pk"))
            .order_by("-publish_at")
            .values("publish_at")
        )
        return (
            DocumentCategory.objects.annotate(newest_document_at=Subquery(newest_document[:1]))
            .annotate(changed_at=last_saved(DocumentCategory))
            .order_by("order", "name")
        )

    def lastmod(self, category):
        times = [time for time in (category.changed_at, category.newest_document_at) if time is not None]
        return max(times, default=None)


SITEMAPS = {
    "pages": DataPagesSitemap,
    "quarters": QuarterSitemap,
    "every-force": EveryForceMonthSitemap,
    "library": LibraryPageSitemap,
    "meetings": MeetingSitemap,
    "categories": CategorySitemap,
}


@caching.public_page
def sitemap(request):
    response = sitemap_views.sitemap(request, sitemaps=SITEMAPS)
    # Last-Modified comes from the content version (public_page): a page withdrawn changes the
    # sitemap without making any listed page newer.
    del response["Last-Modified"]
    return response


urlpatterns = [path("", sitemap, name="sitemap")]
