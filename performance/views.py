from django.shortcuts import get_object_or_404, render

from .models import Document, LibraryPage
from .pages import police_data_context


def library(request):
    return render(
        request,
        "performance/library.html",
        {"pages": LibraryPage.objects.all(), "documents": Document.objects.all()},
    )


def library_page(request, slug):
    page = get_object_or_404(LibraryPage, slug=slug, template=LibraryPage.Template.PLAIN)
    return render(request, "performance/library_page.html", {"page": page})


def police_data(request):
    return render(request, "performance/police_data.html", police_data_context(request))
