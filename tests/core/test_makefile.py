"""The Makefile's commands as an operator runs them (dry runs: nothing is started)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_command() -> str:
    env = {**os.environ, "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"}
    env.pop("WORKER_NAME", None)
    out = subprocess.run(["make", "-s", "-n", "worker"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_two_workers_started_with_make_on_one_machine_get_node_names_of_their_own():
    # Two workers with the default name (celery@host) clash on the broker's pidbox queue.
    first, second = worker_command(), worker_command()
    names = [re.search(r"--hostname=(\S+)", command).group(1) for command in (first, second)]
    assert names[0] != names[1]
    assert all(name.endswith("@%h") for name in names)
