"""The knowledge API and today's prompt."""

from __future__ import annotations

import datetime
import html

import pytest
import time_machine

pytestmark = pytest.mark.usefixtures("knowledge_base")


def test_list_has_the_contract_fields_and_is_paginated(auth_client):
    body = auth_client.get("/api/v1/knowledge/").json()
    assert body["count"] >= 60
    assert {"next", "previous", "results"} <= set(body)
    item = body["results"][0]
    assert {"slug", "name", "category", "summary", "steps", "sources"} <= set(item)


def test_search_and_category_filter(auth_client):
    results = auth_client.get("/api/v1/knowledge/?q=breathing").json()["results"]
    assert results[0]["slug"] == "box-breathing"
    prompts = auth_client.get("/api/v1/knowledge/?category=journaling_prompt&page_size=100").json()
    assert prompts["count"] >= 40
    assert {r["category"] for r in prompts["results"]} == {"journaling_prompt"}


def test_bad_query_parameters_are_400(auth_client):
    assert auth_client.get("/api/v1/knowledge/?category=astrology").status_code == 400
    assert auth_client.get(f"/api/v1/knowledge/?q={'x' * 201}").status_code == 400


@pytest.mark.parametrize("q", ["-" * 40, "- " * 40 + "sleep", "-!" * 40])
def test_a_long_run_of_minus_signs_searches_the_library(auth_client, browser_client, q):
    # 33 NOTs in a row overflowed websearch_to_tsquery's stack ("tsquery stack too small").
    assert auth_client.get("/api/v1/knowledge/", {"q": q}).status_code == 200
    assert browser_client.get("/library/", {"q": q}).status_code == 200


def test_detail_by_slug_and_404(auth_client):
    body = auth_client.get("/api/v1/knowledge/thought-record/").json()
    assert body["name"] == "Thought record"
    assert body["questions"]
    assert "patterns" not in body
    assert auth_client.get("/api/v1/knowledge/no-such-thing/").status_code == 404


def test_knowledge_answers_carry_an_etag(auth_client):
    response = auth_client.get("/api/v1/knowledge/box-breathing/")
    assert auth_client.get("/api/v1/knowledge/box-breathing/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_todays_prompt_turns_at_the_persons_midnight_alike_in_the_api_and_on_the_pages(
    auth_client, browser_client, user
):
    user.profile.time_zone = "Pacific/Honolulu"  # UTC-10
    user.profile.save()
    seen = []
    # 23:59 on 10 June there, then 00:01 on 11 June (10:01 UTC: the same UTC day as before).
    for instant in (datetime.datetime(2024, 6, 11, 9, 59), datetime.datetime(2024, 6, 11, 10, 1)):
        with time_machine.travel(instant.replace(tzinfo=datetime.UTC), tick=False):
            prompt = auth_client.get("/api/v1/prompts/today/").json()
            assert html.escape(prompt["text"]) in browser_client.get("/today/").content.decode()
            assert html.escape(prompt["text"]) in browser_client.get("/reflect/").content.decode()
            seen.append((prompt["date"], prompt["slug"]))
    assert [date for date, _ in seen] == ["2024-06-10", "2024-06-11"]
    assert seen[0][1] != seen[1][1]


def test_todays_prompt(auth_client):
    body = auth_client.get("/api/v1/prompts/today/").json()
    assert body["slug"].startswith("prompt-")
    assert body["text"]
    assert body["source"]
    assert body["date"]
    assert auth_client.get("/api/v1/prompts/today/").json() == body
