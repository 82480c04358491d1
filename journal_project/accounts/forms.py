from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm

from journal_project.accounts.models import default_time_zone, time_zone_names

User = get_user_model()


def email_help_text() -> str:
    if settings.PASSWORD_RESET_ENABLED:
        return "Optional. Used only to send you a link if you forget your password."
    return (
        "Optional. This journal sends no e-mail (password reset by e-mail is off on this server); "
        "only the operator sees it, to contact you if needed."
    )


# Django's message says "email"; every label of the app says "E-mail".
EMAIL_ERRORS = {"invalid": "Enter a valid e-mail address."}


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


# Django's message adds "Note that both fields may be case-sensitive": here the username
# is not (accounts.backends), and someone who signed up as "Anna" and typed "anna" would
# look for the mistake in the wrong field.
INVALID_LOGIN = "Please enter a correct username and password. The password is case-sensitive; the username is not."


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in, saying the same of the username's case as the app's."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": INVALID_LOGIN.replace("username", "username of a staff account", 1),
    }


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, label="E-mail", error_messages=EMAIL_ERRORS)
    # Filled in by the browser's own time zone when JavaScript runs; the server's otherwise.
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        initial=default_time_zone,
        widget=forms.Select(attrs={"data-detect-time-zone": ""}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = email_help_text()
        # The zone the page's script may replace with the browser's: the default shown on
        # a blank form; none once the form comes back with what the person chose.
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "" if self.is_bound else default_time_zone()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that username already exists.")
        return username


class PasswordConfirmedForm(forms.Form):
    """A form for a change that asks for the account's password first (`user=`)."""

    password_label = "Password"

    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].label = self.password_label

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not correct.")
        return password


class EmailForm(PasswordConfirmedForm):
    """The address password-reset links go to; changing it asks for the password."""

    password_label = "Current password"

    email = forms.EmailField(
        required=False, label="E-mail", help_text="Leave empty to have no address on file.", error_messages=EMAIL_ERRORS
    )
    field_order = ["email", "password"]


class ProfileForm(forms.Form):
    time_zone = forms.ChoiceField(choices=_time_zone_choices, help_text="Dates, “today” and streaks follow it.")


class AccountDeleteForm(PasswordConfirmedForm):
    confirm = forms.BooleanField(
        label="I understand that my entries, reflection sessions and everything cached about them are deleted for good."
    )


class ResetRequestForm(PasswordResetForm):
    """Django's reset request, its address called "E-mail" as on every other page."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
