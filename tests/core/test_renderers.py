"""The orjson renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from journal_project.api.renderers import FastJSONRenderer

SAMPLES = [
    {"count": 2, "next": None, "results": [{"id": 1, "title": "Café ☕", "mood": 3, "sentiment": 0.4215, "tags": []}]},
    {"when": datetime.datetime(2024, 5, 1, 18, 3, 11, 204512, tzinfo=datetime.UTC), "day": datetime.date(2024, 5, 1)},
    {"naive": datetime.datetime(2024, 5, 1, 18, 3), "time": datetime.time(7, 30)},
    {"uid": uuid.UUID("6d7b3f2e-2c1a-4b7e-9a51-0c4f8c1e2a33"), "amount": decimal.Decimal("1.50")},
    {"lazy": gettext_lazy("Not found."), "separators": "line\u2028paragraph\u2029end", "quote": 'a "b" \\ c'},
    [1, 2.5, True, False, None, "x", {"nested": [{"deep": []}]}],
    {"big": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indent_from_the_accept_header_is_honoured():
    data = {"a": [1, 2]}
    rendered = FastJSONRenderer().render(data, "application/json; indent=2")
    assert rendered == JSONRenderer().render(data, "application/json; indent=2")
    assert b"\n" in rendered


def test_none_is_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


def test_non_finite_floats_render_as_null_instead_of_failing():
    assert json.loads(FastJSONRenderer().render({"x": float("nan")})) == {"x": None}
