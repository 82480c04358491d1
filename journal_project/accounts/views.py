from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from journal_project.accounts import services
from journal_project.accounts.forms import (
    AccountDeleteForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    ResetRequestForm,
    SignupForm,
)
from journal_project.accounts.models import Profile
from journal_project.api.throttles import AuthRateThrottle, PasswordResetAddressThrottle, PasswordResetIPThrottle


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_reset_enabled": settings.PASSWORD_RESET_ENABLED}


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        # The API's registration is throttled per IP (CONTRACT §3); the page must not be
        # the way around it.
        throttle = AuthRateThrottle()
        if not throttle.allow_request(request, None):
            return _too_many(request, "registration/signup.html", form, throttle.wait())
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


def _too_many(request: HttpRequest, template_name: str, form: Any, wait: float | None) -> HttpResponse:
    """A throttled form: the page again, with the typed values, a form error and a 429."""
    wait = wait or 60
    minutes = max(1, math.ceil(wait / 60))
    form.is_valid()  # bound forms render their values; errors beyond ours are shown too
    form.add_error(None, f"Too many attempts. Try again in {minutes} minute{'s' * (minutes > 1)}.")
    response = render(request, template_name, {"form": form}, status=429)
    response["Retry-After"] = str(math.ceil(wait))
    return response


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
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None, user=request.user, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_email_update(user=request.user, email=form.cleaned_data["email"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "E-mail address saved." if request.user.email else "E-mail address removed.")
            return redirect("accounts:settings")
    return render(
        request,
        "registration/email_change.html",
        {"form": form, "password_reset_enabled": settings.PASSWORD_RESET_ENABLED},
    )


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

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # Otherwise the page after it looks like any signed-out visit: say that it worked.
        # (The message travels in the messages cookie: the session was just ended.)
        messages.info(request, "You are logged out.")
        # Journal pages and API answers are sent `no-store`, but a browser may still hold
        # some from before that was so (or from an extension's fetch): leaving, the person
        # asks the browser to forget this site's stored answers. Only the cache: the
        # session cookie is Django's to end, and local drafts are the login page's.
        response["Clear-Site-Data"] = '"cache"'
        return response


# --- Password reset by e-mail (only where PASSWORD_RESET_ENABLED) ----------------------


class _WhenResetEnabled:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset by e-mail is off on this server.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class PasswordResetView(_WhenResetEnabled, auth_views.PasswordResetView):
    """Django's reset request, throttled per client IP and per address.

    The e-mail is sent by a Celery task after the request (`services.password_reset_request`),
    not by Django's form in the request: the answer, and its time, are the same whether
    or not an account has the address, and a slow mail server slows nobody's page.
    """

    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = ResetRequestForm

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        throttles = [PasswordResetIPThrottle(), PasswordResetAddressThrottle(form.cleaned_data["email"])]
        refused = [throttle for throttle in throttles if not throttle.allow_request(self.request, self)]
        if refused:
            wait = max(throttle.wait() or 0 for throttle in refused)
            return _too_many(self.request, self.template_name, form, wait)
        services.password_reset_request(
            email=form.cleaned_data["email"],
            domain=get_current_site(self.request).domain,
            use_https=self.request.is_secure(),
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(_WhenResetEnabled, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_WhenResetEnabled, auth_views.PasswordResetConfirmView):
    """Django's confirm step, with the token read from the link's query string.

    Django puts the token in the path (/reset/<uid>/<token>/), and paths are what our
    logs, the access log and error reports keep; query strings never are
    (journal_project/logging.py). So the e-mailed link is /reset/<uid>/link/?t=<token>:
    the token goes into the session and the browser on to Django's set-password step,
    as Django does with a token in the path.
    """

    link_token = "link"
    success_url = reverse_lazy("accounts:password_reset_complete")

    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.PASSWORD_RESET_ENABLED and kwargs.get("token") == self.link_token:
            user = self.get_user(kwargs["uidb64"])
            token = request.GET.get("t", "")
            if user is not None and self.token_generator.check_token(user, token):
                request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = token
                return HttpResponseRedirect(
                    reverse("accounts:password_reset_confirm", args=[kwargs["uidb64"], self.reset_url_token])
                )
            self.validlink, self.user = False, None
            return self.render_to_response(self.get_context_data())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        if services.password_reset_completed(user=form.user):
            messages.info(self.request, "Apps signed in with your old password must sign in again.")
        return response


class PasswordResetCompleteView(_WhenResetEnabled, auth_views.PasswordResetCompleteView):
    pass
