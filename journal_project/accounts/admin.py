from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from journal_project.accounts.models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "created_at"]
    list_filter = ["time_zone"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at", "usable"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["user__username", "prefix", "name"]
    list_select_related = ["user"]
    # The hash is useless to an operator and the token itself is never stored.
    exclude = ["key_hash"]
    readonly_fields = ["user", "prefix", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(boolean=True)
    def usable(self, token: ApiToken) -> bool:
        return token.is_usable

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
