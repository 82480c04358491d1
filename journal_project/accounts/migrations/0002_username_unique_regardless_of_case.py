"""Usernames unique regardless of case, in the database (PostgreSQL and SQLite alike).

Registration checked `username__iexact` before inserting, so two sign-ups at the same
moment could both pass: "ada" and "Ada" became two accounts, and the same name twice a
500 from Django's own unique index. The index is on UPPER(username), the expression
`iexact` compares, so it also serves that lookup. An installation that already holds
names differing only in case keeps migrating (a warning names them) and keeps the check
in the service; an operator renames them and runs the statement below to get the index.
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

INDEX = "accounts_user_username_upper_uniq"
CREATE = f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON auth_user (UPPER(username))"
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT UPPER(username) FROM auth_user GROUP BY UPPER(username) HAVING COUNT(*) > 1")
        clashes = [row[0] for row in cursor.fetchall()]
    if clashes:
        logger.warning("Not created: usernames differing only in case (%s). Then: %s", ", ".join(clashes[:10]), CREATE)
        return
    schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
