"""The state of one open transaction of the loop, and the hooks a caller measuring the loop plugs in."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

Partition = tuple[str, int]


@dataclass
class Transaction:
    """One open transaction: created at step 2, gone at step 8 or 9."""

    in_place_deadline: float  # in-place retries stop here, for the whole transaction
    fetched: set[Partition]  # partitions consume() advanced: an abort rewinds them, processed or not
    started: float = field(default_factory=time.monotonic)
    records: int = 0
    outputs: int = 0
    next_offsets: dict[Partition, int] = field(default_factory=dict)  # partitions processed

    def due(self, batch_size: int, commit_interval_s: float) -> bool:
        """Full, or open for the commit interval: time to commit (steps 5-8)."""
        return self.records >= batch_size or time.monotonic() - self.started >= commit_interval_s


class LoopHooks:
    """What a caller measuring the loop observes (the pipeline benchmark); the processors use these no-ops."""

    def consumed(self, records: int) -> None:
        """``records`` records came from one consume() call."""

    def committed(self, started: float, offsets: dict[Partition, int], records: int) -> bool:
        """A commit that began at ``started`` (perf_counter) succeeded; return True to stop the loop."""
        return False

    def aborted(self, reason: str) -> None:
        pass
