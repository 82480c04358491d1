"""What the admin may show of people's journals: metadata, unless JOURNAL_ADMIN_SHOWS_CONTENT.

The journal admins (entries, tags, reflection sessions, messages) hide the text columns and
fields; this module also keeps the text out of reach of the changelist's URL filters.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest


def shows_content() -> bool:
    return bool(getattr(settings, "JOURNAL_ADMIN_SHOWS_CONTENT", False))


class FilterOnlyWhatIsShownMixin(admin.ModelAdmin):
    """A changelist filters only on the fields its admin shows (plus the id).

    Django's admin accepts any lookup on a model's own fields from the URL, declared filter
    or not: `/admin/entries/entry/?body__icontains=divorce` listed the owners and dates of
    every entry containing the word, although no page shows a body. An operator who cannot
    read the text must not be able to search it either; with JOURNAL_ADMIN_SHOWS_CONTENT
    the text fields are shown, and then they may be filtered on too.
    """

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest | None = None) -> bool:
        field = lookup.split(LOOKUP_SEP, 1)[0]
        if field not in {"id", "pk", *self.get_fields(request)}:
            return False
        return super().lookup_allowed(lookup, value, request)
