"""Staff see a page as it will be: drafts and scheduled content included, with ``?preview=1``."""


def is_preview(request) -> bool:
    """A staff member asking to see the page as it will be, drafts and scheduled content included."""
    return request.GET.get("preview") == "1" and request.user.is_authenticated and request.user.is_staff
