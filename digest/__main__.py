"""Allow `python -m digest` as well as the `digest` console script."""

from digest.cli import run

run()
