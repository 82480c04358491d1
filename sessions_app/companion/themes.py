"""Themes (what a message is about) and emotions (how it feels), from small keyword lexicons.

Themes feed the session summary and the knowledge-base search that retrieval runs per
theme; emotions let a reply name a feeling in the person's own terms.
"""

from __future__ import annotations

import re

THEMES: dict[str, str] = {
    "work": r"\b(?:work|job|boss|manager|colleagues?|co-?workers?|office|career|shift|deadlines?|meetings?|"
    r"promotion|interview|fired|redundan\w*)\b",
    "study": r"\b(?:exams?|school|university|uni|college|study\w*|essay|grades?|homework|class|teacher|thesis)\b",
    "family": r"\b(?:family|mum|mom|mother|dad|father|parents?|sister|brother|son|daughter|kids?|children|"
    r"grand\w+)\b",
    "relationships": r"\b(?:partner|boyfriend|girlfriend|husband|wife|marriage|relationship|dating|date|ex|"
    r"broke\s+up|break-?up|divorce)\b",
    "friendship": r"\b(?:friends?|friendship|mates?)\b",
    "health": r"\b(?:health|ill|sick|pain|doctor|hospital|headache|diagnos\w*|symptoms?|injur\w*)\b",
    "sleep": r"\b(?:sleep\w*|insomnia|tired|exhausted|awake|nightmares?|bed)\b",
    "money": r"\b(?:money|bills?|debt|rent|mortgage|afford|salary|bank|financ\w*)\b",
    "loneliness": r"\b(?:lonely|loneliness|alone|isolated|left\s+out|no\s+one\s+to\s+talk)\b",
    "self-worth": r"\b(?:worthless|failure|not\s+good\s+enough|hate\s+myself|useless|confidence|idiot|loser|"
    r"self-critic\w*|inner\s+critic|perfectionis\w*)\b",
    "worry": r"\b(?:worr\w+|anxi\w+|nervous|scared|afraid|panic\w*|fear\w*|what\s+if)\b",
    "low mood": r"\b(?:sad|sadness|down|low|depress\w*|empty|hopeless|numb|crying|cried|miserable)\b",
    "anger": r"\b(?:anger|angry|furious|annoyed|irritated|frustrat\w*|rage|resent\w*)\b",
    "grief": r"\b(?:grief|grieving|died|death|passed\s+away|funeral|loss|miss\s+(?:him|her|them))\b",
    "stress": r"\b(?:stress\w*|overwhelm\w*|too\s+much|pressure|burn(?:ed|t)?\s*out|busy)\b",
    "gratitude": r"\b(?:grateful|thankful|gratitude|appreciat\w*|lucky\s+to)\b",
}

EMOTIONS: dict[str, str] = {
    "anxious": r"\b(?:anxious|anxiety|nervous|worried|worrying|scared|afraid|panick\w*|on\s+edge|uneasy)\b",
    "sad": r"\b(?:sad|down|low|depressed|empty|miserable|heartbroken|crying|cried|tearful)\b",
    "angry": r"\b(?:angry|furious|annoyed|irritated|frustrated|livid|resentful)\b",
    "overwhelmed": r"\b(?:overwhelmed|stressed|too\s+much|swamped|burn(?:ed|t)\s+out)\b",
    "lonely": r"\b(?:lonely|alone|isolated|left\s+out)\b",
    "ashamed": r"\b(?:ashamed|embarrassed|humiliated|guilty|shame)\b",
    "tired": r"\b(?:tired|exhausted|drained|worn\s+out|no\s+energy)\b",
    "hopeful": r"\b(?:hopeful|optimistic|looking\s+forward)\b",
    "happy": r"\b(?:happy|glad|joyful|delighted|excited|great|wonderful)\b",
    "grateful": r"\b(?:grateful|thankful|appreciative)\b",
    "calm": r"\b(?:calm|peaceful|relaxed|settled|at\s+ease)\b",
}

_THEMES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in THEMES.items()}
_EMOTIONS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in EMOTIONS.items()}
NEGATIVE_EMOTIONS = frozenset({"anxious", "sad", "angry", "overwhelmed", "lonely", "ashamed", "tired"})


def detect_themes(text: str) -> list[str]:
    return [name for name, pattern in _THEMES.items() if pattern.search(text)]


_NEGATIONS = frozenset(
    {"not", "never", "no", "nor", "without", "hardly", "barely", "nt", "dont", "didnt", "isnt", "wasnt"}
)
# Words that may stand between a negation and the feeling it negates: "I don't FEEL
# anxious", "not THAT sad", "not AT ALL angry". Any other word ("can't STOP feeling
# anxious") ends the negation's reach.
_NEGATION_GAP = frozenset(
    {
        "i",
        "im",
        "am",
        "is",
        "was",
        "be",
        "been",
        "being",
        "feel",
        "feeling",
        "felt",
        "that",
        "too",
        "very",
        "really",
        "at",
        "all",
        "particularly",
        "especially",
        "even",
        "remotely",
        "a",
        "bit",
        "little",
        "getting",
        "get",
        "as",
        "longer",
        "any",
        "more",
        "anymore",
        "quite",
        "so",
    }
)
_WORD = re.compile(r"[a-z]+")


def _negated(before: str) -> bool:
    """Does a negation govern what follows `before` ("I'm not anxious", "I don't feel sad")?"""
    clause = re.split(r"[.!?;,:]|\bbut\b", before.lower())[-1]
    words = _WORD.findall(clause.replace("n't", " nt").replace("'", ""))
    for index in range(len(words) - 1, max(-1, len(words) - 6), -1):
        word = words[index]
        if word in _NEGATIONS:
            # "I've never felt so happy", "never been more anxious": an intensifier, not a denial.
            return not (word == "never" and {"so", "more"} & set(words[index + 1 :]))
        if word not in _NEGATION_GAP:
            return False
    return False


def _feelings(text: str) -> list[tuple[int, int, str]]:
    """(start, end, emotion) of every feeling the text names and does not deny ("I'm not
    anxious, just calm" has no anxiety in it), in order."""
    return sorted(
        (match.start(), match.end(), name)
        for name, pattern in _EMOTIONS.items()
        for match in pattern.finditer(text)
        if not _negated(text[: match.start()])
    )


def detect_emotions(text: str) -> list[str]:
    """Emotions named (and not denied) in the text, in order of first mention."""
    return list(dict.fromkeys(name for _, _, name in _feelings(text)))


def feeling_ends(text: str) -> list[int]:
    """Where each feeling the text names (and does not deny) ends: every mention, in order."""
    return [end for _, end, _ in _feelings(text)]


# The knowledge-base search run for each theme (PostgreSQL websearch syntax). A small,
# fixed vocabulary: the cached results stay hot, unlike a search per message text.
THEME_QUERIES: dict[str, str] = {
    "work": "work or stress or problem",
    "study": "problem or worry",
    "family": "kindness or connection",
    "relationships": "connection or kindness",
    "friendship": "connection or kindness",
    "health": "body or tension",
    "sleep": "sleep or relax",
    "money": "problem or worry",
    "loneliness": "connection or kindness",
    "self-worth": "kind or critic or friend",
    "worry": "worry or worries",
    "low mood": "mood or activity",
    "anger": "pause or urge",
    "grief": "kind or compassion",
    "stress": "stress or tension or breath",
    "gratitude": "gratitude or good",
}

# The theme each feeling belongs to, for a feeling named without its theme's words.
EMOTION_THEMES: dict[str, str] = {
    "anxious": "worry",
    "sad": "low mood",
    "angry": "anger",
    "overwhelmed": "stress",
    "lonely": "loneliness",
    "ashamed": "self-worth",
    "tired": "sleep",
    "grateful": "gratitude",
}


def related_query(text: str) -> str:
    """The knowledge-base query of every theme `text` touches, or "" (pure).

    What a person types in the library is how they feel ("anxious", "overwhelmed",
    "can't sleep"), where the techniques say what they work on ("worry", "stress",
    "sleep"); the themes' lexicons already join the two for the companion.
    """
    themes = [*detect_themes(text), *(EMOTION_THEMES[name] for name in detect_emotions(text) if name in EMOTION_THEMES)]
    queries = [THEME_QUERIES[name] for name in themes if name in THEME_QUERIES]
    return " or ".join(dict.fromkeys(queries))
