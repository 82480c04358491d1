"""A `uid` for every reflection session (its identity in export files), unique per person.

Three steps, so existing rows get distinct values: a field with a callable default added
in one step would give every existing row the same UUID (Django evaluates it once), and
the unique constraint would then fail. The whole migration is one transaction (on
PostgreSQL the ALTER TABLE locks the table until it commits), so no session can be
inserted without a uid between the fill and the NOT NULL.
"""

import uuid

from django.db import migrations, models


def fill_uids(apps, schema_editor):
    ReflectionSession = apps.get_model("sessions_app", "ReflectionSession")
    if schema_editor.connection.vendor == "postgresql":
        # One statement, however many sessions; gen_random_uuid() is built in since PostgreSQL 13.
        schema_editor.execute(
            f"UPDATE {schema_editor.quote_name(ReflectionSession._meta.db_table)} "
            "SET uid = gen_random_uuid() WHERE uid IS NULL"
        )
        return
    pending = ReflectionSession.objects.filter(uid__isnull=True).only("pk")
    while batch := list(pending[:1000]):
        for session in batch:
            session.uid = uuid.uuid4()
        ReflectionSession.objects.bulk_update(batch, ["uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reflectionsession",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reflectionsession",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name="reflectionsession",
            constraint=models.UniqueConstraint(fields=("user", "uid"), name="sessions_session_unique_uid_per_user"),
        ),
    ]
