"""Allow `python -m digest` as well as the `digest` console script."""

import sys

from digest.cli import main

sys.exit(main())
