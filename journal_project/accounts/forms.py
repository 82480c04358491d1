from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from journal_project.accounts.models import time_zone_names

User = get_user_model()


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False,
        help_text=(
            "Optional. The journal never emails you (there is no password reset by email); "
            "only the operator sees it, to contact you if needed."
        ),
    )
    # Filled in by the browser's own time zone when JavaScript runs; UTC otherwise.
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices, initial="UTC", widget=forms.Select(attrs={"data-detect-time-zone": ""})
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that username already exists.")
        return username


class ProfileForm(forms.Form):
    time_zone = forms.ChoiceField(choices=_time_zone_choices, help_text="Dates, “today” and streaks follow it.")


class AccountDeleteForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(
        label="I understand that my entries, reflection sessions and everything cached about them are deleted for good."
    )

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not correct.")
        return password
