"""PostgreSQL only: the search trigger fires only for updates that set a text or the vector.

Re-creates the trigger from `entries.search.trigger_sql` (idempotent: it drops the old one
first); an update of the sentiment, the mood or the version alone keeps the row's vector.
"""

from django.conf import settings
from django.db import migrations

from entries import search


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search.trigger_sql(getattr(settings, "JOURNAL_SEARCH_CONFIG", "english")):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("entries", "0002_search_trigger")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop, elidable=False)]
