"""The list's date index also holds its tiebreak and what the list, its count and the stats read.

With it, a page deep in a 20,000-entry journal, the entry count and the per-day stats are
index-only scans instead of reading (and for the pages, sorting) the whole table
(docs/performance.md, Pages). The read columns are key columns rather than `include`,
which SQLite (the embedded default) does not have. The new index is built before the old
one goes, so the list always has one.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("entries", "0004_search_folds_accents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["user", "-entry_date", "-created_at", "-id", "updated_at", "word_count", "mood", "sentiment"],
                name="entries_user_date_cover_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="entries_user_date_idx",
        ),
    ]
