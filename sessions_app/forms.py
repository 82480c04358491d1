from __future__ import annotations

from typing import Any

from django import forms

from sessions_app import selectors
from sessions_app.models import Technique
from sessions_app.services import MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH


class SessionStartForm(forms.Form):
    title = forms.CharField(
        max_length=MAX_TITLE_LENGTH, required=False, help_text="Optional. Leave empty and one is made from the date."
    )
    technique = forms.ChoiceField(required=False, label="Start from a technique or prompt (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technique"].choices = [("", "No particular technique"), *selectors.knowledge_choices()]


class MessageForm(forms.Form):
    content = forms.CharField(
        label="Your message",
        max_length=MAX_MESSAGE_LENGTH,
        help_text=f"Up to {MAX_MESSAGE_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "data-chat-input": ""}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No maxlength in the page: the browser silently cut a longer paste to the limit and
        # the rest was lost once sent. The server refuses it instead, saying so, and the
        # whole text stays in the box.
        self.fields["content"].widget.attrs.pop("maxlength", None)


class SessionEndForm(forms.Form):
    save_as_entry = forms.BooleanField(
        required=False, label="Save the summary and conversation as a journal entry", initial=True
    )


class LibrarySearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search techniques")
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *Technique.Category.choices], label="Category"
    )
