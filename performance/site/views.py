"""Thin public views: each picks its rows once (``pages``) and renders.

Every public page sends Last-Modified from the content version (``caching``) and answers a
conditional request with 304; ConditionalGetMiddleware adds the ETag. Anonymous readers get a
stored copy of the page for the current content version.
"""

from django import forms
from django.core.paginator import EmptyPage
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from performance.library.documents import DOCUMENT_KINDS, extension_of
from performance.library.models import Document, LibraryPage
from performance.library.views import MAX_PAGE, MAX_SEARCH_CHARACTERS
from performance.publishing.caching import kept_for_the_public, public_page
from performance.publishing.preview import is_preview
from performance.site import pages, search
from performance.site.office import site_settings_for


@public_page
def library(request):
    return render(
        request,
        "performance/library.html",
        {
            "pages": LibraryPage.objects.visible(preview=is_preview(request)),
            "documents": Document.objects.visible(preview=is_preview(request)),
        },
    )


@public_page
def library_page(request, slug):
    preview = is_preview(request)
    page = get_object_or_404(
        LibraryPage.objects.visible(preview=preview).prefetch_related(
            Prefetch(
                "documents", queryset=Document.objects.visible(preview=preview), to_attr="shown_documents"
            )
        ),
        slug=slug,
        template=LibraryPage.Template.PLAIN,
    )
    return render(request, "performance/library_page.html", {"page": page, "preview": preview})


def kept_page(request, name: str, context_for) -> dict:
    """A page whose content is the same for every reader until the content changes: its rows
    read, its tables and charts built and its ``includes/<name>_body.html`` rendered once per
    content version (``kept_for_the_content_version``), so that a reader the page cache has
    not served yet costs a render of the page's frame. Staff, who are never served a stored
    copy, and previews are built afresh."""

    def build() -> dict:
        context = context_for(request)
        body = render_to_string(f"performance/includes/{name}_body.html", context, request)
        return {key: context.get(key) for key in ("page", "settings", "preview")} | {"body": mark_safe(body)}

    return kept_for_the_public(request, f"page:{name}", build)


@public_page
def police_data(request):
    return render(
        request, "performance/police_data.html", kept_page(request, "police_data", pages.police_data_context)
    )


@public_page
def calls_999_archive(request):
    return render(
        request,
        "performance/calls_999_archive.html",
        kept_page(request, "calls_999_archive", pages.calls_999_archive_context),
    )


@public_page
def ncpm_archive(request):
    return render(request, "performance/ncpm_archive.html", pages.ncpm_archive_context(request))


@public_page
def ncpm_period(request, period):
    return render(request, "performance/ncpm_period.html", pages.ncpm_period_context(request, period))


@public_page
def accessibility(request):
    return render(request, "performance/accessibility.html")


def document(request, pk, name):
    """A published document (or, for a staff preview, a draft), served from the media folder by its id (never by a path from the
    address) with a safe Content-Disposition: PDFs open in the browser, other kinds download."""
    found = get_object_or_404(Document.objects.visible(preview=is_preview(request)), pk=pk)
    kind = extension_of(found.file.name)
    content_type = DOCUMENT_KINDS.get(kind, ("application/octet-stream",))[0]
    try:
        opened = found.file.open("rb")
    except (FileNotFoundError, IsADirectoryError) as error:
        # The record is there but its file is not (e.g. storage restored from an older backup).
        raise Http404("The document's file is missing.") from error
    response = FileResponse(
        opened,
        as_attachment=kind != "pdf",
        filename=found.download_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SiteSearchForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=MAX_SEARCH_CHARACTERS, widget=forms.SearchInput
    )


@public_page
def site_search(request):
    """One ranked list of everything public that a search finds, RESULTS_PER_PAGE to a page."""
    form = SiteSearchForm(request.GET)
    words = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "words": words, "page": None, "best_match_first": search.best_match_first()}
    if words and search.has_words(words):
        number = request.GET.get("page", "1")
        if not number.isascii() or not number.isdigit() or int(number) > MAX_PAGE:
            raise Http404("No such page.")
        paginator = search.SiteSearchPaginator(search.SiteSearch(words, settings=site_settings_for(request)))
        try:
            page = paginator.page(int(number))
        except EmptyPage as error:
            raise Http404("No such page.") from error
        context.update(
            page=page,
            pages={"paginator": paginator, "page": page},
            page_numbers=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        )
    return render(request, "performance/search.html", context)
