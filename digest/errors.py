"""The one error type the project raises for bad input.

Everything a user can get wrong (config, content, theme, output folder) ends up as a
`DigestError`, which the CLI prints as one `file:line: message` line with exit code 1.
Keeping location separate from the message lets tests assert on each part.
"""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """Bad input that the user can fix; never a bug in digest itself."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else Path(path)
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path.as_posix() if self.line is None else f"{self.path.as_posix()}:{self.line}"
        return f"{where}: {self.message}"
