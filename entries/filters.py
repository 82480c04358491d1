"""The entry list's filters: one FilterSet validates the query string (API and pages) and,
inside the selector, applies the validated values to the queryset.

Selectors cache whole pages, so the validated filters are first reduced to a small,
canonical dict of strings (`EntryFilter.canonical()`): the same question always maps to
the same cache key, whatever order or spelling the query string used.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from entries import rendering, search
from entries.models import MOOD_MAX, MOOD_MIN, TAG_MAX_LENGTH, Entry, Mood

Q_MAX_LENGTH = 200
# The one way dates are written in a form or a query string: what a date picker sends.
ISO_DATE = "%Y-%m-%d"


def iso_date_options() -> dict[str, Any]:
    """A date field's options (forms and filters alike): YYYY-MM-DD only, as the date picker
    sends it; the locale's "%m/%d/%Y" read a typed 03/04/2024 as 4 March, silently."""
    return {
        "input_formats": [ISO_DATE],
        "widget": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        "error_messages": {"invalid": "Enter a date as YYYY-MM-DD."},
    }


FILTER_NAMES = ("q", "tag", "mood", "date_from", "date_to", "updated_since", "cursor")
CURSOR_MAX_LENGTH = 100


def encode_sync_cursor(updated_at: datetime.datetime, entry_id: int) -> str:
    """The position after (updated_at, id) in a sync's order, as an opaque URL-safe string."""
    raw = f"{updated_at.astimezone(datetime.UTC).isoformat()}|{int(entry_id)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_sync_cursor(value: str) -> tuple[datetime.datetime, int]:
    """(updated_at, id) from `encode_sync_cursor`; ValueError for anything it did not make."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        stamp, entry_id = raw.split("|")
        moment = datetime.datetime.fromisoformat(stamp)
        number = int(entry_id)
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValueError("not a cursor") from error
    if moment.tzinfo is None or not -(2**63) <= number < 2**63:
        raise ValueError("not a cursor")
    return moment, number


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class EntryFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
        since = data.get("updated_since")
        if since is not None:
            try:
                since.astimezone(datetime.UTC)
            except OverflowError:
                # "0001-01-01T00:00+14:00" or "9999-12-31T23:00-11:00" parse, but are
                # outside the years a timestamp can have in UTC.
                self.add_error("updated_since", "The time is out of range once converted to UTC.")
        cursor = data.get("cursor")
        if cursor:
            try:
                decode_sync_cursor(cursor)
            except ValueError:
                self.add_error("cursor", "Not a cursor from a `next` link.")
            else:
                if "updated_since" not in data or data.get("updated_since") is None or data.get("q"):
                    self.add_error("cursor", "A cursor pages a sync: it goes with `updated_since` and without `q`.")
        return data


class EntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=Q_MAX_LENGTH)
    tag = django_filters.CharFilter(method="filter_tag", label="Tag", max_length=TAG_MAX_LENGTH)
    mood = IntegerFilter(
        field_name="mood",
        min_value=MOOD_MIN,
        max_value=MOOD_MAX,
        widget=forms.Select(choices=[("", "Any mood"), *Mood.choices]),
    )
    date_from = django_filters.DateFilter(
        field_name="entry_date", lookup_expr="gte", label="From", **iso_date_options()
    )
    date_to = django_filters.DateFilter(field_name="entry_date", lookup_expr="lte", label="To", **iso_date_options())
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    # Where the previous page of a sync ended (the `next` link carries it): see `filter_cursor`.
    cursor = django_filters.CharFilter(method="filter_cursor", max_length=CURSOR_MAX_LENGTH)

    class Meta:
        model = Entry
        fields: list[str] = []
        form = EntryFilterForm

    def get_form_class(self) -> type[forms.Form]:
        # django-filter builds a new form class (and a form field per filter) for every
        # FilterSet; ours never varies per request, so build it once. Forms copy their
        # class's fields per instance, so sharing the class shares no state.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    @staticmethod
    def filter_tag(queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Tag names are unique per user by lower(name) (entries.models.Tag), and that
        # index finds the tag when the query names both: the tag's owner is the entry's
        # (PostgreSQL carries the entry's user id over to it). `iexact` compares upper()
        # of every tag of every user instead: 2.4 ms where this takes 0.5 (bench data).
        return queryset.filter(Exact(Lower("tags__name"), Lower(Value(value))), tags__user_id=F("user_id"))

    @staticmethod
    def filter_cursor(queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The entries after the cursor's position in the sync order, (`updated_at`, `id`).

        A sync pages by position, not by offset: an entry deleted or edited on an earlier
        page (by another device, meanwhile) would otherwise shift an unchanged entry
        from the next page onto the one already read, and the client would never see it.
        """
        updated_at, entry_id = decode_sync_cursor(value)
        return queryset.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=entry_id))

    @staticmethod
    def filter_q(queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return search.apply_search(queryset, value) if value else queryset

    @classmethod
    def apply(cls, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        """`queryset` narrowed by canonical filters (from `canonical()`), already validated.

        The same filters as the FilterSet's, without building it again: a FilterSet copies
        its filters and builds and validates its form, which cost as much as the rest of
        rebuilding a search page around the ranking query. Canonical values are what the
        form cleaned, written as ISO strings, which the lookups take as they are.
        """
        for name, value in filters.items():
            filter_ = cls.base_filters[name]
            if filter_.method:
                queryset = getattr(cls, filter_.method)(queryset, name, value)
            else:
                queryset = queryset.filter(**{f"{filter_.field_name}__{filter_.lookup_expr}": value})
        return queryset

    def canonical(self) -> dict[str, Any]:
        """The validated filters as plain, canonical values (call after `is_valid()`)."""
        data = self.form.cleaned_data
        result: dict[str, Any] = {}
        for name in FILTER_NAMES:
            value = data.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                # NFC, as entries and tags are stored (entries.rendering.clean_text).
                value = " ".join(rendering.clean_line(value).split())
                if name == "q":
                    value = search.websearch_text(value)
                if not value:
                    continue
                if name == "tag":
                    # Not lowered here: the database lowers both sides as the tag's
                    # unique index does, and Python's lower() is not PostgreSQL's
                    # ("ΟΔΟΣ", "İstanbul").
                    value = value.lstrip("#")
            elif isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.UTC).isoformat()
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            result[name] = value
        return result

    def errors_dict(self) -> dict[str, list[str]]:
        return {field: [str(message) for message in messages] for field, messages in self.form.errors.items()}


class EntryPageFilter(EntryFilter):
    """The entry list page's form: only the filters that page offers. Words are looked for on
    the search page, and `updated_since` is for sync clients (the API); a form field the page
    then ignores, or one labelled for a machine, misleads the person filling it in."""

    q = None
    updated_since = None
    cursor = None
