from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path

from journal_project import health, views
from journal_project.accounts import views as account_views
from journal_project.api.docs import DocsView, SchemaView

SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"

api_v1 = [
    path("auth/", include(("journal_project.accounts.api.urls", "auth"))),
    path("", include("entries.api.urls")),
    path("", include("sessions_app.api.urls")),
    path("monitoring/", include("monitoring.api.urls")),
    path("schema/", SchemaView.as_view(api_version="v1"), name="schema"),
    # Swagger UI sets one inline style: that style alone (by its hash, for the pinned
    # drf-spectacular-sidecar) is allowed, on this page only, which shows no journal.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-hashes'", SWAGGER_UI_STYLE]})(DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (JSON, /metrics, a download).
    path("favicon.ico", views.favicon),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("journal_project.accounts.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("health/", health.FullHealthView.as_view(), name="health"),
    path("health/ready/", health.ReadinessView.as_view(), name="health-ready"),
    path("health/live/", health.liveness, name="health-live"),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
    path("", include("entries.urls")),
    path("", include("sessions_app.urls")),
]

handler400 = "journal_project.views.bad_request"
handler403 = "journal_project.views.permission_denied"
handler404 = "journal_project.views.page_not_found"
handler500 = "journal_project.views.server_error"
