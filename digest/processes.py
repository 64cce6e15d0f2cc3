"""How many processes a build may run at once, and whether it may fork them now.

Asked at the command line's start (before the build's modules load, so this imports
nothing of them) and by each stage that forks workers.
"""

from __future__ import annotations

import os
import threading


def cpu_count() -> int:
    """CPUs this process may use (a CI container often has fewer than the machine)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def forkable() -> bool:
    """Whether this process may fork workers: the platform has fork, and no other thread
    runs (a thread holding a lock at the fork would leave it held in the child forever;
    `digest serve` builds beside its server's threads)."""
    import multiprocessing  # (only once a build asks: the command line starts without it)

    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
