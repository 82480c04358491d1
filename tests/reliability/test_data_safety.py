"""Data safety: deleting an account deletes everything of it, cache included, and says so;
a backup taken with pg_dump restores with pg_restore into an identical database.

Import atomicity and idempotency are proved in tests/entries/api/test_import.py
(a bad entry imports nothing, re-importing imports nothing) and tests/entries/test_caching.py
(concurrent imports of one file create each entry once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from entries import services as entry_services
from entries.models import Entry, EntryTombstone, Tag
from journal_project import caching
from journal_project.accounts.models import ApiToken, Profile
from journal_project.models import CacheGeneration
from sessions_app import services as session_services
from sessions_app.models import Message, ReflectionSession
from tests.conftest import make_api_client
from tests.factories import PASSWORD, UserFactory
from tests.reliability.conftest import record

ROOT = Path(__file__).resolve().parents[2]


def fill_journal(user) -> None:
    entry_services.entry_create(user=user, title="Kept private", body="Body text.", tags=["home"], mood=3)
    gone = entry_services.entry_create(user=user, title="Deleted later", body="x")
    entry_services.entry_delete(entry=gone)
    session = session_services.session_create(user=user, title="Evening")
    session_services.message_post(user=user, session_id=session.pk, content="A long day at work.")


def rows_of(user_id: int) -> dict[str, int]:
    return {
        "entries": Entry.objects.filter(user_id=user_id).count(),
        "tags": Tag.objects.filter(user_id=user_id).count(),
        "tombstones": EntryTombstone.objects.filter(user_id=user_id).count(),
        "sessions": ReflectionSession.objects.filter(user_id=user_id).count(),
        "messages": Message.objects.filter(session__user_id=user_id).count(),
        "tokens": ApiToken.objects.filter(user_id=user_id).count(),
        "profiles": Profile.objects.filter(user_id=user_id).count(),
        "cache generations": CacheGeneration.objects.filter(
            scope_id=user_id, namespace__in=["entries", "sessions"]
        ).count(),
    }


def keys_of(user_id: int) -> list[str]:
    return [*cache.keys(f"j:entries:{user_id}:*"), *cache.keys(f"j:sessions:{user_id}:*")]


def warm(client, user) -> None:
    for path in ("/api/v1/entries/", "/api/v1/tags/", "/api/v1/stats/", "/api/v1/sessions/"):
        assert client.get(path).status_code == 200
    session_id = ReflectionSession.objects.filter(user=user).values_list("pk", flat=True)[0]
    assert client.get(f"/api/v1/sessions/{session_id}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("knowledge_base")
def test_deleting_an_account_deletes_its_journal_sessions_and_cached_data(
    browser_client, user, django_capture_on_commit_callbacks
):
    neighbour = UserFactory()
    for person in (user, neighbour):
        fill_journal(person)
    api, neighbours_api = make_api_client(user), make_api_client(neighbour)
    warm(api, user)
    warm(neighbours_api, neighbour)
    assert all(rows_of(user.pk).values())
    assert keys_of(user.pk)
    neighbours_keys = set(keys_of(neighbour.pk))

    with django_capture_on_commit_callbacks(execute=True):  # the key clean-up task runs on commit
        response = browser_client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "have been deleted" in response.content.decode()  # the page says what happened

    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert rows_of(user.pk) == dict.fromkeys(rows_of(user.pk), 0)
    assert keys_of(user.pk) == []  # nothing of theirs is left in Redis
    assert api.get("/api/v1/entries/").status_code == 401
    assert browser_client.get("/entries/").status_code == 302  # logged out
    # The neighbour lost nothing, not even cached data.
    assert all(rows_of(neighbour.pk).values())
    assert neighbours_keys <= set(keys_of(neighbour.pk))
    assert neighbours_api.get("/api/v1/entries/").json()["count"] == 1
    record("data safety: account deletion: tables emptied for the person", len(rows_of(user.pk)))


@pytest.mark.django_db
@pytest.mark.usefixtures("knowledge_base")
def test_deleting_an_account_while_redis_is_down_leaves_its_keys_unreachable(
    auth_client, user, redis_proxy, django_capture_on_commit_callbacks
):
    from journal_project import caching

    fill_journal(user)
    warm(auth_client, user)
    old_generation = caching.current_generation(caching.ENTRIES, user.pk)
    redis_proxy.cut()
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert rows_of(user.pk) == dict.fromkeys(rows_of(user.pk), 0)
    # The keys could not be deleted, but the generations that named them are gone: a key
    # is only ever computed from a generation row, and a new row starts from the clock.
    assert not CacheGeneration.objects.filter(scope_id=user.pk, namespace="entries").exists()
    caching.reset_request_state()
    assert caching.current_generation(caching.ENTRIES, user.pk) > old_generation


# --- Backup and restore (docs/operations.md) ----------------------------------------------


def _pg_env() -> dict[str, str]:
    database = connection.settings_dict
    env = {**os.environ, "PGHOST": database["HOST"] or "127.0.0.1", "PGPORT": str(database["PORT"] or 5432)}
    env["PGUSER"] = database["USER"] or "postgres"
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def _fingerprints(database: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table of ours."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ("entries", "sessions_app", "accounts", "core", "monitoring", "auth")
        and not model._meta.proxy
    )
    query = " UNION ALL ".join(
        f"SELECT '{table}', count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') "
        f'FROM "{table}" t'
        for table in tables
    )
    result = subprocess.run(
        ["psql", "-X", "-A", "-t", "-F", "\t", "-d", database, "-c", query],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    fingerprints = {}
    for line in result.stdout.strip().splitlines():
        table, count, checksum = line.split("\t")
        fingerprints[table] = (int(count), checksum)
    return fingerprints


def _generation_table_oid(database: str) -> str:
    result = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--dbname",
            database,
            "--command",
            "SELECT 'core_cachegeneration'::regclass::oid",
        ],
        env=_pg_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("knowledge_base")
def test_a_pg_dump_backup_restores_into_an_identical_database(tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("pg_dump, pg_restore and psql are needed (apt-get install postgresql-client)")
    for _ in range(3):
        fill_journal(UserFactory())
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore_{uuid.uuid4().hex[:6]}"
    backup = tmp_path / "journal.dump"
    env = _pg_env()

    # The commands of docs/operations.md, "Backup" and "Restore".
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={backup}", source], env=env, check=True)
    subprocess.run(["createdb", target], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(backup)], env=env, check=True
        )
        before, after = _fingerprints(source), _fingerprints(target)
        assert after == before
        # The restored copy is a new storage epoch: its generations restart "in the past",
        # but every cache key and ETag carries the epoch, so they can never meet old keys.
        assert _generation_table_oid(target) != caching.storage_epoch()
        assert before["entries_entry"][0] == 3  # one kept per person (the other is a tombstone)
        assert before["entries_entrytombstone"][0] == 3
        # The restored database is one the app accepts as is: no migration missing.
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check", "--noinput"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "journal_project.settings.base",
                "DATABASE_URL": f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{target}",
                "REDIS_URL": "",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        subprocess.run(["dropdb", "--if-exists", target], env=env, check=True)
    record("data safety: backup/restore: tables compared", len(before))
    record("data safety: backup/restore: rows compared", sum(count for count, _ in before.values()))
