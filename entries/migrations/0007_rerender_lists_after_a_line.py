"""A list may start on the line after a paragraph's ("Shopping:" then "- milk"): re-render.

`body_html` is stored per entry, and the entries written before rendered such a list as one
paragraph with the dashes in it (entries.rendering `_ListsInterruptParagraphs`). Every
entry is rendered again with the current renderer, in batches of BATCH_SIZE, and only the
ones whose HTML changes are written: `body_html` alone. Nothing else stored comes from it:
`word_count` and the search vector are made from the body (the trigger does not fire on
`body_html`), excerpts and search headlines from `body_html` when they are shown. Those,
the list's cards and the API's answers are cached (and a client's ETag stands for them):
the generations of each person whose entries changed move, in the batch's transaction, as
migrations 0004 and 0006 moved everyone's (kept in the database, so this works with Redis
down too). `updated_at` stays: nobody edited the entries.

Not atomic as a whole: each batch is a transaction of its own that locks its rows, so an
edit saved meanwhile waits for it rather than being overwritten with HTML from the body
before the edit, and a migration stopped half-way is simply run again (entries already
re-rendered render the same and are not written). Backwards it does nothing: the previous
renderer's code is gone, and an entry gets its HTML again when it is next saved.
"""

from django.db import migrations, transaction
from django.db.models import F

from entries import rendering

BATCH_SIZE = 200


def rerender(apps, schema_editor):
    entries = apps.get_model("entries", "Entry")
    generations = apps.get_model("core", "CacheGeneration")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        with transaction.atomic(using=alias):
            rows = list(
                entries.objects.using(alias)
                .select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "user_id", "body", "body_html")[:BATCH_SIZE]
            )
            if not rows:
                return
            last = rows[-1][0]
            changed, people = [], set()
            for pk, user_id, body, body_html in rows:
                html = rendering.render_markdown(body)
                if html != body_html:
                    changed.append(entries(pk=pk, body_html=html))
                    people.add(user_id)
            if changed:
                entries.objects.using(alias).bulk_update(changed, ["body_html"])
                generations.objects.using(alias).filter(
                    namespace__in=["entries", "entry_versions"], scope_id__in=people
                ).update(value=F("value") + 1)


class Migration(migrations.Migration):
    atomic = False  # a transaction per batch (see above)

    dependencies = [("entries", "0006_excerpts_keep_blocks_apart"), ("core", "0001_initial")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True)]
