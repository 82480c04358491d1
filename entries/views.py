"""The entry pages (CONTRACT §5). Core flows are plain forms and links; JavaScript only adds
the live preview and the local draft autosave (entries/static/entries/entries.js).

Like the API, every page reads through entries.selectors (cached) and writes through
entries.services; someone else's entry is a 404, exactly like a missing one.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from entries import charts, rendering, selectors, services
from entries.api.views import export_response, import_payload
from entries.filters import EntryFilter, EntryPageFilter
from entries.forms import EntryEditForm, EntryForm, ImportForm, QuickEntryForm
from entries.models import BODY_MAX_LENGTH, Entry, Mood
from entries.search import only_common_words
from journal_project import caching, unsaved
from journal_project.exceptions import InvalidInput, NotFound, error_body
from journal_project.paging import page_number, query_without_page

PAGE_SIZE = 20
# An entry written while the session ended is kept through the login (journal_project/unsaved.py).
keeps_unsaved_entry = unsaved.login_required_keeping_text(
    "title", "body", "mood", "tags", "entry_date", "opened_as", text_fields=("title", "body"), what="entry"
)
SAVED_ELSEWHERE = (
    "This entry was changed on another device (or in another tab) after you opened it, and your "
    "changes are not saved yet. The saved version is shown below the form. Save again to replace "
    "it with what is in the form, or cancel to keep it."
)
INSIGHT_WINDOWS = (30, 90, 365)


def _entry_or_404(user: Any, entry_id: int) -> dict[str, Any]:
    try:
        return selectors.entry_get(user=user, entry_id=entry_id)
    except NotFound:
        raise Http404("No such entry.") from None


def _saved(request: HttpRequest, entry_id: int, draft_key: str, text: str, *, also_clears: str = "") -> HttpResponse:
    # The message's extra tags tell entries.js which local drafts the save made obsolete.
    tags = " ".join(f"clear-draft-{key}" for key in (draft_key, also_clears) if key)
    messages.success(request, text, extra_tags=tags)
    return redirect("entries:detail", pk=entry_id)


def _apply_service_errors(form: EntryForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _paged(request: HttpRequest, filters: dict[str, Any]) -> tuple[dict[str, Any], Page, str]:
    """One page from the selector, a Django Page for the pagination links, and its entry cards."""
    number = page_number(request)
    data = selectors.entry_list(user=request.user, filters=filters, page=number, page_size=PAGE_SIZE)
    if number > 1 and not data["results"]:
        raise Http404("No such page.")
    # A Paginator over a range only computes page numbers: the rows come from the selector.
    page = Paginator(range(data["count"]), PAGE_SIZE).get_page(number)
    return data, page, _entry_cards(request.user.pk, filters, number, data["results"])


def _entry_cards(user_id: int, filters: dict[str, Any], number: int, entries: list[dict[str, Any]]) -> str:
    """The page's entry cards as HTML, rendered once per version of the page.

    Rendering twenty cards (each excerpt stripped out of the entry's whole HTML, links,
    dates) was four fifths of a warm list page's CPU, where the page's data came from the
    cache: 15 ms against 2 ms for the same page from the API. The cards show nothing but
    the selector's entries, so they are kept under the list's own key in ENTRIES, which
    every write that can change them moves (an entry, its tags, a tag renamed).
    """

    def build() -> bytes:
        return render_to_string("entries/_entry_cards.html", {"entries": entries}).encode()

    key_parts = [sorted(filters.items()), number, PAGE_SIZE]
    # Our own template's output, escaped as it was rendered.
    return mark_safe(caching.cached_bytes(caching.ENTRIES, user_id, "cards", key_parts, build).decode())


# --- Today ------------------------------------------------------------------------------


@keeps_unsaved_entry
@require_http_methods(["GET", "POST"])
def today(request: HttpRequest) -> HttpResponse:
    from sessions_app.selectors import prompt_for_today

    form = QuickEntryForm(request.POST or unsaved.take(request))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            return _saved(request, entry.pk, "today", "Saved. Well done for writing today.")
    context = {
        "form": form,
        "prompt": prompt_for_today(request.user),
        "summary": selectors.today_summary(user=request.user),
        "draft_key": "today",
    }
    return render(request, "entries/today.html", context)


# --- List, detail, write ----------------------------------------------------------------


@login_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("q", "").strip():
        # Searching has its own page; a URL asking for words gets them looked for there.
        return redirect(f"{reverse('entries:search')}?{query_without_page(request)}")
    filterset = EntryPageFilter(data=request.GET, queryset=Entry.objects.none())
    filters = filterset.canonical() if filterset.is_valid() else {}
    results, page, cards = _paged(request, filters)
    context = {
        "filter_form": filterset.form,
        "entries": results["results"],
        "cards": cards,
        "count": results["count"],
        "page": page,
        "filtered": bool(filters),
        "filters_in_words": _filters_in_words(filters),
        "query": query_without_page(request),
    }
    return render(request, "entries/entry_list.html", context)


def _long_date(value: str) -> str:
    day = datetime.date.fromisoformat(value)
    return f"{day.day} {day:%B} {day.year}"


def _filters_in_words(filters: dict[str, Any]) -> str:
    """The applied filters as the end of a sentence ("tagged “work”, mood Great, on 17
    November 2026"): the list says what it shows, so the filter form can stay folded."""
    parts = []
    if "tag" in filters:
        parts.append(f"tagged “{filters['tag']}”")
    if "mood" in filters:
        parts.append(f"mood {Mood(filters['mood']).label}")
    start, end = filters.get("date_from"), filters.get("date_to")
    if start and start == end:
        parts.append(f"on {_long_date(start)}")
    elif start and end:
        parts.append(f"from {_long_date(start)} to {_long_date(end)}")
    elif start:
        parts.append(f"since {_long_date(start)}")
    elif end:
        parts.append(f"until {_long_date(end)}")
    return ", ".join(parts)


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "entries/entry_detail.html", {"entry": _entry_or_404(request.user, pk)})


def _write_page(
    request: HttpRequest,
    form: EntryForm,
    *,
    entry: dict | None,
    draft_key: str,
    from_today: bool = False,
    saved_elsewhere: dict | None = None,
) -> HttpResponse:
    preview_html = None
    if request.method == "POST" and "preview" in request.POST:
        preview_html = rendering.render_markdown(rendering.clean_text(request.POST.get("body", "")))
    context = {
        "form": form,
        "entry": entry,
        "preview_html": preview_html,
        "draft_key": draft_key,
        "from_today": from_today,
        "saved_elsewhere": saved_elsewhere,
    }
    return render(request, "entries/entry_form.html", context)


@keeps_unsaved_entry
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    # Opened with Today's "Full editor" button, the editor carries that page's flag along, so
    # that saving here also retires the draft kept for Today.
    from_today = request.POST.get("from_today") == "1"
    if request.method == "POST" and "full_editor" in request.POST:
        # Today's form, sent here by that button: what was typed there opens in the editor,
        # not saved yet and without "required" errors for what Today leaves optional.
        initial = {name: request.POST.get(name, "") for name in ("title", "body", "mood", "tags")}
        form = EntryForm(initial={**initial, "entry_date": services.local_today(request.user)})
        return _write_page(request, form, entry=None, draft_key="new", from_today=True)
    if request.method == "POST":
        form = EntryForm(request.POST)
        if "preview" not in request.POST and form.is_valid():
            try:
                entry = services.entry_create(user=request.user, **form.service_kwargs())
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                return _saved(request, entry.pk, "new", "Entry saved.", also_clears="today" if from_today else "")
    elif kept := unsaved.take(request):
        form = EntryForm(kept)
    else:
        form = EntryForm(initial={"entry_date": services.local_today(request.user)})
    return _write_page(request, form, entry=None, draft_key="new", from_today=from_today)


@keeps_unsaved_entry
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    current = _entry_or_404(request.user, pk)
    draft_key = f"entry-{pk}"
    saved_elsewhere = None
    if request.method == "POST":
        form = EntryEditForm(request.POST)
        if "preview" not in request.POST and form.is_valid():
            try:
                entry = selectors.entry_for_write(user=request.user, entry_id=pk)
                services.entry_update(entry=entry, **form.service_kwargs())
            except NotFound:
                raise Http404("No such entry.") from None
            except services.EntryChanged:
                # Nothing was written. The form keeps the person's text and now carries the
                # version saved meanwhile: saving it again replaces that version, knowingly.
                current = saved_elsewhere = _entry_or_404(request.user, pk)
                form = EntryEditForm({**request.POST.dict(), "opened_as": _fingerprint(current)})
                form.is_valid()
                form.add_error(None, SAVED_ELSEWHERE)
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                return _saved(request, pk, draft_key, "Changes saved.")
    elif kept := unsaved.take(request):
        form = EntryEditForm(kept)
    else:
        form = EntryEditForm(
            initial={
                "title": current["title"],
                "body": current["body"],
                "mood": current["mood"],
                "tags": ", ".join(current["tags"]),
                "entry_date": current["entry_date"],
                "opened_as": _fingerprint(current),
            }
        )
    return _write_page(request, form, entry=current, draft_key=draft_key, saved_elsewhere=saved_elsewhere)


def _fingerprint(entry: dict[str, Any]) -> str:
    return services.entry_fingerprint(
        title=entry["title"], body=entry["body"], mood=entry["mood"], tags=entry["tags"], entry_date=entry["entry_date"]
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    current = _entry_or_404(request.user, pk)
    if request.method == "POST":
        try:
            services.entry_delete(entry=selectors.entry_for_write(user=request.user, entry_id=pk))
        except NotFound:
            raise Http404("No such entry.") from None
        messages.success(request, "Entry deleted.", extra_tags=f"clear-draft-entry-{pk}")
        return redirect("entries:list")
    return render(request, "entries/entry_confirm_delete.html", {"entry": current})


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Live preview for entries.js: the same sanitized rendering the saved entry gets.

    Answered in JSON, signed out included: a script asks, and a redirect to the login
    page is nothing it can use (the page keeps its last preview; saving keeps the text).
    """
    if not request.user.is_authenticated:
        return JsonResponse(error_body("not_authenticated", "Sign in again to see the preview."), status=401)
    body = request.POST.get("body", "")
    if len(body) > BODY_MAX_LENGTH:
        return JsonResponse(error_body("invalid", f"Keep an entry under {BODY_MAX_LENGTH:,} characters."), status=400)
    return JsonResponse({"html": rendering.render_markdown(rendering.clean_text(body))})


# --- Search, calendar, insights ---------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filterset = EntryFilter(data=request.GET, queryset=Entry.objects.none())
    valid = filterset.is_valid()
    filters = filterset.canonical() if valid else {}
    form = filterset.form
    # Errors in words, not parameter names ("q: Ensure..."): the box's own without a prefix.
    errors = [
        error if name == "q" else f"{form.fields[name].label if name in form.fields else name}: {error}"
        for name, field_errors in form.errors.items()
        for error in field_errors
    ]
    # What was typed stays in the box, also when it was refused.
    q = filters.get("q", "") if valid else request.GET.get("q", "")
    context: dict[str, Any] = {"filter_errors": errors, "q": q, "searched": "q" in filters}
    if "q" in filters:
        results, page, cards = _paged(request, filters)
        context.update(entries=results["results"], cards=cards, count=results["count"], page=page)
        # Only when nothing was found, so an ordinary search pays no extra query.
        context["common_words_only"] = not results["count"] and only_common_words(q)
    context["query"] = query_without_page(request)
    return render(request, "entries/search.html", context)


def _month_arg(value: str | None, fallback: datetime.date) -> datetime.date:
    """The first day of ?month=YYYY-MM: `fallback`'s month when the value is not a month, the
    first or last month a date can have when the year lies beyond them (a hand-edited URL)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
    except ValueError:
        return fallback.replace(day=1)
    if not 1 <= month <= 12:
        return fallback.replace(day=1)
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date(datetime.MAXYEAR, 12, 1)
    return datetime.date(year, month, 1)


def _month_param(first: datetime.date) -> str:
    # Not strftime("%Y"): the C library writes year 1 as "1", not "0001".
    return f"{first.year:04d}-{first.month:02d}"


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    today_local = services.local_today(request.user)
    first = _month_arg(request.GET.get("month"), today_local)
    data = selectors.calendar_month(user=request.user, year=first.year, month=first.month)
    weeks = []
    # Day numbers (0 outside the month) rather than dates: the weeks around 0001-01 and
    # 9999-12 run into days a date cannot hold, and those cells show nothing anyway.
    for week in calendar_module.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month):
        days: list[dict[str, Any]] = []
        for number in week:
            if not number:
                days.append({"in_month": False})
                continue
            day = first.replace(day=number)
            info = data["days"].get(day.isoformat())
            days.append({"date": day, "in_month": True, "is_today": day == today_local, "info": info})
        weeks.append(days)
    # No link to a month before 0001-01 or after 9999-12: there is none to show.
    previous_month = (first - datetime.timedelta(days=1)).replace(day=1) if first > datetime.date.min else None
    last_day = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    next_month = last_day + datetime.timedelta(days=1) if last_day < datetime.date.max else None
    context = {
        "month": first,
        "weeks": weeks,
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "previous_month": _month_param(previous_month) if previous_month else None,
        "next_month": _month_param(next_month) if next_month else None,
        "entry_total": sum(day["count"] for day in data["days"].values()),
    }
    return render(request, "entries/calendar.html", context)


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in INSIGHT_WINDOWS:
        days = 30
    stats = selectors.entry_stats(user=request.user, days=days)
    context = {
        "stats": stats,
        "days": days,
        "windows": INSIGHT_WINDOWS,
        "chart": charts.trend_chart(stats["mood_trend"], today=stats["today"], days=days),
    }
    return render(request, "entries/insights.html", context)


# --- Export and import ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.entries_import(user=request.user, data=import_payload(request))
        except ValidationError as error:
            problems = [
                _import_problem(field, message) for field, msgs in error.message_dict.items() for message in msgs
            ]
            form.add_error("file", ["Nothing was imported.", *problems[:10]])
        else:
            messages.success(request, _import_note(result))
            return redirect(reverse("entries:export"))
    return render(request, "entries/export.html", {"form": form})


_IMPORT_PLACE = re.compile(r"(entries|sessions|messages)\[(\d+)\]")
_IMPORT_PLACE_NAMES = {"entries": "Entry", "sessions": "Session", "messages": "message"}


def _import_problem(field: str, message: str) -> str:
    """An import error in words: the API's `entries[3].mood` is "Entry 4, mood" on the page
    (counted from 1), and a problem with the whole file is the message alone."""
    if "[" not in field:
        return message
    place = _IMPORT_PLACE.sub(lambda match: f"{_IMPORT_PLACE_NAMES[match[1]]} {int(match[2]) + 1}", field)
    return f"{place.replace('.', ', ')}: {message}"


def _counted(entries: int, sessions: int, *, new: str = "") -> str:
    """Counts in words, e.g. "1,234 new entries and 1 reflection session": thousands grouped as
    on every count of the pages, and no "0 entries and" before sessions alone."""
    parts = []
    if entries or not sessions:
        parts.append(f"{entries:,} {new}entr{'y' if entries == 1 else 'ies'}")
    if sessions:
        parts.append(f"{sessions:,} reflection session{'' if sessions == 1 else 's'}")
    return " and ".join(parts)


def _import_note(result: services.ImportResult) -> str:
    skipped = _counted(result.skipped_entries, result.skipped_sessions)
    if result.skipped_entries or result.skipped_sessions:
        if not (result.entries or result.sessions):
            # "Imported 0 new entries." read as if the file had been empty, or had failed.
            return f"Nothing new to import: everything in this file is already in your journal ({skipped})."
        return f"Imported {_counted(result.entries, result.sessions, new='new ')}. Already in your journal: {skipped}."
    return f"Imported {_counted(result.entries, result.sessions, new='new ')}."


@login_required
@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    try:
        return export_response(request.user, request.GET.get("format", "json"))
    except InvalidInput:
        # A hand-edited or old link: the export page itself, saying what it offers (this was
        # a bare line of text, with no way back into the app).
        messages.error(request, "There is no export in that format: choose JSON or Markdown below.")
        return render(request, "entries/export.html", {"form": ImportForm()}, status=400)
