from django.urls import path

from monitoring.api import views

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="monitoring-summary"),
]
