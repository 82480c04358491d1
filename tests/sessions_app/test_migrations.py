"""sessions_app 0002: every existing session gets its own uid, then the uid is unique per person."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("sessions_app", "0001_initial")]
AFTER = [("sessions_app", "0002_reflectionsession_uid")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_sessions_get_distinct_uids():
    ada, bob = UserFactory(), UserFactory()
    old = migrate(BEFORE)
    try:
        Session = old.get_model("sessions_app", "ReflectionSession")
        for user in (ada, bob, ada, bob, ada):
            Session.objects.create(user_id=user.pk, title="before the uid")
    finally:
        new = migrate(AFTER)  # the schema goes back to the latest state even when the test fails
    uids = list(new.get_model("sessions_app", "ReflectionSession").objects.values_list("uid", flat=True))
    assert len(uids) == 5
    assert None not in uids
    assert len(set(uids)) == 5
