"""The production web server: `python -m journal_project.serve [gunicorn options]`.

The same as `gunicorn -c journal_project/gunicorn.conf.py journal_project.wsgi [options]`,
with the configuration file read first: gunicorn reads `WEB_CONCURRENCY` itself, with
`int()`, when it is imported, before any configuration file, so `WEB_CONCURRENCY=x`
stopped `gunicorn` with a ValueError traceback from gunicorn's own code. Here every
setting, gunicorn's and the app's, is checked before gunicorn is imported, and a refused
one stops the start with its one line (journal_project/environment.py).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().with_name("gunicorn.conf.py")


def main(argv: list[str] | None = None) -> None:
    runpy.run_path(str(CONFIG))  # exits with the one line when a value is refused
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", "-c", str(CONFIG), *(sys.argv[1:] if argv is None else argv)]
    run()


if __name__ == "__main__":
    main()
