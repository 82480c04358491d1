from django.contrib import admin
from django.urls import path

from monitoring import views

app_name = "monitoring"

# Included at the site root before admin/, so the dashboard lives inside the admin's URL space.
urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
    path("admin/monitoring/dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
]
