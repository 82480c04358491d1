from django.urls import path

from sessions_app import views

app_name = "sessions_app"

urlpatterns = [
    path("reflect/", views.session_list, name="list"),
    path("reflect/<int:session_id>/", views.session_detail, name="detail"),
    path("reflect/<int:session_id>/end/", views.session_end, name="end"),
    path("library/", views.library, name="library"),
    path("library/<slug:slug>/", views.technique, name="technique"),
]
