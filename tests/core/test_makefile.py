"""The Makefile's commands as an operator runs them (nothing is started, installed or downloaded)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_virtual_environment_that_fails_half_way_is_removed_so_the_next_make_starts_again(tmp_path):
    # Debian's and Ubuntu's python3 without python3-venv: the directory and its python are
    # made, ensurepip is missing. Kept, it passed for made and every later `make run`
    # failed on "No module named pip", even once python3-venv was installed.
    python = tmp_path / "python3"
    python.write_text(
        "#!/bin/sh\n"
        f'"{sys.executable}" -m venv --without-pip "$3"\n'
        'echo "The virtual environment was not created successfully because ensurepip is not available." >&2\n'
        "exit 1\n"
    )
    python.chmod(0o755)
    venv = tmp_path / "venv"
    done = make(str(venv / "bin" / "python"), f"VENV={venv}", f"PYTHON={python}")
    assert done.returncode != 0
    assert not venv.exists()
    assert "apt install python3-venv" in done.stderr


def test_a_virtual_environment_without_pip_left_from_before_is_named_with_what_to_do(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    done = make("install-base", f"VENV={venv}")
    assert done.returncode != 0
    assert f"{venv} has no pip" in done.stderr
    assert "No module named pip" not in done.stderr
