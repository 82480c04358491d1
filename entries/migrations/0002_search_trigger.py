"""PostgreSQL only: the trigger that keeps Entry.search_vector current, and its GIN index.

Guarded by the database vendor so the embedded default (SQLite) still migrates; it
searches with a simple fallback instead (entries.search).
"""

from django.conf import settings
from django.db import migrations

from entries import search


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search.trigger_sql(getattr(settings, "JOURNAL_SEARCH_CONFIG", "english")):
        schema_editor.execute(statement)
    # Rows written before the trigger existed get their vector now (setting the vector
    # fires the trigger, which computes it).
    schema_editor.execute("UPDATE entries_entry SET search_vector = NULL")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search.DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("entries", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
