"""EntryFilter: the selector applies validated, canonical filters without a second FilterSet."""

from __future__ import annotations

import pytest

from entries.filters import EntryFilter
from entries.models import Entry

QUERY_STRINGS = [
    {"q": "  Quiet   morning "},
    {"tag": "#Work"},
    {"mood": "4"},
    {"date_from": "2024-01-01", "date_to": "2024-03-31"},
    {"updated_since": "2024-05-01T10:00:00+02:00"},
    {
        "q": "run -rain",
        "tag": "health",
        "mood": "2",
        "date_from": "2024-01-01",
        "updated_since": "2024-05-01T08:00:00Z",
    },
]


@pytest.mark.django_db
@pytest.mark.parametrize("query_string", QUERY_STRINGS)
def test_apply_filters_exactly_as_the_filterset_does(query_string):
    validated = EntryFilter(data=query_string, queryset=Entry.objects.none())
    assert validated.is_valid()
    canonical = validated.canonical()
    base = Entry.objects.filter(user_id=1)

    applied = EntryFilter.apply(base, canonical)

    # The FilterSet's own result for the same canonical values, as the selector used to build it.
    expected = EntryFilter(data=canonical, queryset=base).qs
    assert str(applied.query) == str(expected.query)
    assert list(applied) == list(expected)


def test_apply_without_filters_is_the_queryset_itself():
    base = Entry.objects.filter(user_id=1)
    assert EntryFilter.apply(base, {}) is base
