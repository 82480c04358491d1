"""PostgreSQL only: search folds accents ("cafe" finds "café").

Builds the `journal_search` text search configuration (a copy of JOURNAL_SEARCH_CONFIG
with the `unaccent` extension in front of its dictionaries, `entries.search.install_config`),
points the trigger at it and recomputes every entry's vector. Where the extension cannot
be created the copy stays accent-sensitive and the migration still succeeds.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import F

from entries import search


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        search.install_config(cursor, getattr(settings, "JOURNAL_SEARCH_CONFIG", "english") or "english")
    for statement in search.trigger_sql(search.CONFIG):
        schema_editor.execute(statement)
    # Setting the vector fires the trigger, which computes it in the new configuration.
    schema_editor.execute("UPDATE entries_entry SET search_vector = NULL")
    _invalidate_cached_entries(apps)


def _invalidate_cached_entries(apps):
    # Cached searches were answered, and headlines marked, under the old configuration:
    # move every person's generations of both (kept in the database, so this works with
    # Redis down too).
    generations = apps.get_model("core", "CacheGeneration")
    generations.objects.filter(namespace__in=["entries", "entry_versions"]).update(value=F("value") + 1)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search.trigger_sql(getattr(settings, "JOURNAL_SEARCH_CONFIG", "english") or "english"):
        schema_editor.execute(statement)
    schema_editor.execute("UPDATE entries_entry SET search_vector = NULL")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {search.CONFIG}")
    _invalidate_cached_entries(apps)


class Migration(migrations.Migration):
    dependencies = [("entries", "0003_search_trigger_on_text_columns"), ("core", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
