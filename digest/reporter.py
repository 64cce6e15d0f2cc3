"""Where a build's warnings go: the terminal, nowhere, or a list a test can read.

A bad content file should not stop a digest of fifty good ones, so most problems with
content are warnings: the file is skipped and the build goes on. Stages hand each
problem to a Reporter instead of printing it, which keeps `build()` free of I/O and
lets a test assert the exact warnings (the Lektor reporter pattern). A warning is a
`DigestError` that was not raised, so it carries the same file, line and message.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

from digest.errors import DigestError


class Reporter(Protocol):
    """Receives every warning of a build, in the order they are found."""

    def warn(self, problem: DigestError) -> None: ...


class NullReporter:
    """Drops warnings; `BuildResult.warnings` still lists them."""

    def warn(self, problem: DigestError) -> None:
        return None


class BufferReporter:
    """Keeps warnings in a list, for tests and for tools that show them their own way."""

    def __init__(self) -> None:
        self.warnings: list[DigestError] = []

    def warn(self, problem: DigestError) -> None:
        self.warnings.append(problem)


class StreamReporter:
    """Prints each warning as one `warning: path:line: message` line (stderr by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def warn(self, problem: DigestError) -> None:
        print(f"warning: {problem}", file=self._stream or sys.stderr)
