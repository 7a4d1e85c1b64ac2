from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("document-library/", views.library, name="library"),
    path("document-library/police-data/", views.police_data, name="police-data"),
    path("document-library/<slug:slug>/", views.library_page, name="library-page"),
]
