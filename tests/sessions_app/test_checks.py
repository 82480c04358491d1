"""The companion's settings are checked at start, not discovered one offline reply at a time."""

from __future__ import annotations

import pytest
from django.core import checks


def companion_warnings() -> list[str]:
    return [message.id for message in checks.run_checks() if message.id and message.id.startswith("sessions_app.")]


def test_no_provider_no_warning(settings):
    settings.AI_PROVIDER_URL = ""
    settings.AI_MODEL = ""
    assert companion_warnings() == []


def test_a_provider_without_a_model_is_named(settings):
    """Every reply fell back to the offline companion, with no word at start about why."""
    settings.AI_PROVIDER_URL = "http://127.0.0.1:11434/v1"
    settings.AI_MODEL = ""
    assert companion_warnings() == ["sessions_app.W002"]


@pytest.mark.parametrize("url", ["127.0.0.1:11434/v1", "ftp://models.example.org", "http://"])
def test_a_provider_url_that_is_not_http_is_named(settings, url):
    settings.AI_PROVIDER_URL = url
    settings.AI_MODEL = "llama3.1:8b"
    assert companion_warnings() == ["sessions_app.W001"]


def test_a_complete_configuration_passes(settings):
    settings.AI_PROVIDER_URL = "https://api.example.org/v1"
    settings.AI_MODEL = "gpt-4o-mini"
    assert companion_warnings() == []
