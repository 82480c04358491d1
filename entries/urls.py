from django.urls import path

from entries import views

app_name = "entries"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("entries/", views.entry_list, name="list"),
    path("entries/new/", views.entry_create, name="create"),
    path("entries/preview/", views.preview, name="preview"),
    path("entries/<int:pk>/", views.entry_detail, name="detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="delete"),
    path("search/", views.search, name="search"),
    path("calendar/", views.calendar, name="calendar"),
    path("insights/", views.insights, name="insights"),
    path("export/", views.export, name="export"),
    path("export/download/", views.export_download, name="export-download"),
]
