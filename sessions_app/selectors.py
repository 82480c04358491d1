"""Reads for reflection sessions, the knowledge base and today's prompt; all through the cache.

* Per-user reads (`SESSIONS` namespace) are scoped to the user from the first line: the
  cache key carries the user's id and the query filters by it, so another user's
  session id simply finds nothing (404).
* The knowledge base is global (`KNOWLEDGE` namespace). Every lookup goes through
  `caching.cached()`, so a hit costs one Redis GET or, more often, a process-local L1
  hit; an editor's change bumps the generation and both levels miss at once.
* The active session's state (messages, themes, techniques used) is written through by
  the services after each commit (`session_write_through`), so the read after a new
  message is a hit and never stale.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import threading
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from entries.search import CONFIG as SEARCH_CONFIG
from entries.search import websearch_text
from journal_project import caching
from journal_project.exceptions import NotFound
from journal_project.timestamps import iso_timestamp
from monitoring.metrics import timed
from sessions_app.companion.compose import short_citation
from sessions_app.companion.knowledge import KnowledgeBase
from sessions_app.companion.retrieval import Context
from sessions_app.companion.themes import THEME_QUERIES, related_query
from sessions_app.models import Message, ReflectionSession, Technique

SESSION_LABEL = "session"
SESSION_LIST_LABEL = "sessions"
# Live session state outlives no session for long: an idle one is abandoned after
# SESSION_IDLE_MINUTES, and its keys (unreachable after the bump) expire soon after.
SESSION_STATE_TTL = 2 * 3600

# --- Shapes -----------------------------------------------------------------------------


def _technique_ref(technique: Technique | None) -> dict[str, str] | None:
    if technique is None:
        return None
    return {"slug": technique.slug, "name": technique.name, "category": technique.category}


# The columns `_message_shape` takes, in order: a session's messages are read as plain
# rows (building a model instance per message took half the time of a session's state).
_MESSAGE_COLUMNS = (
    "id",
    "role",
    "content",
    "created_at",
    "technique__slug",
    "technique__name",
    "safety_flag",
    "provider",
    "latency_ms",
    "sentiment",
    "analysis",
    "reply_to_id",
)


def _message_shape(
    pk: int,
    role: str,
    content: str,
    created_at: datetime.datetime,
    technique_slug: str | None,
    technique_name: str | None,
    safety: bool,
    provider: str,
    latency_ms: int | None,
    sentiment: float | None,
    analysis: dict[str, Any] | None,
    reply_to: int | None,
) -> dict[str, Any]:
    return {
        "id": pk,
        "role": role,
        "content": content,
        "created_at": iso_timestamp(created_at),
        "technique": technique_slug,
        "technique_name": technique_name,
        "safety": safety,
        "provider": provider,
        "latency_ms": latency_ms,
        "sentiment": sentiment,
        "analysis": analysis or {},
        "reply_to": reply_to,
    }


def message_dict(message: Message) -> dict[str, Any]:
    technique = message.technique if message.technique_id else None
    return _message_shape(
        message.pk,
        message.role,
        message.content,
        message.created_at,
        technique.slug if technique else None,
        technique.name if technique else None,
        message.safety_flag,
        message.provider,
        message.latency_ms,
        message.sentiment,
        message.analysis,
        message.reply_to_id,
    )


def _session_base(session: ReflectionSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "title": session.title,
        "status": session.status,
        "technique": _technique_ref(session.technique),
        "started_at": iso_timestamp(session.started_at),
        "last_activity_at": iso_timestamp(session.last_activity_at),
        "ended_at": iso_timestamp(session.ended_at),
        "summary": session.summary or None,
        "entry_id": session.entry_id,
    }


def session_state(messages: list[dict[str, Any]], status: str) -> dict[str, Any]:
    """Derived live state: themes so far, techniques drawn on, and whether a reply is pending."""
    themes: Counter[str] = Counter()
    techniques: dict[str, str] = {}
    # A reply is owed to every person's message no reply points at, not just the last
    # one: with a worker, two quick messages are answered one at a time, and the first
    # reply landing must not end the wait for the second. A flagged message always has
    # its safety reply already, so it never waits.
    unanswered: set[int] = set()
    answered: set[int] = set()
    for message in messages:
        if message["role"] == Message.Role.USER:
            themes.update(message["analysis"].get("themes", []))
            if not message["safety"]:
                unanswered.add(message["id"])
        else:
            if message["reply_to"] is not None:
                answered.add(message["reply_to"])
            if message["technique"]:
                techniques.setdefault(message["technique"], message["technique_name"])
    awaiting = status == ReflectionSession.Status.ACTIVE and not unanswered <= answered
    return {
        "themes": [theme for theme, _ in themes.most_common(5)],
        "techniques_used": [{"slug": slug, "name": name} for slug, name in techniques.items()],
        "awaiting_reply": awaiting,
        "message_count": len(messages),
    }


# --- Sessions ---------------------------------------------------------------------------


def _build_session(user_id: int, session_id: int) -> dict[str, Any] | None:
    session = ReflectionSession.objects.select_related("technique").filter(user_id=user_id, pk=session_id).first()
    if session is None:
        return None
    rows = session.messages.order_by("created_at", "id").values_list(*_MESSAGE_COLUMNS)
    messages = [_message_shape(*row) for row in rows]
    return {**_session_base(session), **session_state(messages, session.status), "messages": messages}


def session_detail_for(*, user_id: int, session_id: int) -> dict[str, Any]:
    value = caching.cached(
        caching.SESSIONS,
        user_id,
        SESSION_LABEL,
        [int(session_id)],
        lambda: _build_session(user_id, int(session_id)),
        ttl=SESSION_STATE_TTL,
    )
    if value is None:
        raise NotFound("Session not found.")
    return value


@timed("session_retrieval")
def session_detail(*, user: Any, session_id: int) -> dict[str, Any]:
    """One of the user's sessions with its messages and live state; another user's → NotFound."""
    return session_detail_for(user_id=user.pk, session_id=session_id)


def session_write_through(*, user_id: int, session_id: int) -> None:
    """Store a session's state right after a commit, so the next read is a hit.

    Called from `transaction.on_commit`. The generation is read *before* the rows: a
    write committing in between then leaves this value under a generation that is
    already dead, never under the live one (the same argument as `caching.cached`).
    """
    caching.current_generation(caching.SESSIONS, user_id)
    value = _build_session(user_id, int(session_id))
    caching.write_through(caching.SESSIONS, user_id, SESSION_LABEL, [int(session_id)], value, ttl=SESSION_STATE_TTL)


def session_list(*, user: Any, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """The user's sessions, most recently active first, one page at a time."""

    def build() -> dict[str, Any]:
        queryset = ReflectionSession.objects.filter(user_id=user.pk)
        count = queryset.count()
        start = (page - 1) * page_size
        rows = (
            queryset.select_related("technique")
            .annotate(message_total=Count("messages"))
            .order_by("-last_activity_at", "-id")[start : start + page_size]
        )
        results = []
        for session in rows:
            item = _session_base(session)
            item.pop("summary")
            item["message_count"] = session.message_total
            results.append(item)
        return {"count": count, "results": results}

    return caching.cached(caching.SESSIONS, user.pk, SESSION_LIST_LABEL, [page, page_size], build)


def sessions_export(*, user: Any) -> list[dict[str, Any]]:
    """Every session of the user with all its messages, in the export format (entries.portability).

    Oldest first; not cached (a download). Three queries however many sessions and
    messages: the sessions, their messages (one ordered scan), and the uids of the
    entries summaries were saved as (ids mean nothing on another server).
    """
    from entries.models import Entry

    sessions = list(
        ReflectionSession.objects.filter(user_id=user.pk)
        .select_related("technique")
        .order_by("started_at", "id")
        .only(
            "id",
            "uid",
            "title",
            "technique__slug",
            "status",
            "summary",
            "started_at",
            "last_activity_at",
            "ended_at",
            "entry_id",
        )
    )
    if not sessions:
        return []
    entry_ids = {session.entry_id for session in sessions if session.entry_id}
    entry_uids = (
        dict(Entry.objects.filter(user_id=user.pk, pk__in=entry_ids).values_list("pk", "uid")) if entry_ids else {}
    )
    messages: dict[int, list[dict[str, Any]]] = {session.pk: [] for session in sessions}
    # A reply names the message it answers by its place in the session's list (ids mean
    # nothing on another server); a message always comes after the one it answers.
    places: dict[int, int] = {}
    rows = (
        Message.objects.filter(session__user_id=user.pk)
        .order_by("session_id", "created_at", "id")
        .values_list(
            "id", "session_id", "role", "content", "created_at", "technique__slug", "safety_flag", "reply_to_id"
        )
    )
    for pk, session_id, role, content, created_at, technique, safety, reply_to in rows.iterator(chunk_size=2000):
        places[pk] = len(messages[session_id])
        messages[session_id].append(
            {
                "role": role,
                "content": content,
                "created_at": iso_timestamp(created_at),
                "technique": technique,
                "safety": safety,
                "reply_to": places.get(reply_to) if reply_to is not None else None,
            }
        )
    return [
        {
            "uid": str(session.uid),
            "title": session.title,
            "technique": session.technique.slug if session.technique_id else None,
            "status": session.status,
            "summary": session.summary or None,
            "started_at": iso_timestamp(session.started_at),
            "last_activity_at": iso_timestamp(session.last_activity_at),
            "ended_at": iso_timestamp(session.ended_at),
            "entry_uid": str(entry_uids[session.entry_id]) if session.entry_id in entry_uids else None,
            "messages": messages[session.pk],
        }
        for session in sessions
    ]


def session_context(detail: dict[str, Any], *, upto_message_id: int | None = None) -> Context:
    """What the companion needs to know about the conversation so far (pure)."""
    companion_texts: list[str] = []
    user_texts: list[str] = []
    used: list[str] = []
    last_user_safety = ""
    for message in detail["messages"]:
        if upto_message_id is not None and message["id"] > upto_message_id and message["role"] == "user":
            break
        if message["role"] == Message.Role.USER and message["id"] != upto_message_id:
            last_user_safety = message["analysis"].get("safety", "")
        if message["role"] == Message.Role.COMPANION and not message["safety"]:
            companion_texts.append(message["content"])
            if message["technique"]:
                used.append(message["technique"])
        elif message["role"] == Message.Role.USER and not message["safety"]:
            user_texts.append(message["content"])
    technique = detail.get("technique")
    return Context(
        session_technique=technique["slug"] if technique else None,
        companion_texts=tuple(companion_texts),
        used_techniques=tuple(used),
        user_texts=tuple(user_texts),
        awaiting_safety_answer=last_user_safety == "check_in",
        after_crisis_reply=last_user_safety == "crisis",
    )


def provider_history(detail: dict[str, Any], *, upto_message_id: int, limit: int = 12) -> list[dict[str, str]]:
    """Recent turns for an outside provider. Flagged messages and safety replies never leave the server.

    "Flagged" by today's safety check, not only by the one that ran when the message was
    saved: a crisis phrasing an earlier version missed (and so answered normally) must not
    go out with every later message once the check knows it. Its reply stays home too.
    """
    from sessions_app.companion.safety import assess

    turns: list[dict[str, str]] = []
    withheld: set[int] = set()
    for message in detail["messages"]:
        if message["id"] > upto_message_id:
            break
        if message["safety"] or message["provider"] == Message.Provider.SAFETY:
            continue
        if message["role"] == Message.Role.USER and assess(message["content"]).needs_safety_reply:
            withheld.add(message["id"])
            continue
        if message["reply_to"] in withheld:
            continue
        turns.append({"role": message["role"], "content": message["content"]})
    return turns[-limit:]


# --- Knowledge base ---------------------------------------------------------------------


def _technique_public(technique: Technique) -> dict[str, Any]:
    return {
        "slug": technique.slug,
        "name": technique.name,
        "category": technique.category,
        "category_label": technique.get_category_display(),
        "summary": technique.summary,
        "steps": list(technique.steps),
        "sources": list(technique.sources),
    }


def _technique_full(technique: Technique) -> dict[str, Any]:
    return {
        **_technique_public(technique),
        "explanation": technique.explanation,
        "questions": list(technique.questions),
        "patterns": list(technique.patterns),
        "related": list(technique.related),
    }


def normalize_query(q: str | None) -> str:
    return websearch_text(" ".join((q or "").split())[:200])


def _search(queryset: QuerySet[Technique], q: str, related: str = "") -> QuerySet[Technique]:
    """Techniques matching `q`, best first; then those matching only `related` (a broader query)."""
    if settings.USES_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # The configuration the entries' index uses, which migrations create and
        # `entries_reindex` rebuilds from JOURNAL_SEARCH_CONFIG after checking that it
        # exists. The setting itself, read here, made every uncached lookup (and so every
        # companion reply) a 500 when it named a configuration PostgreSQL lacks.
        config = SEARCH_CONFIG
        # Computed per query rather than stored: the table holds ~100 short rows, so a
        # sequential scan costs well under a millisecond and the result is cached anyway.
        # The category's label too: "CBT" finds the CBT techniques, "gratitude" every
        # gratitude exercise, not only those that say so in their own words.
        category_label = Case(
            *[When(category=value, then=Value(label)) for value, label in Technique.Category.choices],
            default=Value(""),
            output_field=TextField(),
        )
        vector = (
            SearchVector("name", weight="A", config=config)
            + SearchVector("summary", "explanation", category_label, weight="B", config=config)
            + SearchVector(Cast("steps", TextField()), Cast("questions", TextField()), weight="C", config=config)
        )
        query = SearchQuery(q, search_type="websearch", config=config)
        if not related:
            return (
                queryset.annotate(search=vector)
                .filter(search=query)
                .annotate(rank=SearchRank(vector, query))
                .order_by("-rank", "name")
            )
        broader = query | SearchQuery(related, search_type="websearch", config=config)
        return (
            queryset.annotate(search=vector)
            .filter(search=broader)
            .annotate(rank=SearchRank(vector, query), related_rank=SearchRank(vector, broader))
            .order_by("-rank", "-related_rank", "name")
        )
    # SQLite (the embedded default): every word must appear in a text field, or any
    # word when the query says "or"; then the matches of `related`.
    condition = _fallback_condition(q)
    if not related:
        return queryset.filter(condition).order_by("name")
    direct = Case(When(condition, then=Value(0)), default=Value(1))
    return queryset.filter(condition | _fallback_condition(related)).order_by(direct, "name")


def _fallback_condition(q: str) -> Q:
    words = [word for word in q.lower().split() if word not in {"or", "and"}]
    condition = Q()
    for word in words:
        match = Q(name__icontains=word) | Q(summary__icontains=word) | Q(explanation__icontains=word)
        condition = (condition | match) if " or " in f" {q.lower()} " else (condition & match)
    return condition


@timed("knowledge_lookup")
def knowledge_list(*, q: str = "", category: str = "", page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """Techniques, optionally full-text searched and filtered by category."""
    q = normalize_query(q)

    def build() -> dict[str, Any]:
        queryset = Technique.objects.all()
        if category:
            queryset = queryset.filter(category=category)
        if q:
            # Exclusions and phrases say exactly what is wanted: no broadening then.
            related = "" if re.search(r'(^|\s)-|"', q) else related_query(q)
            queryset = _search(queryset, q, related)
        else:
            queryset = queryset.order_by("category", "name")
        count = queryset.count()
        start = (page - 1) * page_size
        return {"count": count, "results": [_technique_public(t) for t in queryset[start : start + page_size]]}

    return caching.cached(caching.KNOWLEDGE, None, "list", [q.lower(), category, page, page_size], build)


@timed("knowledge_lookup")
def knowledge_detail(*, slug: str) -> dict[str, Any]:
    def build() -> dict[str, Any] | None:
        technique = Technique.objects.filter(slug=slug).first()
        return _technique_full(technique) if technique is not None else None

    value = caching.cached(caching.KNOWLEDGE, None, "detail", [slug], build)
    if value is None:
        raise NotFound("Technique not found.")
    return value


@timed("knowledge_lookup")
def knowledge_search_slugs(*, q: str, limit: int = 5) -> list[str]:
    """Slugs of techniques (not distortions or prompts) matching a query: retrieval's full-text step."""
    q = normalize_query(q)
    if not q:
        return []

    def build() -> list[str]:
        queryset = Technique.objects.exclude(
            category__in=[Technique.Category.COGNITIVE_DISTORTION, Technique.Category.JOURNALING_PROMPT]
        )
        return list(_search(queryset, q).values_list("slug", flat=True)[:limit])

    return caching.cached(caching.KNOWLEDGE, None, "search-slugs", [q.lower(), limit], build)


def theme_search(theme: str) -> list[str]:
    """Techniques for one of the companion's themes (a small vocabulary, so these keys stay hot)."""
    query = THEME_QUERIES.get(theme)
    return knowledge_search_slugs(q=query) if query else []


def _fingerprint(items: list[dict[str, Any]]) -> str:
    return hashlib.blake2b(json.dumps(items, sort_keys=True).encode(), digest_size=16).hexdigest()


@timed("knowledge_lookup")
def knowledge_snapshot() -> dict[str, Any]:
    """Every item with the fields the companion uses, and a fingerprint of the content."""

    def build() -> dict[str, Any]:
        # The loader's order (distortions, then techniques, then prompts), stable by id.
        items = [_technique_full(t) for t in Technique.objects.order_by("id")]
        return {"fingerprint": _fingerprint(items), "items": items}

    return caching.cached(caching.KNOWLEDGE, None, "snapshot", [], build)


_kb_lock = threading.Lock()
_kb_memo: dict[str, KnowledgeBase] = {}


def companion_knowledge() -> KnowledgeBase:
    """The knowledge base with compiled patterns, built once per process per content version.

    Keyed by a fingerprint of the content (itself cached under the knowledge generation),
    so an editor's change reaches every process on its next message, while unchanged
    content never recompiles.
    """
    fingerprint = caching.cached(
        caching.KNOWLEDGE, None, "fingerprint", [], lambda: knowledge_snapshot()["fingerprint"]
    )
    knowledge = _kb_memo.get(fingerprint)
    if knowledge is None:
        snapshot = knowledge_snapshot()
        knowledge = KnowledgeBase(snapshot["items"])
        with _kb_lock:
            _kb_memo.clear()
            _kb_memo[snapshot["fingerprint"]] = knowledge
    return knowledge


def knowledge_links(slug: str, related: list[str]) -> dict[str, list[dict[str, str]]]:
    """Links for a technique's page, from the cached snapshot (pure over it): the items it
    names as `related`, in its order, and the items that name it (a technique's page lists
    the distortions it helps with). Slugs no longer in the knowledge base are left out."""
    labels = dict(Technique.Category.choices)
    items = {item["slug"]: item for item in knowledge_snapshot()["items"]}

    def ref(item: dict[str, Any]) -> dict[str, str]:
        return {"slug": item["slug"], "name": item["name"], "category_label": labels.get(item["category"], "")}

    return {
        "related": [ref(items[other]) for other in related if other in items and other != slug],
        "referenced_by": [
            ref(item) for item in items.values() if slug in item["related"] and item["slug"] not in related
        ],
    }


def knowledge_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(category label, [(slug, name)]) groups for the “start a session” form."""
    labels = dict(Technique.Category.choices)
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in knowledge_snapshot()["items"]:
        groups.setdefault(item["category"], []).append((item["slug"], item["name"]))
    return [
        (labels.get(category, category), sorted(groups[category], key=lambda pair: pair[1]))
        for category in labels
        if category in groups
    ]


# --- Today's prompt ---------------------------------------------------------------------

# Used only while the knowledge base is empty (before `load_knowledge` has run).
_FALLBACK_PROMPTS = [
    {
        "slug": "three-good-things",
        "name": "Three good things",
        "text": "What were three good things today, and what was your part in them?",
        "source": "Seligman et al., 2005",
    },
]


@timed("knowledge_lookup")
def _prompts() -> list[dict[str, Any]]:
    """The journaling prompts, small and cached on their own: today's prompt is on many pages."""

    def build() -> list[dict[str, Any]]:
        rows = Technique.objects.filter(category=Technique.Category.JOURNALING_PROMPT).order_by("slug")
        return [
            {
                "slug": row.slug,
                "name": row.name,
                "text": row.summary,
                "source": "; ".join(short_citation(source) for source in row.sources),
            }
            for row in rows
        ]

    return caching.cached(caching.KNOWLEDGE, None, "prompts", [], build) or _FALLBACK_PROMPTS


def _prompt_rank(user_id: int, slug: str) -> bytes:
    return hashlib.sha256(f"{user_id}:{slug}".encode()).digest()


def prompt_for_today(user: Any, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Today's journaling prompt for `user`: deterministic per user and day (in their time zone).

    Each person walks their own order of the prompts (shuffled by their id), one a day: a
    new prompt every day and every prompt before any comes back. A hash of the user and the
    day picked independently each day, so the same prompt came two days running about one
    day in 46 (the number of prompts), and some came back within days while others waited
    for months.
    """
    profile = getattr(user, "profile", None)
    zone = profile.zone if profile is not None else datetime.UTC
    day = today or timezone.now().astimezone(zone).date()
    prompts = _prompts()
    order = sorted(prompts, key=lambda prompt: _prompt_rank(user.pk, prompt["slug"]))
    prompt = order[day.toordinal() % len(order)]
    return {"date": day.isoformat(), **prompt}
