"""What a long build shows while it runs: a bar on a terminal, plain lines in a log.

A cold build of thousands of articles takes a while, and a silent terminal looks hung.
On a terminal the bar is redrawn in place (at most ten times a second) and erased when
the build ends, so the one-line result stays the only thing left. A CI log cannot
redraw, so there the same progress is a few plain lines. Small builds, which finish
before anyone looks, show nothing at all. `Timer` times each stage for `-v` and tells
the display which stage is running.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from typing import TextIO

SHOW_AFTER = 1.0
"""Seconds before anything is shown: most rebuilds are over by then."""
WIDTH = 30
LOG_FROM = 200


class Progress:
    """Called by the build as `progress(stage, done, total)`; total 0 means no count."""

    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._interactive = self._stream.isatty() if interactive is None else interactive
        self._started = time.monotonic()
        self._drawn = 0.0
        self._stage = ""
        self._logged = -1
        self._visible = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._started < SHOW_AFTER:
            self._stage = stage
            return
        if self._interactive:
            if now - self._drawn >= 0.1 or done == total or stage != self._stage:
                self._draw(stage, done, total)
                self._drawn = now
        else:
            self._log(stage, done, total)
        self._stage = stage

    def print(self, line: str) -> None:
        """A message (a warning, a stage time) on its own line, never inside the bar."""
        self.close()
        self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Erase the bar, leaving the terminal as it was."""
        if self._interactive and self._visible:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._visible = False

    def _draw(self, stage: str, done: int, total: int) -> None:
        if total:
            filled = WIDTH * done // total
            bar = "#" * filled + "-" * (WIDTH - filled)
            line = f"{stage:<10} [{bar}] {done}/{total}"
        else:
            line = f"{stage:<10} ..."
        self._stream.write("\r\033[K" + line)
        self._stream.flush()
        self._visible = True

    def _log(self, stage: str, done: int, total: int) -> None:
        """A line per quarter of a counted stage (-v adds each stage's time), only for
        LOG_FROM articles or more, so a test's or a small site's log stays clean."""
        if total < LOG_FROM:
            return
        quarter = 4 * done // total
        if stage == self._stage and quarter == self._logged:
            return
        self._logged = quarter
        self._stream.write(f"{stage} {done}/{total}\n")
        self._stream.flush()


class Timer:
    """Times the stages, reports them (-v) and tells the progress display."""

    def __init__(
        self,
        log: Callable[[str], None] | None,
        progress: Callable[[str, int, int], None] | None,
    ) -> None:
        self.stages: list[tuple[str, float]] = []
        self.log = log
        self.progress = progress

    def __call__(self, name: str) -> AbstractContextManager[None]:
        return self._stage(name)

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        begin = time.perf_counter()
        if self.progress:
            self.progress(name, 0, 0)
        yield
        self.stages.append((name, time.perf_counter() - begin))
        if self.log:
            self.log(f"{name:<10} {self.stages[-1][1] * 1000:8.1f} ms")

    def counter(self, name: str) -> Callable[[int, int], None] | None:
        return partial(self.progress, name) if self.progress else None
