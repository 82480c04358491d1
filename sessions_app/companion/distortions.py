"""Stage 3: recognise common cognitive distortions in what someone wrote.

Each distortion in the knowledge base carries patterns; a match counts unless a
negation governs it ("I don't think I'm an idiot", "it isn't the end of the world").
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions_app.companion.knowledge import KnowledgeBase
from sessions_app.companion.text import sentences, tokens

_NEGATIONS = {"not", "never", "no", "isn't", "wasn't", "aren't", "don't", "doesn't", "didn't", "hardly"}
_GAP = {"think", "believe", "feel", "that", "i", "it's", "it", "really", "the", "a", "an", "is", "was"}


@dataclass(frozen=True)
class Detection:
    slug: str
    name: str
    sentence: str  # the person's sentence it was found in, for quoting back
    phrase: str


def _negated(before: str) -> bool:
    window = tokens(before)[-4:]
    for index in range(len(window) - 1, -1, -1):
        if window[index] in _NEGATIONS:
            return all(word in _GAP for word in window[index + 1 :])
        if window[index] not in _GAP:
            return False
    return False


def detect(text: str, knowledge: KnowledgeBase) -> list[Detection]:
    """Distortions found in `text`, at most one per kind, in order of appearance (pure)."""
    found: dict[str, tuple[int, Detection]] = {}
    offset = 0
    for sentence in sentences(text):
        for item in knowledge.distortions:
            if item.slug in found:
                continue
            for pattern in item.compiled:
                match = next((m for m in pattern.finditer(sentence) if not _negated(sentence[: m.start()])), None)
                if match is not None:
                    found[item.slug] = (
                        offset + match.start(),
                        Detection(item.slug, item.name, sentence, match.group(0)),
                    )
                    break
        offset += len(sentence) + 1
    return [detection for _, detection in sorted(found.values(), key=lambda pair: pair[0])]
