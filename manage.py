#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Importing the package chooses the profile, from .env too (journal_project/envfile.py).
    import journal_project  # noqa: F401

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal_project.settings.base")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Read the settings before the command: Django keeps a settings error aside until the
    # command needs a setting, and `shell` ran on without any. A refused value stops every
    # command here with its one line (journal_project/environment.py).
    settings.INSTALLED_APPS  # noqa: B018

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
