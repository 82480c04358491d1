"""The shipped knowledge base: what the issue asks for, and internally consistent."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from sessions_app import knowledge
from sessions_app.models import Technique

ITEMS = knowledge.items()
BY_CATEGORY = Counter(item["category"] for item in ITEMS)

CLASSIC_DISTORTIONS = {
    "all-or-nothing",
    "overgeneralization",
    "mental-filter",
    "disqualifying-the-positive",
    "mind-reading",
    "fortune-telling",
    "catastrophizing",
    "emotional-reasoning",
    "should-statements",
    "labeling",
    "personalization-and-blame",
}
NAMED_TECHNIQUES = {
    "thought-record",
    "evidence-for-and-against",
    "socratic-questions",
    "decatastrophizing",
    "behavioural-activation",
    "grounding-5-4-3-2-1",
    "box-breathing",
    "progressive-muscle-relaxation",
    "self-compassion-break",
    "three-good-things",
    "values-clarification",
    "worry-time",
}


def test_every_classic_distortion_and_named_technique_is_there():
    slugs = {item["slug"] for item in ITEMS}
    assert slugs >= CLASSIC_DISTORTIONS
    assert slugs >= NAMED_TECHNIQUES


def test_the_counts_the_issue_asks_for():
    assert BY_CATEGORY["cognitive_distortion"] >= 11
    techniques = sum(
        n for category, n in BY_CATEGORY.items() if category not in ("cognitive_distortion", "journaling_prompt")
    )
    assert techniques >= 12
    assert BY_CATEGORY["journaling_prompt"] >= 40


@pytest.mark.parametrize("item", ITEMS, ids=[item["slug"] for item in ITEMS])
def test_each_item_is_valid_and_names_its_sources(item):
    Technique(**item).full_clean(validate_unique=False)
    assert item["sources"]
    assert all("(" in source and ")" in source for source in item["sources"])
    assert item["summary"].strip()


def test_related_slugs_exist_and_slugs_are_unique():
    slugs = [item["slug"] for item in ITEMS]
    assert len(slugs) == len(set(slugs))
    for item in ITEMS:
        assert set(item["related"]) <= set(slugs), item["slug"]


def test_the_model_rejects_bad_patterns_and_double_questions():
    bad = Technique(
        slug="x", name="X", category="cbt_technique", summary="s", sources=["A (2000)."], patterns=["(unclosed"]
    )
    with pytest.raises(ValidationError, match="patterns"):
        bad.full_clean(validate_unique=False)
    bad = Technique(
        slug="x", name="X", category="cbt_technique", summary="s", sources=["A (2000)."], questions=["Why? And how?"]
    )
    with pytest.raises(ValidationError, match="questions"):
        bad.full_clean(validate_unique=False)
    with pytest.raises(ValidationError, match="sources"):
        Technique(slug="x", name="X", category="cbt_technique", summary="s", sources=[]).full_clean(
            validate_unique=False
        )
