"""Forms of the entry pages. They validate input; the services do the writing."""

from __future__ import annotations

import html
from itertools import islice
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from entries.filters import iso_date_options
from entries.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Mood
from entries.rendering import render_markdown
from entries.services import tag_names_normalise


class MoodPicker(forms.RadioSelect):
    """Five labelled radio buttons in one radiogroup (plus "not set"): usable by keyboard and screen reader."""

    template_name = "entries/widgets/mood_picker.html"


MOOD_CHOICES = [("", "Not set"), *Mood.choices]
# How many lines (not blank) the Today page looks through for a title.
TITLE_LINES = 20


class EntryForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label="Entry",
        max_length=BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-markdown-source": ""}),
        help_text="Markdown: **bold**, _italic_, - lists, > quotes, [links](https://…).",
    )
    mood = forms.TypedChoiceField(choices=MOOD_CHOICES, coerce=int, empty_value=None, required=False, widget=MoodPicker)
    tags = forms.CharField(
        required=False,
        max_length=1200,
        help_text="Separate tags with commas, e.g. work, family.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    entry_date = forms.DateField(label="Date", required=False, **iso_date_options())

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError("Write something first.")
        return body

    def clean_tags(self) -> list[str]:
        try:
            return tag_names_normalise(self.cleaned_data.get("tags") or "")
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("tags", error.messages)) from error

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("entry_date") is None:
            data.pop("entry_date", None)
        return data


class EntryEditForm(EntryForm):
    """The editor of a saved entry. It carries the version it opened (`entry_fingerprint`),
    so that saving it cannot silently undo a save made meanwhile on another device."""

    opened_as = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        # Empty from an editor opened before this field existed: saved as before.
        data["opened_as"] = data.pop("opened_as", "") or None
        return data


class QuickEntryForm(EntryForm):
    """The Today page's form: a title is optional (one is made from the first line)."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH, required=False, help_text="Optional.")

    field_order = ["body", "mood", "title", "tags"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["entry_date"]

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        if not data.get("title"):
            # Each line is rendered on its own: 50,000 lines of ">" (or of nothing) took 4 s
            # before any text was found. Blank lines render to nothing, and a title is
            # looked for in the first lines that have something on them.
            lines = islice((line for line in data["body"].splitlines() if line.strip()), TITLE_LINES)
            first_line = next(filter(None, (plain_text(line) for line in lines)), "")
            data["title"] = (first_line[:80] + "…") if len(first_line) > 80 else first_line or "Today"
        return data


def plain_text(markdown_line: str) -> str:
    """One line of Markdown as the text it shows: "## About *gardening*" → "About gardening".

    Rendered and stripped rather than trimmed of marker characters, which left half of the
    inline markup in a title ("about *gardening").
    """
    return " ".join(html.unescape(strip_tags(render_markdown(markdown_line))).split())


class ImportForm(forms.Form):
    file = forms.FileField(label="Journal export (JSON)", help_text="A file made by Export → JSON.")
