"""The document library's public pages: the index with search and filters, a page per category
and a page per meeting.

The documents are listed in a django-tables2 table with a lean template of our own
(``includes/library_table.html``): sortable by a ``sort`` query parameter, 25 to a ``page``, so
that every listing has a stable address that works without JavaScript and caches by its URL.
Each page runs a fixed number of queries however many documents the library holds.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import ExtractYear
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from performance.library import search
from performance.library.documents import extension_of
from performance.library.models import Document, DocumentCategory, LibraryPage, Meeting
from performance.publishing.caching import kept_for_the_content_version, public_page
from performance.publishing.preview import is_preview

DOCUMENTS_PER_PAGE = 25
MAX_PAGE = 100_000  # beyond any library; a larger number would overflow the database's OFFSET
MAX_SEARCH_CHARACTERS = 200

# The type filter's choices: what a reader asks for, and the file extensions it covers.
FILE_TYPES = {
    "pdf": ("PDF", ("pdf",)),
    "word": ("Word", ("docx",)),
    "spreadsheet": ("Spreadsheet (Excel, CSV)", ("xlsx", "csv")),
    "opendocument": ("OpenDocument (text or spreadsheet)", ("odt", "ods")),
}
# How a document's file is described next to its title.
KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel spreadsheet",
    "csv": "CSV file",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
}

# The columns a listing reads: never the extracted text or the search vector, which can be large.
LISTED_FIELDS = (
    "title",
    "summary",
    "file",
    "published_on",
    "publish_at",
    "category__name",
    "category__slug",
    "meeting__title",
    "meeting__slug",
    "meeting__held_on",
    "meeting__publish_at",
)


def kind_name(file_name: str) -> str:
    """What kind of file a document is, in words.

    >>> kind_name("documents/2024/budget.XLSX")
    'Excel spreadsheet'
    """
    return KIND_NAMES.get(extension_of(file_name), "File")


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

ROW = (
    '<tr><td><a href="{}">{}</a> <span class="library-kind">{}</span>{}</td>'
    '<td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>'
)


class SortableColumn(tables.Column):
    """A column whose header link says, in words, which way it will sort the table."""

    def __init__(self, *args, ascending: str = "lowest first", descending: str = "highest first", **kwargs):
        super().__init__(*args, **kwargs)
        self.ascending_words = ascending
        self.descending_words = descending


class DocumentTable(tables.Table):
    """The library's documents: title (with the kind of file and a summary or search extract),
    category, meeting and publication date. Each sort ends on the id, so a page of a sorted
    listing always holds the same documents."""

    title = SortableColumn(ascending="A to Z", descending="Z to A")
    category = SortableColumn(ascending="A to Z", descending="Z to A")
    meeting = SortableColumn(
        ascending="oldest first", descending="newest first", initial_sort_descending=True, default=""
    )
    published = SortableColumn(
        accessor="published_on",
        verbose_name="Published",
        ascending="oldest first",
        descending="newest first",
        initial_sort_descending=True,
    )

    class Meta:
        template_name = "performance/includes/library_table.html"
        order_by_field = "sort"
        page_field = "page"
        per_page = DOCUMENTS_PER_PAGE
        empty_text = "No documents match."

    def __init__(self, data, *, caption: str, search_words: str = "", preview: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.search_words = search_words
        self.preview = preview
        self._links = {}  # (URL name, slug) -> address: a page's rows share a few categories and meetings

    def link(self, name: str, slug: str) -> str:
        if (name, slug) not in self._links:
            self._links[name, slug] = reverse(name, args=[slug])
        return self._links[name, slug]

    @cached_property
    def written_rows(self) -> list[SafeString]:
        """The page's rows, each written in one pass: the kind of file, the summary or search
        extract, and links to the document, its category and its meeting (once public). Asked
        to render each cell itself, django-tables2 looks up and inspects a render method per
        cell, which costs more than the rest of the page's template together."""
        rows = []
        for row in self.paginated_rows:
            document = row.record
            detail = (
                search.snippet_html(document, self.search_words) if self.search_words else document.summary
            )
            meeting = document.meeting
            rows.append(
                format_html(
                    ROW,
                    document.get_absolute_url(),
                    document.title,
                    kind_name(document.file.name),
                    format_html('<span class="library-detail">{}</span>', detail) if detail else "",
                    self.link("performance:library-category", document.category.slug),
                    document.category.name,
                    format_html(
                        '<a href="{}">{}</a>', self.link("performance:library-meeting", meeting.slug), meeting
                    )
                    if meeting is not None and (self.preview or meeting.is_published)
                    else "",
                    date_format(document.published_on, "j F Y"),
                )
            )
        return rows

    def order_title(self, queryset, is_descending):
        return queryset.order_by(F("title").desc() if is_descending else F("title").asc(), "pk"), True

    def order_category(self, queryset, is_descending):
        name = F("category__name")
        return queryset.order_by(name.desc() if is_descending else name.asc(), "-published_on", "pk"), True

    def order_meeting(self, queryset, is_descending):
        held_on = F("meeting__held_on")
        held_on = held_on.desc(nulls_last=True) if is_descending else held_on.asc(nulls_last=True)
        return queryset.order_by(held_on, "meeting__title", "title", "pk"), True

    def order_published(self, queryset, is_descending):
        published_on = F("published_on").desc() if is_descending else F("published_on").asc()
        return queryset.order_by(published_on, "title", "pk"), True


def table_sort(request, table_class=DocumentTable) -> str | None:
    """The sort the reader asked for, if it names a column that sorts (else the default)."""
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in table_class.base_columns:
        return sort
    return None


class SearchPaginator(Paginator):
    """A page of search results in two queries. The first finds the page's documents, in order,
    and how many match in all: each matching row carries only its id, its rank and
    ``COUNT(*) OVER ()`` (see ``with_count()``), which PostgreSQL works out while it sorts the
    rows anyway, where a separate ``COUNT(*)`` would find every match again. The second reads
    those documents in full, with their extracts (``details``): an extract reads a document's
    text, so only the page's rows are given one. A page past the last raises ``EmptyPage``."""

    def __init__(self, object_list, per_page, *, details: QuerySet, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.details = details

    def page(self, number):
        number = self.page_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        with search.text_index_used():
            found = [document.pk for document in rows.data]
            self.__dict__["count"] = rows.data[0].matching if found else 0  # Paginator.count, known
        if not found and number > 1:
            raise EmptyPage("That page contains no results")
        documents = self.details.in_bulk(found) if found else {}
        rows.data = [documents[pk] for pk in found if pk in documents]
        return self._get_page(rows, number, self)

    @staticmethod
    def page_number(number) -> int:
        if isinstance(number, int) and number >= 1:
            return number
        raise EmptyPage("That page number is less than 1")


def with_count(documents: QuerySet) -> QuerySet:
    """Each document with ``matching``: how many documents the whole listing has."""
    return documents.annotate(matching=Window(Count("*")))


def paginated(table: DocumentTable, request, *, details: QuerySet | None = None) -> DocumentTable:
    """The page of the table the address names: 404 for a page that does not exist, so that a
    page's address never shows another page's documents. ``details``: the table's rows are a
    search's matches with their count (``with_count()``), and the page's documents are read in
    full from ``details`` (see ``SearchPaginator``); a plain listing counts in a query of its
    own, which costs less than carrying the count through the sort."""
    page = request.GET.get("page", "1")
    if not page.isascii() or not page.isdigit() or int(page) > MAX_PAGE:
        raise Http404("No such page.")
    paginator = {"paginator_class": SearchPaginator, "details": details} if details is not None else {}
    try:
        table.paginate(page=int(page), per_page=DOCUMENTS_PER_PAGE, **paginator)
    except EmptyPage as error:
        raise Http404("No such page.") from error
    return table


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


def publication_years(documents: QuerySet, *, category: DocumentCategory | None, preview: bool) -> list[int]:
    """The years the listing's documents were published in, newest first: the year filter's
    choices. The same for every reader until the content changes, so kept for the content
    version (previews excepted): a page that is not in the cache yet (a new search, say) need
    not read every document's date again."""

    def read() -> list[int]:
        years = documents.annotate(year=ExtractYear("published_on")).values_list("year", flat=True)
        return list(years.distinct().order_by("-year"))

    if preview:
        return read()
    return kept_for_the_content_version(f"library-years:{category.pk if category else 'all'}", read)


class PlainSelect(forms.Select):
    """A drop-down list written in Python, options and all: the markup of Django's select
    widget in a quarter of the time (its template includes another template per option, and
    the library's filters are on every one of its pages)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((choice, " selected" if str(choice) in chosen else "", label) for choice, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class DocumentFilter(django_filters.FilterSet):
    """Search, category, year and type of file, from a plain GET form."""

    q = django_filters.CharFilter(
        label="Search", method="matching", max_length=MAX_SEARCH_CHARACTERS, widget=forms.SearchInput
    )
    category = django_filters.ChoiceFilter(
        label="Category", field_name="category__slug", empty_label="All categories", widget=PlainSelect
    )
    year = django_filters.ChoiceFilter(
        label="Year published",
        field_name="published_on",
        lookup_expr="year",
        empty_label="Any year",
        widget=PlainSelect,
    )
    type = django_filters.ChoiceFilter(
        label="Type of file",
        method="of_type",
        choices=[(key, label) for key, (label, _) in FILE_TYPES.items()],
        empty_label="Any type",
        widget=PlainSelect,
    )

    class Meta:
        model = Document
        fields = ["q", "category", "year", "type"]

    def __init__(self, data, queryset, *, categories, years, with_category: bool = True):
        super().__init__(data, queryset)
        if with_category:
            self.filters["category"].extra["choices"] = [(c.slug, c.name) for c in categories]
        else:
            del self.filters["category"]
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def matching(self, queryset, name, value):
        return search.documents_matching(queryset, value)

    def of_type(self, queryset, name, value):
        extensions = FILE_TYPES[value][1]
        condition = Q()
        for extension in extensions:
            condition |= Q(file__iendswith=f".{extension}")
        return queryset.filter(condition)

    @property
    def search_words(self) -> str:
        return self.form.cleaned_data.get("q", "") if self.is_valid() else ""

    def describe_errors(self) -> None:
        """Point each field with an error at its message, for screen readers."""
        for name in self.form.errors:
            if name in self.form.fields:
                self.form.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_error"


def document_listing(
    request, *, preview: bool, category: DocumentCategory | None = None, categories=()
) -> dict:
    """The filter form and the page of the table a library address asks for, in three queries
    (the years for the form, the count, the page's rows; a search: its matches with their count,
    then the page's rows with extracts); the years may be kept from an earlier request. The
    categories are passed in."""
    documents: QuerySet = Document.objects.visible(preview=preview)
    if category is not None:
        documents = documents.filter(category=category)
    years = publication_years(documents, category=category, preview=preview)
    filters = DocumentFilter(
        request.GET,
        documents,
        categories=categories,
        years=years,
        with_category=category is None,
    )
    valid = filters.is_valid()
    filters.describe_errors()
    sort = table_sort(request)
    searching = bool(filters.search_words)
    ranked = searching and search.results_ranked() and not sort
    if searching:
        caption = "Documents matching your search"
    else:
        caption = f"Documents in {category.name}" if category else "Documents"
    rows = filters.qs if valid else documents.none()
    listed = documents.select_related("category", "meeting").only(*LISTED_FIELDS)
    table = DocumentTable(
        with_count(rows.only("pk"))
        if searching
        else rows.select_related("category", "meeting").only(*LISTED_FIELDS),
        caption=caption,
        search_words=filters.search_words,
        preview=preview,
        order_by=sort or (None if ranked else "-published"),
    )
    paginated(
        table, request, details=search.with_snippets(listed, filters.search_words) if searching else None
    )
    return {
        "filters": filters,
        "filters_valid": valid,
        "table": table,
        "sort": sort,
        "page_numbers": list(
            table.paginator.get_elided_page_range(table.page.number, on_each_side=2, on_ends=1)
        ),
        "searching": searching,
        "best_match_first": ranked,
        "preview": preview,
    }


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def library_categories() -> list[DocumentCategory]:
    """Every category, in order: public as soon as saved, so kept for the content version."""
    return kept_for_the_content_version("library-categories", lambda: list(DocumentCategory.objects.all()))


def library_pages(preview: bool) -> list[LibraryPage]:
    """The library's pages a reader sees (a preview: staff see drafts too)."""

    def read():
        return list(LibraryPage.objects.visible(preview=preview).only("title", "slug", "summary", "template"))

    return read() if preview else kept_for_the_content_version("library-pages", read)


@public_page
def index(request):
    preview = is_preview(request)
    return render(
        request,
        "performance/library.html",
        {
            "pages": library_pages(preview),
            **document_listing(request, preview=preview, categories=library_categories()),
        },
    )


@public_page
def category(request, slug):
    preview = is_preview(request)
    chosen = next((category for category in library_categories() if category.slug == slug), None)
    if chosen is None:
        raise Http404("No such category.")
    return render(
        request,
        "performance/library_category.html",
        {"category": chosen, **document_listing(request, preview=preview, category=chosen)},
    )


@public_page
def meeting(request, slug):
    preview = is_preview(request)
    chosen = get_object_or_404(Meeting.objects.visible(preview=preview), slug=slug)
    documents = chosen.documents.visible(preview=preview).only(
        "title",
        "summary",
        "file",
        "published_on",
        "meeting_part",
        "meeting",  # read through the meeting, each document is given it: no query for it
    )
    return render(
        request,
        "performance/library_meeting.html",
        {"meeting": chosen, "parts": meeting_parts(documents), "preview": preview},
    )


def meeting_parts(documents) -> list[tuple[str, list[Document]]]:
    """A meeting's documents under Agenda, Papers, Minutes and Other (in that order; a document
    without a part is Other), leaving out parts with none. Each document carries ``kind_name``."""
    parts = {part: [] for part in Document.MeetingPart}
    for document in documents:
        document.kind_name = kind_name(document.file.name)
        parts[Document.MeetingPart(document.meeting_part or Document.MeetingPart.OTHER)].append(document)
    return [(part.label, listed) for part, listed in parts.items() if listed]
