"""Excerpts and search headlines keep a body's blocks apart ("milk. eggs", not "milk eggs").

Nothing in the tables changes: excerpts and headlines are made from the stored HTML when
they are shown. But people's list pages, entry cards, search results and headlines are
cached in Redis (and a client's ETag stands for them) in the old form, until a write or
their TTL: every person's generations of both namespaces move, so the next read makes
them again (kept in the database, so this works with Redis down too), as migration 0004
did for the accent-folding search.
"""

from django.db import migrations
from django.db.models import F


def invalidate_cached_entries(apps, schema_editor):
    generations = apps.get_model("core", "CacheGeneration")
    generations.objects.filter(namespace__in=["entries", "entry_versions"]).update(value=F("value") + 1)


class Migration(migrations.Migration):
    dependencies = [("entries", "0005_list_order_covering_index"), ("core", "0001_initial")]

    operations = [migrations.RunPython(invalidate_cached_entries, invalidate_cached_entries, elidable=True)]
