"""The data set's parameters (importable without Django: bench/run.py compares them before seeding)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class SeedParams:
    users: int = 50
    entries: int = 400  # per user
    sessions: int = 8  # per user; the most recent one stays active (the write target)
    seed: int = 20240611
    # Bump when the generator changes, so an old bench database is not reused.
    version: int = 1

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)
