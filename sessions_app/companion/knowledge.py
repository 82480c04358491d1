"""The knowledge base as the pipeline sees it: immutable items with compiled patterns.

Built from the cached snapshot (`selectors.companion_knowledge()` keeps one per content
fingerprint per process), so the patterns are compiled once, not per message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DISTORTION = "cognitive_distortion"
PROMPT = "journaling_prompt"
# Names that keep their capital inside a sentence, and names that need an article.
_PROPER_WORDS = frozenset({"Socratic"})
_COUNTABLE = ("record", "letter", "break", "scan", "pause (stop)", "method", "practice")


@dataclass(frozen=True)
class Item:
    slug: str
    name: str
    category: str
    summary: str
    explanation: str = ""
    steps: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    compiled: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Item:
        patterns = tuple(data.get("patterns") or ())
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern, re.IGNORECASE))
            except re.error:
                continue  # the admin validates patterns; a bad one must not stop the companion
        return cls(
            slug=data["slug"],
            name=data["name"],
            category=data["category"],
            summary=data.get("summary") or "",
            explanation=data.get("explanation") or "",
            steps=tuple(data.get("steps") or ()),
            questions=tuple(data.get("questions") or ()),
            patterns=patterns,
            related=tuple(data.get("related") or ()),
            sources=tuple(data.get("sources") or ()),
            compiled=tuple(compiled),
        )

    @property
    def is_distortion(self) -> bool:
        return self.category == DISTORTION

    @property
    def is_prompt(self) -> bool:
        return self.category == PROMPT

    @property
    def lower_name(self) -> str:
        """The name as it reads inside a sentence: “a thought record”, “Socratic questions”."""
        first = self.name.split(" ", 1)[0]
        name = self.name if first in _PROPER_WORDS or first[:1].isdigit() else self.name[:1].lower() + self.name[1:]
        if self.name.lower().endswith(_COUNTABLE) and not name.lower().startswith(("a ", "an ", "the ")):
            name = f"a {name}"
        return name


class KnowledgeBase:
    """Items by slug, in the order given (the loader's order: distortions, techniques, prompts)."""

    def __init__(self, items: Iterable[Mapping[str, Any]]) -> None:
        self.items: dict[str, Item] = {}
        for data in items:
            item = Item.from_dict(data)
            self.items[item.slug] = item
        self.distortions = [item for item in self.items.values() if item.is_distortion]
        self.techniques = [item for item in self.items.values() if not item.is_distortion and not item.is_prompt]
        self.prompts = [item for item in self.items.values() if item.is_prompt]

    def get(self, slug: str | None) -> Item | None:
        return self.items.get(slug) if slug else None

    def __len__(self) -> int:
        return len(self.items)
