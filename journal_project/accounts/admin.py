from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from entries.models import Entry, EntryTombstone, Tag
from journal_project.accounts import services
from journal_project.accounts.forms import AdminLoginForm
from journal_project.accounts.models import ApiToken, Profile
from sessions_app.models import Message, ReflectionSession

# What an account owns and its deletion removes (accounts.services.user_delete).
ACCOUNT_MODELS = (Profile, ApiToken, Entry, Tag, EntryTombstone, ReflectionSession, Message)


class PasswordSetByOperatorForm(AdminPasswordChangeForm):
    """The admin's "change password" form, which also revokes every API token of the account,
    as the person's own password change does: an operator resets the password of an
    account that may be in the wrong hands, and the tokens are in the same hands."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            services.tokens_revoke_all(user=user)
        return user


admin.site.unregister(get_user_model())
admin.site.login_form = AdminLoginForm


@admin.register(get_user_model())
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, deleting accounts the way the person's own settings page does.

    The journal admins are read-only (nobody deletes one entry of someone else's), so
    Django's admin refused to delete any account that had written something; and the
    delete it did for the others left the login records (addresses, browsers) behind.
    Deleting an account removes what it owns, through the account service.
    """

    change_password_form = PasswordSetByOperatorForm

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, set[str], Any]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The right to delete an account is the right to delete what it owns.
        owned = {str(model._meta.verbose_name) for model in ACCOUNT_MODELS}
        return deleted, counts, perms_needed - owned, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():  # all the selected accounts, or none
            for user in queryset:
                services.user_delete(user=user)


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
