"""The knowledge base as shipped: our own writing, loaded by `manage.py load_knowledge`.

`items()` returns every item with its source keys expanded into citations; the loader
upserts them by slug.
"""

from __future__ import annotations

import copy
from typing import Any

from sessions_app.knowledge.distortions import DISTORTIONS
from sessions_app.knowledge.prompts import PROMPTS
from sessions_app.knowledge.sources import SOURCES
from sessions_app.knowledge.techniques import TECHNIQUES

FIELDS = ("slug", "name", "category", "summary", "explanation", "steps", "questions", "patterns", "related", "sources")


def items() -> list[dict[str, Any]]:
    """Every shipped item, ready for the loader (a fresh copy each call)."""
    result: list[dict[str, Any]] = []
    for raw in [*DISTORTIONS, *TECHNIQUES, *PROMPTS]:
        item = copy.deepcopy(raw)
        item["sources"] = [SOURCES[key] for key in raw["sources"]]
        result.append(
            {
                field: item.get(field, [] if field in ("steps", "questions", "patterns", "related") else "")
                for field in FIELDS
            }
        )
    return result
