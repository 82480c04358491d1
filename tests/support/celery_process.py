"""A real `celery worker` process, which a test can SIGKILL in the middle of a task.

An in-process worker (tests/support/celery_worker.py) cannot be killed without killing
the test; this one runs the app with the base settings, as `make worker` does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    def __init__(self, name: str, queue: str, env: dict[str, str]) -> None:
        self.name = name
        self.queue = queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "journal_project.settings.base",
            "LOG_FORMAT": "text",
            **env,
        }
        self.log_file = Path(tempfile.mkstemp(prefix=f"journal-worker-{name}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60, *, wait_until_ready: bool = True) -> None:
        with self.log_file.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "journal_project",
                    "worker",
                    "--pool=solo",
                    f"--queues={self.queue}",
                    f"--hostname={self.name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait_until_ready:
            self.wait_for_log(r"\bready\.", timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_for_log(self, pattern: str, timeout: float = 30) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"worker {self.name}: no {pattern!r} in its log:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no ack, no clean-up; exactly what an OOM kill or a power cut does."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.unlink(missing_ok=True)
