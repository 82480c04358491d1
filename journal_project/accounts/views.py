from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from journal_project.accounts import services
from journal_project.accounts.forms import AccountDeleteForm, ProfileForm, SignupForm
from journal_project.accounts.models import Profile


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data.get("email", ""),
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="journal_project.accounts.backends.JournalModelBackend")
            messages.success(request, "Welcome! Your journal is ready.")
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, initial={"time_zone": profile.time_zone})
    if request.method == "POST" and form.is_valid():
        services.profile_update(profile=profile, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, "Settings saved.")
        return redirect("accounts:settings")
    return render(request, "registration/settings.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.user_delete(user=user)
        messages.success(request, "Your account, journal and reflection sessions have been deleted.")
        return redirect("home")
    return render(request, "registration/account_delete.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also revokes every API token of the account.

    A new password is what a person does when a device or a token may be in the wrong
    hands; tokens issued with the old one must stop working too.
    """

    success_url = "/accounts/password/done/"

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        if services.tokens_revoke_all(user=form.user):
            messages.info(self.request, "Apps signed in with your old password must sign in again.")
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, which only a POST performs (a link or a prefetch must not log
    anyone out), plus a page for a GET: someone who types /logout/ gets the button, not
    a blank "405 Method Not Allowed"."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "registration/logout_confirm.html")
