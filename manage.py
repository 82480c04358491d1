#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Importing the package reads .env (journal_project/envfile.py) before the default
    # profile is chosen, so DJANGO_SETTINGS_MODULE may come from there as well.
    import journal_project  # noqa: F401

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal_project.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
