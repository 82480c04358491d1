"""Database backends of the project (see journal_project/db/postgresql)."""
