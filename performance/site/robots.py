"""robots.txt: crawlers may read the public site, not the staff pages, and are told where the
sitemap is. A public page like the others (``caching.public_page``): the sitemap's address is
absolute, from the host the request was made to."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from performance.publishing.caching import public_page

NOT_FOR_CRAWLERS = ("/admin/",)  # staff only: every page under it asks for a sign-in


def robots_lines(*, sitemap: str) -> list[str]:
    """The file's lines, given the sitemap's absolute address.

    >>> robots_lines(sitemap="https://example.org/sitemap.xml")
    ['User-agent: *', 'Allow: /', 'Disallow: /admin/', '', 'Sitemap: https://example.org/sitemap.xml']
    """
    return [
        "User-agent: *",
        "Allow: /",
        *(f"Disallow: {path}" for path in NOT_FOR_CRAWLERS),
        "",
        f"Sitemap: {sitemap}",
    ]


@require_safe  # carries public_page's mark (functools.wraps): the page cache knows it as one
@public_page
def robots_txt(request):
    lines = robots_lines(sitemap=request.build_absolute_uri(reverse("sitemap")))
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
