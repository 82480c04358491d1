"""The authentication queries compiled once: same rows, same objects, one query."""

from __future__ import annotations

import datetime

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


def test_the_sentinel_must_reach_a_parameter():
    ignored = PrecompiledQuery(lambda value: ApiToken.objects.filter(name="fixed"), sentinel="\x00x\x00")
    with pytest.raises(ValueError, match="must appear"):
        ignored.first("anything")


def test_a_value_used_twice_goes_to_both_places(user):
    issued = token_issue(user=user, name="same")
    ApiToken.objects.filter(pk=issued.token.pk).update(prefix="same")
    both = PrecompiledQuery(lambda value: ApiToken.objects.filter(name=value, prefix=value), sentinel="\x00x\x00")
    assert both.first("same").pk == issued.token.pk
    # Had only the first place taken the value, the other would still hold the sentinel.
    ApiToken.objects.filter(pk=issued.token.pk).update(prefix="other")
    assert both.first("same") is None


def test_several_values_each_take_their_sentinels_place(user, other_user):
    query = PrecompiledQuery(
        lambda user_id, name: ApiToken.objects.filter(user_id=user_id, name=name),
        sentinels=(-1_999_999_937, "\x00name-sentinel\x00"),
    )
    issued = token_issue(user=user, name="phone")
    token_issue(user=other_user, name="phone")
    assert query.first(user.pk, "phone").pk == issued.token.pk
    assert query.first(user.pk, "tablet") is None
    with pytest.raises(TypeError):
        query.first(user.pk)


# --- PrecompiledRows ------------------------------------------------------------------------


def test_rows_are_the_orms_rows_for_each_value_and_shape(user, other_user):
    from entries.models import Entry
    from journal_project.precompiled import PrecompiledRows
    from tests.entries.factories import EntryFactory

    for day in range(1, 6):
        EntryFactory(user=user, entry_date=datetime.date(2024, 3, day), mood=day)
    EntryFactory(user=other_user, entry_date=datetime.date(2024, 3, 9))
    built = []

    def build(user_id, month, *, offset, limit):
        built.append((offset, limit))
        return (
            Entry.objects.filter(user_id=user_id, entry_date__month=month)
            .values_list("pk", "entry_date", "updated_at")
            .order_by("entry_date")[offset : offset + limit]
        )

    query = PrecompiledRows(build, -1, -2)
    for owner in (user, other_user):
        for offset in (0, 2, 4):
            expected = list(build(owner.pk, 3, offset=offset, limit=2))
            assert query.rows(owner.pk, 3, offset=offset, limit=2) == expected
    assert query.rows(user.pk, 4, offset=0, limit=2) == []
    # Compiled once per shape (with the sentinels), then only run: the ORM calls above
    # and the three shapes' compilations are all the builds there were.
    assert built.count((0, 2)) == 2 + 1
    row = query.rows(user.pk, 3, offset=0, limit=1)[0]
    assert isinstance(row[1], datetime.date)  # the ORM's converters ran
    assert row[2].tzinfo is not None


def test_rows_aggregate_and_wrapped_parameters(user):
    from django.db.models import Avg, Count

    from entries.models import Entry
    from journal_project.precompiled import PrecompiledRows
    from tests.entries.factories import EntryFactory

    EntryFactory(user=user, entry_date=datetime.date(2023, 7, 4), mood=2)
    EntryFactory(user=user, entry_date=datetime.date(2024, 7, 4), mood=4)
    EntryFactory(user=user, entry_date=datetime.date(2024, 7, 5), mood=5)
    query = PrecompiledRows(
        # EXTRACT's parameters arrive wrapped by the backend (psycopg's Int4): they are found and re-wrapped.
        lambda user_id, day: (
            Entry.objects.filter(user_id=user_id, entry_date__day=day)
            .values_list("entry_date__month")
            .annotate(Count("id"), Avg("mood"))
            .order_by()
        ),
        -1,
        -3,
    )
    assert query.rows(user.pk, 4) == [(7, 2, 3.0)]
    assert query.rows(user.pk, 5) == [(7, 1, 5.0)]
    assert query.rows(user.pk, 6) == []


def test_rows_need_each_sentinel_in_a_parameter(user):
    from journal_project.precompiled import PrecompiledRows

    ignored = PrecompiledRows(lambda value: ApiToken.objects.filter(name="fixed").values_list("pk"), "\x00x\x00")
    with pytest.raises(ValueError, match="must appear"):
        ignored.rows("anything")
    twice = PrecompiledRows(
        lambda value: ApiToken.objects.filter(name=value, prefix=value).values_list("pk"), "\x00x\x00"
    )
    issued = token_issue(user=user, name="same")
    ApiToken.objects.filter(pk=issued.token.pk).update(prefix="same")
    assert twice.rows("same") == [(issued.token.pk,)]
    assert twice.rows("prefix-only") == []
    with pytest.raises(TypeError):
        twice.rows()
