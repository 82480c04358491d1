#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Importing the package chooses the profile, from .env too (journal_project/envfile.py).
    import journal_project  # noqa: F401

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal_project.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
