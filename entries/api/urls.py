from django.urls import path

from entries.api import views

urlpatterns = [
    path("entries/", views.EntryListView.as_view(), name="entry-list"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="entry-detail"),
    path("tags/", views.TagListView.as_view(), name="entry-tags"),
    path("stats/", views.StatsView.as_view(), name="entry-stats"),
    path("export/", views.ExportView.as_view(), name="entry-export"),
    path("import/", views.ImportView.as_view(), name="entry-import"),
]
