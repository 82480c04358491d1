"""Full-text search over entries.

PostgreSQL: `Entry.search_vector` is computed by a trigger (installed by migration 0002,
see `trigger_sql`) as title (weight A) > tag names (B) > body (C) in the text search
configuration `journal_search`, and indexed with GIN. `journal_search` is a copy of the
one named by JOURNAL_SEARCH_CONFIG with accents folded (the `unaccent` extension) before
stemming, so "cafe" finds "café" and "Zoe" finds "Zoë" (`install_config`; migration 0004
and `manage.py entries_reindex` build it). Queries use `websearch_to_tsquery` (quoted
phrases, `-word`, `or`), order by `ts_rank`, and `ts_headline` makes the snippets.

Headlines are cut from the body as its page shows it: the sanitized HTML with its tags
dropped (`_shown_body`), never the Markdown, whose marks a fragment could cut in half
("kids](https://…)", "flowers**"). They are still never trusted: PostgreSQL marks the
matches with two control characters that cannot occur in stored text (entries.rendering
strips them on save), the whole snippet is HTML-escaped, and only then do the markers
become `<mark>` and `</mark>`.

SQLite (the embedded default) has no text search: every word of the query must occur in
the title, the tags or the body, compared as `fold()` reads them (case folded in every
script, accents dropped, so "cafe" finds "Café" and "москва" finds "Москва" as on
PostgreSQL), `-word` excludes, results are ranked by where the words occur (title over tags over
body, PostgreSQL's weights; newest first among equals), and the snippet is the text
around the first match. Good enough for a personal journal on one machine; the real stack
is PostgreSQL.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Lookup,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)

from entries import rendering

logger = logging.getLogger(__name__)

START, STOP = "\x02", "\x03"
_CONFIG_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
HEADLINE_OPTIONS = {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}
_SNIPPET_CHARS = 160


# What the index and every query use. Its own name, not the setting's: changing
# JOURNAL_SEARCH_CONFIG takes effect when `entries_reindex` rebuilds this configuration
# and the vectors together, so a query never meets vectors of another configuration.
CONFIG = "journal_search"
# The token types that can hold letters with accents (`asciiword` and the like cannot).
_ACCENTED_TOKENS = ("word", "hword", "hword_part")


def search_config() -> str:
    """The configuration JOURNAL_SEARCH_CONFIG names, which `journal_search` copies."""
    config = getattr(settings, "JOURNAL_SEARCH_CONFIG", "english") or "english"
    if not _CONFIG_NAME.match(config):
        raise ValueError(f"JOURNAL_SEARCH_CONFIG must be a text search configuration name, not {config!r}")
    return config


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- The trigger (PostgreSQL only; used by the migration and `manage.py entries_reindex`) ---

FUNCTION = "entries_entry_search_vector_update"
TRIGGER = "entries_entry_search_vector_trigger"
INDEX = "entries_entry_search_gin"


def function_sql(config: str) -> str:
    """The trigger function computing the weighted vector in `config` (replacing it retunes search)."""
    if not _CONFIG_NAME.match(config):
        raise ValueError(f"invalid text search configuration {config!r}")
    vector = (
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(NEW.title, '')), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(NEW.tags_text, '')), 'B') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(NEW.body, '')), 'C')"
    )
    return (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$ "
        f"BEGIN NEW.search_vector := {vector}; RETURN NEW; END $$ LANGUAGE plpgsql"
    )


def trigger_sql(config: str) -> list[str]:
    """Statements that create the trigger keeping `search_vector` current, and its GIN index."""
    # Any UPDATE that sets one of the texts, or the vector itself, recomputes: Django's
    # full save() writes the loaded (or NULL) vector back, and that must not stick. An
    # UPDATE of other columns only (the sentiment after every write, a mood, a version)
    # keeps the row's vector without parsing the whole entry again (~1 ms of PostgreSQL
    # for 800 words).
    return [
        function_sql(config),
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON entries_entry",
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF title, tags_text, body, search_vector "
        f"ON entries_entry FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON entries_entry USING gin (search_vector)",
    ]


def install_config(cursor: CursorWrapper, base: str) -> bool:
    """(Re)create `journal_search` as a copy of `base` that folds accents; True if it does.

    Folding needs the `unaccent` extension (shipped with PostgreSQL, and trusted: a
    database owner may create it). Where it cannot be created, the copy is left as it is
    and search stays accent-sensitive, as before, rather than the migration failing.
    """
    if not _CONFIG_NAME.match(base):
        raise ValueError(f"invalid text search configuration {base!r}")
    try:
        with transaction.atomic(using=cursor.db.alias):  # a savepoint: a refusal must not end the migration
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError as error:
        logger.warning("Search stays accent-sensitive: the unaccent extension is unavailable (%s)", error)
    cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
    cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = {base})")
    cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent'")
    if cursor.fetchone() is None:
        return False
    cursor.execute(
        "SELECT t.alias, array_agg(d.dictname::text ORDER BY m.mapseqno) "
        "FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid "
        "JOIN ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype "
        "JOIN pg_ts_dict d ON d.oid = m.mapdict "
        "WHERE c.cfgname = %s AND t.alias = ANY(%s) GROUP BY t.alias",
        [CONFIG, list(_ACCENTED_TOKENS)],
    )
    folded = False
    for alias, dictionaries in cursor.fetchall():
        if alias in _ACCENTED_TOKENS and all(_CONFIG_NAME.match(name) for name in dictionaries):
            # unaccent is a filtering dictionary: it hands the folded word on to the next.
            chain = ", ".join(["unaccent", *dictionaries])
            cursor.execute(f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {alias} WITH {chain}")
            folded = True
    return folded


DROP_SQL = [
    f"DROP INDEX IF EXISTS {INDEX}",
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON entries_entry",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
]


# --- Queries ------------------------------------------------------------------------------


# `-` in front of a word is a NOT to websearch_to_tsquery, and the parser keeps the NOTs
# in a row on a stack of 32 (the characters it skips between them included: spaces and
# `!&|()<`): 33 of them ("-" × 33, "- " × 33, "-!" × 33) failed the query with
# "tsquery stack too small", a 500 on the search page, the API and the library.
_NEGATIONS = re.compile(r"(?<![^\s!&|()<\"])-(?:[\s!&|()<]*-)+")


def websearch_text(q: str) -> str:
    """`q` as websearch_to_tsquery can always read it: a run of `-` becomes one (odd) or none.

    NOT NOT is no NOT, so each run keeps what it meant. Dashes inside a word ("well-being",
    "a--b") are the word's and stay.
    """
    collapsed = _NEGATIONS.sub(lambda run: "-" if run.group().count("-") % 2 else " ", q)
    return " ".join(collapsed.split())


def apply_search(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to entries matching `q`, best first (headlines are made apart: `headline_rows`)."""
    if uses_postgres():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        return (
            queryset.filter(search_vector=query)
            .annotate(_rank=SearchRank(F("search_vector"), query))
            .order_by("-_rank", "-entry_date", "-created_at", "-id")
        )
    alternatives, exclude = _fallback_terms(q)
    if not alternatives:
        return queryset.none()
    matches = Q()
    for terms in alternatives:
        every_term = Q()
        for term in terms:
            every_term &= _contains(term)
        matches |= every_term
    queryset = queryset.filter(matches)
    for term in exclude:
        queryset = queryset.exclude(_contains(term))
    # Ranked, as CONTRACT §3 says a search is, by the weights PostgreSQL gives the same
    # fields (title A, tags B, body C): each word counts where it occurs. Newest first broke
    # only ties; it had been the whole order, so an old entry titled with the word came
    # after every newer one that merely mentioned it.
    words = list(dict.fromkeys(term for terms in alternatives for term in terms))
    rank = sum(
        (
            Case(When(_field_contains(field, term), then=Value(weight)), default=Value(0.0))
            for term in words
            for field, weight in _FALLBACK_WEIGHTS
        ),
        start=Value(0.0),
    )
    return queryset.annotate(_rank=ExpressionWrapper(rank, output_field=FloatField())).order_by(
        "-_rank", "-entry_date", "-created_at", "-id"
    )


def only_common_words(q: str) -> bool:
    """True when `q` has words but the search drops them all as too common ("the", "and").

    PostgreSQL's dictionary leaves stop words out of the index and the query alike, so such
    a search finds nothing in a journal full of them: the page says why. (Punctuation alone
    is not words; the embedded default's search keeps every word.)
    """
    if not uses_postgres() or not re.search(r"\w", q):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text = ''", [CONFIG, q])
        return bool(cursor.fetchone()[0])


# --- The embedded default's fallback --------------------------------------------------------

FOLD_FUNCTION = "journal_fold"


def fold(text: str) -> str:
    """`text` as the fallback search compares it: accents dropped, case folded.

    SQLite's `LIKE` (what `icontains` runs there) folds the case of ASCII letters only:
    "москва" did not find "Москва", nor "zoë" "ZOË", and "cafe" never found "café",
    where PostgreSQL finds all three.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: `journal_fold()` in every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, _sql_fold, deterministic=True)


def _sql_fold(value: Any) -> Any:
    return _fold_recent(value) if isinstance(value, str) else value


# SQLite calls `journal_fold()` once per term and column of each row: a query of 100 words
# folded every entry 300 times, 6 s for a journal of 300 entries of Cyrillic text (a
# megabyte), growing with the journal. The calls for one row come together, so the last
# few folds are kept: each column of a row is folded once, whatever the query's length.
@functools.lru_cache(maxsize=16)
def _fold_recent(value: str) -> str:
    return fold(value)


class _TemplateLookup(Lookup):
    """A lookup whose SQL is `template` with the compiled sides put in."""

    template: str

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return self.template.format(lhs=lhs, rhs=rhs), [*lhs_params, *rhs_params]


class _FoldedContains(_TemplateLookup):
    """`fold(lhs)` contains `rhs` (already folded), in SQLite through `journal_fold()`."""

    lookup_name = "folded_contains"
    template = f"instr({FOLD_FUNCTION}({{lhs}}), {{rhs}}) > 0"


# PostgreSQL's default weights of ts_rank for the weights the trigger gives each field.
_FALLBACK_WEIGHTS = (("title", 1.0), ("tags_text", 0.4), ("body", 0.2))


def _field_contains(field: str, term: str) -> Q:
    if connection.vendor != "sqlite":
        # The fallback run on PostgreSQL (the tests do): ILIKE folds case in every script.
        return Q(**{f"{field}__icontains": term})
    return Q(_FoldedContains(F(field), fold(term)))


def _contains(term: str) -> Q:
    return _field_contains("title", term) | _field_contains("tags_text", term) | _field_contains("body", term)


class _AnyOf(_TemplateLookup):
    """`lhs = ANY(rhs)`: one array parameter where `__in` writes one parameter per value."""

    lookup_name = "any_of"
    template = "{lhs} = ANY({rhs})"


def headline_rows(queryset: QuerySet, entry_ids: list[int], q: str) -> QuerySet:
    """`(pk, body headline, title headline)` of the entries `entry_ids` for `q` (PostgreSQL).

    Raw `ts_headline` output with the sentinels: `marked()` makes it safe HTML. The ids
    are one array parameter (`= ANY`), so the SQL is the same for any number of them
    and can be compiled once (entries.selectors).
    """
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    marks = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
    ids = Value(entry_ids, output_field=ArrayField(BigIntegerField()))
    body = _shown_body()
    return (
        queryset.filter(_AnyOf(F("pk"), ids))
        .order_by()
        .annotate(
            # Fragments trim around the matches even when the whole body would fit: "Bad
            # sleep again" came back as "sleep again". A body no longer than a headline is
            # shown whole.
            _headline=Case(
                When(
                    word_count__lte=HEADLINE_OPTIONS["max_words"],
                    then=SearchHeadline(body, query, highlight_all=True, **marks),
                ),
                default=SearchHeadline(body, query, **marks, **HEADLINE_OPTIONS),
            ),
            _title_headline=SearchHeadline("title", query, highlight_all=True, **marks),
        )
        .values_list("pk", "_headline", "_title_headline")
    )


def _shown_body() -> Func:
    """The body's words as its page shows them, in SQL: the sanitized HTML without its tags.

    ts_headline cut its fragments from the Markdown, by words: a fragment began or ended
    inside a link or an emphasis and kept half of its marks ("kids](https://…) at the
    market", "flowers** for the weekend"), and it showed what the page does not (the code
    fence's backticks, a table's pipes, the text of a `<script>` the sanitizer removed).
    Cut from the HTML, a fragment holds only words: blocks stay apart as in excerpts
    (`rendering.plain_text`: a full stop where one ends without punctuation, a block tag
    reads as a space), inline tags go without a trace, and nh3 escapes `>` inside
    attribute values. Entities stay as they are, one token for the parser, and are
    decoded in `marked()`.
    """

    def replace(text: Any, pattern: str, replacement: str) -> Func:
        return Func(
            text, Value(pattern), Value(replacement), Value("g"), function="regexp_replace", output_field=TextField()
        )

    separated = replace(F("body_html"), rendering.BLOCK_TAG, rendering.BLOCK_SEPARATOR)
    stopped = replace(replace(separated, "<[^>]*>", ""), rendering.BLOCK_STOP, rendering.BLOCK_STOP_REPLACEMENT)
    return Func(stopped, Value(rendering.BLOCK_SEPARATOR), Value(" "), function="translate", output_field=TextField())


def marked(rows: Iterable[tuple[int, str | None, str | None]]) -> dict[int, tuple[str, str]]:
    """`headline_rows()`'s rows as safe HTML (`headline`, `title_headline`) per entry."""
    return {
        # The body's entities decoded ("&amp;" reads "&"), then everything escaped once more.
        pk: (mark_sentinels(" ".join(html.unescape(body or "").split())), mark_sentinels(title or ""))
        for pk, body, title in rows
    }


def fallback_headlines(queryset: QuerySet, entry_ids: list[int], q: str) -> dict[int, tuple[str, str]]:
    """The embedded default's (`headline`, `title_headline`) of each entry for `q`, as safe HTML.

    PostgreSQL's come from `headline_rows()`, compiled once (entries.selectors); either
    way callers keep them per entry version and query, and ask only for the rest.
    """
    include = [term for terms in _fallback_terms(q)[0] for term in terms]
    rows = queryset.filter(pk__in=entry_ids).order_by().values_list("pk", "title", "body_html")
    return {
        # The whole body read as its page shows it first, as on PostgreSQL: a window cut
        # from the Markdown could end inside a link, its address left half-written.
        pk: (_fallback_snippet(rendering.plain_text(body_html), include), _highlight(title, include))
        for pk, title, body_html in rows
    }


def _fallback_terms(q: str) -> tuple[list[list[str]], list[str]]:
    """`q` read as websearch_to_tsquery reads it: (alternatives, excluded terms).

    An entry matches when it contains every term of one alternative and no excluded term:
    `sleep or running` is either word, `tired sleep or running` is (tired and sleep) or running,
    as PostgreSQL's `&` binds tighter than `|`.
    """
    alternatives: list[list[str]] = [[]]
    exclude: list[str] = []
    # A phrase may be excluded as a word is (`tea -"green tea"`), and one left open runs to
    # the end (`"green tea`), as websearch_to_tsquery reads them: split at its spaces, the
    # first was "no green, and tea" and the second two loose words.
    for raw in re.findall(r'-*"[^"]*(?:"|$)|\S+', q):
        negated = raw.startswith("-")
        term = raw.lstrip("-").strip('"').strip()
        if not re.search(r"[^\W_]", term):
            # Punctuation alone ("*", "?", "...", "_"): PostgreSQL's parser finds no word in
            # it and matches nothing, where `icontains` would find every Markdown list.
            continue
        if raw.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        terms = exclude if negated else alternatives[-1]
        if term not in terms:  # "a a a …": one condition, not a hundred
            terms.append(term)
    return [terms for terms in alternatives if terms], exclude


def mark_sentinels(raw: str) -> str:
    """Escape everything, then turn the sentinels PostgreSQL placed into <mark> elements."""
    escaped = html.escape(raw, quote=True)
    # ts_headline always closes what it opens; a stray sentinel is dropped rather than
    # leaving an unbalanced element in the page.
    if escaped.count(START) != escaped.count(STOP):
        return escaped.replace(START, "").replace(STOP, "")
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` it comes from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces, origins = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        pieces.append(piece)
        origins.extend([index] * len(piece))
    return "".join(pieces), origins


def _matches(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """The spans of `text` where a term occurs as the search compares them (`fold`)."""
    needles = sorted({fold(term) for term in terms} - {""}, key=len, reverse=True)
    if not needles:
        return []
    folded, origins = _folded_with_origins(text)
    spans: list[tuple[int, int]] = []
    for match in re.finditer("|".join(re.escape(needle) for needle in needles), folded):
        start, end = origins[match.start()], origins[match.end() - 1] + 1
        while end < len(text) and not fold(text[end]):  # a combining accent after the match
            end += 1
        if spans and start < spans[-1][1]:  # "ss" inside one "ß"
            continue
        spans.append((start, end))
    return spans


def _highlight(text: str, terms: list[str]) -> str:
    marked, position = [], 0
    for start, end in _matches(text, terms):
        marked += [text[position:start], START, text[start:end], STOP]
        position = end
    marked.append(text[position:])
    return mark_sentinels("".join(marked))


def _fallback_snippet(body: str, terms: list[str]) -> str:
    found = _matches(body, terms)
    start = max(0, found[0][0] - _SNIPPET_CHARS // 3) if found else 0
    snippet = body[start : start + _SNIPPET_CHARS]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + _SNIPPET_CHARS < len(body) else ""
    return _highlight(prefix + " ".join(snippet.split()) + suffix, terms)
