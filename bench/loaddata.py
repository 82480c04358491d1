"""What the wrk clients need, written as a Lua file: tokens, ids, and ready-made request bodies.

Runs in bench/run.py's own Django process against the working copy of the bench
database. Tokens come from the token service (as `POST /api/v1/auth/token/` would issue
them, without paying for a password hash per person); ids are read back from the seeded
rows. The bodies are generated from the same seeded text as the data set.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db.models import Count

from bench import seed
from entries.models import Entry, Tag
from journal_project.accounts.services import token_issue
from sessions_app.models import ReflectionSession, Technique

KNOWLEDGE_TERMS = ["anxiety", "gratitude", "breathing", "values", "sleep", "worry", "kindness", "thoughts"]


def people(*, token_name: str = "bench") -> list[dict[str, Any]]:
    """Every seeded person with a fresh token, their entries (newest first) and sessions (active last)."""
    result = []
    users = get_user_model().objects.filter(username__startswith=seed.USERNAME_PREFIX).order_by("pk")
    for user in users:
        entries = list(
            Entry.objects.filter(user=user).order_by("-entry_date", "-created_at", "-id").values_list("id", flat=True)
        )
        sessions = list(
            ReflectionSession.objects.filter(user=user).order_by("started_at", "id").values_list("id", flat=True)
        )
        tags = list(
            Tag.objects.filter(user=user)
            .annotate(uses=Count("entries"))
            .filter(uses__gt=0)
            .order_by("-uses", "name")
            .values_list("name", flat=True)
        )
        result.append(
            {
                "token": token_issue(user=user, name=token_name).raw,
                "entries": entries,
                "sessions": sessions,
                "tags": [quote(tag) for tag in tags],
            }
        )
    if not result:
        raise RuntimeError("No bench users in the database: seed it first.")
    return result


def bodies(seed_value: int) -> dict[str, list[str]]:
    """JSON bodies for the writes, deterministic for a seed."""
    rng = random.Random(seed_value + 1)
    pool = seed._sentence_pool(rng, 400)
    creates = []
    for _ in range(200):
        creates.append(
            json.dumps(
                {
                    "title": rng.choice(seed.TITLES),
                    "body": seed._body(rng, pool),
                    "mood": rng.choice([None, 1, 2, 3, 3, 4, 4, 5]),
                    "tags": rng.sample(seed.TAG_POOL, rng.randint(0, 3)),
                }
            )
        )
    patches = []
    for _ in range(120):
        kind = rng.random()
        if kind < 0.5:
            patch: dict[str, Any] = {"mood": rng.randint(1, 5)}
        elif kind < 0.75:
            patch = {"title": rng.choice(seed.TITLES), "tags": rng.sample(seed.TAG_POOL, rng.randint(1, 3))}
        else:
            patch = {"body": seed._body(rng, pool)}
        patches.append(json.dumps(patch))
    messages = [
        json.dumps({"content": " ".join(seed._chat_line(rng) for _ in range(rng.randint(1, 3)))}) for _ in range(150)
    ]
    return {"create_bodies": creates, "patch_bodies": patches, "message_bodies": messages}


def _lua(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for byte in value.encode():
            char = chr(byte)
            if char in '"\\':
                out.append("\\" + char)
            elif 32 <= byte < 127:
                out.append(char)
            else:
                out.append(f"\\{byte}")  # decimal escapes: LuaJIT has no \u
        return '"' + "".join(out) + '"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_lua(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as Lua")


def data(*, seed_value: int, clients: int) -> dict[str, Any]:
    """Everything the clients need, as Python data (bench/mixcost.py replays with it as is)."""
    return {
        "seed": seed_value,
        "clients": clients,
        "people": people(),
        "search_terms": [quote(term) for term in seed.SEARCH_TERMS],
        "slugs": list(Technique.objects.order_by("id").values_list("slug", flat=True)),
        "categories": [value for value, _ in Technique.Category.choices],
        "knowledge_terms": KNOWLEDGE_TERMS,
        **bodies(seed_value),
    }


def write(path: Path, *, seed_value: int, clients: int) -> dict[str, Any]:
    """Write the Lua data file for the clients; returns it as Python data too."""
    result = data(seed_value=seed_value, clients=clients)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("return " + _lua(result) + "\n")
    return result
