"""A deterministic, realistic data set for the benchmark, written fast with bulk inserts.

Same parameters, same data (one `random.Random(seed)` drives everything; the dates are
relative to an anchor day recorded with the parameters). Bulk inserts skip the services,
so everything the services would compute is computed here with the app's own functions:

* `body_html` and `word_count`: `entries.rendering` (what `entries.services._render` calls);
* `sentiment`: `entries.sentiment.score`, with VADER memoised per sentence. Bodies are
  built from a finite pool of sentences, so the memo makes scoring ~50x faster while
  the result is the very function the sentiment task runs (same split, same mean);
* `search_vector`: the PostgreSQL trigger fires on bulk inserts as on any insert;
* `tags_text`: the tag names joined by spaces, as `entries.services._apply_tags` does;
* reflection sessions: messages analysed and answered by the real companion pipeline,
  ended sessions summarised by `sessions_app.summary.summarize`;
* cache generations: every seeded user's namespaces are bumped at the end, so nothing
  cached before the seed can be served afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bench.params import SeedParams
from entries import rendering, sentiment
from entries.models import Entry, Tag
from journal_project import caching
from journal_project.accounts.models import Profile
from sessions_app import selectors as session_selectors
from sessions_app.companion import pipeline
from sessions_app.companion.compose import opening
from sessions_app.companion.retrieval import Context
from sessions_app.models import Message, ReflectionSession, Technique
from sessions_app.summary import summarize

USERNAME_PREFIX = "bench"
PASSWORD = "bench-password-not-secret-7Qx"  # the API tokens are issued by the service, not by logging in
BATCH = 1000


# --- Text ---------------------------------------------------------------------------------

ACTIVITIES = [
    "went for a run by the river",
    "cooked dinner with Sam",
    "called my mother",
    "worked on the garden",
    "finished the project report",
    "took the dog to the park",
    "read two chapters of my novel",
    "met Ana for coffee",
    "cleaned the kitchen",
    "went swimming before work",
    "played piano for an hour",
    "walked to the market",
    "fixed the bike",
    "had a long meeting with the team",
    "painted the fence",
    "baked bread",
    "visited my grandmother",
    "stayed late at the office",
    "went hiking in the hills",
    "practised yoga",
    "wrote letters to old friends",
    "planned the trip to Lisbon",
    "repotted the plants",
    "watched the sunset from the balcony",
    "helped my brother move",
    "studied for the exam",
]
FEELINGS = [
    "calm",
    "anxious",
    "tired",
    "grateful",
    "restless",
    "hopeful",
    "frustrated",
    "proud",
    "lonely",
    "content",
    "overwhelmed",
    "relieved",
    "excited",
    "sad",
    "energised",
    "irritated",
    "peaceful",
    "nervous",
    "happy",
    "worried",
    "disappointed",
    "cheerful",
    "drained",
    "curious",
]
EVENTS = [
    "the deadline moved again",
    "my manager praised the presentation",
    "the train was late",
    "Sam forgot our plans",
    "the rain finally stopped",
    "I could not sleep",
    "the test results came back",
    "my sister called",
    "the meeting ran over",
    "I saw an old photo",
    "the budget was cut",
    "a stranger helped me",
    "I missed the bus",
    "the kids laughed at dinner",
    "I finished early",
    "the neighbours were loud",
    "I got the email about the job",
    "my knee started hurting again",
]
TOPICS = [
    "the move next spring",
    "money",
    "my health",
    "the conversation with Dad",
    "whether to change jobs",
    "how little I sleep",
    "the project deadline",
    "the holiday plans",
    "my friendship with Ana",
    "what I want this year",
    "the argument on Sunday",
    "my running goals",
    "the garden",
]
OUTCOMES = [
    "helped more than I expected",
    "felt like a chore",
    "cleared my head",
    "made me smile",
    "left me exhausted",
    "was exactly what I needed",
    "did not go well",
    "went better than last time",
]
THINGS = [
    "good coffee",
    "a quiet morning",
    "my friends",
    "the sunshine",
    "a warm bed",
    "my health",
    "the dog",
    "a kind message",
    "fresh bread",
    "music",
    "a long walk",
    "my family",
    "clean sheets",
]
PLANS = [
    "sleep earlier",
    "call Ana",
    "go for a walk at lunch",
    "finish the report",
    "say no more often",
    "drink less coffee",
    "spend less time on my phone",
    "cook something new",
    "ask for help",
    "write three good things",
    "stretch in the morning",
    "plan the week on Sunday",
]
TIMES = ["This morning", "After lunch", "In the evening", "Late at night", "At work", "On the way home"]
ADJECTIVES = ["busy", "slow", "stressful", "quiet", "strange", "productive", "chaotic", "lovely", "long"]
REASONS = [
    "nobody agreed on anything",
    "the servers were down",
    "we shipped the release",
    "half the team was ill",
    "the client changed their mind",
    "everything just worked",
    "I had too many meetings",
]
HABITS = ["put things off", "compare myself to others", "say yes to everything", "worry about small things"]

SENTENCE_TEMPLATES: list[Callable[[random.Random], str]] = [
    lambda r: f"Today I {r.choice(ACTIVITIES)}.",
    lambda r: f"I felt {r.choice(FEELINGS)} when {r.choice(EVENTS)}.",
    lambda r: f"{r.choice(TIMES)}, I {r.choice(ACTIVITIES)} and it {r.choice(OUTCOMES)}.",
    lambda r: f"I keep thinking about {r.choice(TOPICS)}.",
    lambda r: f"Work was {r.choice(ADJECTIVES)} because {r.choice(REASONS)}.",
    lambda r: f"I'm grateful for {r.choice(THINGS)} and {r.choice(THINGS)}.",
    lambda r: f"Tomorrow I want to {r.choice(PLANS)}.",
    lambda r: f"Why do I always {r.choice(HABITS)}?",
    lambda r: f"I was {r.choice(FEELINGS)} most of the day, and a bit {r.choice(FEELINGS)} by the evening.",
    lambda r: f"{r.choice(TIMES)} {r.choice(EVENTS)}, which made me {r.choice(FEELINGS)}.",
    lambda r: f"Honestly, {r.choice(TOPICS)} is on my mind more than I would like!",
    lambda r: f"It {r.choice(OUTCOMES)} to write this down.",
]
LIST_ITEMS = [*THINGS, *PLANS]
HEADINGS = ["## Morning", "## Evening", "### Work", "### Home", "## Things to remember", "### Later"]
TITLES = [
    "A long day",
    "Small wins",
    "Rainy Tuesday",
    "Notes to self",
    "Thinking about work",
    "Sunday reset",
    "Better than yesterday",
    "Morning pages",
    "Evening thoughts",
    "A quiet one",
    "Too much coffee",
    "After the run",
    "Family dinner",
    "Deadline week",
    "Slow start",
    "Grateful",
    "Restless night",
    "Back on track",
    "Weekend",
    "Heavy head",
    "Good news",
    "Lisbon plans",
    "Garden day",
    "Reflections",
]
TAG_POOL = [
    "work",
    "family",
    "running",
    "sleep",
    "gratitude",
    "anxiety",
    "friends",
    "health",
    "garden",
    "travel",
    "reading",
    "music",
    "money",
    "kids",
    "cooking",
    "dog",
    "meditation",
    "study",
    "weekend",
    "goals",
    "therapy",
    "Ideas",
    "Dreams",
    "mood",
    "habits",
    "Walks",
    "coffee",
    "home",
]
TIME_ZONES = ["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"]
CHAT_LINES = [
    "I have been feeling {f} about {t}.",
    "Work has been {a} and I can't switch off.",
    "I always mess things up when {e}.",
    "Nobody ever listens to me at work.",
    "I think I handled {t} badly.",
    "I'm {f} and I don't really know why.",
    "It was a good week, I {act}.",
    "I keep worrying that I will fail the exam.",
    "Everyone else seems to have it together.",
    "I felt {f} after {e}.",
    "Maybe I should {p}.",
    "I don't sleep well when I think about {t}.",
]
# Words that occur in the bodies, from common to rare: the search scenario's queries.
SEARCH_TERMS = [
    "work",
    "grateful",
    "coffee",
    "meeting",
    "run",
    "river",
    "dinner",
    "sleep",
    "tired",
    "anxious",
    "garden",
    "deadline",
    "mother",
    "park",
    "project",
    "calm",
    "walk",
    "exam",
    "Lisbon",
    "bread",
    "piano",
    "sunset",
    "budget",
    "hiking",
    "yoga",
    "neighbours",
    "grandmother",
    "letters",
    "quiet morning",
    "long walk",
    "team meeting",
    "old photo",
]


def _sentence_pool(rng: random.Random, size: int) -> list[str]:
    return [rng.choice(SENTENCE_TEMPLATES)(rng) for _ in range(size)]


def _chat_line(rng: random.Random) -> str:
    line = rng.choice(CHAT_LINES)
    return line.format(
        f=rng.choice(FEELINGS), t=rng.choice(TOPICS), a=rng.choice(ADJECTIVES), e=rng.choice(EVENTS),
        act=rng.choice(ACTIVITIES), p=rng.choice(PLANS),
    )  # fmt: skip


def _target_words(rng: random.Random) -> int:
    """A few lines to ~800 words: mostly short and medium entries, a long tail."""
    bucket = rng.random()
    if bucket < 0.35:
        return rng.randint(15, 60)
    if bucket < 0.75:
        return rng.randint(60, 250)
    if bucket < 0.95:
        return rng.randint(250, 500)
    return rng.randint(500, 800)


def _body(rng: random.Random, pool: list[str]) -> str:
    target = _target_words(rng)
    blocks: list[str] = []
    words = 0
    if target > 120 and rng.random() < 0.3:
        blocks.append(rng.choice(HEADINGS))
    while words < target:
        roll = rng.random()
        if roll < 0.1 and target > 80:
            items = [f"- {rng.choice(LIST_ITEMS)}" for _ in range(rng.randint(2, 5))]
            blocks.append("\n".join(items))
            words += sum(len(item.split()) - 1 for item in items)
            continue
        if roll < 0.15 and target > 200:
            blocks.append(rng.choice(HEADINGS))
        sentences = [rng.choice(pool) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.1:
            sentences[0] = f"**{sentences[0]}**"
        paragraph = " ".join(sentences)
        blocks.append(paragraph)
        words += len(paragraph.split())
    return "\n\n".join(blocks)


class _MemoAnalyzer:
    """VADER with a memo per sentence: the same scores as the real analyzer, computed once each."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._memo: dict[str, dict[str, float]] = {}

    def polarity_scores(self, text: str) -> dict[str, float]:
        scores = self._memo.get(text)
        if scores is None:
            scores = self._memo[text] = self._real.polarity_scores(text)
        return scores


# --- Dates ----------------------------------------------------------------------------------


def _entry_days(rng: random.Random, count: int, anchor: datetime.date) -> list[datetime.date]:
    """`count` entry dates over two years before `anchor`: a current streak, gaps, some busy days."""
    span = 730
    recent = [anchor - datetime.timedelta(days=offset) for offset in range(1, 13)]  # a 12-day streak
    older = [anchor - datetime.timedelta(days=offset) for offset in range(14, span)]
    doubles = count // 10  # about one day in ten has two entries
    singles = rng.sample(older, count - len(recent) - doubles)
    days = recent + singles
    days += rng.sample(days, doubles)
    return sorted(days)


# --- The seed -------------------------------------------------------------------------------


@dataclasses.dataclass
class SeedResult:
    users: int
    entries: int
    sessions: int
    messages: int


def seed(params: SeedParams, *, anchor: datetime.date, log: Callable[[str], None] = lambda _: None) -> SeedResult:
    """Write the data set into the (empty, migrated) current database; returns what was written."""
    User = get_user_model()
    rng = random.Random(params.seed)
    if User.objects.filter(username__startswith=USERNAME_PREFIX).exists():
        raise RuntimeError("The database already holds bench users: seed an empty database.")
    if not Technique.objects.exists():
        raise RuntimeError("Load the knowledge base first (manage.py load_knowledge).")

    real = sentiment.analyzer()
    sentiment._analyzer = _MemoAnalyzer(real)
    try:
        with transaction.atomic():
            users = _users(rng, params)
            log(f"{len(users)} users")
            entries = _entries(rng, params, users, anchor, log)
            sessions, messages = _sessions(rng, params, users)
            log(f"{sessions} sessions, {messages} messages")
            for user in users:
                caching.bump_all_for_user(user.pk)
            caching.bump(caching.KNOWLEDGE)
    finally:
        sentiment._analyzer = real
    return SeedResult(users=len(users), entries=entries, sessions=sessions, messages=messages)


def _users(rng: random.Random, params: SeedParams) -> list[Any]:
    User = get_user_model()
    password = make_password(PASSWORD)  # one hash for all: hashing 50 times costs seconds for nothing
    joined = timezone.now() - datetime.timedelta(days=800)
    users = User.objects.bulk_create(
        [
            User(username=f"{USERNAME_PREFIX}{index:03d}", email="", password=password, date_joined=joined)
            for index in range(params.users)
        ]
    )
    Profile.objects.bulk_create([Profile(user=user, time_zone=rng.choice(TIME_ZONES)) for user in users])
    return list(User.objects.filter(pk__in=[user.pk for user in users]).select_related("profile").order_by("pk"))


def _entries(rng: random.Random, params: SeedParams, users: list[Any], anchor: datetime.date, log: Any) -> int:
    pool = _sentence_pool(rng, 2500)
    through = Entry.tags.through
    total = 0
    pending: list[tuple[Entry, list[Tag]]] = []

    def flush() -> None:
        created = Entry.objects.bulk_create([entry for entry, _ in pending], batch_size=BATCH)
        links = [
            through(entry_id=entry.pk, tag_id=tag.pk) for entry, (_, tags) in zip(created, pending, strict=True)
            for tag in tags
        ]  # fmt: skip
        through.objects.bulk_create(links, batch_size=5000)
        pending.clear()

    for user in users:
        zone = zoneinfo.ZoneInfo(user.profile.time_zone)
        favourites = rng.sample(TAG_POOL, rng.randint(8, 14))
        tags = {tag.name: tag for tag in Tag.objects.bulk_create([Tag(user=user, name=name) for name in favourites])}
        weights = [1 / (rank + 1) for rank in range(len(favourites))]
        for day in _entry_days(rng, params.entries, anchor):
            body = _body(rng, pool)
            chosen: list[Tag] = []
            for name in rng.choices(favourites, weights, k=rng.choices([0, 1, 2, 3, 4], [25, 35, 25, 10, 5])[0]):
                if tags[name] not in chosen:
                    chosen.append(tags[name])
            local = datetime.datetime.combine(day, datetime.time(rng.randint(6, 23), rng.randint(0, 59)), zone)
            created_at = local.astimezone(datetime.UTC)
            updated_at = (
                created_at + datetime.timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.15 else created_at
            )
            title = rng.choice(TITLES)
            mood = None if rng.random() < 0.12 else rng.choices([1, 2, 3, 4, 5], [5, 15, 35, 30, 15])[0]
            entry = Entry(
                user=user,
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                title=rendering.clean_text(title).strip(),
                body=rendering.clean_text(body),
                mood=mood,
                tags_text=" ".join(tag.name for tag in chosen),
                entry_date=day,
                created_at=created_at,
                updated_at=updated_at,
            )
            entry.body_html = rendering.render_markdown(entry.body)
            entry.word_count = rendering.count_words(entry.body)
            entry.sentiment = sentiment.score(entry.body)
            pending.append((entry, chosen))
            total += 1
            if len(pending) >= BATCH:
                flush()
        log(f"entries: {total}")
    if pending:
        flush()
    return total


def _sessions(rng: random.Random, params: SeedParams, users: list[Any]) -> tuple[int, int]:
    knowledge = session_selectors.companion_knowledge()
    techniques = {t.slug: t for t in Technique.objects.all()}
    exercise_slugs = sorted(
        slug for slug, t in techniques.items() if t.category != Technique.Category.COGNITIVE_DISTORTION
    )
    now = timezone.now()
    session_count = message_count = 0
    for user in users:
        for index in range(params.sessions):
            active = index == params.sessions - 1
            started = now - datetime.timedelta(days=(params.sessions - 1 - index) * 6 + rng.randint(0, 4), hours=2)
            if active:
                started = now - datetime.timedelta(minutes=rng.randint(5, 90))
            slug = rng.choice(exercise_slugs) if rng.random() < 0.4 else None
            technique = techniques[slug] if slug else None
            text, _ = opening(knowledge.get(slug) if slug else None)
            day = timezone.localtime(started, zoneinfo.ZoneInfo(user.profile.time_zone)).date()
            title = f"{technique.name} · {day:%d %b %Y}" if technique else f"Reflection · {day:%d %b %Y}"
            session = ReflectionSession.objects.create(
                user=user, title=title, technique=technique, started_at=started, last_activity_at=started
            )
            clock = started
            rows: list[Message] = [
                Message(
                    session=session, role=Message.Role.COMPANION, content=text, technique=technique,
                    provider=Message.Provider.OFFLINE, latency_ms=1, created_at=clock,
                )
            ]  # fmt: skip
            companion_texts = [text]
            used: list[str] = []
            plain: list[dict[str, Any]] = [
                {"role": "companion", "content": text, "sentiment": None, "analysis": {}, "technique": slug,
                 "technique_name": technique.name if technique else None},
            ]  # fmt: skip
            replies: list[tuple[Message, Message]] = []
            for _ in range(rng.randint(3, 9)):
                clock += datetime.timedelta(seconds=rng.randint(30, 240))
                content = " ".join(_chat_line(rng) for _ in range(rng.randint(1, 3)))
                analysis = pipeline.analyse(content, knowledge)
                context = Context(
                    session_technique=slug, companion_texts=tuple(companion_texts), used_techniques=tuple(used)
                )
                reply = pipeline.respond(
                    analysis, context, knowledge, searched=(), crisis_resources=settings.CRISIS_RESOURCES
                )
                mine = Message(
                    session=session, role=Message.Role.USER, content=content, safety_flag=analysis.safety.flagged,
                    sentiment=analysis.sentiment, analysis=analysis.as_dict(), created_at=clock,
                )  # fmt: skip
                clock += datetime.timedelta(seconds=rng.randint(1, 3))
                answer = Message(
                    session=session, role=Message.Role.COMPANION, content=reply.content,
                    technique=techniques.get(reply.technique) if reply.technique else None,
                    provider=Message.Provider.SAFETY if reply.safety else Message.Provider.OFFLINE,
                    safety_flag=reply.safety, latency_ms=rng.randint(1, 6), created_at=clock,
                )  # fmt: skip
                replies.append((mine, answer))
                rows += [mine, answer]
                companion_texts.append(reply.content)
                if reply.technique:
                    used.append(reply.technique)
                plain += [
                    {"role": "user", "content": content, "sentiment": analysis.sentiment,
                     "analysis": analysis.as_dict(), "technique": None, "technique_name": None},
                    {"role": "companion", "content": reply.content, "sentiment": None, "analysis": {},
                     "technique": reply.technique,
                     "technique_name": techniques[reply.technique].name if reply.technique else None},
                ]  # fmt: skip
            # Two passes: the person's messages first, so the replies can point at their ids.
            Message.objects.bulk_create([mine for mine, _ in replies])
            for mine, answer in replies:
                answer.reply_to_id = mine.pk
            Message.objects.bulk_create([row for row in rows if row.role == Message.Role.COMPANION])
            session.last_activity_at = clock
            fields = ["last_activity_at"]
            if not active:
                session.summary = summarize(plain)
                session.status = ReflectionSession.Status.ENDED
                session.ended_at = clock + datetime.timedelta(seconds=30)
                session.last_activity_at = session.ended_at
                fields += ["summary", "status", "ended_at"]
            session.save(update_fields=fields)
            session_count += 1
            message_count += len(rows)
    return session_count, message_count
