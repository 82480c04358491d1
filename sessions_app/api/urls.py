from django.urls import path

from sessions_app.api import views

urlpatterns = [
    path("sessions/", views.SessionListView.as_view(), name="session-list"),
    path("sessions/<int:session_id>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<int:session_id>/messages/", views.MessageCreateView.as_view(), name="session-messages"),
    path("sessions/<int:session_id>/end/", views.SessionEndView.as_view(), name="session-end"),
    path("knowledge/", views.KnowledgeListView.as_view(), name="knowledge-list"),
    path("knowledge/<slug:slug>/", views.KnowledgeDetailView.as_view(), name="knowledge-detail"),
    path("prompts/today/", views.PromptTodayView.as_view(), name="prompt-today"),
]
