"""Text helpers shared by the pipeline stages: normalising, sentences, tokens, quoting."""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"'})
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalize(text: str) -> str:
    """Straight quotes and single spaces: the patterns are written against this form."""
    return re.sub(r"[ \t]+", " ", text.translate(_APOSTROPHES)).strip()


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(normalize(text)) if part.strip()]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def quote(text: str, limit: int = 90) -> str:
    """A short, faithful excerpt of someone's words, cut at a word boundary."""
    text = normalize(text).rstrip(" .;,")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"
