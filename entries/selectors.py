"""Reads for journal entries, cached per user through journal_project.caching.

Every selector is scoped to one user from its first line and returns plain data
(dicts, lists, str, int, float, bool, None; dates as ISO strings) so the value can be
stored in the cache and handed to a serializer or a template alike. Anything that
depends on "today" (streaks, on this day, the trend window) has the user's local date
in its key, so a cached answer never outlives its day.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, F, Func, IntegerField, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import Lower

from entries import search
from entries.filters import EntryFilter, encode_sync_cursor
from entries.models import Entry, EntryTombstone, Tag
from entries.portability import iso
from entries.services import local_today
from journal_project import caching
from journal_project.exceptions import NotFound
from journal_project.precompiled import PrecompiledRows

TOP_TAGS = 10
ON_THIS_DAY_LIMIT = 10
MAX_STATS_DAYS = 366

# --- Queries compiled once per process (journal_project.precompiled) ----------------------
# The reads that every write makes the next request run again: a list page's count and
# versions, an entry's version, the stats, a search. Each sentinel stands for one value
# (which the SQL may use in several places).
_COUNT_ROWS = Func(F("pk"), function="COUNT", output_field=IntegerField())
_USER, _ENTRY = -900_000_001, -900_000_002
_QUERY = "\x00search-query-sentinel\x00"
_ENTRY_IDS = [-900_000_003, -900_000_004]
_BIGINT = 2**63

_ENTRY_VERSION = PrecompiledRows(
    lambda user_id, entry_id: (
        Entry.objects.filter(user_id=user_id, pk=entry_id).order_by().values_list("updated_at")[:1]
    ),
    _USER,
    _ENTRY,
)
_ENTRY_COUNT = PrecompiledRows(
    # COUNT written as a plain function: Django would GROUP BY an aggregate selected with
    # values_list(), which PostgreSQL plans as a grouping (0.30 ms here, against 0.17).
    lambda user_id: Entry.objects.filter(user_id=user_id).order_by().values_list(_COUNT_ROWS),
    _USER,
)
_PAGE_VERSIONS = PrecompiledRows(
    lambda user_id, offset, limit: Entry.objects.filter(user_id=user_id).values_list("pk", "updated_at")[
        offset : offset + limit
    ],
    _USER,
)
_STATS_BY_DAY = PrecompiledRows(
    # One row per day with entries (at most a few hundred a year) gives the totals, the
    # streaks and the trend: one query where three each read the same rows.
    lambda user_id: (
        Entry.objects.filter(user_id=user_id)
        .order_by()
        .values_list("entry_date")
        .annotate(Count("id"), Sum("word_count"), Avg("mood"), Avg("sentiment"))
        .order_by("entry_date")
    ),
    _USER,
)
_STATS_TOP_TAGS = PrecompiledRows(
    lambda user_id: (
        Tag.objects.filter(user_id=user_id)
        .annotate(count=Count("entries"))
        .filter(count__gt=0)
        .order_by("-count", Lower("name"))
        .values_list("name", "count")[:TOP_TAGS]
    ),
    _USER,
)


def _ranked(queryset: QuerySet[Entry]) -> QuerySet[Any]:
    """A search's `(pk, updated_at, total)` rows, best first.

    Ranking reads every match before it can cut a page, so the total comes with each
    row (a window count) instead of matching everything twice.
    """
    return queryset.annotate(_total=Window(Count("pk"))).values_list("pk", "updated_at", "_total")


# A search's page and its headlines (PostgreSQL only: the embedded default's search writes
# other SQL for other terms). The ORM took 0.6 and 0.8 ms of CPU to build and compile
# them for every search that missed the cache (docs/performance.md).
_SEARCH_PAGE = PrecompiledRows(
    lambda user_id, q, *, offset, limit: _ranked(EntryFilter.apply(_entry_rows(user_id), {"q": q}))[
        offset : offset + limit
    ],
    _USER,
    _QUERY,
)
_SEARCH_HEADLINES = PrecompiledRows(
    lambda user_id, entry_ids, q: search.headline_rows(_entry_rows(user_id), entry_ids, q),
    _USER,
    _ENTRY_IDS,
    _QUERY,
)


def _entries(user_id: int) -> QuerySet[Entry]:
    # search_vector is large and only PostgreSQL reads it; tags come in one extra query.
    return (
        Entry.objects.filter(user_id=user_id)
        .defer("search_vector", "tags_text")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )


def _entry_rows(user_id: int) -> QuerySet[Entry]:
    """Like `_entries()` without the prefetch: pages and details attach tag names with `_with_tag_names`."""
    return Entry.objects.filter(user_id=user_id).defer("search_vector", "tags_text")


def _with_tag_names(entries: list[Entry]) -> list[Entry]:
    """Give each entry its tag names, in one query for all of them.

    The same query `prefetch_related("tags")` runs, without its machinery: building a
    Tag instance per link and a related manager per entry took a quarter of the CPU of
    a page of the list built from the database (docs/performance.md).
    """
    names: dict[int, list[str]] = {entry.pk: [] for entry in entries}
    if names:
        links = Entry.tags.through.objects.filter(entry_id__in=list(names)).values_list("entry_id", "tag__name")
        for entry_id, name in links:
            names[entry_id].append(name)
    for entry in entries:
        entry.tag_names = names[entry.pk]  # type: ignore[attr-defined]
    return entries


def _tag_names(entry: Entry) -> list[str]:
    attached = getattr(entry, "tag_names", None)
    names = attached if attached is not None else [tag.name for tag in entry.tags.all()]
    # Sorted here, not by the database: collations differ in how they order "T" and "f".
    return sorted(names, key=str.casefold)


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "uid": str(entry.uid),
        "title": entry.title,
        "body": entry.body,
        "body_html": entry.body_html,
        "mood": entry.mood,
        "sentiment": entry.sentiment,
        "tags": _tag_names(entry),
        "entry_date": iso(entry.entry_date),
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
        "word_count": entry.word_count,
    }


# --- Entries ----------------------------------------------------------------------------


def entry_dicts(
    user_id: int, versions: list[tuple[int, datetime.datetime]], *, observe: bool = False
) -> list[dict[str, Any] | None]:
    """The representations of entries given as (id, updated_at), from ENTRY_VERSIONS.

    Keyed by each entry's own version, so a write to one entry leaves the others' values
    in place. Missing ones are built in one query for all of them; None for an entry
    that no longer exists. An entry changed after its version was read comes back in its
    newer state, as any read racing a write may.
    """

    def build_many(missing: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict[str, Any]]:
        by_id = {entry_id: (entry_id, version) for entry_id, version in missing}
        rows = _with_tag_names(list(_entry_rows(user_id).filter(pk__in=list(by_id))))
        return {by_id[entry.pk]: entry_to_dict(entry) for entry in rows}

    parts = [(int(entry_id), iso(version)) for entry_id, version in versions]
    return caching.cached_many(caching.ENTRY_VERSIONS, user_id, "entry", parts, build_many, observe=observe)


def _headlines(user_id: int, q: str, versions: list[tuple[int, datetime.datetime]]) -> dict[int, tuple[str, str]]:
    """Each found entry's headlines for `q`, kept per entry version and query (ENTRY_VERSIONS).

    A write moves the whole search result (ENTRIES), but most of the entries found are
    unchanged: their headlines, the dearest part of a search, are not made again.
    """

    def build_many(missing: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[str]]:
        by_id = {entry_id: (entry_id, version, q) for entry_id, version, _ in missing}
        if search.uses_postgres():
            made = search.marked(_SEARCH_HEADLINES.rows(user_id, list(by_id), q))
        else:
            made = search.fallback_headlines(_entry_rows(user_id), list(by_id), q)
        return {by_id[entry_id]: list(marks) for entry_id, marks in made.items()}

    parts = [(int(entry_id), iso(version), q) for entry_id, version in versions]
    values = caching.cached_many(caching.ENTRY_VERSIONS, user_id, "headline", parts, build_many)
    return {part[0]: tuple(value) for part, value in zip(parts, values, strict=True) if value is not None}


def entry_get(*, user: Any, entry_id: int) -> dict[str, Any]:
    """One of the user's entries; NotFound for a missing id and for anyone else's alike.

    One indexed query reads the entry's version (it also proves ownership); the
    representation of that version is stored, and survives every other entry's writes.
    The API answers repeated reads from its response cache without even this query.
    """
    found = _ENTRY_VERSION.rows(user.pk, int(entry_id)) if -_BIGINT <= int(entry_id) < _BIGINT else []
    version = found[0][0] if found else None
    value = entry_dicts(user.pk, [(int(entry_id), version)], observe=True)[0] if version is not None else None
    if value is None:
        raise NotFound()
    return value


def entry_written(*, user: Any, entry: Entry) -> dict[str, Any]:
    """The representation of an entry that a service has just written and committed.

    The service's instance holds every column it wrote (`holds_stored_state`), so the
    value is built from it instead of read back (a version query, a missed lookup, the
    row and its tags) and stored under its version for the reads that follow. When the
    write left the sentiment to the task (a long text), the row moves on after the
    commit: it is read like any other entry.
    """
    if entry.user_id != user.pk:
        raise NotFound()
    if not getattr(entry, "holds_stored_state", False):
        return entry_get(user=user, entry_id=entry.pk)
    if getattr(entry, "tag_names", None) is None:
        _with_tag_names([entry])
    value = entry_to_dict(entry)
    caching.write_through(caching.ENTRY_VERSIONS, user.pk, "entry", [entry.pk, iso(entry.updated_at)], value)
    return value


def entry_for_write(*, user: Any, entry_id: int) -> Entry:
    """The entry row itself (never cached), for a service to change or delete.

    Without its texts: the services lock the row and read what they change themselves.
    """
    entry = Entry.objects.filter(user_id=user.pk, pk=entry_id).defer("search_vector", "body", "body_html").first()
    if entry is None:
        raise NotFound()
    return entry


def entry_list(*, user: Any, filters: dict[str, Any], page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """One page of entries matching `filters` (canonical, see EntryFilter.canonical()).

    Newest first; with `q`, best match first and each result has `headline` and
    `title_headline` (safe HTML with <mark>). With `updated_since` (and no `q`), a sync:
    oldest `updated_at` first, `deleted` lists the entries deleted since then (their
    tombstones) and, when more follow, `next_cursor` is where the next page starts.
    """
    key_parts = [sorted(filters.items()), int(page), int(page_size)]
    without_cursor = {name: value for name, value in filters.items() if name != "cursor"}

    def build() -> dict[str, Any]:
        # No filters (most reads): the rows in their default order, without building a FilterSet.
        queryset = EntryFilter.apply(_entry_rows(user.pk), without_cursor)
        offset = (page - 1) * page_size
        next_cursor: str | None = None
        # The page is its entries' ids and versions (a narrow, indexed query), and each
        # entry's representation comes from ENTRY_VERSIONS: a new entry or an edit
        # rebuilds one entry, not the whole page.
        if filters.get("q"):
            if filters.keys() == {"q"} and search.uses_postgres():
                # The usual search, the query text alone: compiled once.
                rows = _SEARCH_PAGE.rows(user.pk, filters["q"], offset=offset, limit=page_size)
            else:
                rows = list(_ranked(queryset)[offset : offset + page_size])
            count = rows[0][2] if rows else (queryset.count() if offset else 0)
            versions = [(entry_id, version) for entry_id, version, _ in rows]
        elif "updated_since" in filters:
            # A sync: oldest change first, paged by position (the cursor), so that what
            # other devices write meanwhile can neither shift an entry past the client
            # (an offset would) nor end before the client reaches it (an entry changed
            # during the sync moves behind the cursor and comes on a later page).
            everything = queryset.order_by("updated_at", "pk")
            count = everything.count()
            after = everything
            if "cursor" in filters:
                after = EntryFilter.filter_cursor(everything, "cursor", filters["cursor"])
            rows = list(after.values_list("pk", "updated_at")[offset : offset + page_size + 1])
            versions = rows[:page_size]
            if len(rows) > page_size:
                next_cursor = encode_sync_cursor(versions[-1][1], versions[-1][0])
        elif filters:
            count = queryset.count()
            versions = (
                [] if offset >= count else list(queryset.values_list("pk", "updated_at")[offset : offset + page_size])
            )
        else:
            count = _ENTRY_COUNT.rows(user.pk)[0][0]
            versions = [] if offset >= count else _PAGE_VERSIONS.rows(user.pk, offset=offset, limit=page_size)
        if not versions:
            results: list[dict[str, Any]] = []
        else:
            results = [item for item in entry_dicts(user.pk, versions) if item is not None]
            if filters.get("q"):
                marks = _headlines(user.pk, filters["q"], versions)
                for item in results:
                    item["headline"], item["title_headline"] = marks.get(item["id"]) or ("", "")
        value: dict[str, Any] = {"count": count, "results": results}
        if "updated_since" in filters:
            value["deleted"] = _tombstones_since(user.pk, filters["updated_since"])
            if not filters.get("q"):
                value["next_cursor"] = next_cursor
        return value

    return caching.cached(caching.ENTRIES, user.pk, "list", key_parts, build)


def _tombstones_since(user_id: int, since: str) -> list[dict[str, Any]]:
    rows = EntryTombstone.objects.filter(
        user_id=user_id, deleted_at__gte=datetime.datetime.fromisoformat(since)
    ).values_list("entry_id", "uid", "deleted_at")
    return [{"id": entry_id, "uid": str(uid), "deleted_at": iso(deleted_at)} for entry_id, uid, deleted_at in rows]


def entries_export(*, user: Any) -> list[dict[str, Any]]:
    """Every entry of the user in the export format, oldest first (not cached: a download)."""
    queryset = _entries(user.pk).order_by("entry_date", "created_at", "id")
    return [
        {
            "uid": str(entry.uid),
            "title": entry.title,
            "body": entry.body,
            "mood": entry.mood,
            "sentiment": entry.sentiment,
            "tags": _tag_names(entry),
            "entry_date": iso(entry.entry_date),
            "created_at": iso(entry.created_at),
            "updated_at": iso(entry.updated_at),
        }
        for entry in queryset.iterator(chunk_size=500)
    ]


# --- Tags -------------------------------------------------------------------------------


def tag_list(*, user: Any) -> list[dict[str, Any]]:
    """The user's tags with how many entries carry each, by name."""

    def build() -> list[dict[str, Any]]:
        rows = (
            Tag.objects.filter(user_id=user.pk)
            .annotate(count=Count("entries"))
            .filter(count__gt=0)
            .values_list("name", "count")
        )
        return [{"name": name, "count": count} for name, count in sorted(rows, key=lambda row: row[0].casefold())]

    return caching.cached(caching.ENTRIES, user.pk, "tags", [], build)


# --- Insights ---------------------------------------------------------------------------


def streaks(dates: Iterable[datetime.date], today: datetime.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days with at least one entry.

    Works on calendar dates, never on timestamps, so a DST change (a 23- or 25-hour
    day) cannot break or stretch a run. The current streak is still alive when the
    last entry was yesterday: today is not over yet.
    """
    days = sorted({day for day in dates if day <= today})
    longest = run = 0
    previous: datetime.date | None = None
    for day in days:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    current = 0
    if days and (today - days[-1]).days <= 1:
        current = run
    return current, longest


def _on_this_day(user_id: int, today: datetime.date, dates: Iterable[datetime.date]) -> list[dict[str, Any]]:
    """Entries of this day in earlier years, newest first; `dates` are the days with entries.

    The callers have read those days already (for the streaks), so the earlier years' same
    days are known, and the entries come through the date index. Matching the day and
    month with EXTRACT instead read every entry of the journal: a sequential scan, 40 ms
    at 20,000 entries, after every write (docs/performance.md, Pages).
    """
    leap = today.month == 2 and today.day == 28 and not calendar.isleap(today.year)
    wanted = {(today.month, today.day), (2, 29)} if leap else {(today.month, today.day)}
    same_days = sorted({day for day in dates if day.year < today.year and (day.month, day.day) in wanted})
    if not same_days:
        return []
    rows = (
        Entry.objects.filter(user_id=user_id, entry_date__in=same_days)
        .order_by("-entry_date", "-created_at")
        .values_list("id", "title", "entry_date", "mood")[:ON_THIS_DAY_LIMIT]
    )
    return [
        {"id": pk, "title": title, "entry_date": iso(day), "mood": mood, "years_ago": today.year - day.year}
        for pk, title, day, mood in rows
    ]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def entry_stats(*, user: Any, days: int = 30, today: datetime.date | None = None) -> dict[str, Any]:
    """Totals, streaks, the mood/sentiment trend over `days` days, top tags and on this day.

    `mood_trend` has one item per day that has entries, oldest first.
    """
    today = today or local_today(user)
    days = max(1, min(int(days), MAX_STATS_DAYS))

    def build() -> dict[str, Any]:
        by_day = _STATS_BY_DAY.rows(user.pk)
        current, longest = streaks([day for day, *_ in by_day], today)
        start = today - datetime.timedelta(days=days - 1)
        top = _STATS_TOP_TAGS.rows(user.pk)
        return {
            "entries_count": sum(count for _, count, *_ in by_day),
            "words_total": sum(words or 0 for _, _, words, *_ in by_day),
            "current_streak": current,
            "longest_streak": longest,
            "days": days,
            "today": iso(today),
            "mood_trend": [
                {
                    "date": iso(day),
                    "avg_mood": _round(avg_mood, 2),
                    "avg_sentiment": _round(avg_sentiment, 3),
                    "count": count,
                }
                for day, count, _, avg_mood, avg_sentiment in by_day
                if start <= day <= today
            ],
            "top_tags": [{"name": name, "count": count} for name, count in top],
            "on_this_day": _on_this_day(user.pk, today, [day for day, *_ in by_day]),
        }

    return caching.cached(caching.ENTRIES, user.pk, "stats", [days, iso(today)], build)


def today_summary(*, user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """What the Today page shows besides the prompt: streaks, today's entries, on this day."""
    today = today or local_today(user)

    def build() -> dict[str, Any]:
        dates = list(Entry.objects.filter(user_id=user.pk).order_by().values_list("entry_date", flat=True).distinct())
        current, longest = streaks(dates, today)
        todays = Entry.objects.filter(user_id=user.pk, entry_date=today).order_by("-created_at").values("id", "title")
        return {
            "today": iso(today),
            "current_streak": current,
            "longest_streak": longest,
            "today_entries": list(todays),
            "on_this_day": _on_this_day(user.pk, today, dates),
        }

    return caching.cached(caching.ENTRIES, user.pk, "today", [iso(today)], build)


def calendar_month(*, user: Any, year: int, month: int) -> dict[str, Any]:
    """The user's entries of one month, by day: `{"days": {"YYYY-MM-DD": {"count", "avg_mood", "entries"}}}`."""

    def build() -> dict[str, Any]:
        first = datetime.date(year, month, 1)
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        rows = (
            Entry.objects.filter(user_id=user.pk, entry_date__gte=first, entry_date__lte=last)
            .order_by("entry_date", "created_at")
            .values("id", "title", "entry_date", "mood")
        )
        days: dict[str, dict[str, Any]] = {}
        for row in rows:
            day = days.setdefault(iso(row["entry_date"]), {"count": 0, "moods": [], "entries": []})
            day["count"] += 1
            if row["mood"] is not None:
                day["moods"].append(row["mood"])
            day["entries"].append({"id": row["id"], "title": row["title"]})
        for day in days.values():
            moods = day.pop("moods")
            day["avg_mood"] = round(sum(moods) / len(moods), 1) if moods else None
        return {"year": year, "month": month, "days": days}

    return caching.cached(caching.ENTRIES, user.pk, "calendar", [year, month], build)
