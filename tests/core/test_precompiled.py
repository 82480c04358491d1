"""The authentication queries compiled once: same rows, same objects, one query."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal_project import caching
from journal_project.accounts.models import ApiToken, hash_token
from journal_project.accounts.services import token_issue
from journal_project.precompiled import PrecompiledQuery

pytestmark = pytest.mark.django_db


def _orm(key_hash: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user", "user__profile")
        .annotate(**caching.generation_annotations("user_id"))
        .filter(key_hash=key_hash)
        .first()
    )


QUERY: PrecompiledQuery[ApiToken] = PrecompiledQuery(
    lambda key_hash: (
        ApiToken.objects.select_related("user", "user__profile")
        .annotate(**caching.generation_annotations("user_id"))
        .filter(key_hash=key_hash)
    ),
    sentinel="\x00test-sentinel\x00",
)


def test_hydrates_the_same_objects_as_the_orm(user):
    caching.bump(caching.ENTRIES, user.pk)
    issued = token_issue(user=user, name="phone")
    key_hash = hash_token(issued.raw)
    expected = _orm(key_hash)
    with CaptureQueriesContext(connection) as queries:
        token = QUERY.first(key_hash)
        # The related objects and the annotations came with the one query.
        assert token.user.username == user.username
        assert token.user.profile.time_zone == expected.user.profile.time_zone
    assert len(queries) == 1
    assert token.pk == expected.pk
    assert token.expires_at == expected.expires_at  # aware datetimes, converted like the ORM's
    assert token.expires_at.tzinfo is not None
    for namespace in caching.NAMESPACES:
        assert getattr(token, namespace.annotation) == getattr(expected, namespace.annotation)
    assert getattr(token, caching.ENTRIES.annotation) > 0


def test_missing_row_is_none(user):
    assert QUERY.first(hash_token("never-issued")) is None


def test_user_without_profile(user):
    user.profile.delete()
    issued = token_issue(user=get_user_model().objects.get(pk=user.pk))
    token = QUERY.first(hash_token(issued.raw))
    assert token is not None
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(get_user_model().profile.RelatedObjectDoesNotExist),
    ):
        token.user.profile  # noqa: B018  (known missing: no extra query, as with select_related)
    assert len(queries) == 0


def test_each_call_sees_the_current_row(user):
    issued = token_issue(user=user)
    key_hash = hash_token(issued.raw)
    assert QUERY.first(key_hash).revoked_at is None
    ApiToken.objects.filter(key_hash=key_hash).update(name="renamed")
    assert QUERY.first(key_hash).name == "renamed"


def test_the_sentinel_must_be_a_single_parameter():
    query = PrecompiledQuery(lambda value: ApiToken.objects.filter(name=value, prefix=value), sentinel="\x00x\x00")
    with pytest.raises(ValueError, match="exactly one"):
        query.first("anything")
